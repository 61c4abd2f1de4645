/**
 * 機器 (Devices of ICT watching, seed 001): a member's devices on the member's page
 * (register one, its token shown once; each device's status, last event and
 * rules) and the list of every device with its status — online, offline, silent
 * (a silent device is a task for staff: check its battery or network; it is not
 * the person who is silent).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, Checkbox, Form, Input, Label, Link, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, type Lang } from "../format.ts";
import type { Me } from "../me.ts";
import { FieldSelect } from "../screens/Import.tsx";

const KINDS = ["light_bulb", "door", "fridge_door", "motion", "power_meter", "smart_speaker", "other"] as const;

/** A device as GET /members/:id/devices and GET /network/devices give it. */
export interface DeviceView {
  id: string;
  memberId: string;
  memberName: string;
  kind: (typeof KINDS)[number];
  name: string;
  power: "battery" | "mains";
  topic: string | null;
  signOfLife: boolean;
  rules: { id: string; hours: number; belowWatts?: number }[];
  lastEventAt: string | null;
  lastSeenAt: string | null;
  silentSince: string | null;
  status: "online" | "offline" | "silent";
}

/**
 * What the 状態 column says: a device the API counts as online but that has never
 * reported anything is "awaiting" (まだ受信なし), not connected — nothing proves it works.
 */
export type DeviceShownStatus = DeviceView["status"] | "awaiting";

/** The status shown for `d` (see DeviceShownStatus). */
export function shownStatus(d: Pick<DeviceView, "status" | "lastSeenAt" | "lastEventAt">): DeviceShownStatus {
  return d.status === "online" && d.lastSeenAt === null && d.lastEventAt === null ? "awaiting" : d.status;
}

/** A mark beside the status word so the badge does not speak by colour alone. */
const STATUS_MARK: Record<DeviceShownStatus, string> = { online: "●", offline: "○", silent: "!", awaiting: "…" };

function DeviceRows({ devices, me, withMember }: { devices: DeviceView[]; me: Me; withMember: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const when = (at: string | null) => (at ? formatDateTime(at, me.timeZone, lang) : "—");
  return (
    <table className="devices">
      <thead>
        <tr>
          {withMember ? <th scope="col">{t("devices.member")}</th> : null}
          <th scope="col">{t("devices.name")}</th>
          <th scope="col">{t("devices.kind")}</th>
          <th scope="col">{t("devices.status")}</th>
          <th scope="col">{t("devices.lastEvent")}</th>
          <th scope="col">{t("devices.rules")}</th>
        </tr>
      </thead>
      <tbody>
        {devices.map((d) => (
          <tr key={d.id} data-status={shownStatus(d)}>
            {withMember ? <td><Link href={`/members/${d.memberId}`}>{d.memberName}</Link></td> : null}
            <td>{d.name}{d.topic ? <span className="muted"> ({d.topic})</span> : null}</td>
            <td>{t(`devices.kinds.${d.kind}`)} · {t(`devices.powers.${d.power}`)}</td>
            <td>
              <span className={`badge device-status status-${shownStatus(d)}`}>
                <span aria-hidden="true">{STATUS_MARK[shownStatus(d)]} </span>{t(`devices.statuses.${shownStatus(d)}`)}
              </span>
              {d.status === "silent" ? <span className="hint"> {t("devices.silentHint")}</span> : null}
            </td>
            <td>{when(d.lastEventAt)}</td>
            <td>
              {d.rules.map((r) => t(r.belowWatts !== undefined ? "devices.ruleWatts" : "devices.ruleHours", { hours: r.hours, watts: r.belowWatts })).join(" / ") || "—"}
              {d.signOfLife ? <span className="muted"> · {t("devices.countsAsSignOfLife")}</span> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The devices section of a member's page. */
export function MemberDevices({ id, me }: { id: string; me: Me }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const canAct = me.role === "admin" || me.role === "staff";
  const [kind, setKind] = useState<string>("fridge_door");
  const [name, setName] = useState("");
  const [topic, setTopic] = useState("");
  const [mains, setMains] = useState(false);
  const [signOfLife, setSignOfLife] = useState(false);
  const [token, setToken] = useState<string | null>(null);
  const devices = useQuery({ queryKey: ["member-devices", id], queryFn: () => api<{ devices: DeviceView[] }>("GET", `/members/${id}/devices`) });
  const add = useMutation({
    mutationFn: () => api<DeviceView & { token: string }>("POST", `/members/${id}/devices`, {
      kind, name, power: mains ? "mains" : "battery", topic: topic.trim() || null, signOfLife,
    }),
    onSuccess: (created) => {
      setToken(created.token);
      setName("");
      setTopic("");
      void queryClient.invalidateQueries({ queryKey: ["member-devices", id] });
    },
  });
  return (
    <section aria-labelledby="devices-heading" className="member-devices">
      <h2 id="devices-heading">{t("devices.memberTitle")}</h2>
      <p className="hint">{t("devices.lead")}</p>
      {devices.isError ? <ErrorText error={devices.error} /> : null}
      {devices.data?.devices.length ? <DeviceRows devices={devices.data.devices} me={me} withMember={false} /> : devices.data ? <p>{t("devices.none")}</p> : null}
      {canAct ? (
        <Form onSubmit={(e) => { e.preventDefault(); add.mutate(); }} aria-label={t("devices.add")}>
          <FieldSelect label={t("devices.kind")} value={kind} onChange={setKind} visible
            options={KINDS.map((k) => ({ id: k, name: t(`devices.kinds.${k}`) }))} />
          <TextField value={name} onChange={setName} isRequired>
            <Label>{t("devices.name")}</Label>
            <Input />
          </TextField>
          <TextField value={topic} onChange={setTopic}>
            <Label>{t("devices.topic")}</Label>
            <Input />
          </TextField>
          <Checkbox isSelected={mains} onChange={setMains}>{t("devices.mains")}</Checkbox>
          <Checkbox isSelected={signOfLife} onChange={setSignOfLife}>{t("devices.signOfLife")}</Checkbox>
          {add.isError ? <ErrorText error={add.error} /> : null}
          <Button type="submit" isDisabled={!name.trim() || add.isPending}>{t("devices.add")}</Button>
        </Form>
      ) : null}
      {token ? (
        <div role="status" className="token-once">
          <p>{t("devices.tokenOnce")}</p>
          <code data-testid="device-token">{token}</code>
        </div>
      ) : null}
    </section>
  );
}

/** 機器: every device the caller may see, silent first. */
export function Devices({ me }: { me: Me }) {
  const { t } = useTranslation();
  const devices = useQuery({ queryKey: ["devices"], queryFn: () => api<{ devices: DeviceView[] }>("GET", "/network/devices") });
  const silent = devices.data?.devices.filter((d) => d.status === "silent").length ?? 0;
  return (
    <>
      <h1>{t("devices.title")}</h1>
      <p className="hint">{t("devices.listLead")}</p>
      {devices.isError ? <ErrorText error={devices.error} /> : null}
      {devices.data ? <p role="status">{t("devices.silentCount", { count: silent })}</p> : null}
      {devices.data?.devices.length ? <DeviceRows devices={devices.data.devices} me={me} withMember /> : devices.data ? <p>{t("devices.noneAtAll")}</p> : null}
    </>
  );
}
