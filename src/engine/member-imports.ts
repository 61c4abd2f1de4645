/**
 * Member imports and exports: a member list as offices keep it — CSV as Excel
 * writes it (UTF-8 with or without a byte-order mark, or Shift_JIS/CP932) or an
 * xlsx workbook — read into text rows; a dry run that names every bad row by
 * its spreadsheet row number (the header is row 1); a commit that registers
 * new members and updates those whose external number is known, all in one
 * transaction or not at all. Checks and commits run as jobs in this process
 * ({@link MemberImports}): the request that starts one answers at once and the
 * console follows the job's progress; the job yields between batches, so the
 * API keeps answering while 10,000 rows are checked.
 *
 * Libraries: iconv-lite decodes Shift_JIS (CP932, with the NEC and IBM
 * extensions Excel writes); csv-parse and csv-stringify read and write CSV
 * (quoted cells, line breaks in cells); exceljs reads and writes xlsx (files written
 * through table-files.ts).
 */
import type ExcelJS from "exceljs";
import { parse as parseCsv } from "csv-parse/sync";
import iconv from "iconv-lite";
import type { Logger } from "pino";
import { type DuplicateProbe, nameKey, phonesOf } from "../domain/member-fields.ts";
import {
  DEFAULT_IMPORT_OPTIONS, EXPORT_HEADERS_EN, EXPORT_HEADERS_JA, guessMapping, IMPORT_FIELDS, IMPORT_HEARTBEAT_MS, IMPORT_LEASE_MS,
  IMPORT_RETENTION_MS, type ImportEncoding, type ImportFailure, type ImportField, isRunning,
  type ImportFormat, type ImportMapping, type ImportOptions, type ImportProblem, type ImportStatus, type ImportSummary,
  type ImportWarning, readRow, type RowMember,
} from "../domain/member-import.ts";
import { formatPhone } from "../domain/phone.ts";
import type { Interval, Plan } from "../domain/schedule.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress } from "../store/schema.ts";
import type { Clock } from "./clock.ts";
import { addContactIn } from "./contacts.ts";
import { excelJs, tableFile } from "./table-files.ts";
import { createMembersIn, ExternalIdTaken, isExternalIdConflict, type MemberInput, type MemberPatch, type Personal, updateMemberIn } from "./members.ts";

/** Rows a file may have below its header. */
export const MAX_IMPORT_ROWS = 20_000;
/** Columns a file may have. */
export const MAX_IMPORT_COLUMNS = 100;
/** Rows checked or written between two yields to the event loop. */
const BATCH = 200;

export type ImportFileProblem = "unreadable_file" | "empty_file" | "too_many_rows" | "too_many_columns";

/** A file that cannot be read as a member list at all (the whole file, not a row). */
export class ImportFileError extends Error {
  readonly code: ImportFileProblem;
  constructor(code: ImportFileProblem, message: string) {
    super(message);
    this.code = code;
  }
}

