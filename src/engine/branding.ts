/**
 * Branding commands and queries (rules: domain/branding.ts): the service name
 * members read (organisations.settings.serviceName) and the logo (table
 * organisation_logos, migration 021), and `BrandedChannels`, which puts the
 * service name into every outgoing message's prefixes at the moment it is sent.
 */
import { createHash } from "node:crypto";
import { brandText, logoProblem, logoTypeOf, type LogoProblem, type LogoType } from "../domain/branding.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { Channel, ChannelRegistry, DeliveryResult, OutgoingMessage } from "./ports.ts";

export interface Branding {
  /** The service name members read; null: the default (見守り / Mimamori). */
  serviceName: string | null;
  /** The logo, when one is stored: its type, a hash of its bytes (the URL's version) and when it was changed. */
  logo: { contentType: LogoType; sha256: string; updatedAt: Date } | null;
}

/** The organisation's branding as stored. */
export async function getBranding(db: Db, organisationId: string): Promise<Branding> {
  const org = await db.selectFrom("organisations").select("settings").where("id", "=", organisationId).executeTakeFirst();
  const logo = await db.selectFrom("organisation_logos").select(["content_type", "sha256", "updated_at"])
    .where("organisation_id", "=", organisationId).executeTakeFirst();
  const name = (org?.settings as { serviceName?: unknown } | undefined)?.serviceName;
  return {
    serviceName: typeof name === "string" && name.trim() ? name : null,
    logo: logo ? { contentType: logo.content_type as LogoType, sha256: logo.sha256, updatedAt: logo.updated_at } : null,
  };
}

/** Set (a name) or clear (null: back to the default) the service name, with the organisation's row locked. */
export async function setServiceName(db: Db, organisationId: string, serviceName: string | null): Promise<void> {
  await inTransaction(db, async (tx) => {
    const org = await tx.selectFrom("organisations").select("settings").where("id", "=", organisationId).forUpdate().executeTakeFirstOrThrow();
    const settings: Record<string, unknown> = { ...org.settings };
    if (serviceName) settings.serviceName = serviceName;
    else delete settings.serviceName;
    await tx.updateTable("organisations").set({ settings: JSON.stringify(settings) }).where("id", "=", organisationId).execute();
  });
}

export type SaveLogoOutcome = { ok: true; contentType: LogoType; sha256: string } | { ok: false; problem: LogoProblem };

/** Store (or replace) the logo; refused, nothing written, when domain/branding.ts `logoProblem` finds one. */
export async function saveLogo(db: Db, organisationId: string, bytes: Uint8Array, now: Date): Promise<SaveLogoOutcome> {
  const problem = logoProblem(bytes);
  if (problem) return { ok: false, problem };
  const contentType = logoTypeOf(bytes) as LogoType;
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const row = { organisation_id: organisationId, content_type: contentType, bytes, sha256, updated_at: now };
  await db.insertInto("organisation_logos").values(row)
    .onConflict((oc) => oc.column("organisation_id").doUpdateSet({ content_type: contentType, bytes, sha256, updated_at: now })).execute();
  return { ok: true, contentType, sha256 };
}

/** Remove the logo; false when there was none. */
export async function removeLogo(db: Db, organisationId: string): Promise<boolean> {
  const r = await db.deleteFrom("organisation_logos").where("organisation_id", "=", organisationId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The logo's bytes and type, or undefined when none is stored. */
export async function readLogo(db: Db, organisationId: string): Promise<{ contentType: string; bytes: Uint8Array; sha256: string } | undefined> {
  const row = await db.selectFrom("organisation_logos").select(["content_type", "bytes", "sha256"])
    .where("organisation_id", "=", organisationId).executeTakeFirst();
  return row ? { contentType: row.content_type, bytes: row.bytes, sha256: row.sha256 } : undefined;
}

const CACHE_MS = 10_000;

/**
 * Each organisation's service name through a 10 s cache (the sender asks for it
 * on every send). An expired name is still answered at once while a fresh one is
 * read in the background: a read at the moment of sending would hold that one
 * message back and bunch it with the next, past a capped channel's pace. Only an
 * organisation never read before waits — and the sender reads it while pacing
 * (BrandedChannels' `ratePerSecond`), before any slot is given.
 */
export class ServiceNames {
  readonly #db: Db;
  readonly #cache = new Map<string, { until: number; name: string | null }>();
  readonly #reading = new Map<string, Promise<string | null>>();

  constructor(db: Db) {
    this.#db = db;
  }

  async of(organisationId: string): Promise<string | null> {
    const cached = this.#cache.get(organisationId);
    // wall-clock: a cache's age is real elapsed time, whatever the sandbox clock says.
    if (cached && cached.until > Date.now()) return cached.name;
    const reading = this.#read(organisationId);
    if (!cached) return reading;
    // Stale: answered now; a failed refresh keeps the name until the next try.
    reading.catch(() => undefined);
    return cached.name;
  }

  /** One read at a time per organisation. */
  #read(organisationId: string): Promise<string | null> {
    let reading = this.#reading.get(organisationId);
    if (!reading) {
      reading = getBranding(this.#db, organisationId).then((branding) => {
        // wall-clock: as above, the entry expires in real time.
        this.#cache.set(organisationId, { until: Date.now() + CACHE_MS, name: branding.serviceName });
        return branding.serviceName;
      }).finally(() => this.#reading.delete(organisationId));
      this.#reading.set(organisationId, reading);
    }
    return reading;
  }

  /** Forget an organisation's cached name (after it changed on this instance). */
  forget(organisationId: string): void {
    this.#cache.delete(organisationId);
  }
}

/**
 * The channels of a registry, each handing its provider the messages with the
 * organisation's service name in their prefixes (domain/branding.ts `brandText`)
 * and in `serviceName` (e-mail subjects and sender name). The outbox keeps the
 * text as queued; only what leaves is branded, so a name changed today applies
 * to every message sent from now on.
 */
export class BrandedChannels implements ChannelRegistry {
  readonly #inner: ChannelRegistry;
  readonly #names: ServiceNames;
  readonly #wrapped = new Map<Channel, Channel>();

  constructor(inner: ChannelRegistry, names: ServiceNames) {
    this.#inner = inner;
    this.#names = names;
  }

  forKind(kind: string): Channel {
    const channel = this.#inner.forKind(kind);
    let wrapped = this.#wrapped.get(channel);
    if (!wrapped) {
      const names = this.#names;
      wrapped = {
        name: channel.name,
        async send(messages: OutgoingMessage[], now: Date): Promise<DeliveryResult[]> {
          const branded = await Promise.all(messages.map(async (m) => {
            const serviceName = await names.of(m.organisationId);
            return serviceName ? { ...m, text: brandText(m.text, serviceName), serviceName } : m;
          }));
          return channel.send(branded, now);
        },
        // The sender asks a capped channel's pace before giving slots: the name is read then, not at the slot.
        ...(channel.ratePerSecond
          ? {
            ratePerSecond: async (organisationId: string) => {
              await names.of(organisationId);
              return channel.ratePerSecond?.(organisationId);
            },
          }
          : {}),
      };
      this.#wrapped.set(channel, wrapped);
    }
    return wrapped;
  }
}
