/**
 * Consent and lawful disclosure (seed 001: watching without the person's
 * understanding — ideally consent — is surveillance, 監視; disclosure without
 * consent is lawful only on a legal basis). Pure: codes, the current decision per
 * purpose from a member's history, and the record as an HL7 FHIR R4 Consent
 * resource (hl7.org/fhir/R4/consent.html).
 *
 * - A consent record says who (the member), what (one purpose), the decision
 *   (permit/deny), for which period, how it was given, under which terms
 *   version, recorded by whom and when. Records are never changed: a withdrawal
 *   is a new `deny` record, so the history stays.
 * - The member's agreement to the organisation's terms (members.consent, given in
 *   LINE's registration, by a terms link, or recorded by staff on the member's
 *   page) counts as consent to `watching` — the terms describe the watching —
 *   unless a later explicit record says otherwise. It never counts for sharing.
 */
import { localDateOf } from "../../domain/schedule.ts";

/** What a member consents to (FHIR provision.purpose). */
export const CONSENT_PURPOSES = ["watching", "share_contacts", "share_partners", "device_monitoring", "disaster_support_list"] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export const CONSENT_DECISIONS = ["permit", "deny"] as const;
export type ConsentDecision = (typeof CONSENT_DECISIONS)[number];

/** How the consent was given. `terms`: derived from the member's agreement to the terms (never recorded by hand). */
export const CONSENT_METHODS = ["line", "paper", "phone", "in_person", "web"] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number] | "terms";

/**
 * Legal bases for a disclosure without consent:
 * - `life_body_property`: APPI (個人情報保護法) art. 27(1)(ii) — needed to protect a
 *   person's life, body or property when consent is hard to obtain.
 * - `disaster_support_list`: 災害対策基本法 art. 49-11 — the evacuation-support list
 *   (避難行動要支援者名簿) may go to police, fire, 民生委員, 社協 and 自主防災組織
 *   without consent only while a disaster is declared (network_disaster_declarations).
 */
export const LEGAL_BASES = ["life_body_property", "disaster_support_list"] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** The purposes a disclosure to someone outside the member's contacts falls under. */
export const SHARING_PURPOSES = ["share_contacts", "share_partners", "disaster_support_list"] as const satisfies readonly ConsentPurpose[];

export interface ConsentRecord {
  id: string;
  memberId: string;
  purpose: ConsentPurpose;
  decision: ConsentDecision;
  /** Inclusive start, exclusive end; a null end: until withdrawn. */
  periodStart: Date;
  periodEnd: Date | null;
  method: ConsentMethod;
  termsVersion: string | null;
  /** Who recorded it (`token:<name>:<id>`, `person:<name>:<id>`, or `member` for terms agreements). */
  recordedBy: string;
  /** When the member gave it (the date on the paper, the call). */
  givenAt: Date;
  recordedAt: Date;
  note: string | null;
}

/** What holds for one purpose now: the latest record in force, or nothing. */
export interface CurrentConsent {
  purpose: ConsentPurpose;
  /** `none`: no record in force (never asked, or every record's period is over). */
  decision: ConsentDecision | "none";
  record: ConsentRecord | null;
}

/**
 * Whether a record's period covers `now`. A consent is given on a date (the date
 * on the paper, the call), so its period counts from the start of that date in
 * the organisation's `zone` (IANA): a consent dated today counts today whatever
 * instant of the day was stored. The end stays exclusive and exact.
 */
export function inForce(record: Pick<ConsentRecord, "periodStart" | "periodEnd">, now: Date, zone: string): boolean {
  return localDateOf(record.periodStart, zone) <= localDateOf(now, zone) && (record.periodEnd === null || now.getTime() < record.periodEnd.getTime());
}

/**
 * The decision in force per purpose: among the records whose period covers
 * `now` (by the local date in `zone`, see inForce), the one given last (recorded
 * last on a tie). Records: any order.
 */
export function currentConsents(records: readonly ConsentRecord[], now: Date, zone: string): CurrentConsent[] {
  return CONSENT_PURPOSES.map((purpose) => {
    let best: ConsentRecord | null = null;
    for (const r of records) {
      if (r.purpose !== purpose || !inForce(r, now, zone)) continue;
      if (!best || r.givenAt > best.givenAt || (r.givenAt.getTime() === best.givenAt.getTime() && r.recordedAt > best.recordedAt)) best = r;
    }
    return { purpose, decision: best?.decision ?? "none", record: best };
  });
}

/**
 * Whether the member is watched with consent:
 * - `recorded`: a `watching` permit in force;
 * - `terms`: no explicit record, but the member agreed to the terms;
 * - `denied`: a `watching` deny in force (watching goes on only if staff decide so — it is flagged);
 * - `missing`: neither (flagged on the member and in the setup checks).
 */
export type WatchingConsent = "recorded" | "terms" | "denied" | "missing";

