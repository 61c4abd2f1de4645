/**
 * The web check-in page behind the one-tap links in SMS and e-mail: pure
 * functions from a link's state (or what pressing its button did) to HTML.
 *
 * Made for an old phone in a shaky hand: large type, full-width buttons, high
 * contrast, Japanese first with English under it, no JavaScript, no external
 * assets but the organisation's logo, served from this same origin (the
 * Content-Security-Policy allows inline styles and our own images, nothing else).
 * The organisation's service name (domain/branding.ts) replaces 見守り / Mimamori
 * in the title, header and footer.
 */
import { DateTime } from "luxon";
import { serviceNames } from "../../domain/branding.ts";
import { broadcastAnswerReply, type BroadcastAnswer } from "../../domain/broadcasts.ts";
import { formatLocal } from "../../domain/messages.ts";
import type { LinkAction, LinkBrand, LinkPurpose, LinkState, UseOutcome } from "../../engine/links.ts";
import { escapeHtml } from "../../domain/html.ts";

export type ValidLink = Exclude<LinkState, { state: "unknown" }>;

export interface Page {
  status: number;
  html: string;
}

interface Label {
  ja: string;
  en: string;
  /** The button's colour. */
  tone: "ok" | "call" | "primary" | "plain" | "danger";
}

/** The buttons of each kind of link, in the order shown. */
export const BUTTONS: { [P in LinkPurpose]: Record<string, Label> } = {
  checkin: {
    ok: { ja: "OK（元気です）", en: "OK, I'm fine", tone: "ok" },
    need_contact: { ja: "連絡がほしい", en: "Please contact me", tone: "call" },
  },
  alert: {
    ack: { ja: "対応します", en: "I'll take it on", tone: "primary" },
    safe: { ja: "連絡がとれた・無事", en: "Reached: safe", tone: "ok" },
    pass: { ja: "次の方へ回す", en: "Pass to the next contact", tone: "plain" },
  },
  confirm_contact: {
    confirm: { ja: "連絡先として登録を確認する", en: "Confirm", tone: "primary" },
  },
  broadcast: {
    safe: { ja: "無事です", en: "I'm safe", tone: "ok" },
    need_help: { ja: "助けが必要", en: "I need help", tone: "danger" },
  },
  terms: {
    agree: { ja: "同意する", en: "I agree", tone: "primary" },
  },
};

/** A paragraph in both languages: Japanese, then English under it. */
interface Bilingual {
  ja: string;
  en: string;
}

const EMERGENCY: Bilingual = { ja: "命にかかわる緊急のときは 119 番に電話してください。", en: "In an emergency, call 119." };
const NOTHING_CHANGED: Bilingual = { ja: "何も変更していません。", en: "Nothing was changed." };

const DONE: { [P in LinkPurpose]: Record<string, Bilingual[]> } = {
  checkin: {
    ok: [{ ja: "ありがとうございます。確認できました。", en: "Thank you. Your check-in has been received." }],
    need_contact: [
      { ja: "担当者に知らせました。", en: "We have told the people who look after you." },
      { ja: "まもなく連絡があります。", en: "Someone will contact you soon." },
      EMERGENCY,
    ],
  },
  alert: {
    ack: [
      { ja: "ありがとうございます。対応をお願いします。", en: "Thank you. Please go ahead." },
      { ja: "ほかの方へのお知らせは止めました。", en: "Nobody else on the list will be alerted." },
    ],
    safe: [
      { ja: "ありがとうございます。無事と記録しました。", en: "Thank you. Recorded as reached and safe." },
      { ja: "この件は解決済みになりました。", en: "The matter is now closed." },
    ],
    pass: [
      { ja: "次の方へ回しました。", en: "Passed on to the next contact." },
      { ja: "次の連絡先の方に、いまお知らせしています。", en: "The next contact on the list is being alerted now." },
    ],
  },
  confirm_contact: {
    confirm: [{ ja: "ありがとうございます。連絡先として確認できました。", en: "Thank you. You are confirmed as a contact." }],
  },
  broadcast: {
    safe: [{ ja: "ありがとうございます。無事と伝えました。", en: "Thank you. We have recorded that you are safe." }],
    need_help: [
      { ja: "担当者に知らせました。", en: "We have told the people who look after you." },
      { ja: "できるだけ早く連絡します。", en: "Someone will contact you as soon as possible." },
      EMERGENCY,
    ],
  },
  terms: {
    agree: [
      { ja: "ありがとうございます。同意を受け付けました。", en: "Thank you. Your agreement is recorded." },
      { ja: "見守りはこれまでどおり続きます。", en: "Your check-ins continue as before." },
    ],
  },
};

