/**
 * Pure rules of devices (src/network/domain/devices.ts) and of the sign of life
 * (src/domain/sign-of-life.ts): reading Zigbee2MQTT states and availability,
 * refusing replays, what counts as activity, when a device is silent.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { satisfiedBySignOfLife } from "../../src/domain/sign-of-life.ts";
import {
  deviceSilentText, eventRefusal, isActivity, parseAvailability, parseDeviceEvent, silentAt,
} from "../../src/network/domain/devices.ts";

test("a Zigbee2MQTT state is read; anything else is refused naming the field", () => {
  assert.deepEqual(parseDeviceEvent({ contact: false, battery: 97, linkquality: 120 }), { ok: true, event: { state: { contact: false } } });
  const timed = parseDeviceEvent({ state: "ON", last_seen: "2027-01-04T09:00:00+09:00", event_id: "a1" });
  assert.ok(timed.ok);
  assert.equal(timed.event.at?.toISOString(), "2027-01-04T00:00:00.000Z");
  assert.equal(timed.event.eventId, "a1");
  assert.equal((parseDeviceEvent({ power: 12.5, last_seen: 1_800_000_000_000 }) as { ok: true; event: { at: Date } }).event.at.getTime(), 1_800_000_000_000);
  for (const [body, field] of [
    [null, "body"], [[], "body"], ["ON", "body"], [{}, "body"], [{ battery: 3 }, "body"], [{ state: "on" }, "state"],
    [{ contact: "false" }, "contact"], [{ occupancy: 1 }, "occupancy"], [{ power: Number.NaN }, "power"], [{ power: -1 }, "power"],
    [{ state: "ON", last_seen: "yesterday" }, "last_seen"], [{ state: "ON", event_id: "" }, "event_id"],
  ] as const) {
    const r = parseDeviceEvent(body);
    assert.equal(r.ok, false, JSON.stringify(body));
    if (!r.ok) assert.equal(r.problem.field, field, JSON.stringify(body));
  }
});

test("availability in Zigbee2MQTT's and Home Assistant's shapes", () => {
  assert.equal(parseAvailability("online"), "online");
  assert.equal(parseAvailability(" offline\n"), "offline");
  assert.equal(parseAvailability('{"state":"offline"}'), "offline");
  assert.equal(parseAvailability("true"), undefined);
  assert.equal(parseAvailability('{"state":"gone"}'), undefined);
  assert.equal(parseAvailability(""), undefined);
});

test("a replay (same id; same time and state; older) and a time far ahead are refused", () => {
  const now = new Date("2027-01-04T00:00:00Z");
  const last = { at: new Date("2027-01-03T23:50:00Z"), eventId: "x", state: { contact: false } };
  const at = (iso: string) => new Date(iso);
  assert.equal(eventRefusal({ at: at("2027-01-03T23:55:00Z"), eventId: "y", state: { contact: true } }, last, now), undefined);
  assert.equal(eventRefusal({ at: at("2027-01-03T23:55:00Z"), eventId: "x", state: { contact: true } }, last, now), "replay");
  assert.equal(eventRefusal({ at: last.at, state: { contact: false } }, last, now), "replay", "the same state at the same time");
  assert.equal(eventRefusal({ at: last.at, state: { contact: true } }, last, now), undefined, "a new state in the same millisecond");
  assert.equal(eventRefusal({ at: at("2027-01-03T23:00:00Z"), state: { contact: true } }, last, now), "replay", "older than the last");
  assert.equal(eventRefusal({ at: at("2027-01-04T00:06:00Z"), state: { contact: true } }, last, now), "future");
  assert.equal(eventRefusal({ at: now, state: { contact: true } }, { at: null, eventId: null, state: null }, now), undefined);
});

test("what counts as activity per kind of device", () => {
  assert.equal(isActivity("light_bulb", { state: "ON" }, { state: "OFF" }), true);
  assert.equal(isActivity("light_bulb", { state: "ON" }, { state: "ON" }), false, "a repeated state is not a switch");
  assert.equal(isActivity("light_bulb", { state: "ON" }, null), true);
  assert.equal(isActivity("fridge_door", { contact: false }, null), true);
  assert.equal(isActivity("fridge_door", { contact: true }, null), false, "closing reports, opening is the activity");
  assert.equal(isActivity("door", { contact: false }, { contact: true }), true);
  assert.equal(isActivity("motion", { occupancy: false }, null), false);
  assert.equal(isActivity("motion", { occupancy: true }, null), true);
  assert.equal(isActivity("power_meter", { power: 3 }, null, 5), false);
  assert.equal(isActivity("power_meter", { power: 5 }, null, 5), true);
  assert.equal(isActivity("smart_speaker", { state: "OFF" }, null), true);
});

test("silence after 10 minutes on mains and 25 hours on battery; its message is for staff and says it is the device", () => {
  const seen = new Date("2027-01-04T00:00:00Z");
  assert.equal(silentAt("mains", seen).toISOString(), "2027-01-04T00:10:00.000Z");
  assert.equal(silentAt("battery", seen).toISOString(), "2027-01-05T01:00:00.000Z");
  assert.match(deviceSilentText("山田花子", "冷蔵庫", "fridge_door", true), /山田花子.*冷蔵庫.*オフライン.*本人の異常を示すものではありません/);
});

test("a sign of life within the day before a check-in's due time satisfies it, and only then", () => {
  const due = new Date("2027-01-05T00:00:00Z");
  assert.equal(satisfiedBySignOfLife(null, due, due), false);
  assert.equal(satisfiedBySignOfLife(new Date("2027-01-04T23:00:00Z"), due, due), true);
  assert.equal(satisfiedBySignOfLife(new Date("2027-01-04T00:00:01Z"), due, due), true);
  assert.equal(satisfiedBySignOfLife(new Date("2027-01-04T00:00:00Z"), due, due), false, "a day old is too old");
  assert.equal(satisfiedBySignOfLife(new Date("2027-01-05T00:00:30Z"), due, new Date("2027-01-05T00:01:00Z")), true, "between due and now counts");
  assert.equal(satisfiedBySignOfLife(new Date("2027-01-05T00:02:00Z"), due, new Date("2027-01-05T00:01:00Z")), false, "not after now");
});
