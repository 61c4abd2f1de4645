/**
 * The monthly report by e-mail: subscriptions (who receives it) and the phase
 * that mails it on the 1st of each month (domain/report-mail.ts has the rule
 * for the due time, the month reported, missed months and the words).
 *
 * Every deadline is a row: each subscription keeps its `next_send_at`. The
 * `monthly-reports` phase claims due subscriptions (FOR UPDATE SKIP LOCKED, so
 * several processes share the work), reads each organisation's report of the
 * last complete month with the same code as GET /reports/monthly, queues one
 * outbox e-mail per subscription keyed `monthly_report:<subscriptionId>:<YYYY-MM>`
 * (never twice) carrying the text, the console's link and the report as an xlsx
 * file, and moves `next_send_at` to the next 1st — all in one transaction.
 * When the mail's turn comes, the sender re-checks its cause (engine/causes.ts):
 * a removed subscription, or one whose person was deactivated, is cancelled
 * (recipient_gone), never sent. Removing a subscription also cancels its queued
 * mail at once.
 */
import { sql } from "kysely";
import { nextReportMailAt, reportedMonth, reportMailKey, reportMailSubject, reportMailText } from "../domain/report-mail.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";
import { cancelQueued } from "./causes.ts";
import { enqueue, type OutboxRow, outboxRow } from "./outbox.ts";
import { readMonthlyReport, reportFile } from "./reports.ts";
import { organisationTimeZone } from "./today.ts";

/** A subscription as the API shows it. */
export interface ReportSubscription {
  id: string;
  /** The address subscribed, or null when it is a person's. */
  email: string | null;
  /** The person subscribed (their e-mail address receives it), or null. */
  personId: string | null;
  personName: string | null;
  /** Where the next mail goes: the address, or the person's current e-mail address (null: the person has none, nothing is sent). */
  sendsTo: string | null;
  /** When the next mail is queued (ISO 8601): the 1st of a month, 08:00 in the organisation's zone. */
  nextSendAt: string;
  createdAt: string;
}

export type SubscriptionError =
  | { code: "already_subscribed"; field: "email" | "personId"; message: string }
  | { code: "unknown_reference"; field: "personId"; message: string }
  | { code: "person_without_email"; field: "personId"; message: string };

/** Whom to subscribe: an address, or a person of the organisation. */
export type SubscriptionInput = { email: string } | { personId: string };

async function views(db: Db, organisationId: string, id?: string): Promise<ReportSubscription[]> {
  let q = db.selectFrom("report_subscriptions as s")
    .leftJoin("people as p", (j) => j.onRef("p.id", "=", "s.person_id").onRef("p.organisation_id", "=", "s.organisation_id"))
    .select(["s.id", "s.email", "s.person_id", "p.display_name", "p.email as person_email", "s.next_send_at", "s.created_at"])
    .where("s.organisation_id", "=", organisationId);
  if (id) q = q.where("s.id", "=", id);
  const rows = await q.orderBy("s.created_at").orderBy("s.id").execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    personId: r.person_id,
    personName: r.display_name ?? null,
    sendsTo: r.email ?? r.person_email ?? null,
    nextSendAt: r.next_send_at.toISOString(),
    createdAt: r.created_at.toISOString(),
  }));
}

/** The organisation's subscriptions, oldest first. */
export function listReportSubscriptions(db: Db, organisationId: string): Promise<ReportSubscription[]> {
  return views(db, organisationId);
}

/**
 * Subscribe an address or a person; the first mail is queued at the next 1st
 * 08:00 in the organisation's zone after `now` (the engine's clock).
 * Errors: the address or person is subscribed already (409 already_subscribed);
 * no such active person (unknown_reference); the person has no e-mail address
 * (person_without_email). Nothing is written on an error.
 */
export async function subscribeToReport(
  db: Db, organisationId: string, input: SubscriptionInput, actor: string, now: Date,
): Promise<{ ok: true; subscription: ReportSubscription } | { ok: false; error: SubscriptionError }> {
  const zone = await organisationTimeZone(db, organisationId);
  const id = newId();
  const outcome = await inTransaction(db, async (tx): Promise<SubscriptionError | undefined> => {
    if ("personId" in input) {
      const person = await tx.selectFrom("people").select(["id", "email"]).where("organisation_id", "=", organisationId)
        .where("id", "=", input.personId).where("deactivated_at", "is", null).executeTakeFirst();
      if (!person) return { code: "unknown_reference", field: "personId", message: "no such active person in this organisation" };
      if (!person.email) return { code: "person_without_email", field: "personId", message: "the person has no e-mail address: add one on their page, or subscribe an address" };
    }
    const inserted = await tx.insertInto("report_subscriptions").values({
      id, organisation_id: organisationId,
      email: "email" in input ? input.email : null,
      person_id: "personId" in input ? input.personId : null,
      created_by: actor, created_at: now, next_send_at: nextReportMailAt(now, zone),
    }).onConflict((oc) => oc.doNothing()).returning("id").executeTakeFirst();
    if (!inserted) {
      return "email" in input
        ? { code: "already_subscribed", field: "email", message: "this address receives the monthly report already" }
        : { code: "already_subscribed", field: "personId", message: "this person receives the monthly report already" };
    }
    return undefined;
  });
  if (outcome) return { ok: false, error: outcome };
  const [subscription] = await views(db, organisationId, id);
  return { ok: true, subscription };
}

