import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type EscalationContext,
  type EscalationEffect,
  type EscalationPosition,
  escalate,
  PROMPT_COALESCE_MS,
  promptIsCovered,
  resumeAfterAsked,
  startEscalation,
} from "../../src/domain/escalation.ts";
import { PHONE_POLICY, type Policy, STANDARD_POLICY, type Step } from "../../src/domain/policy.ts";
import { at, HOUR, MINUTE, plusHours } from "./helpers.ts";

/** A daily 09:00 Asia/Tokyo check-in that went unanswered. */
const DUE = at("2027-06-10T00:00Z");
const CONTACTS = ["c1", "c2", "c3"];
const TEAM = "team-1";

const policyOf = (...steps: Step[]): Policy => ({ steps });
const afterDue = (h: number) => plusHours(DUE, h);

function context(overrides: Partial<EscalationContext> = {}): EscalationContext {
  return {
    policy: STANDARD_POLICY,
    contactIds: CONTACTS,
    teamId: TEAM,
    groupIds: [],
    memberLastPromptedAt: DUE,
    hasOpenIncident: false,
    now: DUE,
    ...overrides,
  };
}

/** One readable line per effect: "+27h alert contact:c1 #3" (hours from DUE, step index). */
function show(effect: EscalationEffect): string {
  const offset = `+${(effect.at.getTime() - DUE.getTime()) / HOUR}h`;
  switch (effect.type) {
    case "resend":
      return `${offset} resend ${effect.channel} #${effect.stepIndex}`;
    case "open_incident":
      return `${offset} open_incident`;
    case "alert":
      return `${offset} alert ${effect.recipient.kind}:${effect.recipient.id} #${effect.stepIndex}`;
    case "no_contact_left":
      return `${offset} no_contact_left #${effect.stepIndex}`;
  }
}

/** A position in hours from DUE, for compact comparisons. */
function showPosition(p: EscalationPosition) {
  return {
    stepIndex: p.stepIndex,
    nextActionAt: p.nextActionAt ? `+${(p.nextActionAt.getTime() - DUE.getTime()) / HOUR}h` : null,
    contactCursor: p.contactCursor,
    ...(p.afterAskedMs !== null ? { afterAsked: `${p.afterAskedMs / HOUR}h` } : {}),
  };
}

/** A position to start a worker from, in hours from DUE. */
const positionAt = (stepIndex: number, hours: number, contactCursor = 0): EscalationPosition =>
  ({ stepIndex, nextActionAt: afterDue(hours), contactCursor, afterAskedMs: null });

/** One worker run from the start of the chain, `hours` after the due time. */
function runOnce(hours: number, overrides: Partial<EscalationContext> = {}) {
  const ctx = context({ now: afterDue(hours), ...overrides });
  const result = escalate(startEscalation(ctx.policy, DUE), ctx);
  return { effects: result.effects.map(show), position: showPosition(result.position) };
}

/**
 * A punctual worker: runs exactly at each nextActionAt, carrying the position,
 * the open incident and the last prompt forward as the engine would; a re-send
 * is accepted by the provider at once (the chain resumes from it).
 */
function runPunctually(overrides: Partial<EscalationContext> = {}, untilHours = 500) {
  let ctx = context(overrides);
  let position = startEscalation(ctx.policy, DUE);
  const effects: string[] = [];
  const wakeUps: string[] = [];
  for (let runs = 0; position.nextActionAt && position.nextActionAt.getTime() <= afterDue(untilHours).getTime(); runs++) {
    assert.ok(runs < 100, "the chain never ends");
    wakeUps.push(showPosition(position).nextActionAt as string);
    const result = escalate(position, { ...ctx, now: position.nextActionAt });
    for (const e of result.effects) {
      if (e.type === "open_incident") ctx = { ...ctx, hasOpenIncident: true };
      if (e.type === "resend") ctx = { ...ctx, memberLastPromptedAt: e.at };
    }
    effects.push(...result.effects.map(show));
    position = resumeAfterAsked(result.position, ctx.memberLastPromptedAt as Date);
  }
  return { effects, wakeUps, position: showPosition(position) };
}

