/**
 * Every error leaves as `{"error": {"code", "message", "field"?, "fields"?}}` with a
 * 4xx status; a 500 is a bug, logged with its stack and answered without details.
 * `code` is one of ERROR_CODES (stable: clients translate on it, never on the
 * message); `fields` lists every failing field of a refused request, each with
 * its own code from FIELD_CODES, the first of them repeated in `field`.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { FastifySchemaCompiler } from "fastify";
import { z } from "zod";
import { ExternalIdTaken, isExternalIdConflict, MissingReference } from "../engine/members.ts";

/** The request-level error codes, with what each means (README, API section, and the OpenAPI document list them). */
export const ERROR_CODES = {
  invalid_request: "a field, parameter or the body is not valid; see field and fields",
  invalid_json: "the body is not valid JSON",
  body_not_allowed: "this operation takes no body (none, or {})",
  body_too_large: "the body is larger than the limit",
  unsupported_media_type: "the body's Content-Type is not accepted here (JSON: application/json)",
  invalid_url: "the URL is not valid (e.g. broken percent-encoding)",
  path_too_long: "a path parameter is longer than any valid value",
  unauthorized: "no API token, or an unknown or revoked one",
  token_expired: "the API token is past its expiresAt",
  forbidden: "the token's role may not do this",
  bad_signature: "a webhook's signature does not match",
  not_found: "no such route or resource in this organisation",
  unknown_reference: "the body names a row (team, group, contact…) that does not exist in this organisation",
  no_recipients: "the audience of a broadcast has no active member",
  no_question: "the broadcast asked no question, so it takes no answers",
  invalid_cap: "the document is not a CAP 1.2 alert that can start a broadcast (malformed XML, not CAP, or a field missing or not allowed); field names it",
  drill_broadcast: "a drill's silence opens no incident (no visit on it): call the member instead",
  clock_backwards: "the sandbox clock never goes backwards",
  default_team: "the default team cannot be deleted",
  team_has_members: "a team with members cannot be deleted",
  already_confirmed: "the contact has already confirmed",
  not_awaiting_approval: "the group is not waiting for approval",
  rounds_need_line_group: "only a LINE group runs rounds: a plan for a group staff put together is refused",
  already_acknowledged: "the incident is already acknowledged",
  incident_resolved: "the incident is already resolved",
  last_admin_token: "the organisation's last admin token cannot be revoked",
  too_many_requests: "slow down and retry later",
  bad_request: "the request could not be read",
  headers_too_large: "the request's headers are larger than the limit",
  request_timeout: "the request did not arrive in time",
  internal: "a fault on our side; nothing was changed",
  csrf_failed: "a signed-in write did not carry the session's CSRF token (x-csrf-token)",
  invalid_credentials: "the login id, password or code is wrong",
  account_locked: "too many failed sign-ins: the account is locked for a while",
  organisation_required: "the login id exists in several organisations: send organisationId",
  invitation_invalid: "the invitation is unknown, used or expired",
  totp_invalid: "the authenticator code does not match",
  login_taken: "another person of this organisation has this login id",
  last_admin: "the organisation's last admin must stay an admin",
  idempotency_key_reused: "the idempotency key was used before for a different request (another member or another answer); nothing recorded",
  external_id_taken: "another member of this organisation has this external number",
  import_unreadable_file: "the uploaded file is neither CSV nor an xlsx workbook that can be read",
  import_empty_file: "the uploaded file has no header row",
  import_too_many_rows: "the uploaded file has more rows than an import takes (20,000)",
  import_too_many_columns: "the uploaded file has more columns than an import takes (100)",
  import_busy: "a check or commit of this import is running",
  import_committed: "this import is committed already",
  import_expired: "this import waited 7 days without a commit and its rows were removed",
  import_not_checked: "the import must be checked (dry run) before it is committed",
  import_has_problems: "the check found bad rows: fix the file and upload it again",
  challenge_invalid: "the passkey request (challengeId) is unknown, used or expired: start again",
  passkey_invalid: "the passkey's answer could not be verified, or the passkey is already registered",
  not_in_team: "this belongs to a team you are not a member of",
  too_many_passkeys: "a person holds at most 20 passkeys",
  last_credential: "this passkey is the person's only way to sign in",
  not_assigned: "a watcher asked for a member, incident or visit that is not assigned to them",
  visit_open: "the incident already has a visit to be done (one at a time: cancel it first)",
  visit_not_offered: "the visit is already accepted",
  visit_closed: "the visit is done, cancelled or left with nobody: it takes no answer or outcome",
  not_on_duty_role: "only staff and admins receive team alerts: a watcher or auditor has no alert channels and is never on duty",
  channel_taken: "the person has registered this channel already",
  too_many_channels: "a person holds at most 10 alert channels",
  already_subscribed: "this address or person receives the monthly report by e-mail already",
  person_without_email: "the person has no e-mail address to send to: add one on their page, or subscribe an address",
  logo_invalid: "the uploaded logo is not a PNG, JPEG or WebP image (checked by its bytes), or is empty",
  logo_too_large: "the uploaded logo is larger than 512 KiB",
  terms_version_taken: "this version of the terms was already published: give the new one its own label",
  unknown_placeholder: "the template uses a {placeholder} its kind does not have (GET /message-templates lists each kind's)",
  template_too_long: "the template, filled with sample values, breaks its channel's limit (LINE 5,000 characters, SMS 4 segments with the link, phone 200 characters, e-mail 10,000)",
  template_empty: "a template needs some text",
  no_such_template: "this kind of message has no template on this channel",
} as const;
/**
 * Error codes a bounded context adds (src/network/…): the context declares them by
 * module augmentation, as it adds its tables to `Database`,
 *
 *   declare module "../../http/errors.ts" { interface ContextErrorCodes { partner_not_found: true } }
 *
 * and registers their meanings at the composition root (`registerErrorCodes`).
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by bounded contexts
export interface ContextErrorCodes {}

export type ErrorCode = keyof typeof ERROR_CODES | keyof ContextErrorCodes;

const contextErrorCodes: Record<string, string> = {};

/** Adds a context's codes (code → meaning) to the documented set; a code the core already has is a fault. */
export function registerErrorCodes(codes: Record<string, string>): void {
  for (const [code, meaning] of Object.entries(codes)) {
    if (code in ERROR_CODES) throw new Error(`error code ${code} is the core's`);
    contextErrorCodes[code] = meaning;
  }
}

