/**
 * The words a volunteer (生活支援の担い手) receives about a request (issue 14):
 * that one is offered to them, and that one they were told about is no longer
 * needed. Japanese first, then English. The messages name what kind of help is
 * asked and by when to answer, never the member: whom it is for is shown in the
 * volunteer's own view, behind their sign-in — or, for a volunteer without a
 * login, behind the offer's private link — once they accept (a text message
 * or an e-mail is read on a lock screen, forwarded, kept).
 * Sent as the core's generic `person_message` (engine/volunteer-messages.ts).
 */
import { formatLocal } from "../../domain/messages.ts";

/** What a message says on each channel: the e-mail's subject and button label, the full text, an SMS's one line, LINE's text with its link. */
export interface VolunteerMessageWords {
  subject: string;
  linkLabel: string;
  /** Read on e-mail (the link is the mail's button) and on a call (no link). */
  text: string;
  /** An SMS: one Japanese line and the link. */
  sms: string;
  /** LINE: the text and the link. */
  line: string;
}

export interface OfferFacts {
  volunteerName: string;
  /** The kinds of help asked for, as their names (taxonomy terms), in the need's order. */
  helpKinds: string[];
  /** When the help is wanted, if the need says. */
  wantedAt: Date | null;
  /** The deadline to answer; after it the request passes to the next volunteer. */
  respondBy: Date | null;
  /** The organisation's IANA time zone, for the times shown. */
  zone: string;
  /** The volunteer's view in the console (わたしへの依頼), or the offer's private link. */
  url: string;
  /** The volunteer has no login: the link is where they answer, no sign-in needed (and the message says so). */
  viaLink?: boolean;
}

const kindsJa = (kinds: string[]) => (kinds.length ? kinds.join("、") : "生活支援");
const kindsEn = (kinds: string[]) => (kinds.length ? kinds.join(", ") : "daily-life support");

/** A request is offered to the volunteer: what help, when wanted, by when to answer, and where. */
export function offerWords(f: OfferFacts): VolunteerMessageWords {
  const wanted = f.wantedAt ? formatLocal(f.wantedAt, f.zone) : null;
  const by = f.respondBy ? formatLocal(f.respondBy, f.zone) : null;
  const where = f.viaLink ? "このメッセージのリンクから（ログインは不要です）" : "見守り管理画面の「わたしへの依頼」で";
  const whereEn = f.viaLink ? "through the link in this message (no sign-in needed)" : `under "My help requests" in the Mimamori console`;
  const ja = `【見守り】${f.volunteerName}さん、生活支援のお願いがあります（${kindsJa(f.helpKinds)}${wanted ? `、${wanted} ごろ` : ""}）。` +
    `${by ? `${by} までに、` : ""}${where}、引き受けるかどうかお返事ください。`;
  const en = `[Mimamori] ${f.volunteerName}, you are asked to help (${kindsEn(f.helpKinds)}${wanted ? `, around ${wanted}` : ""}). ` +
    `Please answer${by ? ` by ${by}` : ""} ${whereEn}.`;
  return {
    subject: "【見守り】生活支援のお願い / A request for your help",
    linkLabel: f.viaLink ? "お返事する / Answer" : "「わたしへの依頼」を開く / Open My help requests",
    text: `${ja}\n${en}`,
    sms: `【見守り】生活支援のお願いがあります（${kindsJa(f.helpKinds)}）。${by ? `${by} までに` : ""}お返事ください：\n${f.url}`,
    line: `${ja}\n${en}\n${f.url}`,
  };
}

/** A request the volunteer was told about is no longer needed (another volunteer took it, or the need was closed): nothing to do. */
export function withdrawnWords(f: Pick<OfferFacts, "volunteerName" | "helpKinds">): VolunteerMessageWords {
  const ja = `【見守り】${f.volunteerName}さん、先ほどお願いした生活支援（${kindsJa(f.helpKinds)}）は、ほかの方が引き受けたか必要がなくなりました。` +
    "お返事は不要です。ありがとうございました。";
  const en = `[Mimamori] ${f.volunteerName}, the request for help (${kindsEn(f.helpKinds)}) we sent you is no longer needed: ` +
    "someone else took it on, or it was closed. Nothing to do. Thank you.";
  return {
    subject: "【見守り】生活支援のお願いは不要になりました / The request for help is no longer needed",
    linkLabel: "「わたしへの依頼」を開く / Open My help requests",
    text: `${ja}\n${en}`,
    sms: `【見守り】先ほどの生活支援のお願い（${kindsJa(f.helpKinds)}）は不要になりました。お返事は不要です。`,
    line: `${ja}\n${en}`,
  };
}
