/**
 * One-tap links in SMS and e-mail (the web check-in page).
 *
 * A link's token is derived from its message's idempotency key with a secret key
 * (HMAC), so a message sent again after a crash carries the same link, and the
 * token cannot be guessed without the key. Only a hash of the token is stored.
 * Each link is tied to one check-in, incident, contact or broadcast, expires, and
 * does one thing: once used (or expired) it says so and changes nothing.
 *
 * Opening a link (GET) never acts, because mail scanners and link previews open
 * links too; only the button (POST) does.
 */
import { createHash, createHmac } from "node:crypto";
import type { Answer } from "../domain/answers.ts";
import { isActionOf, type LinkAction, type LinkPurpose } from "../domain/links.ts";
import { type Db, inTransaction } from "../store/db.ts";
import { getBranding } from "./branding.ts";
import type { OneTapLinks, OutgoingMessage } from "./ports.ts";
import { agreeToTermsIn } from "./terms.ts";
import {
  acknowledgeAlertIn, answerBroadcastIn, answerCheckinIn, confirmContactIn, passAlertIn, reportSafeIn, type Responder,
} from "./responses.ts";

export { LINK_ACTIONS, type LinkAction, type LinkPurpose } from "../domain/links.ts";

interface LinkTarget {
  purpose: LinkPurpose;
  memberId: string | null;
  checkinId?: string;
  incidentId?: string;
  contactId?: string;
  broadcastId?: string;
  termsVersionId?: string;
}

/** Which link a message carries, from its kind and payload; none for messages that ask nothing. */
export function linkTargetOf(m: Pick<OutgoingMessage, "kind" | "payload" | "recipient">): LinkTarget | undefined {
  const p = m.payload as Record<string, string | boolean | undefined>;
  const memberId = typeof p.memberId === "string" ? p.memberId : null;
  switch (m.kind) {
    case "prompt":
    case "resend":
      return typeof p.checkinId === "string" && m.recipient.kind === "member"
        ? { purpose: "checkin", memberId: m.recipient.id, checkinId: p.checkinId } : undefined;
    case "alert":
    case "contact_request":
      // An on-duty person (engine/on-duty.ts) acts on a team alert as the team would.
      return typeof p.incidentId === "string" && (m.recipient.kind === "contact" || m.recipient.kind === "team" || m.recipient.kind === "person")
        ? { purpose: "alert", memberId, incidentId: p.incidentId } : undefined;
    case "contact_confirm":
      return m.recipient.kind === "contact" ? { purpose: "confirm_contact", memberId, contactId: m.recipient.id } : undefined;
    case "broadcast":
      return p.question === true && typeof p.broadcastId === "string" && m.recipient.kind === "member"
        ? { purpose: "broadcast", memberId: m.recipient.id, broadcastId: p.broadcastId } : undefined;
    case "terms_request":
      return typeof p.termsVersionId === "string" && m.recipient.kind === "member"
        ? { purpose: "terms", memberId: m.recipient.id, termsVersionId: p.termsVersionId } : undefined;
    default:
      return undefined;
  }
}

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");
const TOKEN = /^[A-Za-z0-9_-]{32}$/;

export type LinkState =
  | { state: "unknown" }
  | {
    state: "expired" | "used" | "valid"; purpose: LinkPurpose; memberName: string | null; since: Date | null; usedFor: string | null; timeZone: string;
    /** For alert links: what the incident is about and where it stands now. */
    incident: { kind: string; status: string; acknowledgedBy: string | null } | null;
    /** For broadcast links: the operator's message. */
    broadcastText: string | null;
    /** For terms links: the version asked about (its label, text and address). */
    terms: { version: string; body: string | null; url: string | null } | null;
    /** The organisation's branding (engine/branding.ts): its service name (null: the default) and logo's address. */
    brand: LinkBrand;
    /** For broadcast links: a drill's (訓練). */
    drill: boolean;
  };

/** What the check-in page shows of the organisation's branding. */
export interface LinkBrand {
  serviceName: string | null;
  /** Our own path to the logo (GET /api/v1/branding/:organisationId/logo?v=<hash>), or null. */
  logoPath: string | null;
}

