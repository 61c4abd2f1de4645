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
