/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) under /open311/v2/,
 * JSON only, outside /api/v1 and its bearer tokens: a partner's `api_key` (issued
 * in the registry, POST /api/v1/network/partners/:id/key) is the credential.
 *
 * - GET services.json — our report kinds; GET services/{code}.json — the service
 *   definition: urgency (見守り/相談/通報, singlevaluelist, required), the 見守り
 *   checklist `signs` (multivaluelist) and the member's `registration_number`.
 * - POST requests.json (api_key; form encoding `attribute[code]=value`,
 *   `attribute[signs][]=…`, or JSON) — submitReport; answers
 *   [{service_request_id, service_notice}]. An `Idempotency-Key` header (or
 *   `idempotency_key` field) makes a retry return the first request.
 * - GET requests.json and requests/{id}.json (api_key) — the partner's own
 *   requests, non-personal fields only: status open/closed, status_notes, the
 *   service, times, and `extended_attributes` {urgency, outcome}. Never the
 *   member, the address, the description or the reporter.
 *
 * Errors are GeoReport's shape, [{code, description}], with the HTTP status as
 * code: 400 bad input (naming the field), 403 missing or wrong key, 404 unknown.
 * README, "Open311 GeoReport v2", documents the mapping.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from "fastify";
import { ApiError } from "../../http/errors.ts";
import type { Services } from "../../http/services.ts";
import { type RawReport, REPORT_ATTRIBUTES, REPORT_SERVICES } from "../domain/reports.ts";
import { type PartnerRow, partnerByApiKey } from "../engine/partners.ts";
import { PartnerUnavailable, ReportRefused, type ReportRow, reportById, reportsOfPartner, submitReport } from "../engine/reports.ts";

export const OPEN311_BASE = "/open311/v2";
const BODY_LIMIT = 64 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class GeoReportError extends Error {
  readonly status: number;
  constructor(status: number, description: string) {
    super(description);
    this.status = status;
  }
}

/** Our field names → GeoReport's, for error descriptions. */
const GEOREPORT_FIELD: Record<string, string> = {
  serviceCode: "service_code", urgency: "attribute[urgency]", signs: "attribute[signs]", registrationNumber: "attribute[registration_number]",
  address: "address_string", lat: "lat", long: "long", description: "description", requestedAt: "requested_datetime",
  reporterName: "first_name", reporterPhone: "phone", idempotencyKey: "idempotency_key", where: "address_string",
};

type Fields = Map<string, string[]>;

/** A form body (attribute[code]=v, attribute[code][]=v) or a JSON body as one multi-map of GeoReport field names. */
function fieldsOf(body: unknown): Fields {
  const fields: Fields = new Map();
  const add = (key: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      for (const v of value) add(key, v);
      return;
    }
    if (typeof value === "object") {
      for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
      return;
    }
    const k = key.replace(/\[\]$/, "");
    fields.set(k, [...(fields.get(k) ?? []), String(value)]);
  };
  if (body instanceof URLSearchParams) for (const [k, v] of body) add(k, v);
  else if (body && typeof body === "object" && !Array.isArray(body)) for (const [k, v] of Object.entries(body)) add(k, v);
  else if (body !== undefined) throw new GeoReportError(400, "the body must be form fields or a JSON object");
  return fields;
}

const one = (fields: Fields, key: string): string | undefined => fields.get(key)?.[0];

/** GeoReport's request fields → our report as sent. */
function rawReport(fields: Fields, idempotencyHeader: string | undefined): RawReport {
  const names = [one(fields, "first_name"), one(fields, "last_name")].filter((n) => n && n.trim() !== "");
  return {
    serviceCode: one(fields, "service_code"),
    urgency: one(fields, "attribute[urgency]"),
    signs: fields.get("attribute[signs]"),
    registrationNumber: one(fields, "attribute[registration_number]"),
    description: one(fields, "description"),
    address: one(fields, "address_string"),
    lat: one(fields, "lat"),
    long: one(fields, "long"),
    requestedAt: one(fields, "requested_datetime"),
    reporterName: names.length > 0 ? names.join(" ") : undefined,
    reporterPhone: one(fields, "phone"),
    idempotencyKey: idempotencyHeader ?? one(fields, "idempotency_key"),
  };
}

/** A service request as anyone holding the partner's key reads it: no personal field. */
export function publicRequest(r: ReportRow) {
  const service = REPORT_SERVICES.find((s) => s.code === r.service_code);
  return {
    service_request_id: r.id,
    status: r.status,
    status_notes: r.status_notes,
    service_code: r.service_code,
    service_name: service?.name ?? r.service_code,
    agency_responsible: null,
    service_notice: null,
    requested_datetime: r.requested_at.toISOString(),
    updated_datetime: (r.triaged_at ?? r.received_at).toISOString(),
    expected_datetime: null,
    media_url: null,
    extended_attributes: { urgency: r.urgency, outcome: r.outcome },
  };
}

function serviceView(s: (typeof REPORT_SERVICES)[number]) {
  return { service_code: s.code, service_name: s.name, description: s.description, metadata: true, type: "realtime", keywords: "見守り", group: s.group };
}