/** A file read: its header (row 1) and data rows (row 2 first) as text cells. */
export interface ReadFile {
  format: ImportFormat;
  encoding: ImportEncoding;
  header: string[];
  rows: string[][];
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const isZip = (b: Uint8Array) => b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/**
 * CSV bytes as text, and how they were written: a UTF-8 byte-order mark
 * (Excel's "CSV UTF-8") decides; else valid UTF-8 is UTF-8; else the bytes are
 * Shift_JIS as Excel writes it (CP932, which also has ①, ㈱, 髙 and the like).
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: Exclude<ImportEncoding, "xlsx"> } {
  if (UTF8_BOM.every((b, i) => bytes[i] === b)) return { text: new TextDecoder("utf-8").decode(bytes.subarray(3)), encoding: "utf-8-bom" };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes), "cp932"), encoding: "shift_jis" };
  }
}

/** A cell of a workbook as the text a CSV would have: dates as YYYY-MM-DD (times of day as HH:MM), formulas by their result. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) {
    const iso = value.toISOString();
    // Excel keeps a time of day as a date on 1899-12-30.
    return iso.startsWith("1899-12-30") || iso.startsWith("1899-12-31") ? iso.slice(11, 16) : iso.slice(0, 10);
  }
  if (typeof value === "object") {
    if ("richText" in value) return value.richText.map((r) => r.text).join("");
    if ("text" in value && typeof value.text === "string") return value.text;
    if ("result" in value) return cellText(value.result as ExcelJS.CellValue);
    if ("error" in value) return "";
    return "";
  }
  return String(value);
}

/**
 * Reads a member list: an xlsx workbook (its first sheet) or CSV in any of the
 * encodings Excel writes. Throws {@link ImportFileError} for a file that is
 * neither, has no header, or is larger than the limits.
 */
export async function readMemberFile(bytes: Uint8Array): Promise<ReadFile> {
  let table: string[][];
  let format: ImportFormat;
  let encoding: ImportEncoding;
  if (isZip(bytes)) {
    const workbook = new (await excelJs()).Workbook();
    try {
      await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    } catch {
      throw new ImportFileError("unreadable_file", "the file is neither CSV nor an xlsx workbook that can be read");
    }
    const sheet = workbook.worksheets[0];
    table = [];
    if (sheet) {
      if (sheet.rowCount > MAX_IMPORT_ROWS + 1) throw new ImportFileError("too_many_rows", `at most ${MAX_IMPORT_ROWS} rows below the header`);
      sheet.eachRow({ includeEmpty: true }, (row, number) => {
        const cells: string[] = [];
        row.eachCell({ includeEmpty: true }, (cell, column) => {
          cells[column - 1] = cellText(cell.value).trim();
        });
        table[number - 1] = Array.from(cells, (c) => c ?? "");
      });
      for (let i = 0; i < table.length; i++) table[i] ??= [];
    }
    format = "xlsx";
    encoding = "xlsx";
  } else {
    const decoded = decodeCsv(bytes);
    try {
      table = parseCsv(decoded.text, { relax_column_count: true, relax_quotes: true, skip_empty_lines: false }) as string[][];
    } catch {
      throw new ImportFileError("unreadable_file", "the file is not CSV that can be read (check its quotes)");
    }
    format = "csv";
    encoding = decoded.encoding;
  }
  // Trailing empty rows (Excel leaves some) are no rows.
  while (table.length && table[table.length - 1].every((c) => !c.trim())) table.pop();
  if (!table.length || table[0].every((c) => !c.trim())) throw new ImportFileError("empty_file", "the file has no header row");
  if (table.length - 1 > MAX_IMPORT_ROWS) throw new ImportFileError("too_many_rows", `at most ${MAX_IMPORT_ROWS} rows below the header`);
  const header = table[0].map((h) => h.trim());
  while (header.length && !header[header.length - 1]) header.pop();
  if (header.length > MAX_IMPORT_COLUMNS) throw new ImportFileError("too_many_columns", `at most ${MAX_IMPORT_COLUMNS} columns`);
  return { format, encoding, header, rows: table.slice(1).map((r) => r.slice(0, header.length)) };
}

// ---------------------------------------------------------------- checking

/** A row that registers a member, or updates the member with its external number. */
type Planned =
  | { row: number; kind: "create"; input: MemberInput }
  | { row: number; kind: "update"; memberId: string; patch: MemberPatch; contact: RowMember["contact"] };

interface Evaluation {
  planned: Planned[];
  problems: ImportProblem[];
  warnings: ImportWarning[];
  summary: ImportSummary;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Checks every row against the organisation as it is (read through `db`, a
 * transaction when committing): the row's own fields (domain/member-import.ts),
 * its team by name, its external number (a known one updates that member; one
 * used twice in the file is a problem), and likely duplicates of registered
 * members or earlier rows (warnings). `progress(done)` after each batch.
 */
async function evaluate(
  db: Db, organisationId: string, rows: string[][], mapping: ImportMapping, options: ImportOptions, progress: (done: number) => void,
): Promise<Evaluation> {
  const teams = new Map((await db.selectFrom("teams").select(["id", "name"]).where("organisation_id", "=", organisationId).execute())
    .map((t) => [t.name.normalize("NFKC").trim(), t.id]));
  const registered = await db.selectFrom("members").select(["id", "display_name", "personal", "channels", "plan", "external_id"])
    .where("organisation_id", "=", organisationId).execute();
  const byExternal = new Map(registered.filter((m) => m.external_id).map((m) => [m.external_id as string, m]));
  // Likely duplicates are looked up by birth date and by phone (an index each), never row against every member.
  type Known = { probe: DuplicateProbe; memberId?: string; memberName?: string; row?: number };
  const byNameAndBirth = new Map<string, Known>();
  const byPhone = new Map<string, Known>();
  const nameKeys = (probe: DuplicateProbe) =>
    probe.birthDate ? [probe.displayName, probe.fullName].filter((n): n is string => !!n).map((n) => `${probe.birthDate}|${nameKey(n)}`) : [];
  const remember = (known: Known) => {
    for (const key of nameKeys(known.probe)) if (!byNameAndBirth.has(key)) byNameAndBirth.set(key, known);
    for (const phone of known.probe.phones) if (!byPhone.has(phone)) byPhone.set(phone, known);
  };
  // The same rule as domain/member-fields.ts duplicateReason, through the two indexes.
  const likely = (probe: DuplicateProbe): { known: Known; reason: ImportWarning["reason"] } | undefined => {
    for (const key of nameKeys(probe)) {
      const known = byNameAndBirth.get(key);
      if (known) return { known, reason: "name_and_birth_date" };
    }
    for (const phone of probe.phones) {
      const known = byPhone.get(phone);
      if (known) return { known, reason: "phone" };
    }
    return undefined;
  };
  for (const m of registered) {
    const personal = m.personal as Personal;
    remember({
      probe: { displayName: m.display_name, fullName: personal.fullName, birthDate: personal.birthDate, phones: phonesOf(personal.phone, m.channels) },
      memberId: m.id, memberName: m.display_name,
    });
  }
  const planned: Planned[] = [];
  const problems: ImportProblem[] = [];
  const warnings: ImportWarning[] = [];
  const seenExternal = new Map<string, number>();
  const externalColumn = mapping.indexOf("externalId");
  let counted = 0;
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && i % BATCH === 0) {
      progress(i);
      await yieldToEventLoop();
    }
    const cells = rows[i];
    const row = i + 2;
    if (cells.every((c) => !c?.trim())) continue;
    counted++;
    const rawExternal = externalColumn >= 0 ? (cells[externalColumn] ?? "").normalize("NFKC").trim() : "";
    const existing = rawExternal ? byExternal.get(rawExternal) : undefined;
    const existingPlan = existing ? planOf(existing.plan) : undefined;
    const { member, problems: rowProblems } = readRow(row, cells, mapping, options, existingPlan);
    if (member.teamName !== undefined && !teams.has(member.teamName.normalize("NFKC").trim())) {
      rowProblems.push({ row, field: "team", code: "unknown_team", value: member.teamName });
    }
    if (member.externalId) {
      const first = seenExternal.get(member.externalId);
      if (first !== undefined) rowProblems.push({ row, field: "externalId", code: "external_id_repeated", value: member.externalId });
      else seenExternal.set(member.externalId, row);
    }
    problems.push(...rowProblems);
    const teamId = member.teamName ? teams.get(member.teamName.normalize("NFKC").trim()) : undefined;
    const personal: Personal = {};
    for (const f of ["fullName", "address", "birthDate", "phone", "medicalNotes"] as const) if (member[f]) personal[f] = member[f];
    if (!existing) {
      const probe: DuplicateProbe = {
        displayName: member.displayName ?? "", fullName: member.fullName, birthDate: member.birthDate,
        phones: phonesOf(member.phone, member.channels ?? []),
      };
      const match = likely(probe);
      if (match) {
        warnings.push({
          row, code: "likely_duplicate", reason: match.reason,
          ...(match.known.memberId ? { memberId: match.known.memberId, memberName: match.known.memberName } : { otherRow: match.known.row }),
        });
      }
      remember({ probe, row });
    }
    if (rowProblems.length) continue;
    if (existing) {
      // A row names one channel (an export writes the first): it replaces the first unless the member has it
      // already, and the member's other channels stay. A plan the member has already is no change (a new one
      // would count from now and move a 2-day or biweekly rhythm).
      const channel = member.channels?.[0];
      const hasChannel = !channel || existing.channels.some((c) => c.kind === channel.kind && c.address === channel.address);
      const samePlan = !member.plan || (member.plan.every === existing.plan.every && member.plan.at === existing.plan.at &&
        (member.plan.weekday ?? null) === (existing.plan.weekday ?? null));
      const patch: MemberPatch = {
        ...personal,
        ...(member.displayName ? { displayName: member.displayName } : {}),
        ...(member.displayNameKana ? { displayNameKana: member.displayNameKana } : {}),
        ...(channel && !hasChannel ? { channels: [channel as ChannelAddress, ...existing.channels.slice(1)] } : {}),
        ...(member.plan && !samePlan ? { plan: { ...member.plan, timeZone: existing.plan.timeZone } } : {}),
        ...(teamId ? { teamId } : {}),
      };
      planned.push({ row, kind: "update", memberId: existing.id, patch, contact: member.contact });
    } else {
      planned.push({
        row, kind: "create",
        input: {
          displayName: member.displayName as string, channels: member.channels as ChannelAddress[], plan: member.plan as MemberInput["plan"],
          ...personal,
          ...(member.displayNameKana ? { displayNameKana: member.displayNameKana } : {}),
          ...(member.externalId ? { externalId: member.externalId } : {}),
          ...(teamId ? { teamId } : {}),
          ...(member.contact ? { contacts: [member.contact] } : {}),
        },
      });
    }
  }
  progress(rows.length);
  const invalidRows = new Set(problems.map((p) => p.row)).size;
  return {
    planned, problems, warnings,
    summary: {
      rows: counted, create: planned.filter((p) => p.kind === "create").length, update: planned.filter((p) => p.kind === "update").length,
      problems: invalidRows, warnings: warnings.length,
    },
  };
}

