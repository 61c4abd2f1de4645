/**
 * The finder's call (seed 001, the sticker model; issue 13): whoever finds a lost
 * or unwell person calls the organisation's number, keys the ID on the sticker,
 * hears that the call is recorded and is put through to the family — the first
 * confirmed contact, then the next when nobody answers or the line is busy —
 * without either side seeing the other's number (the call to the family comes
 * from the organisation's number). Pure: what is said, and who is tried next.
 */
/** A number the finder's call tries: a confirmed contact's phone (E.164). */
export interface FinderDial {
  contactId: string;
  phone: string;
}
/** One leg of the finder's call and how it ended (Twilio's DialCallStatus). */
export interface FinderAttempt {
  contactId: string;
  status: string;
  at: string;
}
export type FinderOutcome = "connected" | "nobody_answered" | "no_contact";

/** Keys pressed to a registration number: digits only (a keypad has no letters); `*` and spaces dropped. */
export function keyedNumber(digits: string): string {
  return digits.replace(/[^0-9]/g, "");
}

/** A wrong or missing number may be keyed again this many times before the call ends. */
export const FINDER_RETRIES = 2;
/** How long each contact's phone rings before the next is tried (Dial `timeout`, seconds). */
export const FINDER_RING_SECONDS = 25;

export const FINDER_WORDS = {
  ask: "こちらは見守りセンターです。ステッカーに書かれた番号を押して、最後にシャープを押してください。",
  wrong: "その番号は見つかりませんでした。もう一度、番号を押して、最後にシャープを押してください。",
  giveUp: "番号を確認できませんでした。急ぎの場合は、110番または119番に電話してください。お電話ありがとうございました。",
  announce: "この通話は録音されます。登録されているご家族におつなぎします。お相手にあなたの電話番号は伝わりません。そのままお待ちください。",
  next: "つながりませんでした。次の方におつなぎします。",
  nobody: "ご家族につながりませんでした。見守りセンターの担当者に伝えました。急ぎの場合は、119番に電話してください。お電話ありがとうございました。",
  noContact: "おつなぎできるご家族の登録がありません。見守りセンターの担当者に伝えました。急ぎの場合は、119番に電話してください。",
  ended: "お電話ありがとうございました。",
} as const;

/** Twilio's DialCallStatus values that mean the contact did not take the call: try the next one. */
const NOT_TAKEN = new Set(["no-answer", "busy", "failed", "canceled"]);

export type NextLeg =
  | { type: "dial"; index: number; dial: FinderDial }
  | { type: "connected"; contactId: string }
  | { type: "nobody_answered" };

/**
 * After leg `index` ended with `status`: connected (`completed`: the contact took
 * the call and it is over), or the next contact in the list, or nobody left.
 */
export function nextLeg(list: FinderDial[], index: number, status: string): NextLeg {
  const current = list[index];
  if (current && !NOT_TAKEN.has(status)) return { type: "connected", contactId: current.contactId };
  const next = list[index + 1];
  return next ? { type: "dial", index: index + 1, dial: next } : { type: "nobody_answered" };
}

/** The team's notice when the call is over: who took it (relation only), or that nobody did. */
export function finderOutcomeText(displayName: string, outcome: "connected" | "nobody_answered" | "no_contact", relation: string | null, when: string): string {
  if (outcome === "connected") {
    return `【見守り】${when}、${displayName}さんの見守りステッカーの番号に発見者から電話があり、ご家族（${relation ?? "連絡先"}）におつなぎしました。\n` +
      `[Mimamori] At ${when} a finder called ${displayName}'s sticker number and was put through to a contact (${relation ?? "contact"}).`;
  }
  const why = outcome === "no_contact" ? "おつなぎできる連絡先が登録されていません" : "どなたにもつながりませんでした";
  return `【見守り】${when}、${displayName}さんの見守りステッカーの番号に発見者から電話がありましたが、${why}。至急ご対応ください。\n` +
    `[Mimamori] At ${when} a finder called ${displayName}'s sticker number; ${outcome === "no_contact" ? "no contact with a phone is registered" : "no contact answered"}. Please act now.`;
}

/** The attempts after leg `index` ended with `status` (a retried callback for the same leg records nothing more). */
export function withAttempt(attempts: FinderAttempt[], index: number, contactId: string, status: string, at: Date): FinderAttempt[] {
  return attempts.length > index ? attempts : [...attempts, { contactId, status, at: at.toISOString() }];
}
