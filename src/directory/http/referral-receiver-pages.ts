/**
 * The receiving organisation's page of a referral (/referral/{token}), as HTML:
 * pure functions from what to show to a page. Japanese first with English
 * beside, large type, full-width buttons, no JavaScript, no external assets (the
 * Content-Security-Policy allows inline styles only), noindex — as the
 * provider's update page (provider-update-pages.ts).
 */
import { escapeHtml, publicPage } from "../../domain/html.ts";
import { formatLocal } from "../../domain/messages.ts";
import { formatPhone } from "../../domain/phone.ts";
import { nextStatuses, REFERRAL_STATUS_LABELS, type ReferralStatus } from "../domain/referral.ts";
import { RECEIVER_MOVES, type ReceiverMove, type ReceiverView, type ReferralLinkProblem } from "../engine/referral-links.ts";
import { type PageProblem, problemPageFrom, type PublicPage } from "../../http/public-pages.ts";

/** The style of the directory's pages behind a private link (this one, the volunteer's offer page). */
export const PRIVATE_PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;font-size:1.25rem;line-height:1.6;color:#1a1a1a;background:#fff}
main{max-width:44rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.3;margin:.5rem 0 1rem}
h2{font-size:1.3rem;margin:1.75rem 0 .5rem;border-bottom:2px solid #ccc}
.en{display:block;font-size:1rem;font-weight:400;color:#444}
button .en{color:#fff}
.state{font-size:1.5rem;font-weight:700;margin:.25rem 0}
dl{margin:0}
dt{font-weight:700;margin-top:.75rem}
dd{margin:0;white-space:pre-wrap}
label{display:block;margin:1rem 0 .25rem;font-weight:700}
textarea{width:100%;font-size:1.2rem;padding:.6rem;border:2px solid #555;border-radius:.4rem;font-family:inherit}
button{display:block;width:100%;text-align:center;font-size:1.3rem;font-weight:700;padding:1rem;margin:1rem 0;border-radius:.5rem;border:2px solid #0b5394;color:#fff;background:#0b5394;font-family:inherit}
button.reject{background:#8a0015;border-color:#8a0015}
form{margin:0}
.hint{font-size:1rem;color:#444;margin:.25rem 0}
.errors{border:3px solid #b00020;padding:.5rem 1rem;border-radius:.5rem;margin:0 0 1rem}
.error{color:#8a0015;font-weight:700;margin:.25rem 0}
.done{border:3px solid #1e6b2e;background:#eef8f0;padding:.5rem 1rem;border-radius:.5rem;margin:0 0 1rem}
ol{padding-left:1.5rem}
li{margin:.5rem 0}
footer{margin-top:2rem;font-size:.95rem;color:#444}
`;

const layout = (title: string, body: string) => publicPage(title, PRIVATE_PAGE_CSS, body, "ja", { noindex: true });
const v = (s: string | null | undefined) => escapeHtml(s ?? "");
const bilingual = (ja: string, en: string) => `${v(ja)}<span class="en" lang="en">${v(en)}</span>`;

/** The button of each move the receiver makes. */
export const MOVE_LABELS: Record<ReceiverMove, { ja: string; en: string }> = {
  received: { ja: "受け付けました", en: "Mark as received" },
  accepted: { ja: "引き受けます", en: "Accept" },
  rejected: { ja: "お断りします", en: "Decline" },
  "in-progress": { ja: "対応を始めました", en: "Mark as in progress" },
  "on-hold": { ja: "いったん保留にします", en: "Put on hold" },
  completed: { ja: "対応が完了しました", en: "Mark as completed" },
};

/** The member's details a referral may share (http/referrals.ts SHAREABLE_FIELDS), as the page names them. */
const FIELD_LABELS: Record<string, { ja: string; en: string }> = {
  displayName: { ja: "お名前", en: "Name" },
  fullName: { ja: "氏名", en: "Full name" },
  address: { ja: "住所", en: "Address" },
  phone: { ja: "電話番号", en: "Phone" },
  birthDate: { ja: "生年月日", en: "Date of birth" },
  needNote: { ja: "困りごとの内容", en: "What the need is" },
};

/** A shared detail as people read it: a phone number as its country writes it (090-1234-5678), to tap; the rest as given. */
function detailValue(d: ReceiverView["details"][number]): string {
  if (d.field !== "phone") return v(d.value);
  const shown = formatPhone(d.value);
  return d.value.startsWith("+") ? `<a href="tel:${v(d.value)}">${v(shown)}</a>` : v(shown);
}

/** The moves the receiver can make from `status` on this page, in the page's order. */
export function receiverMoves(status: ReferralStatus): ReceiverMove[] {
  const next = nextStatuses(status, "receiver");
  return RECEIVER_MOVES.filter((m) => next.includes(m));
}

/** What happened on the last POST: a move made, or one refused (why), shown at the top. */
export type ReceiverOutcome = { done: ReceiverMove } | { refused: "reason_required" | "not_allowed" };

function eventLine(e: ReceiverView["events"][number], zone: string): string {
  const when = formatLocal(e.at, zone);
  const who = e.side === "receiver" ? "受け手" : "紹介元";
  const whoEn = e.side === "receiver" ? "receiver" : "referrer";
  if (e.kind === "share") return `${v(when)} ${v(who)}：ご本人の情報を共有 <span lang="en">(${v(whoEn)}: shared the person's details)</span>`;
  const to = e.toStatus ? REFERRAL_STATUS_LABELS[e.toStatus] : null;
  const reason = e.reason ? `（理由：${v(e.reason)}）` : "";
  const what = e.kind === "reopen" ? "再開" : e.kind === "create" ? "紹介" : "";
  return `${v(when)} ${v(who)}：${v(what)}${to ? `${what ? " → " : ""}${v(to.ja)}` : ""}${reason} <span lang="en">(${v(whoEn)}: ${v(to?.en ?? e.kind)})</span>`;
}

/** The referral as its receiver sees it, with a button per allowed move (reject with its reason box), and the outcome of a POST. */
export function receiverPage(token: string, view: ReceiverView, zone: string, outcome?: ReceiverOutcome): PublicPage {
  const r = view.referral;
  const state = REFERRAL_STATUS_LABELS[r.status];
  const to = r.serviceName ? `${r.providerName}（${r.serviceName}）` : r.providerName;
  const moves = receiverMoves(r.status);
  const action = `/referral/${v(token)}`;
  const reasonMissing = outcome && "refused" in outcome && outcome.refused === "reason_required";
  const forms = moves.map((m) => m === "rejected"
    ? `<form method="post" action="${action}"><input type="hidden" name="to" value="rejected">
<label for="reason">お断りする理由（必須）<span class="en" lang="en">Why you decline (required)</span></label>
${reasonMissing ? `<p class="error" id="reason-error">理由を書いてください。<span lang="en">Please give a reason.</span></p>` : ""}<textarea id="reason" name="reason" rows="3"${reasonMissing ? ' aria-describedby="reason-error" aria-invalid="true"' : ""}></textarea>
<button type="submit" class="reject">${bilingual(MOVE_LABELS[m].ja, MOVE_LABELS[m].en)}</button></form>`
    : `<form method="post" action="${action}"><input type="hidden" name="to" value="${v(m)}"><button type="submit">${bilingual(MOVE_LABELS[m].ja, MOVE_LABELS[m].en)}</button></form>`).join("\n");
  const top = !outcome ? ""
    : "done" in outcome
      ? `<section class="done" role="status" aria-labelledby="done-title"><h2 id="done-title">記録しました：${v(MOVE_LABELS[outcome.done].ja)}<span class="en" lang="en">Recorded: ${v(MOVE_LABELS[outcome.done].en)}</span></h2><p>紹介元にも同じ状態が表示されます。<span class="en" lang="en">The referrer sees the same status.</span></p></section>`
      : outcome.refused === "reason_required"
        ? `<section class="errors" role="alert"><p class="error">お断りする理由を書いてください。何も変更していません。<span class="en" lang="en">Please give a reason for declining. Nothing was changed.</span></p></section>`
        : `<section class="errors" role="alert"><p class="error">この操作はできませんでした（状態がすでに変わっています）。何も変更していません。<span class="en" lang="en">This could not be done (the status had changed already). Nothing was changed.</span></p></section>`;
  const details = view.details.length > 0 || view.note
    ? `<dl>${view.details.map((d) => `<dt>${bilingual(FIELD_LABELS[d.field]?.ja ?? d.field, FIELD_LABELS[d.field]?.en ?? d.field)}</dt><dd>${detailValue(d)}</dd>`).join("")}${
      view.note ? `<dt>${bilingual("紹介元からのお願い", "What the referrer asks")}</dt><dd>${v(view.note)}</dd>` : ""}</dl>`
    : view.withheld
      ? `<p>ご本人の同意が確認できないため、表示していません。紹介元にお問い合わせください。<span class="en" lang="en">Not shown: the person's consent to share does not allow it now. Please ask the referrer.</span></p>`
      : `<p>共有された情報はまだありません。<span class="en" lang="en">Nothing has been shared yet.</span></p>`;
  const body = `<h1>ご紹介の受付<span class="en" lang="en">A referral to you</span></h1>
${top}<p>${v(view.senderName)} から ${v(to)} へのご紹介です（${v(formatLocal(r.createdAt, zone))}）。</p>
<p class="hint" lang="en">A referral from ${v(view.senderName)} to ${v(to)}.</p>
<h2>いまの状態<span class="en" lang="en">Status now</span></h2>
<p class="state">${bilingual(state.ja, state.en)}</p>
<h2>ご本人の情報<span class="en" lang="en">About the person</span></h2>
${details}
<h2>状態を知らせる<span class="en" lang="en">Tell the referrer where it stands</span></h2>
${forms || `<p>この紹介は「${v(state.ja)}」です。ここから変えられる状態はありません。<span class="en" lang="en">This referral is ${v(state.en.toLowerCase())}: there is nothing to change here.</span></p>`}
<h2>経過<span class="en" lang="en">History</span></h2>
<ol>${view.events.filter((e) => e.kind !== "delete").map((e) => `<li>${eventLine(e, zone)}</li>`).join("")}</ol>
<footer>アカウントは不要です。このリンクは ${v(formatLocal(view.link.expiresAt, zone))} まで有効です。他の人に渡さないでください。<span lang="en">No account needed. This link works until ${v(formatLocal(view.link.expiresAt, zone))}; please keep it to yourselves.</span></footer>`;
  const status = !outcome || "done" in outcome ? 200 : outcome.refused === "reason_required" ? 400 : 409;
  return { status, html: layout(`ご紹介の受付 | ${to}`, body) };
}

const PROBLEM: Record<ReferralLinkProblem | "error", PageProblem> = {
  unknown: { status: 404, ja: "このリンクは見つかりません。届いたリンクを確かめてください。", en: "This link is not known. Please check the link you received." },
  expired: { status: 410, ja: "このリンクは有効期限が切れています。紹介元に新しいリンクを依頼してください。", en: "This link has expired. Please ask the referrer for a new one." },
  revoked: { status: 410, ja: "このリンクは取り消されました。紹介元にお問い合わせください。", en: "This link was withdrawn. Please ask the referrer." },
  error: { status: 500, ja: "ただいま表示できません。時間をおいてお試しください。", en: "We cannot show this now. Please try again later." },
};

/** A link that does not open (nothing about the referral is shown): 404 unknown, 410 expired or revoked, 500 an error. */
export const receiverProblemPage = problemPageFrom(PROBLEM, layout, "ご紹介の受付");
