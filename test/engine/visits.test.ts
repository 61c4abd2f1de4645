/**
 * Visit commands on every database: assigning acknowledges the incident; the
 * holder accepts; a decline offers the visit to the next watcher in staff's
 * order, and nobody left makes it unassigned; 会えた・元気 resolves the incident
 * with visited_fine on the timeline; overdue visits are found by a query on
 * their due time; only the holder acts on a visit.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { openIncident } from "../../src/engine/incident-log.ts";
import { getIncident, resolveIncident } from "../../src/engine/incidents.ts";
import { createMembers } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { invitePerson } from "../../src/engine/people.ts";
import {
  acceptVisit, assignVisit, declineVisit, getVisit, incidentsOfWatcher, listVisits, listWatchers, overdueVisits, recordVisitOutcome, watcherAssigned,
} from "../../src/engine/visits.ts";
import { inTransaction } from "../../src/store/db.ts";
import { sql } from "kysely";
import { addDutyChannel } from "../../src/engine/on-duty.ts";
import { sendReady } from "../../src/engine/sender.ts";
import { ChannelRegistry } from "../../src/engine/channels/registry.ts";
import { SecretBox } from "../../src/store/secrets.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const NOW = new Date("2027-01-04T08:00:00+09:00");
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

for (const kind of databaseKinds()) {
  describe(`visit commands on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    let otherOrganisationId: string;
    const watchers: Record<string, string> = {};
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId } = await createOrganisation(store.db, "visits", NOW));
      ({ organisationId: otherOrganisationId } = await createOrganisation(store.db, "other", NOW));
      const secrets = new SecretBox(randomBytes(32));
      for (const [name, role] of [["民生委員 田中", "watcher"], ["見守り 鈴木", "watcher"], ["見守り 高橋", "watcher"], ["職員 山本", "staff"]] as const) {
        const invited = await invitePerson(store.db, secrets, organisationId, { displayName: name, loginId: name, role }, "test", NOW);
        assert.ok(invited.ok);
        watchers[name] = invited.person.id;
      }
    });
    after(async () => {
      await store?.dispose();
    });

    const incidentFor = async (name = "m") => {
      const [memberId] = await createMembers(store.db, organisationId, [{
        displayName: name, channels: [{ kind: "voice", address: "+81312345678" }], plan: { every: "1d", at: "09:00" }, address: "東京都千代田区1-1",
      }], NOW);
      const id = await inTransaction(store.db, (tx) => openIncident(tx, { organisationId, memberId, checkinId: null, kind: "no_answer", at: NOW }));
      return { memberId, id };
    };
    const staff = { label: "職員 山本" };
    const as = (name: string) => ({ label: name, watcherId: watchers[name] });

    test("the organisation's watchers, by name, only watchers", async () => {
      const list = await listWatchers(store.db, organisationId);
      assert.deepEqual(list.map((w) => w.displayName).sort(), ["民生委員 田中", "見守り 鈴木", "見守り 高橋"].sort());
      assert.ok(list.every((w) => w.active === false && w.openVisits === 0), "invited, nothing held yet");
      assert.deepEqual(await listWatchers(store.db, otherOrganisationId), []);
    });

    test("assign → accept → 会えた・元気: the incident is acknowledged, then resolved visited_fine, each step on the timeline", async () => {
      const { id, memberId } = await incidentFor("佐藤 花子");
      const assigned = await assignVisit(store.db, organisationId, id, { watcherIds: [watchers["民生委員 田中"]], dueAt: later(120), note: "鍵は隣の方" }, staff, later(1));
      assert.ok(assigned.ok);
      let incident = await getIncident(store.db, organisationId, id);
      assert.equal(incident?.incident.status, "acknowledged", "assigning a visit takes the incident on");
      assert.equal(await watcherAssigned(store.db, organisationId, watchers["民生委員 田中"], memberId), true);
      assert.equal(await watcherAssigned(store.db, organisationId, watchers["見守り 鈴木"], memberId), false);

      const again = await assignVisit(store.db, organisationId, id, { watcherIds: [watchers["見守り 鈴木"]], dueAt: later(120) }, staff, later(2));
      assert.equal(again.ok ? "ok" : again.error.code, "visit_open", "one visit to be done at a time");
      const stranger = await acceptVisit(store.db, organisationId, assigned.visitId, as("見守り 鈴木"), later(3));
      assert.equal(stranger.ok ? "ok" : stranger.error.code, "not_your_visit");
      assert.ok((await acceptVisit(store.db, organisationId, assigned.visitId, as("民生委員 田中"), later(3))).ok);
      const twice = await acceptVisit(store.db, organisationId, assigned.visitId, as("民生委員 田中"), later(4));
      assert.equal(twice.ok ? "ok" : twice.error.code, "visit_not_offered");

      const done = await recordVisitOutcome(store.db, organisationId, assigned.visitId, { outcome: "met_fine", note: "お元気でした" }, as("民生委員 田中"), later(60));
      assert.ok(done.ok);
      incident = await getIncident(store.db, organisationId, id);
      assert.equal(incident?.incident.status, "resolved");
      assert.equal(incident?.incident.outcome, "visited_fine");
      assert.deepEqual(incident?.timeline.map((e) => e.type), ["opened", "acknowledged", "visit_assigned", "visit_accepted", "visit_reported", "resolved"]);
      assert.equal(incident?.timeline[4].data.visitOutcome, "met_fine");
      assert.equal(incident?.timeline[5].actor, "民生委員 田中");
      const visit = await getVisit(store.db, organisationId, assigned.visitId, later(60));
      assert.equal(visit?.state, "done");
      assert.equal(visit?.outcome, "met_fine");
      assert.equal(visit?.address, "東京都千代田区1-1");
      assert.equal(visit?.phone, "+81312345678");
      assert.equal(await watcherAssigned(store.db, organisationId, watchers["民生委員 田中"], memberId), false, "a finished visit no longer opens the member");
      assert.deepEqual(await incidentsOfWatcher(store.db, organisationId, watchers["民生委員 田中"]), [id]);
      const closed = await recordVisitOutcome(store.db, organisationId, assigned.visitId, { outcome: "not_home", note: "" }, as("民生委員 田中"), later(61));
      assert.equal(closed.ok ? "ok" : closed.error.code, "visit_closed");
      assert.equal(await getVisit(store.db, otherOrganisationId, assigned.visitId, later(61)), undefined);
    });

    test("a decline offers the visit to the next watcher in staff's order; when everyone declined it is unassigned", async () => {
      const { id } = await incidentFor();
      const order = [watchers["見守り 鈴木"], watchers["民生委員 田中"], watchers["見守り 高橋"]];
      const assigned = await assignVisit(store.db, organisationId, id, { watcherIds: order, dueAt: later(60) }, staff, later(1));
      assert.ok(assigned.ok);
      const holder = async () => (await getVisit(store.db, organisationId, assigned.visitId, later(5)))?.watcher?.displayName;
      assert.equal(await holder(), "見守り 鈴木");
      assert.ok((await declineVisit(store.db, organisationId, assigned.visitId, "入院中です", as("見守り 鈴木"), later(2))).ok);
      assert.equal(await holder(), "民生委員 田中", "the next in staff's order");
      const late = await declineVisit(store.db, organisationId, assigned.visitId, "", as("見守り 鈴木"), later(3));
      assert.equal(late.ok ? "ok" : late.error.code, "not_your_visit", "who declined no longer holds it");
      assert.ok((await declineVisit(store.db, organisationId, assigned.visitId, "", as("民生委員 田中"), later(3))).ok);
      assert.equal(await holder(), "見守り 高橋");
      assert.ok((await declineVisit(store.db, organisationId, assigned.visitId, "", as("見守り 高橋"), later(4))).ok);
      const visit = await getVisit(store.db, organisationId, assigned.visitId, later(5));
      assert.equal(visit?.state, "unassigned");
      assert.equal(visit?.watcher, null);
      assert.ok(visit?.candidates.every((c) => c.declinedAt !== null));
      const incident = await getIncident(store.db, organisationId, id);
      const declines = incident?.timeline.filter((e) => e.type === "visit_declined").map((e) => [(e.data.watcher as { displayName: string }).displayName, (e.data.next as { displayName: string } | null)?.displayName ?? null]);
      assert.deepEqual(declines, [["見守り 鈴木", "民生委員 田中"], ["民生委員 田中", "見守り 高橋"], ["見守り 高橋", null]]);
      assert.equal(incident?.timeline.at(-1)?.type, "visit_unassigned");
      assert.equal(incident?.timeline.find((e) => e.type === "visit_declined")?.data.note, "入院中です");
      // Staff assign it again: one visit to be done at a time, and the unassigned one does not count.
      const reassigned = await assignVisit(store.db, organisationId, id, { watcherIds: [watchers["見守り 高橋"]], dueAt: later(90) }, staff, later(6));
      assert.ok(reassigned.ok);
    });

    test("overdue visits are found by their due time; a resolved incident cancels its visit; 不在 and その他 keep the incident open", async () => {
      const soon = await incidentFor("期限 一郎");
      const far = await incidentFor("期限 二郎");
      const a = await assignVisit(store.db, organisationId, soon.id, { watcherIds: [watchers["見守り 高橋"]], dueAt: later(30) }, staff, NOW);
      const b = await assignVisit(store.db, organisationId, far.id, { watcherIds: [watchers["見守り 高橋"]], dueAt: later(300) }, staff, NOW);
      assert.ok(a.ok && b.ok);
      const overdueIds = async (at: Date) => (await overdueVisits(store.db, organisationId, at)).map((v) => v.id).filter((v) => v === a.visitId || v === b.visitId);
      assert.deepEqual(await overdueIds(later(29)), []);
      assert.deepEqual(await overdueIds(later(30)), [a.visitId], "due now is overdue");
      assert.deepEqual(await overdueIds(later(301)), [a.visitId, b.visitId], "the most overdue first");
      const mine = await listVisits(store.db, organisationId, { watcherId: watchers["見守り 高橋"], state: "active", limit: 50 }, later(31));
      assert.deepEqual(mine.filter((v) => v.id === a.visitId || v.id === b.visitId).map((v) => [v.memberName, v.overdue]), [["期限 一郎", true], ["期限 二郎", false]]);

      const other = await recordVisitOutcome(store.db, organisationId, a.visitId, { outcome: "other", note: " " }, as("見守り 高橋"), later(40));
      assert.equal(other.ok ? "ok" : other.error.code, "note_required");
      assert.ok((await recordVisitOutcome(store.db, organisationId, a.visitId, { outcome: "not_home", note: "新聞がたまっている" }, as("見守り 高橋"), later(40))).ok);
      assert.equal((await getIncident(store.db, organisationId, soon.id))?.incident.status, "acknowledged", "不在 leaves the incident to staff");
      assert.deepEqual(await overdueIds(later(301)), [b.visitId], "a visit with an outcome is no longer overdue");

      assert.ok((await resolveIncident(store.db, organisationId, far.id, "member_answered", "本人から電話", "職員 山本", later(50))).ok);
      assert.equal((await getVisit(store.db, organisationId, b.visitId, later(50)))?.state, "cancelled");
      assert.deepEqual(await overdueIds(later(301)), []);
      assert.ok((await getIncident(store.db, organisationId, far.id))?.timeline.some((e) => e.type === "visit_cancelled"));
    });

    test("only watchers of the organisation can be assigned; a resolved incident takes no visit", async () => {
      const { id } = await incidentFor();
      const notWatcher = await assignVisit(store.db, organisationId, id, { watcherIds: [watchers["見守り 鈴木"], watchers["職員 山本"]], dueAt: later(60) }, staff, NOW);
      assert.deepEqual(notWatcher.ok ? "ok" : notWatcher.error, { code: "unknown_reference", field: "watcherIds.1", message: "no such active watcher in this organisation" });
      assert.equal((await getIncident(store.db, organisationId, id))?.incident.status, "open", "nothing half-written");
      const elsewhere = await assignVisit(store.db, otherOrganisationId, id, { watcherIds: [watchers["見守り 鈴木"]], dueAt: later(60) }, staff, NOW);
      assert.equal(elsewhere.ok ? "ok" : elsewhere.error.code, "not_found");
      await resolveIncident(store.db, organisationId, id, "false_alarm", "", "x", NOW);
      const resolved = await assignVisit(store.db, organisationId, id, { watcherIds: [watchers["見守り 鈴木"]], dueAt: later(60) }, staff, NOW);
      assert.equal(resolved.ok ? "ok" : resolved.error.code, "incident_resolved");
    });

    test("a visit request reaches the watcher on each of their channels; a decline asks the next; a request no longer open is not sent", async () => {
      const tanaka = watchers["民生委員 田中"];
      const suzuki = watchers["見守り 鈴木"];
      const mail = await addDutyChannel(store.db, organisationId, tanaka, { kind: "email", address: "tanaka@example.jp" }, NOW);
      const sms = await addDutyChannel(store.db, organisationId, tanaka, { kind: "sms", address: "+819011112222" }, NOW);
      assert.ok(mail.ok && sms.ok);
      assert.ok((await addDutyChannel(store.db, organisationId, suzuki, { kind: "email", address: "suzuki@example.jp" }, NOW)).ok);
      const { id } = await incidentFor("依頼 花子");
      const assigned = await assignVisit(store.db, organisationId, id, { watcherIds: [tanaka, suzuki], dueAt: later(120) }, staff, NOW);
      assert.ok(assigned.ok);
      const requests = async () => store.db.selectFrom("outbox").select(["recipient_id", "channel_kind", "address", "text", "status", "cancel_reason", "idempotency_key"])
        .where("organisation_id", "=", organisationId).where("message_kind", "=", "visit_offer").where("payload", "@>", sql<never>`${JSON.stringify({ visitId: assigned.visitId })}::jsonb`)
        .orderBy("created_at").orderBy("address").execute();
      const first = await requests();
      assert.deepEqual(first.map((r) => [r.recipient_id, r.channel_kind, r.address]), [[tanaka, "sms", "+819011112222"], [tanaka, "email", "tanaka@example.jp"]].sort((a, b) => a[2] < b[2] ? -1 : 1));
      assert.match(first[0].text, /民生委員 田中さん、依頼 花子さんへの訪問のお願いがあります（1月4日 10:00 まで）/);
      // 田中 declines before the requests go: 鈴木 is asked, and 田中's requests are cancelled when their turn comes.
      assert.ok((await declineVisit(store.db, organisationId, assigned.visitId, "", as("民生委員 田中"), later(1))).ok);
      const afterDecline = await requests();
      assert.deepEqual(afterDecline.filter((r) => r.recipient_id === suzuki).map((r) => r.address), ["suzuki@example.jp"]);
      const sent: string[] = [];
      const channel = { name: "recording", send: async (messages: { address: string }[]) => messages.map((m) => { sent.push(m.address); return { status: "sent" as const }; }) };
      await sendReady(store.db, new ChannelRegistry().register("email", channel).register("sms", channel), later(2), 100, 60_000);
      assert.ok(sent.includes("suzuki@example.jp"));
      assert.ok(!sent.includes("tanaka@example.jp") && !sent.includes("+819011112222"), "the declined request is not sent");
      const tanakas = (await requests()).filter((r) => r.recipient_id === tanaka);
      assert.deepEqual(tanakas.map((r) => [r.status, r.cancel_reason]), [["cancelled", "visit_answered"], ["cancelled", "visit_answered"]]);
      // Each request once: keyed by the visit, the watcher and the channel.
      assert.equal(new Set((await requests()).map((r) => r.idempotency_key)).size, 3);
    });

    test("a watcher without channels is asked on their screen only: nothing is queued", async () => {
      const { id } = await incidentFor("画面 だけ");
      const assigned = await assignVisit(store.db, organisationId, id, { watcherIds: [watchers["見守り 高橋"]], dueAt: later(60) }, staff, NOW);
      assert.ok(assigned.ok);
      const rows = await store.db.selectFrom("outbox").select("id").where("message_kind", "=", "visit_offer")
        .where("recipient_id", "=", watchers["見守り 高橋"]).execute();
      assert.deepEqual(rows, []);
    });
  });
}
