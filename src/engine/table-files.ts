/**
 * A table as a file people open in Excel: CSV in UTF-8 with a byte-order mark
 * (Excel reads it right), CSV in Shift_JIS (CP932, iconv-lite) for older
 * systems, or xlsx (exceljs). Shared by every export (members, the audit log,
 * the monthly report).
 */
import type ExcelJS from "exceljs";
import { onFirstUse } from "../lazy-import.ts";
import { stringify as stringifyCsv } from "csv-stringify/sync";
import iconv from "iconv-lite";

export type TableFormat = "csv" | "csv-sjis" | "xlsx";
export type Cell = string | number;

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The header (bold in xlsx) and rows as a file of `format`. In xlsx, text cells
 * are stored as text (`textCells`: a phone number keeps its leading 0) and numbers
 * as numbers, so Excel sums them.
 */
/** ExcelJS, loaded when a workbook is first read or written (src/lazy-import.ts). */
export const excelJs: () => Promise<typeof ExcelJS> = onFirstUse(async () => (await import("exceljs")).default);

export async function tableFile(sheetName: string, header: string[], rows: Cell[][], format: TableFormat): Promise<Buffer> {
  if (format === "xlsx") {
    const workbook = new (await excelJs()).Workbook();
    const sheet = workbook.addWorksheet(sheetName);
    sheet.addRow(header);
    for (const r of rows) sheet.addRow(r);
    sheet.eachRow((row) => row.eachCell((cell) => {
      if (typeof cell.value === "string") cell.numFmt = "@";
    }));
    sheet.getRow(1).font = { bold: true };
    return Buffer.from(await workbook.xlsx.writeBuffer());
  }
  const text = stringifyCsv([header, ...rows], { record_delimiter: "\r\n" });
  return format === "csv-sjis" ? iconv.encode(text, "cp932") : Buffer.concat([UTF8_BOM, Buffer.from(text, "utf-8")]);
}
