/**
 * つながり (Groups): the organisation's groups — LINE groups the bot was added
 * to, which run their own rounds, and lists of members staff put together (an
 * audience for broadcasts; their members are asked on their own plans). A
 * group's page shows its members, the current round with who has not confirmed
 * yet (and who confirmed for whom), the history of rounds, and 承認する for a
 * LINE group that waits for approval. Re-read every half minute: confirmations
 * arrive from LINE while the page is open.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Button, Link } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, type Lang } from "../format.ts";
import type { Me } from "../me.ts";
import { ScrollingTable } from "../ScrollingTable.tsx";

type GroupStatus = "active" | "awaiting_approval" | "left";
interface Plan { every: string; weekday?: number; at: string; timeZone: string }
interface Group {
  id: string; name: string; memberIds: string[]; lineGroupId: string | null; status: GroupStatus;
  plan: Plan | null; nextDueAt: string | null; leftAt: string | null; createdAt: string;
}
interface GroupWithMembers extends Group { members: { id: string; displayName: string; teamId: string }[] }
interface RoundPerson {
  userId: string; displayName: string | null; memberId: string | null; confirmed: boolean; confirmedAt: string | null;
  confirmedBy: { userId: string; displayName: string | null } | null;
}
interface Round {
  id: string; dueAt: string; promptedAt: string | null; listAt: string | null; listedAt: string | null;
  listed: { userId: string; displayName: string }[] | null; confirmedCount: number; people: RoundPerson[];
}

/** How often an open page re-reads groups and rounds (confirmations come in from LINE). */
const REFRESH_MS = 30_000;
/** Rounds shown in the history. */
const HISTORY = 30;

const kindOf = (g: Group) => (g.lineGroupId ? "line" : "list");

