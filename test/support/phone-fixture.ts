/**
 * A service whose organisation has its own Twilio account (pointed at the local
 * Twilio-compatible server) and SMTP server (a real one on loopback), on the
 * sandbox clock so a test can step through retries and escalation.
 */
import assert from "node:assert/strict";
import { type DatabaseKind, startTestService, type TestService } from "./harness.ts";
import { type TestSmtpServer, startSmtpServer } from "./smtp-server.ts";
import { startTwilioApiServer, type TwilioApiServer } from "./twilio-api-server.ts";

export const ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
export const AUTH_TOKEN = "twilio-auth-token-for-tests";
export const CALLER_ID = "+81312345678";

export interface PhoneFixture {
  twilio: TwilioApiServer;
  smtp: TestSmtpServer;
  service: TestService;
  organisationId: string;
  /** Let the engine run at the current virtual time (webhooks nudge it; this waits for it). */
  settle(): Promise<void>;
  advance(duration: string): Promise<void>;
  clockTo(iso: string): Promise<void>;
  /** Calls placed to a number, in order. */
  callsTo(number: string): TwilioApiServer["calls"];
  close(): Promise<void>;
}

export async function startPhoneFixture(
  kind: DatabaseKind, twilioSettings: Record<string, unknown> = {}, smtpOptions: Parameters<typeof startSmtpServer>[0] = {},
  /** More service settings (e.g. MIMAMORI_SANDBOX_START). */
  env: Record<string, string> = {},
): Promise<PhoneFixture> {
  const twilio = await startTwilioApiServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
  const smtp = await startSmtpServer(smtpOptions);
  const service = await startTestService(kind, { MIMAMORI_TWILIO_API_BASE: twilio.url, ...env });
  const organisationId: string = (await service.api("GET", "/organisation")).body.id;
  const configured = await service.api("PUT", "/channels/twilio", {
    accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callerId: CALLER_ID, callsPerSecond: 50, messagesPerSecond: 50, ...twilioSettings,
  });
  assert.equal(configured.status, 200, JSON.stringify(configured.body));
  const email = await service.api("PUT", "/channels/email", {
    host: smtp.host, port: smtp.port, secure: false, from: "mimamori@city.example.jp", fromName: "見守り",
  });
  assert.equal(email.status, 200, JSON.stringify(email.body));
  const clock = async (body: Record<string, string>) => {
    const r = await service.api("POST", "/sandbox/clock", body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  return {
    twilio, smtp, service, organisationId,
    settle: () => clock({ advance: "PT0S" }),
    advance: (duration) => clock({ advance: duration }),
    clockTo: (to) => clock({ to }),
    callsTo: (number) => twilio.calls.filter((c) => c.to === number),
    async close() {
      await service.close();
      await twilio.close();
      await smtp.close();
    },
  };
}