/** Every documented error code with its meaning: the core's and the registered contexts'. */
export function errorCodes(): Readonly<Record<string, string>> {
  return { ...ERROR_CODES, ...contextErrorCodes };
}

/** The per-field codes in `fields[].code`. */
export const FIELD_CODES = {
  required: "the field is missing",
  invalid_type: "wrong JSON type (e.g. a number where text is expected)",
  too_small: "too short, too few items, or a number below the minimum",
  too_big: "too long, too many items, or a number above the maximum",
  invalid_format: "not in the expected form (id, e-mail address, date-time, URL…)",
  invalid_value: "not one of the allowed values",
  unknown_field: "the field is not part of this request",
  control_character: "text holds a control character (NUL and the like; tab and line breaks only in multi-line text)",
  lone_surrogate: "text holds a lone UTF-16 surrogate (not valid Unicode)",
  out_of_range: "a date, duration, number or cursor outside the accepted range",
  unknown_reference: "names a row that does not exist in this organisation",
  invalid: "not valid for another reason given in the message",
} as const;
export type FieldCode = keyof typeof FIELD_CODES;

export interface FieldError { field: string; code: FieldCode | ErrorCode; message: string }

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly fields: FieldError[] | undefined;
  constructor(status: number, code: ErrorCode, message: string, field?: string, fields?: FieldError[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.fields = fields;
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `no such ${what}`);

let documented: { codes: string; schema: z.ZodType } | undefined;

/**
 * The error body of the OpenAPI document, from the same codes (the core's and the
 * registered contexts'); one schema per set of codes, so the document names it once.
 */
export function errorSchema(): z.ZodType {
  const codes = Object.keys(errorCodes()).join(",");
  if (documented?.codes === codes) return documented.schema;
  if (documented) z.globalRegistry.remove(documented.schema);
  documented = { codes, schema: errorShape() };
  return documented.schema;
}

const errorShape = () => z.object({
  error: z.object({
    code: z.enum(Object.keys(errorCodes()) as [ErrorCode, ...ErrorCode[]]).describe("stable; translate on this, never on the message"),
    message: z.string().describe("English, for people"),
    field: z.string().optional().describe("the first failing field: body fields by their path (members.2.plan.at), others as params.id, querystring.limit"),
    fields: z.array(z.object({
      field: z.string(),
      code: z.string().describe(`one of ${Object.keys(FIELD_CODES).join(", ")}, or an error code`),
      message: z.string(),
    })).optional().describe("every failing field"),
  }),
}).meta({ id: "Error" });

export function errorBody(code: ErrorCode, message: string, field?: string, fields?: FieldError[]) {
  // A field refused without its own code is `invalid` (the field codes the README lists), not the request's code.
  const list = fields ?? (field ? [{ field, code: code === "invalid_request" ? "invalid" as const : code, message }] : undefined);
  return { error: { code, message, ...(field ? { field } : {}), ...(list ? { fields: list } : {}) } };
}

/** A request refused by its zod schema: every issue, named by Fastify with where it was (body, querystring, params). */
export class RequestValidationError extends Error {
  readonly issues: z.core.$ZodIssue[];
  validationContext?: string;
  constructor(issues: z.core.$ZodIssue[]) {
    super(issues[0]?.message ?? "invalid request");
    this.issues = issues;
  }
}

/**
 * Fastify's validator for zod schemas: the parsed value, or every issue (with the
 * input, so a missing field is told apart from a wrong one).
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema }) => (data: unknown) => {
  const result = schema.safeParse(data, { reportInput: true });
  return result.success ? { value: result.data } : { error: new RequestValidationError(result.error.issues) };
};

/** One zod issue as our field errors (an unknown-keys issue names each key). */
function fieldErrors(issue: z.core.$ZodIssue, context: string | undefined): FieldError[] {
  const prefix = context && context !== "body" ? `${context}.` : "";
  const name = (p: PropertyKey[]) => (p.length ? `${prefix}${p.map(String).join(".")}` : (context ?? "body"));
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => ({ field: name([...issue.path, k]), code: "unknown_field" as const, message: `unknown field: ${k}` }));
  }
  const custom = issue.code === "custom" ? (issue.params as { code?: FieldCode } | undefined)?.code : undefined;
  const code: FieldCode = custom && custom in FIELD_CODES ? custom
    : issue.code === "invalid_type" && issue.input === undefined ? "required"
    : issue.code === "invalid_union" || issue.code === "invalid_key" || issue.code === "invalid_element" ? "invalid_value"
    : issue.code in FIELD_CODES ? issue.code as FieldCode
    : "invalid";
  return [{ field: name(issue.path), code, message: code === "required" ? "is required" : issue.message }];
}

