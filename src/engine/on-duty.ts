/**
 * Team alerts reach people (issue 11): staff register their own channels
 * (e-mail, SMS, phone, LINE) and mark themselves on duty; an alert to a team
 * goes to the team's own addresses, if it has any, and to every channel of
 * every on-duty staff member (or admin) of the team, each its own outbox row.
 *
 * Rules:
 * - Who is on duty for a team: people of the team (person_teams) whose role is
 *   `staff` or `admin`, who accepted their invitation, are not deactivated and
 *   marked themselves (or were marked by an admin) on duty.
 * - Each row's idempotency key is the team alert's key (its cause: the incident,
 *   the check-in, the step) followed by `:p:<person>:<channel>`: a batch run twice,
 *   or in two processes, writes every row once.
 * - Queued rows re-check their cause when sent (domain/causes.ts): an incident
 *   taken on or resolved cancels them, and so does the person going off duty, or
 *   the channel being removed, before the row's turn.
 * - A team that reaches nobody through its people — staff of the team, none of
 *   them on duty with a channel — is a failed delivery (`nobody_on_duty`, on the
 *   incident's timeline and in GET /deliveries/failed) and a setup warning; a
 *   team without people and without addresses stays `no_address` as before.
 *   The team's own addresses, when it has some, are still told.
 * - A channel is not confirmed before use; its owner can send themselves a test
 *   message through the outbox (`channel_test`) and see whether it went.
 * - Watchers keep channels too, never on duty: a visit request reaches them there
 *   (engine/visits.ts).
 */
import { sql } from "kysely";
import { channelTestText } from "../domain/messages.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress } from "../store/schema.ts";
import { type IncidentEventRow, incidentEvent } from "./incident-log.ts";
import { enqueue, type OutboxMessage, type OutboxRow, outboxRow } from "./outbox.ts";

/** The kinds of address a person may register for team alerts. */
export const DUTY_CHANNEL_KINDS = ["email", "sms", "voice", "line"] as const;
export type DutyChannelKind = (typeof DUTY_CHANNEL_KINDS)[number];
/** Roles that receive team alerts (and may go on duty). */
export const DUTY_ROLES = ["staff", "admin"] as const;
/** Roles that keep channels: those on duty, and watchers, whom visit requests reach there (engine/visits.ts). */
export const CHANNEL_ROLES = ["staff", "admin", "watcher"] as const;
/** A person holds at most this many alert channels. */
export const MAX_DUTY_CHANNELS = 10;

export interface DutyChannel {
  id: string;
  kind: DutyChannelKind;
  /** E.164 for sms and voice, the mailbox for email, the LINE user id for line. */
  address: string;
  createdAt: string;
  /** The latest test message: queued (pending), sent (a provider accepted it), failed or cancelled; null when none was asked for. */
  lastTest: { at: string; status: string; error: string | null } | null;
}

/** A person's duty: whether they are on duty, for which teams, and where alerts reach them. */
export interface Duty {
  personId: string;
  displayName: string;
  onDuty: boolean;
  teamIds: string[];
  channels: DutyChannel[];
}

export type DutyError =
  | { code: "not_found"; field: string; message: string }
  | { code: "not_on_duty_role"; field: string; message: string }
  | { code: "channel_taken"; field: string; message: string }
  | { code: "too_many_channels"; field: string; message: string };

type Result<T> = { ok: true; value: T } | { ok: false; error: DutyError };

const notFound = (field: string, what: string): { ok: false; error: DutyError } =>
  ({ ok: false, error: { code: "not_found", field, message: `no such ${what}` } });

async function personRow(db: Db, organisationId: string, personId: string) {
  return db.selectFrom("people").select(["id", "display_name", "role", "on_duty", "deactivated_at"])
    .where("organisation_id", "=", organisationId).where("id", "=", personId).executeTakeFirst();
}

const dutyRole = (role: string) => (DUTY_ROLES as readonly string[]).includes(role);
const channelRole = (role: string) => (CHANNEL_ROLES as readonly string[]).includes(role);
const notChannelRole: { ok: false; error: DutyError } = {
  ok: false, error: { code: "not_on_duty_role", field: "role", message: "auditors keep no channels: nothing is sent to them" },
};
const notDutyRole: { ok: false; error: DutyError } = {
  ok: false, error: { code: "not_on_duty_role", field: "role", message: "only staff and admins receive team alerts (watchers and auditors do not)" },
};

