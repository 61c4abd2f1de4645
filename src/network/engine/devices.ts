/**
 * Devices of ICT watching: the registry (register, change, remove, a new token)
 * and events (a state, an availability) from HTTP and MQTT. Every change is one
 * transaction; a refused event changes nothing.
 */
import { createHash, randomBytes } from "node:crypto";
import { sql } from "kysely";
import { recordSignOfLife } from "../../engine/sign-of-life.ts";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import {
  type DeviceEvent, type DeviceKind, type DevicePower, type DeviceState, type DeviceStatus, deviceStatus, type EventRefusal, eventRefusal,
  type InactivityRule, isActivity, ruleCheckAt, silentAt,
} from "../domain/devices.ts";
import "../store/schema.ts";

export interface DeviceInput {
  kind: DeviceKind;
  name: string;
  power: DevicePower;
  /** The MQTT topic name (Zigbee2MQTT friendly name) under the configured base topic; null: HTTP only. */
  topic: string | null;
  /** Whether an activity of this device counts as the member's sign of life for the day's check-in. */
  signOfLife: boolean;
  rules: InactivityRule[];
}

export interface Device {
  id: string;
  memberId: string;
  memberName: string;
  teamId: string;
  kind: DeviceKind;
  name: string;
  power: DevicePower;
  topic: string | null;
  signOfLife: boolean;
  rules: (InactivityRule & { id: string; checkAt: Date | null; firedAt: Date | null })[];
  lastState: DeviceState | null;
  lastEventAt: Date | null;
  lastActivityAt: Date | null;
  lastSeenAt: Date | null;
  availability: "online" | "offline" | null;
  silentSince: Date | null;
  status: DeviceStatus;
  createdAt: Date;
}

export type DeviceError = { error: "member_not_found" } | { error: "not_found" } | { error: "topic_taken" };

const hash = (token: string) => createHash("sha256").update(token).digest("hex");
const newToken = () => `mmd_${randomBytes(32).toString("base64url")}`;

/** The devices of a member, or of every member (of `teamIds` when given), with their rules; oldest first. */
export async function listDevices(db: Db, organisationId: string, filter: { memberId?: string; deviceId?: string; teamIds?: string[] }): Promise<Device[]> {
  let q = db.selectFrom("network_devices as d")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "d.member_id").onRef("m.organisation_id", "=", "d.organisation_id"))
    .selectAll("d").select(["m.display_name", "m.team_id"])
    .where("d.organisation_id", "=", organisationId);
  if (filter.memberId) q = q.where("d.member_id", "=", filter.memberId);
  if (filter.deviceId) q = q.where("d.id", "=", filter.deviceId);
  if (filter.teamIds) q = filter.teamIds.length ? q.where("m.team_id", "in", filter.teamIds) : q.where(sql<boolean>`false`);
  const rows = await q.orderBy("d.created_at").orderBy("d.id").limit(5000).execute();
  if (rows.length === 0) return [];
  const rules = await db.selectFrom("network_device_rules").selectAll()
    .where("organisation_id", "=", organisationId).where("device_id", "in", rows.map((r) => r.id)).orderBy("hours").execute();
  return rows.map((r) => ({
    id: r.id, memberId: r.member_id, memberName: r.display_name, teamId: r.team_id, kind: r.kind, name: r.name, power: r.power, topic: r.topic,
    signOfLife: r.sign_of_life,
    rules: rules.filter((x) => x.device_id === r.id).map((x) => ({
      id: x.id, hours: x.hours, ...(x.below_watts !== null ? { belowWatts: x.below_watts } : {}), checkAt: x.check_at, firedAt: x.fired_at,
    })),
    lastState: r.last_state, lastEventAt: r.last_event_at, lastActivityAt: r.last_activity_at, lastSeenAt: r.last_seen_at,
    availability: r.availability, silentSince: r.silent_since,
    status: deviceStatus({ silentSince: r.silent_since, availability: r.availability }), createdAt: r.created_at,
  }));
}

/**
 * Whether another device already has this MQTT topic name — in any organisation:
 * the instance has one broker and one base topic, so a name is one device's across
 * the instance, and a second organisation taking it would make the first one's
 * events ambiguous (refused). Refusing says only that the name is in use, as a
 * user name would. Unique keys include organisation_id (the schema distributes by
 * it), so concurrent registrations are serialised by a transaction-scoped advisory
 * lock on the name instead of an index.
 */