const FULL_DEFAULT_CHAIN = [
  "+24h resend same #0",
  "+27h open_incident",
  "+27h alert team:team-1 #2",
  "+27h alert contact:c1 #3",
  "+28h alert contact:c2 #4",
  "+29h alert contact:c3 #4",
];

describe("escalation: startEscalation", () => {
  test("the standard chain starts with the re-send 24 h after the due time", () => {
    assert.deepEqual(showPosition(startEscalation(STANDARD_POLICY, DUE)), {
      stepIndex: 0, nextActionAt: "+24h", contactCursor: 0,
    });
  });

  test("a first step with no delay is due at the check-in's due time", () => {
    const position = startEscalation(policyOf({ after: "PT0S", action: "notify_team" }), DUE);
    assert.equal(position.nextActionAt?.getTime(), DUE.getTime());
  });

  test("an empty policy has nothing to run", () => {
    assert.deepEqual(startEscalation(policyOf(), DUE), { stepIndex: 0, nextActionAt: null, contactCursor: 0, afterAskedMs: null });
  });
});

describe("escalation: promptIsCovered", () => {
  test("the coalescing window is one hour", () => {
    assert.equal(PROMPT_COALESCE_MS, HOUR);
  });

  test("no earlier prompt covers nothing", () => {
    assert.equal(promptIsCovered(null, DUE), false);
  });

  test("a prompt at the same moment covers the re-send", () => {
    assert.equal(promptIsCovered(DUE, DUE), true);
  });

  test("a prompt within the last hour covers the re-send", () => {
    assert.equal(promptIsCovered(new Date(DUE.getTime() - 30 * MINUTE), DUE), true);
    assert.equal(promptIsCovered(new Date(DUE.getTime() - HOUR + 1), DUE), true);
  });

  test("a prompt exactly one hour or longer ago does not cover", () => {
    assert.equal(promptIsCovered(new Date(DUE.getTime() - HOUR), DUE), false);
    assert.equal(promptIsCovered(new Date(DUE.getTime() - 24 * HOUR), DUE), false);
  });

  test("a prompt less than an hour after the re-send's scheduled time covers it (a late worker)", () => {
    assert.equal(promptIsCovered(new Date(DUE.getTime() + 2 * MINUTE), DUE), true);
    assert.equal(promptIsCovered(new Date(DUE.getTime() + HOUR - 1), DUE), true);
  });

  test("a prompt an hour or more after the re-send's scheduled time does not cover it", () => {
    assert.equal(promptIsCovered(new Date(DUE.getTime() + HOUR), DUE), false);
    assert.equal(promptIsCovered(new Date(DUE.getTime() + 3 * HOUR), DUE), false);
  });
});

