/**
 * HSDS contacts and phones of a service, a location or a provider, and the
 * organisation's own taxonomy terms, under /api/v1/directory (issue 14;
 * engine/contacts.ts, engine/taxonomy-terms.ts). Observers read (a contact
 * person's name is `displayName`, redacted for them by privacy.ts; their phones'
 * numbers and their e-mail are marked personal with `personalAs`, while a
 * service's, location's or provider's own phone is public); staff write
 * contacts and phones; admins manage the organisation's terms. Every write is in
 * the audit log and in the directory's history. Numbers are taken as people type
 * them and answered in E.164 (`number`) and in national form (`national`).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { formatPhone } from "../../domain/phone.ts";
import { audit } from "../../http/audit.ts";
import { actorOf, type Principal } from "../../http/auth.ts";
import { ApiError, notFound } from "../../http/errors.ts";
import { personalAs } from "../../http/privacy.ts";
import { Id, IdParams, optionalText, phoneAddress, safeString, text } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { DIRECTORY_PHONE_TYPES } from "../domain/kinds.ts";
import { MAPPED_CODE_SCHEMES, TAXONOMY_CODE_PATTERN } from "../domain/taxonomy-ja.ts";
import {
  addDirectoryContact, addDirectoryPhone, type ContactOwner, contactsOf, deleteDirectoryContact, deleteDirectoryPhone, type DirectoryContactRecord,
  type DirectoryPhoneRecord, updateDirectoryContact, updateDirectoryPhone,
} from "../engine/contacts.ts";
import { getDirectoryLocation } from "../engine/locations.ts";
import { getDirectoryOrganization } from "../engine/organizations.ts";
import { getDirectoryService } from "../engine/services.ts";
import {
  addDirectoryTerm, deleteDirectoryTerm, type DirectoryTermRecord, listDirectoryTerms, parentName, retireDirectoryTerm, updateDirectoryTerm,
} from "../engine/taxonomy-terms.ts";

const tags = ["directory"];

const nullableText = (max: number, multiline = false) => optionalText(max, multiline).nullable().optional()
  .transform((v) => (v === "" ? null : v));
const Email = z.email({ message: "must be an e-mail address" }).max(254);
const Language = z.string().regex(/^[a-z]{2,3}$/, "must be an ISO 639-1 language code such as ja, en, zh");

const OwnerFields = {
  serviceId: Id.optional().describe("a service's"),
  locationId: Id.optional().describe("a location's"),
  directoryOrganizationId: Id.optional().describe("a provider's"),
};
const oneOwner = (fields: readonly string[]) => (v: Record<string, unknown>, ctx: z.RefinementCtx) => {
  if (fields.filter((f) => v[f] !== undefined).length !== 1) {
    ctx.addIssue({ code: "custom", path: [fields[0]], message: `give exactly one of ${fields.join(", ")}` });
  }
};

const PhoneFields = {
  number: phoneAddress.describe("as people type it (090-1234-5678, 03-1234-5678, +81…); stored in E.164"),
  extension: z.string().regex(/^\d{1,9}$/, "must be digits (内線番号)").nullable().optional(),
  type: z.enum(DIRECTORY_PHONE_TYPES).nullable().optional().describe("HSDS phone type (voice, fax, cell, text…)"),
  description: nullableText(500).describe("when to call, who answers (平日9時〜17時)"),
  languages: z.array(Language).max(10).optional().describe("languages spoken on the line, ISO 639-1"),
};
export const DirectoryPhoneInput = z.strictObject(PhoneFields);
export const DirectoryPhoneCreate = z.strictObject({ ...OwnerFields, contactId: Id.optional().describe("a contact's"), ...PhoneFields })
  .superRefine(oneOwner(["serviceId", "locationId", "directoryOrganizationId", "contactId"]));
export const DirectoryPhonePatch = z.strictObject({ ...PhoneFields, number: PhoneFields.number.optional() });

const ContactFields = {
  displayName: nullableText(200).describe("the person's name (HSDS contact.name); never in the public API"),
  title: nullableText(200).describe("役職"),
  department: nullableText(200).describe("部署・窓口"),
  email: Email.nullable().optional(),
};
const notEmpty = (v: Record<string, unknown>, ctx: z.RefinementCtx) => {
  if (!v.displayName && !v.title && !v.department && !v.email) {
    ctx.addIssue({ code: "custom", path: ["displayName"], message: "give a name, title, department or e-mail" });
  }
};
export const DirectoryContactCreate = z.strictObject({
  ...OwnerFields, ...ContactFields, phones: z.array(DirectoryPhoneInput).max(10).optional().describe("the contact's phones"),
}).superRefine((v, ctx) => {
  oneOwner(["serviceId", "locationId", "directoryOrganizationId"])(v, ctx);
  notEmpty(v, ctx);
});
export const DirectoryContactPatch = z.strictObject(ContactFields);
const ContactsQuery = z.strictObject(OwnerFields).superRefine((v, ctx) => {
  if ([v.serviceId, v.locationId, v.directoryOrganizationId].filter((x) => x !== undefined).length > 1) {
    ctx.addIssue({ code: "custom", path: ["serviceId"], message: "give at most one of serviceId, locationId, directoryOrganizationId" });
  }
});

const MappedCode = safeString().regex(new RegExp(`^(${MAPPED_CODE_SCHEMES.join("|")}):[A-Za-z0-9._-]{1,32}$`), `must be scheme:code, e.g. kaigo_service_type:A2`);
export const DirectoryTermCreate = z.strictObject({
  code: safeString().trim().min(1, "must not be empty").max(64, "at most 64 characters")
    .regex(TAXONOMY_CODE_PATTERN, "must be lower-case letters, digits and _, parts joined by dots (local.tea_salon)"),
  name: text(100).describe("the term's name, in Japanese"),
  parentCode: safeString().max(64).nullable().optional().describe("a shipped term's code or one of the organisation's; absent: top level"),
  description: optionalText(1000, true).optional(),
  mappedCode: MappedCode.nullable().optional(),
});
export const DirectoryTermPatch = z.strictObject({
  name: text(100).optional(), description: optionalText(1000, true).optional(), mappedCode: MappedCode.nullable().optional(),
});

// ---------------------------------------------------------------- answers

export const DirectoryPhone = z.object({
  id: z.string(), serviceId: z.string().nullable(), locationId: z.string().nullable(), directoryOrganizationId: z.string().nullable(),
  contactId: z.string().nullable(), number: z.string().describe("E.164"), national: z.string().describe("as people dial it here (03-1234-5678)"),
  extension: z.string().nullable(), type: z.enum(DIRECTORY_PHONE_TYPES).nullable(), description: z.string().nullable(), languages: z.array(z.string()),
}).meta({ id: "DirectoryPhone" });
export const DirectoryContact = z.object({
  id: z.string(), serviceId: z.string().nullable(), locationId: z.string().nullable(), directoryOrganizationId: z.string().nullable(),
  displayName: z.string().nullable(), title: z.string().nullable(), department: z.string().nullable(), email: z.string().nullable(),
  phones: z.array(DirectoryPhone),
}).meta({ id: "DirectoryContact" });
const ContactBook = z.object({
  contacts: z.array(DirectoryContact), phones: z.array(DirectoryPhone).describe("the record's own phones (a service's, location's or provider's)"),
}).meta({ id: "DirectoryContacts" });
export const DirectoryOwnTerm = z.object({
  id: z.string(), code: z.string(), name: z.string(), parentCode: z.string().nullable(), parentName: z.string().nullable(),
  description: z.string(), mappedCode: z.string().nullable(), retired: z.boolean(), retiredAt: z.string().nullable(),
  createdAt: z.string(), updatedAt: z.string(),
}).meta({ id: "DirectoryOwnTerm" });
const Deleted = z.object({ deleted: z.literal(true) });

/** A phone; a contact person's number is personal (a `phone`), a service's, location's or provider's is public. */
const phoneView = (p: DirectoryPhoneRecord) => {
  const view = {
    id: p.id, serviceId: p.service_id, locationId: p.location_id, directoryOrganizationId: p.directory_organization_id, contactId: p.contact_id,
    number: p.number, national: formatPhone(p.number), extension: p.extension, type: p.type, description: p.description, languages: p.languages,
  };
  return p.contact_id ? personalAs(view, { number: "phone", national: "phone" }) : view;
};
/** A contact: the person's name (`displayName`) and e-mail are personal; title and department are not. */
const contactView = (c: DirectoryContactRecord, phones: DirectoryPhoneRecord[]) => personalAs({
  id: c.id, serviceId: c.service_id, locationId: c.location_id, directoryOrganizationId: c.directory_organization_id,
  displayName: c.name, title: c.title, department: c.department, email: c.email, phones: phones.map(phoneView),
}, { email: "email" });

