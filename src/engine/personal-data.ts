/**
 * A member's personal data on request (APPI arts. 33 and 35: disclosure and
 * erasure): everything held about one member, exported, and erased.
 *
 * - Export: the member, contacts, check-ins, answers, incidents with their
 *   timelines, notes and visits, and every section a context adds through its
 *   hook (the network: consents, disclosures, registration numbers…).
 * - Erasure: one transaction. Incidents opened within the organisation's
 *   retention period (settings.incidentRetentionYears, default
 *   DEFAULT_INCIDENT_RETENTION_YEARS) are KEPT ANONYMISED — kind, urgency, status,
 *   times and outcome stay for the statistics; note, who acknowledged, the
 *   check-in link and every timeline entry's actor and data go. The member row
 *   then stays as a tombstone (migration 025: `erased_at` set; no name, personal
 *   fields, channels, consent, furigana or external number; inactive) because
 *   those incidents and the reports' per-team counts hang on it. Without such
 *   incidents the member row is deleted outright. Everything else about the
 *   member goes: contacts (and their invitations), check-ins, answers,
 *   observations, notes, visits, links, queued and sent messages, LINE users,
 *   group memberships, broadcast answers, and each context's rows (its hook).
 *   The audit log keeps that the erasure happened, with counts, never the data.
 * - Contexts register a hook at the composition root (`addPersonalDataHook`);
 *   the core never imports a context.
 */
import { sql } from "kysely";
import { type Db, inTransaction } from "../store/db.ts";
import type { CoreTables } from "../store/schema.ts";

/** Years an anonymised incident is kept after its member's erasure when the organisation set none (the care-record custom in Japan: 5 years). */
export const DEFAULT_INCIDENT_RETENTION_YEARS = 5;

/** Rows as exported: column → value (dates as ISO strings in JSON). */
export type ExportRow = Record<string, unknown>;

/** A context's part in a member's export and erasure. */
export interface PersonalDataHook {
  /** Registering the same name again replaces the hook. */
  name: string;
  /** Section name → rows, for the member's export (read inside the export's transaction). */
  export(tx: Db, organisationId: string, memberId: string): Promise<Record<string, ExportRow[]>>;
  /** Deletes or anonymises the context's rows about the member, in the erasure's transaction; returns table → rows affected. */
  erase(tx: Db, organisationId: string, memberId: string): Promise<Record<string, number>>;
  /** The context's decision table: EVERY table of the context (its migrations) and what erasure does with it. */
  tables: Readonly<Record<string, TableDecision>>;
  /** Strings of the context's that identify the member in free text (registration numbers…), read before anything is erased. */
  terms?(tx: Db, organisationId: string, memberId: string): Promise<string[]>;
}

const hooks = new Map<string, PersonalDataHook>();

export function addPersonalDataHook(hook: PersonalDataHook): void {
  hooks.set(hook.name, hook);
}

// ---------------------------------------------------------------- the decision table

/**
 * What a member's erasure does to a table:
 * - `delete`: the rows about the member go (by member, by their contacts or through a parent row);
 * - `anonymise`: the rows stay without what names the member (incidents within retention, the tombstone);
 * - `scrub`: rows about others or about the organisation whose free text or JSON may quote the member —
 *   the export lists the rows that quote them;
 * and after these, in every table but the `none` ones, every text and JSON column has the member's
 * identifying strings (memberTerms) replaced by "—" (an alert to a team, a report not linked to them…);
 * - `none`: nothing about a member is kept there.
 */
export type ErasureAction = "delete" | "anonymise" | "scrub" | "none";

/** One table's line of the decision table: the action and a one-line reason. */
export interface TableDecision {
  erasure: ErasureAction;
  why: string;
  /**
   * The export's section for the member's rows of a table with a member_id column
   * (default: the table's name); null: not exported (say why in `why`).
   */
  section?: string | null;
}

