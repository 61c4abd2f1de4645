/**
 * GET /directory/{organisationId} — the public directory page (pages.ts): the
 * organisation's listed services by kind of help, filtered by a plain GET form
 * (words, kind, postal code or town), 50 to a page. No account, no JavaScript,
 * a strict CSP; an unknown organisation or a bad address is a page (404/400),
 * never a stack trace. It reads what the public HSDS API reads (engine/hsds-read.ts).
 */
import type { FastifyInstance } from "fastify";
import { formatPhone } from "../../domain/phone.ts";
import { getOrganisation } from "../../engine/organisations.ts";
import { textProblem } from "../../http/schemas.ts";
import { publicPages, sendPage as send } from "../../http/public-pages.ts";
import type { Services } from "../../http/services.ts";
import type { DirectoryRows } from "../domain/hsds.ts";
import { type ClosureOptions, nextOpen, type ScheduleClosure, tokyoDate } from "../domain/schedule.ts";
import { dateJa, describeSchedule } from "../domain/schedule-text.ts";
import { codeWithDescendants, type TaxonomyTerm } from "../domain/taxonomy-ja.ts";
import { directoryRows, directoryTerms, listedServicePage } from "../engine/hsds-read.ts";
import { directoryClosureOptions } from "../engine/settings.ts";
import { directoryPage, type PageQuery, type PageSection, type PageService, directoryProblemPage } from "./pages.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PER_PAGE = 50;


const CLOSURE_WORDS: Record<ScheduleClosure["kind"], string> = { year_end: "年末年始のお休み", holiday: "お休み", ad_hoc: "臨時休業" };

const STATUS_TEXT: Record<string, string | null> = { active: null, "temporarily closed": "一時休止中", inactive: "休止中", defunct: "終了しました" };


/** The top-level term of a code (買い物支援 for shopping.proxy), through the parents. */
function topOf(terms: Map<string, TaxonomyTerm>, code: string): TaxonomyTerm | undefined {
  let term = terms.get(code);
  for (let i = 0; term?.parent_code && i < 16; i++) term = terms.get(term.parent_code) ?? term;
  return term;
}

/** The rows of one page as sections of services in words. */
export function pageSections(
  rows: DirectoryRows, order: readonly string[], terms: readonly TaxonomyTerm[], now: Date, yearEnd: ClosureOptions = { yearEndClosed: true },
): PageSection[] {
  const byCode = new Map(terms.map((t) => [t.code, t]));
  const orgs = new Map(rows.organizations.map((o) => [o.id, o]));
  const sections = new Map<string, PageSection>();
  const topRank = new Map(terms.filter((t) => t.parent_code === null).map((t, i) => [t.code, i]));
  for (const id of order) {
    const s = rows.services.find((x) => x.id === id);
    if (!s) continue;
    const sals = rows.serviceAtLocations.filter((x) => x.service_id === s.id);
    const locationIds = new Set(sals.map((x) => x.location_id));
    const salIds = new Set(sals.map((x) => x.id));
    const schedules = rows.schedules.filter((x) => x.service_id === s.id || (x.service_at_location_id !== null && salIds.has(x.service_at_location_id))
      || (x.location_id !== null && locationIds.has(x.location_id)));
    const closures: ScheduleClosure[] = rows.closures.filter((c) => c.service_id === s.id || c.directory_organization_id === s.directory_organization_id
      || (c.service_id === null && c.directory_organization_id === null));
    // A service not running (temporarily closed, inactive, ended) has no next date to offer.
    const next = schedules.length && s.status === "active" ? nextOpen(schedules, now, { ...yearEnd, closures }) : null;
    const today = tokyoDate(now);
    const closing = closures.filter((c) => c.ends_on >= today).sort((a, b) => a.starts_on.localeCompare(b.starts_on))
      .map((c) => `${CLOSURE_WORDS[c.kind]}：${dateJa(c.starts_on)}${c.ends_on !== c.starts_on ? `〜${dateJa(c.ends_on)}` : ""}${c.reason ? `（${c.reason}）` : ""}`);
    const codes = rows.attributes.filter((a) => a.link_entity === "service" && a.link_id === s.id).map((a) => a.taxonomy_code).filter((c) => byCode.has(c));
    const places = rows.locations.filter((l) => locationIds.has(l.id)).map((l) => {
      const a = rows.addresses.find((x) => x.location_id === l.id && x.address_type === "physical") ?? rows.addresses.find((x) => x.location_id === l.id);
      return {
        name: l.name,
        address: a ? `〒${a.postal_code.replace(/^(\d{3})(\d{4})$/, "$1-$2")} ${a.state_province}${a.city}${a.address_1}${a.address_2 ? ` ${a.address_2}` : ""}` : null,
        access: [l.transportation, l.accessibility_description].filter(Boolean).join("／") || null,
      };
    });
    // The service's public phones, else its locations', else its provider's (a contact person's phone is never public).
    const own = rows.phones.filter((p) => p.contact_id === null && (p.service_id === s.id || (p.service_at_location_id !== null && salIds.has(p.service_at_location_id))));
    const atPlaces = own.length ? own : rows.phones.filter((p) => p.contact_id === null && p.location_id !== null && locationIds.has(p.location_id));
    const shownPhones = atPlaces.length ? atPlaces : rows.phones.filter((p) => p.contact_id === null && p.directory_organization_id === s.directory_organization_id);
    const phones = shownPhones.filter((p) => p.type !== "fax").map((p) => ({
      number: p.number, national: formatPhone(p.number), extension: p.extension, note: p.description,
    }));
    const service: PageService = {
      id: s.id, name: s.name, provider: orgs.get(s.directory_organization_id)?.name ?? "", statusText: STATUS_TEXT[s.status] ?? null,
      alert: [s.alert, ...closing].filter(Boolean).join("\n") || null, description: s.description, eligibility: s.eligibility_description, fees: s.fees_description, howToApply: s.application_process,
      schedules: schedules.map((r) => describeSchedule(r, yearEnd.yearEndClosed ?? true)),
      next: next ? `${dateJa(next.date)} ${next.all_day ? "終日" : new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", hour: "numeric", minute: "2-digit" }).format(next.start)}${next.start <= now ? "（開いています）" : ""}` : null,
      places, phones, url: s.url, kinds: codes.map((c) => byCode.get(c)?.name ?? c),
    };
    const top = codes.length ? topOf(byCode, codes[0]) : undefined;
    const key = top?.code ?? "";
    const section = sections.get(key) ?? { title: top?.name ?? "その他", services: [] };
    section.services.push(service);
    sections.set(key, section);
  }
  // Kinds in the taxonomy's order, その他 last.
  return [...sections.entries()].sort(([a], [b]) => (topRank.get(a) ?? 1e9) - (topRank.get(b) ?? 1e9)).map(([, section]) => section);
}

