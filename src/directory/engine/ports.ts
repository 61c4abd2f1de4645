/**
 * What the directory needs from other contexts, passed in by the composition root
 * (service.ts): the directory never imports src/network/ (test/architecture.test.ts).
 * Each area adds the port it needs here, optional, so a directory without it
 * still starts (tests, the benchmark).
 */
import type { Db } from "../../store/db.ts";

/**
 * A share of a handover (engine/handover.ts): moves what person `from` owns
 * (the directory's providers and services, the network's partners…) to `to`,
 * inside the handover's transaction, recording history where the records keep
 * it; `by` names the actor as the audit log does. Returns what it moved, by kind
 * (e.g. `{ partners: 3 }`).
 */
export type HandoverPart = (tx: Db, organisationId: string, from: string, to: string, by: string, now: Date) => Promise<Record<string, number>>;

/** A record a staff member owns, with its next contact date (YYYY-MM-DD; null: none set). */
export interface OwnedRecord {
  /** organization, service, volunteer (the directory's); partner (the network's). */
  kind: "organization" | "service" | "volunteer" | "partner";
  id: string;
  name: string;
  nextContactOn: string | null;
}

/**
 * Another context's records a person owns, not archived (the handover screen
 * lists them before moving them; "my next contacts"): the network's partners
 * with their next review date.
 */
export type OwnedPart = (db: Db, organisationId: string, personId: string) => Promise<OwnedRecord[]>;

/** Why the network refused to share a member's details (its consent rules). */
export type ShareRefusal = "no_member" | "no_consent" | "consent_denied" | "no_disaster_declared";

/**
 * Sharing a member's details with a receiving organisation (referrals): the
 * network's consent rule and disclosure record (src/network/engine/consents.ts
 * `recordDisclosureIn`, purpose share_partners), passed in by service.ts. It runs
 * inside the caller's transaction `tx` and opens none of its own: the disclosure
 * is written with the referral's record of what was shared, or not at all.
 */
export type ShareMemberDetails = (
  tx: Db, organisationId: string, memberId: string, share: { recipient: string; purpose: string; fields: string[] }, by: string, now: Date,
) => Promise<{ allowed: true; disclosureId: string } | { allowed: false; refused: ShareRefusal }>;

/**
 * Whether the member's consent allows their details to go to providers now (the
 * network's `mayShare`, purpose share_partners), recording nothing: the
 * receiving organisation's page (engine/referral-links.ts) shows the details a
 * referral shared only while it does — a consent withdrawn since hides them.
 */
export type MayShareMemberDetails = (db: Db, organisationId: string, memberId: string, now: Date) => Promise<boolean>;

/**
 * The member whose 見守り番号 (registration number on a keyholder or card, in
 * use) this is, in the organisation; undefined when none. The network keeps the
 * numbers (src/network/engine/registration-numbers.ts `memberByRegistrationNumber`,
 * which folds full-width digits and hyphens). Runs in the caller's transaction.
 */
export type MemberByRegistrationNumber = (db: Db, organisationId: string, number: string) => Promise<string | undefined>;

/** A partner's report as a need takes it over (POST /directory/needs, source partner_report). */
export interface PartnerReportForNeed {
  /** The member the report is linked to (matched on arrival or linked in triage); null: none yet. */
  memberId: string | null;
  /** What the partner saw, the need's note unless staff write their own: their description, else the checklist's signs in Japanese words. */
  text: string;
}

/**
 * The organisation's partner report of this id (the network's Open311 reports,
 * src/network/engine/triage.ts `reportForNeed`); undefined when there is none in
 * this organisation. Runs in the caller's transaction.
 */
export type PartnerReportOf = (db: Db, organisationId: string, reportId: string) => Promise<PartnerReportForNeed | undefined>;

export interface DirectoryPorts {
  /** Sharing a member's details under their consent; without it nothing is shared (`share_unavailable`). */
  shareMemberDetails?: ShareMemberDetails;
  /** The consent check of the receiver's page; without it the page shows none of the member's details. */
  mayShareMemberDetails?: MayShareMemberDetails;
  /** Other contexts' shares of a handover, run in the same transaction. */
  handoverParts?: readonly HandoverPart[];
  /**
   * Where the service answers (the core's Services.publicUrl), known once it listens: what the deciding loop's
   * messages to volunteers link to (their view). Without it, http://localhost (tests and the benchmark that send nothing).
   */
  publicUrl?: () => string;
  /** The door page's number lookup; without it, no door link is made (`door_unavailable`). */
  memberByRegistrationNumber?: MemberByRegistrationNumber;
  /** Other contexts' records a person owns (what a handover would move). */
  ownedParts?: readonly OwnedPart[];
  /** The report a need from a partner report comes from; without it, every report is unknown (`unknown_reference`, sourceId). */
  partnerReport?: PartnerReportOf;
}
