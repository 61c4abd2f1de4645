/**
 * Each organisation's own provider channels (its LINE official account, its
 * Twilio account and numbers, its SMTP server): credentials sealed at rest,
 * never returned by the API, read through a short cache so a busy sender does
 * not decrypt on every message.
 */
import type { Db } from "../store/db.ts";
import type { SecretBox } from "../store/secrets.ts";
import type { LineCredentials, LineSettings, ProviderAccounts, ProviderKind } from "./ports.ts";

type Kinds = ProviderAccounts;

/** Credentials each provider cannot work without. */
const REQUIRED: { [K in ProviderKind]: (keyof Kinds[K]["credentials"])[] } = {
  line: ["channelSecret", "channelAccessToken"],
  twilio: ["accountSid", "authToken"],
  email: [],
};

const CACHE_MS = 10_000;

export class ChannelConfigs {
  readonly #db: Db;
  readonly #secrets: SecretBox;
  readonly #cache = new Map<string, { until: number; value: unknown }>();

  constructor(db: Db, secrets: SecretBox) {
    this.#db = db;
    this.#secrets = secrets;
  }

  /**
   * The organisation's provider configuration, through a 10 s cache. Code inside a transaction
   * passes it as `db`: on PGlite the transaction holds the only connection, so a read outside it
   * would wait for the transaction, which waits for the read (a hang when the cache has expired).
   */
  async get<K extends ProviderKind>(organisationId: string, kind: K, db: Db = this.#db): Promise<Kinds[K] | null> {
    const cacheKey = `${organisationId}|${kind}`;
    const cached = this.#cache.get(cacheKey);
    // wall-clock: a cache's age is real elapsed time, whatever the sandbox clock says.
    if (cached && cached.until > Date.now()) return cached.value as Kinds[K] | null;
    const row = await db.selectFrom("channel_configs").select(["credentials", "settings"])
      .where("organisation_id", "=", organisationId).where("kind", "=", kind).executeTakeFirst();
    const value = row ? { credentials: this.#secrets.open(row.credentials), settings: row.settings } as unknown as Kinds[K] : null;
    // wall-clock: as above, the cache entry expires in real time.
    this.#cache.set(cacheKey, { until: Date.now() + CACHE_MS, value });
    return value;
  }

  line(organisationId: string, db?: Db): Promise<Kinds["line"] | null> {
    return this.get(organisationId, "line", db);
  }

  /** Store (or update) a provider; omitted credentials keep their stored value. */
  async save<K extends ProviderKind>(
    organisationId: string, kind: K, credentials: Partial<Kinds[K]["credentials"]>, settings: Kinds[K]["settings"], now: Date,
  ): Promise<void> {
    const existing = await this.get(organisationId, kind);
    const merged = { ...existing?.credentials, ...credentials } as Kinds[K]["credentials"];
    for (const field of REQUIRED[kind]) {
      if (!merged[field]) throw new MissingCredentials(String(field), kind);
    }
    const row = {
      organisation_id: organisationId, kind, credentials: this.#secrets.seal(merged),
      settings: JSON.stringify(settings), updated_at: now,
    };
    await this.#db.insertInto("channel_configs").values(row)
      .onConflict((oc) => oc.columns(["organisation_id", "kind"]).doUpdateSet({
        credentials: row.credentials, settings: row.settings, updated_at: now,
      })).execute();
    this.#cache.delete(`${organisationId}|${kind}`);
  }

  saveLine(organisationId: string, credentials: Partial<LineCredentials>, settings: LineSettings, now: Date): Promise<void> {
    return this.save(organisationId, "line", credentials, settings, now);
  }

  async remove(organisationId: string, kind: ProviderKind): Promise<boolean> {
    const r = await this.#db.deleteFrom("channel_configs").where("organisation_id", "=", organisationId)
      .where("kind", "=", kind).executeTakeFirst();
    this.#cache.delete(`${organisationId}|${kind}`);
    return Number(r.numDeletedRows) > 0;
  }

  removeLine(organisationId: string): Promise<boolean> {
    return this.remove(organisationId, "line");
  }
}

export class MissingCredentials extends Error {
  readonly field: string;
  constructor(field: string, kind: ProviderKind = "line") {
    super(`${field} is required when the ${kind === "line" ? "LINE" : kind === "twilio" ? "Twilio" : "e-mail"} channel is first configured`);
    this.field = field;
  }
}
