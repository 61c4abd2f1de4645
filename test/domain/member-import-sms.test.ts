/**
 * A member import's SMS channel (src/domain/member-import.ts readRow): the row's
 * address, or the member's phone it falls back to, must be able to receive a
 * text — a landline is a problem of the row (sms_not_mobile), not a channel
 * that would never deliver. Calls take any number.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_IMPORT_OPTIONS, type ImportField, readRow } from "../../src/domain/member-import.ts";

const mapping: ImportField[] = ["displayName", "phone", "channel", "channelAddress"];
const row = (cells: string[]) => readRow(2, cells, mapping, DEFAULT_IMPORT_OPTIONS);

test("an SMS channel at a mobile number is imported in E.164", () => {
  const { member, problems } = row(["山田花子", "", "SMS", "０９０－１２３４－５６７８"]);
  assert.deepEqual(problems, []);
  assert.deepEqual(member.channels, [{ kind: "sms", address: "+819012345678" }]);
});

test("an SMS channel at a landline is a problem of the row, the row's address or the member's phone", () => {
  assert.deepEqual(row(["山田花子", "", "SMS", "03-1234-5678"]).problems.map((p) => [p.field, p.code]), [["channelAddress", "sms_not_mobile"]]);
  const fallback = row(["山田花子", "06-1234-5678", "SMS", ""]);
  assert.deepEqual(fallback.problems.map((p) => [p.field, p.code]), [["channelAddress", "sms_not_mobile"]]);
  assert.equal(fallback.member.channels, undefined);
});

test("a call takes a landline", () => {
  const { member, problems } = row(["山田花子", "03-1234-5678", "電話", ""]);
  assert.deepEqual(problems, []);
  assert.deepEqual(member.channels, [{ kind: "voice", address: "+81312345678" }]);
});