export async function open311Routes(app: FastifyInstance, s: Services): Promise<void> {

  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: BODY_LIMIT },
      (_request, body, done) => done(null, new URLSearchParams(body as string)));
    scope.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: BODY_LIMIT }, (_request, body, done) => {
      if (body === "") return done(null, undefined);
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new GeoReportError(400, "the body is not valid JSON"), undefined);
      }
    });
    scope.addHook("onSend", async (_request, reply) => {
      reply.header("cache-control", "no-store");
      reply.header("x-content-type-options", "nosniff");
    });
    scope.setErrorHandler((error: FastifyError | GeoReportError | ApiError, request, reply) => {
      const status = error instanceof GeoReportError || error instanceof ApiError ? error.status
        : error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) request.log.error({ err: error }, "open311 failed");
      // The instance-wide input rule (a NUL, a lone surrogate…) names the field as sent: GeoReport's own name.
      const named = error instanceof ApiError && error.field ? `${error.field.replace(/^(querystring|params)\./, "")}: ` : "";
      const description = status === 500 ? "a fault on our side; nothing was changed" : `${named}${error.message}`;
      return reply.code(status).type("application/json; charset=utf-8").send([{ code: status, description }]);
    });

    /** The key is a credential: keep it out of the request log. */
    const options = { schema: { hide: true }, logLevel: "warn" } as const;

    const partnerOf = async (request: FastifyRequest, fields?: Fields): Promise<PartnerRow> => {
      const query = request.query as Record<string, unknown>;
      const key = (fields && one(fields, "api_key")) ?? (typeof query.api_key === "string" ? query.api_key : undefined);
      if (!key) throw new GeoReportError(403, "api_key is required");
      const partner = await partnerByApiKey(s.db, key);
      if (!partner) throw new GeoReportError(403, "api_key is not valid");
      return partner;
    };

    scope.get(`${OPEN311_BASE}/discovery.json`, options, async () => ({
      changeset: "2026-12-01T00:00:00Z",
      contact: "見守りアンカー (the organisation's staff)",
      key_service: "The organisation's staff issue each partner's api_key in the console (協力事業者).",
      endpoints: [{ specification: "http://wiki.open311.org/GeoReport_v2", url: `${s.publicUrl()}${OPEN311_BASE}`, changeset: "2026-12-01T00:00:00Z", type: "production", formats: ["application/json"] }],
    }));

    scope.get(`${OPEN311_BASE}/services.json`, options, async () => REPORT_SERVICES.map(serviceView));

    scope.get<{ Params: { code: string } }>(`${OPEN311_BASE}/services/:code`, options, async (request) => {
      const code = request.params.code.replace(/\.json$/, "");
      const service = request.params.code.endsWith(".json") ? REPORT_SERVICES.find((x) => x.code === code) : undefined;
      if (!service) throw new GeoReportError(404, `no such service_code: ${code.slice(0, 40)}`);
      return {
        service_code: service.code,
        attributes: REPORT_ATTRIBUTES.map((a) => ({
          variable: true, code: a.code, datatype: a.datatype, required: a.required, datatype_description: a.en, order: a.order, description: a.description,
          ...(a.values ? { values: a.values.map((v) => ({ key: v.key, name: v.name })) } : {}),
        })),
      };
    });

    scope.post(`${OPEN311_BASE}/requests.json`, options, async (request, reply) => {
      const fields = fieldsOf(request.body);
      const partner = await partnerOf(request, fields);
      const header = request.headers["idempotency-key"];
      await s.clock.refresh();
      try {
        const { report, created } = await submitReport(s.db, partner.organisation_id, partner.id, rawReport(fields, typeof header === "string" ? header : undefined), s.clock.now());
        if (created) s.engine.nudge();
        return reply.code(created ? 201 : 200).send([{ service_request_id: report.id, service_notice: report.urgency === "emergency" ? "緊急の場合は110番または119番に電話してください" : "", account_id: null }]);
      } catch (error) {
        if (error instanceof ReportRefused) {
          const e = error.errors[0]!;
          throw new GeoReportError(400, `${GEOREPORT_FIELD[e.field] ?? e.field}: ${e.message}`);
        }
        if (error instanceof PartnerUnavailable) throw new GeoReportError(403, "api_key is not valid");
        throw error;
      }
    });

    scope.get(`${OPEN311_BASE}/requests.json`, options, async (request) => {
      const partner = await partnerOf(request);
      const query = request.query as Record<string, unknown>;
      const ids = typeof query.service_request_id === "string" ? query.service_request_id.split(",").map((x) => x.trim()).filter((x) => x !== "") : [];
      if (ids.some((id) => !UUID.test(id))) throw new GeoReportError(400, "service_request_id: must be ids (UUID), comma-separated");
      if (ids.length > 100) throw new GeoReportError(400, "service_request_id: at most 100 ids");
      const status = typeof query.status === "string" ? query.status : undefined;
      if (status !== undefined && status !== "open" && status !== "closed") throw new GeoReportError(400, "status: must be open or closed");
      const rows = await reportsOfPartner(s.db, partner.organisation_id, partner.id, { ids, status, limit: 200 });
      return rows.map(publicRequest);
    });

    scope.get<{ Params: { id: string } }>(`${OPEN311_BASE}/requests/:id`, options, async (request) => {
      const partner = await partnerOf(request);
      const id = request.params.id.replace(/\.json$/, "");
      if (!request.params.id.endsWith(".json") || !UUID.test(id)) throw new GeoReportError(404, "no such service request");
      const row = await reportById(s.db, partner.organisation_id, id);
      if (!row || row.partner_id !== partner.id) throw new GeoReportError(404, "no such service request");
      return [publicRequest(row)];
    });
  });
}