/** A person's duty, or undefined when no such person is in the organisation. */
export async function getDuty(db: Db, organisationId: string, personId: string): Promise<Duty | undefined> {
  const person = await personRow(db, organisationId, personId);
  if (!person) return undefined;
  const teams = await db.selectFrom("person_teams").select("team_id").where("organisation_id", "=", organisationId)
    .where("person_id", "=", personId).orderBy("team_id").execute();
  const channels = await db.selectFrom("person_channels").select(["id", "kind", "address", "created_at"])
    .where("organisation_id", "=", organisationId).where("person_id", "=", personId).orderBy("created_at").orderBy("id").execute();
  // The latest test of each channel, from the outbox (its fail-over suffixes never apply: one channel per row).
  const tests = channels.length ? (await sql<{ channel_id: string; created_at: Date; status: string; last_error: string | null }>`
    select distinct on (payload->>'channelId') payload->>'channelId' as channel_id, created_at, status, last_error
    from outbox where organisation_id = ${organisationId} and message_kind = 'channel_test' and recipient_kind = 'person'
      and recipient_id = ${personId}
    order by payload->>'channelId', created_at desc, id desc`.execute(db)).rows : [];
  const testOf = new Map(tests.map((t) => [t.channel_id, t]));
  return {
    personId: person.id, displayName: person.display_name, onDuty: person.on_duty && dutyRole(person.role), teamIds: teams.map((t) => t.team_id),
    channels: channels.map((c) => {
      const test = testOf.get(c.id);
      return {
        id: c.id, kind: c.kind as DutyChannelKind, address: c.address, createdAt: c.created_at.toISOString(),
        lastTest: test ? { at: test.created_at.toISOString(), status: test.status, error: test.last_error } : null,
      };
    }),
  };
}

/** On or off duty. Errors: `not_found`, `not_on_duty_role` (going on duty as a watcher or auditor). */
export async function setOnDuty(db: Db, organisationId: string, personId: string, onDuty: boolean): Promise<Result<Duty>> {
  const person = await personRow(db, organisationId, personId);
  if (!person) return notFound("id", "person");
  if (onDuty && !dutyRole(person.role)) return notDutyRole;
  await db.updateTable("people").set({ on_duty: onDuty }).where("organisation_id", "=", organisationId).where("id", "=", personId).execute();
  return { ok: true, value: (await getDuty(db, organisationId, personId)) as Duty };
}

/**
 * Registers a channel (the address already validated and normalised: E.164 for
 * phones). Errors: `not_found`, `not_on_duty_role`, `channel_taken` (the person
 * has it already), `too_many_channels`.
 */
export async function addDutyChannel(
  db: Db, organisationId: string, personId: string, channel: { kind: DutyChannelKind; address: string }, now: Date,
): Promise<Result<DutyChannel>> {
  return inTransaction(db, async (tx) => {
    const person = await tx.selectFrom("people").select(["id", "role"]).where("organisation_id", "=", organisationId).where("id", "=", personId)
      .forUpdate().executeTakeFirst();
    if (!person) return notFound("id", "person");
    if (!channelRole(person.role)) return notChannelRole;
    const existing = await tx.selectFrom("person_channels").select(["kind", "address"]).where("organisation_id", "=", organisationId)
      .where("person_id", "=", personId).execute();
    if (existing.some((c) => c.kind === channel.kind && c.address === channel.address)) {
      return { ok: false, error: { code: "channel_taken", field: "address", message: "this channel is registered already" } };
    }
    if (existing.length >= MAX_DUTY_CHANNELS) {
      return { ok: false, error: { code: "too_many_channels", field: "kind", message: `a person holds at most ${MAX_DUTY_CHANNELS} alert channels` } };
    }
    const id = newId();
    await tx.insertInto("person_channels").values({
      id, organisation_id: organisationId, person_id: personId, kind: channel.kind, address: channel.address, created_at: now,
    }).execute();
    return { ok: true, value: { id, kind: channel.kind, address: channel.address, createdAt: now.toISOString(), lastTest: null } };
  });
}