describe("escalation: the default policy for a daily 09:00 plan", () => {
  test("nothing happens before the re-send is due", () => {
    const result = runOnce(23.99);
    assert.deepEqual(result.effects, []);
    assert.deepEqual(result.position, { stepIndex: 0, nextActionAt: "+24h", contactCursor: 0 });
  });

  test("the re-send goes out at +24 h when only the original prompt was sent", () => {
    const result = runOnce(24, { memberLastPromptedAt: DUE });
    assert.deepEqual(result.effects, ["+24h resend same #0"]);
    // The next step waits for the re-send to be accepted, then runs 3 h after that.
    assert.deepEqual(result.position, { stepIndex: 1, nextActionAt: null, contactCursor: 0, afterAsked: "3h" });
    assert.equal(resumeAfterAsked(escalate(startEscalation(STANDARD_POLICY, DUE), context({ now: afterDue(24) })).position, afterDue(24.5))
      .nextActionAt?.getTime(), afterDue(27.5).getTime());
  });

  test("the next day's prompt at +24 h covers the re-send, and the +27 h clock keeps running", () => {
    const result = runOnce(24, { memberLastPromptedAt: afterDue(24) });
    assert.deepEqual(result.effects, []);
    assert.deepEqual(result.position, { stepIndex: 1, nextActionAt: "+27h", contactCursor: 0 });
  });

  test("at +27 h: open the incident, then alert the team and the first contact", () => {
    const result = runPunctually({}, 27);
    assert.deepEqual(result.effects, FULL_DEFAULT_CHAIN.slice(0, 4));
    assert.deepEqual(result.position, { stepIndex: 4, nextActionAt: "+28h", contactCursor: 1 });
  });

  test("a punctual worker alerts contacts 2 and 3 at +28 h and +29 h, then stops", () => {
    const result = runPunctually();
    assert.deepEqual(result.effects, FULL_DEFAULT_CHAIN);
    assert.deepEqual(result.wakeUps, ["+24h", "+27h", "+28h", "+29h"]);
    assert.deepEqual(result.position, { stepIndex: 5, nextActionAt: null, contactCursor: 3 });
  });

  test("with the next day's prompt, the chain is the same minus the re-send (no slide to +51 h)", () => {
    const result = runPunctually({ memberLastPromptedAt: afterDue(24) });
    assert.deepEqual(result.effects, FULL_DEFAULT_CHAIN.slice(1));
  });

  test("a worker 6 h late (an outage) re-sends now and waits for it to be accepted: nothing else fires", () => {
    const result = runOnce(30);
    assert.deepEqual(result.effects, ["+30h resend same #0"]);
    assert.deepEqual(result.position, { stepIndex: 1, nextActionAt: null, contactCursor: 0, afterAsked: "3h" });
  });

  test("steps overdue by an outage are spaced: each waits its full delay after the one before", () => {
    const late = escalate(positionAt(2, 27), context({ now: afterDue(40), hasOpenIncident: true }));
    // Steps without delay still go together (team and first contact)…
    assert.deepEqual(late.effects.map(show), ["+40h alert team:team-1 #2", "+40h alert contact:c1 #3"]);
    // …and the next contact waits an hour from when they actually went out.
    assert.deepEqual(showPosition(late.position), { stepIndex: 4, nextActionAt: "+41h", contactCursor: 1 });
  });

  test("a late worker mid-chain counts the next step from when it ran", () => {
    const result = escalate(positionAt(4, 28, 1), context({ now: afterDue(28.5), hasOpenIncident: true }));
    assert.deepEqual(result.effects.map(show), ["+28.5h alert contact:c2 #4"]);
    assert.deepEqual(showPosition(result.position), { stepIndex: 4, nextActionAt: "+29.5h", contactCursor: 2 });
  });

  test("a finished chain does nothing however late the worker comes back", () => {
    const done = escalate(startEscalation(STANDARD_POLICY, DUE), context({ now: afterDue(30) })).position;
    const again = escalate(done, context({ now: afterDue(500), hasOpenIncident: true }));
    assert.deepEqual(again.effects, []);
    assert.equal(again.position.nextActionAt, null);
  });

  test("more contacts: one each hour until the list runs out", () => {
    const result = runPunctually({ contactIds: ["c1", "c2", "c3", "c4", "c5"] });
    assert.deepEqual(result.effects.filter((e) => e.includes("contact:")), [
      "+27h alert contact:c1 #3", "+28h alert contact:c2 #4", "+29h alert contact:c3 #4",
      "+30h alert contact:c4 #4", "+31h alert contact:c5 #4",
    ]);
    assert.equal(result.position.nextActionAt, null);
  });

  test("two contacts: the second at +28 h, then the chain stops", () => {
    const result = runPunctually({ contactIds: ["c1", "c2"] });
    assert.deepEqual(result.effects.slice(-2), ["+27h alert contact:c1 #3", "+28h alert contact:c2 #4"]);
    assert.deepEqual(result.position, { stepIndex: 5, nextActionAt: null, contactCursor: 2 });
  });

  test("one contact: no_contact_left at +28 h, then the chain stops", () => {
    const result = runPunctually({ contactIds: ["c1"] });
    assert.deepEqual(result.effects.slice(-2), ["+27h alert contact:c1 #3", "+28h no_contact_left #4"]);
    assert.equal(result.position.nextActionAt, null);
  });

  test("no contacts: the team is still alerted and the lack of contacts is reported", () => {
    const result = runPunctually({ contactIds: [] });
    assert.ok(result.effects.includes("+27h alert team:team-1 #2"));
    assert.ok(result.effects.includes("+27h no_contact_left #3"));
    assert.equal(result.effects.filter((e) => e.includes("contact:")).length, 0);
    assert.equal(result.position.nextActionAt, null);
  });

  test("an incident already open is not opened again; alerts still go out", () => {
    const result = runPunctually({ hasOpenIncident: true });
    assert.deepEqual(result.effects, FULL_DEFAULT_CHAIN.filter((e) => !e.includes("open_incident")));
  });
});

