import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ACTIONS,
  checkPolicy,
  DEFAULT_POLICIES,
  effectivePolicies,
  PHONE_POLICY,
  type Policy,
  STANDARD_POLICY,
  type Step,
  stepDelay,
} from "../../src/domain/policy.ts";
import { DAY, HOUR } from "./helpers.ts";

const policyOf = (...steps: Step[]): Policy => ({ steps });
const teamFirst = policyOf({ after: "PT1H", action: "notify_team" });
const resendOnly = policyOf({ after: "PT12H", action: "resend" });
const groupPost = policyOf({ after: "PT23H", action: "post_to_group" });
const empty = policyOf();

describe("policy: the built-in defaults", () => {
  test("every action of the engine is listed", () => {
    assert.deepEqual([...ACTIONS], [
      "resend", "open_incident", "notify_team", "notify_contact",
      "notify_next_contact", "notify_all_contacts", "post_to_group",
    ]);
  });

  test("the standard policy re-sends after 24 h, then alerts team and first contact 3 h later", () => {
    assert.deepEqual(STANDARD_POLICY.steps.map((s) => [stepDelay(s) / HOUR, s.action]), [
      [24, "resend"], [3, "open_incident"], [0, "notify_team"], [0, "notify_contact"], [1, "notify_next_contact"],
    ]);
    assert.equal(STANDARD_POLICY.steps[3].contact, 1);
    assert.equal(STANDARD_POLICY.steps[4].repeat, true);
  });

  test("the phone policy calls again the next day and opens the incident an hour later", () => {
    assert.deepEqual(PHONE_POLICY.steps.map((s) => [stepDelay(s) / HOUR, s.action]), [
      [24, "resend"], [1, "open_incident"], [0, "notify_team"], [0, "notify_contact"], [1, "notify_next_contact"],
    ]);
  });

  test("DEFAULT_POLICIES pairs the standard and phone policies", () => {
    assert.equal(DEFAULT_POLICIES.standard, STANDARD_POLICY);
    assert.equal(DEFAULT_POLICIES.phone, PHONE_POLICY);
  });

  test("the built-in policies pass their own validation", () => {
    assert.equal(checkPolicy(STANDARD_POLICY), undefined);
    assert.equal(checkPolicy(PHONE_POLICY), undefined);
  });
});

describe("policy: stepDelay", () => {
  test("converts the step's ISO duration to milliseconds", () => {
    assert.equal(stepDelay({ after: "PT3H", action: "notify_team" }), 3 * HOUR);
    assert.equal(stepDelay({ after: "P1D", action: "resend" }), DAY);
    assert.equal(stepDelay({ after: "PT0S", action: "notify_team" }), 0);
  });

  test("an unparseable delay counts as zero", () => {
    assert.equal(stepDelay({ after: "soon", action: "notify_team" }), 0);
  });
});

