/**
 * The open Japanese taxonomy of local resources shipped with Mimamori (issue 14):
 * what a service, a 通いの場 or a volunteer offers, in words a 生活支援コーディネーター
 * uses. Codes are stable identifiers (lower-case, dotted for the hierarchy);
 * names are Japanese first, with English; ids are UUIDv5 of the code, the same in
 * every installation. An organisation adds its own terms (directory_taxonomy_terms),
 * which join under a shipped parent or stand alone, never replacing a shipped code.
 *
 * Sources:
 * - 介護予防・日常生活支援総合事業 (総合事業): the types of service in 厚生労働省
 *   「介護予防・日常生活支援総合事業のガイドライン」 (訪問型 / 通所型 サービス: 従前相当,
 *   A 緩和した基準, B 住民主体, C 短期集中予防, D 移動支援 (訪問型のみ); その他の生活支援:
 *   栄養改善を目的とした配食, 住民ボランティア等が行う見守り, 訪問型・通所型に準じる自立支援に資する生活支援).
 * - Mapped codes: 介護給付費の「サービス種類コード」 of the 総合事業, used in claims to the
 *   国保連 (A2 訪問型独自, A3/A4 独自・定率/定額, A6 通所型独自, A7/A8, A9–AE その他の
 *   生活支援 配食/見守り/その他 定率/定額, AF 介護予防ケアマネジメント). Only where one exists:
 *   B and D are usually funded by grants (補助) and have none; which of A2–A4 a
 *   municipality uses for サービスA is its own choice, so all candidates are listed.
 * - 通いの場 activity types: the categories of 厚生労働省「介護予防・日常生活支援総合事業等
 *   (地域支援事業)の実施状況に関する調査」 (体操(運動), 会食, 茶話会, 趣味活動, 生涯学習…).
 * - The rest (shopping, transport, housework, visiting and watching, consultation,
 *   legal and money, housing) follow seed 004 and docs/design/directory-hsds-research.md §5.
 */
import { NAMESPACE_URL, uuidV5 } from "./uuid5.ts";

/** A code scheme a term is mapped to. */
export const MAPPED_CODE_SCHEMES = ["kaigo_service_type"] as const;
export type MappedCodeScheme = (typeof MAPPED_CODE_SCHEMES)[number];

/** Names of the mapped schemes, Japanese and English. */
export const MAPPED_CODE_SCHEME_NAMES: Record<MappedCodeScheme, { ja: string; en: string }> = {
  kaigo_service_type: { ja: "介護給付費 サービス種類コード(総合事業)", en: "Long-term care claim service type code (comprehensive programme)" },
};

export interface MappedCode {
  scheme: MappedCodeScheme;
  code: string;
}

export interface TaxonomyTerm {
  /** UUIDv5 of the code (shipped terms), or the organisation's row id (its own terms). */
  id: string;
  code: string;
  /** Japanese name. */
  name: string;
  name_en: string;
  /** Japanese description (HSDS taxonomy_term requires one). */
  description: string;
  parent_code: string | null;
  mapped_codes: readonly MappedCode[];
  source: "shipped" | "organisation";
  /** An organisation's term no longer offered for new use (records that carry it keep it); shipped terms never are. */
  retired: boolean;
}

/** The namespace of every name-based id of the shipped taxonomy. */
export const TAXONOMY_JA_NAMESPACE = uuidV5(NAMESPACE_URL, "urn:mimamori:directory:taxonomy-ja");
/** The HSDS taxonomy record of the shipped terms. */
export const TAXONOMY_JA = {
  id: uuidV5(TAXONOMY_JA_NAMESPACE, "taxonomy"),
  name: "Mimamori 地域資源分類 (mimamori-ja)",
  description: "見守りと生活支援の地域資源の分類。介護予防・日常生活支援総合事業、通いの場、買い物・移動・家事の支援、訪問・見守り、相談窓口、法律・金銭、住まい。 / Japanese taxonomy of local resources for watching and daily-life support.",
  version: "1",
} as const;

/** A term's id from its code: stable across installations and exports. */
export function taxonomyTermId(code: string): string {
  return uuidV5(TAXONOMY_JA_NAMESPACE, `term:${code}`);
}

/** Codes: lower-case ASCII words joined by dots ("shopping.proxy"), at most 64 characters. */
export const TAXONOMY_CODE_PATTERN = /^[a-z0-9_]+(?:\.[a-z0-9_]+)*$/;

type Row = [code: string, name: string, nameEn: string, description: string, mapped?: string[]];

const kaigo = (...codes: string[]) => codes;