function planOf(plan: Plan): { every: Interval; weekday?: number; at: string } {
  return { every: plan.every, ...(plan.weekday !== undefined ? { weekday: plan.weekday } : {}), at: plan.at };
}

// ---------------------------------------------------------------- jobs

/** An import as the API shows it. */
export interface ImportView {
  id: string;
  fileName: string;
  format: ImportFormat;
  encoding: ImportEncoding;
  header: string[];
  rowCount: number;
  /** The first rows of the file (for the mapping screen). */
  preview: string[][];
  mapping: ImportMapping;
  options: ImportOptions;
  status: ImportStatus;
  /** Rows done by the running step, of `total`. */
  progress: { done: number; total: number };
  problems: ImportProblem[];
  warnings: ImportWarning[];
  summary: ImportSummary | null;
  failure: ImportFailure | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export type StartOutcome = { ok: true } | { ok: false; error: "not_found" | "busy" | "not_checked" | "has_problems" | "committed" | "expired" };

/**
 * Runs the checks and commits of member imports as jobs of this process. The
 * state of each import is its row; the progress of a running step is kept
 * here too (a step's writes are one transaction, invisible until it ends), and
 * written to the row with the step's lease every IMPORT_HEARTBEAT_MS, so other
 * processes show it and a step whose process stopped is seen as cut short.
 * `close()` waits for the running steps (the service stops cleanly).
 *
 * Two clocks: `clock` (the organisation's time: sandbox or real) dates what the
 * import records and when its rows expire; `wallClock` (real time) times leases,
 * which must not jump with a sandbox clock.
 */
export class MemberImports {
  private readonly running = new Map<string, { done: number; promise: Promise<void> }>();
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly wallClock: Clock;
  private readonly log: Logger;
  private readonly spreadSeconds: number;
  constructor(db: Db, clock: Clock, wallClock: Clock, log: Logger, spreadSeconds = 0) {
    this.db = db;
    this.clock = clock;
    this.wallClock = wallClock;
    this.log = log;
    this.spreadSeconds = spreadSeconds;
  }

