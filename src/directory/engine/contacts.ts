/**
 * HSDS 3.1 contacts and phones of a service, a location or a provider
 * (directory organisation), and phones of a contact (issue 14). Each change is
 * one transaction with its history (records.ts): the contact's or phone's own
 * fields, under the record it belongs to, so a service's history says who
 * changed its phone from what to what.
 *
 * - Numbers are stored in E.164, read as people type them with Japan as the
 *   default region (src/domain/phone.ts, libphonenumber-js); shown in national
 *   form by the views.
 * - A contact is a person or a desk of the provider (name, title, department,
 *   e-mail). Its personal name never leaves for the public (domain/hsds.ts,
 *   audience); a phone of a service, a location or a provider is public
 *   information about the service, a contact's phone is not.
 * - Removing a contact removes its phones, each with its history row.
 */
import type { Selectable } from "kysely";
import { parsePhone } from "../../domain/phone.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import type { DirectoryPhoneType } from "../domain/kinds.ts";
import type { DirectoryTables } from "../store/schema.ts";
import { LOCATION_SPEC } from "./locations.ts";
import { ORGANIZATION_SPEC } from "./organizations.ts";
import {
  deleteRecord, type DirectoryResult, insertRecord, readRecord, readRecords, type RecordSpec, selectRecords, type Subject, updateRecord,
} from "./records.ts";
import { SERVICE_SPEC } from "./services.ts";

export type DirectoryContactRecord = Selectable<DirectoryTables["directory_contacts"]>;
export type DirectoryPhoneRecord = Selectable<DirectoryTables["directory_phones"]>;

/** What a contact or a phone belongs to: exactly one of a service, a location or a provider. */
export type ContactOwner = { serviceId: string } | { locationId: string } | { directoryOrganizationId: string };
/** What a phone belongs to: an owner of contacts, or a contact. */
export type PhoneOwner = ContactOwner | { contactId: string };

const OWNER_COLUMNS = ["service_id", "location_id", "directory_organization_id"] as const;

/** The record a row of directory_contacts or directory_phones (without contact) belongs to, for its history. */
function ownerSubject(row: Record<string, unknown>): Subject | undefined {
  if (row.service_id) return { type: "service", id: row.service_id as string };
  if (row.location_id) return { type: "location", id: row.location_id as string };
  if (row.directory_organization_id) return { type: "organization", id: row.directory_organization_id as string };
  if (row.service_at_location_id) return { type: "service_at_location", id: row.service_at_location_id as string };
  return undefined;
}

export const CONTACT_SPEC = {
  table: "directory_contacts",
  resourceType: "contact",
  columns: ["id", "organisation_id", ...OWNER_COLUMNS, "service_at_location_id", "name", "title", "department", "email", "created_at"],
  dates: [],
  tracked: [...OWNER_COLUMNS, "name", "title", "department", "email"],
  subject: ownerSubject,
} as const satisfies RecordSpec;

export const PHONE_SPEC = {
  table: "directory_phones",
  resourceType: "phone",
  columns: ["id", "organisation_id", ...OWNER_COLUMNS, "service_at_location_id", "contact_id", "number", "extension", "type", "description", "languages", "created_at"],
  dates: [],
  tracked: [...OWNER_COLUMNS, "contact_id", "number", "extension", "type", "description", "languages"],
  subject: ownerSubject,
} as const satisfies RecordSpec;

/** A contact's fields (HSDS contact.json); at least one of name, title, department or e-mail. */
export interface DirectoryContactInput {
  name?: string | null | undefined;
  title?: string | null | undefined;
  department?: string | null | undefined;
  email?: string | null | undefined;
}

/** A phone's fields (HSDS phone.json). `number` as typed (090-1234-5678); stored in E.164. */
export interface DirectoryPhoneInput {
  number: string;
  /** Digits only (HSDS types it as a number). */
  extension?: string | null | undefined;
  type?: DirectoryPhoneType | null | undefined;
  description?: string | null | undefined;
  /** ISO 639-1 codes, in the order given. */
  languages?: readonly string[] | undefined;
}

export type ContactRefusal = "not_found" | "unknown_owner_record" | "empty_contact";
export type PhoneRefusal = "not_found" | "unknown_owner_record" | "invalid_phone";