/**
 * The core's decision table: EVERY core table, and what a member's erasure and
 * export do with it (test/personal-data-tables.test.ts fails when a table of the
 * live schema is in no context's table).
 */
export const CORE_PERSONAL_DATA: Readonly<Record<keyof CoreTables | "schema_migrations", TableDecision>> = {
  members: { erasure: "anonymise", why: "deleted, or a tombstone without name, fields, channels, consent or numbers when incidents are kept", section: "member" },
  member_search: { erasure: "anonymise", why: "derived from members by a trigger: follows the member row (deleted, or the tombstone's '—'); not exported", section: null },
  contacts: { erasure: "delete", why: "the member's contacts: names and addresses collected for the member", section: "contacts" },
  contact_invitations: { erasure: "delete", why: "follow their contact (on delete cascade)" },
  checkins: { erasure: "delete", why: "the member's check-ins and their answers", section: "checkins" },
  answers: { erasure: "delete", why: "the member's answers, with notes and who answered", section: "answers" },
  observations: { erasure: "delete", why: "what the member said about their condition", section: "observations" },
  member_notes: { erasure: "delete", why: "staff's free text about the member", section: "notes" },
  visits: { erasure: "delete", why: "home visits to the member, with instructions and outcome notes", section: "visits" },
  visit_candidates: { erasure: "delete", why: "follow their visit (on delete cascade)" },
  group_members: { erasure: "delete", why: "the member's membership of groups" },
  broadcast_recipients: { erasure: "delete", why: "the member's answers to broadcasts" },
  line_users: { erasure: "delete", why: "the member's LINE user and registration conversation" },
  links: { erasure: "delete", why: "one-time links sent to the member or their contacts, or about their incidents; not exported (their hashes are credentials)", section: null },
  outbox: { erasure: "delete", why: "messages to the member, their contacts or about their check-ins and incidents are deleted; others quoting them scrubbed" },
  sandbox_deliveries: { erasure: "delete", why: "the sandbox's copies of those messages are deleted; others quoting the member scrubbed" },
  incidents: { erasure: "anonymise", why: "within retention kept for statistics without note, acknowledger or check-in; older ones deleted", section: "incidents" },
  incident_events: { erasure: "anonymise", why: "timelines of kept incidents lose actor and data; others go with their incident" },
  group_confirmations: { erasure: "delete", why: "confirmations by or for the member's LINE user (user id and LINE name)" },
  group_participants: { erasure: "delete", why: "the member's LINE user as seen in a group (user id and LINE name)" },
  group_checkins: { erasure: "scrub", why: "the list of who did not confirm quotes LINE names and user ids" },
  inbound: { erasure: "scrub", why: "raw webhooks (LINE, SMS, e-mail, phone) carry the sender's address, name and words" },
  member_imports: { erasure: "scrub", why: "uploaded sheet rows, problems and warnings quote the member's cells" },
  audit_log: { erasure: "scrub", why: "the record of who did what stays; details quoting the member (names, numbers looked up) are scrubbed" },
  broadcasts: { erasure: "scrub", why: "a broadcast's text is the organisation's, but may name someone" },
  groups: { erasure: "scrub", why: "a group's name or channels may name the member" },
  teams: { erasure: "scrub", why: "a team's channels are staff's, but may hold a member's address" },
  people: { erasure: "none", why: "staff and watchers: not members" },
  person_channels: { erasure: "none", why: "staff's own addresses" },
  person_teams: { erasure: "none", why: "staff's teams" },
  person_invitations: { erasure: "none", why: "staff's invitations" },
  person_passkeys: { erasure: "none", why: "staff's credentials" },
  sessions: { erasure: "none", why: "staff's console sessions (a member's check-in links are in links)" },
  webauthn_challenges: { erasure: "none", why: "staff's sign-in challenges" },
  api_tokens: { erasure: "none", why: "credentials of systems" },
  organisations: { erasure: "none", why: "the tenant and its settings" },
  organisation_logos: { erasure: "none", why: "an image of the organisation" },
  terms_versions: { erasure: "none", why: "the organisation's terms texts" },
  message_templates: { erasure: "none", why: "the organisation's message texts (placeholders, not names)" },
  report_subscriptions: { erasure: "none", why: "staff's or partners' addresses for the monthly report" },
  channel_configs: { erasure: "none", why: "the organisation's provider credentials" },
  channel_health: { erasure: "scrub", why: "a provider's last error may quote the address it refused" },
  send_pacing: { erasure: "none", why: "rate-limit slots per channel" },
  sandbox_clock: { erasure: "none", why: "the sandbox's virtual time" },
  schema_migrations: { erasure: "none", why: "the schema's version" },
};

