/**
 * Devices of ICT watching (seed 001: the light bulb, door and fridge-door sensors,
 * power meters): what a device's state message says, whether it shows the member
 * was active, when a device counts as silent, and the inactivity rules. Pure.
 *
 * State messages follow Zigbee2MQTT (one JSON object per device: `{"state":"ON"}`,
 * `{"contact":false}`, `{"occupancy":true}`, `{"power":12.5}`, optionally its
 * `last_seen`); availability follows Zigbee2MQTT and Home Assistant (`online` /
 * `offline`, or `{"state":"online"}`). Timeouts: Zigbee2MQTT marks a mains device
 * offline after 10 min and a battery device after 1,500 min (ANCHORS.md); we use
 * 10 min and 25 h.
 */

export const DEVICE_KINDS = ["light_bulb", "door", "fridge_door", "motion", "power_meter", "smart_speaker", "other"] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const DEVICE_POWER = ["battery", "mains"] as const;
export type DevicePower = (typeof DEVICE_POWER)[number];

/** How long a device may say nothing before it counts as silent, in ms. */
export const SILENT_AFTER_MS: Record<DevicePower, number> = { battery: 25 * 3_600_000, mains: 10 * 60_000 };

/** What the console shows: reporting, said it is offline (not yet marked silent), or silent (the team was told). */
export type DeviceStatus = "online" | "offline" | "silent";

/**
 * An inactivity rule: no sign of the member's activity on this device for `hours`
 * hours raises a concern (the light bulb: 24 h without switching). For a power
 * meter, activity is a reading at or above `belowWatts` (power below it for N h
 * is the rule); for other kinds `belowWatts` is absent.
 */
export interface InactivityRule {
  hours: number;
  belowWatts?: number;
}

export const MAX_RULE_HOURS = 24 * 30;

/** The parts of a state message the rules read; others (battery, linkquality, …) are ignored. */
export interface DeviceState {
  state?: "ON" | "OFF";
  contact?: boolean;
  occupancy?: boolean;
  power?: number;
}

export interface DeviceEvent {
  state: DeviceState;
  /** When the device says it happened (`last_seen`), or undefined (then: when it arrived). */
  at?: Date;
  /** An id the sender gives the event (`event_id`), to refuse a replay. */
  eventId?: string;
}

export type EventProblem = { field: string; message: string };

/**
 * Reads a Zigbee2MQTT-shaped state object. Refused: not an object; none of
 * state/contact/occupancy/power; a field of the wrong type; a `last_seen` that
 * is not an ISO date-time or epoch milliseconds.
 */
export function parseDeviceEvent(body: unknown): { ok: true; event: DeviceEvent } | { ok: false; problem: EventProblem } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, problem: { field: "body", message: "must be a JSON object of the device's state, e.g. {\"contact\":false}" } };
  }
  const b = body as Record<string, unknown>;
  const state: DeviceState = {};
  if (b.state !== undefined) {
    if (b.state !== "ON" && b.state !== "OFF") return { ok: false, problem: { field: "state", message: "must be \"ON\" or \"OFF\"" } };
    state.state = b.state;
  }
  for (const key of ["contact", "occupancy"] as const) {
    if (b[key] === undefined) continue;
    if (typeof b[key] !== "boolean") return { ok: false, problem: { field: key, message: "must be true or false" } };
    state[key] = b[key];
  }
  if (b.power !== undefined) {
    if (typeof b.power !== "number" || !Number.isFinite(b.power) || b.power < 0 || b.power > 1e6) {
      return { ok: false, problem: { field: "power", message: "must be watts, a number from 0 to 1,000,000" } };
    }
    state.power = b.power;
  }
  if (Object.keys(state).length === 0) {
    return { ok: false, problem: { field: "body", message: "names none of state, contact, occupancy, power" } };
  }
  const event: DeviceEvent = { state };
  if (b.last_seen !== undefined) {
    const at = typeof b.last_seen === "number" ? new Date(b.last_seen) : typeof b.last_seen === "string" && /^\d{4}-\d\d-\d\dT/.test(b.last_seen) ? new Date(b.last_seen) : undefined;
    if (!at || Number.isNaN(at.getTime())) return { ok: false, problem: { field: "last_seen", message: "must be an ISO date-time or epoch milliseconds" } };
    event.at = at;
  }
  if (b.event_id !== undefined) {
    if (typeof b.event_id !== "string" || b.event_id.length === 0 || b.event_id.length > 100) {
      return { ok: false, problem: { field: "event_id", message: "must be a string of 1 to 100 characters" } };
    }
    event.eventId = b.event_id;
  }
  return { ok: true, event };
}

