/**
 * The page of an offer's private link (/offer/{token}), as HTML: pure functions
 * from what to show to a page, for a volunteer without a login (engine/offer-links.ts).
 * Japanese first with English beside, large type, full-width buttons, no
 * JavaScript, no external assets, noindex — as the referral receiver's page,
 * whose style it shares. Before accepting it names the kind of help and the
 * times only; once accepted, whom to help (name, address, a tap-to-call
 * number: what the signed-in volunteer's view shows) and the contacts log.
 */
import { escapeHtml, publicPage } from "../../domain/html.ts";
import { formatLocal } from "../../domain/messages.ts";
import { formatPhone, parsePhone } from "../../domain/phone.ts";
import type { OfferLinkProblem, OfferLinkView } from "../engine/offer-links.ts";
import { PRIVATE_PAGE_CSS } from "./referral-receiver-pages.ts";

import type { PublicPage } from "../../http/public-pages.ts";

const CSS = `${PRIVATE_PAGE_CSS}
.tel{font-size:1.5rem;font-weight:700}
.log{border-left:4px solid #ccc;padding-left:.75rem;margin:.75rem 0}
`;
const layout = (title: string, body: string) => publicPage(title, CSS, body, "ja", { noindex: true });
const v = (s: string | null | undefined) => escapeHtml(s ?? "");
const bilingual = (ja: string, en: string) => `${v(ja)}<span class="en" lang="en">${v(en)}</span>`;

/** What happened on the last POST, shown at the top: done, or refused (a contact without words). */
export type OfferOutcome = { done: "accept" | "contact" } | { refused: "note_required" };

/** The kinds of help asked for, in Japanese and English (taxonomy terms). */
export interface HelpKinds { ja: string; en: string }

function facts(view: OfferLinkView, kinds: HelpKinds, zone: string): string {
  const r = view.request;
  return `<dl>
<dt>${bilingual("お願いの内容", "Help asked for")}</dt><dd>${v(kinds.ja)}<span class="en" lang="en">${v(kinds.en)}</span></dd>
${r.need.wantedAt ? `<dt>${bilingual("希望の日時", "When")}</dt><dd>${v(formatLocal(r.need.wantedAt, zone))}</dd>` : ""}
${view.stage === "answer" && r.respondBy ? `<dt>${bilingual("お返事の期限", "Please answer by")}</dt><dd>${v(formatLocal(r.respondBy, zone))}</dd>` : ""}
</dl>`;
}

const footer = (view: OfferLinkView, zone: string) =>
  `<footer>アカウントは不要です。このリンクはあなた専用です。他の人に渡さないでください（${v(formatLocal(view.expiresAt, zone))} まで有効）。` +
  `<span lang="en">No account needed. This link is yours alone; please do not pass it on (it works until ${v(formatLocal(view.expiresAt, zone))}).</span></footer>`;