describe("escalation: the phone policy", () => {
  test("calls again at +24 h, opens the incident and alerts at +25 h, next contact at +26 h", () => {
    const result = runPunctually({ policy: PHONE_POLICY });
    assert.deepEqual(result.effects, [
      "+24h resend same #0",
      "+25h open_incident",
      "+25h alert team:team-1 #2",
      "+25h alert contact:c1 #3",
      "+26h alert contact:c2 #4",
      "+27h alert contact:c3 #4",
    ]);
  });
});

describe("escalation: timing of custom policies", () => {
  test("each step counts from the one before (a re-send from when it was accepted)", () => {
    const policy = policyOf(
      { after: "PT1H", action: "resend" },
      { after: "PT2H", action: "notify_team" },
      { after: "PT30M", action: "notify_contact", contact: 1 },
    );
    assert.deepEqual(runPunctually({ policy, memberLastPromptedAt: null }).effects, [
      "+1h resend same #0", "+3h open_incident", "+3h alert team:team-1 #1", "+3.5h alert contact:c1 #2",
    ]);
  });

  test("a worker exactly at a step's time runs it (the boundary is inclusive)", () => {
    const policy = policyOf({ after: "PT2H", action: "notify_team" });
    assert.equal(runOnce(2, { policy }).effects.length, 2);
    assert.equal(runOnce(2 - 1 / 3600_000, { policy }).effects.length, 0);
  });
});

describe("escalation: re-send coalescing", () => {
  const resend = (after = "PT24H", channel?: "same" | "next"): Step => ({ after, action: "resend", channel });

  test("a prompt sent in the last hour covers a re-send, and the chain still moves on", () => {
    const result = runOnce(24, { policy: policyOf(resend(), { after: "PT1H", action: "notify_team" }), memberLastPromptedAt: afterDue(23.5) });
    assert.deepEqual(result.effects, []);
    assert.deepEqual(result.position, { stepIndex: 1, nextActionAt: "+25h", contactCursor: 0 });
  });

  test("a prompt exactly one hour before does not cover the re-send", () => {
    assert.deepEqual(runOnce(24, { policy: policyOf(resend()), memberLastPromptedAt: afterDue(23) }).effects, [
      "+24h resend same #0",
    ]);
  });

  test("with no prompt on record the re-send goes out", () => {
    assert.deepEqual(runOnce(24, { policy: policyOf(resend()), memberLastPromptedAt: null }).effects, [
      "+24h resend same #0",
    ]);
  });

  test("a re-send covers a second re-send 30 minutes later", () => {
    const policy = policyOf(resend("PT24H"), resend("PT30M"));
    assert.deepEqual(runPunctually({ policy }).effects, ["+24h resend same #0"]);
  });

  test("re-sends an hour apart both go out", () => {
    const policy = policyOf(resend("PT24H"), resend("PT1H"));
    assert.deepEqual(runPunctually({ policy }).effects, ["+24h resend same #0", "+25h resend same #1"]);
  });

  test("a re-send on the next channel says so", () => {
    const policy = policyOf(resend("PT24H", "next"));
    assert.deepEqual(runOnce(24, { policy }).effects, ["+24h resend next #0"]);
  });

  // A late escalator: the scheduler sent the next day's prompt at 09:02, the
  // escalator reaches the re-send (scheduled 09:00) at 09:05. The member was
  // prompted three minutes ago; a second message now is a duplicate.
  test("a prompt sent after the re-send's scheduled time but before a late worker runs covers it", () => {
    const result = runOnce(24 + 5 / 60, { memberLastPromptedAt: new Date(afterDue(24).getTime() + 2 * MINUTE) });
    assert.deepEqual(result.effects.filter((e) => e.includes("resend")), []);
  });
});