  /**
   * Reads an uploaded file and keeps it as a new import with a mapping guessed
   * from its header. Throws {@link ImportFileError} for a file that is no member list.
   */
  async upload(organisationId: string, actor: string, fileName: string, bytes: Uint8Array): Promise<ImportView> {
    const file = await readMemberFile(bytes);
    const id = newId();
    const now = this.clock.now();
    await this.db.insertInto("member_imports").values({
      id, organisation_id: organisationId, created_by: actor, file_name: fileName, format: file.format, encoding: file.encoding,
      header: JSON.stringify(file.header), rows: JSON.stringify(file.rows), row_count: file.rows.length,
      mapping: JSON.stringify(guessMapping(file.header)), options: JSON.stringify(DEFAULT_IMPORT_OPTIONS), status: "uploaded",
      created_at: now, updated_at: now, expires_at: new Date(now.getTime() + IMPORT_RETENTION_MS),
    }).execute();
    return (await this.get(organisationId, id)) as ImportView;
  }

  /** An import with the progress of its running step; undefined when the organisation has no such import. */
  async get(organisationId: string, id: string): Promise<ImportView | undefined> {
    const r = await this.db.selectFrom("member_imports").selectAll().where("id", "=", id).where("organisation_id", "=", organisationId)
      .executeTakeFirst();
    if (!r) return undefined;
    const live = this.running.get(id);
    // A step whose lease ran out was cut short (its process stopped): nothing it did was kept.
    if ((r.status === "checking" || r.status === "committing") && !live && !isRunning(r.status, r.lease_until, this.wallClock.now())) {
      Object.assign(r, { status: "failed", failure: "interrupted" });
    }
    const running = r.status === "checking" || r.status === "committing";
    const total = r.status === "committing" ? (r.summary?.create ?? 0) + (r.summary?.update ?? 0) : r.row_count;
    return {
      id: r.id, fileName: r.file_name, format: r.format, encoding: r.encoding, header: r.header, rowCount: r.row_count,
      preview: (r.rows ?? []).slice(0, 5), mapping: r.mapping ?? [], options: r.options ?? DEFAULT_IMPORT_OPTIONS, status: r.status,
      progress: { done: running ? Math.min(live?.done ?? r.processed, total) : r.status === "uploaded" ? 0 : total, total },
      problems: r.problems ?? [], warnings: r.warnings ?? [], summary: r.summary, failure: r.failure,
      createdBy: r.created_by, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    };
  }