/** The offer as its volunteer sees it: before answering, accept or decline; once accepted, whom to help and the log. */
export function offerPage(token: string, view: OfferLinkView, kinds: HelpKinds, zone: string, outcome?: OfferOutcome): PublicPage {
  const action = `/offer/${v(token)}`;
  const r = view.request;
  if (view.stage === "answer") {
    const body = `<h1>生活支援のお願い<span class="en" lang="en">A request for your help</span></h1>
<p>${v(r.volunteerName)} さん、お手伝いをお願いできますか。<span class="en" lang="en">${v(r.volunteerName)}, could you help?</span></p>
${facts(view, kinds, zone)}
<p class="hint">お手伝いする方のお名前と住所は、引き受けた後に表示します。<span class="en" lang="en">Whom to help is shown once you accept.</span></p>
<form method="post" action="${action}"><input type="hidden" name="action" value="accept"><button type="submit">${bilingual("引き受けます", "Accept")}</button></form>
<h2>${bilingual("今回はできないとき", "If you cannot this time")}</h2>
<form method="post" action="${action}"><input type="hidden" name="action" value="decline">
<label for="reason">理由（任意・コーディネーターに伝わります）<span class="en" lang="en">Why (optional; the coordinator reads it)</span></label>
<textarea id="reason" name="reason" rows="3"></textarea>
<button type="submit" class="reject">${bilingual("今回はできません（次の方にお願いします）", "Not this time (ask the next volunteer)")}</button></form>
${footer(view, zone)}`;
    return { status: 200, html: layout("生活支援のお願い", body) };
  }
  const m = r.need.member;
  const phone = m?.phone ? parsePhone(m.phone) : undefined;
  const noteMissing = outcome && "refused" in outcome;
  const top = !outcome ? ""
    : "refused" in outcome
      ? `<section class="errors" role="alert"><p class="error">したことを書いてください。何も記録していません。<span class="en" lang="en">Please write what you did. Nothing was recorded.</span></p></section>`
      : outcome.done === "accept"
        ? `<section class="done" role="status" aria-labelledby="done-title"><h2 id="done-title">引き受けていただき、ありがとうございます。<span class="en" lang="en">Thank you for taking this on.</span></h2><p>コーディネーターにも伝わりました。<span class="en" lang="en">The coordinator knows.</span></p></section>`
        : `<section class="done" role="status" aria-labelledby="done-title"><h2 id="done-title">記録しました。コーディネーターが確認します。<span class="en" lang="en">Recorded. The coordinator will read it.</span></h2></section>`;
  const logs = view.contacts.length
    ? view.contacts.map((c) => `<div class="log"><p class="hint">${v(formatLocal(c.contactedAt, zone))}</p><p>${v(c.note)}</p></div>`).join("")
    : `<p>${bilingual("まだ記録はありません。", "Nothing logged yet.")}</p>`;
  const body = `<h1>お手伝いの内容<span class="en" lang="en">The help you took on</span></h1>
${top}${facts(view, kinds, zone)}
<h2>${bilingual("お手伝いする方", "Whom to help")}</h2>
${m ? `<dl><dt>${bilingual("お名前", "Name")}</dt><dd>${v(m.name)}</dd>
${m.address ? `<dt>${bilingual("住所", "Address")}</dt><dd>${v(m.address)}</dd>` : ""}
${m.phone ? `<dt>${bilingual("電話", "Phone")}</dt><dd>${phone?.ok ? `<a class="tel" href="tel:${v(phone.e164)}">${v(formatPhone(phone.e164))}</a>` : v(m.phone)}</dd>` : ""}</dl>`
    : `<p>${bilingual("コーディネーターにお問い合わせください。", "Please ask the coordinator.")}</p>`}
<h2>${bilingual("活動の記録", "Log what you did")}</h2>
<form method="post" action="${action}"><input type="hidden" name="action" value="contact">
<label for="note">したこと・気づいたこと<span class="en" lang="en">What you did, what you noticed</span></label>
${noteMissing ? `<p class="error" id="note-error">したことを書いてください。<span lang="en">Please write what you did.</span></p>` : ""}<textarea id="note" name="note" rows="4" required${noteMissing ? ' aria-describedby="note-error" aria-invalid="true"' : ""}></textarea>
<button type="submit">${bilingual("活動を記録する", "Log it")}</button></form>
<h2>${bilingual("これまでの記録", "What you logged")}</h2>
${logs}
${footer(view, zone)}`;
  return { status: noteMissing ? 400 : 200, html: layout("お手伝いの内容", body) };
}

/** After a decline: thanks, nothing more through this link. */
export function declinedPage(): PublicPage {
  return {
    status: 200,
    html: layout("生活支援のお願い", `<h1>${bilingual("お返事ありがとうございました。", "Thank you for your answer.")}</h1>
<section class="done" role="status"><p>今回は次の方にお願いします。またよろしくお願いします。<span class="en" lang="en">We will ask the next volunteer this time.</span></p></section>`),
  };
}

const PROBLEM: Record<OfferLinkProblem | "error", [string, string]> = {
  unknown: ["このリンクは見つかりません。届いたリンクを確かめてください。", "This link is not known. Please check the link you received."],
  closed: ["このお願いは終わりました（期限が過ぎたか、ほかの方が引き受けたか、必要がなくなりました）。ありがとうございました。",
    "This request is over (its time passed, someone else took it on, or it is no longer needed). Thank you."],
  too_many: ["しばらく時間をおいてから開いてください。", "Please wait a while before opening this again."],
  error: ["ただいま表示できません。時間をおいてお試しください。", "We cannot show this now. Please try again later."],
};

/** A link that shows nothing (nothing about the request or the member): 404 unknown, 410 closed, 429 too many, 500 an error. */
export function offerProblemPage(problem: OfferLinkProblem | "error"): PublicPage {
  const [ja, en] = PROBLEM[problem];
  const status = problem === "unknown" ? 404 : problem === "closed" ? 410 : problem === "too_many" ? 429 : 500;
  return { status, html: layout("生活支援のお願い", `<h1>${bilingual(ja, en)}</h1>`) };
}