function labelOf(purpose: LinkPurpose, action: string | null): Label | undefined {
  return action ? BUTTONS[purpose][action] : undefined;
}

const englishTime = (instant: Date, zone: string) =>
  DateTime.fromJSDate(instant, { zone }).setLocale("en").toFormat("d LLL, HH:mm");

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#fff;color:#111;font:22px/1.6 system-ui,-apple-system,"Hiragino Sans","Noto Sans JP","Noto Sans CJK JP",Meiryo,sans-serif}
main{max-width:34rem;margin:0 auto;padding:20px 16px 32px}
header{font-size:18px;color:#333;border-bottom:2px solid #111;padding-bottom:6px;margin-bottom:18px}
h1{font-size:28px;line-height:1.4;margin:0 0 16px}
p{margin:0 0 16px}
.en{display:block;font-size:18px;color:#333;font-weight:normal}
h1 .en{font-size:20px;margin-top:4px}
.note{border-left:6px solid #111;background:#f2f2f2;padding:12px 14px}
.warn{border-left-color:#a33b00;background:#fff1e6}
.message{white-space:pre-wrap;border:2px solid #111;padding:12px 14px}
form{margin:24px 0 0}
button{display:block;width:100%;min-height:72px;margin:0 0 18px;padding:12px 16px;border:3px solid #111;border-radius:14px;
font:inherit;font-size:26px;font-weight:bold;line-height:1.3;text-align:center;cursor:pointer}
button .en{font-size:18px;color:inherit;margin-top:2px}
button:focus-visible{outline:4px solid #0b57d0;outline-offset:3px}
.ok{background:#12703a;border-color:#0b4d27;color:#fff}
.call{background:#ffa02e;border-color:#8a4a00;color:#111}
.primary{background:#0b4fb3;border-color:#073577;color:#fff}
.danger{background:#b3261e;border-color:#7a1a14;color:#fff}
.plain{background:#fff;color:#111}
.result{font-size:26px;font-weight:bold}
.logo{display:block;max-width:100%;max-height:120px;height:auto;margin:0 0 8px}
.terms{white-space:pre-wrap;border:2px solid #111;padding:12px 14px;max-height:60vh;overflow:auto;font-size:18px}
a{color:#0b4fb3}
footer{margin-top:28px;font-size:16px;color:#444}
`;

function bilingual(b: Bilingual, className?: string): string {
  const cls = className ? ` class="${className}"` : "";
  return `<p${cls}>${escapeHtml(b.ja)}<span class="en" lang="en">${escapeHtml(b.en)}</span></p>`;
}

const DEFAULT_BRAND: LinkBrand = { serviceName: null, logoPath: null };

function layout(title: Bilingual, body: string, brand: LinkBrand = DEFAULT_BRAND): string {
  const name = serviceNames(brand.serviceName);
  const heading = brand.serviceName
    ? escapeHtml(name.ja)
    : `${escapeHtml(name.ja)} <span lang="en">${escapeHtml(name.en)}</span>`;
  const logo = brand.logoPath ? `<img class="logo" src="${escapeHtml(brand.logoPath)}" alt="${escapeHtml(name.ja)}">` : "";
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title.ja)} | ${brand.serviceName ? escapeHtml(name.ja) : "見守り Mimamori"}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>${logo}${heading}</header>
<h1>${escapeHtml(title.ja)}<span class="en" lang="en">${escapeHtml(title.en)}</span></h1>
${body}
<footer>このページは${escapeHtml(name.ja)}サービスからのお知らせのリンクです。<span class="en" lang="en">This page belongs to a link in a message from the ${escapeHtml(name.en)} check-in service.</span></footer>
</main>
</body>
</html>
`;
}

function buttons(purpose: LinkPurpose): string {
  const list = Object.entries(BUTTONS[purpose]).map(([action, label]) =>
    `<button type="submit" name="action" value="${escapeHtml(action)}" class="${label.tone}">${escapeHtml(label.ja)}<span class="en" lang="en">${escapeHtml(label.en)}</span></button>`);
  return `<form method="post">\n${list.join("\n")}\n</form>`;
}

/** What the link is about, above its buttons. */
function introduction(link: ValidLink): { title: Bilingual; body: string[] } {
  const name = link.memberName ?? "";
  const zone = link.timeZone;
  const at = link.since ? { ja: formatLocal(link.since, zone), en: englishTime(link.since, zone) } : null;
  switch (link.purpose) {
    case "checkin":
      return {
        title: name
          ? { ja: `${name}さん、見守りの確認です`, en: `Hello ${name}, this is your check-in` }
          : { ja: "見守りの確認です", en: "This is your check-in" },
        body: [
          ...(at ? [bilingual({ ja: `${at.ja} の確認です。`, en: `Check-in of ${at.en}.` })] : []),
          bilingual({
            ja: "お元気でしたら「OK」を、連絡がほしいときは「連絡がほしい」を押してください。",
            en: "Press OK if you are fine, or “Please contact me” if you would like someone to get in touch.",
          }),
        ],
      };
    case "alert": {
      const kind = link.incident?.kind;
      const what: Bilingual = kind === "contact_requested"
        ? { ja: `${name}さんが「連絡がほしい」と回答しました${at ? `（${at.ja}）` : ""}。ご連絡をお願いします。`,
          en: `${name} asked to be contacted${at ? ` (${at.en})` : ""}. Please get in touch.` }
        : kind === "help_requested"
        ? { ja: `${name}さんが安否確認に「助けが必要」と回答しました${at ? `（${at.ja}）` : ""}。至急ご対応ください。`,
          en: `${name} answered “I need help” to a safety check${at ? ` (${at.en})` : ""}. Please act now.` }
        : { ja: `${name}さんから${at ? ` ${at.ja} 以降、` : ""}応答がありません。安否の確認をお願いします。`,
          en: `${name} has not answered${at ? ` since ${at.en}` : ""}. Please check on them.` };
      const body = [bilingual(what)];
      const incident = link.incident;
      if (incident?.status === "acknowledged") {
        body.push(bilingual({
          ja: `すでに${incident.acknowledgedBy ? ` ${incident.acknowledgedBy} が` : "ほかの方が"}対応しています。`,
          en: `Already taken on${incident.acknowledgedBy ? ` by ${incident.acknowledgedBy}` : " by someone else"}.`,
        }, "note"));
      }
      body.push(bilingual({
        ja: "対応できるときは「対応します」を、本人と連絡がとれて無事なら「連絡がとれた・無事」を、対応できないときは「次の方へ回す」を押してください。",
        en: "Press “I'll take it on” if you can go, “Reached: safe” if you have spoken to them and they are fine, or “Pass to the next contact” if you cannot.",
      }));
      return { title: { ja: "見守りのお知らせ", en: "Mimamori alert" }, body };
    }
    case "confirm_contact":
      return {
        title: { ja: "見守りの連絡先の確認", en: "Please confirm you are a contact" },
        body: [bilingual({
          ja: `${name ? `${name}さんの` : ""}見守りの連絡先として登録されました。よろしければ下のボタンを押してください。`,
          en: `You have been registered as a contact${name ? ` for ${name}` : ""}. If that is right, please press the button below.`,
        })],
      };
    case "broadcast":
      return {
        title: link.drill ? { ja: "安否確認（訓練）", en: "Safety check (drill)" } : { ja: "安否確認", en: "Safety check" },
        body: [
          ...(link.drill ? [bilingual({ ja: "【訓練】これは訓練です。", en: "[DRILL] This is an exercise." }, "note warn")] : []),
          ...(link.broadcastText ? [`<p class="message">${escapeHtml(link.broadcastText)}</p>`] : []),
          bilingual({ ja: "無事ですか？", en: "Are you safe?" }, "result"),
        ],
      };
    case "terms": {
      const terms = link.terms;
      const version = terms?.version ?? "";
      return {
        title: { ja: `利用規約（第${version}版）への同意のお願い`, en: `Please agree to our terms of use (version ${version})` },
        body: [
          bilingual({
            ja: "利用規約を改定しました。内容をお読みいただき、よろしければ「同意する」を押してください。見守りはこれまでどおり続きます。",
            en: "Our terms of use have changed. Please read them and press “I agree”. Your check-ins continue as before.",
          }),
          ...(terms?.body ? [`<div class="terms" tabindex="0" role="region" aria-label="利用規約 Terms of use">${escapeHtml(terms.body)}</div>`] : []),
          ...(terms?.url ? [`<p><a href="${escapeHtml(terms.url)}" rel="noopener noreferrer">利用規約を開く<span class="en" lang="en">Open the terms of use</span></a></p>`] : []),
        ],
      };
    }
  }
}

/** The page for a link opened (GET): its buttons, or why there are none. Never changes anything. */
export function linkPage(state: LinkState, notice?: Bilingual): Page {
  if (state.state === "unknown") return unknownPage();
  if (state.state === "expired") return expiredPage(state.purpose, state.brand);
  if (state.state === "used") return usedPage(state.purpose, state.usedFor, state.brand);
  const { title, body } = introduction(state);
  const settled = state.purpose === "alert" && state.incident?.status === "resolved";
  const parts = [
    ...(notice ? [bilingual(notice, "note warn")] : []),
    ...body,
    settled
      ? bilingual({ ja: "この件はすでに解決済みです。対応は必要ありません。", en: "This has already been settled. Nothing more is needed." }, "note")
      : buttons(state.purpose),
  ];
  return { status: notice ? 400 : 200, html: layout(title, parts.join("\n"), state.brand) };
}

export function unknownPage(brand?: LinkBrand): Page {
  return {
    status: 404,
    html: layout({ ja: "このリンクは無効です。", en: "This link is not valid." }, [
      bilingual({ ja: "リンクが途中で切れていないか、お確かめください。", en: "Please check that the whole link was opened." }),
      bilingual(NOTHING_CHANGED),
    ].join("\n"), brand),
  };
}

export function expiredPage(purpose: LinkPurpose, brand?: LinkBrand): Page {
  const next = purpose === "checkin"
    ? [bilingual({ ja: "次のお知らせのリンクからお答えください。", en: "Please answer from the link in the next message." })]
    : [];
  return {
    status: 410,
    html: layout({ ja: "このリンクは有効期限が切れています。", en: "This link has expired." },
      [bilingual(NOTHING_CHANGED), ...next].join("\n"), brand),
  };
}

export function usedPage(purpose: LinkPurpose, usedFor: string | null, brand?: LinkBrand): Page {
  const label = labelOf(purpose, usedFor);
  const what = label
    ? [bilingual({ ja: `「${label.ja}」として受け付け済みです。`, en: `It was already used for “${label.en}”.` })]
    : [];
  return {
    status: 410,
    html: layout({ ja: "このリンクはすでに使われています。", en: "This link has already been used." },
      [...what, bilingual({ ja: "今回は何も変更していません。", en: "Nothing was changed this time." })].join("\n"), brand),
  };
}

/** The button did something else already (someone else took the incident on, or it is settled). */
export function alreadyHandledPage(state: LinkState): Page {
  const incident = state.state !== "unknown" ? state.incident : null;
  const by = incident?.acknowledgedBy;
  const body = [
    bilingual({ ja: "この件はすでにほかの方が対応しています。", en: "This has already been handled by someone else." }),
    ...(by ? [bilingual({ ja: `対応: ${by}`, en: `Taken on by: ${by}` }, "note")] : []),
    ...(incident?.status === "resolved"
      ? [bilingual({ ja: "この件は解決済みです。", en: "The matter is closed." }, "note")] : []),
    bilingual(NOTHING_CHANGED),
  ];
  return { status: 409, html: layout({ ja: "すでに対応済みです", en: "Already handled" }, body.join("\n"), state.state !== "unknown" ? state.brand : undefined) };
}

export function donePage(purpose: LinkPurpose, action: LinkAction, brand?: LinkBrand, drill = false): Page {
  // A drill's answer says so, and how to ask for real help (domain/broadcasts.ts).
  const drillReply = purpose === "broadcast" && drill ? broadcastAnswerReply(action as BroadcastAnswer, true) : undefined;
  const lines = drillReply ? drillReply.ja.map((ja, i) => ({ ja, en: drillReply.en[i] ?? "" }))
    : DONE[purpose][action] ?? [{ ja: "受け付けました。", en: "Done." }];
  const [first, ...rest] = lines;
  const label = labelOf(purpose, action);
  return {
    status: 200,
    html: layout(first, [
      ...(label ? [bilingual({ ja: `「${label.ja}」を受け付けました。`, en: `Received: “${label.en}”.` })] : []),
      ...rest.map((b) => bilingual(b)),
      bilingual({ ja: "このページは閉じてかまいません。", en: "You can close this page now." }),
    ].join("\n"), brand),
  };
}

/** The page after a button was pressed (POST); `state` is the link as it is now (for an invalid action, its buttons again). */
export function outcomePage(outcome: UseOutcome, state: LinkState, brand?: LinkBrand): Page {
  const shown = brand ?? (state.state !== "unknown" ? state.brand : undefined);
  switch (outcome.status) {
    case "done":
      return donePage(outcome.purpose, outcome.action, shown, outcome.drill);
    case "unknown":
      return unknownPage();
    case "expired":
      return expiredPage(state.state === "unknown" ? "checkin" : state.purpose, shown);
    case "used":
      return usedPage(state.state === "unknown" ? "checkin" : state.purpose, outcome.usedFor, shown);
    case "already_handled":
      return alreadyHandledPage(state);
    case "invalid_action":
      if (state.state !== "valid") return linkPage(state);
      return linkPage(state, { ja: "そのボタンはこのリンクでは使えません。下のボタンから選んでください。", en: "That choice is not available for this link. Please choose one of the buttons below." });
  }
}

/** A request the page cannot take (too large, wrong form) or a fault on our side. */
export function problemPage(status: number): Page {
  const body = status >= 500
    ? [bilingual({ ja: "申し訳ありません。いま受け付けられませんでした。しばらくしてから、もう一度お試しください。", en: "Sorry, we could not take this just now. Please try again in a little while." })]
    : [bilingual({ ja: "この送信は受け付けられませんでした。リンクを開き直して、ボタンを押してください。", en: "This could not be accepted. Please open the link again and press a button." })];
  return { status, html: layout({ ja: "受け付けられませんでした", en: "Not accepted" }, [...body, bilingual(NOTHING_CHANGED)].join("\n")) };
}
