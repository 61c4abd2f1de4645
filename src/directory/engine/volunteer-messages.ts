/**
 * Telling volunteers (生活支援の担い手) about their requests through the outbox
 * (issue 14; DESIGN-NOTES: every outgoing message goes through the outbox, and
 * re-checks its cause when its turn comes).
 *
 * - When a request is offered (a coordinator's offer, or one passed on after a
 *   decline, an expiry or a volunteer going off duty), the volunteer is told on
 *   every channel their login keeps (person_channels: e-mail, SMS, a call, LINE —
 *   the channels a watcher's visit requests use, engine/visits.ts), one outbox
 *   row per request and channel, keyed `directory_offer:<requestId>:<channelId>`:
 *   a phase that runs again, or a retried transaction, writes nothing twice. A
 *   volunteer whose login keeps no channel is reached as the core reaches people
 *   otherwise: by e-mail at their login's address (the invitation's, the monthly
 *   report's), else by SMS at the phone their volunteer record gives, if it is a
 *   valid mobile number (a landline cannot receive a text: domain/phone.ts
 *   parseSmsPhone) — one of the two, not both (one message per offer). A volunteer
 *   without a login is told by SMS at their record's phone (if a mobile number),
 *   recipient kind `context` (their volunteer id), with a private link to the
 *   offer's page (engine/offer-links.ts: accept or decline without an account,
 *   then whom to help and the contacts log); the link is made with the message,
 *   in the same transaction, keyed by the request. Without a mobile phone they get
 *   nothing (the coordinator asks them by phone, as before).
 * - The message is the core's generic `person_message`; the directory checks its
 *   cause when a sender claims it (`volunteerMessageCause`, plugged in by
 *   context.ts): an offer answered, withdrawn or past its deadline is
 *   `request_closed`, a volunteer off duty or archived `off_duty`, a volunteer
 *   whose login changed (or, for a link's message, another volunteer's row) `recipient_gone`. Such a message is cancelled, never sent.
 * - When a request the volunteer WAS told about is withdrawn because another
 *   volunteer accepted or the need was closed, they are told it is no longer
 *   needed, on the channels the offer reached (`directory_offer_withdrawn:…`).
 *   Why: a volunteer who read "please help" may already be arranging their day or
 *   on their way; leaving them to find out in the view is how volunteers end up at
 *   a door someone else already served (the rota apps volunteers' groups use send
 *   the same "no longer needed" closure). Only those actually told are told
 *   again: an offer still queued is dropped by its cause check instead, and
 *   withdrawals the volunteer caused (going off duty), declines and expiries
 *   send nothing — no message the volunteer does not need (volunteers leave when
 *   flooded).
 */
import type { CancelReason } from "../../domain/causes.ts";
import { parseSmsPhone } from "../../domain/phone.ts";
import type { CauseCheck, QueuedRow } from "../../engine/causes.ts";
import { enqueue, outboxRow, type RecipientKind } from "../../engine/outbox.ts";
import { organisationTimeZone } from "../../engine/today.ts";
import type { Db } from "../../store/db.ts";
import type { ChannelAddress } from "../../store/schema.ts";
import { DEFAULT_RESPOND_HOURS } from "../domain/needs.ts";
import { offerWords, type VolunteerMessageWords, withdrawnWords } from "../domain/volunteer-messages.ts";
import { organisationTaxonomy } from "./matches.ts";
import { makeOfferLink, offerPageUrl } from "./offer-link-tokens.ts";
import "../store/needs-schema.ts";

/** The payload's `topic` of the directory's messages to volunteers; `context: "directory"` marks them among other contexts' person_messages. */
export type VolunteerMessageTopic = "volunteer_offer" | "volunteer_offer_withdrawn";

/** The key of the offer's message on one channel (a person_channels id; `email`: the login's address; `phone`: the volunteer record's number). */
export const offerKey = (requestId: string, channel: string) => `directory_offer:${requestId}:${channel}`;
const withdrawnKey = (requestId: string, channel: string) => `directory_offer_withdrawn:${requestId}:${channel}`;

/** The volunteer's own view in the console (わたしへの依頼, web/src/screens/MyHelpRequests.tsx). */
export const volunteerViewUrl = (publicUrl: string) => `${publicUrl.replace(/\/+$/, "")}/help`;

/** Withdrawal reasons the volunteer is told about (see the header); others send nothing. */
const TOLD_WITHDRAWALS = new Set(["another_accepted", "need_resolved", "need_withdrawn"]);

interface Target {
  channel: string; kind: ChannelAddress["kind"]; address: string;
  /** Whom the row is for: the login (`person`), or the volunteer without one (`context`, answered through the offer's link). */
  recipient: { kind: RecipientKind; id: string };
}

interface Reached { volunteer_id: string; person_id: string | null; phone: string | null }

/**
 * Where each volunteer (by volunteer id) is reached: their login's channels,
 * else its e-mail address, else their record's phone by SMS; without a login,
 * their record's phone by SMS (through the offer's link).
 */