/** Removes one of the person's channels; false when they have no such channel. Queued alerts to it are cancelled when their turn comes. */
export async function removeDutyChannel(db: Db, organisationId: string, personId: string, channelId: string): Promise<boolean> {
  const result = await db.deleteFrom("person_channels").where("organisation_id", "=", organisationId).where("person_id", "=", personId)
    .where("id", "=", channelId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Queues a test message to one of the person's channels through the outbox,
 * keyed by the channel and the engine's instant (`queuedAt`: the sandbox's
 * virtual time there). Errors: `not_found` (the channel).
 */
export async function sendChannelTest(
  db: Db, organisationId: string, personId: string, channelId: string, queuedAt: Date,
): Promise<Result<{ queuedAt: string }>> {
  const channel = await db.selectFrom("person_channels").innerJoin("people", (j) =>
    j.onRef("people.id", "=", "person_channels.person_id").onRef("people.organisation_id", "=", "person_channels.organisation_id"))
    .innerJoin("organisations", "organisations.id", "people.organisation_id")
    .select(["person_channels.id", "person_channels.kind", "person_channels.address", "people.display_name", "organisations.name"])
    .where("person_channels.organisation_id", "=", organisationId).where("person_channels.person_id", "=", personId)
    .where("person_channels.id", "=", channelId).executeTakeFirst();
  if (!channel) return notFound("channelId", "channel");
  await inTransaction(db, async (tx) => {
    await enqueue(tx, [outboxRow({
      organisationId, key: `channel_test:${channelId}:${queuedAt.toISOString()}`, recipient: { kind: "person", id: personId },
      channels: [{ kind: channel.kind, address: channel.address } as ChannelAddress], messageKind: "channel_test",
      text: channelTestText(channel.display_name, channel.name), payload: { channelId }, dueAt: queuedAt, now: queuedAt,
    })]);
  });
  return { ok: true, value: { queuedAt: queuedAt.toISOString() } };
}

/** An on-duty person of a team and the channels an alert reaches them on. */
export interface OnDutyPerson {
  personId: string;
  displayName: string;
  channels: { id: string; kind: string; address: string }[];
}

/** Who a team alert reaches besides the team's own addresses. */
export interface TeamDuty {
  /** Staff and admins of the team who can sign in (on duty or not). */
  staff: number;
  /** Those on duty, by name, with their channels (none: the alert cannot reach them). */
  onDuty: OnDutyPerson[];
}

const NO_DUTY: TeamDuty = { staff: 0, onDuty: [] };

/** Each team's staff count and on-duty people with their channels: one query for any number of teams. */
export async function loadTeamDuty(tx: Db, teamIds: string[]): Promise<Map<string, TeamDuty>> {
  const byTeam = new Map<string, TeamDuty>(teamIds.map((id) => [id, { staff: 0, onDuty: [] }]));
  if (teamIds.length === 0) return byTeam;
  const rows = await tx.selectFrom("person_teams as pt")
    .innerJoin("people as p", (j) => j.onRef("p.id", "=", "pt.person_id").onRef("p.organisation_id", "=", "pt.organisation_id"))
    .leftJoin("person_channels as c", (j) => j.onRef("c.person_id", "=", "p.id").onRef("c.organisation_id", "=", "p.organisation_id").on("p.on_duty", "=", true))
    .select(["pt.team_id", "p.id as person_id", "p.display_name", "p.on_duty", "c.id as channel_id", "c.kind", "c.address"])
    .where("pt.team_id", "in", teamIds).where("p.role", "in", [...DUTY_ROLES]).where("p.deactivated_at", "is", null).where("p.accepted_at", "is not", null)
    .orderBy("pt.team_id").orderBy("p.display_name").orderBy("p.id").orderBy("c.created_at").orderBy("c.id").execute();
  const seen = new Set<string>();
  for (const r of rows) {
    const team = byTeam.get(r.team_id) as TeamDuty;
    const key = `${r.team_id}|${r.person_id}`;
    if (!seen.has(key)) {
      seen.add(key);
      team.staff++;
    }
    if (!r.on_duty) continue;
    let person = team.onDuty.at(-1);
    if (person?.personId !== r.person_id) {
      person = { personId: r.person_id, displayName: r.display_name, channels: [] };
      team.onDuty.push(person);
    }
    if (r.channel_id) person.channels.push({ id: r.channel_id, kind: r.kind as string, address: r.address as string });
  }
  return byTeam;
}

/** A team alert before its recipients are known: the message, its cause's key, and the incident it is about. */
export type TeamAlert = Omit<OutboxMessage, "recipient" | "channels" | "channelIndex" | "key" | "incidentId"> & {
  /** The key of the alert to the team as a whole (its cause); each person's row extends it. */
  key: string;
  teamId: string;
  /**
   * The incident it is about: its timeline records who was told, and nobody on duty is a
   * failed delivery on it. Without one (a daily summary, a notice), people are told and nothing is recorded.
   */
  incidentId?: string;
};

/**
 * The rows and timeline events of one alert to a team: to the team's own
 * addresses when it has some, and to each channel of each on-duty person. With
 * nobody on duty, a row to the console that fails as `nobody_on_duty` (when the
 * team has staff, none reachable) or `no_address` (no staff, no address): a
 * failed delivery on the timeline, which moves the escalation on when nobody
 * else was told. Every row carries `fanout` (the team alert's key) so a failure
 * knows whether someone else of the same alert was reached.
 */
export function teamAlertRows(alert: TeamAlert, teamChannels: ChannelAddress[], duty: TeamDuty = NO_DUTY): { rows: OutboxRow[]; events: IncidentEventRow[] } {
  const { key, teamId, incidentId, ...message } = alert;
  const payload = { ...message.payload, fanout: key, teamId };
  const rows: OutboxRow[] = [];
  const events: IncidentEventRow[] = [];
  const notified = (row: OutboxRow, recipient: Record<string, unknown>) => {
    if (incidentId) events.push(incidentEvent(alert.organisationId, incidentId, alert.dueAt, "notified", { recipient, channel: row.channel_kind }));
  };
  if (teamChannels.length) {
    const row = outboxRow({ ...message, key, recipient: { kind: "team", id: teamId }, channels: teamChannels, payload, incidentId });
    rows.push(row);
    notified(row, { kind: "team", id: teamId });
  }
  for (const person of duty.onDuty) {
    for (const channel of person.channels) {
      const row = outboxRow({
        ...message, key: `${key}:p:${person.personId}:${channel.id}`, recipient: { kind: "person", id: person.personId },
        channels: [{ kind: channel.kind, address: channel.address } as ChannelAddress],
        payload: { ...payload, onDuty: true, channelId: channel.id, personName: person.displayName }, incidentId,
      });
      rows.push(row);
      notified(row, { kind: "person", id: person.personId, displayName: person.displayName, teamId });
    }
  }
  // Without an incident (a summary, a notice) nobody on duty is no delivery to record: the team's address, if any, was told.
  if (incidentId && !rows.some((r) => r.recipient_kind === "person") && (duty.staff > 0 || teamChannels.length === 0)) {
    // Nobody on duty: a failed delivery, recorded the way every other one is (the sender fails it at once).
    const row = outboxRow({
      ...message, key: teamChannels.length ? `${key}:nobody_on_duty` : key, recipient: { kind: "team", id: teamId }, channels: [],
      payload: { ...payload, ...(duty.staff > 0 ? { nobodyOnDuty: true } : {}) }, incidentId,
    });
    rows.push(row);
    notified(row, { kind: "team", id: teamId });
  } else if (!incidentId && rows.length === 0) {
    // Nobody to tell at all: a failed delivery all the same (the console channel fails it, as for any team without an address).
    rows.push(outboxRow({ ...message, key, recipient: { kind: "team", id: teamId }, channels: [], payload }));
  }
  return { rows, events };
}

/** Per team of the organisation: staff, and who is on duty (names only) — for the People screen. */
export async function onDutyByTeam(db: Db, organisationId: string): Promise<{ teamId: string; staff: number; onDuty: { personId: string; displayName: string; channels: number }[] }[]> {
  const teams = await db.selectFrom("teams").select("id").where("organisation_id", "=", organisationId).orderBy("created_at").orderBy("id").execute();
  const duty = await loadTeamDuty(db, teams.map((t) => t.id));
  return teams.map((t) => {
    const d = duty.get(t.id) ?? NO_DUTY;
    return { teamId: t.id, staff: d.staff, onDuty: d.onDuty.map((p) => ({ personId: p.personId, displayName: p.displayName, channels: p.channels.length })) };
  });
}

/** A person's alert channels, oldest first (the first is where a single message, such as a reminder, goes). */
export async function dutyChannelsOf(tx: Db, personId: string): Promise<ChannelAddress[]> {
  const rows = await tx.selectFrom("person_channels").select(["kind", "address"]).where("person_id", "=", personId)
    .orderBy("created_at").orderBy("id").execute();
  return rows.map((r) => ({ kind: r.kind, address: r.address }) as ChannelAddress);
}