/**
 * The personal field a change in a record's history stands for, or undefined
 * when it is not personal: a contact's name and e-mail, a contact person's phone
 * number (`contactPhones`: engine/contacts.ts `contactPhoneIds`).
 */
export function contactHistoryField(change: { resourceType: string; resourceId: string; field: string }, contactPhones: ReadonlySet<string>): string | undefined {
  if (change.resourceType === "contact") return change.field === "name" ? "displayName" : change.field === "email" ? "email" : undefined;
  if (change.resourceType === "phone" && change.field === "number" && contactPhones.has(change.resourceId)) return "phone";
  return undefined;
}
const termView = (t: DirectoryTermRecord, own: readonly DirectoryTermRecord[]) => ({
  id: t.id, code: t.code, name: t.name, parentCode: t.parent_code, parentName: parentName(t.parent_code, own), description: t.description,
  mappedCode: t.mapped_code, retired: t.retired_at !== null, retiredAt: t.retired_at?.toISOString() ?? null,
  createdAt: t.created_at.toISOString(), updatedAt: t.updated_at.toISOString(),
});

/** An engine refusal as our error: the path's record missing 404, a body's unknown record 422, a bad value 400, a conflict 409. */
function refused(r: { error: string; field: string }): never {
  if (r.field === "id" || r.error === "not_found") throw notFound("directory record");
  switch (r.error) {
    case "unknown_owner_record":
      throw new ApiError(422, "unknown_reference", `${r.field} names nothing of this organisation`, r.field);
    case "code_taken":
      throw new ApiError(409, "directory_term_code_taken", "the code is a shipped term's or one of the organisation's already", r.field);
    case "term_in_use":
      throw new ApiError(409, "directory_term_in_use", "the term is in use (a record, need, volunteer or another term carries it): retire it instead", r.field);
    default:
      throw new ApiError(400, "invalid_request", `${r.field} is not valid here (${r.error})`, r.field, [{ field: r.field, code: "invalid", message: r.error }]);
  }
}
function value<T>(r: { ok: true; value: T } | { ok: false; error: string; field: string }): T {
  if (!r.ok) refused(r);
  return r.value;
}

