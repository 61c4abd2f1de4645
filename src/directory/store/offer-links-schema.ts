/**
 * The table of offers' private links (migration 2110), added to the core's
 * typed `Database` by module augmentation as schema.ts does for the HSDS core.
 */
import type { ColumnType } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Maybe<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface DirectoryOfferLinkTables {
  directory_offer_links: {
    id: string;
    organisation_id: string;
    request_id: string;
    /** SHA-256 (hex) of the token; the token itself is only in the volunteer's message. */
    token_hash: string;
    created_at: Timestamp;
    expires_at: Timestamp;
    last_opened_at: Maybe<Date>;
    window_started_at: Maybe<Date>;
    window_hits: ColumnType<number, number | undefined, number>;
  };
}

declare module "../../store/schema.ts" {
  interface Database extends DirectoryOfferLinkTables {}
}