// Parents come before their children; a child's parent is its code without the last part.
const ROWS: Row[] = [
  ["sogo", "介護予防・日常生活支援総合事業", "Comprehensive programme for long-term care prevention and daily-life support", "市町村が行う総合事業のサービス(要支援者・事業対象者向け)。"],
  ["sogo.visit", "訪問型サービス", "Home-visit services", "自宅を訪問して行う生活援助・身体介護など。"],
  ["sogo.visit.standard", "訪問介護相当サービス", "Home-visit care (former preventive home care standard)", "従前の介護予防訪問介護に相当するサービス。", kaigo("A2")],
  ["sogo.visit.a", "訪問型サービスA(緩和した基準)", "Home-visit service A (relaxed standards)", "緩和した基準による生活援助(掃除・洗濯・調理など)。", kaigo("A2", "A3", "A4")],
  ["sogo.visit.b", "訪問型サービスB(住民主体)", "Home-visit service B (resident-led)", "住民ボランティアなど住民主体による生活援助。"],
  ["sogo.visit.c", "訪問型サービスC(短期集中予防)", "Home-visit service C (short-term intensive prevention)", "保健・医療の専門職が短期間集中して行う相談・指導。"],
  ["sogo.visit.d", "訪問型サービスD(移動支援)", "Home-visit service D (transport support)", "通院・買い物などの移動支援や移送前後の生活支援。"],
  ["sogo.day", "通所型サービス", "Day services", "施設や集いの場に通って行う機能訓練・交流など。"],
  ["sogo.day.standard", "通所介護相当サービス", "Day care (former preventive day care standard)", "従前の介護予防通所介護に相当するサービス。", kaigo("A6")],
  ["sogo.day.a", "通所型サービスA(緩和した基準)", "Day service A (relaxed standards)", "緩和した基準によるミニデイサービス・運動・レクリエーション。", kaigo("A6", "A7", "A8")],
  ["sogo.day.b", "通所型サービスB(住民主体)", "Day service B (resident-led)", "住民主体による体操・運動などの自主的な通いの場。"],
  ["sogo.day.c", "通所型サービスC(短期集中予防)", "Day service C (short-term intensive prevention)", "保健・医療の専門職による短期間の運動器機能向上・栄養改善など。"],
  ["sogo.life", "その他の生活支援サービス", "Other daily-life support services", "訪問型・通所型サービスと一体的に行う生活支援。"],
  ["sogo.life.meals", "配食", "Meal delivery", "栄養改善を目的とした配食と安否確認。", kaigo("A9", "AA")],
  ["sogo.life.watching", "見守り(総合事業)", "Watching by volunteers (comprehensive programme)", "住民ボランティアなどが行う定期的な見守り。", kaigo("AB", "AC")],
  ["sogo.life.other", "その他の生活支援", "Other self-reliance support", "訪問型・通所型サービスに準じる自立支援に資する生活支援。", kaigo("AD", "AE")],
  ["sogo.care_management", "介護予防ケアマネジメント", "Care management for prevention", "地域包括支援センターによる介護予防ケアマネジメント。", kaigo("AF")],

  ["kayoi", "通いの場", "Community gathering places", "住民が主体となって集まる介護予防・交流の場。"],
  ["kayoi.exercise", "体操・運動", "Exercise", "いきいき百歳体操などの体操・運動の集まり。"],
  ["kayoi.hobby", "趣味活動", "Hobbies", "手芸・囲碁・将棋・カラオケ・園芸などの趣味の集まり。"],
  ["kayoi.salon", "サロン・茶話会", "Salons and tea gatherings", "ふれあいサロン・茶話会などのおしゃべりと交流の場。"],
  ["kayoi.meals", "会食", "Shared meals", "みんなで食事をとる会食会・地域食堂。"],
  ["kayoi.learning", "学び・生涯学習", "Learning", "健康講座・教養講座・認知症予防などの学びの場。"],

  ["shopping", "買い物支援", "Shopping help", "日々の買い物が難しい人への支援。"],
  ["shopping.proxy", "買い物代行", "Shopping on someone's behalf", "頼まれた品物を代わりに買って届ける。"],
  ["shopping.escort", "買い物同行", "Accompanied shopping", "一緒に店へ行き、買い物を手伝う。"],
  ["shopping.mobile_shop", "移動販売", "Mobile shop", "移動販売車が地域を回って販売する。"],
  ["shopping.delivery", "宅配・配達", "Home delivery", "店や生協などが品物を自宅へ届ける。"],

  ["transport", "移動支援", "Transport help", "外出・通院・買い物のための移動の支援。"],
  ["transport.rides", "送迎", "Rides", "自宅から目的地までの送り迎え。"],
  ["transport.hospital", "通院の付き添い", "Accompanying to hospital", "通院時の付き添い・院内の介助。"],
  ["transport.demand", "デマンド交通・乗合", "Demand-responsive and shared transport", "予約制の乗合タクシー・コミュニティバスなど。"],

  ["housework", "家事支援", "Housework help", "日常の家事の手伝い。"],
  ["housework.cleaning", "掃除", "Cleaning", "部屋・水回りの掃除。"],
  ["housework.laundry", "洗濯", "Laundry", "洗濯・干す・取り込む・たたむ。"],
  ["housework.cooking", "調理", "Cooking", "食事の支度・作り置き。"],
  ["housework.garbage", "ごみ出し", "Taking out rubbish", "ごみの分別とごみ出し。"],
  ["housework.small_jobs", "ちょっとした困りごと", "Small jobs", "電球交換・家具の移動・簡単な修理など。"],
  ["housework.garden", "草取り・庭の手入れ", "Weeding and garden care", "草取り・庭木の手入れ。"],
  ["housework.snow", "雪かき", "Snow clearing", "玄関先・屋根などの雪かき・雪下ろし。"],

  ["watching", "訪問・見守り", "Visiting and watching", "安否の確認と声かけ。"],
  ["watching.visits", "訪問・声かけ", "Home visits", "定期的な訪問・声かけ・話し相手。"],
  ["watching.phone", "電話での見守り", "Telephone check-ins", "定期的な電話による安否確認。"],
  ["watching.devices", "見守り機器・サービス", "Watching devices and services", "センサー・緊急通報装置・見守りサービス。"],
  ["watching.rounds", "配達・検針時の見守り", "Watching on rounds", "新聞・宅配・検針など日々の巡回での気づき(見守り協定)。"],

  ["consultation", "相談窓口", "Consultation windows", "困りごとを相談できる窓口。"],
  ["consultation.hokatsu", "地域包括支援センター", "Community comprehensive support centre", "高齢者の総合相談・権利擁護・介護予防ケアマネジメント。"],
  ["consultation.shakyo", "社会福祉協議会", "Council of social welfare", "地域福祉・ボランティア・生活福祉資金などの相談。"],
  ["consultation.minsei", "民生委員・児童委員", "Welfare commissioners", "地域の身近な相談相手。"],
  ["consultation.self_reliance", "生活困窮者の自立相談支援", "Self-reliance support for people in hardship", "生活困窮者自立支援制度の相談窓口。"],
  ["consultation.dementia", "認知症の相談", "Dementia consultation", "認知症の相談窓口・認知症カフェ・初期集中支援。"],

  ["legal_money", "法律・金銭", "Legal and money matters", "お金や契約、権利を守るための支援。"],
  ["legal_money.legal_advice", "法律相談", "Legal advice", "弁護士・司法書士などによる相談(法テラスなど)。"],
  ["legal_money.guardianship", "成年後見制度", "Adult guardianship", "成年後見・任意後見の相談と申立ての支援。"],
  ["legal_money.daily_money", "日常生活自立支援事業", "Daily-life independence support (money management)", "社会福祉協議会による福祉サービス利用援助・日常的な金銭管理。"],
  ["legal_money.consumer", "消費生活相談・詐欺被害", "Consumer advice and fraud", "悪質商法・特殊詐欺などの相談(消費生活センター)。"],
  ["legal_money.loans_benefits", "生活費の貸付・給付", "Loans and benefits", "生活福祉資金の貸付・生活保護などの相談。"],

  ["housing", "住まい", "Housing", "住まいの確保と住み続けるための支援。"],
  ["housing.support", "居住支援", "Housing support", "住宅確保要配慮者への入居・住み替えの支援(居住支援法人など)。"],
  ["housing.adaptation", "住宅改修", "Home adaptation", "手すり・段差解消などの住宅改修の相談。"],
  ["housing.senior", "高齢者向け住まい", "Housing for older people", "サービス付き高齢者向け住宅・有料老人ホーム・ケアハウスなど。"],
  ["housing.public", "公営住宅", "Public housing", "市営・県営住宅など。"],
];