export type UseOutcome =
  | { status: "done"; purpose: LinkPurpose; action: LinkAction; drill?: boolean }
  | { status: "unknown" | "expired" | "invalid_action" }
  | { status: "used"; usedFor: string | null }
  /** The incident was already taken on or settled by someone else: nothing changed. */
  | { status: "already_handled"; message: string };

export class Links implements OneTapLinks {
  readonly #db: Db;
  readonly #key: Buffer;
  readonly #publicUrl: () => string;
  readonly #ttlMs: number;

  constructor(db: Db, key: Buffer, publicUrl: () => string, ttlMs: number) {
    this.#db = db;
    this.#key = key;
    this.#publicUrl = publicUrl;
    this.#ttlMs = ttlMs;
  }

  tokenFor(idempotencyKey: string): string {
    return createHmac("sha256", this.#key).update(`link:${idempotencyKey}`).digest("base64url").slice(0, 32);
  }

  urlFor(token: string): string {
    return `${this.#publicUrl()}/c/${token}`;
  }

  /**
   * The links of a batch of messages (undefined where a message carries none),
   * stored on first use. `issuedAt` is when each link's life starts (the sandbox
   * passes each message's own instant).
   */
  async linksFor(messages: OutgoingMessage[], issuedAt: Date | ((m: OutgoingMessage) => Date)): Promise<(string | undefined)[]> {
    const rows = [];
    const urls: (string | undefined)[] = [];
    for (const m of messages) {
      const target = linkTargetOf(m);
      if (!target) {
        urls.push(undefined);
        continue;
      }
      const token = this.tokenFor(m.idempotencyKey);
      const now = typeof issuedAt === "function" ? issuedAt(m) : issuedAt;
      urls.push(this.urlFor(token));
      rows.push({
        token_hash: hashOf(token), organisation_id: m.organisationId, purpose: target.purpose, member_id: target.memberId,
        checkin_id: target.checkinId ?? null, incident_id: target.incidentId ?? null, contact_id: target.contactId ?? null,
        broadcast_id: target.broadcastId ?? null, terms_version_id: target.termsVersionId ?? null, recipient_kind: m.recipient.kind, recipient_id: m.recipient.id,
        channel_kind: m.channel, outbox_key: m.idempotencyKey, expires_at: new Date(now.getTime() + this.#ttlMs), created_at: now,
      });
    }
    if (rows.length) {
      // A retried message keeps its first link and that link's expiry.
      await this.#db.insertInto("links").values(rows).onConflict((oc) => oc.columns(["token_hash", "organisation_id"]).doNothing()).execute();
    }
    return urls;
  }

  /** What the page shows for a token; changes nothing. */
  async inspect(token: string, now: Date): Promise<LinkState> {
    if (!TOKEN.test(token)) return { state: "unknown" };
    const row = await this.#db.selectFrom("links")
      .leftJoin("members", "members.id", "links.member_id")
      .leftJoin("checkins", "checkins.id", "links.checkin_id")
      .leftJoin("incidents", "incidents.id", "links.incident_id")
      .leftJoin("checkins as incident_checkin", "incident_checkin.id", "incidents.checkin_id")
      .leftJoin("broadcasts", "broadcasts.id", "links.broadcast_id")
      .leftJoin("terms_versions", (j) => j.onRef("terms_versions.id", "=", "links.terms_version_id").onRef("terms_versions.organisation_id", "=", "links.organisation_id"))
      .select(["links.organisation_id", "terms_versions.version as terms_version", "terms_versions.body as terms_body", "terms_versions.url as terms_url",
        "links.purpose", "links.expires_at", "links.used_at", "links.used_for", "members.display_name", "members.plan",
        "checkins.due_at", "incidents.opened_at", "incidents.kind as incident_kind", "incidents.status as incident_status",
        "incidents.acknowledged_by", "incident_checkin.due_at as incident_due_at", "broadcasts.text as broadcast_text",
        "broadcasts.drill as broadcast_drill"])
      .where("links.token_hash", "=", hashOf(token)).executeTakeFirst();
    if (!row) return { state: "unknown" };
    const state = row.used_at ? "used" : row.expires_at <= now ? "expired" : "valid";
    // An unanswered check-in's alert says since when there has been no answer: the check-in's due time.
    const silentSince = row.incident_kind === "no_answer" ? row.incident_due_at : null;
    return {
      state, purpose: row.purpose, memberName: row.display_name ?? null, usedFor: row.used_for,
      since: row.due_at ?? silentSince ?? row.opened_at ?? null, timeZone: (row.plan as { timeZone?: string } | null)?.timeZone ?? "Asia/Tokyo",
      incident: row.incident_kind && row.incident_status
        ? { kind: row.incident_kind, status: row.incident_status, acknowledgedBy: row.acknowledged_by ?? null } : null,
      broadcastText: row.broadcast_text ?? null,
      terms: row.terms_version ? { version: row.terms_version, body: row.terms_body ?? null, url: row.terms_url ?? null } : null,
      brand: await linkBrand(this.#db, row.organisation_id),
      drill: row.broadcast_drill === true,
    };
  }

  /** The branding of the organisation a token belongs to (for pages that show no link state: used, expired). */
  async brandOf(token: string): Promise<LinkBrand | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const row = await this.#db.selectFrom("links").select("organisation_id").where("token_hash", "=", hashOf(token)).executeTakeFirst();
    return row ? linkBrand(this.#db, row.organisation_id) : undefined;
  }

  /** Do what the button says, once. */
  async use(token: string, action: string, now: Date): Promise<UseOutcome> {
    if (!TOKEN.test(token)) return { status: "unknown" };
    return inTransaction(this.#db, async (tx) => {
      const link = await tx.selectFrom("links").selectAll().where("token_hash", "=", hashOf(token)).forUpdate().executeTakeFirst();
      if (!link) return { status: "unknown" };
      if (link.used_at) return { status: "used", usedFor: link.used_for };
      if (link.expires_at <= now) return { status: "expired" };
      const purpose = link.purpose;
      if (!isActionOf(purpose, action)) return { status: "invalid_action" };
      const responder: Responder = { organisationId: link.organisation_id, kind: link.recipient_kind, id: link.recipient_id, via: link.channel_kind };
      const key = `link:${link.token_hash}`;
      let problem: string | undefined;
      let drill = false;
      if (purpose === "checkin") {
        const outcome = await answerCheckinIn(tx, responder, link.member_id as string, action as Answer, key, now);
        if (outcome.status === "member_not_found") problem = "this member is no longer registered";
      } else if (purpose === "broadcast") {
        const outcome = await answerBroadcastIn(tx, responder, link.broadcast_id as string, link.member_id as string,
          action as "safe" | "need_help", key, now);
        if (outcome.status !== "recorded") problem = outcome.status;
        else drill = outcome.drill;
      } else if (purpose === "terms") {
        const agreed = await agreeToTermsIn(tx, link.organisation_id, link.member_id as string, link.terms_version_id as string, now);
        if (agreed.status === "not_found") problem = "this member is no longer registered";
      } else if (purpose === "confirm_contact") {
        const confirmed = await confirmContactIn(tx, responder, link.contact_id as string, now);
        if (confirmed !== "confirmed") problem = confirmed === "already" ? "the role was already confirmed" : "this contact is no longer registered";
      } else {
        const incidentId = link.incident_id as string;
        const result = action === "ack" ? await acknowledgeAlertIn(tx, responder, incidentId, now)
          : action === "safe" ? await reportSafeIn(tx, responder, incidentId, now)
          : await passAlertIn(tx, responder, incidentId, now);
        if (!result.ok) problem = result.error.message;
      }
      if (problem) return { status: "already_handled", message: problem };
      await tx.updateTable("links").set({ used_at: now, used_for: action }).where("token_hash", "=", link.token_hash).execute();
      return { status: "done", purpose, action, ...(drill ? { drill } : {}) };
    });
  }
}

/** The service name and logo path the page shows for an organisation. */
async function linkBrand(db: Db, organisationId: string): Promise<LinkBrand> {
  const brand = await getBranding(db, organisationId);
  return {
    serviceName: brand.serviceName,
    logoPath: brand.logo ? logoPath(organisationId, brand.logo.sha256) : null,
  };
}

/** Where the organisation's logo is served (our own origin; the hash makes each version its own address). */
export function logoPath(organisationId: string, sha256: string): string {
  return `/api/v1/branding/${organisationId}/logo?v=${sha256.slice(0, 16)}`;
}
