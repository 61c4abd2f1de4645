/**
 * The month range and the downloads of a table counted per month (報告, the
 * monthly report; 気づきの集計, the partner report statistics): a from/to form
 * whose fields show the months the server read (it picks the first range itself),
 * and CSV (Excel), Shift_JIS CSV and xlsx downloads of exactly the range on the
 * screen, in the console's language.
 */
import { useMutation } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";
import { Button, Form, Input, Label, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { download } from "./api.ts";
import { ErrorText } from "./ErrorText.tsx";
import type { Lang } from "./format.ts";

const isMonth = (v: string) => /^\d{4}-(0[1-9]|1[0-2])$/.test(v);

export interface MonthRange {
  from: string;
  to: string;
  setFrom(v: string): void;
  setTo(v: string): void;
  /** The query string of the range asked for ("" until the user chose one: the server's default), e.g. "?from=2027-01&to=2027-03". */
  applied: string;
  /** Ask for the months in the fields (a field that is not a month is left to the server). */
  apply(): void;
}

/** The range's state; the screen reads `applied` into its query key. */
export function useMonthRange(): MonthRange {
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [applied, setApplied] = useState("");
  return {
    from, to, setFrom, setTo, applied,
    apply() {
      const params = new URLSearchParams();
      if (isMonth(from)) params.set("from", from);
      if (isMonth(to)) params.set("to", to);
      setApplied(`?${params.toString()}`);
    },
  };
}

/**
 * The from/to form. `shown` are the months on the screen, oldest first: until the
 * user applies a range, the fields show those the server chose.
 */
export function MonthRangeForm({ range, shown, label, placeholders }: {
  range: MonthRange;
  shown: string[];
  /** The form's accessible name. */
  label: string;
  placeholders: [from: string, to: string];
}) {
  const { t } = useTranslation();
  const { applied, setFrom, setTo } = range;
  const [first, last] = [shown[0], shown[shown.length - 1]];
  useEffect(() => {
    if (applied || first === undefined || last === undefined) return;
    setFrom(first);
    setTo(last);
  }, [applied, first, last, setFrom, setTo]);
  return (
    <Form className="inline-form filters no-print" aria-label={label} onSubmit={(e) => { e.preventDefault(); range.apply(); }}>
      <TextField value={range.from} onChange={range.setFrom}>
        <Label>{t("reports.from")}</Label>
        <Input type="month" placeholder={placeholders[0]} />
      </TextField>
      <TextField value={range.to} onChange={range.setTo}>
        <Label>{t("reports.to")}</Label>
        <Input type="month" placeholder={placeholders[1]} />
      </TextField>
      <Button type="submit" className="primary">{t("reports.show")}</Button>
    </Form>
  );
}

/**
 * The download buttons (and `children`, more buttons in the same row), the name
 * of the file saved and a failed download's error. `path` is the export route;
 * the file holds `shown`, the months on the screen.
 */
export function MonthDownloads({ path, shown, children }: { path: string; shown: string[]; children?: ReactNode }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const range = `from=${shown[0]}&to=${shown[shown.length - 1]}`;
  const [exported, setExported] = useState<string | null>(null);
  const exportFile = useMutation({
    mutationFn: (format: string) => download(`${path}?${range}&format=${format}&lang=${lang}`),
    onSuccess: setExported,
  });
  return (
    <>
      <div className="button-row no-print">
        <Button onPress={() => exportFile.mutate("csv")} isDisabled={exportFile.isPending}>{t("reports.exportCsv")}</Button>
        <Button onPress={() => exportFile.mutate("csv-sjis")} isDisabled={exportFile.isPending}>{t("reports.exportSjis")}</Button>
        <Button onPress={() => exportFile.mutate("xlsx")} isDisabled={exportFile.isPending}>{t("reports.exportXlsx")}</Button>
        {children}
      </div>
      {exported ? <p role="status" className="no-print">{t("reports.exported", { name: exported })}</p> : null}
      {exportFile.isError ? <ErrorText error={exportFile.error} /> : null}
    </>
  );
}
