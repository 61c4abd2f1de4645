/** A browser-like client for people's sessions in API tests: keeps the session cookie and echoes the CSRF token on writes. */
import assert from "node:assert/strict";
import { generate } from "otplib";
import { type Api, testWallClock } from "./harness.ts";

export interface PersonClient {
  call<T = any>(method: string, path: string, body?: unknown, options?: { csrf?: boolean }): Promise<{ status: number; body: T; headers: Headers }>;
  cookie: string | undefined;
  csrf: string | undefined;
}

export function personClient(baseUrl: string): PersonClient {
  const client: PersonClient = {
    cookie: undefined,
    csrf: undefined,
    async call(method, path, body, options = {}) {
      const headers: Record<string, string> = {};
      if (client.cookie) headers.cookie = client.cookie;
      if (body !== undefined) headers["content-type"] = "application/json";
      if (client.csrf && options.csrf !== false && method !== "GET") headers["x-csrf-token"] = client.csrf;
      const response = await fetch(`${baseUrl}/api/v1${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const setCookie = response.headers.get("set-cookie");
      if (setCookie) {
        const value = /^mimamori_session=([^;]*)/.exec(setCookie)?.[1];
        client.cookie = value ? `mimamori_session=${value}` : undefined;
      }
      const text = await response.text();
      const parsed = text ? JSON.parse(text) : undefined;
      if (parsed?.csrfToken) client.csrf = parsed.csrfToken;
      return { status: response.status, body: parsed, headers: response.headers };
    },
  };
  return client;
}

/**
 * A fresh authenticator code of a TOTP secret: the test services' wall clock
 * first moves to the next 30-second step, since a code is accepted once.
 */
export async function totpNow(secret: string): Promise<string> {
  testWallClock.advance(30_000);
  return generate({ secret, epoch: Math.floor(testWallClock.now().getTime() / 1000) });
}

export const PASSWORD = "correct horse battery";

/**
 * Invites a person with the admin token and accepts the invitation as they
 * would; returns their signed-in client, id and TOTP secret.
 */
export async function invitedPerson(
  api: Api, baseUrl: string, person: { displayName: string; loginId: string; role: string; teamIds?: string[] },
): Promise<{ client: PersonClient; id: string; secret: string; code: string }> {
  const invited = await api("POST", "/people", person);
  assert.equal(invited.status, 201, JSON.stringify(invited.body));
  const code: string = invited.body.invitation.code;
  const client = personClient(baseUrl);
  const info = await client.call("GET", `/invitations/${code}`);
  assert.equal(info.status, 200, JSON.stringify(info.body));
  const secret: string = info.body.totp.secret;
  const accepted = await client.call("POST", `/invitations/${code}/accept`, { password: PASSWORD, totpCode: await totpNow(secret) });
  assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
  return { client, id: invited.body.person.id, secret, code };
}

/** The invitation link of a mail's text part: [whole link, code]. */
export function invitationLinkOf(text: string | undefined): [string, string] | undefined {
  const match = /(http:\/\/\S+\/invite#([A-Za-z0-9_-]{32}))/.exec(text ?? "");
  return match ? [match[1], match[2]] : undefined;
}
