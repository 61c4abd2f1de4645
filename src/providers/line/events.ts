/**
 * What LINE's webhook events mean here: follow starts the registration
 * conversation; unfollow (or block) pauses the plan and tells the team; taps on
 * a prompt are answers; taps on an alert acknowledge or settle the incident;
 * keywords pause, resume, change the plan, show the next check-in, invite a
 * contact; 無事 / 助けが必要 under a broadcast's question answer it. Replies go
 * through the outbox like every other message. Events from LINE groups go to the
 * group service (groups.ts).
 */
import { createHash, randomInt } from "node:crypto";
import { reportedSafeOutcome } from "../../domain/incident.ts";
import { type Choice, continueRegistration, intervalLabel, type RegistrationInput, type RegistrationResult,
  type RegistrationState, type Say, startChange, startRegistration } from "../../domain/registration.ts";
import { formatLocal } from "../../domain/messages.ts";
import { dateFromEpochDay, epochDay, localDateOf, nextDueOutsidePause, type Pause, type Plan } from "../../domain/schedule.ts";
import { recordAnswersIn } from "../../engine/answers.ts";
import { recordBroadcastAnswerIn } from "../../engine/broadcasts.ts";
import { acknowledgeIncidentIn, resolveIncidentIn } from "../../engine/incidents.ts";
import { createMembersIn, offsetFor, pauseMemberIn, planFrom, resumeMemberIn } from "../../engine/members.ts";
import { enqueue, outboxRow } from "../../engine/outbox.ts";
import type { AccountLookup, ChannelAddress, Db, InboundEvent, InboundHandler } from "../../engine/ports.ts";
import { newId } from "../../ids.ts";
import { type GroupProfileLookup, type LineGroupEvent, LineGroups } from "./groups.ts";
import { parsePostback } from "./messages.ts";

interface LineEvent {
  type: string;
  timestamp: number;
  webhookEventId: string;
  source?: { type: string; userId?: string; groupId?: string };
  postback?: { data: string; params?: Record<string, string> };
  message?: { type: string; text?: string };
}

export const INVITATION_HOURS = 72;
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