  /**
   * Starts a dry run with this mapping and these defaults: every row is
   * checked, nothing is written but the import's own row. Refused while a step
   * runs (`busy`) or once committed.
   */
  async check(organisationId: string, id: string, mapping: ImportMapping, options: ImportOptions): Promise<StartOutcome> {
    const claimed = await this.claim(organisationId, id, ["uploaded", "checked", "failed"], "checking", { mapping, options });
    if (!claimed.ok) return claimed;
    this.run(id, async (progress) => {
      const r = await this.load(organisationId, id);
      const result = await evaluate(this.db, organisationId, r.rows ?? [], mapping, options, progress);
      await this.finish(organisationId, id, "checked", result);
    });
    return { ok: true };
  }

  /**
   * Starts the commit of a checked import with no problems: in one
   * transaction the rows are checked again against the organisation as it is
   * then, and, only if every row still passes, new members are registered and
   * members with a known external number updated. A row that fails then
   * (a team deleted meanwhile…) writes nothing at all: the import goes back
   * to `checked` with the problems.
   */
  async commit(organisationId: string, id: string): Promise<StartOutcome> {
    const current = await this.db.selectFrom("member_imports").select(["status", "problems"]).where("id", "=", id)
      .where("organisation_id", "=", organisationId).executeTakeFirst();
    if (!current) return { ok: false, error: "not_found" };
    if (current.status === "committed") return { ok: false, error: "committed" };
    if (current.status === "checked" && current.problems?.length) return { ok: false, error: "has_problems" };
    const claimed = await this.claim(organisationId, id, ["checked"], "committing", {});
    if (!claimed.ok) return claimed;
    this.run(id, async (progress) => {
      const r = await this.load(organisationId, id);
      const mapping = r.mapping ?? [];
      const options = r.options ?? DEFAULT_IMPORT_OPTIONS;
      let outcome: Evaluation | "expired" | undefined;
      try {
        outcome = await inTransaction(this.db, async (tx) => {
          // Held to the end: the retention phase skips an import while it is being committed.
          const held = await tx.selectFrom("member_imports").select("id").where("id", "=", id).where("organisation_id", "=", organisationId)
            .where("rows", "is not", null).forUpdate().executeTakeFirst();
          if (!held) return "expired" as const;
          const result = await evaluate(tx, organisationId, r.rows ?? [], mapping, options, () => {});
          if (result.problems.length) return result;
          const now = this.clock.now();
          let done = 0;
          const creates = result.planned.filter((p) => p.kind === "create");
          for (let i = 0; i < creates.length; i += BATCH) {
            await createMembersIn(tx, organisationId, creates.slice(i, i + BATCH).map((p) => p.input), now, this.spreadSeconds);
            done += Math.min(BATCH, creates.length - i);
            progress(done);
            await yieldToEventLoop();
          }
          for (const p of result.planned) {
            if (p.kind !== "update") continue;
            await updateMemberIn(tx, organisationId, p.memberId, p.patch, now, this.spreadSeconds);
            if (p.contact) {
              const known = await tx.selectFrom("contacts").select("id").where("member_id", "=", p.memberId)
                .where("organisation_id", "=", organisationId).where("display_name", "=", p.contact.displayName).executeTakeFirst();
              if (!known) await addContactIn(tx, organisationId, p.memberId, p.contact, now);
            }
            done++;
            if (done % BATCH === 0) {
              progress(done);
              await yieldToEventLoop();
            }
          }
          return result;
        });
      } catch (error) {
        if (!(error instanceof ExternalIdTaken) && !isExternalIdConflict(error)) throw error;
        // Another registration took a number of the file while this one ran: nothing written; check again.
        await this.fail(organisationId, id, "external_id_taken");
        return;
      }
      if (outcome === "expired") return;
      if (outcome.problems.length) await this.finish(organisationId, id, "checked", outcome);
      else await this.finish(organisationId, id, "committed", outcome);
    });
    return { ok: true };
  }

