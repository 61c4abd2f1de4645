/**
 * LINE group events (source.type "group") for the group service (つながり):
 *
 * - `join`: the bot was added — the group becomes one of the organisation's
 *   (active, or awaiting approval) and is welcomed; `leave`: no more prompts.
 * - `memberJoined` / `memberLeft`, and anyone who taps or posts: the people seen
 *   in the group (LINE does not let ordinary accounts list a group's members),
 *   named from LINE's group member profile when it answers in time.
 * - A tap on OK (`a=gok&r=<round>`) confirms the person who tapped; a tap on
 *   "<name>さんを確認しました" (`a=gchk&r=<round>&u=<user>`) or the text
 *   "確認 <name>" confirms that person, checked on by the one who tapped.
 *
 * Runs inside the engine's transaction for the stored webhook event, like the
 * one-to-one conversation in events.ts; what it records goes through the engine's
 * group commands (engine/groups.ts, engine/group-participants.ts).
 */
import { fallbackName, matchPeople, parseCheckCommand, type Person } from "../../domain/group-rounds.ts";
import {
  groupParticipantsIn, knownInGroupIn, participantNamesIn, participantsLeftIn, recordParticipantsSeenIn,
} from "../../engine/group-participants.ts";
import {
  confirmInGroupIn, type GroupRow, joinLineGroupIn, leaveLineGroupIn, lineGroup, roundsFor, sayToGroupIn,
} from "../../engine/groups.ts";
import type { AccountLookup, Db } from "../../engine/ports.ts";
import { parsePostback } from "./messages.ts";

/**
 * A group member's display name from LINE: null when LINE does not know them; throws when LINE does not answer.
 * `channelAccessToken` is the organisation's, read through the event's transaction.
 */
export type GroupProfileLookup = (
  account: { organisationId: string; channelAccessToken: string }, groupId: string, userId: string,
) => Promise<string | null>;

export interface LineGroupEvent {
  type: string;
  timestamp: number;
  webhookEventId: string;
  source?: { type: string; userId?: string; groupId?: string };
  postback?: { data: string };
  message?: { type: string; text?: string };
  joined?: { members?: { type?: string; userId?: string }[] };
  left?: { members?: { type?: string; userId?: string }[] };
}

/** After LINE failed to answer a profile lookup, names wait this long (people get a fallback name meanwhile). */
const LOOKUP_BACKOFF_MS = 60_000;
const LOOKUP_CONCURRENCY = 8;

export class LineGroups {
  readonly #lineAccount: AccountLookup<"line">;
  readonly #profiles: GroupProfileLookup | undefined;
  readonly #lookupsPausedUntil = new Map<string, number>();

  constructor(lineAccount: AccountLookup<"line">, profiles?: GroupProfileLookup) {
    this.#lineAccount = lineAccount;
    this.#profiles = profiles;
  }

  async apply(tx: Db, organisationId: string, event: LineGroupEvent, now: Date, at: Date): Promise<void> {
    const lineGroupId = event.source?.groupId;
    if (!lineGroupId) return;
    const eventAt = new Date(event.timestamp || now.getTime());
    if (event.type === "leave") {
      await leaveLineGroupIn(tx, organisationId, lineGroupId, eventAt, now);
      return;
    }
    // Read through the transaction (see AccountLookup): its token names people below. A read outside
    // it (the LINE channel's own, once the 10 s cache expired during a long run of look-ups) waited on
    // PGlite for this transaction, which waited for the read: the service hung.
    const account = await this.#lineAccount(organisationId, tx);
    const settings = account?.settings;
    let group = event.type === "join" ? undefined : await lineGroup(tx, organisationId, lineGroupId, false);
    if (!group) {
      // Added to the group — or an event from a group we have no row for (the bot was there before): welcome it.
      group = await joinLineGroupIn(tx, {
        organisationId, lineGroupId, requireApproval: settings?.requireGroupApproval === true, eventAt, eventKey: event.webhookEventId,
      }, now);
    }
    if (!group || group.status === "left") return;
    const ctx: Ctx = { tx, organisationId, lineGroupId, group, event, now, at, channelAccessToken: account?.credentials.channelAccessToken };
    const userId = event.source?.userId;
    switch (event.type) {
      case "memberJoined":
        await this.#seen(ctx, usersIn(event.joined?.members));
        return;
      case "memberLeft":
        await participantsLeftIn(tx, group.id, usersIn(event.left?.members));
        return;
      case "postback":
        if (userId) await this.#onPostback(ctx, userId, event.postback?.data ?? "");
        return;
      case "message":
        if (userId) await this.#onMessage(ctx, userId, event.message?.type === "text" ? (event.message.text ?? "") : "");
        return;
      default:
        return;
    }
  }