export function invitationCode(): string {
  return Array.from({ length: 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join("");
}

export function hashCode(code: string): string {
  return createHash("sha256").update(code.toUpperCase()).digest("hex");
}

/** Create a one-time invitation for a contact; returns the code to pass on. */
export async function inviteContact(tx: Db, organisationId: string, contactId: string, now: Date): Promise<{ code: string; expiresAt: Date }> {
  const code = invitationCode();
  const expiresAt = new Date(now.getTime() + INVITATION_HOURS * 3_600_000);
  await tx.insertInto("contact_invitations").values({
    code_hash: hashCode(code), organisation_id: organisationId, contact_id: contactId, expires_at: expiresAt, created_at: now,
  }).execute();
  return { code, expiresAt };
}

/** A reply to a LINE user, through the outbox like every other message. */
function replyRow(organisationId: string, userId: string, webhookEventId: string, index: number, say: Say, now: Date) {
  return outboxRow({
    organisationId, key: `line-reply:${webhookEventId}:${index}`,
    recipient: { kind: "line_user", id: userId }, channels: [{ kind: "line", address: userId }],
    messageKind: "conversation", text: say.text, payload: { choices: say.choices }, dueAt: now, now,
  });
}

function answerReply(answer: "ok" | "need_contact"): Say {
  return answer === "ok"
    ? { text: "ありがとうございます。確認しました。\nThank you, noted.", choices: [] }
    : { text: "承知しました。担当者からご連絡します。\nWe will contact you soon.", choices: [] };
}

type LineUser = { member_id: string | null; following: boolean; conversation: unknown; last_event_at: Date };

export class LineEvents implements InboundHandler {
  readonly provider = "line";
  readonly #lineAccount: AccountLookup<"line">;
  readonly #spreadSeconds: number;
  readonly #trustEventTime: boolean;
  readonly #groups: LineGroups;

  /**
   * `trustEventTime`: take LINE's event timestamps as when the member acted. Off
   * in the sandbox, where virtual time, not the wall clock, is the truth.
   * `groupProfiles`: names of people in LINE groups (the group service).
   */
  constructor(lineAccount: AccountLookup<"line">, spreadSeconds: number, trustEventTime: boolean, groupProfiles?: GroupProfileLookup) {
    this.#lineAccount = lineAccount;
    this.#spreadSeconds = spreadSeconds;
    this.#trustEventTime = trustEventTime;
    this.#groups = new LineGroups(lineAccount, groupProfiles);
  }

  order(a: InboundEvent, b: InboundEvent): number {
    return eventOf(a).timestamp - eventOf(b).timestamp;
  }

  /**
   * Taps on a prompt by registered members, with nothing else from the same person in
   * the batch, are recorded together: one answer write and one reply each.
   */
  async applyBatch(tx: Db, events: InboundEvent[], now: Date): Promise<Set<string>> {
    const perUser = new Map<string, number>();
    for (const e of events) {
      const key = `${e.organisationId}|${eventOf(e).source?.userId}`;
      perUser.set(key, (perUser.get(key) ?? 0) + 1);
    }
    const taps = events.flatMap((inbound) => {
      const event = eventOf(inbound);
      const userId = event.source?.type === "user" ? event.source.userId : undefined;
      if (!userId || event.type !== "postback" || perUser.get(`${inbound.organisationId}|${userId}`) !== 1) return [];
      const postback = parsePostback(event.postback?.data ?? "");
      if (!postback || !("checkinId" in postback)) return [];
      return [{ inbound, event, userId, answer: postback.action === "ok" ? "ok" as const : "need_contact" as const }];
    });
    if (taps.length === 0) return new Set();
    const users = await tx.selectFrom("line_users").select(["organisation_id", "user_id", "member_id"])
      .where("user_id", "in", [...new Set(taps.map((t) => t.userId))]).where("member_id", "is not", null).execute();
    const memberOf = new Map(users.map((u) => [`${u.organisation_id}|${u.user_id}`, u.member_id as string]));
    const known = taps.filter((t) => memberOf.has(`${t.inbound.organisationId}|${t.userId}`));
    const outcomes = await recordAnswersIn(tx, known.map((t) => ({
      organisationId: t.inbound.organisationId, memberId: memberOf.get(`${t.inbound.organisationId}|${t.userId}`) as string,
      answer: t.answer, source: "member" as const, channel: "line", idempotencyKey: `line:${t.event.webhookEventId}`,
      occurredAt: this.#trustEventTime && t.event.timestamp ? new Date(Math.min(t.event.timestamp, now.getTime())) : now,
    })), now);
    await enqueue(tx, known.flatMap((t, i) => outcomes[i].status === "recorded"
      ? [replyRow(t.inbound.organisationId, t.userId, t.event.webhookEventId, 0, answerReply(t.answer), now)]
      : []));
    return new Set(known.map((t) => t.inbound.id));
  }

  async apply(tx: Db, inbound: InboundEvent, now: Date): Promise<void> {
    const event = eventOf(inbound);
    const at = this.#trustEventTime && event.timestamp ? new Date(Math.min(event.timestamp, now.getTime())) : now;
    // Events in a LINE group belong to the group service (つながり).
    if (event.source?.type === "group") return this.#groups.apply(tx, inbound.organisationId, event as LineGroupEvent, now, at);
    const userId = event.source?.type === "user" ? event.source.userId : undefined;
    if (!userId) return; // rooms carry nothing we act on
    const ctx = new Conversation(tx, inbound.organisationId, userId, event, now, at, this.#lineAccount, this.#spreadSeconds);
    await ctx.load();
    switch (event.type) {
      case "follow":
        return ctx.onFollow();
      case "unfollow":
        return ctx.onUnfollow();
      case "postback":
        return ctx.onPostback(event.postback?.data ?? "", event.postback?.params ?? {});
      case "message":
        return event.message?.type === "text" ? ctx.onText(event.message.text ?? "") : ctx.help();
      default:
        return; // other event types carry nothing we act on
    }
  }
}

function eventOf(inbound: InboundEvent): LineEvent {
  return (inbound.payload as { event: LineEvent }).event;
}

/** One event from one LINE user, handled inside the engine's transaction. */
class Conversation {
  readonly tx: Db;
  readonly organisationId: string;
  readonly userId: string;
  readonly event: LineEvent;
  readonly now: Date;
  readonly at: Date;
  readonly lineAccount: AccountLookup<"line">;
  readonly spreadSeconds: number;
  user: LineUser | undefined;
  #replies = 0;

  constructor(
    tx: Db, organisationId: string, userId: string, event: LineEvent, now: Date, at: Date, lineAccount: AccountLookup<"line">, spreadSeconds: number,
  ) {
    this.tx = tx;
    this.organisationId = organisationId;
    this.userId = userId;
    this.event = event;
    this.now = now;
    this.at = at;
    this.lineAccount = lineAccount;
    this.spreadSeconds = spreadSeconds;
  }

  async load(): Promise<void> {
    this.user = await this.tx.selectFrom("line_users").select(["member_id", "following", "conversation", "last_event_at"])
      .where("organisation_id", "=", this.organisationId).where("user_id", "=", this.userId).forUpdate().executeTakeFirst() as LineUser | undefined;
  }

  async save(changes: Partial<{ member_id: string | null; following: boolean; conversation: RegistrationState | null }>): Promise<void> {
    const lastEventAt = this.user && this.user.last_event_at > this.eventTime ? this.user.last_event_at : this.eventTime;
    const row = {
      organisation_id: this.organisationId, user_id: this.userId,
      member_id: changes.member_id !== undefined ? changes.member_id : (this.user?.member_id ?? null),
      following: changes.following ?? this.user?.following ?? true,
      conversation: changes.conversation !== undefined
        ? (changes.conversation ? JSON.stringify(changes.conversation) : null)
        : (this.user?.conversation ? JSON.stringify(this.user.conversation) : null),
      last_event_at: lastEventAt,
    };
    await this.tx.insertInto("line_users").values(row).onConflict((oc) => oc.columns(["organisation_id", "user_id"]).doUpdateSet({
      member_id: row.member_id, following: row.following, conversation: row.conversation, last_event_at: row.last_event_at,
    })).execute();
    this.user = { member_id: row.member_id, following: row.following, conversation: changes.conversation ?? this.user?.conversation ?? null, last_event_at: lastEventAt };
  }

  /** LINE's own time of the event: comparable with its other events whatever our clock says. */
  get eventTime(): Date {
    return new Date(this.event.timestamp || this.now.getTime());
  }

  /** Follow and unfollow that arrive out of order: an older one than what we know changes nothing. */
  get stale(): boolean {
    return !!this.user && this.user.last_event_at > this.eventTime;
  }

  async say(...messages: Say[]): Promise<void> {
    await enqueue(this.tx, messages.map((m) => replyRow(this.organisationId, this.userId, this.event.webhookEventId, this.#replies++, m, this.now)));
  }

  async settings() {
    return (await this.lineAccount(this.organisationId, this.tx))?.settings ?? { termsVersion: "1" };
  }

  async onFollow(): Promise<void> {
    if (this.stale) return;
    if (this.user?.member_id) {
      await resumeMemberIn(this.tx, this.organisationId, this.user.member_id, this.now);
      await this.save({ following: true, conversation: null });
      return this.say({ text: "おかえりなさい。見守りを再開しました。\nWelcome back: your check-ins are on again.", choices: [] });
    }
    const settings = await this.settings();
    return this.converse(startRegistration(settings.termsVersion, settings.termsUrl), { following: true });
  }

  async onUnfollow(): Promise<void> {
    if (this.stale) return;
    await this.save({ following: false, conversation: null });
    const memberId = this.user?.member_id;
    if (!memberId) return;
    await pauseMemberIn(this.tx, this.organisationId, memberId, { reason: "line_unfollowed" }, this.now);
    const member = await this.tx.selectFrom("members").innerJoin("teams", "teams.id", "members.team_id")
      .select(["members.display_name", "members.team_id", "teams.channels"]).where("members.id", "=", memberId).executeTakeFirst();
    if (!member) return;
    await enqueue(this.tx, [outboxRow({
      organisationId: this.organisationId, key: `line-unfollow:${this.event.webhookEventId}`,
      recipient: { kind: "team", id: member.team_id }, channels: member.channels as ChannelAddress[],
      messageKind: "channel_lost",
      text: `【見守り】${member.display_name}さんが LINE の友だち登録を解除（またはブロック）しました。確認は停止しています。\n` +
        `[Mimamori] ${member.display_name} unfollowed or blocked the LINE account; check-ins are paused.`,
      payload: { memberId }, dueAt: this.now, now: this.now,
    })]);
  }

  async onPostback(data: string, params: Record<string, string>): Promise<void> {
    const postback = parsePostback(data);
    if (!postback) return this.help();
    // A tap is evidence of life at the moment of the tap: it settles every check-in due
    // by then (so yesterday's prompt tapped today answers today's too) and never one
    // created after it (a tap that reaches us late). Which prompt it was on does not matter.
    if ("checkinId" in postback) return this.answer(postback.action === "ok" ? "ok" : "need_contact");
    if ("incidentId" in postback) return this.onAlertButton(postback.action as "ack" | "safe", postback.incidentId);
    const { action, params: extra } = postback;
    if (action === "reg" || "reg" in extra) return this.onConversationInput({ type: "choice", params: { ...extra, ...params } });
    if (action === "pause") return this.pause(extra.d);
    if (action === "bc") return this.onBroadcastAnswer(extra.b, extra.v);
    return this.help();
  }

  async onText(raw: string): Promise<void> {
    const text = raw.trim().normalize("NFKC");
    const code = text.toUpperCase().replace(/^招待\s*/, "");
    if (/^[A-Z0-9]{6}$/.test(code) && (await this.acceptInvitation(code))) return;
    if (this.user?.conversation) return this.onConversationInput({ type: "text", text: raw });
    const memberId = this.user?.member_id;
    if (!memberId) {
      if (text === "登録" || /^(start|register)$/i.test(text)) {
        const settings = await this.settings();
        return this.converse(startRegistration(settings.termsVersion, settings.termsUrl), {});
      }
      return this.say({ text: "ご利用の登録は「登録」と送ってください。\nSend 登録 to register.", choices: [{ label: "登録", data: "a=reg&reg=start" }] });
    }
    if (/^(ok|ｏｋ|元気|げんき|大丈夫|1)$/i.test(text)) return this.answer("ok");
    if (/^(連絡がほしい|連絡して|9)$/.test(text)) return this.answer("need_contact");
    if (text === "次回" || /^next$/i.test(text)) return this.next(memberId);
    if (text === "休止" || /^pause$/i.test(text)) return this.askPause();
    if (text === "再開" || /^resume$/i.test(text)) {
      await resumeMemberIn(this.tx, this.organisationId, memberId, this.now);
      return this.next(memberId, "見守りを再開しました。");
    }
    if (text === "変更" || /^change$/i.test(text)) return this.converse(startChange((await this.settings()).termsVersion), {});
    if (text === "連絡先" || /^invite$/i.test(text)) return this.invite(memberId);
    return this.help();
  }

  async onConversationInput(input: RegistrationInput): Promise<void> {
    const state = this.user?.conversation as RegistrationState | null | undefined;
    if (!state) {
      if (input.type === "choice" && input.params.reg === "start" && !this.user?.member_id) {
        const settings = await this.settings();
        return this.converse(startRegistration(settings.termsVersion, settings.termsUrl), {});
      }
      return this.help();
    }
    const settings = await this.settings();
    return this.converse(continueRegistration(state, input, this.at, settings.termsUrl), {});
  }

  async converse(result: RegistrationResult, changes: { following?: boolean }): Promise<void> {
    if ("registered" in result) {
      const plan = { every: result.registered.every, at: result.registered.at, ...(result.registered.weekday ? { weekday: result.registered.weekday } : {}) };
      const memberId = this.user?.member_id;
      if (memberId) {
        const current = await this.tx.selectFrom("members").select(["pause", "active"]).where("id", "=", memberId).executeTakeFirstOrThrow();
        const planned = planFrom(plan, this.now, offsetFor(memberId, this.spreadSeconds));
        await this.tx.updateTable("members").set({
          plan: JSON.stringify(planned), updated_at: this.now,
          next_due_at: current.active ? nextDueOutsidePause(planned, this.now, current.pause as Pause | null) : null,
        }).where("id", "=", memberId).execute();
      } else {
        const [id] = await createMembersIn(this.tx, this.organisationId, [{
          displayName: result.registered.displayName ?? "LINEの利用者", channels: [{ kind: "line", address: this.userId }], plan,
        }], this.now, this.spreadSeconds);
        await this.tx.updateTable("members").set({ consent: JSON.stringify(result.registered.consent ?? null) }).where("id", "=", id).execute();
        await this.save({ ...changes, member_id: id, conversation: null });
        return this.say(...result.say);
      }
    }
    await this.save({ ...changes, conversation: result.state });
    return this.say(...result.say);
  }

  async answer(answer: "ok" | "need_contact"): Promise<void> {
    const memberId = this.user?.member_id;
    if (!memberId) return this.help();
    const [outcome] = await recordAnswersIn(this.tx, [{
      organisationId: this.organisationId, memberId, answer, source: "member", channel: "line",
      idempotencyKey: `line:${this.event.webhookEventId}`, occurredAt: this.at,
    }], this.now);
    if (outcome.status !== "recorded") return;
    return this.say(answerReply(answer));
  }

  /** 無事 / 助けが必要 under a broadcast's question (`a=bc&b=<broadcastId>&v=safe|need_help`). */
  async onBroadcastAnswer(broadcastId: string | undefined, value: string | undefined): Promise<void> {
    const memberId = this.user?.member_id;
    const answer = value === "safe" || value === "need_help" ? value : undefined;
    const valid = memberId && answer && broadcastId && /^[0-9a-f-]{36}$/i.test(broadcastId);
    const outcome = valid
      ? await recordBroadcastAnswerIn(this.tx, {
        organisationId: this.organisationId, broadcastId, memberId, answer, source: "member", channel: "line",
        idempotencyKey: `line:${this.event.webhookEventId}`, occurredAt: this.at,
      }, this.now)
      : undefined;
    if (outcome?.status !== "recorded") return this.say({ text: "この操作はできません。\nThis action is not available to you.", choices: [] });
    return this.say(outcome.answer === "safe"
      ? { text: "ありがとうございます。無事を確認しました。\nThank you: we have noted that you are safe.", choices: [] }
      : { text: "担当者に知らせました。すぐにご連絡します。\nWe have told the staff; they will contact you soon.", choices: [] });
  }

  async onAlertButton(action: "ack" | "safe", incidentId: string): Promise<void> {
    const incident = await this.tx.selectFrom("incidents").select(["member_id"]).where("id", "=", incidentId)
      .where("organisation_id", "=", this.organisationId).executeTakeFirst();
    const contacts = incident
      ? await this.tx.selectFrom("contacts").select(["id", "display_name", "channels"]).where("member_id", "=", incident.member_id).execute()
      : [];
    const contact = contacts.find((c) => (c.channels as ChannelAddress[]).some((ch) => ch.kind === "line" && ch.address === this.userId));
    if (!incident || !contact) return this.say({ text: "この操作はできません。\nThis action is not available to you.", choices: [] });
    const by = `${contact.display_name} (LINE)`;
    const result = action === "ack"
      ? await acknowledgeIncidentIn(this.tx, this.organisationId, incidentId,
        { label: by, via: "line", recipient: { kind: "contact", id: contact.id } }, this.now)
      : await resolveIncidentIn(this.tx, this.organisationId, incidentId, reportedSafeOutcome("line"), "LINE: 連絡がとれた・無事", by, this.now);
    if (!result.ok) return this.say({ text: `${result.error.code === "incident_resolved" ? "この件はすでに対応済みです。" : "すでに対応中です。"}\n${result.error.message}`, choices: [] });
    return this.say(action === "ack"
      ? { text: "ありがとうございます。対応をお願いします。結果は「連絡がとれた・無事」で知らせてください。\nThank you for taking this on.", choices: [] }
      : { text: "ありがとうございます。無事の連絡を記録しました。\nRecorded: the member is safe.", choices: [] });
  }

  async next(memberId: string, prefix = ""): Promise<void> {
    const member = await this.tx.selectFrom("members").select(["next_due_at", "plan", "pause"]).where("id", "=", memberId).executeTakeFirstOrThrow();
    const plan = member.plan as Plan;
    const when = member.next_due_at ? formatLocal(member.next_due_at, plan.timeZone) : null;
    const text = when
      ? `${prefix}次回の確認は ${when} ごろです（${intervalLabel(plan.every, plan.weekday)} ${plan.at}）。\nNext check-in: ${when}.`
      : `${prefix}現在、確認はお休み中です。「再開」で再開できます。\nCheck-ins are paused; send 再開 to resume.`;
    return this.say({ text, choices: [] });
  }

  async askPause(): Promise<void> {
    const choices: Choice[] = [
      { label: "3日間", data: "a=pause&d=3" }, { label: "1週間", data: "a=pause&d=7" },
      { label: "2週間", data: "a=pause&d=14" }, { label: "再開するまで", data: "a=pause&d=0" },
    ];
    return this.say({ text: "どのくらいお休みしますか？（旅行・入院など）\nHow long should we pause?", choices });
  }

  async pause(days: string | undefined): Promise<void> {
    const memberId = this.user?.member_id;
    const n = Number(days);
    if (!memberId || !Number.isInteger(n) || n < 0 || n > 90) return this.help();
    const member = await this.tx.selectFrom("members").select("plan").where("id", "=", memberId).executeTakeFirstOrThrow();
    const zone = (member.plan as Plan).timeZone;
    const pause: Pause = n === 0 ? { reason: "other" } : { reason: "travel", until: dateFromEpochDay(epochDay(localDateOf(this.now, zone)) + n) };
    await pauseMemberIn(this.tx, this.organisationId, memberId, pause, this.now);
    return this.say({
      text: pause.until ? `${pause.until} まで確認をお休みします。\nPaused until ${pause.until}.` : "「再開」と送るまで確認をお休みします。\nPaused until you send 再開.",
      choices: [],
    });
  }

  async invite(memberId: string): Promise<void> {
    const contactId = newId();
    const position = Number((await this.tx.selectFrom("contacts").select((eb) => eb.fn.countAll<number>().as("n"))
      .where("member_id", "=", memberId).executeTakeFirstOrThrow()).n) + 1;
    await this.tx.insertInto("contacts").values({
      id: contactId, organisation_id: this.organisationId, member_id: memberId, position,
      display_name: "招待中の連絡先", relation: "invited", channels: "[]", created_at: this.now,
    }).execute();
    const { code } = await inviteContact(this.tx, this.organisationId, contactId, this.now);
    return this.say({
      text: `見守る方にこの番号を伝えてください：${code}\nその方がこのアカウントを友だち追加して、番号を送ると登録されます（${INVITATION_HOURS}時間有効）。\n` +
        `Give this code to the person who will watch over you: ${code}. They add this account and send the code.`,
      choices: [],
    });
  }

  async acceptInvitation(code: string): Promise<boolean> {
    const invitation = await this.tx.selectFrom("contact_invitations").select(["contact_id", "expires_at", "used_at"])
      .where("code_hash", "=", hashCode(code)).where("organisation_id", "=", this.organisationId).forUpdate().executeTakeFirst();
    if (!invitation) return false;
    if (invitation.used_at || invitation.expires_at < this.now) {
      await this.say({ text: "この番号は使用済みか期限切れです。\nThis code was already used or has expired.", choices: [] });
      return true;
    }
    await this.tx.updateTable("contact_invitations").set({ used_at: this.now }).where("code_hash", "=", hashCode(code)).execute();
    const contact = await this.tx.selectFrom("contacts").select(["channels", "display_name", "member_id"])
      .where("id", "=", invitation.contact_id).executeTakeFirstOrThrow();
    const channels = (contact.channels as ChannelAddress[]).filter((c) => c.kind !== "line");
    await this.tx.updateTable("contacts").set({
      channels: JSON.stringify([{ kind: "line", address: this.userId }, ...channels]), confirmed_at: this.now,
      ...(contact.display_name === "招待中の連絡先" ? { display_name: "LINEの連絡先" } : {}),
    }).where("id", "=", invitation.contact_id).execute();
    await this.save({ conversation: null });
    const member = await this.tx.selectFrom("members").select("display_name").where("id", "=", contact.member_id).executeTakeFirstOrThrow();
    await this.say({
      text: `${member.display_name}さんの見守りの連絡先として登録しました。応答がないときにお知らせします。\n` +
        `You are now a contact for ${member.display_name}. We will tell you if they do not answer.`,
      choices: [],
    });
    return true;
  }

  async help(): Promise<void> {
    return this.say({
      text: "「次回」「休止」「再開」「変更」「連絡先」と送ってください。\nSend 次回 (next), 休止 (pause), 再開 (resume), 変更 (change) or 連絡先 (invite).",
      choices: [],
    });
  }
}