export function watchingConsent(current: readonly CurrentConsent[], termsAgreed: boolean): WatchingConsent {
  const watching = current.find((c) => c.purpose === "watching");
  if (watching?.decision === "permit") return "recorded";
  if (watching?.decision === "deny") return "denied";
  return termsAgreed ? "terms" : "missing";
}

/** The record the terms agreement stands for (not stored: derived from members.consent). */
export function termsConsentRecord(memberId: string, consent: { termsVersion: string; at: string }): ConsentRecord {
  const at = new Date(consent.at);
  return {
    id: `terms:${memberId}`, memberId, purpose: "watching", decision: "permit", periodStart: at, periodEnd: null, method: "terms",
    termsVersion: consent.termsVersion, recordedBy: "member", givenAt: at, recordedAt: at, note: null,
  };
}

// ---------------------------------------------------------------- FHIR R4

/** Our code systems (URNs: they name codes, nobody resolves them). */
export const FHIR_SYSTEMS = {
  purpose: "urn:mimamori:consent-purpose",
  method: "urn:mimamori:consent-method",
  terms: "urn:mimamori:terms-version",
} as const;

/** FHIR consentaction codes (http://terminology.hl7.org/CodeSystem/consentaction) each purpose allows. */
export const PURPOSE_ACTIONS: Record<ConsentPurpose, ("collect" | "access" | "use" | "disclose")[]> = {
  watching: ["collect", "use"],
  share_contacts: ["disclose"],
  share_partners: ["disclose"],
  device_monitoring: ["collect", "use"],
  disaster_support_list: ["disclose"],
};

const PURPOSE_NAMES: Record<ConsentPurpose, string> = {
  watching: "見守り / watching",
  share_contacts: "連絡先への共有 / sharing with contacts",
  share_partners: "協力事業者への共有 / sharing with partners",
  device_monitoring: "機器による見守り / device monitoring",
  disaster_support_list: "避難行動要支援者名簿 / disaster support list",
};

/** The JSON of an R4 Consent (typed against @types/fhir in the tests). */
export interface FhirConsentJson {
  resourceType: "Consent";
  id: string;
  status: "active" | "inactive";
  scope: { coding: { system: string; code: string }[] };
  category: { coding: { system: string; code: string; display?: string }[] }[];
  patient: { reference: string };
  dateTime: string;
  performer: { reference: string }[];
  organization: { reference: string }[];
  policy?: { uri: string }[];
  policyRule: { coding: { system: string; code: string }[] };
  extension: { url: string; valueCode?: string; valueString?: string }[];
  provision: {
    type: ConsentDecision;
    period: { start: string; end?: string };
    purpose: { system: string; code: string; display: string }[];
    action: { coding: { system: string; code: string }[] }[];
  };
}

/**
 * A record as an HL7 FHIR R4 Consent: scope patient-privacy; category LOINC
 * 59284-0 (Patient Consent); the member as `patient` (R5 calls it `subject`) and
 * `performer` (who gave it); `policyRule` OPTIN/OPTOUT (v3-ActCode); `policy` the
 * terms version; `provision` permit/deny with the period, our purpose code and the
 * consentaction codes; how it was given and who recorded it in extensions.
 * `status`: active while the record is the one in force for its purpose, else inactive.
 */
export function toFhirConsent(record: ConsentRecord, organisationId: string, active: boolean): FhirConsentJson {
  return {
    resourceType: "Consent",
    id: record.id.replace(/[^A-Za-z0-9\-.]/g, "-").slice(0, 64),
    status: active ? "active" : "inactive",
    scope: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "patient-privacy" }] },
    category: [{ coding: [{ system: "http://loinc.org", code: "59284-0", display: "Patient Consent" }] }],
    patient: { reference: `Patient/${record.memberId}` },
    dateTime: record.givenAt.toISOString(),
    performer: [{ reference: `Patient/${record.memberId}` }],
    organization: [{ reference: `Organization/${organisationId}` }],
    ...(record.termsVersion ? { policy: [{ uri: `${FHIR_SYSTEMS.terms}:${encodeURIComponent(record.termsVersion)}` }] } : {}),
    policyRule: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: record.decision === "permit" ? "OPTIN" : "OPTOUT" }] },
    extension: [
      { url: FHIR_SYSTEMS.method, valueCode: record.method },
      { url: "urn:mimamori:recorded-by", valueString: record.recordedBy },
    ],
    provision: {
      type: record.decision,
      period: { start: record.periodStart.toISOString(), ...(record.periodEnd ? { end: record.periodEnd.toISOString() } : {}) },
      purpose: [{ system: FHIR_SYSTEMS.purpose, code: record.purpose, display: PURPOSE_NAMES[record.purpose] }],
      action: PURPOSE_ACTIONS[record.purpose].map((code) => ({ coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentaction", code }] })),
    },
  };
}