async function topicTaken(tx: Db, topic: string | null, except?: string): Promise<boolean> {
  if (topic === null) return false;
  await sql`select pg_advisory_xact_lock(hashtext(${`mimamori.network_devices.topic:${topic}`}))`.execute(tx);
  let q = tx.selectFrom("network_devices").select("id").where("topic", "=", topic);
  if (except) q = q.where("id", "<>", except);
  return (await q.executeTakeFirst()) !== undefined;
}

async function writeRules(tx: Db, organisationId: string, deviceId: string, rules: InactivityRule[], since: Date): Promise<void> {
  await tx.deleteFrom("network_device_rules").where("organisation_id", "=", organisationId).where("device_id", "=", deviceId).execute();
  if (rules.length === 0) return;
  await tx.insertInto("network_device_rules").values(rules.map((rule) => ({
    id: newId(), organisation_id: organisationId, device_id: deviceId, hours: rule.hours, below_watts: rule.belowWatts ?? null,
    check_at: ruleCheckAt(rule, since), fired_at: null,
  }))).execute();
}

/**
 * Registers a device for a member. Returns it with its token (shown once; only its
 * hash is kept). Its rules start now; it counts as silent if it never reports
 * within its timeout.
 */
export async function registerDevice(
  db: Db, organisationId: string, memberId: string, input: DeviceInput, actor: string, now: Date,
): Promise<{ device: Device; token: string } | DeviceError> {
  const token = newToken();
  const id = newId();
  const result = await inTransaction(db, async (tx): Promise<DeviceError | undefined> => {
    const member = await tx.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "=", memberId).executeTakeFirst();
    if (!member) return { error: "member_not_found" };
    if (await topicTaken(tx, input.topic)) return { error: "topic_taken" };
    await tx.insertInto("network_devices").values({
      id, organisation_id: organisationId, member_id: memberId, kind: input.kind, name: input.name, power: input.power, topic: input.topic,
      sign_of_life: input.signOfLife, token_hash: hash(token), silent_check_at: silentAt(input.power, now), created_at: now, created_by: actor,
    }).execute();
    await writeRules(tx, organisationId, id, input.rules, now);
    return undefined;
  });
  if (result) return result;
  const [device] = await listDevices(db, organisationId, { deviceId: id });
  return { device, token };
}

/** Changes a device; new rules start from its last activity (or now). */
export async function updateDevice(
  db: Db, organisationId: string, id: string, patch: Partial<DeviceInput>, now: Date,
): Promise<Device | DeviceError> {
  const result = await inTransaction(db, async (tx): Promise<DeviceError | undefined> => {
    const row = await tx.selectFrom("network_devices").select(["id", "power", "last_activity_at", "last_seen_at", "silent_since"])
      .where("organisation_id", "=", organisationId).where("id", "=", id).forUpdate().executeTakeFirst();
    if (!row) return { error: "not_found" };
    if (patch.topic !== undefined && await topicTaken(tx, patch.topic, id)) return { error: "topic_taken" };
    const power = patch.power ?? row.power;
    await tx.updateTable("network_devices").set({
      ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.topic !== undefined ? { topic: patch.topic } : {}),
      ...(patch.signOfLife !== undefined ? { sign_of_life: patch.signOfLife } : {}),
      ...(patch.power !== undefined && !row.silent_since ? { power, silent_check_at: silentAt(power, row.last_seen_at ?? now) } : {}),
    }).where("organisation_id", "=", organisationId).where("id", "=", id).execute();
    if (patch.rules) await writeRules(tx, organisationId, id, patch.rules, row.last_activity_at ?? now);
    return undefined;
  });
  if (result) return result;
  const [device] = await listDevices(db, organisationId, { deviceId: id });
  return device;
}

/** A new token for a device; the old one stops working at once. Undefined when there is no such device. */
export async function rotateDeviceToken(db: Db, organisationId: string, id: string): Promise<string | undefined> {
  const token = newToken();
  const r = await db.updateTable("network_devices").set({ token_hash: hash(token) })
    .where("organisation_id", "=", organisationId).where("id", "=", id).executeTakeFirst();
  return r.numUpdatedRows > 0n ? token : undefined;
}

