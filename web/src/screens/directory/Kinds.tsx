/**
 * The directory's taxonomy in the console (issue 14): the terms from
 * GET /directory/taxonomy with their names in the console's chosen language, and
 * one picker of kinds (a need's kinds, a service's kinds, a volunteer's skills)
 * shared by 困りごと, 地域資源 and 担い手. The picker is a react-aria Select whose
 * own words (its placeholder, its list's labels) follow the console's language
 * (I18nProvider with i18next's), not the browser's.
 */
import { useQuery } from "@tanstack/react-query";
import { Button, FieldError, I18nProvider, Label, ListBox, ListBoxItem, Popover, Select, SelectValue } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";

/** A term as GET /directory/taxonomy gives it; `retired`: an organisation's own term no longer offered for new use. */
export interface Term { code: string; name: string; nameEn: string; parentCode: string | null; source?: "shipped" | "organisation"; retired?: boolean }

/** Terms in tree order: each followed by those under it (the organisation's own terms under their shipped parent). */
function treeOrder(terms: readonly Term[]): Term[] {
  const known = new Set(terms.map((t) => t.code));
  const children = new Map<string | null, Term[]>();
  for (const t of terms) {
    const parent = t.parentCode !== null && known.has(t.parentCode) ? t.parentCode : null;
    children.set(parent, [...(children.get(parent) ?? []), t]);
  }
  const out: Term[] = [];
  const walk = (parent: string | null, depth: number) => {
    if (depth > 16) return;
    for (const t of children.get(parent) ?? []) {
      out.push(t);
      walk(t.code, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/**
 * The taxonomy in tree order and a code's name in the reader's language (the
 * code itself when unknown); depth: levels below the top (through the parents);
 * `offered`: the terms to choose from anew (retired ones left out).
 */
export function useTaxonomy() {
  const { i18n } = useTranslation();
  const query = useQuery({ queryKey: ["directory-taxonomy"], queryFn: () => api<{ terms: Term[] }>("GET", "/directory/taxonomy") });
  const terms = treeOrder(query.data?.terms ?? []);
  const byCode = new Map(terms.map((t) => [t.code, t]));
  const nameOf = (code: string) => {
    const term = byCode.get(code);
    return term ? (i18n.language === "en" ? term.nameEn : term.name) : code;
  };
  const depth = (code: string) => {
    let n = 0;
    for (let p = byCode.get(code)?.parentCode ?? null; p !== null && n < 16; p = byCode.get(p)?.parentCode ?? null) n++;
    return n;
  };
  return { terms, offered: terms.filter((t) => !t.retired), nameOf, depth };
}

/**
 * A react-aria Select with a visible label whose placeholder and list words are
 * in the console's language. `options` as id and name; `invalid` marks it
 * refused (its words shown under it).
 */
export function LocalSelect({ label, value, onChange, options, placeholder, invalid, name }: {
  label: string; value: string | null; onChange: (v: string) => void; options: { id: string; name: string }[]; placeholder?: string;
  invalid?: string | undefined; name?: string;
}) {
  const { t, i18n } = useTranslation();
  return (
    <I18nProvider locale={i18n.language === "en" ? "en-GB" : "ja-JP"}>
      <Select selectedKey={value || null} onSelectionChange={(key) => onChange(String(key ?? ""))} placeholder={placeholder ?? t("kinds.choose")}
        isInvalid={!!invalid} {...(name ? { name } : {})}>
        <Label>{label}</Label>
        <Button><SelectValue /><span aria-hidden="true"> ▼</span></Button>
        {invalid ? <FieldError>{invalid}</FieldError> : null}
        <Popover>
          <ListBox>
            {options.map((o) => <ListBoxItem key={o.id} id={o.id}>{o.name}</ListBoxItem>)}
          </ListBox>
        </Popover>
      </Select>
    </I18nProvider>
  );
}

/**
 * Choose kinds from the taxonomy: a picker that adds one at a time (narrower
 * terms indented under broader ones), the chosen ones listed each with a button
 * to take it out. `legend` names the group, `label` the picker, `removeLabel`
 * each take-out button (from the kind's name); `empty` is said when none is
 * chosen, `error` (a refusal) under the list.
 */
export function KindPicker({ legend, label, codes, onChange, removeLabel, empty, error }: {
  legend: string; label: string; codes: readonly string[]; onChange: (codes: string[]) => void; removeLabel: (name: string) => string;
  empty?: string | undefined; error?: string | null | undefined;
}) {
  const { offered, nameOf, depth } = useTaxonomy();
  return (
    <fieldset className="kind-picker">
      <legend>{legend}</legend>
      <LocalSelect label={label} value={null}
        onChange={(code) => { if (code && !codes.includes(code)) onChange([...codes, code]); }}
        options={offered.map((term) => ({ id: term.code, name: `${"\u3000".repeat(depth(term.code))}${nameOf(term.code)}` }))} />
      {codes.length ? (
        <ul className="chosen-kinds">
          {codes.map((code) => (
            <li key={code}>
              {nameOf(code)}{" "}
              <Button aria-label={removeLabel(nameOf(code))} onPress={() => onChange(codes.filter((c) => c !== code))}>×</Button>
            </li>
          ))}
        </ul>
      ) : empty ? <p className="muted">{empty}</p> : null}
      {error ? <p className="error" role="alert">{error}</p> : null}
    </fieldset>
  );
}
