/**
 * The Fastify scope every server-rendered public page lives in (the check-in
 * page, the network's report form, the directory's page for residents and the
 * provider's update page): no account, no JavaScript, outside /api/v1.
 *
 * - Only a plain form's body is read (application/x-www-form-urlencoded, as
 *   URLSearchParams, up to `formLimit` bytes); every other body is refused (415),
 *   as is any body on pages that take none (`formLimit` absent).
 * - Every answer carries the strict headers: a CSP that allows inline style
 *   only (and images from the site when `images`), no referrer, no caching, no
 *   framing; `noindex` keeps search engines away from pages behind a private link.
 * - Every answer is a page, even a refused one: an error becomes the page's own
 *   problem page with its 4xx status, anything else a 500 page (and a log line).
 */
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { escapeHtml } from "../domain/html.ts";

/** A rendered page and its status. */
export interface PublicPage { status: number; html: string }

/** Why a page refuses, in words: its status, Japanese first, English beside. */
export interface PageProblem { status: number; ja: string; en: string }

/**
 * The problem page of a table of problems (a link unknown, expired, used…): the
 * problem's status, its sentence as the heading (Japanese, English beside in
 * `.en`) in the pages' own `layout` under `title`.
 */
export function problemPageFrom<K extends string>(problems: Record<K, PageProblem>, layout: (title: string, body: string) => string, title: string): (problem: K) => PublicPage {
  return (problem) => {
    const { status, ja, en } = problems[problem];
    return { status, html: layout(title, `<h1>${escapeHtml(ja)}<span class="en" lang="en">${escapeHtml(en)}</span></h1>`) };
  };
}

export interface PublicPagesOptions {
  /** Names the pages in the log when one fails ("report form"). */
  name: string;
  /** The largest form body taken, in bytes; absent: the pages take no body. */
  formLimit?: number;
  /** Allow images from the site itself (img-src 'self'). */
  images?: boolean;
  /** X-Robots-Tag for pages behind a private link ("noindex", "noindex, nofollow"). */
  noindex?: string;
  /** The page shown for a refused request (4xx) or a failure (500). */
  problem(status: number): PublicPage;
}

/** The security headers of a public page (see the module's comment). */
export function publicPageHeaders(options: { images?: boolean; noindex?: string } = {}): Record<string, string> {
  return {
    "content-security-policy": `default-src 'none'; style-src 'unsafe-inline'; ${options.images ? "img-src 'self'; " : ""}form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    ...(options.noindex ? { "x-robots-tag": options.noindex } : {}),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
  };
}

/** Answers with a page: its status, as HTML in UTF-8. */
export const sendPage = (reply: FastifyReply, page: PublicPage) => reply.code(page.status).type("text/html; charset=utf-8").send(page.html);

/** Registers `routes` in a scope of their own set up for public pages (see the module's comment). */
export async function publicPages(app: FastifyInstance, options: PublicPagesOptions, routes: (scope: FastifyInstance) => Promise<void> | void): Promise<void> {
  const headers = publicPageHeaders(options);
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    if (options.formLimit !== undefined) {
      scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: options.formLimit },
        (_request, body, done) => done(null, new URLSearchParams(body as string)));
    }
    scope.addHook("onSend", async (_request, reply) => {
      reply.headers(headers);
    });
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) request.log.error({ err: error }, `${options.name} failed`);
      return sendPage(reply, options.problem(status));
    });
    await routes(scope);
  });
}
