/**
 * Each organisation's own provider channels (its LINE official account…):
 * credentials sealed at rest, never returned by the API, read through a short
 * cache so a busy sender does not decrypt on every message.
 */
import type { Db } from "../store/db.ts";
import type { SecretBox } from "../store/secrets.ts";

export interface LineCredentials {
  channelSecret: string;
  channelAccessToken: string;
}

export interface LineSettings {
  /** Version of the organisation's terms of use members consent to. */
  termsVersion: string;
  termsUrl?: string;
  /** LINE groups the bot is added to wait for staff approval before their rounds start (つながり). */
  requireGroupApproval?: boolean;
}

const CACHE_MS = 10_000;

export class ChannelConfigs {
  readonly #db: Db;
  readonly #secrets: SecretBox;
  readonly #cache = new Map<string, { until: number; value: { credentials: LineCredentials; settings: LineSettings } | null }>();

  constructor(db: Db, secrets: SecretBox) {
    this.#db = db;
    this.#secrets = secrets;
  }

  async line(organisationId: string): Promise<{ credentials: LineCredentials; settings: LineSettings } | null> {
    const cached = this.#cache.get(organisationId);
    if (cached && cached.until > Date.now()) return cached.value;
    const row = await this.#db.selectFrom("channel_configs").select(["credentials", "settings"])
      .where("organisation_id", "=", organisationId).where("kind", "=", "line").executeTakeFirst();
    const value = row
      ? { credentials: this.#secrets.open<LineCredentials>(row.credentials), settings: row.settings as unknown as LineSettings }
      : null;
    this.#cache.set(organisationId, { until: Date.now() + CACHE_MS, value });
    return value;
  }

  /** Store (or update) the LINE channel; omitted credentials keep their stored value. */
  async saveLine(organisationId: string, credentials: Partial<LineCredentials>, settings: LineSettings, now: Date): Promise<void> {
    const existing = await this.line(organisationId);
    const merged = { ...existing?.credentials, ...credentials } as LineCredentials;
    if (!merged.channelSecret || !merged.channelAccessToken) {
      throw new MissingCredentials(!merged.channelSecret ? "channelSecret" : "channelAccessToken");
    }
    const row = {
      organisation_id: organisationId, kind: "line", credentials: this.#secrets.seal(merged),
      settings: JSON.stringify(settings), updated_at: now,
    };
    await this.#db.insertInto("channel_configs").values(row)
      .onConflict((oc) => oc.columns(["organisation_id", "kind"]).doUpdateSet({
        credentials: row.credentials, settings: row.settings, updated_at: now,
      })).execute();
    this.#cache.delete(organisationId);
  }

  async removeLine(organisationId: string): Promise<boolean> {
    const r = await this.#db.deleteFrom("channel_configs").where("organisation_id", "=", organisationId)
      .where("kind", "=", "line").executeTakeFirst();
    this.#cache.delete(organisationId);
    return Number(r.numDeletedRows) > 0;
  }
}

export class MissingCredentials extends Error {
  readonly field: string;
  constructor(field: string) {
    super(`${field} is required when the LINE channel is first configured`);
    this.field = field;
  }
}
