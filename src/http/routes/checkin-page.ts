/**
 * The web check-in page behind the one-tap links in SMS and e-mail. Outside the
 * API and its bearer tokens: the token in the URL is the credential.
 *
 * GET /c/:token shows the buttons and never changes anything (mail scanners and
 * link previews open links). POST /c/:token (a plain form, field `action`) does
 * what the button says, once, and answers with the result page directly.
 */
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { publicPages, sendPage as send } from "../public-pages.ts";
import type { Services } from "../services.ts";
import { outcomePage, problemPage, linkPage } from "../pages/checkin-page.ts";

/** A form with one short field: anything larger is not ours. */
const FORM_LIMIT = 1024;


export function checkinPageRoutes(s: Services): FastifyPluginAsync {
  // Only the form the page itself sends; the link in it is a credential, kept out of search engines.
  return (root: FastifyInstance) => publicPages(root, {
    name: "check-in page", formLimit: FORM_LIMIT, images: true, noindex: "noindex, nofollow", problem: problemPage,
  }, (app) => {
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
  });
}
