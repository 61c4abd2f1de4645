/**
 * The regional network's HTTP part (contexts.ts in the core explains the shape):
 * its /api/v1 routes with their access, answers and team scope, its error codes,
 * and its routes outside /api/v1. Each area exports its own tables from its own
 * file (DEVICE_ACCESS, TRIAGE_RESPONSES, …); this file only composes them.
 */
import type { HttpContext } from "../../http/contexts.ts";
import { CONSENT_ACCESS, CONSENT_ERROR_CODES, CONSENT_RESPONSES, CONSENT_SCOPE, consentRoutes } from "./consents.ts";
import { DEVICE_ACCESS, DEVICE_ERROR_CODES, DEVICE_RESPONSES, DEVICE_SCOPE, deviceEventRoute, deviceRoutes } from "./devices.ts";
import { open311Routes } from "./open311.ts";
import { PARTNER_ACCESS, PARTNER_RESPONSES, partnerRoutes } from "./partners.ts";
import {
  REGISTRATION_NUMBER_ACCESS, REGISTRATION_NUMBER_ERROR_CODES, REGISTRATION_NUMBER_RESPONSES, REGISTRATION_NUMBER_SCOPE, registrationNumberRoutes,
} from "./registration-numbers.ts";
import { TRIAGE_ACCESS, TRIAGE_ERROR_CODES, TRIAGE_RESPONSES, triageRoutes } from "./triage.ts";

/** Error codes of the network; each is declared for the type checker below and documented in the README. */
export const NETWORK_ERROR_CODES = {
  ...DEVICE_ERROR_CODES,
  ...TRIAGE_ERROR_CODES,
  ...REGISTRATION_NUMBER_ERROR_CODES,
  ...CONSENT_ERROR_CODES,
} as const satisfies Record<string, string>;

declare module "../../http/errors.ts" {
  interface ContextErrorCodes extends Record<keyof typeof NETWORK_ERROR_CODES, true> {}
}

export const NETWORK_HTTP: HttpContext = {
  name: "network",
  access: { ...DEVICE_ACCESS, ...TRIAGE_ACCESS, ...REGISTRATION_NUMBER_ACCESS, ...CONSENT_ACCESS, ...PARTNER_ACCESS },
  responses: { ...DEVICE_RESPONSES, ...TRIAGE_RESPONSES, ...REGISTRATION_NUMBER_RESPONSES, ...CONSENT_RESPONSES, ...PARTNER_RESPONSES },
  scope: { ...DEVICE_SCOPE, ...REGISTRATION_NUMBER_SCOPE, ...CONSENT_SCOPE },
  errorCodes: NETWORK_ERROR_CODES,
  api: [deviceRoutes, triageRoutes, registrationNumberRoutes, consentRoutes, partnerRoutes],
  // The finder's call (providers/finder-call.ts) is added by the network's composition root (context.ts).
  outside: [deviceEventRoute, open311Routes],
};