function parentOf(code: string): string | null {
  const i = code.lastIndexOf(".");
  return i < 0 ? null : code.slice(0, i);
}

/** The shipped terms, parents before children. */
export const TAXONOMY_JA_TERMS: readonly TaxonomyTerm[] = ROWS.map(([code, name, nameEn, description, mapped]) => ({
  id: taxonomyTermId(code),
  code,
  name,
  name_en: nameEn,
  description,
  parent_code: parentOf(code),
  mapped_codes: (mapped ?? []).map((c) => ({ scheme: "kaigo_service_type" as const, code: c })),
  source: "shipped" as const,
  retired: false,
}));

const SHIPPED = new Map(TAXONOMY_JA_TERMS.map((t) => [t.code, t]));

/** The shipped term with this code, or undefined. */
export function shippedTerm(code: string): TaxonomyTerm | undefined {
  return SHIPPED.get(code);
}

/** An organisation's own term, as directory_taxonomy_terms holds it. */
export interface OrganisationTermRow {
  id: string;
  code: string;
  name: string;
  parent_code: string | null;
  description: string;
  /** One mapped code "scheme:code" (e.g. "kaigo_service_type:A2"), or null. */
  mapped_code: string | null;
  /** When it was retired (migration 2100); absent or null: in use. */
  retired_at?: Date | null;
}

