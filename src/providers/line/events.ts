/**
 * What LINE's webhook events mean here: follow starts the registration
 * conversation; unfollow (or block) pauses the plan and tells the team; taps on
 * a prompt are answers; taps on an alert acknowledge or settle the incident;
 * keywords pause, resume, change the plan, show the next check-in, invite a
 * contact; 無事 / 助けが必要 under a broadcast's question answer it. Events from
 * LINE groups go to the group service (groups.ts).
 *
 * A thin mapping: each event becomes engine commands (the same ones the API, the
 * call and the check-in page use) and the replies are formatted here; replies go
 * through the outbox like every other message. No SQL of its own.
 */
import { type Choice, continueRegistration, intervalLabel, type RegistrationInput, type RegistrationResult,
  type RegistrationState, type Say, startChange, startRegistration } from "../../domain/registration.ts";
import { formatLocal } from "../../domain/messages.ts";
import { recordAnswersIn } from "../../engine/answers.ts";
import { broadcastAnswerReply } from "../../domain/broadcasts.ts";
import { recordBroadcastAnswerIn } from "../../engine/broadcasts.ts";
import { acceptInvitationIn, INVITATION_HOURS, inviteNewContactIn } from "../../engine/contacts.ts";
import {
  type LineUser, lineContactOfIncidentIn, lineUserIn, memberLeftLineIn, membersOfLineUsers, saveLineUserIn,
} from "../../engine/line-users.ts";
import { changePlanIn, createMembersIn, memberScheduleIn, pauseMemberIn, resumeMemberIn } from "../../engine/members.ts";
import { enqueue, outboxRow } from "../../engine/outbox.ts";
import type { AccountLookup, Db, InboundEvent, InboundHandler } from "../../engine/ports.ts";
import { acknowledgeAlertIn, reportSafeIn, type Responder } from "../../engine/responses.ts";
import { type GroupProfileLookup, type LineGroupEvent, LineGroups } from "./groups.ts";
import { parsePostback } from "./messages.ts";
import { agreeToTermsIn, currentTerms } from "../../engine/terms.ts";