/** Fastify's own errors, by their stable codes, as ours. */
const FRAMEWORK: Record<string, [number, ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, "invalid_json", "the request body is not valid JSON"],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, "invalid_json", "the request body is empty; send JSON or no Content-Type"],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, "body_too_large", "the request body is too large"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, "unsupported_media_type", "send the body as application/json"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, "bad_request", "the Content-Length does not match the body"],
  FST_ERR_BAD_URL: [400, "invalid_url", "the URL is not valid (check its percent-encoding)"],
  FST_ERR_MAX_PARAM_LENGTH: [414, "path_too_long", "a path parameter is too long"],
  FST_ERR_NOT_FOUND: [404, "not_found", "no such route"],
};

export function handleError(error: FastifyError | ApiError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ApiError) return reply.code(error.status).send(errorBody(error.code, error.message, error.field, error.fields));
  if (error instanceof MissingReference) {
    const fields = error.fields.map((field) => ({ field, code: "unknown_reference" as const, message: error.message }));
    return reply.code(422).send(errorBody("unknown_reference", error.message, error.field, fields));
  }
  if (error instanceof ExternalIdTaken) return reply.code(409).send(errorBody("external_id_taken", error.message, error.field));
  // Two registrations with one number at the same moment: the unique index decides, the loser hears why.
  if (isExternalIdConflict(error)) {
    return reply.code(409).send(errorBody("external_id_taken", "another member of this organisation has this external number", "externalId"));
  }
  if (error instanceof RequestValidationError) {
    const fields = error.issues.flatMap((issue) => fieldErrors(issue, error.validationContext));
    return reply.code(400).send(errorBody("invalid_request", fields[0].message, fields[0].field, fields));
  }
  const fastifyError = error as FastifyError;
  const known = fastifyError.code ? FRAMEWORK[fastifyError.code] : undefined;
  if (known) return reply.code(known[0]).send(errorBody(known[1], fastifyError.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" ? mediaTypeMessage(request) : known[2]));
  // secure-json-parse refuses __proto__ and constructor.prototype with a SyntaxError.
  if (error instanceof SyntaxError) return reply.code(400).send(errorBody("invalid_json", "the request body is not valid JSON"));
  if (fastifyError.statusCode && fastifyError.statusCode < 500) {
    const code: ErrorCode = fastifyError.statusCode === 429 ? "too_many_requests" : fastifyError.statusCode === 404 ? "not_found" : "bad_request";
    return reply.code(fastifyError.statusCode).send(errorBody(code, fastifyError.message));
  }
  request.log.error({ err: error }, "request failed");
  return reply.code(500).send(errorBody("internal", "something went wrong on our side; nothing was changed"));
}

/** The API takes JSON; a webhook or a form outside it takes its provider's type, so only the refused one is named. */
function mediaTypeMessage(request: FastifyRequest): string {
  if (request.url.startsWith("/api/")) return "send the body as application/json";
  const type = String(request.headers["content-type"] ?? "").split(";")[0].trim().slice(0, 100);
  return `this endpoint does not take a body of type ${type || "(none)"}`;
}

/** Fastify's `frameworkErrors` (bad URL encoding, over-long path parameters) answered like every other error. */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return handleError(error, request, reply);
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers too large,
 * malformed HTTP, too slow) answered in our shape too, then the connection closed.
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: import("node:stream").Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, reason, code, message]: [number, string, ErrorCode, string] =
    error.code === "HPE_HEADER_OVERFLOW" ? [431, "Request Header Fields Too Large", "headers_too_large", "the request's headers are too large"]
    : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "Request Timeout", "request_timeout", "the request did not arrive in time"]
    : [400, "Bad Request", "bad_request", "the request is not valid HTTP"];
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
