/**
 * Team alerts reach people, on every database: a team alert fans out to each
 * channel of each on-duty staff member of the team, through the outbox, once
 * (the escalator run twice at once, and again, writes each row once); queued
 * alerts re-check their cause (an acknowledged incident, a person gone off duty
 * sends nothing); a team with nobody on duty is a failed delivery on the
 * incident's timeline and a setup warning.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { escalateDue } from "../../src/engine/escalator.ts";
import { databaseKinds, startTestService, type TestService, TOKYO } from "../support/harness.ts";
import { invitedPerson, type PersonClient } from "../support/people.ts";
import { memberBody, type SandboxMessage, sandbox } from "../support/sandbox.ts";

type Person = { client: PersonClient; id: string };

for (const kind of databaseKinds()) {
  describe(`team alerts reach on-duty people on ${kind}`, () => {
    let service: TestService;
    let sb: ReturnType<typeof sandbox>;
    /** A team without addresses of its own: only its people are told. */
    let nightTeam: string;
    /** A team with staff, none on duty, and without addresses. */
    let emptyTeam: string;
    /** A team with an address of its own and staff, none on duty. */
    let sharedTeam: string;
    let sato: Person;
    let suzuki: Person;
    const members: Record<string, string> = {};
    const channelIds: Record<string, string> = {};

    const incidentOf = async (memberId: string) => {
      const r = await service.api("GET", `/incidents?memberId=${memberId}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.incidents[0];
    };
    const toPerson = (messages: SandboxMessage[], memberId: string) =>
      messages.filter((m) => m.to.kind === "person" && m.payload.memberId === memberId);

    before(async () => {
      service = await startTestService(kind);
      sb = sandbox(service.api);
      const team = async (name: string, channels: unknown[] = []) => {
        const r = await service.api("POST", "/teams", { name, channels });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body.id as string;
      };
      nightTeam = await team("夜間チーム");
      emptyTeam = await team("当番のいないチーム");
      sharedTeam = await team("共有アドレスのチーム", [{ kind: "sandbox", address: "shared-team" }]);
      sato = await invitedPerson(service.api, service.url, { displayName: "佐藤 恵", loginId: "sato", role: "staff", teamIds: [nightTeam] });
      suzuki = await invitedPerson(service.api, service.url, { displayName: "鈴木 誠", loginId: "suzuki", role: "staff", teamIds: [nightTeam] });
      await invitedPerson(service.api, service.url, { displayName: "高橋 勇", loginId: "takahashi", role: "staff", teamIds: [emptyTeam, sharedTeam] });
      for (const [who, channel, name] of [
        [sato, { kind: "email", address: "sato@example.org" }, "sato-email"],
        [sato, { kind: "sms", address: "090-1111-2222" }, "sato-sms"],
        [suzuki, { kind: "email", address: "suzuki@example.org" }, "suzuki-email"],
      ] as const) {
        const r = await who.client.call("POST", "/me/channels", channel);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        channelIds[name] = r.body.id;
      }
      assert.equal((await sato.client.call("PUT", "/me/duty", { onDuty: true })).status, 200);
      // Suzuki stays off duty.
      for (const [name, teamId] of [["night", nightTeam], ["twice", nightTeam], ["acked", nightTeam], ["empty", emptyTeam], ["shared", sharedTeam]]) {
        const r = await service.api("POST", "/members", memberBody({ displayName: `利用者 ${name}`, teamId, contacts: [] }));
        assert.equal(r.status, 201, JSON.stringify(r.body));
        members[name] = r.body.id;
      }
      await sb.delivered();
    });
    after(async () => {
      await service?.close();
    });

    test("the setup checks name the team nobody on duty can be told for, and the team whose staff are all off duty", async () => {
      const checks = (await service.api("GET", "/organisation/setup-checks")).body.checks as { code: string; teamId?: string }[];
      assert.deepEqual(checks.filter((c) => c.teamId).map((c) => [c.code, c.teamId]), [
        ["team_unreachable", emptyTeam],
        ["nobody_on_duty", sharedTeam],
      ], "the night team is reached through Sato; the others are not");
    });

    test("run twice at once and again, the escalator queues each person × channel once; an acknowledged incident's alerts, and those of someone gone off duty, are not sent", async () => {
      // The re-send goes out at 09:00 the next day; the team is told three hours later.
      await sb.clockTo(TOKYO("2027-01-05T11:00:00"));
      const due = TOKYO("2027-01-05T12:00:00");
      const checkin = await service.store.db.selectFrom("checkins").select(["next_action_at"]).where("member_id", "=", members.twice)
        .where("status", "=", "open").where("escalates", "=", true).executeTakeFirstOrThrow();
      assert.equal(checkin.next_action_at?.toISOString(), new Date(due).toISOString());
      // Suzuki is on duty while the alerts are queued, and goes off duty before they are sent.
      assert.equal((await suzuki.client.call("PUT", "/me/duty", { onDuty: true })).status, 200);
      // Two escalators at once (two connections on PostgreSQL), then a third run: the batch is claimed once.
      await Promise.all([escalateDue(service.store.db, new Date(due), 100), escalateDue(service.store.db, new Date(due), 100)]);
      await escalateDue(service.store.db, new Date(due), 100);
      assert.equal((await suzuki.client.call("PUT", "/me/duty", { onDuty: false })).status, 200);

      const rows = await service.store.db.selectFrom("outbox").select(["idempotency_key", "recipient_kind", "recipient_id", "channel_kind", "address", "incident_id"])
        .where("message_kind", "=", "alert").where("recipient_kind", "=", "person").execute();
      const twice = (await incidentOf(members.twice)).id;
      const ofTwice = rows.filter((r) => r.incident_id === twice);
      const expected = [[sato.id, "email", "sato@example.org"], [sato.id, "sms", "+819011112222"], [suzuki.id, "email", "suzuki@example.org"]]
        .sort((a, b) => a.join().localeCompare(b.join()));
      assert.deepEqual(ofTwice.map((r) => [r.recipient_id, r.channel_kind, r.address]).sort((a, b) => a.join().localeCompare(b.join())), expected,
        "each on-duty person on each of their channels, once");
      assert.equal(new Set(rows.map((r) => r.idempotency_key)).size, rows.length);
      const channelOf = (r: { recipient_id: string; channel_kind: string }) =>
        r.recipient_id === suzuki.id ? channelIds["suzuki-email"] : r.channel_kind === "email" ? channelIds["sato-email"] : channelIds["sato-sms"];
      assert.ok(ofTwice.every((r) => r.idempotency_key.endsWith(`:p:${r.recipient_id}:${channelOf(r)}`)), JSON.stringify(ofTwice));

      // The acknowledged incident's queued alerts are not sent.
      const acked = (await incidentOf(members.acked)).id;
      assert.equal((await service.api("POST", `/incidents/${acked}/ack`, {})).status, 200);
      await sb.clockTo(TOKYO("2027-01-05T12:05:00"));
      const delivered = await sb.delivered();
      assert.deepEqual(toPerson(delivered, members.twice).map((m) => [m.to.id, m.channel]).sort(), [[sato.id, "email"], [sato.id, "sms"]],
        "each once; not Suzuki, off duty by then");
      // The batch held every check-in due then: the night team's other member too.
      assert.deepEqual(toPerson(delivered, members.night).map((m) => [m.to.id, m.channel]).sort(), [[sato.id, "email"], [sato.id, "sms"]]);
      const offDuty = await service.store.db.selectFrom("outbox").select(["status", "cancel_reason"]).where("incident_id", "=", twice)
        .where("recipient_id", "=", suzuki.id).execute();
      assert.deepEqual(offDuty.map((r) => [r.status, r.cancel_reason]), [["cancelled", "off_duty"]]);
      assert.deepEqual(toPerson(delivered, members.acked), []);
      const cancelled = await service.store.db.selectFrom("outbox").select(["status", "cancel_reason"]).where("incident_id", "=", acked)
        .where("recipient_kind", "=", "person").execute();
      assert.ok(cancelled.length === 3 && cancelled.every((r) => r.status === "cancelled" && r.cancel_reason === "incident_acknowledged"), JSON.stringify(cancelled));

      // The timeline names who was told, on which channel.
      const timeline = (await incidentOf(members.twice)).timeline as { type: string; recipient?: { kind: string; displayName?: string }; channel?: string }[];
      const told = timeline.filter((e) => e.type === "notified" && e.recipient?.kind === "person").map((e) => [e.recipient?.displayName, e.channel]);
      assert.deepEqual(told.sort((a, b) => a.join().localeCompare(b.join())), [["佐藤 恵", "email"], ["佐藤 恵", "sms"], ["鈴木 誠", "email"]]);
      assert.equal(timeline.filter((e) => e.type === "delivery_failed").length, 0, "somebody on duty was told: nothing failed");
    });

    test("a team with nobody on duty is a failed delivery on the timeline; its own address is still told", async () => {
      const failed = (await service.api("GET", `/deliveries/failed?memberId=${members.empty}`)).body.deliveries as { recipient: { kind: string }; kind: string; code: string }[];
      assert.deepEqual(failed.map((d) => [d.recipient.kind, d.kind, d.code]), [["team", "alert", "nobody_on_duty"]]);
      const empty = await incidentOf(members.empty);
      const failedEvents = (empty.timeline as { type: string; code?: string }[]).filter((e) => e.type === "delivery_failed");
      assert.deepEqual(failedEvents.map((e) => e.code), ["nobody_on_duty"]);

      const shared = await incidentOf(members.shared);
      assert.ok((shared.timeline as { type: string; code?: string }[]).some((e) => e.type === "delivery_failed" && e.code === "nobody_on_duty"));
      const sharedFailed = (await service.api("GET", `/deliveries/failed?memberId=${members.shared}`)).body.deliveries as { code: string }[];
      assert.deepEqual(sharedFailed.map((d) => d.code), ["nobody_on_duty"]);
      const sent = await service.store.db.selectFrom("outbox").select(["status"]).where("incident_id", "=", shared.id)
        .where("recipient_kind", "=", "team").where("channel_kind", "=", "sandbox").execute();
      assert.deepEqual(sent.map((r) => r.status), ["sent"], "the team's shared address was told all the same");
    });

    test("a contact request reaches the on-duty people too", async () => {
      const answered = await service.api("POST", `/members/${members.night}/answers`, { answer: "need_contact" });
      assert.equal(answered.status, 201, JSON.stringify(answered.body));
      const rows = await service.store.db.selectFrom("outbox").select(["recipient_id", "channel_kind"]).where("message_kind", "=", "contact_request")
        .where("recipient_kind", "=", "person").execute();
      assert.deepEqual(rows.map((r) => [r.recipient_id, r.channel_kind]).sort(), [[sato.id, "email"], [sato.id, "sms"]]);
    });

    test("an on-duty person takes the alert on from their SMS link, and is reminded on their first channel", async () => {
      await sb.advance("PT1M");
      const sms = (await sb.delivered()).filter((m) => m.kind === "contact_request" && m.to.kind === "person" && m.to.id === sato.id && m.channel === "sms");
      assert.equal(sms.length, 1);
      const link = sms[0].payload.link;
      assert.equal(typeof link, "string", "the SMS carries a one-tap link");
      const pressed = await fetch(link as string, {
        method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "action=ack",
      });
      assert.equal(pressed.status, 200);
      const incidents = (await service.api("GET", `/incidents?memberId=${members.night}`)).body.incidents as
        { kind: string; status: string; acknowledged: { by: string; via: string } | null; timeline: { type: string }[] }[];
      // One incident per person (issue 13): the request may have joined the member's open incident.
      const requested = incidents.find((i) => i.kind === "contact_requested" || i.timeline.some((e) => e.type === "contact_requested"));
      assert.equal(requested?.status, "acknowledged");
      assert.match(requested?.acknowledged?.by ?? "", /佐藤 恵/);
      assert.equal(requested?.acknowledged?.via, "sms");
      await sb.advance("PT2H5M");
      const reminders = (await sb.delivered()).filter((m) => m.kind === "ack_reminder" && m.to.kind === "person");
      assert.deepEqual(reminders.map((m) => [m.to.id, m.channel]), [[sato.id, "email"]]);
    });

    test("the daily summary of unresolved incidents reaches the on-duty people too", async () => {
      await sb.clockTo(TOKYO("2027-01-06T12:00:00"));
      const summaries = (await sb.delivered()).filter((m) => m.kind === "daily_summary" && m.payload.teamId === nightTeam);
      assert.deepEqual(summaries.map((m) => [m.to.kind, m.to.id, m.channel]).sort((a, b) => a.join().localeCompare(b.join())),
        [["person", sato.id, "email"], ["person", sato.id, "sms"]].sort((a, b) => a.join().localeCompare(b.join())), "once each, on each of Sato's channels");
    });
  });
}
