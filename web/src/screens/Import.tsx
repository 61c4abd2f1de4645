/**
 * 利用者の取り込み・書き出し (Import and export members), admins: choose a
 * spreadsheet (CSV as Excel writes it, or .xlsx) → map each column of its
 * header to a member field (guessed from the header) → a dry run that lists
 * every bad row by its spreadsheet row number with the reason → register
 * (all rows or none). Checks and commits run on the server as jobs; this
 * screen polls their progress. Exports in the same formats, audited.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import {
  Button, FileTrigger, Input, Label, Link, ListBox, ListBoxItem, Popover, ProgressBar, Select, SelectValue, TextField,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, download } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { ScrollingTable } from "../ScrollingTable.tsx";

export const IMPORT_FIELDS = [
  "externalId", "displayName", "displayNameKana", "fullName", "birthDate", "phone", "address", "team",
  "channel", "channelAddress", "every", "weekday", "at", "contactName", "contactRelation", "contactPhone", "medicalNotes",
] as const;
type Field = (typeof IMPORT_FIELDS)[number];
const CHANNELS = ["voice", "sms", "email", "line", "sandbox"] as const;
const INTERVALS = ["1d", "2d", "3d", "5d", "30d", "weekly", "biweekly"] as const;

interface ImportView {
  id: string; fileName: string; format: "csv" | "xlsx"; encoding: string; header: string[]; rowCount: number; preview: string[][];
  mapping: (Field | null)[]; options: { channel: string; every: string; weekday?: number; at: string };
  status: "uploaded" | "checking" | "checked" | "committing" | "committed" | "failed";
  progress: { done: number; total: number };
  problems: { row: number; field: Field; code: string; value?: string }[];
  warnings: { row: number; code: string; reason: string; memberId?: string; memberName?: string; otherRow?: number }[];
  summary: { rows: number; create: number; update: number; problems: number; warnings: number } | null;
  failure: string | null;
}

/** The file's bytes as base64 (what the API takes). */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const IGNORE = "__ignore";

/** A choice among `options`; `visible`: the label is shown above it (else it is only read out). */
export function FieldSelect({ label, value, onChange, options, visible = false }: {
  label: string; value: string; onChange: (v: string) => void; options: { id: string; name: string }[]; visible?: boolean;
}) {
  return (
    <Select selectedKey={value} onSelectionChange={(key) => onChange(String(key))} {...(visible ? {} : { "aria-label": label })}>
      {visible ? <Label>{label}</Label> : null}
      <Button><SelectValue /><span aria-hidden="true"> ▼</span></Button>
      <Popover>
        <ListBox>
          {options.map((o) => <ListBoxItem key={o.id} id={o.id}>{o.name}</ListBoxItem>)}
        </ListBox>
      </Popover>
    </Select>
  );
}

function Exports() {
  const { t } = useTranslation();
  const [done, setDone] = useState<string | null>(null);
  const run = useMutation({ mutationFn: (format: string) => download(`/members/export?format=${format}&lang=ja`), onSuccess: setDone });
  return (
    <section aria-labelledby="export-heading">
      <h2 id="export-heading">{t("imports.exportTitle")}</h2>
      <p>{t("imports.exportLead")}</p>
      <div className="button-row">
        <Button onPress={() => run.mutate("csv")} isDisabled={run.isPending}>{t("imports.exportCsv")}</Button>
        <Button onPress={() => run.mutate("csv-sjis")} isDisabled={run.isPending}>{t("imports.exportSjis")}</Button>
        <Button onPress={() => run.mutate("xlsx")} isDisabled={run.isPending}>{t("imports.exportXlsx")}</Button>
      </div>
      {done ? <p role="status">{t("imports.exported", { name: done })}</p> : null}
      {run.isError ? <ErrorText error={run.error} /> : null}
    </section>
  );
}