  async #onPostback(ctx: Ctx, userId: string, data: string): Promise<void> {
    const [by] = await this.#seen(ctx, [userId]);
    const postback = parsePostback(data);
    if (!postback || !("params" in postback)) return;
    const { action, params } = postback;
    if (action === "gok") {
      await this.#confirm(ctx, by, by, params.r ?? null);
    } else if (action === "gchk" && typeof params.u === "string" && params.u) {
      const person = params.u === by.userId ? by : await knownInGroupIn(ctx.tx, ctx.group.id, params.u, params.r ?? null);
      if (person) await this.#confirm(ctx, person, by, params.r ?? null);
    }
  }

  async #onMessage(ctx: Ctx, userId: string, text: string): Promise<void> {
    const [by] = await this.#seen(ctx, [userId]);
    const typed = parseCheckCommand(text);
    if (!typed) return; // conversation in the group is not for us
    const reply = (suffix: string, message: string) =>
      sayToGroupIn(ctx.tx, ctx.group, `line-group-reply:${ctx.event.webhookEventId}:${suffix}`, message, ctx.now);
    const matches = matchPeople(typed, await groupParticipantsIn(ctx.tx, ctx.group.id));
    if (matches.length === 0) {
      return reply("none", `「${typed}」さんが見つかりませんでした。お名前を確かめてください。\nNobody called "${typed}" is known in this group.`);
    }
    if (matches.length > 1) {
      const names = matches.slice(0, 10).map((p) => `${p.name}さん`).join("、");
      return reply("many", `「${typed}」に当たる方が複数います（${names}）。お名前を詳しく送ってください。\n"${typed}" matches several people.`);
    }
    const [person] = matches;
    const rounds = await roundsFor(ctx.tx, ctx.group.id, null, ctx.at);
    if (rounds.length === 0) return reply("noround", "まだ確認の依頼がありません。\nThere is no check-in to record this for yet.");
    const outcome = await this.#confirm(ctx, person, by, null);
    return reply("ok", outcome
      ? `${person.name}さんの確認を記録しました（${by.name}さんより）。\nRecorded: ${person.name} is fine (checked by ${by.name}).`
      : `${person.name}さんはすでに確認済みです。\n${person.name} was already confirmed.`);
  }

  /** Confirm `person` in the named round and the group's latest one; true when something new was recorded. */
  async #confirm(ctx: Ctx, person: Person, by: Person, roundId: string | null): Promise<boolean> {
    const roundIds = await roundsFor(ctx.tx, ctx.group.id, roundId, ctx.at);
    const outcome = await confirmInGroupIn(ctx.tx, {
      organisationId: ctx.organisationId, group: ctx.group, roundIds, person, by, eventKey: ctx.event.webhookEventId, at: ctx.at,
    }, ctx.now);
    return outcome.newlyConfirmed > 0;
  }

  /** Record people as seen in the group, named when LINE tells us in time (else a fallback name, and we ask again next time). */
  async #seen(ctx: Ctx, userIds: string[]): Promise<Person[]> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return [];
    const known = await participantNamesIn(ctx.tx, ctx.group.id, unique);
    const names = await this.#lookUp(ctx, unique.filter((u) => !known.get(u)));
    await recordParticipantsSeenIn(ctx.tx, ctx.group, unique.map((u) => ({ userId: u, name: names.get(u) ?? known.get(u) ?? null })), ctx.at);
    return unique.map((u) => {
      const name = names.get(u) ?? known.get(u);
      return { userId: u, name: name ?? fallbackName(u) };
    });
  }

  /** Names from LINE's group member profile, a few at a time; none while LINE is not answering. */
  async #lookUp(ctx: Ctx, userIds: string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const lookup = this.#profiles;
    const { organisationId, channelAccessToken } = ctx;
    if (!lookup || !channelAccessToken) return names;
    for (let i = 0; i < userIds.length; i += LOOKUP_CONCURRENCY) {
      // wall-clock: the profile look-up back-off protects LINE's API in real time.
      if ((this.#lookupsPausedUntil.get(ctx.organisationId) ?? 0) > Date.now()) break;
      await Promise.all(userIds.slice(i, i + LOOKUP_CONCURRENCY).map(async (userId) => {
        try {
          const name = await lookup({ organisationId, channelAccessToken }, ctx.lineGroupId, userId);
          if (name) names.set(userId, name.slice(0, 100));
        } catch {
          // wall-clock: as above.
          this.#lookupsPausedUntil.set(ctx.organisationId, Date.now() + LOOKUP_BACKOFF_MS);
        }
      }));
    }
    return names;
  }
}

interface Ctx {
  tx: Db;
  organisationId: string;
  lineGroupId: string;
  group: GroupRow;
  event: LineGroupEvent;
  now: Date;
  at: Date;
  /** The organisation's LINE token, read through `tx`; undefined when it has none (nobody is named then). */
  channelAccessToken: string | undefined;
}

function usersIn(members: { type?: string; userId?: string }[] | undefined): string[] {
  return (members ?? []).filter((m) => m?.type === "user" && typeof m.userId === "string" && m.userId).map((m) => m.userId as string);
}
