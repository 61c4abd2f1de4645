/**
 * The finder's call on Twilio (domain/finder-calls.ts has the rules): the
 * organisation's number's incoming-call webhook, `POST
 * /webhooks/twilio/<organisation id>/finder` (set it as the number's "A call
 * comes in" URL). Thin: checks Twilio's signature as every Twilio webhook does
 * (providers/twilio/webhooks.ts; a forged request is refused with 403 and
 * changes nothing), calls the network's commands, answers TwiML built with the
 * SDK's VoiceResponse, and writes the audit entries.
 *
 * Stages (`s`): none — ask for the number (<Gather>, ended by #); `number` — the
 * keyed digits: a wrong number is asked again (FINDER_RETRIES), a right one hears
 * the recorded-call announcement and is put through (<Dial callerId=the
 * organisation's number>, recorded) to the first confirmed contact; `dial` — a
 * leg ended (DialCallStatus): the next contact on no-answer, busy or failure, or
 * the end.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError } from "../../http/errors.ts";
import { onFirstUse } from "../../lazy-import.ts";
import type { Services } from "../../http/services.ts";
import type { TwilioSettings } from "../../engine/ports.ts";
import { FINDER_RETRIES, FINDER_RING_SECONDS, FINDER_WORDS } from "../domain/finder-calls.ts";
import { finderLegEnded, type FinderStep, startFinderCall } from "../engine/finder-calls.ts";

type Request = FastifyRequest<{ Params: { org: string }; Querystring: Record<string, string | undefined>; Body: Record<string, string> }>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GATHER_TIMEOUT_S = 10;
const say = { language: "ja-JP" } as const;

/**
 * The same check as every Twilio webhook (providers/twilio/webhooks.ts; a provider
 * never imports another, so the SDK's validateRequest is called here too): the
 * organisation's account configured (else 404), X-Twilio-Signature matching the
 * exact URL and parameters (else 403 `bad_signature`, nothing changes).
 */
async function verified(s: Services, request: Request): Promise<{ org: string; params: Record<string, string>; settings: TwilioSettings }> {
  const { org } = request.params;
  const account = UUID.test(org) ? await s.channelConfigs.get(org, "twilio") : null;
  if (!account) throw new ApiError(404, "not_found", "no Twilio account is configured here");
  const params = (request.body ?? {}) as Record<string, string>;
  const signature = request.headers["x-twilio-signature"];
  if (typeof signature !== "string" || !(await twilioSdk()).validateRequest(account.credentials.authToken, signature, `${s.publicUrl()}${request.url}`, params)) {
    throw new ApiError(403, "bad_signature", "the X-Twilio-Signature header does not match this request", "x-twilio-signature");
  }
  return { org, params, settings: account.settings };
}

/** Writes an audit entry for a request without a principal (http/audit.ts `auditAs`, passed in by the network's composition root). */
export type AuditAs = (
  db: Services["db"], request: FastifyRequest, organisationId: string, actor: string, action: string, subjectKind: string, subjectId: string | null,
  detail?: Record<string, unknown>,
) => Promise<void>;

/** The Twilio SDK, loaded on the first finder's call (a provider never imports another's client). */
const twilioSdk = onFirstUse(async () => (await import("twilio")).default);

export const finderCallRoutes = (auditAs: AuditAs) => async (app: FastifyInstance, s: Services): Promise<void> => {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 64 * 1024 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    scope.post("/webhooks/twilio/:org/finder", { schema: { hide: true } }, async (request: Request, reply) => {
      const { org, params, settings } = await verified(s, request);
      const base = `${s.publicUrl()}/webhooks/twilio/${org}/finder`;
      const response = new (await twilioSdk()).twiml.VoiceResponse();
      const ask = (tries: number, words: string) => {
        const action = `${base}?s=number&t=${tries}`;
        response.gather({ input: ["dtmf"], finishOnKey: "#", timeout: GATHER_TIMEOUT_S, action, method: "POST" }).say(say, words);
        response.redirect({ method: "POST" }, `${action}&e=1`);
      };
      const dial = (step: Extract<FinderStep, { type: "dial" }>) => {
        response.dial({
          callerId: settings.callerId, timeout: FINDER_RING_SECONDS, record: "record-from-answer-dual", method: "POST",
          action: `${base}?s=dial&c=${step.callId}&i=${step.index}`,
        }).number(step.dial.phone);
      };
      const callSid = params.CallSid ?? "";
      const stage = request.query.s;
      const audit = (action: string, memberId: string | null, detail: Record<string, unknown>) =>
        auditAs(s.db, request, org, "finder", action, memberId ? "member" : "registration_number", memberId, { callSid, ...detail });

      if (stage === undefined) {
        ask(0, FINDER_WORDS.ask);
      } else if (stage === "number") {
        const tries = Math.min(FINDER_RETRIES, Number(request.query.t ?? 0) || 0);
        const digits = request.query.e ? "" : (params.Digits ?? "");
        const step = await startFinderCall(s.db, org, callSid, digits, s.clock.now());
        if (step.type === "wrong_number") {
          await audit("finder.call_miss", null, { keyed: digits, from: params.From ?? null });
          if (tries < FINDER_RETRIES) ask(tries + 1, FINDER_WORDS.wrong);
          else {
            response.say(say, FINDER_WORDS.giveUp);
            response.hangup();
          }
        } else if (step.type === "dial") {
          if (step.index === 0) await audit("finder.call", step.memberId, { finderCallId: step.callId, from: params.From ?? null });
          response.say(say, FINDER_WORDS.announce);
          dial(step);
        } else if (step.type === "ended") {
          await audit("finder.call", step.memberId, { finderCallId: step.callId, from: params.From ?? null, outcome: step.outcome });
          {
            response.say(say, FINDER_WORDS.noContact);
            response.hangup();
          }
        } else {
          {
            response.say(say, FINDER_WORDS.ended);
            response.hangup();
          }
        }
      } else if (stage === "dial") {
        const callId = request.query.c ?? "";
        const index = Number(request.query.i);
        if (!UUID.test(callId)) throw new ApiError(400, "invalid_request", "c must name a finder's call", "c");
        if (!Number.isInteger(index) || index < 0 || index > 100) throw new ApiError(400, "invalid_request", "i must be a leg's number", "i");
        const step = await finderLegEnded(s.db, org, callId, index, params.DialCallStatus ?? "", s.clock.now());
        if (step.type === "dial") {
          response.say(say, FINDER_WORDS.next);
          dial(step);
        } else if (step.type === "ended") {
          await audit("finder.call_ended", step.memberId, { finderCallId: step.callId, outcome: step.outcome });
          if (step.outcome === "connected") response.hangup();
          else {
            response.say(say, FINDER_WORDS.nobody);
            response.hangup();
          }
        } else {
          response.hangup();
        }
      } else {
        throw new ApiError(400, "invalid_request", "unknown stage", "s");
      }
      s.engine.nudge();
      return reply.code(200).type("text/xml; charset=utf-8").send(response.toString());
    });
  });
};