async function targetsOf(tx: Db, organisationId: string, volunteers: Reached[]): Promise<Map<string, Target[]>> {
  const personIds = [...new Set(volunteers.map((v) => v.person_id).filter((p): p is string => p !== null))];
  const targets = new Map<string, Target[]>();
  const [people, channels] = personIds.length === 0 ? [[], []] : await Promise.all([
    tx.selectFrom("people").select(["id", "email"]).where("organisation_id", "=", organisationId).where("id", "in", personIds)
      .where("deactivated_at", "is", null).execute(),
    tx.selectFrom("person_channels").select(["id", "person_id", "kind", "address"]).where("organisation_id", "=", organisationId)
      .where("person_id", "in", personIds).orderBy("created_at").orderBy("id").execute(),
  ]);
  const active = new Map(people.map((p) => [p.id, p.email]));
  for (const v of volunteers) {
    if (targets.has(v.volunteer_id)) continue;
    // A volunteer's record may give a landline (the coordinator calls it): only a mobile gets the SMS.
    const phone = v.phone ? parseSmsPhone(v.phone) : undefined;
    if (!v.person_id) {
      targets.set(v.volunteer_id, phone?.ok
        ? [{ channel: "phone", kind: "sms", address: phone.e164, recipient: { kind: "context", id: v.volunteer_id } }] : []);
      continue;
    }
    if (!active.has(v.person_id)) continue;
    const recipient = { kind: "person" as const, id: v.person_id };
    const own = channels.filter((c) => c.person_id === v.person_id)
      .map((c) => ({ channel: c.id, kind: c.kind as ChannelAddress["kind"], address: c.address, recipient }));
    const email = active.get(v.person_id);
    targets.set(v.volunteer_id, own.length ? own
      : email ? [{ channel: "email", kind: "email", address: email, recipient }]
      : phone?.ok ? [{ channel: "phone", kind: "sms", address: phone.e164, recipient }] : []);
  }
  return targets;
}

function rowsFor(
  organisationId: string, target: Target, key: string, words: VolunteerMessageWords, payload: Record<string, unknown>, now: Date,
) {
  return outboxRow({
    organisationId, key, recipient: target.recipient, channels: [{ kind: target.kind, address: target.address }],
    messageKind: "person_message", text: words.text,
    textFor: (channel) => (channel === "sms" ? words.sms : channel === "line" ? words.line : undefined),
    payload: { context: "directory", subject: words.subject, linkLabel: words.linkLabel, channelId: target.channel, ...payload },
    dueAt: now, now,
  });
}

/** The names of the need's kinds of help, in the organisation's taxonomy (a code it does not know is shown as is). */
async function helpNames(tx: Db, organisationId: string): Promise<(codes: string[]) => string[]> {
  const terms = new Map((await organisationTaxonomy(tx, organisationId)).map((t) => [t.code, t.name]));
  return (codes) => codes.map((c) => terms.get(c) ?? c);
}

/**
 * Queues the message of each new request `requestIds` (offered now) to its
 * volunteer, inside the transaction that made the offers. `publicUrl`: where
 * the service answers (the message links to the volunteer's view). Returns the
 * rows written (0 for volunteers without a login or a channel).
 */
export async function tellOffered(tx: Db, organisationId: string, requestIds: string[], publicUrl: string, now: Date): Promise<number> {
  if (requestIds.length === 0) return 0;
  const requests = await tx.selectFrom("directory_volunteer_requests as r")
    .innerJoin("directory_volunteers as v", (j) => j.onRef("v.id", "=", "r.volunteer_id").onRef("v.organisation_id", "=", "r.organisation_id"))
    .innerJoin("directory_needs as n", (j) => j.onRef("n.id", "=", "r.need_id").onRef("n.organisation_id", "=", "r.organisation_id"))
    .select(["r.id", "r.volunteer_id", "r.respond_by", "v.person_id", "v.phone", "v.display_name", "n.taxonomy_codes", "n.wanted_at"])
    .where("r.organisation_id", "=", organisationId).where("r.id", "in", requestIds).where("r.status", "=", "offered").execute();
  const targets = await targetsOf(tx, organisationId, requests);
  if (![...targets.values()].some((t) => t.length > 0)) return 0;
  const [zone, names] = await Promise.all([organisationTimeZone(tx, organisationId), helpNames(tx, organisationId)]);
  const view = volunteerViewUrl(publicUrl);
  const rows = [];
  for (const r of requests) {
    const reached = targets.get(r.volunteer_id) ?? [];
    if (reached.length === 0) continue;
    let url = view;
    if (!r.person_id) {
      // Their own link, made now; none when the request has one (its message was queued with it).
      const token = await makeOfferLink(tx, organisationId, r.id, r.respond_by ?? new Date(now.getTime() + DEFAULT_RESPOND_HOURS * 3_600_000), now);
      if (!token) continue;
      url = offerPageUrl(publicUrl, token);
    }
    const words = offerWords({
      volunteerName: r.display_name, helpKinds: names(r.taxonomy_codes), wantedAt: r.wanted_at, respondBy: r.respond_by, zone, url, viaLink: !r.person_id,
    });
    rows.push(...reached.map((t) => rowsFor(organisationId, t, offerKey(r.id, t.channel), words,
      { topic: "volunteer_offer", requestId: r.id, volunteerId: r.volunteer_id, url }, now)));
  }
  await enqueue(tx, rows);
  return rows.length;
}