/** Every table's decision: the core's and each context's (their hooks). */
export function personalDataTables(): Record<string, TableDecision> {
  const tables: Record<string, TableDecision> = { ...CORE_PERSONAL_DATA };
  for (const hook of hooks.values()) Object.assign(tables, hook.tables);
  return tables;
}

/** The tables of the live schema with a member_id column (so a new one is exported and erased without being listed in code). */
async function tablesNamingMembers(tx: Db): Promise<Set<string>> {
  return new Set((await sql<{ table_name: string }>`select table_name from information_schema.columns
    where table_schema = current_schema() and column_name = 'member_id'`.execute(tx)).rows.map((r) => r.table_name));
}

/** Shortest identifying string (but the name) searched for: shorter ones would match unrelated text. */
const MIN_TERM_LENGTH = 4;

/** A name without its spaces (half- or full-width), to compare names as people type them. */
const bareName = (name: string) => name.replace(/[\s\u3000]+/g, "");

/**
 * The strings that identify the member in free text: name (also with a
 * full-width or no space), furigana, external number, personal fields, channel
 * addresses (a Japanese phone number in both its national and E.164 forms), their
 * contacts' names and addresses, LINE user ids, and each context's (registration
 * numbers). The name is kept whatever its length; other strings only from
 * MIN_TERM_LENGTH characters. A name (the member's or a contact's) that another
 * member or another member's contact also bears is left out — a homonym's records,
 * or a role written as a name (民生委員), are theirs — and counted in `namesShared`.
 */
async function memberTerms(tx: Db, organisationId: string, memberId: string): Promise<{ terms: string[]; namesShared: number }> {
  const member = await tx.selectFrom("members").select(["display_name", "display_name_kana", "external_id", "personal", "channels"])
    .where("organisation_id", "=", organisationId).where("id", "=", memberId).executeTakeFirst();
  if (!member) return { terms: [], namesShared: 0 };
  const contacts = await tx.selectFrom("contacts").select(["display_name", "channels"]).where("organisation_id", "=", organisationId)
    .where("member_id", "=", memberId).execute();
  const lineUsers = await tx.selectFrom("line_users").select("user_id").where("organisation_id", "=", organisationId)
    .where("member_id", "=", memberId).execute();
  const names = [member.display_name, ...contacts.map((c) => c.display_name)].map((n) => n.trim()).filter(Boolean);
  const bare = [...new Set(names.map(bareName))];
  const shared = new Set((await sql<{ n: string }>`
    select regexp_replace(display_name, '[[:space:]　]+', '', 'g') as n from members
    where organisation_id = ${organisationId} and id <> ${memberId} and erased_at is null
      and regexp_replace(display_name, '[[:space:]　]+', '', 'g') in (${sql.join(bare)})
    union
    select regexp_replace(display_name, '[[:space:]　]+', '', 'g') as n from contacts
    where organisation_id = ${organisationId} and member_id <> ${memberId}
      and regexp_replace(display_name, '[[:space:]　]+', '', 'g') in (${sql.join(bare)})`.execute(tx)).rows.map((r) => r.n));
  const strings = [
    member.display_name_kana, member.external_id, ...Object.values(member.personal ?? {}), ...(member.channels ?? []).map((c) => c.address),
    ...contacts.flatMap((c) => (c.channels ?? []).map((a) => a.address)), ...lineUsers.map((u) => u.user_id),
  ];
  for (const hook of hooks.values()) strings.push(...(await hook.terms?.(tx, organisationId, memberId) ?? []));
  const terms = new Set<string>();
  names.forEach((name, index) => {
    if (shared.has(bareName(name))) return;
    // The member's name whatever its length; a contact's from MIN_TERM_LENGTH.
    if (index > 0 && name.length < MIN_TERM_LENGTH) return;
    // As typed elsewhere: with a half-width, a full-width or no space between family and given name.
    const parts = name.split(/[\s\u3000]+/);
    for (const variant of [name, ...(parts.length > 1 ? [parts.join(" "), parts.join("\u3000"), parts.join("")] : [])]) terms.add(variant);
  });
  for (const raw of strings) {
    if (typeof raw !== "string") continue;
    const s = raw.trim();
    if (s.length < MIN_TERM_LENGTH) continue;
    terms.add(s);
    const digits = s.replace(/[-\s()]/g, "");
    if (/^\+81\d{9,10}$/.test(digits)) terms.add(`0${digits.slice(3)}`);
    if (/^0\d{9,10}$/.test(digits)) terms.add(`+81${digits.slice(1)}`);
    if (digits !== s && /^\+?\d{10,13}$/.test(digits)) terms.add(digits);
  }
  terms.delete("");
  // Longest first: a name inside an address is replaced after the address.
  return { terms: [...terms].sort((a, b) => b.length - a.length), namesShared: new Set(names.map(bareName).filter((n) => shared.has(n))).size };
}