export function Import() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [id, setId] = useState<string | null>(null);
  const [mapping, setMapping] = useState<(Field | null)[]>([]);
  const [channel, setChannel] = useState("voice");
  const [every, setEvery] = useState("1d");
  const [at, setAt] = useState("09:00");
  useEffect(() => {
    document.title = `${t("imports.title")} — ${t("app.title")}`;
  }, [t]);

  const upload = useMutation({
    mutationFn: async (file: File) => api<ImportView>("POST", "/member-imports", { fileName: file.name, content: await base64Of(file) }),
    onSuccess: (view) => {
      queryClient.setQueryData(["member-import", view.id], view);
      setMapping(view.mapping);
      setId(view.id);
    },
  });
  const current = useQuery({
    queryKey: ["member-import", id],
    queryFn: () => api<ImportView>("GET", `/member-imports/${id}`),
    enabled: !!id,
    // A check or a commit runs on the server: follow it until it ends.
    refetchInterval: (query) => (query.state.data?.status === "checking" || query.state.data?.status === "committing" ? 400 : false),
  });
  const check = useMutation({
    mutationFn: () => api<ImportView>("POST", `/member-imports/${id}/check`, { mapping, options: { channel, every, at } }),
    onSuccess: (view) => queryClient.setQueryData(["member-import", view.id], view),
  });
  const commit = useMutation({
    mutationFn: () => api<ImportView>("POST", `/member-imports/${id}/commit`),
    onSuccess: (view) => queryClient.setQueryData(["member-import", view.id], view),
  });
  const view = current.data;
  useEffect(() => {
    if (view?.status === "committed") void queryClient.invalidateQueries({ queryKey: ["members"] });
  }, [view?.status, queryClient]);

  const fieldOptions = [{ id: IGNORE, name: t("imports.ignore") }, ...IMPORT_FIELDS.map((f) => ({ id: f, name: t(`imports.fields.${f}`) }))];
  const running = view?.status === "checking" || view?.status === "committing";
  const checked = view?.status === "checked" || view?.status === "committed";
  const fieldName = (f: Field) => t(`imports.fields.${f}`);
  const problemRows = view ? [...new Set(view.problems.map((p) => p.row))] : [];

  return (
    <div className="import">
      <p><Link href="/members">{t("imports.back")}</Link></p>
      <h1>{t("imports.title")}</h1>
      <p>{t("imports.lead")}</p>

      <section aria-labelledby="file-heading">
        <h2 id="file-heading">{t("imports.chooseFile")}</h2>
        <FileTrigger acceptedFileTypes={[".csv", ".xlsx", "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]}
          onSelect={(files) => { const file = files?.[0]; if (file) upload.mutate(file); }}>
          <Button className="primary" isDisabled={upload.isPending || running}>{t("imports.chooseFile")}</Button>
        </FileTrigger>
        {upload.isError ? <ErrorText error={upload.error} /> : null}
        {view ? (
          <p>
            {t("imports.chosen", { name: view.fileName })} — {t("imports.fileInfo", { encoding: t(`imports.encodings.${view.encoding}`), rows: view.rowCount })}
          </p>
        ) : null}
      </section>

      {view && view.status !== "committed" ? (
        <section aria-labelledby="mapping-heading">
          <h2 id="mapping-heading">{t("imports.mappingTitle")}</h2>
          <p>{t("imports.mappingLead")}</p>
          <ScrollingTable label={t("imports.mappingTitle")}>
            <table>
              <caption className="visually-hidden">{t("imports.mappingTitle")}</caption>
              <thead>
                <tr><th scope="col">{t("imports.column")}</th><th scope="col">{t("imports.sample")}</th><th scope="col">{t("imports.field")}</th></tr>
              </thead>
              <tbody>
                {view.header.map((name, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a column is its position in the file; names may repeat or be empty.
                  <tr key={i}>
                    <th scope="row">{name || "—"}</th>
                    <td>{view.preview[0]?.[i] ?? ""}</td>
                    <td>
                      <FieldSelect label={`${t("imports.field")}: ${name}`} value={mapping[i] ?? IGNORE} options={fieldOptions}
                        onChange={(v) => setMapping((m) => m.map((f, j) => (j === i ? (v === IGNORE ? null : (v as Field)) : f)))} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollingTable>
          <h3>{t("imports.defaultsTitle")}</h3>
          <div className="inline-form">
            <FieldSelect label={t("imports.defaultChannel")} value={channel} onChange={setChannel} visible
              options={CHANNELS.map((c) => ({ id: c, name: t(`channels.${c}`) }))} />
            <FieldSelect label={t("memberForm.every")} value={every} onChange={setEvery} visible
              options={INTERVALS.filter((i) => i !== "weekly" && i !== "biweekly").map((i) => ({ id: i, name: t(`members.every.${i}`) }))} />
            <TextField value={at} onChange={setAt}>
              <Label>{t("memberForm.at")}</Label>
              <Input />
            </TextField>
          </div>
          <Button className="primary" onPress={() => check.mutate()} isDisabled={check.isPending || running}>{t("imports.check")}</Button>
          {check.isError ? <ErrorText error={check.error} /> : null}
        </section>
      ) : null}

      {view && running ? (
        <ProgressBar value={view.progress.done} maxValue={Math.max(view.progress.total, 1)} className="progress"
          valueLabel={t("imports.progressText", { done: view.progress.done, total: view.progress.total })}>
          {({ percentage, valueText }) => (
            <>
              <Label>{view.status === "committing" ? t("imports.committing") : t("imports.checking")}</Label>
              <span className="value">{valueText}</span>
              <div className="bar"><div className="fill" style={{ width: `${percentage}%` }} /></div>
            </>
          )}
        </ProgressBar>
      ) : null}

      {view && checked && view.summary ? (
        <section aria-labelledby="result-heading" aria-live="polite">
          <h2 id="result-heading">{view.status === "committed" ? t("imports.committed", view.summary) : t("imports.summary", view.summary)}</h2>
          {view.status === "committed" ? <p><Link href="/members">{t("imports.back")}</Link></p> : null}
          {view.problems.length ? (
            <>
              <h3>{t("imports.problemsTitle", { count: problemRows.length })}</h3>
              <p>{t("imports.problemsLead")}</p>
              <ScrollingTable label={t("imports.problemsTitle", { count: problemRows.length })}>
                <table className="problems">
                  <caption className="visually-hidden">{t("imports.problemsTitle", { count: problemRows.length })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("imports.row")}</th><th scope="col">{t("imports.field")}</th>
                      <th scope="col">{t("imports.reason")}</th><th scope="col">{t("imports.value")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {view.problems.map((p) => (
                      <tr key={`${p.row}-${p.field}-${p.code}`}>
                        <td>{p.row}</td><td>{fieldName(p.field)}</td><td>{t(`imports.problems.${p.code}`, { defaultValue: p.code })}</td><td>{p.value ?? ""}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollingTable>
            </>
          ) : view.status === "checked" ? <p>{t("imports.noProblems")}</p> : null}
          {view.warnings.length ? (
            <>
              <h3>{t("imports.warningsTitle")}</h3>
              <ul className="plain">
                {view.warnings.map((w) => (
                  <li key={`${w.row}-${w.memberId ?? w.otherRow}`}>
                    {w.memberId
                      ? <>{t("imports.warningMember", { row: w.row, name: w.memberName, reason: t(`memberForm.duplicateReasons.${w.reason}`) })} (<Link href={`/members/${w.memberId}`}>{w.memberName}</Link>)</>
                      : t("imports.warningRow", { row: w.row, other: w.otherRow, reason: t(`memberForm.duplicateReasons.${w.reason}`) })}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {view.status === "checked" && !view.problems.length ? (
            <Button className="primary" onPress={() => commit.mutate()} isDisabled={commit.isPending}>
              {t("imports.commit", { create: view.summary.create, update: view.summary.update })}
            </Button>
          ) : null}
          {commit.isError ? <ErrorText error={commit.error} /> : null}
        </section>
      ) : null}
      {view?.status === "failed" ? (
        <p className="error" role="alert">{t(`imports.failures.${view.failure ?? "internal"}`, { defaultValue: t("imports.failed") })}</p>
      ) : null}

      <Exports />
    </div>
  );
}