export async function directoryPageRoutes(app: FastifyInstance, s: Services): Promise<void> {
  await publicPages(app, { name: "directory page", problem: directoryProblemPage }, (scope) => {

    scope.get<{ Params: { organisationId: string }; Querystring: Record<string, unknown> }>("/directory/:organisationId", { schema: { hide: true } }, async (request, reply) => {
      const id = request.params.organisationId;
      if (!UUID.test(id)) return send(reply, directoryProblemPage(404));
      const organisation = await getOrganisation(s.db, id).catch(() => undefined);
      if (!organisation) return send(reply, directoryProblemPage(404));
      const field = (name: string, max: number): string | null => {
        const v = request.query[name];
        if (v === undefined) return "";
        if (typeof v !== "string" || v.length > max || textProblem(v)) return null;
        return v.trim();
      };
      const query = { q: field("q", 100), category: field("category", 64), area: field("area", 60) };
      const pageText = field("page", 7);
      if (query.q === null || query.category === null || query.area === null || pageText === null || (pageText !== "" && !/^[1-9]\d*$/.test(pageText))) {
        return send(reply, directoryProblemPage(400));
      }
      const terms = await directoryTerms(s.db, id);
      const categories = terms.filter((t) => t.parent_code === null).map((t) => ({ code: t.code, name: t.name }));
      const category = categories.some((c) => c.code === query.category) ? (query.category as string) : "";
      const page = pageText === "" ? 1 : Number(pageText);
      const { ids, total } = await listedServicePage(s.db, id, {
        search: query.q, area: query.area === "" ? undefined : query.area, taxonomyCodes: category ? codeWithDescendants(terms, category) : undefined,
      }, { page, perPage: PER_PAGE });
      const rows = await directoryRows(s.db, id, { serviceIds: ids, audience: "public" });
      const now = s.clock.now();
      const shown: PageQuery = { q: query.q, category, area: query.area };
      return send(reply, directoryPage({
        organisationName: organisation.name, organisationId: id, categories, query: shown, sections: pageSections(rows, ids, terms, now, await directoryClosureOptions(s.db, id)),
        total, asOf: dateJa(tokyoDate(now)), page, pages: Math.max(1, Math.ceil(total / PER_PAGE)),
      }));
    });
  });
}
