/**
 * The table of receivers' private links to referrals (migration 2060), added to
 * the core's typed `Database` by module augmentation as schema.ts does for the HSDS core.
 */
import type { ColumnType } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Maybe<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface DirectoryReferralLinkTables {
  directory_referral_links: {
    id: string;
    organisation_id: string;
    referral_id: string;
    /** SHA-256 (hex) of the token; the token itself is shown once. */
    token_hash: string;
    created_by: string;
    created_at: Timestamp;
    expires_at: Timestamp;
    revoked_at: Maybe<Date>;
    revoked_by: Maybe<string>;
    /** When the receiver last opened the page (shown to the coordinator). */
    last_opened_at: Maybe<Date>;
  };
}

declare module "../../store/schema.ts" {
  interface Database extends DirectoryReferralLinkTables {}
}