async function ownerColumns(tx: Db, organisationId: string, owner: PhoneOwner): Promise<{ columns: Record<string, string>; subject?: Subject } | { field: string }> {
  if ("serviceId" in owner) return await readRecord(tx, SERVICE_SPEC, organisationId, owner.serviceId) ? { columns: { service_id: owner.serviceId } } : { field: "serviceId" };
  if ("locationId" in owner) return await readRecord(tx, LOCATION_SPEC, organisationId, owner.locationId) ? { columns: { location_id: owner.locationId } } : { field: "locationId" };
  if ("directoryOrganizationId" in owner) {
    return await readRecord(tx, ORGANIZATION_SPEC, organisationId, owner.directoryOrganizationId)
      ? { columns: { directory_organization_id: owner.directoryOrganizationId } } : { field: "directoryOrganizationId" };
  }
  const contact = await readRecord(tx, CONTACT_SPEC, organisationId, owner.contactId);
  return contact ? { columns: { contact_id: owner.contactId }, subject: ownerSubject(contact) } : { field: "contactId" };
}

/** The phone spec with the history's subject: a contact's phone is history of the contact's record. */
async function phoneSpec(tx: Db, organisationId: string, row: { contact_id: string | null }): Promise<RecordSpec & { table: "directory_phones" }> {
  if (!row.contact_id) return PHONE_SPEC;
  const contact = await readRecord(tx, CONTACT_SPEC, organisationId, row.contact_id);
  const subject = contact ? ownerSubject(contact) : undefined;
  return { ...PHONE_SPEC, subject: () => subject };
}

/** The columns of a phone input; `number` refused (field `number`) unless a valid number (src/domain/phone.ts). */
function phoneColumns(input: Partial<DirectoryPhoneInput>): { columns: Record<string, unknown> } | { field: string } {
  const columns: Record<string, unknown> = {};
  if (input.number !== undefined) {
    const parsed = parsePhone(input.number);
    if (!parsed.ok) return { field: "number" };
    columns.number = parsed.e164;
  }
  if (input.extension !== undefined) columns.extension = input.extension;
  if (input.type !== undefined) columns.type = input.type;
  if (input.description !== undefined) columns.description = input.description;
  if (input.languages !== undefined) columns.languages = [...new Set(input.languages)];
  return { columns };
}

const isEmptyContact = (c: DirectoryContactInput | DirectoryContactRecord) => !c.name && !c.title && !c.department && !c.email;

/** Adds a contact (and its phones, in the same transaction) to a service, location or provider. */
export async function addDirectoryContact(
  db: Db, organisationId: string, owner: ContactOwner, input: DirectoryContactInput & { phones?: readonly DirectoryPhoneInput[] | undefined },
  by: string, now: Date,
): Promise<DirectoryResult<DirectoryContactRecord, ContactRefusal | PhoneRefusal>> {
  if (isEmptyContact(input)) return { ok: false, error: "empty_contact", field: "name" };
  const phones: Record<string, unknown>[] = [];
  for (const [i, p] of (input.phones ?? []).entries()) {
    const c = phoneColumns(p);
    if ("field" in c) return { ok: false, error: "invalid_phone", field: `phones.${i}.${c.field}` };
    phones.push(c.columns);
  }
  return inTransaction(db, async (tx) => {
    const found = await ownerColumns(tx, organisationId, owner);
    if ("field" in found) return { ok: false, error: "unknown_owner_record", field: found.field };
    const contact = await insertRecord(tx, CONTACT_SPEC, organisationId, {
      ...found.columns, name: input.name ?? null, title: input.title ?? null, department: input.department ?? null, email: input.email ?? null,
    }, by, now);
    const spec = { ...PHONE_SPEC, subject: () => ownerSubject(contact) };
    for (const p of phones) await insertRecord(tx, spec, organisationId, { ...p, contact_id: contact.id }, by, now);
    return { ok: true, value: contact };
  });
}

/** Changes the given fields of a contact; it must keep at least one of name, title, department or e-mail. */
export async function updateDirectoryContact(
  db: Db, organisationId: string, id: string, patch: DirectoryContactInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryContactRecord, ContactRefusal>> {
  return inTransaction(db, async (tx) => {
    const current = await readRecord(tx, CONTACT_SPEC, organisationId, id, true);
    if (!current) return { ok: false, error: "not_found", field: "id" };
    const merged = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    if (isEmptyContact(merged)) return { ok: false, error: "empty_contact", field: "name" };
    const r = await updateRecord(tx, CONTACT_SPEC, organisationId, id, { ...patch }, by, now);
    return { ok: true, value: r!.after };
  });
}

/** Removes a contact and its phones, each with its history; false when there is none. */
export async function deleteDirectoryContact(db: Db, organisationId: string, id: string, by: string, now: Date): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const contact = await readRecord(tx, CONTACT_SPEC, organisationId, id, true);
    if (!contact) return false;
    const spec = { ...PHONE_SPEC, subject: () => ownerSubject(contact) };
    for (const phone of await readRecords(tx, PHONE_SPEC, organisationId, { contact_id: id })) await deleteRecord(tx, spec, organisationId, phone.id, by, now);
    return deleteRecord(tx, CONTACT_SPEC, organisationId, id, by, now);
  });
}