/** Availability in Zigbee2MQTT's or Home Assistant's shape: `online`/`offline`, or `{"state":"online"}`; undefined when neither. */
export function parseAvailability(text: string): "online" | "offline" | undefined {
  const t = text.trim();
  if (t === "online" || t === "offline") return t;
  try {
    const v = JSON.parse(t) as unknown;
    if (typeof v === "object" && v !== null && "state" in v && (v.state === "online" || v.state === "offline")) return v.state;
  } catch {
    return undefined;
  }
  return undefined;
}

/** How far ahead of our clock a device's `last_seen` may be (clock skew) before it is refused. */
export const MAX_FUTURE_MS = 5 * 60_000;

export type EventRefusal = "replay" | "future";

/**
 * Whether an event is new: refused when its id is the last one seen, when it is
 * older than the last event, or when it has the last event's time and says
 * nothing the last state did not (the same event again); also when it claims a
 * time too far ahead of ours.
 */
export function eventRefusal(
  event: { at: Date; eventId?: string; state: DeviceState }, last: { at: Date | null; eventId: string | null; state: DeviceState | null }, now: Date,
): EventRefusal | undefined {
  if (event.at.getTime() > now.getTime() + MAX_FUTURE_MS) return "future";
  if (event.eventId !== undefined && event.eventId === last.eventId) return "replay";
  if (!last.at) return undefined;
  if (event.at.getTime() < last.at.getTime()) return "replay";
  const same = (Object.keys(event.state) as (keyof DeviceState)[]).every((k) => last.state?.[k] === event.state[k]);
  if (event.at.getTime() === last.at.getTime() && same) return "replay";
  return undefined;
}

/**
 * Whether a state shows the member doing something (what resets the inactivity
 * rules and can count as the day's sign of life): a light switched (the state
 * differs from the previous one), a door or fridge door opened (`contact:false`),
 * motion seen, power drawn at or above the threshold (default 1 W); for a smart
 * speaker or another device, any state.
 */
export function isActivity(kind: DeviceKind, state: DeviceState, previous: DeviceState | null, belowWatts = 1): boolean {
  switch (kind) {
    case "light_bulb":
      return state.state !== undefined && state.state !== previous?.state;
    case "door":
    case "fridge_door":
      return state.contact === false;
    case "motion":
      return state.occupancy === true;
    case "power_meter":
      return state.power !== undefined && state.power >= belowWatts;
    default:
      return true;
  }
}

/** When a rule fires if nothing happens: `hours` after the last activity (or after the rule started). */
export function ruleCheckAt(rule: InactivityRule, since: Date): Date {
  return new Date(since.getTime() + rule.hours * 3_600_000);
}

/** When a device that last reported at `seen` counts as silent. */
export function silentAt(power: DevicePower, seen: Date): Date {
  return new Date(seen.getTime() + SILENT_AFTER_MS[power]);
}

export function deviceStatus(d: { silentSince: Date | null; availability: string | null }): DeviceStatus {
  if (d.silentSince) return "silent";
  return d.availability === "offline" ? "offline" : "online";
}

/** The rules a new device of `kind` gets when none are given (seed 001's services). */
export function defaultRules(kind: DeviceKind): InactivityRule[] {
  switch (kind) {
    case "light_bulb":
      return [{ hours: 24 }];
    case "fridge_door":
    case "door":
      return [{ hours: 24 }];
    case "power_meter":
      return [{ hours: 12, belowWatts: 5 }];
    default:
      return [];
  }
}

const KIND_JA: Record<DeviceKind, string> = {
  light_bulb: "電球", door: "ドアセンサー", fridge_door: "冷蔵庫ドアセンサー", motion: "人感センサー", power_meter: "電力計",
  smart_speaker: "スマートスピーカー", other: "機器",
};

/**
 * The team's task when a device stops reporting: which member, which device, and
 * that it is the device (battery, network), not the person, that is silent.
 */
export function deviceSilentText(memberName: string, deviceName: string, kind: DeviceKind, offline: boolean): string {
  const why = offline ? "オフラインになりました" : "一定時間、連絡がありません";
  return `【見守り・機器】${memberName}さんの${KIND_JA[kind]}「${deviceName}」が${why}。電池・電源・通信を確認してください。` +
    `本人の異常を示すものではありません(ご家族には知らせていません)。`;
}

/** The concern an inactivity rule raises: what has not happened for how long. */
export function inactivitySummary(deviceName: string, kind: DeviceKind, rule: InactivityRule): string {
  const what = kind === "light_bulb" ? "点灯・消灯がありません" : kind === "door" || kind === "fridge_door" ? "開閉がありません"
    : kind === "power_meter" ? `電力使用が${rule.belowWatts ?? 1}W未満です` : kind === "motion" ? "動きが検知されていません" : "反応がありません";
  return `${KIND_JA[kind]}「${deviceName}」: ${rule.hours}時間、${what}`;
}