interface LineEvent {
  type: string;
  timestamp: number;
  webhookEventId: string;
  source?: { type: string; userId?: string; groupId?: string };
  postback?: { data: string; params?: Record<string, string> };
  message?: { type: string; text?: string };
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
    const memberOf = await membersOfLineUsers(tx, taps.map((t) => ({ organisationId: t.inbound.organisationId, userId: t.userId })));
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
    this.user = await lineUserIn(this.tx, this.organisationId, this.userId);
  }

  async save(changes: Partial<{ memberId: string | null; following: boolean; conversation: RegistrationState | null }>): Promise<void> {
    const user: LineUser = {
      memberId: changes.memberId !== undefined ? changes.memberId : (this.user?.memberId ?? null),
      following: changes.following ?? this.user?.following ?? true,
      conversation: changes.conversation !== undefined ? changes.conversation : (this.user?.conversation ?? null),
      lastEventAt: this.user && this.user.lastEventAt > this.eventTime ? this.user.lastEventAt : this.eventTime,
    };
    await saveLineUserIn(this.tx, this.organisationId, this.userId, user);
    this.user = user;
  }

  /** LINE's own time of the event: comparable with its other events whatever our clock says. */
  get eventTime(): Date {
    return new Date(this.event.timestamp || this.now.getTime());
  }

  /** Follow and unfollow that arrive out of order: an older one than what we know changes nothing. */
  get stale(): boolean {
    return !!this.user && this.user.lastEventAt > this.eventTime;
  }

  async say(...messages: Say[]): Promise<void> {
    await enqueue(this.tx, messages.map((m) => replyRow(this.organisationId, this.userId, this.event.webhookEventId, this.#replies++, m, this.now)));
  }

  /** The LINE settings, with the terms a new member agrees to: the current published version (engine/terms.ts) when there is one. */
  async settings() {
    const settings = (await this.lineAccount(this.organisationId, this.tx))?.settings ?? { termsVersion: "1" };
    const current = await currentTerms(this.tx, this.organisationId);
    if (!current) return settings;
    const { termsUrl: _old, ...rest } = settings;
    return { ...rest, termsVersion: current.version, ...(current.url ? { termsUrl: current.url } : {}) };
  }

  async onFollow(): Promise<void> {
    if (this.stale) return;
    if (this.user?.memberId) {
      await resumeMemberIn(this.tx, this.organisationId, this.user.memberId, this.now);
      await this.save({ following: true, conversation: null });
      return this.say({ text: "おかえりなさい。見守りを再開しました。\nWelcome back: your check-ins are on again.", choices: [] });
    }
    const settings = await this.settings();
    return this.converse(startRegistration(settings.termsVersion, settings.termsUrl), { following: true });
  }

  async onUnfollow(): Promise<void> {
    if (this.stale) return;
    await this.save({ following: false, conversation: null });
    const memberId = this.user?.memberId;
    if (memberId) await memberLeftLineIn(this.tx, this.organisationId, memberId, this.event.webhookEventId, this.now);
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
    if (action === "terms") return this.onTermsAgreed(extra.t);
    return this.help();
  }

  async onText(raw: string): Promise<void> {
    const text = raw.trim().normalize("NFKC");
    const code = text.toUpperCase().replace(/^招待\s*/, "");
    if (/^[A-Z0-9]{6}$/.test(code) && (await this.acceptInvitation(code))) return;
    if (this.user?.conversation) return this.onConversationInput({ type: "text", text: raw });
    const memberId = this.user?.memberId;
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
    const state = this.user?.conversation;
    if (!state) {
      if (input.type === "choice" && input.params.reg === "start" && !this.user?.memberId) {
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
      const memberId = this.user?.memberId;
      if (memberId) {
        await changePlanIn(this.tx, this.organisationId, memberId, plan, this.now, this.spreadSeconds);
      } else {
        const [id] = await createMembersIn(this.tx, this.organisationId, [{
          displayName: result.registered.displayName ?? "LINEの利用者", channels: [{ kind: "line", address: this.userId }], plan,
          consent: result.registered.consent ?? null,
        }], this.now, this.spreadSeconds);
        await this.save({ ...changes, memberId: id, conversation: null });
        return this.say(...result.say);
      }
    }
    await this.save({ ...changes, conversation: result.state });
    return this.say(...result.say);
  }

  async answer(answer: "ok" | "need_contact"): Promise<void> {
    const memberId = this.user?.memberId;
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
    const memberId = this.user?.memberId;
    const answer = value === "safe" || value === "need_help" ? value : undefined;
    const valid = memberId && answer && broadcastId && /^[0-9a-f-]{36}$/i.test(broadcastId);
    const outcome = valid
      ? await recordBroadcastAnswerIn(this.tx, {
        organisationId: this.organisationId, broadcastId, memberId, answer, source: "member", channel: "line",
        idempotencyKey: `line:${this.event.webhookEventId}`, occurredAt: this.at,
      }, this.now)
      : undefined;
    if (outcome?.status !== "recorded") return this.say({ text: "この操作はできません。\nThis action is not available to you.", choices: [] });
    // A drill's answer says it was a drill's, and how to ask for real help (domain/broadcasts.ts).
    const reply = broadcastAnswerReply(outcome.answer, outcome.drill);
    return this.say({ text: [...reply.ja, ...reply.en].join("\n"), choices: [] });
  }

  /** 同意する under a new version of the terms (`a=terms&t=<versionId>`, engine/terms.ts). */
  async onTermsAgreed(versionId: string | undefined): Promise<void> {
    const memberId = this.user?.memberId;
    const outcome = memberId && versionId && /^[0-9a-f-]{36}$/i.test(versionId)
      ? await agreeToTermsIn(this.tx, this.organisationId, memberId, versionId, this.at)
      : undefined;
    if (!outcome || outcome.status === "not_found") return this.say({ text: "この操作はできません。\nThis action is not available to you.", choices: [] });
    if (outcome.status === "already") return this.say({ text: `利用規約（第${outcome.version}版）への同意は受け付け済みです。\nYour agreement was already recorded.`, choices: [] });
    return this.say({ text: outcome.text, choices: [] });
  }

  /** 対応します / 連絡がとれた・無事 under an alert: only a contact of the incident's member reached on LINE may. */
  async onAlertButton(action: "ack" | "safe", incidentId: string): Promise<void> {
    const contact = await lineContactOfIncidentIn(this.tx, this.organisationId, incidentId, this.userId);
    if (!contact) return this.say({ text: "この操作はできません。\nThis action is not available to you.", choices: [] });
    const responder: Responder = { organisationId: this.organisationId, kind: "contact", id: contact.id, via: "line" };
    const result = action === "ack"
      ? await acknowledgeAlertIn(this.tx, responder, incidentId, this.now)
      : await reportSafeIn(this.tx, responder, incidentId, this.now);
    if (!result.ok) return this.say({ text: `${result.error.code === "incident_resolved" ? "この件はすでに対応済みです。" : "すでに対応中です。"}\n${result.error.message}`, choices: [] });
    return this.say(action === "ack"
      ? { text: "ありがとうございます。対応をお願いします。結果は「連絡がとれた・無事」で知らせてください。\nThank you for taking this on.", choices: [] }
      : { text: "ありがとうございます。無事の連絡を記録しました。\nRecorded: the member is safe.", choices: [] });
  }

  async next(memberId: string, prefix = ""): Promise<void> {
    const member = await memberScheduleIn(this.tx, this.organisationId, memberId);
    if (!member) return this.help();
    const { plan } = member;
    const when = member.nextDueAt ? formatLocal(member.nextDueAt, plan.timeZone) : null;
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
    const memberId = this.user?.memberId;
    const n = Number(days);
    if (!memberId || !Number.isInteger(n) || n < 0 || n > 90) return this.help();
    // n days from the member's own today; 0: until they send 再開.
    const paused = await pauseMemberIn(this.tx, this.organisationId, memberId, n === 0 ? { reason: "other" } : { reason: "travel", forDays: n }, this.now);
    if (!paused.ok) return this.help();
    const { pause } = paused;
    return this.say({
      text: pause.until ? `${pause.until} まで確認をお休みします。\nPaused until ${pause.until}.` : "「再開」と送るまで確認をお休みします。\nPaused until you send 再開.",
      choices: [],
    });
  }

  async invite(memberId: string): Promise<void> {
    const invitation = await inviteNewContactIn(this.tx, this.organisationId, memberId, this.now);
    if (!invitation) return this.help();
    const { code } = invitation;
    return this.say({
      text: `見守る方にこの番号を伝えてください：${code}\nその方がこのアカウントを友だち追加して、番号を送ると登録されます（${INVITATION_HOURS}時間有効）。\n` +
        `Give this code to the person who will watch over you: ${code}. They add this account and send the code.`,
      choices: [],
    });
  }

  /** A code from an invitation makes this LINE user the contact; false when it is no code of ours. */
  async acceptInvitation(code: string): Promise<boolean> {
    const accepted = await acceptInvitationIn(this.tx, this.organisationId, code, { kind: "line", address: this.userId }, this.now);
    if (accepted.status === "unknown") return false;
    if (accepted.status === "used_or_expired") {
      await this.say({ text: "この番号は使用済みか期限切れです。\nThis code was already used or has expired.", choices: [] });
      return true;
    }
    await this.save({ conversation: null });
    await this.say({
      text: `${accepted.memberName}さんの見守りの連絡先として登録しました。応答がないときにお知らせします。\n` +
        `You are now a contact for ${accepted.memberName}. We will tell you if they do not answer.`,
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
