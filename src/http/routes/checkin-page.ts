/**
 * The web check-in page behind the one-tap links in SMS and e-mail. Outside the
 * API and its bearer tokens: the token in the URL is the credential.
 *
 * GET /c/:token shows the buttons and never changes anything (mail scanners and
 * link previews open links). POST /c/:token (a plain form, field `action`) does
 * what the button says, once, and answers with the result page directly.
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply } from "fastify";
import type { Services } from "../services.ts";
import { outcomePage, type Page, problemPage, linkPage } from "../pages/checkin-page.ts";

/** A form with one short field: anything larger is not ours. */
const FORM_LIMIT = 1024;

const HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-robots-tag": "noindex, nofollow",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

function send(reply: FastifyReply, page: Page) {
  return reply.code(page.status).type("text/html; charset=utf-8").send(page.html);
}

export function checkinPageRoutes(s: Services): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    // Only the form the page itself sends; Fastify has no parser for it.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: FORM_LIMIT },
      (_request, body, done) => done(null, new URLSearchParams(body as string)));

    app.addHook("onSend", async (_request, reply) => {
      reply.headers(HEADERS);
    });

    // Every answer is a page, even a refused one.
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) request.log.error({ err: error }, "check-in page failed");
      return send(reply, problemPage(status));
    });

    // The token is a credential: keep it out of the request log.
    const options = { schema: { hide: true }, logLevel: "warn" } as const;

    app.get<{ Params: { token: string } }>("/c/:token", options, async (request, reply) => {
      await s.clock.refresh();
      return send(reply, linkPage(await s.links.inspect(request.params.token, s.clock.now())));
    });

    app.post<{ Params: { token: string } }>("/c/:token", options, async (request, reply) => {
      const { token } = request.params;
      const action = request.body instanceof URLSearchParams ? (request.body.get("action") ?? "") : "";
      await s.clock.refresh();
      const outcome = await s.links.use(token, action, s.clock.now());
      if (outcome.status === "done") s.engine.nudge();
      const state = outcome.status === "done" ? { state: "unknown" as const } : await s.links.inspect(token, s.clock.now());
      return send(reply, outcomePage(outcome, state, outcome.status === "done" ? await s.links.brandOf(token) : undefined));
    });
  };
}
