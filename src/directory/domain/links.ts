/**
 * Private links the directory hands out (a provider's update link, a referral's
 * receiver link): when one has expired. One rule for the pages that refuse an
 * expired link (engine/invitations.ts, engine/referral-links.ts compare the same
 * way) and the lists that show which are still open — by the server's clock,
 * never a browser's. Pure.
 */

/** A link works while now is before its expiry; at or after it, it has expired. */
export function linkExpired(expiresAt: Date, now: Date): boolean {
  return expiresAt.getTime() <= now.getTime();
}
