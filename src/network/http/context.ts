/**
 * The regional network's HTTP part (contexts.ts in the core explains the shape):
 * its /api/v1 routes with their access, answers and team scope, its error codes,
 * and its routes outside /api/v1. Each area adds its plugin and its table entries
 * here.
 */
import type { HttpContext } from "../../http/contexts.ts";
import { NoContent } from "../../http/responses.ts";
import { DeviceList, DeviceToken, DeviceView, DeviceWithToken, deviceEventRoute, deviceRoutes } from "./devices.ts";
import { triageRoutes } from "./triage.ts";
import { StatisticsFile, StatisticsOut, TriageAnswer, TriageReportList, TriageReportOut } from "./triage-schemas.ts";
import {
  KeyholderCard, RegistrationNumberList, registrationNumberRoutes, RegistrationNumberView,
} from "./registration-numbers.ts";
import {
  CONSENT_ERROR_CODES, ConsentView, consentRoutes, DisasterView, DisclosureList, DisclosureView, FhirBundle, MemberConsentsView, WithoutConsent,
} from "./consents.ts";
import { open311Routes } from "./open311.ts";
import { PARTNER_ACCESS, PARTNER_RESPONSES, partnerRoutes } from "./partners.ts";

/** Error codes of the network; each is declared for the type checker below and documented in the README. */
export const NETWORK_ERROR_CODES = {
  device_topic_taken: "another device of this organisation has this MQTT topic name",
  device_event_refused: "a device event seen already, older than the device's last one, or too far ahead of our clock; nothing changed",
  report_closed: "the partner report is decided already: reopen it to change its outcome",
  report_open: "the partner report is open: only a decided one is reopened",
  personal_in_status_notes: "the status note the reporter reads names the member, an address, the reporter or a phone number: it is public",
  registration_number_taken: "the registration number is in use in this organisation (withdraw it first)",
  registration_number_withdrawn: "the registration number is withdrawn already",
  ...CONSENT_ERROR_CODES,
} as const satisfies Record<string, string>;

declare module "../../http/errors.ts" {
  interface ContextErrorCodes extends Record<keyof typeof NETWORK_ERROR_CODES, true> {}
}

export const NETWORK_HTTP: HttpContext = {
  name: "network",
  access: {
    "GET /members/:id/devices": "observer",
    "POST /members/:id/devices": "staff",
    "GET /network/devices": "observer",
    "PATCH /network/devices/:id": "staff",
    "POST /network/devices/:id/token": "staff",
    "DELETE /network/devices/:id": "staff",
    // The triage queue (気づき): staff decide; observers read the redacted form; team staff reach their teams' members' reports.
    "GET /network/reports": "observer",
    "GET /network/reports/:id": "observer",
    "POST /network/reports/:id/triage": "staff",
    "POST /network/reports/:id/reopen": "staff",
    // Aggregates per partner and month: nobody is named.
    "GET /network/reports/statistics": "observer",
    "GET /network/reports/statistics/export": "observer",
    "GET /members/:id/registration-numbers": "observer",
    "POST /members/:id/registration-numbers": "staff",
    "DELETE /network/registration-numbers/:id": "staff",
    "POST /network/registration-numbers/lookup": "staff",
    // Consent: the team reads, staff record; the FHIR export shows who recorded (staff, audited).
    "GET /members/:id/consents": "observer",
    "POST /members/:id/consents": "staff",
    "GET /members/:id/consents/fhir": "staff",
    "GET /members/:id/disclosures": "observer",
    "POST /members/:id/disclosures": "staff",
    "GET /consents/missing": "observer",
    "GET /disaster-declaration": "observer",
    "POST /disaster-declaration": "admin",
    "DELETE /disaster-declaration": "admin",
    ...PARTNER_ACCESS,
  },
  responses: {
    "GET /members/:id/devices": { 200: DeviceList },
    "POST /members/:id/devices": { 201: DeviceWithToken },
    "GET /network/devices": { 200: DeviceList },
    "PATCH /network/devices/:id": { 200: DeviceView },
    "POST /network/devices/:id/token": { 200: DeviceToken },
    "DELETE /network/devices/:id": { 204: NoContent },
    "GET /network/reports": { 200: TriageReportList },
    "GET /network/reports/:id": { 200: TriageReportOut },
    "POST /network/reports/:id/triage": { 200: TriageAnswer },
    "POST /network/reports/:id/reopen": { 200: TriageReportOut },
    "GET /network/reports/statistics": { 200: StatisticsOut },
    "GET /network/reports/statistics/export": { 200: StatisticsFile },
    "GET /members/:id/registration-numbers": { 200: RegistrationNumberList },
    "POST /members/:id/registration-numbers": { 201: RegistrationNumberView },
    "DELETE /network/registration-numbers/:id": { 200: RegistrationNumberView },
    "POST /network/registration-numbers/lookup": { 200: KeyholderCard },
    "GET /members/:id/consents": { 200: MemberConsentsView },
    "POST /members/:id/consents": { 201: ConsentView },
    "GET /members/:id/consents/fhir": { 200: FhirBundle },
    "GET /members/:id/disclosures": { 200: DisclosureList },
    "POST /members/:id/disclosures": { 201: DisclosureView },
    "GET /consents/missing": { 200: WithoutConsent },
    "GET /disaster-declaration": { 200: DisasterView },
    "POST /disaster-declaration": { 200: DisasterView },
    "DELETE /disaster-declaration": { 204: NoContent },
    ...PARTNER_RESPONSES,
  },
  scope: {
    "GET /members/:id/devices": "member",
    "POST /members/:id/devices": "member",
    "GET /members/:id/registration-numbers": "member",
    "POST /members/:id/registration-numbers": "member",
    "GET /members/:id/consents": "member",
    "POST /members/:id/consents": "member",
    "GET /members/:id/consents/fhir": "member",
    "GET /members/:id/disclosures": "member",
    "POST /members/:id/disclosures": "member",
  },
  errorCodes: NETWORK_ERROR_CODES,
  api: [deviceRoutes, triageRoutes, registrationNumberRoutes, consentRoutes, partnerRoutes],
  // The finder's call (providers/finder-call.ts) is added by the network's composition root (context.ts).
  outside: [deviceEventRoute, open311Routes],
};
