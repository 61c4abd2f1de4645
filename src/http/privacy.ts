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
 * - `admin` and `staff` see them; every answer that shows them is in the audit
 *   log (the route's own entry, or `personal.view`).
 * - `observer` gets the redacted form: each personal value replaced by
 *   REDACTED (an actor keeps its kind: `contact:***`), everything else as is.
 */
import type { Principal } from "./auth.ts";

export const PERSONAL_FIELDS = [
  "displayName", "displayNameKana", "externalId", "memberName", "fullName", "address", "birthDate", "phone", "medicalNotes", "note", "by", "actor", "createdBy", "publishedBy", "error", "registrationNumber", "recipient",
] as const;
/** Fields naming who did something: the kind before the first colon is kept (`contact:***`, `token:***`). */
const ACTORS = new Set(["actor", "createdBy"]);
const PERSONAL = new Set<string>(PERSONAL_FIELDS);

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

function redactValue(key: string, value: unknown): unknown {
  if (typeof value !== "string" || value === "") return value;
  // "contact:山田一郎" → "contact:***": the kind of actor is not personal, the name is.
  if (ACTORS.has(key)) return value === "member" ? value : `${value.includes(":") ? value.slice(0, value.indexOf(":") + 1) : ""}${REDACTED}`;
  return REDACTED;
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = PERSONAL.has(key) ? redactValue(key, typeof v === "object" ? redact(v) : v) : redact(v);
  return out;
}

/** The personal fields (by name) that carry a value somewhere in an answer; empty when it shows none. */
export function personalFieldsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) personalFieldsIn(v, found);
  } else if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    for (const [key, v] of Object.entries(value)) {
      if (PERSONAL.has(key) && typeof v === "string" && v !== "") found.add(key);
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
