/**
 * People's credentials: passwords hashed with argon2id (@node-rs/argon2, its
 * defaults: 19 MiB, 2 passes — OWASP's minimum for argon2id) and TOTP second
 * factors (RFC 6238: 6 digits, 30-second steps, SHA-1, as every authenticator app
 * reads them; otplib). Times are the wall clock's: an authenticator app knows
 * nothing of the sandbox's virtual time.
 */
import { hash, verify } from "@node-rs/argon2";
import { generateSecret, generateURI, verify as verifyOtp } from "otplib";

/** An argon2id PHC string (`$argon2id$v=19$…`): the library's default algorithm. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** Whether `password` matches an argon2 PHC string; false (never a throw) for a malformed hash. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

/** A new TOTP secret: 20 random bytes, base32. */
export function newTotpSecret(): string {
  return generateSecret();
}

/** The otpauth:// URI an authenticator app reads (as a QR code or typed). */
export function totpUri(secret: string, issuer: string, label: string): string {
  return generateURI({ issuer, label, secret });
}

/** TOTP's time step, in seconds (RFC 6238's default, what every authenticator app uses). */
export const TOTP_STEP_SECONDS = 30;

/**
 * The time step (unix seconds / 30) of the code a 6-digit `code` matches at
 * `now`, allowing one step either side for a phone's clock drift; null when it
 * matches none, or only steps at or before `afterStep` (a code already used:
 * RFC 6238 §5.2 accepts an OTP once).
 */
export async function verifyTotp(secret: string, code: string, now: Date, afterStep: number | null = null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const epoch = Math.floor(now.getTime() / 1000);
  const result = await verifyOtp({ secret, token: code, epoch, epochTolerance: TOTP_STEP_SECONDS });
  if (!result.valid) return null;
  const step = Math.floor(epoch / TOTP_STEP_SECONDS) + result.delta;
  return afterStep !== null && step <= afterStep ? null : step;
}
