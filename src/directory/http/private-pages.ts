/**
 * What the directory's pages behind a private link share (the provider's update
 * page, the receiver's referral page): the core's public-page scope
 * (src/http/public-pages.ts: form posts as URLSearchParams, the strict headers,
 * every error a page) with noindex, and their problem page by kind — a 4xx as
 * "unknown link", anything else as "try later" (logged).
 */
import type { FastifyInstance } from "fastify";
import { type PublicPage, publicPages } from "../../http/public-pages.ts";

/**
 * Registers `routes` in a scope of their own: form bodies of at most `formLimit`
 * bytes as URLSearchParams (no other body), the headers above on every answer,
 * and errors as `problem(kind)` with their status; `what` names the pages in the log.
 */
export async function privatePageScope(
  app: FastifyInstance, options: { formLimit: number; what: string; problem: (kind: "unknown" | "error") => PublicPage },
  routes: (scope: FastifyInstance) => void,
): Promise<void> {
  await publicPages(app, {
    name: options.what, formLimit: options.formLimit, noindex: "noindex",
    problem: (status) => ({ status, html: options.problem(status === 500 ? "error" : "unknown").html }),
  }, routes);
}
