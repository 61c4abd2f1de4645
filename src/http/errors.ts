/**
 * Every error leaves as `{"error": {"code", "message", "field"?}}` with a 4xx
 * status; a 500 is a bug, logged with its stack and answered without details.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { MissingReference } from "../engine/members.ts";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `no such ${what}`);

function body(code: string, message: string, field?: string) {
  return { error: { code, message, ...(field ? { field } : {}) } };
}

export function handleError(error: FastifyError | ApiError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ApiError) return reply.code(error.status).send(body(error.code, error.message, error.field));
  if (error instanceof MissingReference) return reply.code(422).send(body("unknown_reference", error.message, error.field));
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0];
    const path = first.instancePath.split("/").filter(Boolean);
    const keys = (first.params as { keys?: string[] } | undefined)?.keys;
    if (first.keyword === "unrecognized_keys" && keys?.length) path.push(keys[0]);
    const where = error.validationContext === "body" ? "" : `${error.validationContext}.`;
    const message = first.keyword === "unrecognized_keys" ? `unknown field${keys && keys.length > 1 ? "s" : ""}: ${keys?.join(", ")}` : (first.message ?? "is not valid");
    return reply.code(400).send(body("invalid_request", message, path.length ? `${where}${path.join(".")}` : (error.validationContext ?? "body")));
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError) {
    return reply.code(400).send(body("invalid_json", "the request body is not valid JSON"));
  }
  if (fastifyError.statusCode && fastifyError.statusCode < 500) {
    return reply.code(fastifyError.statusCode).send(body((fastifyError.code ?? "bad_request").toLowerCase(), fastifyError.message));
  }
  request.log.error({ err: error }, "request failed");
  return reply.code(500).send(body("internal", "something went wrong on our side; nothing was changed"));
}
