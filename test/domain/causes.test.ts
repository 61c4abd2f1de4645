/** The cause rule of a message sent to someone because they are on duty (domain/causes.ts). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { stillNeeded } from "../../src/domain/causes.ts";

test("an on-duty alert is cancelled when its person went off duty or removed the channel, and otherwise as any alert", () => {
  const open = { recipientExists: true, incidentStatus: "open" as const };
  assert.deepEqual(stillNeeded("alert", { ...open, onDutyStill: true, dutyChannelExists: true }), { needed: true });
  assert.deepEqual(stillNeeded("alert", { ...open, onDutyStill: false, dutyChannelExists: true }), { needed: false, reason: "off_duty" });
  assert.deepEqual(stillNeeded("alert", { ...open, onDutyStill: true, dutyChannelExists: false }), { needed: false, reason: "recipient_gone" });
  assert.deepEqual(stillNeeded("alert", { ...open, incidentStatus: "acknowledged", onDutyStill: true, dutyChannelExists: true }),
    { needed: false, reason: "incident_acknowledged" });
  assert.deepEqual(stillNeeded("daily_summary", { recipientExists: true, onDutyStill: false, dutyChannelExists: true }), { needed: false, reason: "off_duty" });
  // Messages not sent because of duty (an invitation, a test) carry neither fact.
  assert.deepEqual(stillNeeded("channel_test", { recipientExists: true }), { needed: true });
});

test("a device's silent task: dropped when a context's check found its cause gone or the member left; a team notice when the member left", () => {
  const active = { recipientExists: true, member: { active: true, paused: false } };
  assert.deepEqual(stillNeeded("device_silent", active), { needed: true });
  assert.deepEqual(stillNeeded("device_silent", { ...active, causeGone: "device_reported" }), { needed: false, reason: "device_reported" });
  assert.deepEqual(stillNeeded("device_silent", { ...active, causeGone: "device_removed" }), { needed: false, reason: "device_removed" });
  assert.deepEqual(stillNeeded("device_silent", { ...active, member: { active: false, paused: false } }), { needed: false, reason: "member_inactive" });
  // A paused member's device still needs looking at: pausing stops check-ins, not the team's care.
  assert.deepEqual(stillNeeded("device_silent", { ...active, member: { active: true, paused: true } }), { needed: true });
  assert.deepEqual(stillNeeded("team_notice", active), { needed: true });
  assert.deepEqual(stillNeeded("team_notice", { ...active, member: { active: false, paused: false } }), { needed: false, reason: "member_inactive" });
  // A gone recipient wins over the context's reason.
  assert.deepEqual(stillNeeded("device_silent", { ...active, recipientExists: false, causeGone: "device_reported" }), { needed: false, reason: "recipient_gone" });
});