describe("escalation: alerts and the incident", () => {
  test("an alert opens the incident first if none is open", () => {
    const result = runOnce(1, { policy: policyOf({ after: "PT1H", action: "notify_team" }) });
    assert.deepEqual(result.effects, ["+1h open_incident", "+1h alert team:team-1 #0"]);
  });

  test("the incident is never opened twice in one run", () => {
    const policy = policyOf(
      { after: "PT0S", action: "open_incident" },
      { after: "PT0S", action: "notify_team" },
      { after: "PT0S", action: "open_incident" },
      { after: "PT1H", action: "notify_contact", contact: 1 },
    );
    const result = runPunctually({ policy });
    assert.deepEqual(result.effects, ["+0h open_incident", "+0h alert team:team-1 #1", "+1h alert contact:c1 #3"]);
  });

  test("the incident is never opened twice across runs", () => {
    const policy = policyOf({ after: "PT1H", action: "notify_team" }, { after: "PT1H", action: "open_incident" });
    const result = runPunctually({ policy });
    assert.equal(result.effects.filter((e) => e.includes("open_incident")).length, 1);
  });

  test("an open_incident step does nothing when an incident is already open", () => {
    assert.deepEqual(runOnce(1, { policy: policyOf({ after: "PT1H", action: "open_incident" }), hasOpenIncident: true }).effects, []);
  });

  test("post_to_group alerts every group the member is in, after opening the incident", () => {
    const policy = policyOf({ after: "PT23H", action: "post_to_group" });
    assert.deepEqual(runOnce(23, { policy, groupIds: ["g1", "g2"] }).effects, [
      "+23h open_incident", "+23h alert group:g1 #0", "+23h alert group:g2 #0",
    ]);
  });

  test("post_to_group with an incident already open only alerts", () => {
    const policy = policyOf({ after: "PT23H", action: "post_to_group" });
    assert.deepEqual(runOnce(23, { policy, groupIds: ["g1"], hasOpenIncident: true }).effects, ["+23h alert group:g1 #0"]);
  });

  test("post_to_group for a member in no group alerts nobody and moves on", () => {
    const policy = policyOf({ after: "PT23H", action: "post_to_group" }, { after: "PT1H", action: "notify_team" });
    const result = runOnce(23, { policy, groupIds: [] });
    assert.equal(result.effects.filter((e) => e.includes("alert")).length, 0);
    assert.deepEqual(result.position, { stepIndex: 1, nextActionAt: "+24h", contactCursor: 0 });
  });
});

