import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { memberState } from "../../src/domain/member-state.ts";

type Input = Parameters<typeof memberState>[0];
const base: Input = { active: true, paused: false, openCheckins: [], unresolvedIncidents: 0 };
const state = (overrides: Partial<Input>) => memberState({ ...base, ...overrides });

const waiting = { stepIndex: 0, escalates: true };
const escalating = { stepIndex: 2, escalates: true };
const folded = { stepIndex: 3, escalates: false };

describe("member state", () => {
  test("an active member with nothing open is scheduled", () => {
    assert.equal(state({}), "scheduled");
  });

  test("an inactive member is inactive whatever else is true", () => {
    assert.equal(state({ active: false, paused: true, openCheckins: [escalating], unresolvedIncidents: 2 }), "inactive");
  });

  test("an open check-in not yet past its first step is awaiting an answer", () => {
    assert.equal(state({ openCheckins: [waiting] }), "awaiting_answer");
  });

  test("a folded check-in (one that does not escalate) is only awaiting an answer", () => {
    assert.equal(state({ openCheckins: [folded] }), "awaiting_answer");
  });

  test("a check-in past its first step is escalating", () => {
    assert.equal(state({ openCheckins: [folded, escalating] }), "escalating");
  });

  test("an unresolved incident means escalating, even with no open check-in", () => {
    assert.equal(state({ unresolvedIncidents: 1 }), "escalating");
  });

  test("escalation shows through a pause", () => {
    assert.equal(state({ paused: true, unresolvedIncidents: 1 }), "escalating");
    assert.equal(state({ paused: true, openCheckins: [escalating] }), "escalating");
  });

  test("a paused member with nothing escalating is paused", () => {
    assert.equal(state({ paused: true }), "paused");
    assert.equal(state({ paused: true, openCheckins: [waiting] }), "paused");
  });
});