export function Groups({ me, id }: { me: Me; id: string | null }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${t("groups.title")} — ${t("app.title")}`;
  }, [t]);
  return id ? <GroupPage me={me} id={id} /> : <GroupList me={me} />;
}

function PlanText({ plan }: { plan: Plan | null }) {
  const { t } = useTranslation();
  if (!plan) return <>{t("groups.noRounds")}</>;
  return <>{t("members.planText", { every: t(`members.every.${plan.every}`, { defaultValue: plan.every }), at: plan.at })}</>;
}

function GroupList({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const groups = useQuery({ queryKey: ["groups"], queryFn: () => api<{ groups: Group[] }>("GET", "/groups"), refetchInterval: REFRESH_MS });
  const waiting = groups.data?.groups.filter((g) => g.status === "awaiting_approval").length ?? 0;
  return (
    <div className="groups">
      <h1>{t("groups.title")}</h1>
      <p>{t("groups.lead")}</p>
      {groups.isPending ? <p>{t("app.loading")}</p> : null}
      {groups.isError ? <ErrorText error={groups.error} /> : null}
      {waiting > 0 ? <p className="notice" role="status">{t("groups.waiting", { count: waiting })}</p> : null}
      {groups.data && groups.data.groups.length === 0 ? <p>{t("groups.none")}</p> : null}
      {groups.data && groups.data.groups.length > 0 ? (
        <ScrollingTable label={t("groups.title")}>
          <table>
            <caption className="visually-hidden">{t("groups.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("groups.name")}</th>
                <th scope="col">{t("groups.kind")}</th>
                <th scope="col">{t("groups.status")}</th>
                <th scope="col">{t("groups.memberCount")}</th>
                <th scope="col">{t("groups.plan")}</th>
                <th scope="col">{t("groups.nextRound")}</th>
              </tr>
            </thead>
            <tbody>
              {groups.data.groups.map((g) => (
                <tr key={g.id}>
                  <th scope="row"><Link href={`/groups/${g.id}`}>{g.name}</Link></th>
                  <td>{t(`groups.kinds.${kindOf(g)}`)}</td>
                  <td>{g.status === "awaiting_approval" ? <span className="badge overdue-badge">{t("groups.statuses.awaiting_approval")}</span> : t(`groups.statuses.${g.status}`)}</td>
                  <td>{kindOf(g) === "list" ? g.memberIds.length : "—"}</td>
                  <td>{kindOf(g) === "line" ? <PlanText plan={g.plan} /> : t("groups.ownPlans")}</td>
                  <td>{g.nextDueAt ? formatDateTime(g.nextDueAt, me.timeZone, lang) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      ) : null}
      <p className="muted">{t("groups.howToAdd")}</p>
    </div>
  );
}

function GroupPage({ me, id }: { me: Me; id: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const group = useQuery({
    queryKey: ["group", id], queryFn: () => api<GroupWithMembers>("GET", `/groups/${encodeURIComponent(id)}`), refetchInterval: REFRESH_MS,
  });
  const isLine = !!group.data?.lineGroupId;
  const rounds = useQuery({
    queryKey: ["group-rounds", id], enabled: isLine, refetchInterval: REFRESH_MS,
    queryFn: () => api<{ rounds: Round[] }>("GET", `/groups/${encodeURIComponent(id)}/rounds?limit=${HISTORY}`),
  });
  const approve = useMutation({
    mutationFn: () => api<GroupWithMembers>("POST", `/groups/${encodeURIComponent(id)}/approve`),
    onSuccess: (g) => {
      queryClient.setQueryData(["group", id], g);
      void queryClient.invalidateQueries({ queryKey: ["groups"] });
    },
  });
  const mayApprove = me.role === "admin" || me.role === "staff";
  useEffect(() => {
    if (group.data) document.title = `${group.data.name} — ${t("groups.title")} — ${t("app.title")}`;
  }, [t, group.data]);

  if (group.isPending) return <p>{t("app.loading")}</p>;
  if (group.isError) return <><p><Link href="/groups">{t("groups.back")}</Link></p><ErrorText error={group.error} /></>;
  const g = group.data;
  const [current, ...history] = rounds.data?.rounds ?? [];
  // A LINE group's members are the registered members among the people seen in it; a list's are its own.
  const listed = isLine
    ? (current?.people ?? []).flatMap((p) => (p.memberId ? [{ id: p.memberId, displayName: p.displayName ?? t("groups.unnamed") }] : []))
    : g.members;
  return (
    <div className="group-page">
      <p><Link href="/groups">{t("groups.back")}</Link></p>
      <h1>{g.name}</h1>
      <dl className="facts">
        <dt>{t("groups.kind")}</dt><dd>{t(`groups.kinds.${kindOf(g)}`)}</dd>
        <dt>{t("groups.status")}</dt><dd>{t(`groups.statuses.${g.status}`)}</dd>
        <dt>{t("groups.plan")}</dt><dd>{isLine ? <PlanText plan={g.plan} /> : t("groups.ownPlans")}</dd>
        {g.nextDueAt ? <><dt>{t("groups.nextRound")}</dt><dd>{formatDateTime(g.nextDueAt, me.timeZone, lang)}</dd></> : null}
      </dl>
      {g.status === "awaiting_approval" ? (
        <section aria-labelledby="approval">
          <h2 id="approval">{t("groups.approvalTitle")}</h2>
          <p>{t("groups.approvalLead")}</p>
          {mayApprove ? <Button onPress={() => approve.mutate()} isDisabled={approve.isPending}>{t("groups.approve")}</Button> : null}
          {approve.isError ? <ErrorText error={approve.error} /> : null}
        </section>
      ) : null}
      {approve.isSuccess ? <p role="status">{t("groups.approved")}</p> : null}

      {isLine ? (
        <>
          <section aria-labelledby="current-round">
            <h2 id="current-round">{t("groups.currentRound")}</h2>
            {rounds.isError ? <ErrorText error={rounds.error} /> : null}
            {rounds.data && !current ? <p>{t("groups.noRoundYet")}</p> : null}
            {current ? <CurrentRound round={current} timeZone={me.timeZone} /> : null}
          </section>
          <section aria-labelledby="history">
            <h2 id="history">{t("groups.history")}</h2>
            {rounds.data && history.length === 0 ? <p>{t("groups.noHistory")}</p> : null}
            {history.length > 0 ? (
              <ScrollingTable label={t("groups.history")}>
                <table>
                  <caption className="visually-hidden">{t("groups.history")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("groups.roundAt")}</th>
                      <th scope="col">{t("groups.confirmedCount")}</th>
                      <th scope="col">{t("groups.listedCount")}</th>
                      <th scope="col">{t("groups.listedNames")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {history.map((r) => (
                      <tr key={r.id}>
                        <th scope="row">{formatDateTime(r.promptedAt ?? r.dueAt, me.timeZone, lang)}</th>
                        <td>{r.confirmedCount}</td>
                        <td>{r.listed ? r.listed.length : "—"}</td>
                        <td>{r.listed?.map((p) => p.displayName).join("、") || "—"}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollingTable>
            ) : null}
          </section>
        </>
      ) : null}

      <section aria-labelledby="group-members">
        <h2 id="group-members">{isLine ? t("groups.registeredMembers") : t("groups.members")}</h2>
        {listed.length === 0 ? <p>{isLine ? t("groups.lineMembersLead") : t("groups.noMembers")}</p> : (
          <ul className="plain">
            {listed.map((m) => <li key={m.id}><Link href={`/members/${m.id}`}>{m.displayName}</Link></li>)}
          </ul>
        )}
      </section>
    </div>
  );
}

/** The latest round: when it was asked, when the list goes out, and each person's state. */
function CurrentRound({ round, timeZone }: { round: Round; timeZone: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const waiting = round.people.filter((p) => !p.confirmed);
  return (
    <>
      <p>
        {t("groups.askedAt", { at: formatDateTime(round.promptedAt ?? round.dueAt, timeZone, lang) })}{" "}
        {round.listedAt
          ? t("groups.listedAt", { at: formatDateTime(round.listedAt, timeZone, lang) })
          : round.listAt ? t("groups.listAt", { at: formatDateTime(round.listAt, timeZone, lang) }) : null}
      </p>
      <p><strong>{t("groups.tally", { confirmed: round.people.length - waiting.length, waiting: waiting.length })}</strong></p>
      {round.people.length === 0 ? <p>{t("groups.nobodySeen")}</p> : (
        <ScrollingTable label={t("groups.currentRound")}>
          <table>
            <caption className="visually-hidden">{t("groups.currentRound")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("groups.person")}</th>
                <th scope="col">{t("groups.state")}</th>
                <th scope="col">{t("groups.confirmedBy")}</th>
              </tr>
            </thead>
            <tbody>
              {[...waiting, ...round.people.filter((p) => p.confirmed)].map((p) => (
                <tr key={p.userId}>
                  <th scope="row">
                    {p.memberId ? <Link href={`/members/${p.memberId}`}>{p.displayName ?? t("groups.unnamed")}</Link> : (p.displayName ?? t("groups.unnamed"))}
                  </th>
                  <td>
                    {p.confirmed
                      ? t("groups.confirmedAt", { at: formatDateTime(p.confirmedAt as string, timeZone, lang) })
                      : <span className="badge overdue-badge">{t("groups.notConfirmed")}</span>}
                  </td>
                  <td>{p.confirmedBy ? (p.confirmedBy.displayName ?? t("groups.unnamed")) : p.confirmed ? t("groups.self") : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      )}
    </>
  );
}