export type OrganisationTermProblem = "code_invalid" | "code_taken" | "parent_unknown" | "parent_cycle" | "mapped_code_invalid";

/**
 * Problems of an organisation's term against the shipped taxonomy and the
 * organisation's other terms (codes): a code like the shipped ones, not already
 * used, a parent that exists (shipped or the organisation's), no cycle, a mapped
 * code "scheme:code" in a known scheme.
 */
export function organisationTermProblems(term: Omit<OrganisationTermRow, "id">, others: readonly Omit<OrganisationTermRow, "id">[]): OrganisationTermProblem[] {
  const problems: OrganisationTermProblem[] = [];
  if (!TAXONOMY_CODE_PATTERN.test(term.code) || term.code.length > 64) problems.push("code_invalid");
  const byCode = new Map(others.filter((o) => o.code !== term.code).map((o) => [o.code, o]));
  // `others` are the organisation's other terms (without this one when it is being changed).
  if (SHIPPED.has(term.code) || others.some((o) => o.code === term.code)) problems.push("code_taken");
  if (term.parent_code !== null) {
    if (!SHIPPED.has(term.parent_code) && !byCode.has(term.parent_code)) problems.push("parent_unknown");
    const seen = new Set<string>();
    let p: string | null = term.parent_code;
    while (p !== null) {
      if (p === term.code) { problems.push("parent_cycle"); break; }
      if (seen.has(p)) break; // a loop among the others, not this term's doing
      seen.add(p);
      p = byCode.get(p)?.parent_code ?? SHIPPED.get(p)?.parent_code ?? null;
    }
  }
  if (term.mapped_code !== null && !parseMappedCode(term.mapped_code)) problems.push("mapped_code_invalid");
  return problems;
}

/** "kaigo_service_type:A2" → { scheme, code }, or null. */
export function parseMappedCode(text: string): MappedCode | null {
  const m = /^([a-z_]+):([A-Za-z0-9._-]{1,32})$/.exec(text);
  if (!m || !(MAPPED_CODE_SCHEMES as readonly string[]).includes(m[1])) return null;
  return { scheme: m[1] as MappedCodeScheme, code: m[2] };
}

/**
 * The shipped terms plus an organisation's own, as one list (shipped first, then
 * the organisation's by code). A row whose code is shipped is left out (the
 * shipped term wins; organisationTermProblems refuses it when written).
 */
export function taxonomyWithExtensions(rows: readonly OrganisationTermRow[]): TaxonomyTerm[] {
  const own = rows.filter((r) => !SHIPPED.has(r.code)).sort((a, b) => a.code.localeCompare(b.code)).map((r): TaxonomyTerm => {
    const mapped = r.mapped_code ? parseMappedCode(r.mapped_code) : null;
    return {
      id: r.id, code: r.code, name: r.name, name_en: r.name, description: r.description || r.name,
      parent_code: r.parent_code, mapped_codes: mapped ? [mapped] : [], source: "organisation", retired: !!r.retired_at,
    };
  });
  return [...TAXONOMY_JA_TERMS, ...own];
}

/**
 * The broader term's code of `code` (its parent), for matching a need to a
 * related service (src/directory/domain/matching.ts `broader`), over the shipped
 * terms and the given organisation's terms.
 */
export function broaderOf(terms: readonly TaxonomyTerm[]): (code: string) => string | undefined {
  const parents = new Map(terms.map((t) => [t.code, t.parent_code]));
  return (code) => parents.get(code) ?? undefined;
}

/** The codes of a term and all below it (a filter on "shopping" finds "shopping.proxy" too). */
export function codeWithDescendants(terms: readonly TaxonomyTerm[], code: string): string[] {
  const children = new Map<string, string[]>();
  for (const t of terms) if (t.parent_code) children.set(t.parent_code, [...(children.get(t.parent_code) ?? []), t.code]);
  const out: string[] = [];
  const walk = (c: string, depth: number) => {
    if (depth > 16 || out.includes(c)) return;
    out.push(c);
    for (const k of children.get(c) ?? []) walk(k, depth + 1);
  };
  walk(code, 0);
  return out;
}