/**
 * Remove a subscription, and cancel its mail still queued (recipient_gone) in the
 * same transaction. Returns false when there is no such subscription in the organisation.
 */
export async function unsubscribeFromReport(db: Db, organisationId: string, id: string, now: Date): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const removed = await tx.deleteFrom("report_subscriptions").where("organisation_id", "=", organisationId).where("id", "=", id)
      .returning("id").executeTakeFirst();
    if (!removed) return false;
    await cancelQueued(tx, { recipient: { kind: "report_subscription", id }, kinds: ["monthly_report"] }, "recipient_gone", now);
    return true;
  });
}

/** What one batch of the phase did. */
export interface ReportMailResult {
  claimed: number;
  queued: number;
}

/**
 * Queue the monthly report for up to `limit` subscriptions due at `now`, and move
 * each to its next 1st. A subscription whose person has no address (or is
 * deactivated) now gets no mail this month and waits for the next.
 * `consoleUrl`: the console's Reports screen, linked from the mail.
 */
export async function mailMonthlyReports(db: Db, now: Date, limit: number, consoleUrl: () => string): Promise<ReportMailResult> {
  return inTransaction(db, async (tx) => {
    const due = await tx.selectFrom("report_subscriptions").select(["id", "organisation_id", "email", "person_id"])
      .where("next_send_at", "<=", now).orderBy("next_send_at").limit(limit).forUpdate().skipLocked().execute();
    if (due.length === 0) return { claimed: 0, queued: 0 };
    const personIds = due.map((d) => d.person_id).filter((x): x is string => !!x);
    const people = new Map(personIds.length
      ? (await tx.selectFrom("people").select(["id", "email"]).where("id", "in", personIds).where("deactivated_at", "is", null).execute())
        .map((p) => [p.id, p.email])
      : []);
    const rows: OutboxRow[] = [];
    const moves: { id: string; at: Date }[] = [];
    const url = `${consoleUrl()}/reports`;
    for (const organisationId of [...new Set(due.map((d) => d.organisation_id))]) {
      const mine = due.filter((d) => d.organisation_id === organisationId);
      const zone = await organisationTimeZone(tx, organisationId);
      const month = reportedMonth(now, zone);
      const organisation = await tx.selectFrom("organisations").select("name").where("id", "=", organisationId).executeTakeFirstOrThrow();
      // The same reading as GET /reports/monthly: every team of the organisation, the total.
      const report = await readMonthlyReport(tx, { organisationId, months: [month], timeZone: zone });
      const m = report.months[0];
      const text = reportMailText(organisation.name, month, m.total, m.teams.map((t) => ({ teamName: t.teamName, figures: t.figures })), m.broadcasts.length);
      const xlsx = (await reportFile(report, "xlsx", "ja")).toString("base64");
      for (const sub of mine) {
        const address = sub.email ?? (sub.person_id ? people.get(sub.person_id) : null);
        if (address) {
          rows.push(outboxRow({
            organisationId, key: reportMailKey(sub.id, month), recipient: { kind: "report_subscription", id: sub.id },
            channels: [{ kind: "email", address }], messageKind: "monthly_report", text,
            payload: {
              subscriptionId: sub.id, month, url, subject: reportMailSubject(organisation.name, month),
              attachments: [{
                filename: `monthly-report-${month}.xlsx`,
                contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                contentBase64: xlsx,
              }],
            },
            dueAt: now, now,
          }));
        }
      }
      for (const sub of mine) moves.push({ id: sub.id, at: nextReportMailAt(now, zone) });
    }
    await enqueue(tx, rows);
    await sql`update report_subscriptions set next_send_at = v.at
      from (select unnest(${moves.map((m) => m.id)}::uuid[]) as id, unnest(${moves.map((m) => m.at)}::timestamptz[]) as at) v
      where report_subscriptions.id = v.id`.execute(tx);
    return { claimed: due.length, queued: rows.length };
  });
}