  /** Waits for every running step. */
  async close(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.promise));
  }

  /** Waits for the step running on this import, if any (tests, and callers that want the outcome). */
  async settled(id: string): Promise<void> {
    await this.running.get(id)?.promise;
  }

  /**
   * Moves the import from one of `from` to `to` and takes the step's lease. A
   * check may also take over a step that was cut short (its lease ran out);
   * a commit never does (what it would commit must be checked again).
   */
  private async claim(
    organisationId: string, id: string, from: ImportStatus[], to: ImportStatus, set: { mapping?: ImportMapping; options?: ImportOptions },
  ): Promise<StartOutcome> {
    const wall = this.wallClock.now();
    const updated = await this.db.updateTable("member_imports").set({
      status: to, processed: 0, updated_at: this.clock.now(), failure: null, lease_until: new Date(wall.getTime() + IMPORT_LEASE_MS),
      ...(set.mapping ? { mapping: JSON.stringify(set.mapping) } : {}), ...(set.options ? { options: JSON.stringify(set.options) } : {}),
    }).where("id", "=", id).where("organisation_id", "=", organisationId).where("rows", "is not", null)
      .where((eb) => eb.or([
        eb("status", "in", from),
        ...(to === "checking"
          ? [eb.and([eb("status", "in", ["checking", "committing"]), eb.or([eb("lease_until", "is", null), eb("lease_until", "<=", wall)])])]
          : []),
      ]))
      .returning("id").executeTakeFirst();
    if (updated) return { ok: true };
    const r = await this.db.selectFrom("member_imports").select(["status", "lease_until", "failure"]).where("id", "=", id)
      .where("organisation_id", "=", organisationId).executeTakeFirst();
    if (!r) return { ok: false, error: "not_found" };
    if (r.status === "committed") return { ok: false, error: "committed" };
    if (r.failure === "expired") return { ok: false, error: "expired" };
    if (isRunning(r.status, r.lease_until, wall)) return { ok: false, error: "busy" };
    return { ok: false, error: "not_checked" };
  }

  private async load(organisationId: string, id: string) {
    return this.db.selectFrom("member_imports").select(["rows", "mapping", "options"]).where("id", "=", id)
      .where("organisation_id", "=", organisationId).executeTakeFirstOrThrow();
  }

  private run(id: string, step: (progress: (done: number) => void) => Promise<void>): void {
    const state = { done: 0, promise: Promise.resolve() };
    // The lease and the progress, for other processes; a failed renewal leaves the step to finish or be taken over.
    const heartbeat = setInterval(() => {
      void this.db.updateTable("member_imports")
        .set({ lease_until: new Date(this.wallClock.now().getTime() + IMPORT_LEASE_MS), processed: state.done })
        .where("id", "=", id).where("status", "in", ["checking", "committing"]).execute().catch(() => undefined);
    }, IMPORT_HEARTBEAT_MS);
    state.promise = step((done) => {
      state.done = done;
    }).catch(async (error: unknown) => {
      this.log.error({ err: error, importId: id }, "member import step failed");
      await this.db.updateTable("member_imports").set({ status: "failed", failure: "internal", updated_at: this.clock.now(), lease_until: null })
        .where("id", "=", id).execute().catch(() => undefined);
    }).finally(() => {
      clearInterval(heartbeat);
      this.running.delete(id);
    });
    this.running.set(id, state);
  }

  private async finish(organisationId: string, id: string, status: "checked" | "committed", result: Evaluation): Promise<void> {
    await this.db.updateTable("member_imports").set({
      status, processed: status === "committed" ? result.summary.create + result.summary.update : result.summary.rows,
      problems: JSON.stringify(result.problems), warnings: JSON.stringify(result.warnings), summary: JSON.stringify(result.summary),
      updated_at: this.clock.now(), lease_until: null,
      // Once committed the list lives in the members themselves: the copy of the file goes. Otherwise it waits a week at most.
      ...(status === "committed" ? { rows: null, expires_at: null } : { expires_at: new Date(this.clock.now().getTime() + IMPORT_RETENTION_MS) }),
      // Rows removed meanwhile (the retention phase): the import stays expired.
    }).where("id", "=", id).where("organisation_id", "=", organisationId).where("rows", "is not", null).execute();
  }

  private async fail(organisationId: string, id: string, failure: ImportFailure): Promise<void> {
    await this.db.updateTable("member_imports").set({ status: "failed", failure, updated_at: this.clock.now(), lease_until: null })
      .where("id", "=", id).where("organisation_id", "=", organisationId).execute();
  }
}