export async function removeDevice(db: Db, organisationId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom("network_devices").where("organisation_id", "=", organisationId).where("id", "=", id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** The organisation and member a device token belongs to (for the route's audit); undefined when unknown. */
export type EventOutcome =
  | { ok: true; deviceId: string; organisationId: string; activity: boolean }
  | { ok: false; reason: "unknown_device" | "ambiguous_topic" | EventRefusal };

type DeviceKey = { tokenHash: string } | { topic: string };

async function lockDevice(tx: Db, key: DeviceKey) {
  let q = tx.selectFrom("network_devices")
    .select(["id", "organisation_id", "member_id", "kind", "power", "sign_of_life", "last_state", "last_event_at", "last_event_id", "last_activity_at", "silent_since"]);
  q = "tokenHash" in key ? q.where("token_hash", "=", key.tokenHash) : q.where("topic", "=", key.topic);
  return q.limit(2).forUpdate().execute();
}

/** An event over HTTP, from the device's token. */
export function ingestByToken(db: Db, token: string, event: DeviceEvent, now: Date): Promise<EventOutcome> {
  return ingest(db, { tokenHash: hash(token) }, event, now);
}

/** An event over MQTT, from the device's topic name. A name that two organisations use is refused (ambiguous). */
export function ingestByTopic(db: Db, topic: string, event: DeviceEvent, now: Date): Promise<EventOutcome> {
  return ingest(db, { topic }, event, now);
}

async function ingest(db: Db, key: DeviceKey, event: DeviceEvent, now: Date): Promise<EventOutcome> {
  return inTransaction(db, async (tx): Promise<EventOutcome> => {
    const found = await lockDevice(tx, key);
    if (found.length === 0) return { ok: false, reason: "unknown_device" };
    if (found.length > 1) return { ok: false, reason: "ambiguous_topic" };
    const d = found[0];
    const at = event.at ?? now;
    const refused = eventRefusal({ at, eventId: event.eventId, state: event.state }, { at: d.last_event_at, eventId: d.last_event_id, state: d.last_state }, now);
    if (refused) return { ok: false, reason: refused };
    const previous = d.last_state;
    const rules = await tx.selectFrom("network_device_rules").select(["id", "hours", "below_watts", "check_at", "fired_at"])
      .where("organisation_id", "=", d.organisation_id).where("device_id", "=", d.id).forUpdate().execute();
    const threshold = rules.find((r) => r.below_watts !== null)?.below_watts ?? undefined;
    const activity = isActivity(d.kind, event.state, previous, threshold);
    const lastActivity = activity ? at : d.last_activity_at;
    await tx.updateTable("network_devices").set({
      last_state: JSON.stringify({ ...(previous ?? {}), ...event.state }),
      last_event_at: at, last_event_id: event.eventId ?? null, last_seen_at: now, availability: "online",
      silent_since: null, silent_check_at: silentAt(d.power, now),
      ...(activity ? { last_activity_at: at } : {}),
    }).where("organisation_id", "=", d.organisation_id).where("id", "=", d.id).execute();
    for (const rule of rules) {
      const active = isActivity(d.kind, event.state, previous, rule.below_watts ?? undefined);
      const rearm = active || (rule.check_at === null && rule.fired_at === null);
      if (!rearm) continue;
      const since = active ? at : (lastActivity ?? now);
      const checkAt = ruleCheckAt({ hours: rule.hours }, since);
      await tx.updateTable("network_device_rules")
        .set({ check_at: checkAt < now && !active ? now : checkAt, ...(active ? { fired_at: null } : {}) })
        .where("organisation_id", "=", d.organisation_id).where("id", "=", rule.id).execute();
    }
    if (activity && d.sign_of_life) {
      await recordSignOfLife(tx, { organisationId: d.organisation_id, memberId: d.member_id, at, source: "device" });
    }
    return { ok: true, deviceId: d.id, organisationId: d.organisation_id, activity };
  });
}

/**
 * Availability from the retained `<base>/<device>/availability` topic: offline
 * makes the device silent at once (the `device-silent` phase tells the team);
 * online counts as a report.
 */
export async function recordAvailability(db: Db, topic: string, availability: "online" | "offline", now: Date): Promise<EventOutcome> {
  return inTransaction(db, async (tx): Promise<EventOutcome> => {
    const found = await lockDevice(tx, { topic });
    if (found.length === 0) return { ok: false, reason: "unknown_device" };
    if (found.length > 1) return { ok: false, reason: "ambiguous_topic" };
    const d = found[0];
    await tx.updateTable("network_devices").set(availability === "online"
      ? { availability, last_seen_at: now, silent_since: null, silent_check_at: silentAt(d.power, now) }
      : { availability, ...(d.silent_since ? {} : { silent_check_at: now }) })
      .where("organisation_id", "=", d.organisation_id).where("id", "=", d.id).execute();
    return { ok: true, deviceId: d.id, organisationId: d.organisation_id, activity: false };
  });
}
