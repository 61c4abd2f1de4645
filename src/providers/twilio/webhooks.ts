/**
 * Twilio's webhooks: the voice script of an answered call (TwiML), how a call
 * ended, and SMS delivery reports. Every request must carry a valid
 * X-Twilio-Signature for the organisation's auth token over the exact URL we
 * gave Twilio and the posted parameters; otherwise 403 and nothing changes.
 * Each address names the outbox row it is about (`?m=`), and the signature
 * covers that too.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { CallStep, Stage } from "../../domain/call-script.ts";
import { callEnded, voiceTurn } from "../../engine/calls.ts";
import { smsStatus } from "../../engine/deliveries.ts";
import type { TwilioSettings } from "../../engine/ports.ts";
import { ApiError } from "../../http/errors.ts";
import type { Services } from "../../http/services.ts";
import { twilioSdk } from "./client.ts";
import { twilioWebhookUrl } from "./voice.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STAGE = /^(main|q\d{1,2})$/;

type Params = Record<string, string>;
type Request = FastifyRequest<{ Params: { org: string }; Querystring: Record<string, string | undefined>; Body: Params }>;

/** Gathers wait this long for a key before the question is repeated. */
const GATHER_TIMEOUT_S = 8;

export async function twiml(step: CallStep, actionUrl: (stage: Stage, tries: number) => string): Promise<string> {
  const response = new (await twilioSdk()).twiml.VoiceResponse();
  if (step.gather) {
    const { stage, tries } = step.gather;
    const gather = response.gather({ numDigits: 1, action: actionUrl(stage, tries), method: "POST", timeout: GATHER_TIMEOUT_S });
    for (const line of step.say) gather.say({ language: "ja-JP" }, line);
    // No key within the timeout: Twilio goes on to the next verb.
    response.redirect({ method: "POST" }, `${actionUrl(stage, tries)}&e=1`);
  } else {
    for (const line of step.say) response.say({ language: "ja-JP" }, line);
    response.hangup();
  }
  return response.toString();
}

/** Twilio posts forms: a scope for its webhooks reads them (64 KiB at most) and nothing else. */
export function acceptTwilioForms(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 64 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

/**
 * Check a webhook of the organisation named by `:org`: its Twilio account must be
 * configured (else 404) and X-Twilio-Signature must match the exact URL and the
 * posted parameters for its auth token (else 403 `bad_signature`, nothing changes).
 * Returns the organisation, its account's settings and the parameters.
 */
export async function verifiedTwilioRequest(
  s: Services, request: FastifyRequest<{ Params: { org: string } }>,
): Promise<{ org: string; params: Params; settings: TwilioSettings }> {
  const { org } = request.params;
  const account = UUID.test(org) ? await s.channelConfigs.get(org, "twilio") : null;
  if (!account) throw new ApiError(404, "not_found", "no Twilio account is configured here");
  const params = (request.body ?? {}) as Params;
  const signature = request.headers["x-twilio-signature"];
  const url = `${s.publicUrl()}${request.url}`;
  if (typeof signature !== "string" || !(await twilioSdk()).validateRequest(account.credentials.authToken, signature, url, params)) {
    throw new ApiError(403, "bad_signature", "the X-Twilio-Signature header does not match this request", "x-twilio-signature");
  }
  return { org, params, settings: account.settings };
}

export async function twilioWebhooks(app: FastifyInstance, s: Services): Promise<void> {
  await app.register(async (scope) => {
    acceptTwilioForms(scope);

    /** The organisation and outbox row, once the signature is checked. */
    const verified = async (request: Request): Promise<{ org: string; outboxId: string; params: Params }> => {
      const { org, params } = await verifiedTwilioRequest(s, request);
      const outboxId = request.query.m;
      if (!outboxId || !UUID.test(outboxId)) throw new ApiError(400, "invalid_request", "m must name an outbox message", "m");
      return { org, outboxId, params };
    };

    const sendTwiml = (reply: FastifyReply, xml: string) => reply.code(200).type("text/xml; charset=utf-8").send(xml);

    scope.post("/webhooks/twilio/:org/voice", { schema: { hide: true } }, async (request: Request, reply) => {
      const { org, outboxId, params } = await verified(request);
      const stage = request.query.s;
      if (stage !== undefined && !STAGE.test(stage)) throw new ApiError(400, "invalid_request", "unknown stage", "s");
      const tries = Math.min(5, Number(request.query.t ?? 0) || 0);
      const digits = request.query.e ? undefined : (params.Digits || undefined);
      const turn = await voiceTurn(s.db, org, outboxId, {
        callSid: params.CallSid ?? "", tries, ...(stage ? { stage: stage as Stage } : {}),
        ...(digits ? { digits } : {}), ...(params.AnsweredBy ? { answeredBy: params.AnsweredBy } : {}),
      }, s.clock.now());
      if (!turn.found) return sendTwiml(reply, await twiml({ say: ["このお電話は終了しました。"] }, () => ""));
      s.engine.nudge();
      const base = twilioWebhookUrl(s.publicUrl(), org, "voice", outboxId);
      return sendTwiml(reply, await twiml(turn.step, (next, t) => `${base}&s=${next}&t=${t}`));
    });

    scope.post("/webhooks/twilio/:org/call-status", { schema: { hide: true } }, async (request: Request, reply) => {
      const { org, outboxId, params } = await verified(request);
      await callEnded(s.db, org, outboxId, {
        callStatus: params.CallStatus ?? "", callSid: params.CallSid ?? "", ...(params.AnsweredBy ? { answeredBy: params.AnsweredBy } : {}),
      }, s.clock.now());
      s.engine.nudge();
      return reply.code(204).send();
    });

    scope.post("/webhooks/twilio/:org/sms-status", { schema: { hide: true } }, async (request: Request, reply) => {
      const { org, outboxId, params } = await verified(request);
      await smsStatus(s.db, org, outboxId, {
        status: params.MessageStatus ?? params.SmsStatus ?? "", ...(params.ErrorCode ? { errorCode: params.ErrorCode } : {}),
      }, s.clock.now());
      s.engine.nudge();
      return reply.code(204).send();
    });
  });
}
