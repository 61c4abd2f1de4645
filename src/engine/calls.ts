/**
 * Phone calls after the provider accepted them: what an answered call says and
 * does (the call script in domain/call-script.ts applied to the store), and how
 * a call ended (retries per the member's policy, then the next channel). Each
 * runs in one transaction and is safe to repeat: answers and observations carry
 * the call's sid in their idempotency keys, and retry rows have deterministic keys.
 */
import type { Selectable } from "kysely";
import { broadcastSpeech, contentOf } from "../domain/broadcasts.ts";
import {
  type CallAction, type CallStep, mainSpeech, opening, type ScriptContext, scriptKindOf, type Stage, step,
} from "../domain/call-script.ts";
import { callRetryAt, type PolicySet } from "../domain/policy.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";
import { checkCauses } from "./causes.ts";
import { loadPolicies, policyFor } from "./policies.ts";
import { loadWords } from "./templates.ts";
import {
  acknowledgeAlertIn, answerBroadcastIn, answerCheckinIn, confirmContactIn, passAlertIn, type Responder,
} from "./responses.ts";
import { failOver } from "./sender.ts";

type OutboxRow = Selectable<Database["outbox"]>;

export interface CallContext {
  row: OutboxRow;
  script: ScriptContext;
}

/** The outbox row a webhook names, within its organisation. */
async function rowOf(tx: Db, organisationId: string, outboxId: string, lock = false): Promise<OutboxRow | undefined> {
  let q = tx.selectFrom("outbox").selectAll().where("id", "=", outboxId).where("organisation_id", "=", organisationId);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Everything the call script needs for one outbox row: the organisation's call script and question wording, when it has its own. */
async function contextOf(tx: Db, row: OutboxRow): Promise<ScriptContext> {
  const kind = scriptKindOf(row.message_kind, row.payload);
  const words = (await loadWords(tx, [row.organisation_id]))(row.organisation_id);
  const twilio = await tx.selectFrom("channel_configs").select("settings").where("organisation_id", "=", row.organisation_id)
    .where("kind", "=", "twilio").executeTakeFirst();
  // The call_script template (設定 › メッセージの文面) before the older Twilio setting's voicePrompt.
  const voicePrompt = words.templates.call_script?.voice ?? (twilio?.settings as { voicePrompt?: string } | undefined)?.voicePrompt;
  const member = row.recipient_kind === "member"
    ? await tx.selectFrom("members").select("display_name").where("id", "=", row.recipient_id).executeTakeFirst()
    : undefined;
  // A broadcast speaks its whole text (domain/broadcasts.ts, as the preview shows); rows before migration 019 their first line.
  const content = row.message_kind === "broadcast" ? contentOf(row.payload) : undefined;
  const main = content ? broadcastSpeech(content)
    : mainSpeech(kind, { name: member?.display_name ?? "", japanese: row.text.split("\n")[0], voicePrompt }).replaceAll("{organisation}", words.name);
  const questionTemplate = words.templates.daily_questions?.voice;
  return {
    kind, main, questions: kind === "checkin" ? words.dailyQuestions ?? [] : [], ...(questionTemplate ? { questionTemplate } : {}),
    drill: content?.drill ?? false,
  };
}

export type VoiceTurn = { found: false } | { found: true; step: CallStep };

/**
 * One request of an answered call: the opening (no stage), or a key press or
 * silence at a stage. An answering machine gets no message: it hangs up and the
 * call counts as unanswered.
 */
export async function voiceTurn(
  db: Db, organisationId: string, outboxId: string,
  input: { callSid: string; stage?: Stage; tries: number; digits?: string; answeredBy?: string }, now: Date,
): Promise<VoiceTurn> {
  return inTransaction(db, async (tx) => {
    const row = await rowOf(tx, organisationId, outboxId, true);
    if (!row) return { found: false };
    if (!input.stage && input.answeredBy && /^(machine|fax)/.test(input.answeredBy)) {
      await tx.updateTable("outbox").set({ outcome: "machine" }).where("id", "=", row.id).execute();
      return { found: true, step: { say: [], answered: false } };
    }
    const script = await contextOf(tx, row);
    const next = input.stage ? step(script, input.stage, input.tries, input.digits) : opening(script);
    if (next.action) await applyAction(tx, row, next.action, `call:${input.callSid}:${input.stage ?? "main"}`, now);
    // Answered once is answered, whatever the rest of the call does.
    if (next.answered && row.outcome !== "answered") {
      await tx.updateTable("outbox").set({ outcome: "answered" }).where("id", "=", row.id).execute();
    }
    return { found: true, step: next };
  });
}

async function applyAction(tx: Db, row: OutboxRow, action: CallAction, key: string, now: Date): Promise<void> {
  const p = row.payload as { checkinId?: string; incidentId?: string; memberId?: string; broadcastId?: string };
  const responder: Responder = { organisationId: row.organisation_id, kind: row.recipient_kind, id: row.recipient_id, via: "voice" };
  switch (action.type) {
    case "answer":
      await answerCheckinIn(tx, responder, row.recipient_id, action.answer, key, now);
      return;
    case "acknowledge":
      // Already taken on or settled by someone else: nothing to change.
      if (p.incidentId) await acknowledgeAlertIn(tx, responder, p.incidentId, now);
      return;
    case "pass":
      if (p.incidentId) await passAlertIn(tx, responder, p.incidentId, now);
      return;
    case "confirm_contact":
      await confirmContactIn(tx, responder, row.recipient_id, now);
      return;
    case "broadcast_answer":
      if (p.broadcastId) await answerBroadcastIn(tx, responder, p.broadcastId, row.recipient_id, action.answer, key, now);
      return;
    case "observe":
      await tx.insertInto("observations").values({
        id: newId(), organisation_id: row.organisation_id, member_id: row.recipient_id, checkin_id: p.checkinId ?? null,
        question: action.question, value: action.value, label: action.label, channel: "voice", observed_at: now,
        idempotency_key: `${key}:${action.question}`,
      }).onConflict((oc) => oc.columns(["idempotency_key", "organisation_id"]).doNothing()).execute();
  }
}

/** Twilio's final call statuses, as outcomes. */
function callOutcome(callStatus: string, answeredBy: string | undefined, recorded: string | null): string {
  if (recorded === "answered" || recorded === "machine") return recorded;
  if (callStatus === "completed") return answeredBy && /^(machine|fax)/.test(answeredBy) ? "machine" : "no_input";
  return callStatus === "no-answer" ? "no_answer" : callStatus;
}

const FINAL_CALL_STATUSES = new Set(["completed", "busy", "no-answer", "failed", "canceled"]);

/** Which call of a message this row is: 1 for the first, n for its `~n` retry. */
export function callNumberOf(key: string): number {
  const match = /~(\d+)$/.exec(key);
  return match ? Number(match[1]) : 1;
}

/** The policy that governs retries of a call: the member's (a contact's member for alerts). */
async function retryPolicy(tx: Db, row: OutboxRow) {
  const memberId = row.recipient_kind === "member" ? row.recipient_id : (row.payload as { memberId?: string }).memberId;
  const member = memberId
    ? await tx.selectFrom("members").select(["team_id", "channels"]).where("id", "=", memberId).executeTakeFirst()
    : undefined;
  if (!member) {
    const team = await tx.selectFrom("teams").select("id").where("organisation_id", "=", row.organisation_id)
      .where("is_default", "=", true).executeTakeFirst();
    const policies: PolicySet = (await loadPolicies(tx, team ? [team.id] : []))(team?.id ?? "");
    return policies.standard;
  }
  return policyFor((await loadPolicies(tx, [member.team_id]))(member.team_id), member.channels as ChannelAddress[]);
}

/**
 * A call ended. Answered: done. Otherwise (busy, no answer, an answering machine,
 * picked up but no key pressed) it is called again per the policy; when the calls
 * are used up, a check-in simply stays unanswered (its escalation runs on), and
 * an alert or a confirmation request moves to the recipient's next channel.
 */
export async function callEnded(
  db: Db, organisationId: string, outboxId: string, input: { callStatus: string; answeredBy?: string; callSid: string }, now: Date,
): Promise<boolean> {
  if (!FINAL_CALL_STATUSES.has(input.callStatus)) return true;
  return inTransaction(db, async (tx) => {
    const row = await rowOf(tx, organisationId, outboxId, true);
    if (!row) return false;
    const outcome = callOutcome(input.callStatus, input.answeredBy, row.outcome);
    if (outcome === "answered") return true;
    const number = callNumberOf(row.idempotency_key);
    // Busy, no answer, failed on the way, an answering machine: all are called again.
    // (A number Twilio refuses outright never gets here: the sender moves it on.)
    // Only while the call's cause still holds (the check-in open, the incident not taken on…): an answer always wins.
    const stillNeeded = (await checkCauses(tx, [row], now)).needed.length > 0;
    const retryAt = stillNeeded ? callRetryAt(await retryPolicy(tx, row), number, now) : null;
    const error = `call ${number}: ${outcome}`;
    if (retryAt) {
      await tx.updateTable("outbox").set({ outcome, last_error: error }).where("id", "=", row.id).execute();
      await tx.insertInto("outbox").values({
        ...row, id: newId(), idempotency_key: `${row.idempotency_key.replace(/~\d+$/, "")}~${number + 1}`, status: "pending",
        attempts: 0, next_attempt_at: retryAt, locked_until: null, last_error: null, created_at: now, sent_at: null,
        provider_id: null, outcome: null, slot_at: null, payload: JSON.stringify(row.payload),
      }).onConflict((oc) => oc.columns(["idempotency_key", "organisation_id"]).doNothing()).execute();
      return true;
    }
    if (row.status === "failed") return true;
    await tx.updateTable("outbox").set({ status: "failed", outcome, last_error: `${error}; no more calls` }).where("id", "=", row.id).execute();
    if (scriptKindOf(row.message_kind, row.payload) !== "checkin") await failOver(tx, row, `${error}; no more calls`, now);
    return true;
  });
}
