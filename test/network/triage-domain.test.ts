/** The triage queue's pure rules and the statistics' figures (src/network/domain/triage.ts, statistics.ts). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  countReport, emptyReportCounts, fiscalYearOf, reportFigures, reportStatistics, statisticsRows, wholePercentages,
} from "../../src/network/domain/statistics.ts";
import {
  checklistOf, checkReopen, checkTriage, CLOSED_STATUS_NOTES, closedStatusNotes, DEFAULT_CLOSED_STATUS_NOTES, personalInStatusNotes, raisesConcern, raisesConcernOnArrival, reportConcernKey, URGENCY_RANK,
} from "../../src/network/domain/triage.ts";

test("an open report is closed with an outcome; a closed one is reopened first, an open one cannot be reopened", () => {
  assert.equal(checkTriage("open"), undefined);
  assert.equal(checkTriage("closed")?.code, "report_closed");
  assert.equal(checkReopen("closed"), undefined);
  assert.equal(checkReopen("open")?.code, "report_open");
});

test("通報 before 相談 before 見守り in the queue", () => {
  const sorted = (["watch", "emergency", "consult"] as const).toSorted((a, b) => URGENCY_RANK[a] - URGENCY_RANK[b]);
  assert.deepEqual(sorted, ["emergency", "consult", "watch"]);
});

test("a 相談 or 通報 about a matched member raises a concern on arrival; an emergency response raises it once as an emergency", () => {
  assert.equal(raisesConcern("emergency_response", "m", false), true);
  assert.equal(raisesConcern("emergency_response", "m", true), false, "already raised as an emergency");
  assert.equal(raisesConcern("emergency_response", null, false), false, "no member to raise it for");
  assert.equal(raisesConcern("consulted", "m", false), false);
  assert.equal(raisesConcern("no_action", "m", false), false);
  assert.equal(raisesConcernOnArrival("emergency", "m"), true);
  assert.equal(raisesConcernOnArrival("consult", "m"), true);
  assert.equal(raisesConcernOnArrival("watch", "m"), false, "見守り is triage only");
  assert.equal(raisesConcernOnArrival("emergency", null), false, "no matched member");
  assert.equal(reportConcernKey("r", "emergency"), "network_report:r:emergency");
});

test("the reporter is told 'handled, thank you' unless staff wrote their own words", () => {
  assert.equal(closedStatusNotes(undefined, "no_action"), "確認しました。ご連絡ありがとうございました。", "対応不要 does not say 対応しました");
  assert.equal(closedStatusNotes("   ", "consulted"), CLOSED_STATUS_NOTES.consulted);
  assert.equal(closedStatusNotes(undefined, "emergency_response"), CLOSED_STATUS_NOTES.emergency_response);
  assert.equal(closedStatusNotes(" 訪問して確認しました。 ", "no_action"), "訪問して確認しました。");
  assert.equal(DEFAULT_CLOSED_STATUS_NOTES, "確認しました。ご連絡ありがとうございました。");
  assert.equal(new Set(Object.values(CLOSED_STATUS_NOTES)).size, 3, "each outcome its own words");
});

test("a status note naming the member, the address or a phone number is refused: it is public", () => {
  const personal = ["山田 花子", "神戸市中央区1-2-3", null, "090-1111-2222"];
  assert.equal(personalInStatusNotes(DEFAULT_CLOSED_STATUS_NOTES, personal), undefined);
  assert.equal(personalInStatusNotes("山田花子さんは入院されました", personal), "personal_value", "spaces ignored");
  assert.equal(personalInStatusNotes("神戸市中央区１－２－３に伺いました", personal), "personal_value", "full width folded");
  assert.equal(personalInStatusNotes("ご家族 ０３-１２３４-５６７８ に連絡済み", personal), "phone_number");
  assert.equal(personalInStatusNotes("ご家族 090 3333 4444 へ", personal), "phone_number");
  assert.equal(personalInStatusNotes("2件目の連絡です", personal), undefined, "a short number is no phone number");
  assert.equal(personalInStatusNotes("2027-01-04 10:00 に対応しました", personal), undefined, "a date and time is no phone number");
});

test("a status note naming any part of the member's or the reporter's name is refused; ordinary words are not", () => {
  const values = ["神戸市中央区1-2-3"];
  // The trial's case: the member 佐藤太郎 (display name without a space), legal name 佐藤 太郎, reading さとう たろう.
  const names = ["佐藤太郎", "佐藤 太郎", "さとう たろう", "田中 一郎"];
  for (const note of ["佐藤さんに連絡しました", "佐藤様のご家族へ", "太郎さんは元気でした", "サトウさんに連絡", "ｻﾄｳさんに", "たろうさん", "佐 藤さんに",
    "田中さんからのご連絡", "一郎さん", "佐藤太郎さん", "佐藤"]) {
    assert.equal(personalInStatusNotes(note, values, names), "personal_value", note);
  }
  // Unspaced names alone: a leading or trailing run used as a name.
  assert.equal(personalInStatusNotes("山田さんに伝えました", [], ["山田花子"]), "personal_value");
  assert.equal(personalInStatusNotes("花子様", [], ["山田花子"]), "personal_value");
  for (const note of [DEFAULT_CLOSED_STATUS_NOTES, ...Object.values(CLOSED_STATUS_NOTES), "明日訪問します", "ご家族に連絡しました", "様子を見に伺いました",
    "地域の民生委員さんに連絡しました", "担当者が確認しました"]) {
    assert.equal(personalInStatusNotes(note, values, ["明日香", "山田花子", "佐藤 太郎"]), undefined, note);
  }
  assert.equal(personalInStatusNotes("佐", [], ["佐 藤"]), undefined, "one character is no name");
});

test("whole percentages add up to 100 (largest remainder); none decided → null", () => {
  assert.deepEqual(wholePercentages([114, 0, 22]), [84, 0, 16]);
  assert.deepEqual(wholePercentages([1, 1, 1]), [34, 33, 33]);
  assert.deepEqual(wholePercentages([2, 1, 0]), [67, 33, 0]);
  assert.equal(wholePercentages([0, 0, 0]), null);
});

test("Kobe's year: 136 reports, 114 no action, 22 emergencies → 84% and 16%; undecided reports stay out of the shares", () => {
  const counts = emptyReportCounts();
  countReport(counts, "watch", "no_action", 114);
  countReport(counts, "emergency", "emergency_response", 22);
  const f = reportFigures(counts);
  assert.equal(f.reports, 136);
  assert.deepEqual(f.shares, { noAction: 84, consulted: 0, emergencyResponse: 16 });
  countReport(counts, "consult", null, 4);
  const withOpen = reportFigures(counts);
  assert.equal(withOpen.reports, 140);
  assert.equal(withOpen.untriaged, 4);
  assert.deepEqual(withOpen.shares, { noAction: 84, consulted: 0, emergencyResponse: 16 });
  assert.equal(reportFigures(emptyReportCounts()).shares, null);
});

test("statistics per partner and month: quiet partners and months show zeros, totals pool them", () => {
  const months = ["2022-04", "2022-05"];
  const partners = [{ id: "p1", name: "神戸新聞販売所" }, { id: "p2", name: "生協" }];
  const c = (n: number, outcome: "no_action" | "emergency_response" | null) => {
    const counts = emptyReportCounts();
    countReport(counts, outcome === "emergency_response" ? "emergency" : "watch", outcome, n);
    return counts;
  };
  const stats = reportStatistics(months, partners, [
    { partnerId: "p1", month: "2022-04", counts: c(3, "no_action") },
    { partnerId: "p1", month: "2022-04", counts: c(1, "emergency_response") },
    { partnerId: "p1", month: "2022-05", counts: c(2, null) },
    { partnerId: "elsewhere", month: "2022-04", counts: c(9, "no_action") },
    { partnerId: "p2", month: "2023-01", counts: c(9, "no_action") },
  ]);
  assert.deepEqual(stats.partners[0].months.map((m) => m.figures.reports), [4, 2]);
  assert.deepEqual(stats.partners[0].months[0].figures.shares, { noAction: 75, consulted: 0, emergencyResponse: 25 });
  assert.equal(stats.partners[0].months[1].figures.shares, null, "nothing decided in May");
  assert.deepEqual(stats.partners[1].months.map((m) => m.figures.reports), [0, 0], "a quiet partner shows zeros");
  assert.equal(stats.total.reports, 6);
  assert.equal(stats.total.untriaged, 2);
  assert.deepEqual(stats.monthTotals.map((m) => m.figures.reports), [4, 2]);

  const rows = statisticsRows(stats, "ja");
  assert.deepEqual(rows.map((r) => [r[0], r[1], r[2]]), [
    ["2022-04", "神戸新聞販売所", 4], ["2022-04", "生協", 0], ["2022-04", "合計", 4],
    ["2022-05", "神戸新聞販売所", 2], ["2022-05", "生協", 0], ["2022-05", "合計", 2],
    ["2022-04〜2022-05", "神戸新聞販売所", 6], ["2022-04〜2022-05", "生協", 0], ["2022-04〜2022-05", "合計", 6],
  ]);
  assert.deepEqual(rows[0].slice(10), [75, 0, 25]);
  assert.deepEqual(rows[3].slice(10), ["", "", ""], "no shares where nothing is decided");
});

test("the fiscal year (年度) runs from April to March", () => {
  assert.deepEqual(fiscalYearOf("2023-01"), { from: "2022-04", to: "2023-03" });
  assert.deepEqual(fiscalYearOf("2022-04"), { from: "2022-04", to: "2023-03" });
  assert.deepEqual(fiscalYearOf("2023-03"), { from: "2022-04", to: "2023-03" });
});

test("the checklist's answers in the service definition's words and order; the registration number apart; unknown keys as sent", () => {
  const list = checklistOf({ signs: ["stopped_greeting", "post_piling_up", "mystery"], urgency: "consult", registration_number: "012345" });
  assert.deepEqual(list.map((a) => a.code), ["urgency", "signs"]);
  assert.equal(list[0].question, "緊急度（見守り／相談／通報）");
  assert.deepEqual(list[0].answers.map((a) => a.name), ["相談（確認してほしい）"]);
  assert.deepEqual(list[1].answers.map((a) => a.name), ["あいさつをしなくなった", "郵便物や新聞がたまっている", "mystery"]);
  assert.equal(list[1].answers[0].en, "Stopped greeting");
  assert.deepEqual(checklistOf({}), []);
});
