/**
 * Branding and terms of use (設定 → 名称・規約): the service name members read,
 * the logo (served publicly from our own origin: the check-in page and the
 * console's header show it), and the versions of the terms of use.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DEFAULT_SERVICE_NAME, MAX_LOGO_BYTES, MAX_SERVICE_NAME_LENGTH } from "../../domain/branding.ts";
import { getBranding, readLogo, removeLogo, saveLogo, setServiceName } from "../../engine/branding.ts";
import { logoPath } from "../../engine/links.ts";
import { DuplicateTermsVersion, publishTerms, type TermsVersionRow, termsSummary } from "../../engine/terms.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { Id, optionalText, safeString, text } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["branding"];

export const BrandingInput = z.strictObject({
  serviceName: optionalText(MAX_SERVICE_NAME_LENGTH).nullable()
    .describe(`the service name members read (【name】 in messages, the check-in page); null or "": the default (${DEFAULT_SERVICE_NAME.ja})`),
});

export const LogoInput = z.strictObject({
  content: z.string().max(Math.ceil(MAX_LOGO_BYTES / 3) * 4 + 4, `at most ${MAX_LOGO_BYTES / 1024} KiB`)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64")
    .describe(`the image's bytes in base64: PNG, JPEG or WebP (recognised by its first bytes), at most ${MAX_LOGO_BYTES / 1024} KiB`),
});

export const TermsInput = z.strictObject({
  version: text(20).regex(/^[0-9A-Za-z.\-_]+$/, "letters, digits, . - _").describe("the version's label, e.g. 2 or 2027.1"),
  body: optionalText(20_000, true).optional().describe("the terms' text, shown on the agreement page"),
  url: safeString().trim().pipe(z.url({ protocol: /^https?$/ }).max(500)).optional().describe("where the terms are published"),
});

const LogoParams = z.strictObject({ organisationId: Id });
const LogoQuery = z.strictObject({ v: safeString().max(64).optional().describe("the logo's version (any value: a new logo gets a new address)") });

function termsView(v: TermsVersionRow) {
  return { id: v.id, version: v.version, body: v.body, url: v.url, publishedAt: v.published_at.toISOString(), publishedBy: v.published_by };
}

export function brandingRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const view = async (organisationId: string) => {
      const b = await getBranding(s.db, organisationId);
      return {
        serviceName: b.serviceName,
        defaultServiceName: DEFAULT_SERVICE_NAME,
        logo: b.logo ? { contentType: b.logo.contentType, updatedAt: b.logo.updatedAt.toISOString(), path: logoPath(organisationId, b.logo.sha256) } : null,
      };
    };

    app.get("/branding", { schema: { tags, summary: "The service name members read and the logo (its address)" } },
      async (request) => view(request.principal.organisationId));

    app.put("/branding", { schema: { tags, summary: "Set the service name members read (null: the default)", body: BrandingInput } }, async (request) => {
      const org = request.principal.organisationId;
      const name = request.body.serviceName?.trim() || null;
      await setServiceName(s.db, org, name);
      s.serviceNames.forget(org);
      await audit(s.db, request, "branding.service_name", "organisation", org, { serviceName: name });
      return view(org);
    });

    app.put("/branding/logo", {
      schema: { tags, summary: "Upload the logo or top image (PNG, JPEG or WebP, checked by its bytes)", body: LogoInput },
    }, async (request) => {
      const org = request.principal.organisationId;
      const bytes = Buffer.from(request.body.content, "base64");
      const saved = await saveLogo(s.db, org, bytes, s.clock.now());
      if (!saved.ok) {
        if (saved.problem === "logo_too_large") throw new ApiError(413, "logo_too_large", `the image is larger than ${MAX_LOGO_BYTES / 1024} KiB`, "content");
        throw new ApiError(422, "logo_invalid", "the image is not a PNG, JPEG or WebP file", "content");
      }
      await audit(s.db, request, "branding.logo", "organisation", org, { contentType: saved.contentType, bytes: bytes.length });
      return view(org);
    });

    app.delete("/branding/logo", { schema: { tags, summary: "Remove the logo (members see the service name alone)" } }, async (request, reply) => {
      const org = request.principal.organisationId;
      if (!(await removeLogo(s.db, org))) throw notFound("logo");
      await audit(s.db, request, "branding.logo_remove", "organisation", org);
      return reply.code(204).send();
    });

    // Public: the check-in page (no sign-in) and the console's header show it. Only our own images, never HTML or SVG.
    app.get("/branding/:organisationId/logo", {
      schema: { tags, summary: "The organisation's logo (public; PNG, JPEG or WebP)", params: LogoParams, querystring: LogoQuery, security: [] },
    }, async (request, reply) => {
      const logo = await readLogo(s.db, request.params.organisationId);
      if (!logo) throw notFound("logo");
      return reply.code(200).headers({
        "content-type": logo.contentType,
        "cache-control": "public, max-age=86400",
        etag: `"${logo.sha256.slice(0, 32)}"`,
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'",
        "cross-origin-resource-policy": "same-origin",
      }).send(Buffer.from(logo.bytes));
    });

    app.get("/terms", {
      schema: { tags, summary: "The versions of the terms of use, the current one, and how many active members agreed to it" },
    }, async (request) => {
      const summary = await termsSummary(s.db, request.principal.organisationId);
      return {
        current: summary.current ? termsView(summary.current) : null,
        versions: summary.versions.map(termsView),
        members: summary.members,
        agreed: summary.agreed,
      };
    });

    app.post("/terms", {
      schema: {
        tags, body: TermsInput,
        summary: "Publish a new version of the terms: members who have not agreed to it are asked again on their channel (phone members: by staff); nobody stops being watched",
      },
    }, async (request, reply) => {
      const org = request.principal.organisationId;
      const { version, body, url } = request.body;
      if (!body?.trim() && !url) throw new ApiError(400, "invalid_request", "give the terms' text, their URL, or both", "body");
      try {
        const published = await publishTerms(s.db, {
          organisationId: org, version, body: body?.trim() || null, url: url ?? null, publishedBy: request.principal.tokenName,
        }, s.clock.now());
        s.engine.nudge();
        await audit(s.db, request, "terms.publish", "terms_version", published.id, { version, asked: published.asked, byStaff: published.byStaff });
        return reply.code(201).send({ id: published.id, version, asked: published.asked, byStaff: published.byStaff });
      } catch (error) {
        if (error instanceof DuplicateTermsVersion) throw new ApiError(409, "terms_version_taken", error.message, "version");
        throw error;
      }
    });
  };
}
