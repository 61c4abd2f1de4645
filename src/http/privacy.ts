/**
 * Personal information: one rule for every route. Whatever a route answers,
 * the answer passes through `shapeForRole` before it is serialised (a hook in
 * app.ts), so a new route cannot show an observer more than the old ones do.
 *
 * - Which fields are personal is decided by their name, the same everywhere in
 *   the API: the names of people (members, contacts, LINE participants, who
 *   acknowledged or answered), their addresses (postal, and the address of
 *   every channel: phone numbers, e-mail, LINE ids), birth dates, phone
 *   numbers, medical notes, free-text notes, furigana and the municipality's
 *   own number (they name a person as surely), and provider errors (they quote
 *   addresses). The list is PERSONAL_FIELDS; the README repeats it.
 * - Who did something is personal wherever it is named: `actor`, and every
 *   field named `…By` (`createdBy`, `updatedBy`, `revokedBy`…) but the few that
 *   hold a time or a method (NOT_ACTORS); an actor keeps its kind (`token:***`).
 * - A value whose key does not say what it is takes its meaning from the
 *   answer: a change that names a personal field in `field` (`{field:
 *   "displayName", previous, replacement}`) has personal values, and a route
 *   marks the rest with `personalAs` (a contact person's phone `number`, a
 *   history change of a contact's name), which no key name could tell apart
 *   from a service's public phone or name.
 * - `admin` and `staff` see them; every answer that shows them is in the audit
 *   log (the route's own entry, or `personal.view`).
 * - `observer` gets the redacted form: each personal value replaced by
 *   REDACTED (an actor keeps its kind: `contact:***`), everything else as is.
 */
import type { Principal } from "./auth.ts";

export const PERSONAL_FIELDS = [
  "displayName", "displayNameKana", "externalId", "memberName", "fullName", "address", "birthDate", "phone", "medicalNotes", "note", "by", "actor",
  "createdBy", "publishedBy", "updatedBy", "revokedBy", "triagedBy", "confirmedBy", "error", "registrationNumber", "recipient", "assurerEmail",
] as const;
/** Fields named `…By` that say when or how, not who: not personal. */
export const NOT_ACTORS = ["respondBy", "linkedBy", "orderBy", "sortBy", "groupBy"] as const;
/** Fields naming who did something (besides `…By`): the kind before the first colon is kept (`contact:***`, `token:***`). */
const ACTORS = new Set(["actor"]);
const NOT_ACTOR = new Set<string>(NOT_ACTORS);
const PERSONAL = new Set<string>(PERSONAL_FIELDS);
/** The keys of a change whose values are those of the field it names in `field`. */
const CHANGE_VALUES = new Set(["previous", "replacement", "value", "before", "after"]);
/** Where `personalAs` keeps, on an answer's object, which of its keys are personal (a symbol: never serialised). */
const PERSONAL_HERE = Symbol("personal here");

/** Whether a field is an actor: `actor`, or a `…By` that names who. */
function isActor(field: string): boolean {
  return ACTORS.has(field) || (/^[a-z][A-Za-z]*By$/.test(field) && !NOT_ACTOR.has(field));
}

/** Whether a field, by its name, is personal wherever it appears (PERSONAL_FIELDS, or an actor). */
export function isPersonalField(field: string): boolean {
  return PERSONAL.has(field) || isActor(field);
}

/**
 * Marks keys of one object of an answer as personal where their names do not
 * say so, each as the personal field it stands for (its redaction, and the
 * name the audit log gives it): a contact person's phone `{ number: "phone" }`.
 * Kept on the object (and copies made by spreading it) until serialised. Returns `value`.
 */
export function personalAs<T extends object>(value: T, fields: Partial<Record<Extract<keyof T, string>, string>>): T {
  const current = (value as { [PERSONAL_HERE]?: Record<string, string> })[PERSONAL_HERE];
  (value as { [PERSONAL_HERE]?: Record<string, string> })[PERSONAL_HERE] = { ...current, ...(fields as Record<string, string>) };
  return value;
}

/** The personal field a key of `object` stands for (its own name, a `personalAs` mark, or the change's `field`); undefined: not personal. */
function personalFieldOf(object: Record<string | symbol, unknown>, key: string): string | undefined {
  const marked = (object[PERSONAL_HERE] as Record<string, string> | undefined)?.[key];
  if (marked) return marked;
  if (isPersonalField(key)) return key;
  if (CHANGE_VALUES.has(key) && typeof object.field === "string" && isPersonalField(object.field)) return object.field;
  return undefined;
}

/** What an observer sees in place of a personal value. */
export const REDACTED = "***";

/**
 * Roles that see personal information: admin, staff and the auditor (who reads
 * everything, exports nothing); and the watcher, whom the routes open to them
 * (access.ts `task`) show only the members they visit, and of those only name,
 * address, phone and state — every such answer is audited like staff's.
 */
export function seesPersonal(principal: Principal): boolean {
  return principal.role === "admin" || principal.role === "staff" || principal.role === "auditor" || principal.role === "watcher";
}

function redactValue(field: string, value: unknown): unknown {
  if (typeof value !== "string" || value === "") return value;
  // "contact:山田一郎" → "contact:***": the kind of actor is not personal, the name is.
  if (isActor(field)) return value === "member" ? value : `${value.includes(":") ? value.slice(0, value.indexOf(":") + 1) : ""}${REDACTED}`;
  return REDACTED;
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const field = personalFieldOf(value as Record<string, unknown>, key);
    out[key] = field ? redactValue(field, typeof v === "object" ? redact(v) : v) : redact(v);
  }
  return out;
}

/** The personal fields (by the field they stand for) that carry a value somewhere in an answer; empty when it shows none. */
export function personalFieldsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) personalFieldsIn(v, found);
  } else if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    for (const [key, v] of Object.entries(value)) {
      const field = personalFieldOf(value as Record<string, unknown>, key);
      if (field && typeof v === "string" && v !== "") found.add(field);
      else personalFieldsIn(v, found);
    }
  }
  return found;
}

/**
 * An API answer as the principal may see it: unchanged for admin and staff,
 * the redacted form (same shape, personal values replaced) for observers.
 */
export function shapeForRole<T>(principal: Principal, payload: T): T {
  return seesPersonal(principal) ? payload : (redact(payload) as T);
}
