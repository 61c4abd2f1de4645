/**
 * The page of an offer's private link, GET and POST /offer/{token}, outside
 * /api/v1 (engine/offer-links.ts): a volunteer without a login accepts or
 * declines the request the link names, then sees whom to help and logs what
 * they did. No account, no JavaScript, Japanese first, noindex (the directory's
 * private-page scope). Every request counts towards the link's rate limit;
 * every view and action is audited as the link (`volunteer:link:<id>`), a view
 * of whom to help with the member as its subject. A forged, expired or closed
 * link, or one used too often, gets a page saying so and nothing about the request.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { organisationTimeZone } from "../../engine/today.ts";
import { auditAs } from "../../http/audit.ts";
import { textProblem } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { organisationTaxonomy } from "../engine/matches.ts";
import { NeedError } from "../engine/needs.ts";
import { offerLinkActor } from "../engine/offer-link-tokens.ts";
import { logContactByLink, type OfferLinkView, openOfferLink } from "../engine/offer-links.ts";
import { answerRequest, VolunteerError } from "../engine/volunteers.ts";
import { declinedPage, type HelpKinds, type OfferOutcome, offerPage, offerProblemPage } from "./offer-pages-html.ts";
import { sendPage } from "../../http/public-pages.ts";
import { privatePageScope } from "./private-pages.ts";

const FORM_LIMIT = 16 * 1024;

/** Free text from the form: CRLF as LF, trimmed, at most `max` characters; null when empty or against the one text rule. */
function formText(body: URLSearchParams, name: string, max: number): string | null | "bad" {
  const value = (body.get(name) ?? "").replace(/\r\n/g, "\n").trim().slice(0, max);
  if (!value) return null;
  return textProblem(value, true) ? "bad" : value;
}

export async function offerPages(app: FastifyInstance, s: Services): Promise<void> {
  await privatePageScope(app, { formLimit: FORM_LIMIT, what: "volunteer offer page", problem: offerProblemPage }, (scope) => {
    const options = { schema: { hide: true } } as const;

    const kindsOf = async (view: OfferLinkView): Promise<HelpKinds> => {
      const terms = new Map((await organisationTaxonomy(s.db, view.organisationId)).map((t) => [t.code, t]));
      const codes = view.request.need.taxonomyCodes;
      return {
        ja: codes.map((c) => terms.get(c)?.name ?? c).join("、") || "生活支援",
        en: codes.map((c) => terms.get(c)?.name_en ?? c).join(", ") || "daily-life support",
      };
    };

    /** The page as it stands, audited as a view by the link (the member its subject once whom to help is shown). */
    const show = async (request: FastifyRequest, reply: FastifyReply, token: string, view: OfferLinkView, outcome?: OfferOutcome) => {
      const detail = { requestId: view.request.id, needId: view.request.needId, stage: view.stage };
      if (view.stage === "accepted") {
        await auditAs(s.db, request, view.organisationId, offerLinkActor(view.linkId), "directory_request.link_view", "member", view.memberId,
          { ...detail, fields: ["memberName", "address", "phone"] });
      } else {
        await auditAs(s.db, request, view.organisationId, offerLinkActor(view.linkId), "directory_request.link_view", "directory_volunteer",
          view.request.volunteerId, detail);
      }
      return sendPage(reply, offerPage(token, view, await kindsOf(view), await organisationTimeZone(s.db, view.organisationId), outcome));
    };

    /** The page again after a POST (already counted towards the rate limit). */
    const again = async (request: FastifyRequest, reply: FastifyReply, token: string, outcome?: OfferOutcome) => {
      const view = await openOfferLink(s.db, token, s.clock.now(), false);
      if ("problem" in view) return sendPage(reply, offerProblemPage(view.problem));
      return show(request, reply, token, view, outcome);
    };

    scope.get<{ Params: { token: string } }>("/offer/:token", options, async (request, reply) => {
      await s.clock.refresh();
      const view = await openOfferLink(s.db, request.params.token, s.clock.now());
      if ("problem" in view) return sendPage(reply, offerProblemPage(view.problem));
      return show(request, reply, request.params.token, view);
    });

    scope.post<{ Params: { token: string } }>("/offer/:token", options, async (request, reply) => {
      await s.clock.refresh();
      const token = request.params.token;
      const body = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
      const action = body.get("action");
      const view = await openOfferLink(s.db, token, s.clock.now());
      if ("problem" in view) return sendPage(reply, offerProblemPage(view.problem));
      const actor = offerLinkActor(view.linkId);
      const detail = { requestId: view.request.id, needId: view.request.needId, via: "link" };

      if ((action === "accept" || action === "decline") && view.stage === "answer") {
        const reason = action === "decline" ? formText(body, "reason", 500) : null;
        try {
          await answerRequest(s.db, view.organisationId, view.request.id, action, reason === "bad" ? null : reason, s.clock.now(), s.publicUrl());
        } catch (error) {
          // Answered, expired or withdrawn meanwhile, or the need closed: the offer is over.
          if (error instanceof VolunteerError || error instanceof NeedError) return sendPage(reply, offerProblemPage("closed"));
          throw error;
        }
        if (action === "decline") {
          await auditAs(s.db, request, view.organisationId, actor, "directory_request.decline", "directory_volunteer", view.request.volunteerId, detail);
          return sendPage(reply, declinedPage());
        }
        await auditAs(s.db, request, view.organisationId, actor, "directory_request.accept", "directory_volunteer", view.request.volunteerId, detail);
        return again(request, reply, token, { done: "accept" });
      }

      if (action === "contact" && view.stage === "accepted") {
        const note = formText(body, "note", 2000);
        if (note === null || note === "bad") return show(request, reply, token, view, { refused: "note_required" });
        const logged = await logContactByLink(s.db, view, note, s.clock.now());
        if ("problem" in logged) return sendPage(reply, offerProblemPage(logged.problem));
        await auditAs(s.db, request, view.organisationId, actor, "directory_contact.log", "member", view.memberId, { ...detail, contactId: logged.id });
        return again(request, reply, token, { done: "contact" });
      }

      // An action this stage does not take (an answer after accepting, a contact before): the page as it stands.
      return show(request, reply, token, view);
    });
  });
}
