/**
 * Devices of ICT watching (seed 001), on every database, with a real Mosquitto on
 * 127.0.0.1:1883: the registry (staff write, observers read, token shown once);
 * events over HTTP with the device's token and over MQTT published the way
 * Zigbee2MQTT does (JSON state, retained availability); bad payloads, forged
 * tokens, unknown topics and replays change nothing; a device that goes silent is
 * a task for the team, never an alert to the family; a sensor event the member
 * chose to count satisfies the day's check-in (no prompt that day).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import mqtt from "mqtt";
import { markSilentDevices } from "../../src/network/engine/device-phases.ts";
import { databaseKinds, startTestService, type TestService, TOKYO } from "../support/harness.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";

const BROKER = "mqtt://127.0.0.1:1883";

async function sendEvent(service: TestService, token: string, body: unknown) {
  const r = await fetch(`${service.url}/network/devices/events`, {
    method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() as any };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const kind of databaseKinds()) {
  describe(`devices on ${kind}`, () => {
    let service: TestService;
    const base = `mimamori-test-${randomBytes(4).toString("hex")}`;
    let memberId: string;
    let teamId: string;
    before(async () => {
      service = await startTestService(kind, { MIMAMORI_MQTT_URL: BROKER, MIMAMORI_MQTT_BASE_TOPIC: base });
      teamId = (await service.api("GET", "/teams")).body.teams[0].id;
      assert.equal((await service.api("PATCH", `/teams/${teamId}`, { channels: [{ kind: "sandbox", address: "team-desk" }] })).status, 200);
      memberId = (await service.api("POST", "/members", memberBody({ displayName: "機器 花子" }))).body.id;
    });
    after(async () => {
      await service?.close();
    });

    test("staff register a device and see its token once; observers read, cannot write", async () => {
      const r = await service.api("POST", `/members/${memberId}/devices`, { kind: "fridge_door", name: "台所の冷蔵庫", topic: "hanako-fridge" });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.match(r.body.token, /^mmd_/);
      assert.deepEqual(r.body.rules.map((x: { hours: number }) => x.hours), [24]);
      assert.equal(r.body.power, "battery");
      const listed = await service.api("GET", `/members/${memberId}/devices`);
      assert.equal(listed.body.devices.length, 1);
      assert.equal(listed.body.devices[0].token, undefined);
      const stored = await service.store.db.selectFrom("network_devices").select("token_hash").executeTakeFirstOrThrow();
      assert.notEqual(stored.token_hash, r.body.token);
      const observer = (await service.api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token;
      assert.equal((await service.api("GET", "/network/devices", undefined, observer)).status, 200);
      assert.equal((await service.api("POST", `/members/${memberId}/devices`, { kind: "door", name: "玄関" }, observer)).status, 403);
      const taken = await service.api("POST", `/members/${memberId}/devices`, { kind: "door", name: "玄関", topic: "hanako-fridge" });
      assert.equal(taken.status, 409);
      assert.equal(taken.body.error.code, "device_topic_taken");
      const bad = await service.api("POST", `/members/${memberId}/devices`, { kind: "toaster", name: "x" });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, "kind");
    });

    test("events over HTTP: accepted with the token; bad payloads, forged tokens and replays change nothing", async () => {
      const created = await service.api("POST", `/members/${memberId}/devices`, { kind: "door", name: "玄関ドア", power: "mains" });
      const token = created.body.token as string;
      const at = new Date(Date.parse((await service.api("GET", "/sandbox/clock")).body.now) - 60_000).toISOString();
      const ok = await sendEvent(service, token, { contact: false, battery: 90, last_seen: at, event_id: "e1" });
      assert.equal(ok.status, 202, JSON.stringify(ok.body));
      assert.equal(ok.body.activity, true);
      const snapshot = async () => JSON.stringify((await service.api("GET", `/members/${memberId}/devices`)).body.devices.find((d: { id: string }) => d.id === created.body.id));
      const before = await snapshot();
      const refusals: [string, unknown, number, string][] = [
        [token, { contact: false, last_seen: at }, 409, "device_event_refused"], // same time again
        [token, { contact: true, event_id: "e1" }, 409, "device_event_refused"], // same id again
        [token, { contact: true, last_seen: new Date(Date.parse(at) - 60_000).toISOString() }, 409, "device_event_refused"], // older
        [token, { contact: "open" }, 400, "invalid_request"],
        [token, { battery: 50 }, 400, "invalid_request"],
        [token, [1, 2], 400, "invalid_request"],
        [token, { power: -3 }, 400, "invalid_request"],
        [`mmd_${randomBytes(32).toString("base64url")}`, { contact: false }, 401, "unauthorized"],
        [service.token, { contact: false }, 401, "unauthorized"],
      ];
      for (const [t, body, status, code] of refusals) {
        const r = await sendEvent(service, t, body);
        assert.equal(r.status, status, JSON.stringify([body, r.body]));
        assert.equal(r.body.error.code, code);
      }
      assert.equal(await snapshot(), before, "a refused event changed nothing");
      // A new token: the old one stops working.
      const rotated = await service.api("POST", `/network/devices/${created.body.id}/token`);
      assert.equal(rotated.status, 200);
      assert.equal((await sendEvent(service, token, { contact: true })).status, 401);
      assert.equal((await sendEvent(service, rotated.body.token, { contact: true })).status, 202);
    });

    test("events over MQTT as Zigbee2MQTT publishes them; unknown topics and bad payloads are counted, not applied", async () => {
      const created = await service.api("POST", `/members/${memberId}/devices`, { kind: "light_bulb", name: "居間の電球", power: "mains", topic: "living/bulb" });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const client = await mqtt.connectAsync(BROKER);
      try {
        await client.publishAsync(`${base}/living/bulb/availability`, JSON.stringify({ state: "online" }), { retain: true, qos: 1 });
        await client.publishAsync(`${base}/living/bulb`, JSON.stringify({ state: "ON", brightness: 200, linkquality: 80 }), { qos: 1 });
        const device = await until("the bulb's state", async () => {
          const d = (await service.api("GET", `/members/${memberId}/devices`)).body.devices.find((x: { id: string }) => x.id === created.body.id);
          return d.lastState?.state === "ON" ? d : undefined;
        });
        assert.equal(device.availability, "online");
        assert.equal(device.status, "online");
        assert.notEqual(device.lastActivityAt, null);
        const counts = service.network.mqtt?.counts;
        assert.ok(counts);
        const accepted = counts.accepted;
        await client.publishAsync(`${base}/living/bulb`, "not json", { qos: 1 });
        await client.publishAsync(`${base}/living/bulb`, JSON.stringify({ state: "BLUE" }), { qos: 1 });
        await client.publishAsync(`${base}/nobody/sensor`, JSON.stringify({ contact: false }), { qos: 1 });
        await client.publishAsync(`${base}/living/bulb`, JSON.stringify({ state: "OFF", last_seen: "2020-01-01T00:00:00Z" }), { qos: 1 });
        await until("the refusals counted", async () => ((counts.refused.bad_payload ?? 0) >= 2 && (counts.refused.unknown_device ?? 0) >= 1 && (counts.refused.replay ?? 0) >= 1 ? true : undefined));
        assert.equal(counts.accepted, accepted);
        const after = (await service.api("GET", `/members/${memberId}/devices`)).body.devices.find((x: { id: string }) => x.id === created.body.id);
        assert.equal(after.lastState.state, "ON");
        // Retained offline: the device is silent; the team is told, not the family.
        await client.publishAsync(`${base}/living/bulb/availability`, "offline", { retain: true, qos: 1 });
        await until("offline", async () => ((await service.api("GET", "/network/devices?status=offline")).body.devices.some((d: { id: string }) => d.id === created.body.id) || (await service.api("GET", "/network/devices?status=silent")).body.devices.some((d: { id: string }) => d.id === created.body.id) ? true : undefined));
      } finally {
        await client.publishAsync(`${base}/living/bulb/availability`, "", { retain: true, qos: 1 });
        await client.endAsync();
      }
    });

    test("another organisation cannot take a topic name in use on the broker, so it never makes this one's events ambiguous", async () => {
      const created = await service.api("POST", `/members/${memberId}/devices`, { kind: "door", name: "勝手口", power: "mains", topic: "adoor" });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const other = (await service.api("POST", "/organisations", { name: "隣の町" })).body.adminToken as string;
      const theirMember = (await service.api("POST", "/members", memberBody(), other)).body.id as string;
      const refused = await service.api("POST", `/members/${theirMember}/devices`, { kind: "door", name: "玄関", topic: "adoor" }, other);
      assert.deepEqual([refused.status, refused.body.error.code, refused.body.error.field], [409, "device_topic_taken", "topic"]);
      assert.doesNotMatch(JSON.stringify(refused.body), /勝手口|機器|organisation/i, "the refusal says only that the name is in use");
      const theirs = await service.api("POST", `/members/${theirMember}/devices`, { kind: "door", name: "玄関", topic: "bdoor" }, other);
      assert.equal(theirs.status, 201);
      const renamed = await service.api("PATCH", `/network/devices/${theirs.body.id}`, { topic: "adoor" }, other);
      assert.deepEqual([renamed.status, renamed.body.error?.code], [409, "device_topic_taken"]);
      const client = await mqtt.connectAsync(BROKER);
      try {
        await client.publishAsync(`${base}/adoor`, JSON.stringify({ contact: false }), { qos: 1 });
        await until("the door's event", async () => {
          const d = (await service.api("GET", `/members/${memberId}/devices`)).body.devices.find((x: { id: string }) => x.id === created.body.id);
          return d.lastActivityAt ? d : undefined;
        });
        assert.equal(service.network.mqtt?.counts.refused.ambiguous_topic ?? 0, 0);
      } finally {
        await client.endAsync();
      }
    });

    test("a device that goes silent is a task for the team, never an alert to the family; it clears when the device reports", async () => {
      const box = sandbox(service.api);
      const other = (await service.api("POST", "/members", memberBody({ displayName: "静か 一郎", plan: { every: "30d", at: "09:00" } }))).body.id;
      const created = await service.api("POST", `/members/${other}/devices`, { kind: "motion", name: "寝室センサー", power: "battery", rules: [] });
      await box.delivered();
      await box.advance("PT26H");
      const messages = await box.delivered();
      const silent = messages.filter((m) => m.kind === "device_silent" && m.payload.deviceId === created.body.id);
      assert.equal(silent.length, 1, JSON.stringify(messages.map((m) => [m.kind, m.to])));
      assert.equal(silent[0].to.kind, "team");
      assert.match(silent[0].text, /寝室センサー/);
      assert.ok(!messages.some((m) => m.to.kind === "contact" && m.payload.memberId === other), "no contact hears of a silent device");
      const incidents = await service.store.db.selectFrom("incidents").select("id").where("member_id", "=", other).execute();
      assert.deepEqual(incidents, []);
      const listed = (await service.api("GET", "/network/devices")).body.devices.find((d: { id: string }) => d.id === created.body.id);
      assert.equal(listed.status, "silent");
      assert.equal((await sendEvent(service, created.body.token, { occupancy: true })).status, 202);
      const back = (await service.api("GET", "/network/devices")).body.devices.find((d: { id: string }) => d.id === created.body.id);
      assert.equal(back.status, "online");
      assert.equal(back.silentSince, null);
    });

    test("a member who moves to another team while a device is silent: the new team is told once, the old team not again", async () => {
      const box = sandbox(service.api);
      const member = (await service.api("POST", "/members", memberBody({ displayName: "転居 花子", plan: { every: "30d", at: "09:00" } }))).body;
      const device = (await service.api("POST", `/members/${member.id}/devices`, { kind: "door", name: "玄関センサー", power: "battery", rules: [] })).body;
      const north = await service.api("POST", "/teams", { name: "北地区", channels: [{ kind: "sandbox", address: "team-north" }] });
      assert.equal(north.status, 201, JSON.stringify(north.body));
      await box.delivered();
      await box.advance("PT26H");
      const tasks = (messages: Awaited<ReturnType<typeof box.delivered>>) =>
        messages.filter((m) => m.kind === "device_silent" && m.payload.deviceId === device.id).map((m) => [m.to.kind, m.payload.teamId]);
      assert.deepEqual(tasks(await box.delivered()), [["team", member.teamId]]);
      // A turn with nobody moved tells nobody again.
      await box.advance("PT1H");
      assert.deepEqual(tasks(await box.delivered()), []);
      const moved = await service.api("PATCH", `/members/${member.id}`, { teamId: north.body.id });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      await box.advance("PT1M");
      assert.deepEqual(tasks(await box.delivered()), [["team", north.body.id]], "the new team is told; the old one is not told again");
      await box.advance("PT2H");
      assert.deepEqual(tasks(await box.delivered()), [], "once");
      // Once the device reports, a later move tells nobody.
      assert.equal((await sendEvent(service, device.token, { contact: false })).status, 202);
      assert.equal((await service.api("PATCH", `/members/${member.id}`, { teamId: member.teamId })).status, 200);
      await box.advance("PT1M");
      assert.deepEqual(tasks(await box.delivered()), []);
    });

    test("a silent device's queued task re-checks its cause when its turn comes: a device that reported, or was removed, is not reported to the team", async () => {
      const box = sandbox(service.api);
      const member = (await service.api("POST", "/members", memberBody({ displayName: "待機 三郎", plan: { every: "30d", at: "09:00" } }))).body.id;
      const add = async (name: string) => (await service.api("POST", `/members/${member}/devices`, { kind: "motion", name, power: "battery", rules: [] })).body;
      const [back, removed, still] = [await add("居間センサー"), await add("玄関センサー"), await add("寝室センサー")];
      const { silent_check_at: due } = await service.store.db.selectFrom("network_devices").select("silent_check_at").where("id", "=", back.id).executeTakeFirstOrThrow();
      assert.ok(due);
      await box.clockTo(new Date(due.getTime() - 3_600_000).toISOString());
      await box.delivered();
      // The phase runs at the deadline and queues the tasks, due then; before their turn comes, one device reports and another is removed.
      await markSilentDevices(service.store.db, due, 100);
      const queued = await service.store.db.selectFrom("outbox").select(["payload", "status"]).where("message_kind", "=", "device_silent").where("status", "=", "pending").execute();
      for (const d of [back, removed, still]) assert.ok(queued.some((r) => r.payload.deviceId === d.id), `${d.name} queued`);
      assert.equal((await sendEvent(service, back.token, { occupancy: true })).status, 202);
      assert.equal((await service.api("DELETE", `/network/devices/${removed.id}`)).status, 204);
      await box.clockTo(new Date(due.getTime() + 300_000).toISOString());
      const sent = (await box.delivered()).filter((m) => m.kind === "device_silent" && m.payload.memberId === member).map((m) => m.payload.deviceId);
      assert.deepEqual([...new Set(sent)], [still.id], "only the device still silent");
      const rows = await service.store.db.selectFrom("outbox").select(["payload", "status", "cancel_reason"]).where("message_kind", "=", "device_silent").execute();
      const reasons = (id: string) => [...new Set(rows.filter((r) => r.payload.deviceId === id).map((r) => `${r.status}:${r.cancel_reason}`))];
      assert.deepEqual(reasons(back.id), ["cancelled:device_reported"]);
      assert.deepEqual(reasons(removed.id), ["cancelled:device_removed"]);
      assert.deepEqual(reasons(still.id), ["sent:null"]);
    });

    test("a fridge not opened for the rule's hours raises one concern incident with the policy's alerts; a silent device's rule raises none", async () => {
      const box = sandbox(service.api);
      const fridgeMember = (await service.api("POST", "/members", memberBody({ displayName: "冷蔵庫 まつ", plan: { every: "30d", at: "09:00" } }))).body.id;
      const fridge = await service.api("POST", `/members/${fridgeMember}/devices`, { kind: "fridge_door", name: "冷蔵庫", rules: [{ hours: 6 }] });
      const dead = await service.api("POST", `/members/${fridgeMember}/devices`, { kind: "door", name: "玄関(未接続)", rules: [{ hours: 2 }] });
      assert.equal(dead.status, 201);
      assert.equal((await sendEvent(service, fridge.body.token, { contact: false })).status, 202, "opened now");
      await box.delivered();
      await box.advance("PT3H");
      assert.equal((await sendEvent(service, fridge.body.token, { contact: true, battery: 80 })).status, 202, "a report, not an opening");
      await box.advance("PT4H");
      const messages = await box.delivered();
      const incidents = await service.store.db.selectFrom("incidents").select(["id", "kind"]).where("member_id", "=", fridgeMember).execute();
      assert.equal(incidents.length, 1, JSON.stringify(incidents));
      assert.equal(incidents[0].kind, "concern");
      const opened = await service.store.db.selectFrom("incident_events").select("data").where("incident_id", "=", incidents[0].id).where("type", "=", "opened").executeTakeFirstOrThrow();
      const data = opened.data as { source: string; data: { deviceId: string } };
      assert.equal(data.source, "device_inactive");
      assert.equal(data.data.deviceId, fridge.body.id, "the fridge raised it, not the device that never reported");
      const alerts = messages.filter((m) => m.kind === "alert" && m.payload.incidentId === incidents[0].id);
      assert.ok(alerts.some((m) => m.to.kind === "team"), JSON.stringify(messages.map((m) => [m.kind, m.to.kind])));
      // Fired once: nothing more until the fridge is opened again.
      await box.advance("PT12H");
      assert.equal((await service.store.db.selectFrom("incident_events").select("id").where("incident_id", "=", incidents[0].id)
        .where("type", "in", ["opened", "concern_joined"]).execute()).length, 1);
      const rule = (await service.api("GET", `/members/${fridgeMember}/devices`)).body.devices.find((d: { id: string }) => d.id === fridge.body.id).rules[0];
      assert.equal(rule.checkAt, null);
      assert.notEqual(rule.firedAt, null);
      assert.equal((await sendEvent(service, fridge.body.token, { contact: false })).status, 202);
      const rearmed = (await service.api("GET", `/members/${fridgeMember}/devices`)).body.devices.find((d: { id: string }) => d.id === fridge.body.id).rules[0];
      assert.equal(rearmed.firedAt, null);
      assert.notEqual(rearmed.checkAt, null);
    });

    test("a sensor event the member chose to count satisfies the day's check-in: no prompt that day", async () => {
      const box = sandbox(service.api);
      const now = Date.parse((await service.api("GET", "/sandbox/clock")).body.now);
      // The next 09:00 in Tokyo at least two hours ahead: both members' first check-in.
      let nineTomorrow = TOKYO(`${new Date(now + 9 * 3_600_000).toISOString().slice(0, 10)}T09:00:00`);
      if (Date.parse(nineTomorrow) - 2 * 3_600_000 <= now) nineTomorrow = new Date(Date.parse(nineTomorrow) + 86_400_000).toISOString();
      const counted = (await service.api("POST", "/members", memberBody({ displayName: "冷蔵庫 よし子" }))).body.id;
      const asked = (await service.api("POST", "/members", memberBody({ displayName: "比較 たろう" }))).body.id;
      const fridge = await service.api("POST", `/members/${counted}/devices`, { kind: "fridge_door", name: "冷蔵庫", signOfLife: true });
      const unCounted = await service.api("POST", `/members/${asked}/devices`, { kind: "fridge_door", name: "冷蔵庫", signOfLife: false });
      await box.clockTo(new Date(Date.parse(nineTomorrow) - 2 * 3_600_000).toISOString());
      await box.delivered();
      assert.equal((await sendEvent(service, fridge.body.token, { contact: false })).status, 202);
      assert.equal((await sendEvent(service, unCounted.body.token, { contact: false })).status, 202);
      await box.clockTo(new Date(Date.parse(nineTomorrow) + 60_000).toISOString());
      const prompts = (await box.delivered()).filter((m) => m.kind === "prompt");
      assert.ok(!prompts.some((m) => m.to.id === counted), "the member whose fridge counted is not asked");
      assert.ok(prompts.some((m) => m.to.id === asked), "the member whose device does not count is asked");
      const history = (await service.api("GET", `/members/${counted}/history`)).body;
      const day = history.checkins.find((c: { dueAt: string }) => c.dueAt === new Date(nineTomorrow).toISOString());
      assert.ok(day, JSON.stringify(history.checkins));
      assert.equal(day.status, "answered");
      assert.equal(day.closedReason, "activity");
      assert.equal(day.prompted, false);
    });
  });
}
