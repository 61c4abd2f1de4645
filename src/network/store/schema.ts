/**
 * The regional network's tables (prefixed `network_`), added to the core's typed
 * `Database` by module augmentation (store/schema.ts explains), so its queries are
 * typed and the core never imports it.
 */
import type { ColumnType } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Maybe<T> = ColumnType<T | null, T | null | undefined, T | null>;

/** Card, keyholder (Ota ward) or sticker (seed 001). */
export const REGISTRATION_NUMBER_KINDS = ["card", "keyholder", "sticker"] as const;
export type RegistrationNumberKind = (typeof REGISTRATION_NUMBER_KINDS)[number];

export interface NetworkTables {
  network_registration_numbers: {
    id: string;
    organisation_id: string;
    member_id: string;
    number: string;
    kind: RegistrationNumberKind;
    issued_at: Timestamp;
    issued_by: string;
    withdrawn_at: Maybe<Date>;
  };
}

declare module "../../store/schema.ts" {
  interface Database extends NetworkTables {}
}
