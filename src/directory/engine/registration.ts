/**
 * Registering a resource in one step (the console's 地域資源を登録): its provider
 * (an existing one, or a new one), the service, its taxonomy codes, its places
 * (capacity) and where it is given (existing locations, or new ones with their
 * addresses) — all in one transaction. When any part is refused nothing is
 * written: no provider is left behind without the service it was made for.
 * Each part goes through the same command as on its own (organizations.ts,
 * services.ts, parts.ts, locations.ts), so the history reads the same.
 */
import { type Db, inTransaction } from "../../store/db.ts";
import { createDirectoryLocationIn, type DirectoryLocationInput, linkServiceAtLocationIn } from "./locations.ts";
import { createDirectoryOrganizationIn, type DirectoryOrganizationInput } from "./organizations.ts";
import { type DirectoryCapacityInput, setDirectoryCapacityIn, setDirectoryTaxonomyCodesIn } from "./parts.ts";
import type { DirectoryResult } from "./records.ts";
import { createDirectoryServiceIn, type DirectoryServiceInput, type DirectoryServiceRow } from "./services.ts";

/** A resource to register: exactly one of `directoryOrganizationId` and `provider`. */
export interface DirectoryRegistrationInput {
  /** An existing provider of the directory. */
  directoryOrganizationId?: string | undefined;
  /** A new provider, created with the service. */
  provider?: DirectoryOrganizationInput | undefined;
  service: Omit<DirectoryServiceInput, "directoryOrganizationId">;
  /** Its taxonomy codes (shipped or the organisation's own). */
  taxonomyCodes?: readonly string[] | undefined;
  /** Places available now (and the maximum) in a unit. */
  capacity?: DirectoryCapacityInput | undefined;
  /** Where it is given: an existing location, or a new one (with its address). */
  locations?: readonly ({ locationId: string; description?: string | null | undefined } | { location: DirectoryLocationInput; description?: string | null | undefined })[] | undefined;
}

/** What a registration made. */
export interface DirectoryRegistration {
  service: DirectoryServiceRow;
  /** The provider's id (new or existing). */
  directoryOrganizationId: string;
  /** Whether the provider was created by this registration. */
  providerCreated: boolean;
  /** The new locations' ids, in the order given. */
  locationIds: string[];
}

/** A part's refusal, carried out of the transaction so that it rolls back. */
class Refused extends Error {
  readonly error: string;
  readonly field: string;
  constructor(error: string, field: string) {
    super(`${field}: ${error}`);
    this.error = error;
    this.field = field;
  }
}

/**
 * The part's value, or a refusal on `prefix.field` (the part's own record, "id",
 * is the prefix itself); `rename` gives a part's field its whole name instead.
 */
function taken<T>(r: DirectoryResult<T>, prefix: string, rename: Record<string, string> = {}): T {
  if (r.ok) return r.value;
  throw new Refused(r.error, rename[r.field] ?? (r.field === "id" ? prefix : `${prefix}.${r.field}`));
}

/**
 * Registers a provider's service with its parts in one transaction; `by` names
 * the actor as the audit log does. Refusals name the input's field as the route
 * takes it: `directoryOrganizationId` (unknown provider), `provider.<field>`,
 * `service.<field>` (unknown owner, age range), `taxonomyCodes.<n>` (unknown code),
 * `capacity.available` (over the maximum), `locations.<n>.locationId` (unknown
 * location) or `locations.<n>.location.<field>`. Nothing is written on a refusal.
 */
export async function registerDirectoryResource(
  db: Db, organisationId: string, input: DirectoryRegistrationInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryRegistration>> {
  try {
    return { ok: true, value: await inTransaction(db, (tx) => register(tx, organisationId, input, by, now)) };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, error: error.error, field: error.field };
    throw error;
  }
}

async function register(tx: Db, organisationId: string, input: DirectoryRegistrationInput, by: string, now: Date): Promise<DirectoryRegistration> {
  if (!input.provider === !input.directoryOrganizationId) throw new Refused("provider_required", "directoryOrganizationId");
  const directoryOrganizationId = input.provider
    ? taken(await createDirectoryOrganizationIn(tx, organisationId, input.provider, by, now), "provider").id
    : input.directoryOrganizationId!;
  const service = taken(await createDirectoryServiceIn(tx, organisationId, { ...input.service, directoryOrganizationId }, by, now), "service",
    // The provider is the registration's own field, not the service's.
    { directoryOrganizationId: "directoryOrganizationId" });
  if (input.taxonomyCodes?.length) {
    taken(await setDirectoryTaxonomyCodesIn(tx, organisationId, "service", service.id, input.taxonomyCodes, by, now), "taxonomyCodes",
      Object.fromEntries(input.taxonomyCodes.map((_, i) => [`codes.${i}`, `taxonomyCodes.${i}`])));
  }
  if (input.capacity) taken(await setDirectoryCapacityIn(tx, organisationId, service.id, input.capacity, by, now), "capacity");
  const locationIds: string[] = [];
  for (const [i, place] of (input.locations ?? []).entries()) {
    let locationId: string;
    if ("location" in place) {
      locationId = taken(await createDirectoryLocationIn(tx, organisationId, place.location, by, now), `locations.${i}.location`).id;
      locationIds.push(locationId);
    } else {
      locationId = place.locationId;
    }
    taken(await linkServiceAtLocationIn(tx, organisationId, { serviceId: service.id, locationId, description: place.description ?? null }, by, now),
      `locations.${i}`);
  }
  return { service, directoryOrganizationId, providerCreated: !!input.provider, locationIds };
}
