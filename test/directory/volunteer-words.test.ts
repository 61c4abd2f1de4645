/**
 * The words a volunteer receives about a request (src/directory/domain/volunteer-messages.ts):
 * times in the organisation's zone, the kinds of help by name, an SMS of one
 * line and the link, and never the member.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { offerWords, withdrawnWords } from "../../src/directory/domain/volunteer-messages.ts";

const url = "https://mimamori.example.jp/help";

test("an offer names the kinds of help, when wanted and the deadline in the organisation's zone, and links the view on SMS and LINE", () => {
  const words = offerWords({
    volunteerName: "佐藤", helpKinds: ["買い物支援", "家事支援"], wantedAt: new Date("2027-01-06T01:00:00Z"), respondBy: new Date("2027-01-05T03:30:00Z"),
    zone: "Asia/Tokyo", url,
  });
  assert.equal(words.text.split("\n")[0],
    "【見守り】佐藤さん、生活支援のお願いがあります（買い物支援、家事支援、1月6日 10:00 ごろ）。1月5日 12:30 までに、見守り管理画面の「わたしへの依頼」で、引き受けるかどうかお返事ください。");
  assert.equal(words.text.split("\n")[1],
    "[Mimamori] 佐藤, you are asked to help (買い物支援, 家事支援, around 1月6日 10:00). Please answer by 1月5日 12:30 under \"My help requests\" in the Mimamori console.");
  assert.equal(words.sms, `【見守り】生活支援のお願いがあります（買い物支援、家事支援）。1月5日 12:30 までにお返事ください：\n${url}`);
  assert.ok(words.line.endsWith(`\n${url}`));
  assert.ok(!words.text.includes(url), "e-mail carries the link as its button, a call cannot read one");
});

test("without kinds, a wanted time or a deadline the offer still reads whole", () => {
  const words = offerWords({ volunteerName: "鈴木", helpKinds: [], wantedAt: null, respondBy: null, zone: "Asia/Tokyo", url });
  assert.match(words.text, /^【見守り】鈴木さん、生活支援のお願いがあります（生活支援）。見守り管理画面の/);
  assert.match(words.text, /you are asked to help \(daily-life support\)\. Please answer under/);
});

test("a withdrawal says nothing is to be done, without a link", () => {
  const words = withdrawnWords({ volunteerName: "高橋", helpKinds: ["買い物支援"] });
  assert.match(words.text, /^【見守り】高橋さん、先ほどお願いした生活支援（買い物支援）は、ほかの方が引き受けたか必要がなくなりました。お返事は不要です。/);
  assert.equal(words.sms, "【見守り】先ほどの生活支援のお願い（買い物支援）は不要になりました。お返事は不要です。");
  assert.ok(!words.line.includes("http"));
});
