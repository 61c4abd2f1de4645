/** Referral states as FHIR Task status and who moves them (src/directory/domain/referral.ts, research §3). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkDelete, isClosedReferral, nextStatuses, REFERRAL_STATUS_LABELS, REFERRAL_STATUSES, transition, type ReferralStatus,
} from "../../src/directory/domain/referral.ts";

test("only the sender creates a referral, and only as requested", () => {
  assert.deepEqual(transition(null, "requested", "sender"), { ok: true, status: "requested", kind: "step" });
  assert.deepEqual(transition(null, "requested", "receiver"), { ok: false, code: "wrong_side" });
  assert.deepEqual(transition(null, "accepted", "sender"), { ok: false, code: "not_allowed" });
});

test("the receiver receives, accepts or rejects (received may be skipped), works, holds and completes", () => {
  const path: [ReferralStatus, ReferralStatus][] = [
    ["requested", "received"], ["received", "accepted"], ["accepted", "in-progress"], ["in-progress", "on-hold"],
    ["on-hold", "in-progress"], ["in-progress", "completed"], ["requested", "accepted"], ["requested", "rejected"],
    ["received", "rejected"], ["accepted", "completed"], ["on-hold", "completed"],
  ];
  for (const [from, to] of path) {
    assert.deepEqual(transition(from, to, "receiver"), { ok: true, status: to, kind: "step" }, `${from} → ${to}`);
    assert.deepEqual(transition(from, to, "sender"), { ok: false, code: "wrong_side" }, `the sender may not ${from} → ${to}`);
  }
});

test("moves that exist for nobody are refused", () => {
  assert.equal(transition("requested", "completed", "receiver").ok, false);
  assert.deepEqual(transition("requested", "in-progress", "receiver"), { ok: false, code: "not_allowed" });
  assert.deepEqual(transition("accepted", "received", "receiver"), { ok: false, code: "not_allowed" });
  assert.deepEqual(transition("completed", "in-progress", "receiver"), { ok: false, code: "not_allowed" });
  assert.deepEqual(transition("accepted", "accepted", "receiver"), { ok: false, code: "same_status" });
});

test("either side cancels an open referral, with a reason; a closed one cannot be cancelled", () => {
  for (const side of ["sender", "receiver"] as const) {
    assert.deepEqual(transition("in-progress", "cancelled", side, { reason: "本人が辞退" }), { ok: true, status: "cancelled", kind: "cancel" });
    assert.deepEqual(transition("requested", "cancelled", side, { reason: "  " }), { ok: false, code: "reason_required" });
    assert.deepEqual(transition("requested", "cancelled", side), { ok: false, code: "reason_required" });
  }
  assert.deepEqual(transition("completed", "cancelled", "sender", { reason: "x" }), { ok: false, code: "not_allowed" });
  assert.deepEqual(transition("cancelled", "cancelled", "sender", { reason: "x" }), { ok: false, code: "same_status" });
});

test("the sender reopens a closed referral with a reason, as a reopen; the receiver cannot", () => {
  for (const closed of ["rejected", "cancelled", "completed"] as const) {
    assert.equal(isClosedReferral(closed), true);
    assert.deepEqual(transition(closed, "requested", "sender", { reason: "再度必要になった" }), { ok: true, status: "requested", kind: "reopen" });
    assert.deepEqual(transition(closed, "requested", "sender"), { ok: false, code: "reason_required" });
    assert.deepEqual(transition(closed, "requested", "receiver", { reason: "x" }), { ok: false, code: "wrong_side" });
  }
  assert.equal(isClosedReferral("on-hold"), false);
});

test("a deleted referral moves no more; deleting needs a reason and happens once", () => {
  assert.deepEqual(transition("requested", "accepted", "receiver", { deleted: true }), { ok: false, code: "deleted" });
  assert.equal(checkDelete("誤登録", false), undefined);
  assert.equal(checkDelete("", false), "reason_required");
  assert.equal(checkDelete(null, false), "reason_required");
  assert.equal(checkDelete("誤登録", true), "deleted");
});

test("the console's buttons per side follow the table", () => {
  assert.deepEqual(nextStatuses("requested", "receiver"), ["received", "accepted", "rejected", "cancelled"]);
  assert.deepEqual(nextStatuses("requested", "sender"), ["cancelled"]);
  assert.deepEqual(nextStatuses("completed", "sender"), ["requested"]);
  assert.deepEqual(nextStatuses("completed", "receiver"), []);
  assert.deepEqual(Object.keys(REFERRAL_STATUS_LABELS).toSorted(), [...REFERRAL_STATUSES].toSorted());
});