describe("escalation: contacts", () => {
  test("notify_contact with a missing contact opens the incident and yields no_contact_left", () => {
    const policy = policyOf({ after: "PT1H", action: "notify_contact", contact: 4 });
    const result = runOnce(1, { policy });
    assert.deepEqual(result.effects, ["+1h open_incident", "+1h no_contact_left #0"]);
    assert.equal(result.position.contactCursor, 0);
  });

  test("notify_contact by position alerts that contact and moves the cursor to it", () => {
    const policy = policyOf(
      { after: "PT1H", action: "notify_contact", contact: 2 },
      { after: "PT1H", action: "notify_next_contact" },
    );
    const result = runPunctually({ policy });
    assert.deepEqual(result.effects, ["+1h open_incident", "+1h alert contact:c2 #0", "+2h alert contact:c3 #1"]);
    assert.equal(result.position.contactCursor, 3);
  });

  test("notify_contact never moves the cursor back", () => {
    const policy = policyOf(
      { after: "PT1H", action: "notify_contact", contact: 3 },
      { after: "PT1H", action: "notify_contact", contact: 1 },
    );
    const result = runPunctually({ policy });
    assert.deepEqual(result.effects.slice(1), ["+1h alert contact:c3 #0", "+2h alert contact:c1 #1"]);
    assert.equal(result.position.contactCursor, 3);
  });

  test("notify_next_contact without repeat alerts one contact and moves on", () => {
    const policy = policyOf({ after: "PT1H", action: "notify_next_contact" }, { after: "PT1H", action: "notify_team" });
    assert.deepEqual(runPunctually({ policy }).effects, [
      "+1h open_incident", "+1h alert contact:c1 #0", "+2h alert team:team-1 #1",
    ]);
  });

  test("a repeating notify_next_contact keeps its step index until the list runs out", () => {
    const policy = policyOf({ after: "PT2H", action: "notify_next_contact", repeat: true }, { after: "PT1H", action: "notify_team" });
    const result = runPunctually({ policy });
    assert.deepEqual(result.effects, [
      "+2h open_incident", "+2h alert contact:c1 #0", "+4h alert contact:c2 #0", "+6h alert contact:c3 #0",
      "+7h alert team:team-1 #1",
    ]);
    assert.deepEqual(result.wakeUps, ["+2h", "+4h", "+6h", "+7h"]);
  });

  test("notify_all_contacts alerts every contact at once and exhausts the list", () => {
    const policy = policyOf(
      { after: "PT1H", action: "notify_all_contacts" },
      { after: "PT1H", action: "notify_next_contact" },
    );
    const result = runPunctually({ policy });
    assert.deepEqual(result.effects, [
      "+1h open_incident",
      "+1h alert contact:c1 #0", "+1h alert contact:c2 #0", "+1h alert contact:c3 #0",
      "+2h no_contact_left #1",
    ]);
    assert.equal(result.position.contactCursor, 3);
  });

  // With nobody to tell, the incident still opens so the member's silence is seen.
  test("notify_all_contacts for a member with no contacts opens the incident and yields no_contact_left", () => {
    const policy = policyOf({ after: "PT24H", action: "resend" }, { after: "PT3H", action: "notify_all_contacts" });
    const result = runPunctually({ policy, contactIds: [] });
    assert.deepEqual(result.effects, ["+24h resend same #0", "+27h open_incident", "+27h no_contact_left #1"]);
  });
});

describe("escalation: empty and exhausted policies", () => {
  test("an empty policy escalates nothing, however late", () => {
    const policy = policyOf();
    const result = escalate(startEscalation(policy, DUE), context({ policy, now: afterDue(1000) }));
    assert.deepEqual(result.effects, []);
    assert.equal(result.position.nextActionAt, null);
  });

  test("a position past the end of a (shortened) policy ends the chain without effects", () => {
    const position: EscalationPosition = { stepIndex: 9, nextActionAt: afterDue(27), contactCursor: 1, afterAskedMs: null };
    const result = escalate(position, context({ now: afterDue(30) }));
    assert.deepEqual(result.effects, []);
    assert.equal(result.position.nextActionAt, null);
  });

  test("a position whose chain has run out stays put", () => {
    const position: EscalationPosition = { stepIndex: 5, nextActionAt: null, contactCursor: 3, afterAskedMs: null };
    assert.deepEqual(escalate(position, context({ now: afterDue(100) })), { position, effects: [] });
  });

  test("escalate does not modify the position it is given", () => {
    const position = startEscalation(STANDARD_POLICY, DUE);
    const copy = structuredClone(position);
    escalate(position, context({ now: afterDue(30) }));
    assert.deepEqual(position, copy);
  });
});
