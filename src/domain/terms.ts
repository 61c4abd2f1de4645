/**
 * Terms of use with versions (設定 → 名称・規約). Pure: what a member is asked
 * and whether their recorded agreement is to the current version.
 *
 * A new version asks every member who has not agreed to it to agree again, on
 * their own channel: LINE a message with an 同意する button (postback
 * `a=terms&t=<versionId>`), SMS and e-mail a one-tap link to a page with the
 * terms and an agree button (link purpose `terms`), a phone member nothing —
 * staff read the terms to them and record the agreement on the member's page.
 *
 * Never stop watching someone for paperwork: a member who has not agreed to the
 * current version keeps receiving check-ins and alerts exactly as before; the
 * console only shows that their agreement is to an older version (or missing).
 */
import type { Consent } from "./registration.ts";

/** LINE postback data of the 同意する button (≤ 300 characters: a uuid fits). */
export function termsPostback(versionId: string): string {
  return `a=terms&t=${versionId}`;
}

/** Whether the member's recorded agreement is to `currentVersion` (undefined current: nothing to agree to). */
export function agreedToCurrent(consent: Consent | null | undefined, currentVersion: string | undefined): boolean {
  if (currentVersion === undefined) return true;
  return consent?.termsVersion === currentVersion;
}

/**
 * The request to agree to a new version (Japanese, then English); `url` is the
 * terms' address when published with one. The button (LINE) or link (SMS,
 * e-mail) goes with it.
 */
export function termsRequestText(version: string, url: string | null): string {
  return `【見守り】利用規約を改定しました（第${version}版）。内容をご確認のうえ、「同意する」を押してください。見守りはこれまでどおり続きます。` +
    `${url ? `\n${url}` : ""}\n` +
    `[Mimamori] Our terms of use have changed (version ${version}). Please read them and press "I agree". Your check-ins continue as before.`;
}

/** What a member reads after agreeing (LINE reply). */
export function termsAgreedText(version: string): string {
  return `利用規約（第${version}版）への同意を受け付けました。ありがとうございます。\nThank you: your agreement to the terms (version ${version}) is recorded.`;
}
