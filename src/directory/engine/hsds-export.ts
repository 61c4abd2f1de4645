/**
 * The whole directory as HSDS 3.1 for staff (issue 14): tabular data — a zip
 * of one CSV per entity with the Frictionless datapackage.json that HSDS's
 * tabular form is defined by — or JSON (every organisation with its services,
 * fully nested, and the taxonomy). Unlisted entries are included (it is the
 * staff's copy); archived ones are not. CSVs are UTF-8 without BOM, header row
 * first, columns in the order of HSDS's per-file schemas.
 */
import { stringify as stringifyCsv } from "csv-stringify/sync";
import JSZip from "jszip";
import type { Db } from "../../store/db.ts";
import { HSDS_TABLES, HSDS_VERSION, type HsdsTable, hsdsColumns, hsdsCsvCells, hsdsDatapackage, hsdsDirectory } from "../domain/hsds.ts";
import { tokyoDate } from "../domain/schedule.ts";
import { directoryRows, directoryTerms } from "./hsds-read.ts";
import { directoryClosureOptions } from "./settings.ts";

export type HsdsExportFormat = "zip" | "json";

export interface HsdsExport {
  bytes: Buffer;
  /** Services in the export. */
  services: number;
  organizations: number;
}

/** The export of the tenant's directory at `now` (the tenant's clock: dates in the files, closures still ahead). */
export async function exportHsds(db: Db, organisationId: string, organisationName: string, format: HsdsExportFormat, now: Date): Promise<HsdsExport> {
  const rows = await directoryRows(db, organisationId, { all: true, audience: "staff" });
  const terms = await directoryTerms(db, organisationId);
  const d = hsdsDirectory(rows, { organisationId, audience: "staff", today: tokyoDate(now), ...await directoryClosureOptions(db, organisationId), terms });
  const counts = { services: rows.services.length, organizations: rows.organizations.length };
  if (format === "json") {
    const body = {
      version: HSDS_VERSION,
      generated: now.toISOString(),
      publisher: organisationName,
      organizations: rows.organizations.map((o) => d.organization(o, true)),
      taxonomies: d.taxonomies(),
      taxonomy_terms: terms.map(d.taxonomyTerm),
    };
    return { bytes: Buffer.from(JSON.stringify(body, null, 2), "utf8"), ...counts };
  }
  const zip = new JSZip();
  const tables = d.tabular();
  // Entries dated by the tenant's clock, so the same data gives the same archive.
  const options = { date: now, createFolders: false };
  zip.file("datapackage.json", JSON.stringify(hsdsDatapackage(`${organisationName} 地域資源 (HSDS ${HSDS_VERSION})`, now), null, 2), options);
  for (const table of Object.keys(HSDS_TABLES) as HsdsTable[]) {
    const header = hsdsColumns(table).map((c) => c.name);
    const lines = tables[table].map((record) => hsdsCsvCells(table, record));
    zip.file(HSDS_TABLES[table].path, stringifyCsv([header, ...lines], { record_delimiter: "\r\n" }), options);
  }
  const bytes = await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE", platform: "UNIX" });
  return { bytes, ...counts };
}
