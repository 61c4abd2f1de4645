/**
 * The escalator's decision, called directly on a batch (no database): what a
 * batch of due check-ins turns into — positions, incidents, timeline events and
 * outbox rows — as the policy says, with one open incident per member.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Policy, PolicySet } from "../../src/domain/policy.ts";
import { type DueCheckin, decideEscalations, type EscalationBatch, type MemberRow } from "../../src/engine/escalator.ts";

const T0 = new Date("2027-01-04T00:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const ORG = "00000000-0000-4000-8000-000000000001";
const TEAM = "00000000-0000-4000-8000-0000000000aa";

function member(id: string): MemberRow {
  return {
    id, organisation_id: ORG, team_id: TEAM, display_name: `M-${id.slice(-2)}`,
    channels: [{ kind: "line", address: `U${id}` }, { kind: "sms", address: "+819012345678" }],
    plan: { every: "1d", at: "09:00", timeZone: "Asia/Tokyo", anchorDate: "2027-01-04" }, last_prompted_at: null,
  };
}

function checkin(id: string, memberId: string, over: Partial<DueCheckin> = {}): DueCheckin {
  return {
    id, member_id: memberId, due_at: at(0), asked_at: at(1), step_index: 0, next_action_at: at(60), contact_cursor: 0,
    incident_id: null, ...over,
  };
}

function batch(policy: Policy, due: DueCheckin[], over: Partial<EscalationBatch> = {}): EscalationBatch {
  const members = new Map(due.map((c) => [c.member_id, member(c.member_id)]));
  const set: PolicySet = { standard: policy, phone: policy };
  return {
    due, members, contactsOf: new Map(), groupsOf: new Map(), openIncidents: new Map(), policies: () => set,
    teamChannels: new Map([[TEAM, [{ kind: "email", address: "team@example.org" }]]]), teamDuty: new Map(), ...over,
  };
}

const M1 = "00000000-0000-4000-8000-000000000011";
const M2 = "00000000-0000-4000-8000-000000000012";
const C1 = "00000000-0000-4000-8000-000000000021";
const C2 = "00000000-0000-4000-8000-000000000022";

describe("decideEscalations", () => {
  test("a re-send goes to the member, marks them prompted, and waits for the ask before the next step", () => {
    const policy: Policy = { steps: [{ after: "PT1H", action: "resend" }, { after: "PT30M", action: "notify_team" }] };
    const w = decideEscalations(batch(policy, [checkin("c1", M1)]), at(60));
    assert.equal(w.outbox.length, 1);
    const row = w.outbox[0];
    assert.equal(row.message_kind, "resend");
    assert.equal(row.idempotency_key, "resend:c1:0");
    assert.equal(row.recipient_id, M1);
    assert.equal(row.channel_kind, "line");
    assert.deepEqual(w.prompted.get(M1), at(60));
    assert.deepEqual(w.positions, [{ id: "c1", step: 1, next: null, afterAsked: 30 * 60_000, cursor: 0, incident: null }]);
    assert.deepEqual(w.result, { claimed: 1, resends: 1, alerts: 0, incidentsOpened: 0 });
    assert.equal(w.incidents.length, 0);
  });

  test("a re-send on the next channel picks the member's second address", () => {
    const policy: Policy = { steps: [{ after: "PT1H", action: "resend", channel: "next" }] };
    const w = decideEscalations(batch(policy, [checkin("c1", M1)]), at(60));
    assert.equal(w.outbox[0].channel_kind, "sms");
    assert.equal(w.outbox[0].channel_index, 1);
  });

  test("the first alert opens one incident, with its opened event before the notified one, and counts silence from the ask", () => {
    const policy: Policy = { steps: [{ after: "PT1H", action: "notify_team" }, { after: "PT1H", action: "notify_team" }] };
    const w = decideEscalations(batch(policy, [checkin("c1", M1)]), at(60));
    assert.equal(w.incidents.length, 1);
    const incident = w.incidents[0];
    assert.equal(incident.memberId, M1);
    assert.equal(incident.kind, "no_answer");
    assert.deepEqual(incident.data, { since: at(1) });
    assert.deepEqual(w.events.map((e) => e.type), ["opened", "notified"]);
    assert.ok(w.events.every((e) => e.incident_id === incident.id));
    assert.equal(w.outbox.length, 1);
    assert.equal(w.outbox[0].message_kind, "alert");
    assert.equal(w.outbox[0].incident_id, incident.id);
    assert.equal(w.outbox[0].address, "team@example.org");
    assert.equal(w.outbox[0].idempotency_key, `alert:${incident.id}:c1:0:${TEAM}`);
    assert.deepEqual(w.positions[0], { id: "c1", step: 1, next: at(120), afterAsked: null, cursor: 0, incident: incident.id });
  });

  test("two check-ins of one member in one batch share one incident: the second records no_answer_again", () => {
    const policy: Policy = { steps: [{ after: "PT1H", action: "open_incident" }] };
    const w = decideEscalations(batch(policy, [checkin("c1", M1), checkin("c2", M1, { asked_at: null, due_at: at(5) })]), at(60));
    assert.equal(w.incidents.length, 1);
    assert.equal(w.result.incidentsOpened, 1);
    assert.deepEqual(w.events.map((e) => e.type), ["opened", "no_answer_again"]);
    assert.deepEqual(w.positions.map((p) => p.incident), [w.incidents[0].id, w.incidents[0].id]);
    // The second was never asked: its silence counts from its slot.
    assert.deepEqual(JSON.parse(w.events[1].data as string), { checkinId: "c2", since: at(5).toISOString() });
  });

  test("a member's incident already open is joined, not opened again: the timeline says they missed this one too", () => {
    const policy: Policy = { steps: [{ after: "PT1H", action: "notify_team" }] };
    const w = decideEscalations(batch(policy, [checkin("c1", M1)], { openIncidents: new Map([[M1, "i-open"]]) }), at(60));
    assert.equal(w.incidents.length, 0);
    assert.deepEqual(w.events.map((e) => [e.type, e.incident_id]), [["no_answer_again", "i-open"], ["notified", "i-open"]]);
    assert.equal(w.positions[0].incident, "i-open");
    assert.equal(w.outbox[0].incident_id, "i-open");
  });

  test("a second re-send of the same member within the batch is covered by the first", () => {
    const policy: Policy = { steps: [{ after: "PT1H", action: "resend" }] };
    const w = decideEscalations(batch(policy, [checkin("c1", M1), checkin("c2", M1)]), at(60));
    assert.equal(w.result.resends, 1);
    assert.deepEqual(w.outbox.map((o) => o.idempotency_key), ["resend:c1:0"]);
  });

  test("contacts: only confirmed ones are told once any confirmed; each through their own channel; the cursor moves", () => {
    const policy: Policy = { steps: [{ after: "PT1H", action: "notify_next_contact" }] };
    const contactsOf = new Map([[M1, [
      { id: C1, channels: [{ kind: "sms" as const, address: "+819011112222" }], confirmed_at: null },
      { id: C2, channels: [{ kind: "email" as const, address: "c2@example.org" }], confirmed_at: at(-1000) },
    ]]]);
    const w = decideEscalations(batch(policy, [checkin("c1", M1)], { contactsOf }), at(60));
    assert.deepEqual(w.outbox.map((o) => [o.recipient_id, o.address]), [[C2, "c2@example.org"]]);
    assert.equal(w.positions[0].cursor, 1);
  });

  test("no contact left still opens the incident and records it", () => {
    const policy: Policy = { steps: [{ after: "PT1H", action: "notify_contact", contact: 1 }] };
    const w = decideEscalations(batch(policy, [checkin("c1", M1), checkin("c2", M2)]), at(60));
    assert.equal(w.incidents.length, 2);
    assert.deepEqual(w.events.map((e) => e.type), ["opened", "no_contact_left", "opened", "no_contact_left"]);
    assert.equal(w.outbox.length, 0);
  });

  test("a check-in whose step is not yet due changes nothing but is written back as it was", () => {
    const policy: Policy = { steps: [{ after: "PT1H", action: "notify_team" }] };
    const w = decideEscalations(batch(policy, [checkin("c1", M1, { next_action_at: at(90) })]), at(60));
    assert.equal(w.outbox.length + w.incidents.length + w.events.length, 0);
    assert.deepEqual(w.positions, [{ id: "c1", step: 0, next: at(90), afterAsked: null, cursor: 0, incident: null }]);
  });

  test("a check-in whose member is gone is skipped", () => {
    const policy: Policy = { steps: [{ after: "PT1H", action: "notify_team" }] };
    const b = batch(policy, [checkin("c1", M1)]);
    b.members.clear();
    const w = decideEscalations(b, at(60));
    assert.equal(w.positions.length, 0);
    assert.equal(w.outbox.length, 0);
    assert.equal(w.result.claimed, 1);
  });
});