/** Columns that hold identifiers, keys, hashes or times, never free text: left alone by the scrub (keys must stay unique). */
const NOT_FREE_TEXT = /^(id|.*_id|.*_key|.*_hash|.*_at|token_hash|csrf_token)$/;

/**
 * Left to their own rules, never scrubbed: another member, or a contact of another
 * member, may bear the same name (a homonym's record must not lose it), and the
 * search text follows the members table by trigger.
 */
const NEVER_SCRUBBED = new Set(["members", "contacts", "member_search"]);

/**
 * Where a message goes: the member's own messages are deleted; the same address
 * on a message to someone else (a household's shared phone) is that person's.
 */
const RECIPIENT_ADDRESSES = new Set(["outbox.address", "sandbox_deliveries.address"]);

/** The text and JSON columns of every table but the `none` ones (the live schema's, so a new column is scrubbed too). */
async function scrubColumns(tx: Db): Promise<{ table: string; column: string; json: boolean }[]> {
  const tables = Object.entries(personalDataTables()).filter(([t, d]) => d.erasure !== "none" && !NEVER_SCRUBBED.has(t)).map(([t]) => t);
  const rows = (await sql<{ table_name: string; column_name: string; data_type: string }>`
    select c.table_name, c.column_name, c.data_type from information_schema.columns c
    where c.table_schema = current_schema() and c.data_type in ('text', 'character varying', 'json', 'jsonb')
      and exists (select 1 from information_schema.columns o where o.table_schema = c.table_schema and o.table_name = c.table_name and o.column_name = 'organisation_id')
    order by c.table_name, c.ordinal_position`.execute(tx)).rows;
  return rows.filter((r) => tables.includes(r.table_name) && !NOT_FREE_TEXT.test(r.column_name) && !RECIPIENT_ADDRESSES.has(`${r.table_name}.${r.column_name}`))
    .map((r) => ({ table: r.table_name, column: r.column_name, json: r.data_type === "json" || r.data_type === "jsonb" }));
}

/** The term as it appears inside a JSON string (quotes and backslashes escaped). */
function jsonInner(term: string): string {
  return JSON.stringify(term).slice(1, -1);
}

/** What may stand between the digits of a phone number written by hand: hyphens (ASCII and Japanese), spaces, brackets. */
const PHONE_SEPARATORS = "[-‐－−ー\\s()（）]{0,2}";

