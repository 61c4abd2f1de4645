/**
 * The partner's report form and the public page of partners: plain HTML outside
 * /api/v1, no account, no JavaScript (thin: it calls the network's commands).
 *
 * - GET /r/{code} — the three urgencies; GET /r/{code}?u=… — the form (通報: "call
 *   110 or 119 now" first). POST /r/{code} — submitReport; refused input is shown
 *   again with every error on the page (400), never a 500 page for bad input; the
 *   form carries a random key, so a double submit stores one report. Success
 *   redirects (303) to the thank-you page with the reference code.
 * - GET /r/{code}/s/{reference} — the report's public status (open/closed, the
 *   status note), nothing personal.
 * - GET /partners/{organisationId} — the listed partners.
 */
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { getOrganisation } from "../../../engine/organisations.ts";
import { publicPages, sendPage as send } from "../../../http/public-pages.ts";
import type { Services } from "../../../http/services.ts";
import { REPORT_URGENCIES, type ReportUrgency } from "../../domain/triage.ts";
import { listedPartners, partnerByShortCode } from "../../engine/partners.ts";
import { PartnerUnavailable, ReportRefused, reportById, submitReport } from "../../engine/reports.ts";
import { type FormValues, formPage, partnersPage, reportFormProblemPage, startPage, statusPage, thanksPage } from "./pages.ts";

const FORM_LIMIT = 16 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;


const isUrgency = (u: unknown): u is ReportUrgency => typeof u === "string" && (REPORT_URGENCIES as readonly string[]).includes(u);

function emptyForm(urgency: ReportUrgency): FormValues {
  return {
    urgency, serviceCode: "", signs: [], address: "", registrationNumber: "", description: "", reporterName: "", reporterPhone: "",
    idempotencyKey: randomBytes(16).toString("base64url"),
  };
}

export async function reportFormRoutes(app: FastifyInstance, s: Services): Promise<void> {
  await publicPages(app, { name: "report form", formLimit: FORM_LIMIT, problem: reportFormProblemPage }, (scope) => {
    const options = { schema: { hide: true } } as const;

    const partnerOf = async (code: string) => (code.length <= 32 ? partnerByShortCode(s.db, code) : undefined);

    scope.get<{ Params: { code: string }; Querystring: { u?: string } }>("/r/:code", options, async (request, reply) => {
      const partner = await partnerOf(request.params.code);
      if (!partner) return send(reply, reportFormProblemPage(404));
      const u = request.query.u;
      if (isUrgency(u)) return send(reply, formPage(partner.name, partner.short_code, emptyForm(u)));
      return send(reply, startPage(partner.name, partner.short_code));
    });

    scope.post<{ Params: { code: string } }>("/r/:code", options, async (request, reply) => {
      const partner = await partnerOf(request.params.code);
      if (!partner) return send(reply, reportFormProblemPage(404));
      const body = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
      const field = (name: string) => body.get(name) ?? "";
      const urgency = field("urgency");
      if (!isUrgency(urgency)) return send(reply, startPage(partner.name, partner.short_code));
      const values: FormValues = {
        urgency, serviceCode: field("service_code"), signs: body.getAll("signs"), address: field("address"), registrationNumber: field("registration_number"),
        description: field("description"), reporterName: field("reporter_name"), reporterPhone: field("reporter_phone"),
        idempotencyKey: field("key") || randomBytes(16).toString("base64url"),
      };
      await s.clock.refresh();
      try {
        const { report, created } = await submitReport(s.db, partner.organisation_id, partner.id, {
          serviceCode: values.serviceCode, urgency: values.urgency, signs: values.signs, address: values.address, registrationNumber: values.registrationNumber,
          description: values.description, reporterName: values.reporterName, reporterPhone: values.reporterPhone, idempotencyKey: values.idempotencyKey,
        }, s.clock.now());
        if (created) s.engine.nudge();
        return reply.code(303).header("location", `/r/${partner.short_code}/done/${report.id}`).send();
      } catch (error) {
        if (error instanceof ReportRefused) return send(reply, formPage(partner.name, partner.short_code, values, error.errors));
        if (error instanceof PartnerUnavailable) return send(reply, reportFormProblemPage(404));
        throw error;
      }
    });

    const reportOf = async (code: string, reference: string) => {
      const partner = await partnerOf(code);
      if (!partner || !UUID.test(reference)) return undefined;
      const report = await reportById(s.db, partner.organisation_id, reference);
      return report && report.partner_id === partner.id ? { partner, report } : undefined;
    };

    scope.get<{ Params: { code: string; reference: string } }>("/r/:code/done/:reference", options, async (request, reply) => {
      const found = await reportOf(request.params.code, request.params.reference);
      if (!found) return send(reply, reportFormProblemPage(404));
      return send(reply, thanksPage(found.partner.name, found.partner.short_code, found.report.id, found.report.urgency));
    });

    scope.get<{ Params: { code: string; reference: string } }>("/r/:code/s/:reference", options, async (request, reply) => {
      const found = await reportOf(request.params.code, request.params.reference);
      if (!found) return send(reply, reportFormProblemPage(404));
      return send(reply, statusPage(found.partner.name, found.partner.short_code, found.report.id, found.report.status, found.report.status_notes));
    });

    scope.get<{ Params: { organisation: string } }>("/partners/:organisation", options, async (request, reply) => {
      const id = request.params.organisation;
      if (!UUID.test(id)) return send(reply, reportFormProblemPage(404));
      const organisation = await getOrganisation(s.db, id).catch(() => undefined);
      if (!organisation) return send(reply, reportFormProblemPage(404));
      const partners = await listedPartners(s.db, id);
      return send(reply, partnersPage(organisation.name, partners.map((p) => ({ name: p.name, kind: p.kind, business: p.business, agreementDate: p.agreement_date }))));
    });
  });
}
