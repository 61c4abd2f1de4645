/**
 * The directory's HTTP part (contexts.ts in the core explains the shape): its
 * /api/v1/directory routes with their access, answers and team scope, its error
 * codes, and its routes outside /api/v1 (the public HSDS API, the public page).
 * Each area exports its own tables from its own file (…_ACCESS, …_RESPONSES,
 * …_ERROR_CODES); this file only composes them.
 */
import type { HttpContext } from "../../http/contexts.ts";
import type { DirectoryPorts } from "../engine/ports.ts";
import { ATTENDANCE_ACCESS, ATTENDANCE_ERROR_CODES, ATTENDANCE_RESPONSES, attendanceRoutes } from "./attendance.ts";
import { CONTACT_ACCESS, CONTACT_ERROR_CODES, CONTACT_RESPONSES, directoryContactRoutes } from "./contacts.ts";
import { DIRECTORY_STAFF_ACCESS, DIRECTORY_STAFF_ERROR_CODES, DIRECTORY_STAFF_RESPONSES, directoryRoutes } from "./directory.ts";
import { HSDS_ACCESS, HSDS_RESPONSES, hsdsRoutes } from "./hsds.ts";
import { INVITATION_ACCESS, INVITATION_ERROR_CODES, INVITATION_RESPONSES, invitationRoutes, providerUpdatePages } from "./invitations.ts";
import { doorPages } from "./door-pages.ts";
import { offerPages } from "./offer-pages.ts";
import { OWNER_ACCESS, OWNER_RESPONSES, ownerRoutes } from "./owners.ts";
import { directoryPageRoutes } from "./public-page.ts";
import { NEEDS_ACCESS, NEEDS_ERROR_CODES, NEEDS_RESPONSES, needRoutes } from "./needs.ts";
import { REFERRAL_LINK_ACCESS, REFERRAL_LINK_RESPONSES, referralLinkRoutes, referralReceiverPages } from "./referral-links.ts";
import { REFERRAL_ACCESS, REFERRAL_ERROR_CODES, REFERRAL_RESPONSES, referralRoutes } from "./referrals.ts";
import { SETTINGS_ACCESS, SETTINGS_RESPONSES, settingsRoutes } from "./settings.ts";

/** Error codes of the directory; each is declared for the type checker below. */
export const DIRECTORY_ERROR_CODES = {
  ...DIRECTORY_STAFF_ERROR_CODES,
  ...CONTACT_ERROR_CODES,
  ...NEEDS_ERROR_CODES,
  ...REFERRAL_ERROR_CODES,
  ...ATTENDANCE_ERROR_CODES,
  ...INVITATION_ERROR_CODES,
} as const satisfies Record<string, string>;

declare module "../../http/errors.ts" {
  interface ContextErrorCodes extends Record<keyof typeof DIRECTORY_ERROR_CODES, true> {}
}

/** The directory's routes, given the ports the composition root passes (engine/ports.ts). */
export function directoryHttp(ports: DirectoryPorts): HttpContext {
  return {
    name: "directory",
    access: {
      ...DIRECTORY_STAFF_ACCESS, ...NEEDS_ACCESS, ...REFERRAL_ACCESS, ...REFERRAL_LINK_ACCESS, ...HSDS_ACCESS, ...ATTENDANCE_ACCESS, ...INVITATION_ACCESS,
      ...SETTINGS_ACCESS, ...OWNER_ACCESS, ...CONTACT_ACCESS,
    },
    // The HSDS export holds provider contacts and history: personal data to take away.
    exports: ["GET /directory/export/hsds"],
    responses: {
      ...DIRECTORY_STAFF_RESPONSES, ...NEEDS_RESPONSES, ...REFERRAL_RESPONSES, ...REFERRAL_LINK_RESPONSES, ...HSDS_RESPONSES, ...ATTENDANCE_RESPONSES,
      ...INVITATION_RESPONSES, ...SETTINGS_RESPONSES, ...OWNER_RESPONSES, ...CONTACT_RESPONSES,
    },
    scope: {},
    errorCodes: DIRECTORY_ERROR_CODES,
    api: [
      directoryRoutes(ports), (s) => needRoutes(s, {}, ports.partnerReport), (s) => referralRoutes(s, ports.shareMemberDetails), hsdsRoutes, (s) => attendanceRoutes(s, ports),
      (s) => invitationRoutes(s), (s) => referralLinkRoutes(s), settingsRoutes, (s) => ownerRoutes(s, ports),
      directoryContactRoutes,
    ],
    outside: [directoryPageRoutes, providerUpdatePages, referralReceiverPages(ports.mayShareMemberDetails), doorPages(ports.memberByRegistrationNumber), offerPages],
  };
}
