/**
 * A service on a fresh database with its organisation's LINE channel pointed at a
 * local LINE-compatible server: what every LINE end-to-end test starts from.
 */
import assert from "node:assert/strict";
import { type DatabaseKind, startTestService, type TestService } from "./harness.ts";
import { type LineApiServer, startLineApiServer } from "./line-api-server.ts";
import { postWebhook } from "./line-webhook.ts";

export const LINE_SECRET = "line-channel-secret-for-tests";
export const LINE_TOKEN = "line-channel-access-token-for-tests";

export interface LineFixture {
  line: LineApiServer;
  service: TestService;
  organisationId: string;
  /** Deliver signed webhook events, then let the engine apply them and send what they cause. */
  send(...events: unknown[]): Promise<void>;
  pushesTo(to: string): LineApiServer["pushes"];
  /** The text (or alt text) of the last message pushed to someone. */
  lastTextTo(to: string): string;
  close(): Promise<void>;
}

export async function startLineFixture(
  kind: DatabaseKind, channelSettings: Record<string, unknown> = {}, env: Record<string, string> = {},
): Promise<LineFixture> {
  const line = await startLineApiServer({ channelAccessToken: LINE_TOKEN });
  const service = await startTestService(kind, { MIMAMORI_LINE_API_BASE: line.url, ...env });
  const organisationId: string = (await service.api("GET", "/organisation")).body.id;
  const configured = await service.api("PUT", "/channels/line", { channelSecret: LINE_SECRET, channelAccessToken: LINE_TOKEN, ...channelSettings });
  assert.equal(configured.status, 200, JSON.stringify(configured.body));
  const pushesTo = (to: string) => line.pushes.filter((p) => p.body.to === to);
  return {
    line, service, organisationId, pushesTo,
    async send(...events) {
      const r = await postWebhook(service.url, organisationId, LINE_SECRET, events);
      assert.equal(r.status, 200);
      await service.api("POST", "/sandbox/clock", { advance: "PT0S" });
    },
    lastTextTo(to) {
      const message = pushesTo(to).at(-1)?.body.messages[0] as { text?: string; altText?: string } | undefined;
      return message?.text ?? message?.altText ?? "";
    },
    async close() {
      await service.close();
      await line.close();
    },
  };
}

/** The postback data of every button and quick reply in a request body. */
export function postbacksIn(value: unknown): string[] {
  return JSON.stringify(value).match(/"data":"([^"]+)"/g)?.map((m) => m.slice(8, -1).replaceAll("\\u0026", "&")) ?? [];
}
