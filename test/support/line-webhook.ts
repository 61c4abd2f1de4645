/** Webhook requests shaped as LINE documents them, signed the way LINE signs them. */
import { createHmac, randomBytes } from "node:crypto";
import { validateSignature } from "@line/bot-sdk";
import assert from "node:assert/strict";

export function sign(body: string, channelSecret: string): string {
  const signature = createHmac("sha256", channelSecret).update(body).digest("base64");
  assert.ok(validateSignature(body, channelSecret, signature), "the SDK accepts our signature");
  return signature;
}

let counter = 0;
export function eventId(): string {
  return `01H${Date.now().toString(36).toUpperCase()}${(counter++).toString(36).toUpperCase()}${randomBytes(4).toString("hex").toUpperCase()}`;
}

export type LineEventInput = { type: string; userId: string; timestamp?: number; [key: string]: unknown };

export function lineEvent({ type, userId, timestamp, ...rest }: LineEventInput) {
  return {
    type, mode: "active", timestamp: timestamp ?? Date.now(), webhookEventId: eventId(),
    source: { type: "user", userId }, deliveryContext: { isRedelivery: false },
    ...(type === "unfollow" ? {} : { replyToken: randomBytes(16).toString("hex") }),
    ...rest,
  };
}

export const follow = (userId: string, timestamp?: number) => lineEvent({ type: "follow", userId, timestamp, follow: { isUnblocked: false } });
export const unfollow = (userId: string, timestamp?: number) => lineEvent({ type: "unfollow", userId, timestamp });
export const postback = (userId: string, data: string, timestamp?: number) => lineEvent({ type: "postback", userId, timestamp, postback: { data } });
export const text = (userId: string, value: string, timestamp?: number) =>
  lineEvent({ type: "message", userId, timestamp, message: { type: "text", id: eventId(), quoteToken: "q", text: value } });

export async function postWebhook(baseUrl: string, organisationId: string, channelSecret: string, events: unknown[], signature?: string) {
  const body = JSON.stringify({ destination: "Uxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", events });
  return fetch(`${baseUrl}/webhooks/line/${organisationId}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-line-signature": signature ?? sign(body, channelSecret) },
    body,
  });
}

// ---------------------------------------------------------------------------
// Events in a LINE group (source.type "group"), as LINE documents them: join and
// memberJoined carry a reply token and no userId; leave and memberLeft neither;
// messages and postbacks carry the userId of who sent or tapped.

export type LineGroupEventInput = { type: string; groupId: string; userId?: string; timestamp?: number; [key: string]: unknown };

export function groupEvent({ type, groupId, userId, timestamp, ...rest }: LineGroupEventInput) {
  return {
    type, mode: "active", timestamp: timestamp ?? Date.now(), webhookEventId: eventId(),
    source: userId ? { type: "group", groupId, userId } : { type: "group", groupId }, deliveryContext: { isRedelivery: false },
    ...(type === "leave" || type === "memberLeft" ? {} : { replyToken: randomBytes(16).toString("hex") }),
    ...rest,
  };
}

const users = (userIds: string[]) => ({ members: userIds.map((userId) => ({ type: "user", userId })) });
export const join = (groupId: string, timestamp?: number) => groupEvent({ type: "join", groupId, timestamp });
export const leave = (groupId: string, timestamp?: number) => groupEvent({ type: "leave", groupId, timestamp });
export const memberJoined = (groupId: string, userIds: string[], timestamp?: number) =>
  groupEvent({ type: "memberJoined", groupId, timestamp, joined: users(userIds) });
export const memberLeft = (groupId: string, userIds: string[], timestamp?: number) =>
  groupEvent({ type: "memberLeft", groupId, timestamp, left: users(userIds) });
export const groupPostback = (groupId: string, userId: string, data: string, timestamp?: number) =>
  groupEvent({ type: "postback", groupId, userId, timestamp, postback: { data } });
export const groupText = (groupId: string, userId: string, value: string, timestamp?: number) =>
  groupEvent({ type: "message", groupId, userId, timestamp, message: { type: "text", id: eventId(), quoteToken: "q", text: value } });
