/**
 * The public directory page residents read (/directory/{organisationId}): the
 * listed services by kind of help, with when they are open (and the next date),
 * where, how to apply, what it costs and a telephone number. Pure functions from
 * what to show to HTML: Japanese, large type, no JavaScript (a plain GET form
 * filters), no external assets (the Content-Security-Policy allows inline styles
 * only), and a print style that drops the form and keeps each entry on one page.
 */
import { escapeHtml, publicPage } from "../../domain/html.ts";
import type { PublicPage } from "../../http/public-pages.ts";

/** One service as the page shows it (already in words). */
export interface PageService {
  id: string;
  name: string;
  provider: string;
  /** Not "active": 一時休止中, 休止中, 終了. */
  statusText: string | null;
  alert: string | null;
  description: string;
  eligibility: string | null;
  fees: string | null;
  howToApply: string | null;
  /** Schedules in words (describeSchedule). */
  schedules: string[];
  /** The next time it is open or takes place, in words; null when none is known. */
  next: string | null;
  places: { name: string | null; address: string | null; access: string | null }[];
  /** Public phones: `number` as stored (E.164), `national` as people dial it (03-1234-5678). */
  phones: { number: string; national: string; extension: string | null; note: string | null }[];
  url: string | null;
  /** Names of its kinds of help (taxonomy terms). */
  kinds: string[];
}

export interface PageSection {
  /** A top-level kind of help (買い物支援…), or その他. */
  title: string;
  services: PageService[];
}

export interface PageQuery {
  q: string;
  category: string;
  area: string;
}

