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

/** Whether a 6-digit code matches the secret at `now`, allowing one step either side for a phone's clock drift. */
export async function verifyTotp(secret: string, code: string, now: Date): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const result = await verifyOtp({ secret, token: code, epoch: Math.floor(now.getTime() / 1000), epochTolerance: 30 });
  return result.valid;
}
