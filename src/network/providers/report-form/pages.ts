/**
 * The partner's report form (/r/{short_code}) and the public page of listed
 * partners, as HTML: pure functions from what to show to a page. Made for a phone
 * on a delivery round: Japanese, large type, full-width controls, no JavaScript,
 * no external assets (the Content-Security-Policy allows inline styles only).
 */
import { type PartnerKind } from "../../domain/partners.ts";
import { CHECKLIST_VALUES, type ReportFieldError, REPORT_SERVICES, URGENCY_VALUES } from "../../domain/reports.ts";
import { DEFAULT_CLOSED_STATUS_NOTES, type ReportStatus, type ReportUrgency } from "../../domain/triage.ts";
import { escapeHtml, publicPage } from "../../../domain/html.ts";

import type { PublicPage } from "../../../http/public-pages.ts";

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;font-size:1.25rem;line-height:1.6;color:#1a1a1a;background:#fff}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.3;margin:.5rem 0 1rem}
h2{font-size:1.3rem;margin:1.5rem 0 .5rem}
.partner{color:#333;font-size:1rem;margin:0}
.call{border:4px solid #b00020;background:#fff0f0;padding:1rem;margin:0 0 1.5rem;border-radius:.5rem}
.call p{font-size:1.6rem;font-weight:700;color:#8a0015;margin:0 0 1rem}
.call a{display:block;text-align:center;font-size:1.6rem;font-weight:700;line-height:1.3;padding:.75rem .5rem;margin:.5rem 0;border-radius:.5rem;background:#b00020;color:#fff;text-decoration:none}
.call a small{display:block;font-size:1.1rem;font-weight:400}
.call p.hint{font-size:1rem;font-weight:400;color:#1a1a1a;margin:.75rem 0 0}
.urgency a,button,.button{display:block;width:100%;text-align:center;font-size:1.3rem;font-weight:700;padding:1rem;margin:.75rem 0;border-radius:.5rem;border:2px solid #1a1a1a;text-decoration:none;color:#1a1a1a;background:#f2f2f2;font-family:inherit}
.urgency a.emergency{background:#b00020;color:#fff;border-color:#b00020}
.urgency a.consult{background:#fff4d6}
.urgency small{display:block;font-weight:400;font-size:1rem}
button{background:#0b5394;color:#fff;border-color:#0b5394}
fieldset{border:1px solid #767676;border-radius:.5rem;margin:1rem 0;padding:.5rem 1rem}
legend{font-weight:700;padding:0 .25rem}
label{display:block;margin:.5rem 0}
.choice label{display:flex;gap:.75rem;align-items:center;padding:.4rem 0}
.choice input{width:1.6rem;height:1.6rem;flex:none}
input[type=text],input[type=tel],textarea{width:100%;font-size:1.2rem;padding:.6rem;border:2px solid #555;border-radius:.4rem;font-family:inherit}
.hint{font-size:1rem;color:#444;margin:.25rem 0}
.errors{border:3px solid #b00020;padding:.5rem 1rem;border-radius:.5rem;margin:0 0 1rem}
.errors h2{color:#8a0015;margin-top:.25rem}
.error{color:#8a0015;font-weight:700;margin:.25rem 0}
.done{border:3px solid #1e6b2e;background:#eef8f0;padding:1rem;border-radius:.5rem}
.done h2{margin-top:0}
.ref{font-family:ui-monospace,monospace;font-size:1.1rem;word-break:break-all}
ul.partners{list-style:none;padding:0}
ul.partners li{border-bottom:1px solid #ccc;padding:.75rem 0}
ul.partners .kind{font-size:1rem;color:#444}
footer{margin-top:2rem;font-size:.95rem;color:#444}
`;

function layout(title: string, body: string, lang = "ja"): string {
  return publicPage(title, CSS, body, lang);
}

/** The warning 通報 shows before anything else, with the numbers to call. */
export const CALL_NOW = "今すぐ110番（警察）または119番（救急）に電話してください";

/** The call-now box; `thenReport` adds, on the form, that the anchor wants to hear too once the call is made. */
function callNow(thenReport = false): string {
  // The number first and big, what it is for below: a phone's width keeps each button to two short lines.
  return `<section class="call" aria-labelledby="call-now"><p id="call-now">${CALL_NOW}</p>
<a href="tel:110">110番に電話する<small>（警察）</small></a>
<a href="tel:119">119番に電話する<small>（救急・消防）</small></a>
${thenReport ? '<p class="hint">電話のあとで、このページから見守りアンカーにも知らせてください。</p>' : ""}</section>`;
}

const URGENCY_HINT: Record<ReportUrgency, string> = {
  watch: "気になることがある。様子を見てほしい",
  consult: "確認や相談をしてほしい",
  emergency: "倒れている、助けを求めているなど、緊急",
};

/** The first page: whom the report goes through and the three urgencies as big links. */
export function startPage(partnerName: string, code: string): PublicPage {
  const links = URGENCY_VALUES.map((u) => `<a class="${u.key}" href="/r/${escapeHtml(code)}?u=${u.key}">${escapeHtml(u.name)}<small>${escapeHtml(URGENCY_HINT[u.key as ReportUrgency])}</small></a>`).join("\n");
  return {
    status: 200,
    html: layout("見守りの気づきを知らせる", `<p class="partner">${escapeHtml(partnerName)}</p>
<h1>見守りの気づきを知らせる</h1>
<p>どのくらい急ぎますか。</p>
<nav class="urgency" aria-label="緊急度">
${links}
</nav>
<footer>アカウントは不要です。送られた内容は地域の見守りアンカー（相談窓口）だけが見ます。</footer>`),
  };
}

/** What the form had when it was sent (to show it again with the errors). */
export interface FormValues {
  urgency: ReportUrgency;
  serviceCode: string;
  signs: string[];
  address: string;
  registrationNumber: string;
  description: string;
  reporterName: string;
  reporterPhone: string;
  idempotencyKey: string;
}

const FIELD_LABEL: Record<string, string> = {
  serviceCode: "どんな様子か", urgency: "緊急度", signs: "気づいたこと", address: "場所（住所）", registrationNumber: "登録番号",
  description: "くわしい様子", reporterName: "お名前", reporterPhone: "電話番号", where: "場所", lat: "位置", long: "位置", requestedAt: "日時", idempotencyKey: "送信",
};

const FIELD_MESSAGE: Record<string, string> = {
  serviceCode: "どんな様子かを選んでください。",
  urgency: "緊急度を選び直してください。",
  signs: "気づいたことを一覧から選んでください。",
  address: "住所は200文字までで入力してください。",
  registrationNumber: "登録番号は4〜16けたの英数字です（キーホルダーやカードの番号）。",
  description: "くわしい様子は2000文字までで入力してください。",
  reporterName: "お名前は100文字までで入力してください。",
  reporterPhone: "電話番号を確かめてください（例: 03-1234-5678、090-1234-5678）。",
  where: "場所を教えてください。住所か登録番号のどちらかを入力してください。",
};

/** The report form for one urgency (通報: the call-now warning first), with errors when it was refused. */
export function formPage(partnerName: string, code: string, values: FormValues, errors: ReportFieldError[] = []): PublicPage {
  const v = (s: string) => escapeHtml(s);
  const errorOf = (field: string) => errors.find((e) => e.field === field);
  const errorText = (field: string) => {
    const e = errorOf(field);
    return e ? `<p class="error" id="${field}-error">${escapeHtml(FIELD_MESSAGE[field] ?? e.message)}</p>` : "";
  };
  const described = (field: string, hint?: string) => {
    const ids = [hint, errorOf(field) ? `${field}-error` : undefined].filter(Boolean).join(" ");
    return `${ids ? ` aria-describedby="${ids}"` : ""}${errorOf(field) ? ' aria-invalid="true"' : ""}`;
  };
  const urgency = URGENCY_VALUES.find((u) => u.key === values.urgency)!;
  const services = REPORT_SERVICES.map((s, i) => `<label><input type="radio" name="service_code" value="${v(s.code)}"${values.serviceCode === s.code || (values.serviceCode === "" && i === 0) ? " checked" : ""}> ${v(s.name)}</label>`).join("\n");
  const signs = CHECKLIST_VALUES.map((s) => `<label><input type="checkbox" name="signs" value="${v(s.key)}"${values.signs.includes(s.key) ? " checked" : ""}> ${v(s.name)}</label>`).join("\n");
  const summary = errors.length > 0
    ? `<section class="errors" aria-labelledby="errors-title"><h2 id="errors-title">送信できませんでした。次の点を直してください。</h2><ul>${
      [...new Set(errors.map((e) => e.field))].map((f) => `<li>${escapeHtml(FIELD_LABEL[f] ?? f)}: ${escapeHtml(FIELD_MESSAGE[f] ?? errors.find((e) => e.field === f)!.message)}</li>`).join("")}</ul></section>`
    : "";
  const title = `${urgency.name.replace(/（.*$/, "")}を知らせる`;
  const body = `${values.urgency === "emergency" ? callNow(true) : ""}
<p class="partner">${v(partnerName)}</p>
<h1>${v(title)}</h1>
${summary}
<form method="post" action="/r/${v(code)}">
<input type="hidden" name="urgency" value="${v(values.urgency)}">
<input type="hidden" name="key" value="${v(values.idempotencyKey)}">
<p>緊急度: <strong>${v(urgency.name)}</strong>（<a href="/r/${v(code)}">選び直す</a>）</p>
<fieldset class="choice"${described("serviceCode")}><legend>どんな様子ですか</legend>
${errorText("serviceCode")}${services}
</fieldset>
<fieldset class="choice"${described("signs")}><legend>気づいたこと（いくつでも）</legend>
${errorText("signs")}${signs}
</fieldset>
<fieldset><legend>場所</legend>
<p class="hint" id="where-hint">住所か、見守りキーホルダー・カードの登録番号のどちらかを入れてください。</p>
${errorText("where")}
<label for="address">住所</label>
${errorText("address")}<input type="text" id="address" name="address" autocomplete="off" value="${v(values.address)}"${described("address", "where-hint")}>
<label for="registration_number">登録番号（キーホルダー・カード）</label>
${errorText("registrationNumber")}<input type="text" id="registration_number" name="registration_number" inputmode="latin" autocomplete="off" value="${v(values.registrationNumber)}"${described("registrationNumber", "where-hint")}>
</fieldset>
<label for="description">くわしい様子（任意）</label>
${errorText("description")}<textarea id="description" name="description" rows="4"${described("description")}>${v(values.description)}</textarea>
<fieldset><legend>あなたの連絡先（任意）</legend>
<p class="hint" id="reporter-hint">確認のためにアンカーから連絡することがあります。公開されません。</p>
<label for="reporter_name">お名前</label>
${errorText("reporterName")}<input type="text" id="reporter_name" name="reporter_name" autocomplete="name" value="${v(values.reporterName)}"${described("reporterName", "reporter-hint")}>
<label for="reporter_phone">電話番号</label>
${errorText("reporterPhone")}<input type="tel" id="reporter_phone" name="reporter_phone" autocomplete="tel" value="${v(values.reporterPhone)}"${described("reporterPhone", "reporter-hint")}>
</fieldset>
<button type="submit">送信する</button>
</form>`;
  return { status: errors.length > 0 ? 400 : 200, html: layout(title, body) };
}

/** After sending: thanks, the reference code and where the status can be read later. */
export function thanksPage(partnerName: string, code: string, reference: string, urgency: ReportUrgency): PublicPage {
  return {
    status: 200,
    html: layout("送信しました", `${urgency === "emergency" ? callNow() : ""}
<p class="partner">${escapeHtml(partnerName)}</p>
<h1>送信しました。ありがとうございました。</h1>
<section class="done" aria-labelledby="ref-title"><h2 id="ref-title">受付番号</h2>
<p class="ref">${escapeHtml(reference)}</p>
<p>見守りアンカーが内容を確認します。対応の状況は次のページで確かめられます（個人の情報は表示されません）。</p>
<a class="button" href="/r/${escapeHtml(code)}/s/${escapeHtml(reference)}">対応の状況を見る</a></section>
<a class="button" href="/r/${escapeHtml(code)}">別の気づきを知らせる</a>`),
  };
}

/** The public status of a report: open or closed with its status note; nothing personal. */
export function statusPage(partnerName: string, code: string, reference: string, status: ReportStatus, statusNotes: string | null): PublicPage {
  const text = status === "closed" ? (statusNotes ?? DEFAULT_CLOSED_STATUS_NOTES) : (statusNotes ?? "受け付けました。見守りアンカーが確認しています。");
  return {
    status: 200,
    html: layout("対応の状況", `<p class="partner">${escapeHtml(partnerName)}</p>
<h1>対応の状況</h1>
<section class="done" aria-labelledby="status-title"><h2 id="status-title">${status === "closed" ? "対応済み" : "確認中"}</h2>
<p>${escapeHtml(text)}</p>
<p class="hint">受付番号: <span class="ref">${escapeHtml(reference)}</span></p></section>
<a class="button" href="/r/${escapeHtml(code)}">別の気づきを知らせる</a>`),
  };
}

/** A page for a code or reference that names nothing (or a fault): never a stack trace. */
export function reportFormProblemPage(status: number): PublicPage {
  const text = status === 404 ? "このページは見つかりません。リンクか番号を確かめてください。"
    : status === 413 ? "送られた内容が大きすぎます。短くしてもう一度送ってください。"
    : status < 500 ? "送られた内容を読み取れませんでした。もう一度お試しください。"
    : "ただいま受け付けられません。緊急の場合は110番または119番に電話してください。";
  return { status, html: layout("見守りの気づき", `<h1>${escapeHtml(text)}</h1>${status >= 500 ? callNow() : ""}`) };
}

const KIND_NAME: Record<PartnerKind, string> = { shop: "店舗", home_visit: "訪問・配達", finance: "金融", ict: "ICT・機器", other: "その他" };

/** The public page of the listed partners (no login): name, kind, business, agreement date. */
export function partnersPage(organisationName: string, partners: { name: string; kind: PartnerKind; business: string | null; agreementDate: string | null }[]): PublicPage {
  const items = partners.map((p) => `<li><strong>${escapeHtml(p.name)}</strong><br><span class="kind">${escapeHtml(KIND_NAME[p.kind])}${p.business ? `・${escapeHtml(p.business)}` : ""}${p.agreementDate ? `・協定 ${escapeHtml(p.agreementDate)}` : ""}</span></li>`).join("\n");
  return {
    status: 200,
    html: layout(`見守り協力事業者 | ${organisationName}`, `<p class="partner">${escapeHtml(organisationName)}</p>
<h1>見守り協力事業者</h1>
<p>次の事業者が、地域の見守りに協力しています（見守り協定）。日々の仕事の中でいつもと違う様子に気づいたとき、見守りアンカーに知らせます。</p>
${partners.length > 0 ? `<ul class="partners">${items}</ul>` : "<p>公開している協力事業者はまだありません。</p>"}
<footer lang="en">Partners of the ${escapeHtml(organisationName)} watching network (見守り協定).</footer>`),
  };
}