export interface DirectoryPageModel {
  organisationName: string;
  organisationId: string;
  /** The top-level kinds offered in the filter: code → name. */
  categories: { code: string; name: string }[];
  query: PageQuery;
  sections: PageSection[];
  total: number;
  /** The Tokyo date the page was made, in words. */
  asOf: string;
  page: number;
  pages: number;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;font-size:1.25rem;line-height:1.7;color:#1a1a1a;background:#fff}
main{max-width:48rem;margin:0 auto;padding:1rem}
h1{font-size:1.75rem;line-height:1.3;margin:.5rem 0 1rem}
h2{font-size:1.45rem;margin:2rem 0 .5rem;padding:.25rem .5rem;border-left:.5rem solid #0b5394;background:#eef3fa}
h3{font-size:1.35rem;margin:0 0 .25rem}
.org{color:#333;font-size:1.05rem;margin:0}
form{border:2px solid #555;border-radius:.5rem;padding:.5rem 1rem 1rem;margin:1rem 0}
label{display:block;font-weight:700;margin:.75rem 0 .25rem}
input[type=search],input[type=text],select{width:100%;font-size:1.25rem;padding:.6rem;border:2px solid #555;border-radius:.4rem;font-family:inherit;background:#fff;color:#1a1a1a}
button{display:block;width:100%;margin:1rem 0 0;font-size:1.3rem;font-weight:700;padding:.8rem;border-radius:.5rem;border:2px solid #0b5394;background:#0b5394;color:#fff;font-family:inherit}
.count{font-weight:700}
article{border:2px solid #999;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem;break-inside:avoid}
.provider{font-size:1.05rem;color:#333;margin:0 0 .5rem}
.status{display:inline-block;font-weight:700;color:#fff;background:#8a4b00;border-radius:.3rem;padding:0 .5rem;margin:0 0 .5rem}
.alert{border-left:.4rem solid #b00020;padding:.25rem .75rem;background:#fff0f0;margin:.5rem 0}
dl{margin:.5rem 0;display:grid;grid-template-columns:7.5em 1fr;gap:.25rem 1rem}
dt{font-weight:700}
dd{margin:0;overflow-wrap:anywhere}
ul.plain{list-style:none;margin:0;padding:0}
.next{font-weight:700;color:#1e5b2a}
a{color:#0b4a8a}
.tel{font-size:1.6rem;font-weight:700;display:inline-block;padding:.25rem 0}
nav.pages a,nav.pages span{display:inline-block;margin:.5rem .75rem .5rem 0;font-size:1.2rem}
footer{margin-top:2rem;font-size:1rem;color:#333;border-top:1px solid #999;padding-top:.5rem}
@media (max-width:30rem){dl{grid-template-columns:1fr}dt{margin-top:.5rem}}
@media print{
  body{font-size:12pt;line-height:1.5}
  main{max-width:none;padding:0}
  form,nav.pages,.noprint{display:none}
  h2{background:none;border-left:.3rem solid #000}
  article{border:1px solid #000}
  a{color:#000;text-decoration:none}
  .status{color:#000;background:none;border:1px solid #000}
}
`;

function layout(title: string, body: string): string {
  return publicPage(title, CSS, body);
}

function paragraphs(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, "<br>");
}

function serviceHtml(s: PageService): string {
  const rows: string[] = [];
  const row = (term: string, value: string) => rows.push(`<dt>${term}</dt><dd>${value}</dd>`);
  if (s.schedules.length) row("日時", `<ul class="plain">${s.schedules.map((x) => `<li>${escapeHtml(x)}</li>`).join("")}</ul>`);
  if (s.next) row("次の予定", `<span class="next">${escapeHtml(s.next)}</span>`);
  for (const p of s.places) {
    row("場所", [p.name, p.address].filter(Boolean).map((x) => escapeHtml(x as string)).join("<br>") + (p.access ? `<br>${escapeHtml(p.access)}` : ""));
  }
  if (s.eligibility) row("対象", paragraphs(s.eligibility));
  if (s.fees) row("費用", paragraphs(s.fees));
  if (s.howToApply) row("申し込み", paragraphs(s.howToApply));
  for (const p of s.phones) {
    const digits = p.number.replace(/[^\d+]/g, "");
    const extension = p.extension ? `（内線 ${escapeHtml(p.extension)}）` : "";
    row("電話", `<a class="tel" href="tel:${escapeHtml(digits)}">${escapeHtml(p.national)}</a>${extension}${p.note ? `<br>${escapeHtml(p.note)}` : ""}`);
  }
  if (s.url) row("ホームページ", `<a href="${escapeHtml(s.url)}">${escapeHtml(s.url)}</a>`);
  if (s.kinds.length) row("分類", escapeHtml(s.kinds.join("・")));
  return `<article aria-labelledby="s-${escapeHtml(s.id)}">
<h3 id="s-${escapeHtml(s.id)}">${escapeHtml(s.name)}</h3>
<p class="provider">${escapeHtml(s.provider)}</p>
${s.statusText ? `<p class="status">${escapeHtml(s.statusText)}</p>` : ""}
${s.alert ? `<p class="alert">${paragraphs(s.alert)}</p>` : ""}
${s.description ? `<p>${paragraphs(s.description)}</p>` : ""}
${rows.length ? `<dl>${rows.join("\n")}</dl>` : ""}
</article>`;
}

function queryString(q: PageQuery, page: number): string {
  const params = new URLSearchParams();
  if (q.q) params.set("q", q.q);
  if (q.category) params.set("category", q.category);
  if (q.area) params.set("area", q.area);
  if (page > 1) params.set("page", String(page));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The page of the listed services. */
export function directoryPage(m: DirectoryPageModel): PublicPage {
  const options = [`<option value="">すべて</option>`, ...m.categories.map((c) =>
    `<option value="${escapeHtml(c.code)}"${c.code === m.query.category ? " selected" : ""}>${escapeHtml(c.name)}</option>`)].join("");
  const filtered = m.query.q !== "" || m.query.category !== "" || m.query.area !== "";
  const sections = m.sections.map((sec, i) => `<section aria-labelledby="k-${i}">
<h2 id="k-${i}">${escapeHtml(sec.title)}</h2>
${sec.services.map(serviceHtml).join("\n")}
</section>`).join("\n");
  const base = `/directory/${m.organisationId}`;
  const pager = m.pages > 1
    ? `<nav class="pages" aria-label="ページ">${m.page > 1 ? `<a href="${base}${escapeHtml(queryString(m.query, m.page - 1))}">前のページ</a>` : ""}<span>${m.page} / ${m.pages} ページ</span>${m.page < m.pages ? `<a href="${base}${escapeHtml(queryString(m.query, m.page + 1))}">次のページ</a>` : ""}</nav>`
    : "";
  const body = `<p class="org">${escapeHtml(m.organisationName)}</p>
<h1>暮らしの支えあい・相談先の一覧</h1>
<p>買い物、移動、家事、見守り、集いの場、相談窓口など、地域で使えるサービスの一覧です。日時は ${escapeHtml(m.asOf)} 現在の予定です。</p>
<form method="get" action="${base}" role="search" aria-label="サービスを探す">
<label for="q">ことばで探す</label>
<input type="search" id="q" name="q" value="${escapeHtml(m.query.q)}" maxlength="100" autocomplete="off">
<label for="category">分類</label>
<select id="category" name="category">${options}</select>
<label for="area">住所の郵便番号または町名</label>
<input type="text" id="area" name="area" value="${escapeHtml(m.query.area)}" maxlength="60" autocomplete="postal-code" aria-describedby="area-hint">
<p id="area-hint" class="noprint">例：650-0001 または 加納町。その地域で使えるサービスに絞ります。</p>
<button type="submit">探す</button>
</form>
<p class="count" role="status">${filtered ? "条件に合う" : ""}サービス ${m.total} 件</p>
${m.total === 0 ? `<p>${filtered ? "条件に合うサービスはありません。ことばや分類を変えてお試しください。" : "公開しているサービスはまだありません。"}</p>` : sections}
${pager}
<footer>
<p>くわしくは各サービスへお問い合わせください。分からないときは、お近くの地域包括支援センターや社会福祉協議会にご相談ください。</p>
<p class="noprint">この一覧は Open Referral HSDS 3.1 形式のデータでも公開しています（<a href="/api/v1/hsds/${escapeHtml(m.organisationId)}/services" lang="en">HSDS API</a>）。</p>
</footer>`;
  return { status: 200, html: layout(`地域の支えあい・相談先 | ${m.organisationName}`, body) };
}

/** A page for a refused or missing address (404) or a fault (500), in words. */
export function directoryProblemPage(status: number): PublicPage {
  const text = status === 404 ? "このページは見つかりません。アドレスをお確かめください。"
    : status < 500 ? "入力を読み取れませんでした。もう一度お試しください。"
    : "ただいま表示できません。しばらくしてからもう一度お試しください。";
  return { status, html: layout("地域の支えあい・相談先", `<h1>地域の支えあい・相談先</h1>\n<p>${text}</p>`) };
}
