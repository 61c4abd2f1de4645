/**
 * A referral's private link for its receiver (an external provider without an
 * account): make one (the link is shown once, here, with a copy button), see
 * whether one is live, until when and when the receiver last opened it, and
 * revoke it. The receiver's page is /referral/{token} (served by the API, no
 * console). Reads and writes /directory/referrals/{id}/receiver-link.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, Input, Label, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";
import { errorSentence } from "../../ErrorText.tsx";
import { formatDateTime, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";

interface ReferralLink {
  id: string; createdAt: string; expiresAt: string; lastOpenedAt: string | null; revokedAt: string | null;
  /** Past its expiry by the server's clock. */
  expired: boolean;
}

/** The link part of a referral card; `write`: staff or admin on a referral not deleted (observers see the state only). */
export function ReceiverLink({ me, referralId, write }: { me: Me; referralId: string; write: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [shown, setShown] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const key = ["directory-referral-link", referralId];
  const live = useQuery({ queryKey: key, queryFn: () => api<{ link: ReferralLink | null }>("GET", `/directory/referrals/${referralId}/receiver-link`) });
  const create = useMutation({
    mutationFn: () => api<ReferralLink & { path: string }>("POST", `/directory/referrals/${referralId}/receiver-link`, {}),
    onSuccess: async (made) => {
      setShown(`${location.origin}${made.path}`);
      setNotice(null);
      await queryClient.invalidateQueries({ queryKey: key });
    },
  });
  const revoke = useMutation({
    mutationFn: () => api<ReferralLink>("DELETE", `/directory/referrals/${referralId}/receiver-link`),
    onSuccess: async () => {
      setShown(null);
      setNotice(t("needs.receiverLink.revoked"));
      await queryClient.invalidateQueries({ queryKey: key });
    },
  });
  const link = live.data?.link ?? null;
  // Expired by the server's clock (never this browser's).
  const expired = link?.expired ?? false;
  const failure = create.error ?? revoke.error ?? live.error;
  return (
    <section className="receiver-link" aria-labelledby={`receiver-link-${referralId}`}>
      <h4 id={`receiver-link-${referralId}`}>{t("needs.receiverLink.title")}</h4>
      <p>{t("needs.receiverLink.lead")}</p>
      {link ? (
        <>
          <p>{expired ? t("needs.receiverLink.expired") : t("needs.receiverLink.live", { until: formatDateTime(link.expiresAt, me.timeZone, lang) })}</p>
          <p>{link.lastOpenedAt ? t("needs.receiverLink.opened", { at: formatDateTime(link.lastOpenedAt, me.timeZone, lang) }) : t("needs.receiverLink.notOpened")}</p>
        </>
      ) : live.data ? <p>{t("needs.receiverLink.none")}</p> : null}
      {shown ? (
        <div className="receiver-link-url">
          <TextField value={shown} isReadOnly>
            <Label>{t("needs.receiverLink.url")}</Label>
            <Input />
          </TextField>
          <div className="button-row">
            <Button onPress={() => void navigator.clipboard?.writeText(shown).then(() => setNotice(t("needs.receiverLink.copied")))}>{t("needs.receiverLink.copy")}</Button>
          </div>
        </div>
      ) : null}
      <div role="status">{notice ? <p className="notice">{notice}</p> : null}</div>
      {write ? (
        <div className="button-row">
          <Button onPress={() => create.mutate()} isDisabled={create.isPending}>{t(link ? "needs.receiverLink.replace" : "needs.receiverLink.create")}</Button>
          {link ? <Button onPress={() => revoke.mutate()} isDisabled={revoke.isPending}>{t("needs.receiverLink.revoke")}</Button> : null}
        </div>
      ) : null}
      {failure ? <p className="error" role="alert">{errorSentence(t, failure)}</p> : null}
    </section>
  );
}
