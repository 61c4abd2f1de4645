/**
 * The shipped Japanese taxonomy (src/directory/domain/taxonomy-ja.ts) and the
 * name-based ids (src/directory/domain/uuid5.ts).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import {
  broaderOf,
  codeWithDescendants,
  organisationTermProblems,
  parseMappedCode,
  shippedTerm,
  TAXONOMY_CODE_PATTERN,
  TAXONOMY_JA,
  TAXONOMY_JA_TERMS,
  taxonomyTermId,
  taxonomyWithExtensions,
} from "../../src/directory/domain/taxonomy-ja.ts";
import { NAMESPACE_URL, uuidV5 } from "../../src/directory/domain/uuid5.ts";

test("UUIDv5 matches RFC 9562 / Python's uuid.uuid5 on known names", () => {
  assert.equal(uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"), "2ed6657d-e927-568b-95e1-2665a8aea6a2");
  assert.equal(uuidV5(NAMESPACE_URL, "https://openreferral.org/"), "b21d248b-bb46-5bae-b358-5ebcd6649da2");
  assert.throws(() => uuidV5("not-a-uuid", "x"), /not a UUID/);
});

test("ids are stable: a term's id is UUIDv5 of its code, pinned here so a changed namespace fails", () => {
  // Computed independently: SHA-1 over the namespace bytes and the name, version 5, RFC variant.
  const ns = createHash("sha1").update(Buffer.from(NAMESPACE_URL.replaceAll("-", ""), "hex")).update("urn:mimamori:directory:taxonomy-ja").digest();
  ns[6] = (ns[6] & 0x0f) | 0x50;
  ns[8] = (ns[8] & 0x3f) | 0x80;
  const h = ns.subarray(0, 16).toString("hex");
  const namespace = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  assert.equal(taxonomyTermId("shopping"), uuidV5(namespace, "term:shopping"));
  // Pinned (Python: uuid5(uuid5(NAMESPACE_URL, "urn:mimamori:directory:taxonomy-ja"), "term:shopping")).
  assert.equal(taxonomyTermId("shopping"), "0d69a57c-6be4-5223-98b5-a5e60784b3b1");
  assert.equal(TAXONOMY_JA.id, "391dc59d-bedc-5e7c-8ff6-b4d4bf1ad83c");
  assert.equal(shippedTerm("shopping")?.id, taxonomyTermId("shopping"));
  assert.match(TAXONOMY_JA.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test("every shipped term: a valid unique code, a unique v5 id, Japanese and English names, a description, a parent listed before it", () => {
  const codes = new Set<string>();
  const ids = new Set<string>();
  for (const t of TAXONOMY_JA_TERMS) {
    assert.match(t.code, TAXONOMY_CODE_PATTERN, t.code);
    assert.ok(!codes.has(t.code), `duplicate ${t.code}`);
    assert.ok(!ids.has(t.id), `duplicate id of ${t.code}`);
    assert.equal(t.id, taxonomyTermId(t.code));
    assert.ok(t.name && t.name_en && t.description, t.code);
    assert.notEqual(t.name, t.name_en, t.code);
    if (t.parent_code !== null) assert.ok(codes.has(t.parent_code), `${t.code}'s parent ${t.parent_code} comes first`);
    assert.equal(t.source, "shipped");
    codes.add(t.code);
    ids.add(t.id);
  }
});

test("the taxonomy covers what issue 14 asks for", () => {
  const want: Record<string, string> = {
    "sogo.visit.a": "訪問型サービスA", "sogo.visit.b": "訪問型サービスB", "sogo.visit.c": "訪問型サービスC", "sogo.visit.d": "訪問型サービスD",
    "sogo.day.a": "通所型サービスA", "sogo.day.b": "通所型サービスB", "sogo.day.c": "通所型サービスC",
    "sogo.life.meals": "配食", "sogo.life.watching": "見守り",
    "kayoi.exercise": "体操", "kayoi.hobby": "趣味", "kayoi.salon": "サロン", "kayoi.meals": "会食", "kayoi.learning": "学び",
    shopping: "買い物", transport: "移動", housework: "家事", watching: "見守り", consultation: "相談窓口",
    legal_money: "法律", housing: "住まい",
  };
  for (const [code, word] of Object.entries(want)) assert.ok(shippedTerm(code)?.name.includes(word), `${code} names ${word}`);
});

test("mapped codes: the comprehensive programme's claim codes where one exists, none for resident-led B and transport D", () => {
  const mapped = (code: string) => shippedTerm(code)?.mapped_codes.map((m) => `${m.scheme}:${m.code}`);
  assert.deepEqual(mapped("sogo.visit.standard"), ["kaigo_service_type:A2"]);
  assert.deepEqual(mapped("sogo.day.standard"), ["kaigo_service_type:A6"]);
  assert.deepEqual(mapped("sogo.life.meals"), ["kaigo_service_type:A9", "kaigo_service_type:AA"]);
  assert.deepEqual(mapped("sogo.care_management"), ["kaigo_service_type:AF"]);
  assert.deepEqual(mapped("sogo.visit.b"), []);
  assert.deepEqual(mapped("sogo.visit.d"), []);
  assert.deepEqual(mapped("shopping"), []);
});

test("an organisation's own term: refused codes, parents and mapped codes, each with its code", () => {
  const base = { code: "shopping.coop", name: "生協の個別配送", parent_code: "shopping", description: "", mapped_code: null };
  assert.deepEqual(organisationTermProblems(base, []), []);
  assert.deepEqual(organisationTermProblems({ ...base, code: "Shopping Coop" }, []), ["code_invalid"]);
  assert.deepEqual(organisationTermProblems({ ...base, code: "shopping.proxy" }, []), ["code_taken"]);
  assert.deepEqual(organisationTermProblems(base, [{ ...base }]), ["code_taken"]);
  assert.deepEqual(organisationTermProblems({ ...base, parent_code: "nothing" }, []), ["parent_unknown"]);
  // Own parent chain: a → b (own) → shopping (shipped) is fine; a term under itself is a cycle.
  const b = { ...base, code: "local.b", parent_code: "local.a" };
  assert.deepEqual(organisationTermProblems({ ...base, code: "local.a", parent_code: "shopping" }, [b]), []);
  assert.deepEqual(organisationTermProblems({ ...base, code: "local.a", parent_code: "local.b" }, [b]), ["parent_cycle"]);
  assert.deepEqual(organisationTermProblems({ ...base, mapped_code: "kaigo_service_type:A2" }, []), []);
  assert.deepEqual(organisationTermProblems({ ...base, mapped_code: "airs:BD-1800" }, []), ["mapped_code_invalid"]);
  assert.equal(parseMappedCode("kaigo_service_type:A3")?.code, "A3");
  assert.equal(parseMappedCode("kaigo_service_type"), null);
});

test("extensions join the shipped list; broader codes and descendants reach through them", () => {
  const rows = [
    { id: "0190a000-0000-7000-8000-000000000002", code: "shopping.coop.frozen", name: "冷凍食品の宅配", parent_code: "shopping.coop", description: "", mapped_code: null },
    { id: "0190a000-0000-7000-8000-000000000001", code: "shopping.coop", name: "生協の個別配送", parent_code: "shopping", description: "生協", mapped_code: "kaigo_service_type:AD" },
    { id: "0190a000-0000-7000-8000-000000000003", code: "shopping", name: "上書きしようとした", parent_code: null, description: "", mapped_code: null },
  ];
  const terms = taxonomyWithExtensions(rows);
  assert.equal(terms.length, TAXONOMY_JA_TERMS.length + 2, "a shipped code is not overridden");
  assert.equal(terms.find((t) => t.code === "shopping")?.name, "買い物支援");
  const own = terms.slice(TAXONOMY_JA_TERMS.length);
  assert.deepEqual(own.map((t) => [t.code, t.id, t.source, t.description]), [
    ["shopping.coop", rows[1].id, "organisation", "生協"],
    ["shopping.coop.frozen", rows[0].id, "organisation", "冷凍食品の宅配"],
  ]);
  assert.deepEqual(own[0].mapped_codes, [{ scheme: "kaigo_service_type", code: "AD" }]);
  const broader = broaderOf(terms);
  assert.equal(broader("shopping.coop.frozen"), "shopping.coop");
  assert.equal(broader("shopping.proxy"), "shopping");
  assert.equal(broader("shopping"), undefined);
  assert.deepEqual(codeWithDescendants(terms, "shopping"), ["shopping", "shopping.proxy", "shopping.escort", "shopping.mobile_shop", "shopping.delivery", "shopping.coop", "shopping.coop.frozen"]);
  assert.deepEqual(codeWithDescendants(terms, "kayoi.salon"), ["kayoi.salon"]);
});
