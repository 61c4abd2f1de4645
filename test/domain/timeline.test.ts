import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PHONE_POLICY, type Policy, STANDARD_POLICY } from "../../src/domain/policy.ts";
import type { Plan } from "../../src/domain/schedule.ts";
import { MAX_ENTRIES, policyTimeline, type TimelineEntry } from "../../src/domain/timeline.ts";
import { at } from "./helpers.ts";

const plan: Plan = { every: "1d", at: "09:00", timeZone: "Asia/Tokyo", anchorDate: "2027-06-10" };
const first = at("2027-06-10T00:00Z");
const hours = (e: TimelineEntry) => (e.at.getTime() - first.getTime()) / 3_600_000;
const show = (entries: TimelineEntry[]) =>
  entries.map((e) => `+${hours(e)}h ${e.kind}${e.contact ? e.contact : ""}${e.call ? `#${e.call}` : ""}`);

describe("timeline: what a policy does to a silent sample member", () => {
  test("standard on LINE: prompt, re-send covering the next day's prompt, incident, team and contacts", () => {
    const t = policyTimeline(STANDARD_POLICY, { plan, firstDueAt: first, channel: "line", contacts: 2 });
    assert.deepEqual(show(t.entries), [
      "+0h prompt", "+24h resend", "+27h incident", "+27h alert_team", "+27h alert_contact1", "+28h alert_contact2",
    ]);
    assert.equal(t.truncated, false);
    // Acknowledged as it opens: reminder after 2 h, back to open after 6 h (the defaults).
    assert.deepEqual(t.acknowledgement && [hours({ at: t.acknowledgement.remindAt, kind: "prompt" }),
      hours({ at: t.acknowledgement.timeoutAt, kind: "prompt" })], [29, 33]);
  });

  test("phone: every call nobody answers is placed again per callRetries", () => {
    const policy: Policy = { ...PHONE_POLICY, callRetries: { attempts: 1, interval: "PT30M" } };
    const t = policyTimeline(policy, { plan, firstDueAt: first, channel: "voice", contacts: 1 });
    assert.deepEqual(show(t.entries), [
      "+0h prompt", "+0.5h call_retry#2", "+24h resend", "+24.5h call_retry#2", "+25h incident", "+25h alert_team", "+25h alert_contact1", "+26h no_contact_left",
    ]);
  });

  test("no contacts: the incident still opens and says nobody is left", () => {
    const t = policyTimeline(STANDARD_POLICY, { plan, firstDueAt: first, channel: "email", contacts: 0 });
    assert.deepEqual(show(t.entries).slice(2), ["+27h incident", "+27h alert_team", "+27h no_contact_left", "+28h no_contact_left"]);
  });

  test("a short re-send loop keeps prompting the later days, folded, and is cut at MAX_ENTRIES", () => {
    const policy: Policy = {
      steps: [{ after: "PT1H", action: "resend" }, ...Array.from({ length: 49 }, () => ({ after: "PT2H", action: "resend" as const }))],
    };
    // On the phone each ask is three calls (two retries by default): far more than the listing holds.
    const t = policyTimeline(policy, { plan, firstDueAt: first, channel: "voice", contacts: 1 });
    assert.equal(t.entries.length, MAX_ENTRIES);
    assert.equal(t.truncated, true);
    assert.equal(t.acknowledgement, null, "no incident in this policy");
    // The next day's 09:00 prompt (an hour after the 08:00 re-send, so not covered) goes out, folded into the chain.
    assert.ok(t.entries.some((e) => e.kind === "prompt" && hours(e) === 24));
  });
});
