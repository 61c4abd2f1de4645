/**
 * The keyholder lookup and the finder's call (seed 001; issue 13): who may be
 * calling about a member, and the words the team is told. Pure.
 */
import { formatLocal } from "../../domain/messages.ts";

/** Who is calling the anchor with a member's number: the police, the fire service, a hospital, someone else. */
export const CALLER_KINDS = ["police", "fire", "hospital", "other"] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];

export interface LookupCaller {
  kind: CallerKind;
  /** The caller's own name (the officer, the nurse). */
  name: string;
  organisation?: string;
  /** A number to call back, in E.164 (read by http/schemas.ts phoneAddress). */
  phone?: string;
}

const CALLER_JA: Record<CallerKind, string> = { police: "警察", fire: "消防", hospital: "病院", other: "その他" };
const CALLER_EN: Record<CallerKind, string> = { police: "the police", fire: "the fire service", hospital: "a hospital", other: "someone" };

/** The team's notice of a keyholder lookup: who called (kind, organisation), why, when. Names no contact. */
export function keyholderLookupText(displayName: string, caller: LookupCaller, reason: string, at: Date, zone: string): string {
  const when = formatLocal(at, zone);
  const org = caller.organisation ? `（${caller.organisation}）` : "";
  const short = reason.length > 200 ? `${reason.slice(0, 199)}…` : reason;
  return `【見守り】${when}、${CALLER_JA[caller.kind]}${org}から${displayName}さんの登録番号の照会がありました。理由：${short}\n` +
    `[Mimamori] At ${when} ${CALLER_EN[caller.kind]}${caller.organisation ? ` (${caller.organisation})` : ""} looked ${displayName} up by registration number. Reason: ${short}`;
}