/**
 * Removes the rows (personal data) of up to `limit` uncommitted imports whose
 * retention ended by `now`: they read as failed, `expired` (upload the file
 * again). A commit under way holds its import's row lock and is skipped; a
 * check under way finds the rows gone when it ends and leaves the import
 * expired. Returns how many.
 */
export async function expireImports(db: Db, now: Date, limit: number): Promise<number> {
  const due = db.selectFrom("member_imports").select("id").where("rows", "is not", null).where("expires_at", "<=", now)
    .orderBy("expires_at").limit(limit).forUpdate().skipLocked();
  const expired = await db.updateTable("member_imports")
    .set({ rows: null, expires_at: null, status: "failed", failure: "expired", updated_at: now })
    .where("id", "in", due).where("rows", "is not", null).returning("id").execute();
  return expired.length;
}

// ---------------------------------------------------------------- export

export type ExportFormat = "csv" | "csv-sjis" | "xlsx";
export const EXPORT_FORMATS = ["csv", "csv-sjis", "xlsx"] as const satisfies readonly ExportFormat[];

const EVERY_JA: Record<Interval, string> = {
  "1d": "毎日", "2d": "2日ごと", "3d": "3日ごと", "5d": "5日ごと", "30d": "30日ごと", weekly: "毎週", biweekly: "隔週",
};
const WEEKDAYS_JA = ["", "月", "火", "水", "木", "金", "土", "日"];
const CHANNEL_JA: Record<ChannelAddress["kind"], string> = { voice: "電話", sms: "SMS", email: "メール", line: "LINE", sandbox: "sandbox" };

