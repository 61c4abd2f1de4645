/**
 * 困りごとにする (issue 14): after staff resolve an incident, or a visit's
 * outcome is recorded, the incident's page offers to record a need (困りごと)
 * for the member, its description filled in from the outcome's note (a partner
 * report's page — the network's 気づき — offers the same from the report's
 * words once the report is linked to a member); staff
 * choose its kinds and record it, then land on the need's page (matching,
 * volunteers, referrals).
 *
 * The seam: the core's server never imports the directory, so nothing in the
 * core's resolution knows about needs. The console is one application; the
 * incident screen renders this component of the directory's screens, and it
 * shows itself only when the server has the directory's routes — it asks for
 * the directory's taxonomy (GET /directory/taxonomy, which it needs for the
 * kinds anyway) and stays hidden when that is not found. The need is recorded
 * with the incident, visit or report as its source (POST /directory/needs, source
 * incident|visit|partner_report), so the directory takes the member from the record itself.
 * Offered only after outcomes in which someone reached the member (codes,
 * never the note's words): a member found dead, gone or a false alarm has none.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Button, Form, Label, TextArea, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";
import { navigate } from "../../router.ts";
import { KindPicker } from "./Kinds.tsx";
import { NEEDS, Refusal } from "./Needs.tsx";

/** Incident outcomes after which help may be needed: the member was reached. */
export const NEED_AFTER_INCIDENT = ["visited_fine", "reached_by_phone", "reached_by_line", "reached_by_message", "member_answered", "hospitalised", "other"];
/** Visit outcomes after which help may be needed: the watcher met the member (or says what they found). */
export const NEED_AFTER_VISIT = ["met_fine", "other"];

export function NeedOffer({ source, sourceId, memberName, note }: {
  source: "incident" | "visit" | "partner_report"; sourceId: string; memberName: string; note: string | null;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const headingId = useId();
  // The directory's routes answer: the offer is shown (and its kinds are there). A 404 or a failure: nothing is shown.
  const directory = useQuery({
    queryKey: ["directory-taxonomy"], queryFn: () => api<{ terms: unknown[] }>("GET", "/directory/taxonomy"), retry: false,
  });
  const [open, setOpen] = useState(false);
  const [codes, setCodes] = useState<string[]>([]);
  const [text, setText] = useState(note ?? "");
  const [tried, setTried] = useState(false);
  const save = useMutation({
    mutationFn: () => api<{ id: string }>("POST", "/directory/needs", { source, sourceId, taxonomyCodes: codes, ...(text.trim() ? { note: text } : {}) }),
    onSuccess: async (need) => {
      await queryClient.invalidateQueries({ queryKey: ["directory-needs"] });
      navigate(`${NEEDS}/${need.id}`);
    },
  });
  if (!directory.isSuccess) return null;
  const words = source === "visit" ? { lead: "leadVisit", open: "openVisit", note: "note" }
    : source === "partner_report" ? { lead: "leadReport", open: "openReport", note: "noteReport" } : { lead: "lead", open: "open", note: "note" };
  return (
    <section className="need-offer" aria-labelledby={headingId}>
      <h3 id={headingId}>{open ? t("needs.fromOutcome.formTitle", { name: memberName }) : t("needs.fromOutcome.title")}</h3>
      {open ? (
        <Form className="need-form" aria-labelledby={headingId} onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
          if (codes.length) save.mutate();
        }}>
          <KindPicker legend={t("needs.form.kinds")} label={t("needs.form.kind")} codes={codes} onChange={setCodes}
            removeLabel={(name) => t("needs.form.removeKind", { name })} error={tried && !codes.length ? t("needs.form.noKinds") : null} />
          <TextField value={text} onChange={setText}>
            <Label>{t(`needs.fromOutcome.${words.note}`)}</Label>
            <TextArea rows={2} />
          </TextField>
          {save.isError ? <Refusal error={save.error} /> : null}
          <div className="button-row">
            <Button type="submit" className="primary" isDisabled={save.isPending}>{t("needs.fromOutcome.submit")}</Button>
            <Button onPress={() => setOpen(false)}>{t("needs.fromOutcome.cancel")}</Button>
          </div>
        </Form>
      ) : (
        <>
          <p>{t(`needs.fromOutcome.${words.lead}`)}</p>
          <Button onPress={() => setOpen(true)}>{t(`needs.fromOutcome.${words.open}`)}</Button>
        </>
      )}
    </section>
  );
}
