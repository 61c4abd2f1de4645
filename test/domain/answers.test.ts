import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ANSWER_SOURCES, ANSWERS, type OpenIncidentSummary, planAnswer } from "../../src/domain/answers.ts";

const noAnswer = (id: string): OpenIncidentSummary => ({ id, kind: "no_answer" });
const contactRequest = (id: string): OpenIncidentSummary => ({ id, kind: "contact_requested" });

describe("answers: vocabulary", () => {
  test("a member answers ok (1) or need_contact (9)", () => {
    assert.deepEqual([...ANSWERS], ["ok", "need_contact"]);
  });

  test("an answer may come from the member or on their behalf", () => {
    assert.deepEqual([...ANSWER_SOURCES], ["member", "contact", "staff", "group"]);
  });
});

describe("answers: ok", () => {
  test("with nothing open, an ok changes nothing else", () => {
    assert.deepEqual(planAnswer("ok", []), { answeredIncidentIds: [], openContactRequest: false });
  });

  test("an ok is evidence of life for every open no-answer incident (recorded, not closed)", () => {
    assert.deepEqual(planAnswer("ok", [noAnswer("i1"), noAnswer("i2")]), {
      answeredIncidentIds: ["i1", "i2"],
      openContactRequest: false,
    });
  });

  test("an ok never opens a contact request", () => {
    assert.equal(planAnswer("ok", [noAnswer("i1")]).openContactRequest, false);
    assert.equal(planAnswer("ok", [contactRequest("r1")]).openContactRequest, false);
  });

  test("an ok does not mark a contact request as answered (the member still asked to be called)", () => {
    assert.deepEqual(planAnswer("ok", [contactRequest("r1"), noAnswer("i1")]), {
      answeredIncidentIds: ["i1"],
      openContactRequest: false,
    });
  });
});

describe("answers: need_contact", () => {
  test("with nothing open, need_contact opens a contact request", () => {
    assert.deepEqual(planAnswer("need_contact", []), { answeredIncidentIds: [], openContactRequest: true });
  });

  test("need_contact is also evidence of life for open no-answer incidents", () => {
    assert.deepEqual(planAnswer("need_contact", [noAnswer("i1")]), {
      answeredIncidentIds: ["i1"],
      openContactRequest: true,
    });
  });

  test("need_contact does not open a second contact request while one is open", () => {
    assert.deepEqual(planAnswer("need_contact", [contactRequest("r1")]), {
      answeredIncidentIds: [],
      openContactRequest: false,
    });
  });

  test("with both kinds open: the no-answer incident gets the answer, no new request", () => {
    assert.deepEqual(planAnswer("need_contact", [noAnswer("i1"), contactRequest("r1"), noAnswer("i2")]), {
      answeredIncidentIds: ["i1", "i2"],
      openContactRequest: false,
    });
  });
});
