/** Small helpers for driving the sandbox contract from tests. */
import assert from "node:assert/strict";
import type { Api } from "./harness.ts";

export interface SandboxMessage {
  id: string;
  to: { kind: string; id: string };
  channel: string;
  kind: string;
  text: string;
  at: string;
  dueAt: string;
  payload: Record<string, unknown>;
}

export function sandbox(api: Api) {
  let cursor = "0";
  return {
    async clockTo(to: string): Promise<string> {
      const r = await api("POST", "/sandbox/clock", { to });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.now;
    },
    async advance(duration: string): Promise<string> {
      const r = await api("POST", "/sandbox/clock", { advance: duration });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.now;
    },
    /** Messages delivered since the last call. */
    async delivered(): Promise<SandboxMessage[]> {
      const r = await api("GET", `/sandbox/outbox?since=${cursor}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      cursor = r.body.cursor;
      return r.body.messages;
    },
    async reply(memberId: string, answer: "ok" | "need_contact") {
      const r = await api("POST", "/sandbox/reply", { memberId, answer });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body;
    },
  };
}

export const memberBody = (overrides: Record<string, unknown> = {}) => ({
  displayName: "山田花子",
  channels: [{ kind: "sandbox", address: "hanako" }],
  plan: { every: "1d", at: "09:00" },
  contacts: [
    { displayName: "山田一郎", relation: "son", channels: [{ kind: "sandbox", address: "ichiro" }] },
    { displayName: "佐藤さん", relation: "neighbour", channels: [{ kind: "sandbox", address: "sato" }] },
    { displayName: "民生委員", relation: "welfare commissioner", channels: [{ kind: "sandbox", address: "minsei" }] },
  ],
  ...overrides,
});

/** An instant `hours` after `base` (ISO), as ISO. */
export function plus(base: string, hours: number): string {
  return new Date(Date.parse(base) + hours * 3_600_000).toISOString();
}

/**
 * A compact view of the messages to the named recipients, for assertions:
 * "+27h alert contact1" — hours after `base`, message kind, recipient name.
 */
export function summary(messages: SandboxMessage[], names: Record<string, string>, base: string, memberId?: string): string[] {
  // A team hears about many members: keep only what concerns this one.
  const concerns = (m: SandboxMessage) =>
    Object.hasOwn(names, m.to.id) && (m.to.kind !== "team" || !memberId || m.payload.memberId === memberId);
  return messages.filter(concerns).map((m) => {
    const hours = (Date.parse(m.at) - Date.parse(base)) / 3_600_000;
    return `+${hours}h ${m.kind} ${names[m.to.id]}`;
  });
}