/** Adds a phone to a service, location, provider or contact; an invalid number is refused on `number`. */
export async function addDirectoryPhone(
  db: Db, organisationId: string, owner: PhoneOwner, input: DirectoryPhoneInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryPhoneRecord, PhoneRefusal>> {
  const c = phoneColumns(input);
  if ("field" in c) return { ok: false, error: "invalid_phone", field: c.field };
  return inTransaction(db, async (tx) => {
    const found = await ownerColumns(tx, organisationId, owner);
    if ("field" in found) return { ok: false, error: "unknown_owner_record", field: found.field };
    const spec = found.subject ? { ...PHONE_SPEC, subject: () => found.subject } : PHONE_SPEC;
    return { ok: true, value: await insertRecord(tx, spec, organisationId, { ...found.columns, ...c.columns }, by, now) };
  });
}

/** Changes the given fields of a phone. */
export async function updateDirectoryPhone(
  db: Db, organisationId: string, id: string, patch: Partial<DirectoryPhoneInput>, by: string, now: Date,
): Promise<DirectoryResult<DirectoryPhoneRecord, PhoneRefusal>> {
  const c = phoneColumns(patch);
  if ("field" in c) return { ok: false, error: "invalid_phone", field: c.field };
  return inTransaction(db, async (tx) => {
    const current = await readRecord(tx, PHONE_SPEC, organisationId, id, true);
    if (!current) return { ok: false, error: "not_found", field: "id" };
    const r = await updateRecord(tx, await phoneSpec(tx, organisationId, current), organisationId, id, c.columns, by, now);
    return { ok: true, value: r!.after };
  });
}

/** Removes a phone with its history; false when there is none. */
export async function deleteDirectoryPhone(db: Db, organisationId: string, id: string, by: string, now: Date): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const current = await readRecord(tx, PHONE_SPEC, organisationId, id, true);
    if (!current) return false;
    return deleteRecord(tx, await phoneSpec(tx, organisationId, current), organisationId, id, by, now);
  });
}

/**
 * A record's contacts (each with its phones) and its own phones, in the order
 * they were added; `owner` undefined: every contact of the directory and every
 * phone that is not a contact's.
 */
export async function contactsOf(db: Db, organisationId: string, owner: ContactOwner | undefined): Promise<{
  contacts: (DirectoryContactRecord & { phones: DirectoryPhoneRecord[] })[]; phones: DirectoryPhoneRecord[];
}> {
  const where = !owner ? {} : "serviceId" in owner ? { service_id: owner.serviceId } : "locationId" in owner ? { location_id: owner.locationId }
    : { directory_organization_id: owner.directoryOrganizationId };
  const contacts = await readRecords(db, CONTACT_SPEC, organisationId, where, ["created_at", "id"]);
  const phones = await readRecords(db, PHONE_SPEC, organisationId, where, ["created_at", "id"]);
  const byContact = new Map<string, DirectoryPhoneRecord[]>();
  const contactPhones = !owner ? phones.filter((p) => p.contact_id !== null) : contacts.length === 0 ? [] : await selectRecords(db, PHONE_SPEC, organisationId)
    .where("contact_id" as any, "in", contacts.map((c) => c.id)).orderBy("created_at" as any).orderBy("id" as any).execute() as DirectoryPhoneRecord[];
  for (const p of contactPhones) byContact.set(p.contact_id!, [...(byContact.get(p.contact_id!) ?? []), p]);
  return { contacts: contacts.map((c) => ({ ...c, phones: byContact.get(c.id) ?? [] })), phones: phones.filter((p) => p.contact_id === null) };
}

/**
 * Which of the phones `ids` are or were a contact person's (the row says so, or
 * its history does once the row is gone): their numbers are personal, while a
 * service's, location's or provider's phone is public. For the history's answer.
 */
export async function contactPhoneIds(db: Db, organisationId: string, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.selectFrom("directory_phones").select("id").where("organisation_id", "=", organisationId)
    .where("id", "in", [...ids]).where("contact_id", "is not", null).execute();
  const past = await db.selectFrom("directory_metadata").select("resource_id as id").where("organisation_id", "=", organisationId)
    .where("resource_type", "=", "phone").where("field_name", "=", "contact_id").where("resource_id", "in", [...ids])
    .where((eb) => eb.or([eb("previous_value", "is not", null), eb("replacement_value", "is not", null)])).execute();
  return new Set([...rows, ...past].map((r) => r.id));
}