/**
 * Queues "no longer needed" to the volunteers of `requestIds` just withdrawn for
 * `reason`, on each channel whose offer message was sent (see the header for
 * which reasons and why). Inside the withdrawing transaction. Returns the rows written.
 */
export async function tellWithdrawn(tx: Db, organisationId: string, requestIds: string[], reason: string, now: Date): Promise<number> {
  if (requestIds.length === 0 || !TOLD_WITHDRAWALS.has(reason)) return 0;
  const requests = await tx.selectFrom("directory_volunteer_requests as r")
    .innerJoin("directory_volunteers as v", (j) => j.onRef("v.id", "=", "r.volunteer_id").onRef("v.organisation_id", "=", "r.organisation_id"))
    .innerJoin("directory_needs as n", (j) => j.onRef("n.id", "=", "r.need_id").onRef("n.organisation_id", "=", "r.organisation_id"))
    .select(["r.id", "r.volunteer_id", "v.person_id", "v.phone", "v.display_name", "n.taxonomy_codes"])
    .where("r.organisation_id", "=", organisationId).where("r.id", "in", requestIds).execute();
  const targets = await targetsOf(tx, organisationId, requests);
  // The offer's keys on the channels the volunteer keeps now; the unique (key, organisation) index finds them.
  const keyed = requests.flatMap((r) => (targets.get(r.volunteer_id) ?? []).map((t) => ({ r, t, key: offerKey(r.id, t.channel) })));
  if (keyed.length === 0) return 0;
  const sent = new Set((await tx.selectFrom("outbox").select("idempotency_key").where("organisation_id", "=", organisationId)
    .where("idempotency_key", "in", keyed.map((k) => k.key)).where("status", "=", "sent").execute()).map((o) => o.idempotency_key));
  const told = keyed.filter((k) => sent.has(k.key));
  if (told.length === 0) return 0;
  const names = await helpNames(tx, organisationId);
  const rows = told.map(({ r, t }) => rowsFor(organisationId, t, withdrawnKey(r.id, t.channel),
    withdrawnWords({ volunteerName: r.display_name, helpKinds: names(r.taxonomy_codes) }),
    { topic: "volunteer_offer_withdrawn", requestId: r.id, volunteerId: r.volunteer_id }, now));
  await enqueue(tx, rows);
  return rows.length;
}

const topicOf = (row: QueuedRow): VolunteerMessageTopic | undefined =>
  row.payload.context === "directory" && (row.payload.topic === "volunteer_offer" || row.payload.topic === "volunteer_offer_withdrawn")
    ? row.payload.topic : undefined;

/**
 * The directory's check of its messages to volunteers when a sender claims them
 * (registered through context.ts): an offer's message is still needed only while
 * the request is offered, before its deadline, to a volunteer on duty and not
 * archived whose login is still the recipient (a link's message: who is still
 * the request's volunteer). A "no longer needed" message is
 * always still needed (the core drops it if the person is gone). Other contexts'
 * person_messages are not judged here. One query per batch.
 */
export const volunteerMessageCause: CauseCheck = {
  name: "directory.volunteer_messages",
  kinds: ["person_message"],
  async gone(tx, rows, now) {
    const offers = rows.filter((r) => topicOf(r) === "volunteer_offer" && typeof r.payload.requestId === "string");
    const gone = new Map<string, CancelReason>();
    if (offers.length === 0) return gone;
    const found = await tx.selectFrom("directory_volunteer_requests as r")
      .innerJoin("directory_volunteers as v", (j) => j.onRef("v.id", "=", "r.volunteer_id").onRef("v.organisation_id", "=", "r.organisation_id"))
      .select(["r.id", "r.organisation_id", "r.volunteer_id", "r.status", "r.respond_by", "v.on_duty", "v.archived_at", "v.person_id"])
      .where("r.id", "in", [...new Set(offers.map((r) => r.payload.requestId as string))]).execute();
    const byId = new Map(found.map((f) => [f.id, f]));
    for (const row of offers) {
      const r = byId.get(row.payload.requestId as string);
      if (!r || r.organisation_id !== row.organisation_id || r.status !== "offered" || (r.respond_by !== null && r.respond_by <= now)) {
        gone.set(row.id, "request_closed");
      } else if (!r.on_duty || r.archived_at !== null) gone.set(row.id, "off_duty");
      else if (row.recipient_kind === "context" ? r.volunteer_id !== row.recipient_id : r.person_id !== row.recipient_id) gone.set(row.id, "recipient_gone");
    }
    return gone;
  },
};
