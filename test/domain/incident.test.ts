import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkAcknowledge,
  checkResolve,
  consequenceOf,
  type IncidentStatus,
  type MemberConsequence,
  OUTCOMES,
  type Outcome,
  reportedSafeOutcome,
  raisedUrgency,
  URGENCY,
} from "../../src/domain/incident.ts";

describe("incident: acknowledge", () => {
  test("an open incident can be acknowledged", () => {
    assert.equal(checkAcknowledge("open"), undefined);
  });

  test("an acknowledged incident cannot be acknowledged again", () => {
    assert.deepEqual(checkAcknowledge("acknowledged"), {
      code: "already_acknowledged",
      message: "the incident is already acknowledged",
    });
  });

  test("a resolved incident cannot be acknowledged", () => {
    assert.deepEqual(checkAcknowledge("resolved"), {
      code: "incident_resolved",
      message: "the incident is already resolved",
    });
  });
});

describe("incident: resolve", () => {
  test("an open incident can be resolved directly (acknowledging is not required)", () => {
    assert.equal(checkResolve("open"), undefined);
  });

  test("an acknowledged incident can be resolved", () => {
    assert.equal(checkResolve("acknowledged"), undefined);
  });

  test("a resolved incident cannot be resolved again", () => {
    assert.deepEqual(checkResolve("resolved"), {
      code: "incident_resolved",
      message: "the incident is already resolved",
    });
  });

  test("only resolved blocks resolving; only open allows acknowledging", () => {
    const statuses: IncidentStatus[] = ["open", "acknowledged", "resolved"];
    assert.deepEqual(statuses.filter((s) => checkResolve(s) === undefined), ["open", "acknowledged"]);
    assert.deepEqual(statuses.filter((s) => checkAcknowledge(s) === undefined), ["open"]);
  });
});

describe("incident: outcomes and their consequence for the member's plan", () => {
  const expected: Record<Outcome, MemberConsequence> = {
    member_answered: "none",
    reached_by_phone: "none",
    reached_by_line: "none",
    reached_by_message: "none",
    visited_fine: "none",
    hospitalised: "pause",
    found_dead: "leave",
    emergency_services_called: "none",
    left_service: "leave",
    false_alarm: "none",
    other: "none",
  };

  test("the outcome list is the one the table below covers", () => {
    assert.deepEqual([...OUTCOMES].sort(), Object.keys(expected).sort());
  });

  for (const outcome of OUTCOMES) {
    test(`${outcome} → ${expected[outcome]}`, () => {
      assert.equal(consequenceOf(outcome), expected[outcome]);
    });
  }
});

describe("incident: urgency", () => {
  test("a silent or unreachable member is high urgency; a contact request and a call for help are urgent; a concern opens high", () => {
    assert.deepEqual(URGENCY, { no_answer: "high", contact_requested: "urgent", help_requested: "urgent", member_unreachable: "high", concern: "high" });
  });
  test("a joining signal raises the urgency, never lowers it", () => {
    assert.equal(raisedUrgency("low", "high"), "high");
    assert.equal(raisedUrgency("high", "urgent"), "urgent");
    assert.equal(raisedUrgency("urgent", "high"), undefined);
    assert.equal(raisedUrgency("high", "high"), undefined);
  });
});

describe("incident: a safe report records how the member was reached", () => {
  test("a call is phone contact; a LINE tap is LINE; an SMS or e-mail link's page is a message", () => {
    const vias = ["voice", "line", "sms", "email", "sandbox"];
    assert.deepEqual(vias.map(reportedSafeOutcome), ["reached_by_phone", "reached_by_line", "reached_by_message", "reached_by_message", "reached_by_message"]);
  });
});
