/**
 * When the monthly report's mail is due and which month it reports
 * (domain/report-mail.ts): the 1st at 08:00 in the organisation's zone, the last
 * complete month, the latest one only after downtime; and its words.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { nextReportMailAt, reportedMonth, reportMailKey, reportMailSubject, reportMailText } from "../../src/domain/report-mail.ts";
import { emptyCounts, figuresOf } from "../../src/domain/reports.ts";

const at = (iso: string) => new Date(iso);

describe("the monthly report's mail", () => {
  test("is due on the next 1st at 08:00 in the organisation's zone", () => {
    assert.equal(nextReportMailAt(at("2027-01-04T08:00:00+09:00"), "Asia/Tokyo").toISOString(), "2027-01-31T23:00:00.000Z");
    // Before 08:00 on the 1st: this morning's; at or after it: next month's.
    assert.equal(nextReportMailAt(at("2027-02-01T07:59:00+09:00"), "Asia/Tokyo").toISOString(), "2027-01-31T23:00:00.000Z");
    assert.equal(nextReportMailAt(at("2027-02-01T08:00:00+09:00"), "Asia/Tokyo").toISOString(), "2027-02-28T23:00:00.000Z");
    assert.equal(nextReportMailAt(at("2027-12-15T00:00:00+09:00"), "Asia/Tokyo").toISOString(), "2027-12-31T23:00:00.000Z");
    // Another zone, across a daylight-saving change: 08:00 local either way.
    assert.equal(nextReportMailAt(at("2027-03-20T12:00:00Z"), "Europe/Berlin").toISOString(), "2027-04-01T06:00:00.000Z");
  });

  test("reports the last complete month: after downtime, the latest only", () => {
    assert.equal(reportedMonth(at("2027-02-01T08:00:00+09:00"), "Asia/Tokyo"), "2027-01");
    assert.equal(reportedMonth(at("2027-04-03T10:00:00+09:00"), "Asia/Tokyo"), "2027-03");
    assert.equal(reportedMonth(at("2027-01-01T08:00:00+09:00"), "Asia/Tokyo"), "2026-12");
    // 1 February 08:00 in Tokyo is still 31 January in UTC: the month is the organisation's.
    assert.equal(reportedMonth(at("2027-01-31T23:00:00Z"), "Asia/Tokyo"), "2027-01");
    assert.equal(reportMailKey("s1", "2027-01"), "monthly_report:s1:2027-01");
  });

  test("names the organisation and the month, Japanese first, and gives the figures", () => {
    assert.equal(reportMailSubject("松戸市", "2027-01"), "【見守り】松戸市 月次報告 2027年1月 / Monthly report, January 2027");
    const f = figuresOf({ ...emptyCounts(), members: 4, fine: 90, contactRequested: 2, silentTwice: 1, confirmedByVisit: 1, checkinsAsked: 100, checkinsAnswered: 95 });
    const text = reportMailText("松戸市", "2027-01", f, [{ teamName: "北地区", figures: f }], 2);
    assert.match(text, /■ 合計 \/ Total\n {2}元気です \/ Fine: 90\n {2}連絡希望 \/ Asked to be contacted: 2\n {2}２日続けて応答なし \/ No answer twice running: 1\n {2}訪問による確認 \/ Confirmed by a visit: 1\n {2}利用者数 \/ Members: 4\n {2}応答率 \/ Response rate: 95\.0%/);
    assert.match(text, /一斉配信の回数 \/ Broadcasts: 2/);
    assert.match(text, /■ 北地区\n {2}元気です \/ Fine: 90/);
    assert.match(reportMailText("x", "2027-01", figuresOf(emptyCounts()), [], 0), /Response rate: —/, "nobody asked: no rate");
  });
});
