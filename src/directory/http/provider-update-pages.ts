/**
 * The provider's page to update its own entry (/provider-update/{token}), as
 * HTML: pure functions from what to show to a page. Japanese first with English
 * beside, large type, full-width controls, no JavaScript, no external assets
 * (the Content-Security-Policy allows inline styles only), as the network's
 * report form (src/network/providers/report-form/pages.ts).
 */
import { escapeHtml, publicPage } from "../../domain/html.ts";
import type { LinkProblem, ProposalField, ProposalResource, ProposedValues } from "../engine/invitations.ts";
import { type PageProblem, problemPageFrom, type PublicPage } from "../../http/public-pages.ts";

export const PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;font-size:1.25rem;line-height:1.6;color:#1a1a1a;background:#fff}
main{max-width:44rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.3;margin:.5rem 0 1rem}
h2{font-size:1.3rem;margin:1.5rem 0 .5rem}
.en{display:block;font-size:1rem;font-weight:400;color:#444}
button .en{color:#fff}
label{display:block;margin:1rem 0 .25rem;font-weight:700}
input[type=text],textarea{width:100%;font-size:1.2rem;padding:.6rem;border:2px solid #555;border-radius:.4rem;font-family:inherit}
button{display:block;width:100%;text-align:center;font-size:1.3rem;font-weight:700;padding:1rem;margin:1.5rem 0;border-radius:.5rem;border:2px solid #0b5394;color:#fff;background:#0b5394;font-family:inherit}
.hint{font-size:1rem;color:#444;margin:.25rem 0}
.errors{border:3px solid #b00020;padding:.5rem 1rem;border-radius:.5rem;margin:0 0 1rem}
.errors h2{color:#8a0015;margin-top:.25rem}
.error{color:#8a0015;font-weight:700;margin:.25rem 0}
.done{border:3px solid #1e6b2e;background:#eef8f0;padding:1rem;border-radius:.5rem}
footer{margin-top:2rem;font-size:.95rem;color:#444}
`;

function layout(title: string, body: string): string {
  return publicPage(title, PAGE_CSS, body, "ja", { noindex: true });
}

/** Labels, Japanese then English, and the control for each field. */
export const FIELD_LABELS: Record<ProposalField, { ja: string; en: string; kind: "text" | "url" | "email" | "textarea" }> = {
  name: { ja: "名称", en: "Name", kind: "text" },
  description: { ja: "説明", en: "Description", kind: "textarea" },
  url: { ja: "ホームページ", en: "Web page", kind: "url" },
  website: { ja: "ホームページ", en: "Website", kind: "url" },
  email: { ja: "メールアドレス", en: "E-mail", kind: "email" },
  eligibilityDescription: { ja: "利用できる人", en: "Who may use it", kind: "textarea" },
  feesDescription: { ja: "料金", en: "Fees", kind: "textarea" },
  applicationProcess: { ja: "申し込み方法", en: "How to apply", kind: "textarea" },
  alert: { ja: "お知らせ（休止中・定員など）", en: "Notice (closed, full…)", kind: "text" },
};

export interface ProposalFieldError { field: string; message: string }

/** The form with the entry's values (or what was sent), and the errors when it was refused. */
export function updateFormPage(token: string, resourceType: ProposalResource, entryName: string, fields: readonly ProposalField[], values: ProposedValues, errors: ProposalFieldError[] = []): PublicPage {
  const v = (s: string | null | undefined) => escapeHtml(s ?? "");
  const errorOf = (f: string) => errors.find((e) => e.field === f);
  const controls = fields.map((f) => {
    const l = FIELD_LABELS[f];
    const e = errorOf(f);
    const described = e ? ` aria-describedby="${f}-error" aria-invalid="true"` : "";
    const error = e ? `<p class="error" id="${f}-error">${v(e.message)}</p>` : "";
    const control = l.kind === "textarea"
      ? `<textarea id="${f}" name="${f}" rows="4"${described}>${v(values[f])}</textarea>`
      // Plain text boxes (the keyboard still fits): the browser's own checks would stop the form with a message in its words, not ours.
      : `<input type="text" id="${f}" name="${f}"${l.kind === "text" ? "" : ` inputmode="${l.kind}" autocomplete="${l.kind === "email" ? "email" : "url"}"`} value="${v(values[f])}"${described}>`;
    return `<label for="${f}">${v(l.ja)}<span class="en" lang="en">${v(l.en)}</span></label>\n${error}${control}`;
  }).join("\n");
  const summary = errors.length > 0
    ? `<section class="errors" aria-labelledby="errors-title"><h2 id="errors-title">送信できませんでした。次の点を直してください。<span class="en" lang="en">Not sent: please correct the following.</span></h2><ul>${
      errors.map((e) => `<li>${v(FIELD_LABELS[e.field as ProposalField]?.ja ?? "")}${FIELD_LABELS[e.field as ProposalField] ? ": " : ""}${v(e.message)}</li>`).join("")}</ul></section>`
    : "";
  const what = resourceType === "service" ? "サービス" : "団体";
  const body = `<h1>掲載内容の更新<span class="en" lang="en">Update your directory entry</span></h1>
<p>${v(entryName)}（${what}）の掲載内容です。変わったところを直して送ってください。地域の相談窓口が確認してから反映します。</p>
<p class="hint" lang="en">Correct what has changed and send it; the coordinator checks it before it is published.</p>
${summary}
<form method="post" action="/provider-update/${v(token)}">
${controls}
<button type="submit">確認を依頼する<span class="en" lang="en">Send for review</span></button>
</form>
<footer>アカウントは不要です。このリンクは一度だけ使えます。<span lang="en">No account needed; this link works once.</span></footer>`;
  return { status: errors.length > 0 ? 400 : 200, html: layout(`掲載内容の更新 | ${entryName}`, body) };
}

export function thanksPage(entryName: string): PublicPage {
  return {
    status: 200,
    html: layout("送信しました", `<h1>送信しました。ありがとうございました。<span class="en" lang="en">Sent. Thank you.</span></h1>
<section class="done" aria-labelledby="done-title"><h2 id="done-title">${escapeHtml(entryName)}</h2>
<p>地域の相談窓口が内容を確認してから、掲載内容に反映します。</p>
<p class="hint" lang="en">The coordinator will check your changes before they are published.</p></section>`),
  };
}

const PROBLEM: Record<LinkProblem | "error", PageProblem> = {
  unknown: { status: 404, ja: "このリンクは見つかりません。届いたメールのリンクを確かめてください。", en: "This link is not known. Please check the link you received." },
  expired: { status: 410, ja: "このリンクは有効期限が切れています。地域の相談窓口に新しいリンクを依頼してください。", en: "This link has expired. Please ask the coordinator for a new one." },
  used: { status: 410, ja: "このリンクは使用済みです。さらに変更があるときは、地域の相談窓口に新しいリンクを依頼してください。", en: "This link was used already. Please ask the coordinator for a new one." },
  error: { status: 500, ja: "ただいま受け付けられません。時間をおいてお試しください。", en: "We cannot take this now. Please try again later." },
  // A withdrawn link reads as an expired one (the provider asks for a new link either way).
  revoked: { status: 410, ja: "このリンクは有効期限が切れています。地域の相談窓口に新しいリンクを依頼してください。", en: "This link has expired. Please ask the coordinator for a new one." },
};

/** The page refusing a link: 404 unknown, 410 expired, used or withdrawn, 500 an error. */
export const providerUpdateProblemPage = problemPageFrom(PROBLEM, layout, "掲載内容の更新");
