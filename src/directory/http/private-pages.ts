/**
 * What the directory's pages behind a private link share (the provider's update
 * page, the receiver's referral page): the headers (no script, no framing, no
 * referrer, no cache, noindex), sending a page, and a Fastify scope that reads
 * form posts as URLSearchParams and answers every error with the page's own
 * problem page (a 4xx as "unknown link", anything else as "try later", logged).
 */
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";

export interface Page { status: number; html: string }

export const PRIVATE_PAGE_HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "x-robots-tag": "noindex",
} as const;

export const sendPage = (reply: FastifyReply, page: Page) => reply.code(page.status).type("text/html; charset=utf-8").send(page.html);

/**
 * Registers `routes` in a scope of their own: form bodies of at most `formLimit`
 * bytes as URLSearchParams (no other body), the headers above on every answer,
 * and errors as `problem(status)`; `what` names the pages in the log.
 */
export async function privatePageScope(
  app: FastifyInstance, options: { formLimit: number; what: string; problem: (kind: "unknown" | "error") => Page },
  routes: (scope: FastifyInstance) => void,
): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: options.formLimit },
      (_request, body, done) => done(null, new URLSearchParams(body as string)));
    scope.addHook("onSend", async (_request, reply) => {
      reply.headers(PRIVATE_PAGE_HEADERS);
    });
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) request.log.error({ err: error }, `${options.what} failed`);
      return sendPage(reply, { status, html: options.problem(status === 500 ? "error" : "unknown").html });
    });
    routes(scope);
  });
}