/**
 * A regular expression (PostgreSQL's) matching a Japanese phone number (national
 * form, 0 and 9–10 digits) however it is written: 090-1111-2222, (090)1111 2222,
 * full-width digits, or +81 90 1111 2222.
 */
function phonePattern(national: string): string {
  const digit = (d: string) => `[${d}${String.fromCharCode(0xff10 + Number(d))}]`;
  const rest = [...national.slice(1)].map(digit).join(PHONE_SEPARATORS);
  return `(\\+81${PHONE_SEPARATORS}|${digit("0")})${PHONE_SEPARATORS}${rest}`;
}

/** The patterns of the terms that are phone numbers (domestic form). */
function phonePatterns(terms: string[]): string[] {
  return terms.filter((t) => /^0\d{9,10}$/.test(t)).map(phonePattern);
}

/** The condition "this column quotes one of the terms or phone patterns" (a JSON column is searched in its text). */
function quoting(column: string, json: boolean, terms: string[], patterns: string[]) {
  const text = json ? sql`${sql.ref(column)}::text` : sql`${sql.ref(column)}`;
  return sql.join([
    ...terms.map((t) => sql`strpos(${text}, ${json ? jsonInner(t) : t}) > 0`),
    ...patterns.map((p) => sql`${text} ~ ${p}`),
  ], sql` or `);
}

/** Rows of the `scrub` tables quoting one of the terms, by table, for the export. */
async function rowsQuoting(tx: Db, organisationId: string, terms: string[]): Promise<Record<string, ExportRow[]>> {
  const sections: Record<string, ExportRow[]> = {};
  if (!terms.length) return sections;
  const patterns = phonePatterns(terms);
  const byTable = new Map<string, { column: string; json: boolean }[]>();
  for (const c of await scrubColumns(tx)) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c]);
  for (const [table, columns] of byTable) {
    if (personalDataTables()[table]?.erasure !== "scrub") continue;
    const matches = columns.map(({ column, json }) => quoting(column, json, terms, patterns));
    const rows = (await sql<ExportRow>`select * from ${sql.table(table)} where organisation_id = ${organisationId} and (${sql.join(matches, sql` or `)})`
      .execute(tx)).rows;
    if (rows.length) sections[`quoted_in_${table}`] = rows;
  }
  return sections;
}

/**
 * Replaces every term (and phone pattern) by "—" in every text and JSON column of
 * every table but the `none` ones (and NEVER_SCRUBBED): one statement per column,
 * so each is read once. Returns table → rows changed.
 */
