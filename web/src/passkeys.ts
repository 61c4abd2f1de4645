/**
 * Passkey ceremonies in the browser (@simplewebauthn/browser): ask the server
 * for options, let the browser talk to the authenticator (the phone's or
 * computer's face, fingerprint or PIN), send the answer back. A cancelled
 * prompt and a browser without WebAuthn become ApiFailures with client codes
 * (`passkey_cancelled`, `passkey_unsupported`), shown as sentences like the API's.
 */
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from "@simplewebauthn/browser";
import { api, ApiFailure } from "./api.ts";

type Options = { challengeId: string; options: never };

function browserFailure(error: unknown): never {
  if (error instanceof ApiFailure) throw error;
  const name = (error as { name?: string } | null)?.name;
  // NotAllowedError: the person cancelled or the prompt timed out; the rest are the browser's refusals.
  throw new ApiFailure(0, name === "NotAllowedError" || name === "AbortError" ? "passkey_cancelled" : "passkey_invalid", String(error));
}

function ensureSupported(): void {
  if (!browserSupportsWebAuthn()) throw new ApiFailure(0, "passkey_unsupported", "WebAuthn is not available");
}

/** Signs in with any passkey of this site; resolves to the new session's CSRF token. */
export async function signInWithPasskey(): Promise<{ csrfToken: string }> {
  ensureSupported();
  const { challengeId, options } = await api<Options>("POST", "/sessions/passkey/options", undefined, { quiet401: true });
  const response = await startAuthentication({ optionsJSON: options }).catch(browserFailure);
  return api<{ csrfToken: string }>("POST", "/sessions/passkey", { challengeId, response }, { quiet401: true });
}

/** Accepts an invitation by registering a passkey; resolves to the new session's CSRF token. */
export async function acceptWithPasskey(code: string, name: string): Promise<{ csrfToken: string }> {
  ensureSupported();
  const { challengeId, options } = await api<Options>("POST", `/invitations/${code}/passkey/options`, undefined, { quiet401: true });
  const response = await startRegistration({ optionsJSON: options }).catch(browserFailure);
  return api<{ csrfToken: string }>("POST", `/invitations/${code}/passkey`, { challengeId, response, name }, { quiet401: true });
}

/** Registers a passkey for the signed-in person. */
export async function addPasskey(name: string): Promise<void> {
  ensureSupported();
  const { challengeId, options } = await api<Options>("POST", "/passkeys/options");
  const response = await startRegistration({ optionsJSON: options }).catch(browserFailure);
  await api("POST", "/passkeys", { challengeId, response, name });
}