/**
 * The organisation's members as a file the import reads back (the same
 * columns and headers, so an export edited in Excel can be imported to update
 * the members by their external number): CSV in UTF-8 with a byte-order mark
 * (Excel opens it right), CSV in Shift_JIS for older systems, or xlsx. `lang`
 * names the headers. Returns the bytes and how many members they hold.
 */
export async function exportMembers(
  db: Db, organisationId: string, format: ExportFormat, lang: "ja" | "en",
): Promise<{ bytes: Buffer; count: number }> {
  const teams = new Map((await db.selectFrom("teams").select(["id", "name"]).where("organisation_id", "=", organisationId).execute())
    .map((t) => [t.id, t.name]));
  const members = await db.selectFrom("members")
    .select(["id", "display_name", "display_name_kana", "external_id", "personal", "channels", "plan", "team_id"])
    .where("organisation_id", "=", organisationId).where("active", "=", true)
    .orderBy(({ fn, ref }) => fn.coalesce(ref("display_name_kana"), ref("display_name"))).orderBy("display_name").orderBy("id").execute();
  const contacts = await db.selectFrom("contacts").select(["member_id", "display_name", "relation", "channels", "position"])
    .where("organisation_id", "=", organisationId).orderBy("member_id").orderBy("position").execute();
  const firstContact = new Map<string, (typeof contacts)[number]>();
  for (const c of contacts) if (!firstContact.has(c.member_id)) firstContact.set(c.member_id, c);
  const headers = lang === "en" ? EXPORT_HEADERS_EN : EXPORT_HEADERS_JA;
  const fields = IMPORT_FIELDS;
  const phone = (e164: string | undefined) => (e164 ? formatPhone(e164) : "");
  const rows = members.map((m) => {
    const personal = m.personal as Personal;
    const channel = m.channels[0];
    const contact = firstContact.get(m.id);
    const contactPhone = contact?.channels.find((c) => c.kind === "sms" || c.kind === "voice")?.address;
    const values: Record<ImportField, string> = {
      externalId: m.external_id ?? "", displayName: m.display_name, displayNameKana: m.display_name_kana ?? "", fullName: personal.fullName ?? "",
      birthDate: personal.birthDate ?? "", phone: phone(personal.phone), address: personal.address ?? "", team: teams.get(m.team_id) ?? "",
      channel: channel ? (lang === "en" ? channel.kind : CHANNEL_JA[channel.kind]) : "",
      channelAddress: channel ? (channel.kind === "voice" || channel.kind === "sms" ? phone(channel.address) : channel.address) : "",
      every: lang === "en" ? m.plan.every : EVERY_JA[m.plan.every],
      weekday: m.plan.weekday ? (lang === "en" ? String(m.plan.weekday) : WEEKDAYS_JA[m.plan.weekday]) : "", at: m.plan.at,
      contactName: contact?.display_name ?? "", contactRelation: contact?.relation ?? "", contactPhone: phone(contactPhone),
      medicalNotes: personal.medicalNotes ?? "",
    };
    return fields.map((f) => values[f]);
  });
  // Every cell is text: a phone number keeps its leading 0, a number like 00012 its zeros.
  const bytes = await tableFile(lang === "en" ? "Members" : "利用者", fields.map((f) => headers[f]), rows, format);
  return { bytes, count: rows.length };
}