async function scrubTerms(tx: Db, organisationId: string, terms: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (!terms.length) return counts;
  const patterns = phonePatterns(terms);
  for (const { table, column, json } of await scrubColumns(tx)) {
    // Longest term first (memberTerms' order), then phone numbers however written.
    let value = json ? sql`${sql.ref(column)}::text` : sql`${sql.ref(column)}`;
    for (const term of terms) value = sql`replace(${value}, ${json ? jsonInner(term) : term}, '—')`;
    for (const pattern of patterns) value = sql`regexp_replace(${value}, ${pattern}, '—', 'g')`;
    const result = await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${json ? sql`(${value})::jsonb` : value}
      where organisation_id = ${organisationId} and (${quoting(column, json, terms, patterns)})`.execute(tx);
    const n = Number(result.numAffectedRows ?? 0);
    if (n) counts[table] = (counts[table] ?? 0) + n;
  }
  return counts;
}

export interface MemberExport {
  memberId: string;
  exportedAt: string;
  sections: Record<string, ExportRow[]>;
}

/** Everything held about one member, by section; undefined when the organisation has no such member (or it was erased). */
export async function exportMember(db: Db, organisationId: string, memberId: string, now: Date): Promise<MemberExport | undefined> {
  return inTransaction(db, async (tx) => {
    const member = await tx.selectFrom("members").selectAll().where("organisation_id", "=", organisationId).where("id", "=", memberId)
      .where("erased_at", "is", null).executeTakeFirst();
    if (!member) return undefined;
    const incidents = await tx.selectFrom("incidents").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
      .orderBy("opened_at").execute();
    const events = incidents.length
      ? await tx.selectFrom("incident_events").selectAll().where("organisation_id", "=", organisationId)
        .where("incident_id", "in", incidents.map((i) => i.id)).orderBy("at").orderBy("id").execute()
      : [];
    const sections: Record<string, ExportRow[]> = {
      member: [member],
      contacts: await tx.selectFrom("contacts").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("position").execute(),
      checkins: await tx.selectFrom("checkins").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("due_at").execute(),
      answers: await tx.selectFrom("answers").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("received_at").execute(),
      incidents,
      incident_events: events,
      notes: await tx.selectFrom("member_notes").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("created_at").execute(),
      visits: await tx.selectFrom("visits").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("created_at").execute(),
      observations: await tx.selectFrom("observations").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("observed_at").execute(),
    };
    for (const hook of hooks.values()) Object.assign(sections, await hook.export(tx, organisationId, memberId));
    // Every other `delete` or `anonymise` table with a member_id column, under its section: none is left out of the export.
    const naming = await tablesNamingMembers(tx);
    for (const [table, d] of Object.entries(personalDataTables())) {
      if ((d.erasure !== "delete" && d.erasure !== "anonymise") || d.section === null || !naming.has(table) || (d.section ?? table) in sections) continue;
      sections[d.section ?? table] = (await sql<ExportRow>`select * from ${sql.table(table)} where organisation_id = ${organisationId} and member_id = ${memberId}`
        .execute(tx)).rows;
    }
    // Rows of others quoting the member (raw inbound messages, imported sheets, audit details…): what erasure scrubs.
    Object.assign(sections, await rowsQuoting(tx, organisationId, (await memberTerms(tx, organisationId, memberId)).terms));
    return { memberId, exportedAt: now.toISOString(), sections: jsonSafe(sections) as Record<string, ExportRow[]> };
  });
}

/** Dates as ISO strings, JSON columns parsed (PGlite and node-postgres both hand back objects already). */
function jsonSafe(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

/**
 * The export as one CSV table in long form — section, row number, column, value
 * (objects as JSON) — so every section fits one file a spreadsheet opens.
 */
export function exportRecords(data: MemberExport): string[][] {
  const rows: string[][] = [["section", "row", "field", "value"]];
  for (const [section, list] of Object.entries(data.sections)) {
    list.forEach((row, index) => {
      for (const [field, value] of Object.entries(row)) {
        rows.push([section, String(index + 1), field, value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value)]);
      }
    });
  }
  return rows;
}

export interface ErasureResult {
  /** Incidents kept anonymised (within the retention period). */
  incidentsKept: number;
  incidentsDeleted: number;
  /** Whether the member row stays as a tombstone (incidents were kept). */
  tombstone: boolean;
  /** Table → rows deleted or anonymised (the core's and each context's). */
  counts: Record<string, number>;
  retentionYears: number;
  /** Names (the member's, their contacts') not scrubbed from others' records because another member or contact bears them too. */
  namesShared: number;
}

/** The retention period of anonymised incidents, in years (organisation setting `incidentRetentionYears`). */
export async function incidentRetentionYears(db: Db, organisationId: string): Promise<number> {
  const org = await db.selectFrom("organisations").select("settings").where("id", "=", organisationId).executeTakeFirst();
  const years = org?.settings.incidentRetentionYears;
  return typeof years === "number" && Number.isInteger(years) && years >= 0 ? years : DEFAULT_INCIDENT_RETENTION_YEARS;
}

/**
 * Erase one member's personal data (the module comment says what goes and what
 * stays). Undefined when the organisation has no such member (or it was erased).
 */
export async function eraseMember(db: Db, organisationId: string, memberId: string, now: Date): Promise<ErasureResult | undefined> {
  const retentionYears = await incidentRetentionYears(db, organisationId);
  return inTransaction(db, async (tx) => {
    const member = await tx.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "=", memberId)
      .where("erased_at", "is", null).forUpdate().executeTakeFirst();
    if (!member) return undefined;
    const counts: Record<string, number> = {};
    const count = (table: string, n: bigint | number | undefined) => {
      counts[table] = (counts[table] ?? 0) + Number(n ?? 0);
    };
    const org = (table: string) => sql`${sql.table(table)}.organisation_id = ${organisationId}`;
    const since = new Date(now);
    since.setUTCFullYear(since.getUTCFullYear() - retentionYears);

    // The strings that identify the member, before the rows holding them go.
    const { terms, namesShared } = await memberTerms(tx, organisationId, memberId);
    const lineUserIds = (await tx.selectFrom("line_users").select("user_id").where("organisation_id", "=", organisationId)
      .where("member_id", "=", memberId).execute()).map((u) => u.user_id);

    // Contexts first: their rows may point at the member's core rows.
    for (const hook of hooks.values()) for (const [table, n] of Object.entries(await hook.erase(tx, organisationId, memberId))) count(table, n);

    const contactIds = (await tx.selectFrom("contacts").select("id").where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
      .execute()).map((c) => c.id);
    const recipients = [memberId, ...contactIds];
    const checkinIds = tx.selectFrom("checkins").select("id").where("organisation_id", "=", organisationId).where("member_id", "=", memberId);
    const incidentIds = tx.selectFrom("incidents").select("id").where("organisation_id", "=", organisationId).where("member_id", "=", memberId);
    // Messages to the member or their contacts, and those about the member to anyone (an alert to the team names
    // the member), with the sandbox's copies and the links sent in them: addresses and texts are personal.
    const messages = (await tx.selectFrom("outbox").select("idempotency_key").where("organisation_id", "=", organisationId)
      .where((eb) => eb.or([eb("recipient_id", "in", recipients), eb("checkin_id", "in", checkinIds), eb("incident_id", "in", incidentIds)]))
      .execute()).map((m) => m.idempotency_key);
    for (let i = 0; i < messages.length; i += 1000) {
      const keys = messages.slice(i, i + 1000);
      count("sandbox_deliveries", (await tx.deleteFrom("sandbox_deliveries").where("organisation_id", "=", organisationId)
        .where("idempotency_key", "in", keys).executeTakeFirst()).numDeletedRows);
      count("outbox", (await tx.deleteFrom("outbox").where("organisation_id", "=", organisationId).where("idempotency_key", "in", keys)
        .executeTakeFirst()).numDeletedRows);
    }
    count("sandbox_deliveries", (await tx.deleteFrom("sandbox_deliveries").where("organisation_id", "=", organisationId)
      .where("recipient_id", "in", recipients).executeTakeFirst()).numDeletedRows);
    count("links", (await tx.deleteFrom("links").where("organisation_id", "=", organisationId)
      .where((eb) => eb.or([eb("member_id", "=", memberId), eb("recipient_id", "in", recipients), eb("incident_id", "in", incidentIds)]))
      .executeTakeFirst()).numDeletedRows);
    count("line_users", (await tx.deleteFrom("line_users").where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
      .executeTakeFirst()).numDeletedRows);
    if (lineUserIds.length) {
      // The member's LINE user as seen in groups: their confirmations (by them or for them) and their participation.
      count("group_confirmations", (await tx.deleteFrom("group_confirmations").where("organisation_id", "=", organisationId)
        .where((eb) => eb.or([eb("user_id", "in", lineUserIds), eb("by_user_id", "in", lineUserIds)])).executeTakeFirst()).numDeletedRows);
      count("group_participants", (await tx.deleteFrom("group_participants").where("organisation_id", "=", organisationId)
        .where("user_id", "in", lineUserIds).executeTakeFirst()).numDeletedRows);
    }
    // Then every other place that may quote them (decision table: `scrub`, and the rest of the `delete`/`anonymise` tables).
    for (const [table, n] of Object.entries(await scrubTerms(tx, organisationId, terms))) count(table, n);
    count("broadcast_recipients", (await tx.deleteFrom("broadcast_recipients").where("organisation_id", "=", organisationId)
      .where("member_id", "=", memberId).executeTakeFirst()).numDeletedRows);

    // Last, whatever a `delete` table with a member_id column still holds about the member (one added without its own step here).
    const naming = await tablesNamingMembers(tx);
    const deleteLeftovers = async () => {
      for (const [table, d] of Object.entries(personalDataTables())) {
        if (d.erasure !== "delete" || !naming.has(table)) continue;
        const result = await sql`delete from ${sql.table(table)} where organisation_id = ${organisationId} and member_id = ${memberId}`.execute(tx);
        if (Number(result.numAffectedRows ?? 0)) count(table, result.numAffectedRows);
      }
    };

    const incidents = await tx.selectFrom("incidents").select(["id", "opened_at"]).where("organisation_id", "=", organisationId)
      .where("member_id", "=", memberId).execute();
    const kept = incidents.filter((i) => i.opened_at > since).map((i) => i.id);
    const dropped = incidents.filter((i) => i.opened_at <= since).map((i) => i.id);

    if (kept.length === 0) {
      // Nothing to keep: the member goes, and everything with it by foreign key.
      for (const table of ["contacts", "checkins", "answers", "member_notes", "visits", "observations", "group_members"] as const) {
        count(table, Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${org(table)} and member_id = ${memberId}`
          .execute(tx)).rows[0]?.n ?? 0));
      }
      count("incidents", incidents.length);
      await tx.deleteFrom("members").where("organisation_id", "=", organisationId).where("id", "=", memberId).execute();
      count("members", 1);
      await deleteLeftovers();
      return { incidentsKept: 0, incidentsDeleted: incidents.length, tombstone: false, counts, retentionYears, namesShared };
    }

    if (dropped.length) {
      count("incidents", (await tx.deleteFrom("incidents").where("organisation_id", "=", organisationId).where("id", "in", dropped)
        .executeTakeFirst()).numDeletedRows);
    }
    // Kept incidents: no note, nobody named, no check-in; an unresolved one is closed (nobody is left to watch).
    await tx.updateTable("incidents").set({
      note: null, acknowledged_by: null, acknowledged_via: null, acknowledged_by_id: null, checkin_id: null, ack_check_at: null, ack_reminded_at: null,
    }).where("organisation_id", "=", organisationId).where("id", "in", kept).execute();
    await tx.updateTable("incidents").set({ status: "resolved", resolved_at: now })
      .where("organisation_id", "=", organisationId).where("id", "in", kept).where("status", "<>", "resolved").execute();
    count("incident_events", (await tx.updateTable("incident_events").set({ actor: null, data: "{}" })
      .where("organisation_id", "=", organisationId).where("incident_id", "in", kept).executeTakeFirst()).numUpdatedRows);
    count("incidents", kept.length);
    for (const table of ["visits", "contacts", "checkins", "answers", "member_notes", "observations", "group_members"] as const) {
      count(table, (await tx.deleteFrom(table).where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .executeTakeFirst()).numDeletedRows);
    }
    await tx.updateTable("members").set({
      display_name: "—", personal: "{}", channels: "[]", pause: null, active: false, next_due_at: null, last_prompted_at: null, consent: null,
      last_sign_of_life_at: null, last_sign_of_life_source: null,
      display_name_kana: null, external_id: null, updated_at: now, erased_at: now,
    }).where("organisation_id", "=", organisationId).where("id", "=", memberId).execute();
    count("members", 1);
    await deleteLeftovers();
    return { incidentsKept: kept.length, incidentsDeleted: dropped.length, tombstone: true, counts, retentionYears, namesShared };
  });
}
