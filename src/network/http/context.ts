/**
 * The regional network's HTTP part (contexts.ts in the core explains the shape):
 * its /api/v1 routes with their access, answers and team scope, its error codes,
 * and its routes outside /api/v1. Each area adds its plugin and its table entries
 * here.
 */
import type { HttpContext } from "../../http/contexts.ts";

/** Error codes of the network; each is declared for the type checker below and documented in the README. */
export const NETWORK_ERROR_CODES = {} as const satisfies Record<string, string>;

declare module "../../http/errors.ts" {
  interface ContextErrorCodes extends Record<keyof typeof NETWORK_ERROR_CODES, true> {}
}

export const NETWORK_HTTP: HttpContext = {
  name: "network",
  access: {},
  responses: {},
  scope: {},
  errorCodes: NETWORK_ERROR_CODES,
  api: [],
  outside: [],
};