describe("policy: checkPolicy", () => {
  test("an empty policy is valid (nothing happens after a missed check-in)", () => {
    assert.equal(checkPolicy(empty), undefined);
  });

  test("every action is accepted with valid fields", () => {
    const all = policyOf(
      { after: "PT24H", action: "resend", channel: "next" },
      { after: "PT3H", action: "open_incident" },
      { after: "PT0S", action: "notify_team" },
      { after: "PT0S", action: "notify_contact", contact: 2 },
      { after: "PT1H", action: "notify_next_contact" },
      { after: "PT1H", action: "notify_next_contact", repeat: true },
      { after: "PT30M", action: "notify_all_contacts" },
      { after: "PT23H", action: "post_to_group" },
    );
    assert.equal(checkPolicy(all), undefined);
  });

  test("50 steps are allowed, 51 are not", () => {
    const step: Step = { after: "PT1H", action: "notify_team" };
    assert.equal(checkPolicy(policyOf(...Array(50).fill(step))), undefined);
    assert.deepEqual(checkPolicy(policyOf(...Array(51).fill(step))), { field: "steps", message: "at most 50 steps" });
  });

  test("a delay that is not an ISO-8601 duration names the step's after field", () => {
    const problem = checkPolicy(policyOf({ after: "PT1H", action: "resend" }, { after: "3 hours", action: "notify_team" }));
    assert.deepEqual(problem, { field: "steps.1.after", message: "must be an ISO-8601 duration such as PT3H" });
  });

  test("a delay of exactly 90 days is allowed, one second more is not", () => {
    assert.equal(checkPolicy(policyOf({ after: "P90D", action: "resend" })), undefined);
    assert.equal(checkPolicy(policyOf({ after: "PT2160H", action: "resend" })), undefined);
    assert.deepEqual(checkPolicy(policyOf({ after: "P90DT1S", action: "resend" })), {
      field: "steps.0.after", message: "must be at most 90 days",
    });
    assert.equal(checkPolicy(policyOf({ after: "P91D", action: "resend" }))?.field, "steps.0.after");
  });

  test("notify_contact needs a contact position of at least 1", () => {
    for (const contact of [undefined, 0, -1]) {
      assert.deepEqual(checkPolicy(policyOf({ after: "PT0S", action: "notify_contact", contact })), {
        field: "steps.0.contact", message: "notify_contact needs contact ≥ 1",
      }, String(contact));
    }
    assert.equal(checkPolicy(policyOf({ after: "PT0S", action: "notify_contact", contact: 1 })), undefined);
    assert.equal(checkPolicy(policyOf({ after: "PT0S", action: "notify_contact", contact: 5 })), undefined);
  });

  test("only notify_next_contact may repeat", () => {
    for (const action of ACTIONS.filter((a) => a !== "notify_next_contact")) {
      const step: Step = { after: "PT1H", action, repeat: true, ...(action === "notify_contact" ? { contact: 1 } : {}) };
      assert.deepEqual(checkPolicy(policyOf(step)), {
        field: "steps.0.repeat", message: "only notify_next_contact can repeat",
      }, action);
    }
  });

  test("repeat: false is not a repeat", () => {
    assert.equal(checkPolicy(policyOf({ after: "PT1H", action: "notify_team", repeat: false })), undefined);
  });

  test("a repeating step needs a positive delay", () => {
    assert.deepEqual(checkPolicy(policyOf({ after: "PT0S", action: "notify_next_contact", repeat: true })), {
      field: "steps.0.after", message: "a repeating step needs a positive delay",
    });
    assert.equal(checkPolicy(policyOf({ after: "PT1S", action: "notify_next_contact", repeat: true })), undefined);
  });

  test("the first problem wins and the field prefix is configurable", () => {
    const policy = policyOf(
      { after: "PT1H", action: "resend" },
      { after: "PT1H", action: "notify_contact" },
      { after: "bad", action: "notify_team" },
    );
    assert.deepEqual(checkPolicy(policy, "policies.standard"), {
      field: "policies.standard.1.contact", message: "notify_contact needs contact ≥ 1",
    });
  });

  test("a bad delay is reported before a missing contact on the same step", () => {
    assert.equal(checkPolicy(policyOf({ after: "nope", action: "notify_contact" }))?.field, "steps.0.after");
  });
});

describe("policy: effectivePolicies precedence (team > organisation > built-in)", () => {
  test("no overrides gives the built-in defaults", () => {
    assert.deepEqual(effectivePolicies(null, null), { standard: STANDARD_POLICY, phone: PHONE_POLICY });
    assert.deepEqual(effectivePolicies({}, {}), { standard: STANDARD_POLICY, phone: PHONE_POLICY });
  });

  test("the organisation's policy overrides the built-in one", () => {
    const result = effectivePolicies({ standard: teamFirst }, null);
    assert.equal(result.standard, teamFirst);
    assert.equal(result.phone, PHONE_POLICY);
  });

  test("the team's policy overrides the organisation's", () => {
    const result = effectivePolicies({ standard: teamFirst, phone: resendOnly }, { standard: groupPost });
    assert.equal(result.standard, groupPost);
    assert.equal(result.phone, resendOnly, "the team did not override phone, so the organisation's applies");
  });

  test("each kind is resolved independently", () => {
    const result = effectivePolicies({ standard: teamFirst }, { phone: resendOnly });
    assert.equal(result.standard, teamFirst);
    assert.equal(result.phone, resendOnly);
  });

  test("a team policy alone overrides the built-in one", () => {
    const result = effectivePolicies(null, { phone: groupPost });
    assert.equal(result.standard, STANDARD_POLICY);
    assert.equal(result.phone, groupPost);
  });

  test("an explicitly empty team policy is an override, not a gap", () => {
    const result = effectivePolicies({ standard: teamFirst }, { standard: empty });
    assert.equal(result.standard, empty);
  });
});