/** The owner named in a body or query, as the engine takes it. */
function ownerOf(v: { serviceId?: string | undefined; locationId?: string | undefined; directoryOrganizationId?: string | undefined }): ContactOwner {
  return v.serviceId ? { serviceId: v.serviceId } : v.locationId ? { locationId: v.locationId } : { directoryOrganizationId: v.directoryOrganizationId! };
}

export function directoryContactRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const org = (request: { principal: Principal }) => request.principal.organisationId;
    const by = (request: { principal: Principal }) => actorOf(request.principal);
    const book = async (organisationId: string, owner: ContactOwner | undefined) => {
      const { contacts, phones } = await contactsOf(s.db, organisationId, owner);
      return { contacts: contacts.map((c) => contactView(c, c.phones)), phones: phones.map(phoneView) };
    };
    const contactWithPhones = async (organisationId: string, c: DirectoryContactRecord) =>
      contactView(c, (await contactsOf(s.db, organisationId, ownerOf({
        serviceId: c.service_id ?? undefined, locationId: c.location_id ?? undefined, directoryOrganizationId: c.directory_organization_id ?? undefined,
      }))).contacts.find((x) => x.id === c.id)?.phones ?? []);

    app.get("/directory/contacts", {
      schema: { tags, summary: "A service's, location's or provider's contacts (each with its phones) and its own phones; none named: the whole directory's", querystring: ContactsQuery },
    }, async (request) => {
      if (!request.query.serviceId && !request.query.locationId && !request.query.directoryOrganizationId) return book(org(request), undefined);
      const owner = ownerOf(request.query);
      const id = "serviceId" in owner ? owner.serviceId : "locationId" in owner ? owner.locationId : owner.directoryOrganizationId;
      const found = "serviceId" in owner ? await getDirectoryService(s.db, org(request), id)
        : "locationId" in owner ? await getDirectoryLocation(s.db, org(request), id) : await getDirectoryOrganization(s.db, org(request), id);
      if (!found) throw notFound("directory record");
      return book(org(request), owner);
    });
    app.post("/directory/contacts", {
      schema: { tags, summary: "Add a contact (a person or desk, with its phones) to a service, location or provider; kept in its history", body: DirectoryContactCreate },
    }, async (request, reply) => {
      const { serviceId: _s, locationId: _l, directoryOrganizationId: _o, displayName, phones, ...rest } = request.body;
      const row = value(await addDirectoryContact(s.db, org(request), ownerOf(request.body), { ...rest, name: displayName, phones }, by(request), s.clock.now()));
      await audit(s.db, request, "directory.create", "directory_service_contact", row.id);
      return reply.code(201).send(await contactWithPhones(org(request), row));
    });
    app.patch("/directory/contacts/:id", {
      schema: { tags, summary: "Change a contact's name, title, department or e-mail", params: IdParams, body: DirectoryContactPatch },
    }, async (request) => {
      const { displayName, ...rest } = request.body;
      const row = value(await updateDirectoryContact(s.db, org(request), request.params.id, { ...rest, name: displayName }, by(request), s.clock.now()));
      await audit(s.db, request, "directory.update", "directory_service_contact", row.id, { fields: Object.keys(request.body).sort() });
      return contactWithPhones(org(request), row);
    });
    app.delete("/directory/contacts/:id", {
      schema: { tags, summary: "Remove a contact and its phones (kept in the history)", params: IdParams },
    }, async (request) => {
      if (!await deleteDirectoryContact(s.db, org(request), request.params.id, by(request), s.clock.now())) throw notFound("directory record");
      await audit(s.db, request, "directory.delete", "directory_service_contact", request.params.id);
      return { deleted: true as const };
    });
    app.post("/directory/phones", {
      schema: { tags, summary: "Add a phone to a service, location, provider or contact; the number is checked and kept in E.164", body: DirectoryPhoneCreate },
    }, async (request, reply) => {
      const { serviceId, locationId, directoryOrganizationId, contactId, ...input } = request.body;
      const owner = contactId ? { contactId } : ownerOf({ serviceId, locationId, directoryOrganizationId });
      const row = value(await addDirectoryPhone(s.db, org(request), owner, input, by(request), s.clock.now()));
      await audit(s.db, request, "directory.create", "directory_phone", row.id);
      return reply.code(201).send(phoneView(row));
    });
    app.patch("/directory/phones/:id", {
      schema: { tags, summary: "Change a phone (number, extension, type, description, languages)", params: IdParams, body: DirectoryPhonePatch },
    }, async (request) => {
      const row = value(await updateDirectoryPhone(s.db, org(request), request.params.id, request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.update", "directory_phone", row.id, { fields: Object.keys(request.body).sort() });
      return phoneView(row);
    });
    app.delete("/directory/phones/:id", {
      schema: { tags, summary: "Remove a phone (kept in the history)", params: IdParams },
    }, async (request) => {
      if (!await deleteDirectoryPhone(s.db, org(request), request.params.id, by(request), s.clock.now())) throw notFound("directory record");
      await audit(s.db, request, "directory.delete", "directory_phone", request.params.id);
      return { deleted: true as const };
    });

    // ------------------------------------------------------------ the organisation's own taxonomy terms

    const terms = async (organisationId: string) => {
      const own = await listDirectoryTerms(s.db, organisationId);
      return { own, view: (t: DirectoryTermRecord) => termView(t, own) };
    };
    app.get("/directory/taxonomy/terms", { schema: { tags, summary: "The organisation's own taxonomy terms, by code (retired ones too)" } }, async (request) => {
      const { own, view } = await terms(org(request));
      return { terms: own.map(view) };
    });
    app.post("/directory/taxonomy/terms", {
      schema: { tags, summary: "Add a taxonomy term of the organisation's own, under a shipped or own term or at the top level", body: DirectoryTermCreate },
    }, async (request, reply) => {
      const row = value(await addDirectoryTerm(s.db, org(request), request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.create", "directory_taxonomy_term", row.id, { code: row.code });
      return reply.code(201).send((await terms(org(request))).view(row));
    });
    app.patch("/directory/taxonomy/terms/:id", {
      schema: { tags, summary: "Rename a term of the organisation's own (its code and parent stay)", params: IdParams, body: DirectoryTermPatch },
    }, async (request) => {
      const row = value(await updateDirectoryTerm(s.db, org(request), request.params.id, request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.update", "directory_taxonomy_term", row.id, { fields: Object.keys(request.body).sort() });
      return (await terms(org(request))).view(row);
    });
    for (const retired of [true, false]) {
      app.post(`/directory/taxonomy/terms/:id/${retired ? "retire" : "restore"}`, {
        schema: {
          tags, params: IdParams,
          summary: retired ? "Retire a term: no longer offered for new use; records that carry it keep it" : "Offer a retired term again",
        },
      }, async (request) => {
        const row = value(await retireDirectoryTerm(s.db, org(request), request.params.id, retired, by(request), s.clock.now()));
        await audit(s.db, request, retired ? "directory.archive" : "directory.restore", "directory_taxonomy_term", row.id);
        return (await terms(org(request))).view(row);
      });
    }
    app.delete("/directory/taxonomy/terms/:id", {
      schema: { tags, summary: "Delete a term nothing uses (one in use is refused: retire it)", params: IdParams },
    }, async (request) => {
      value(await deleteDirectoryTerm(s.db, org(request), request.params.id, by(request), s.clock.now()));
      await audit(s.db, request, "directory.delete", "directory_taxonomy_term", request.params.id);
      return { deleted: true as const };
    });
  };
}

/** Error codes of these routes (context.ts composes them). */
export const CONTACT_ERROR_CODES = {
  directory_term_code_taken: "a taxonomy term's code is a shipped term's or the organisation's already",
  directory_term_in_use: "a taxonomy term in use cannot be deleted (retire it)",
} as const;

export const CONTACT_ACCESS = {
  "GET /directory/contacts": "observer",
  "POST /directory/contacts": "staff",
  "PATCH /directory/contacts/:id": "staff",
  "DELETE /directory/contacts/:id": "staff",
  "POST /directory/phones": "staff",
  "PATCH /directory/phones/:id": "staff",
  "DELETE /directory/phones/:id": "staff",
  "GET /directory/taxonomy/terms": "observer",
  "POST /directory/taxonomy/terms": "admin",
  "PATCH /directory/taxonomy/terms/:id": "admin",
  "POST /directory/taxonomy/terms/:id/retire": "admin",
  "POST /directory/taxonomy/terms/:id/restore": "admin",
  "DELETE /directory/taxonomy/terms/:id": "admin",
} as const;

const TermList = z.object({ terms: z.array(DirectoryOwnTerm) });
export const CONTACT_RESPONSES = {
  "GET /directory/contacts": { 200: ContactBook },
  "POST /directory/contacts": { 201: DirectoryContact },
  "PATCH /directory/contacts/:id": { 200: DirectoryContact },
  "DELETE /directory/contacts/:id": { 200: Deleted },
  "POST /directory/phones": { 201: DirectoryPhone },
  "PATCH /directory/phones/:id": { 200: DirectoryPhone },
  "DELETE /directory/phones/:id": { 200: Deleted },
  "GET /directory/taxonomy/terms": { 200: TermList },
  "POST /directory/taxonomy/terms": { 201: DirectoryOwnTerm },
  "PATCH /directory/taxonomy/terms/:id": { 200: DirectoryOwnTerm },
  "POST /directory/taxonomy/terms/:id/retire": { 200: DirectoryOwnTerm },
  "POST /directory/taxonomy/terms/:id/restore": { 200: DirectoryOwnTerm },
  "DELETE /directory/taxonomy/terms/:id": { 200: Deleted },
};
