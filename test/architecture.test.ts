/**
 * The layers (README, Architecture): the domain, the store and the engine never
 * import a provider or the HTTP layer; only the composition root (service.ts,
 * main.ts) wires providers in, so the HTTP layer does not import them either; a
 * provider maps events to engine commands and runs no SQL of its own, and reaches
 * the store only through the engine. A provider imports the engine's ports and
 * commands, the domain, its own folder and, for its webhook routes and pages, the
 * HTTP layer's error shape, services and public-page scope; never another provider.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

const SRC = join(import.meta.dirname, "..", "src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory()
    ? sources(join(dir, e.name))
    : e.name.endsWith(".ts") ? [join(dir, e.name)] : []);
}

/** A file's relative imports (static, re-exports and dynamic), as paths under src/ ("engine/ports.ts"). */
export function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((m) => m[1]);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => relative(SRC, resolve(dirname(file), s)).split("\\").join("/"));
}

/** Kysely's ways into SQL: a query builder's entry points or raw sql`…`. */
const SQL = /\b(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\s*\(|\bsql\s*(<[^>]*>)?\s*`|\bsql\.(raw|ref|table|id|lit|join)\s*\(/;

function codeOf(text: string): string {
  // Comments may name a query; only code counts.
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

const under = (prefix: string) => sources(SRC).filter((f) => relative(SRC, f).startsWith(prefix));

test("the detectors find imports and SQL, and skip comments", () => {
  const file = join(SRC, "engine", "x.ts");
  assert.deepEqual(importsOf(file, 'import { a } from "../providers/line/channel.ts";\nimport type { B } from "./ports.ts";\n' +
    'export { c } from "../http/app.ts";\nconst d = await import("../store/db.ts");\nimport "./side.ts";\nimport x from "kysely";'),
  ["providers/line/channel.ts", "engine/ports.ts", "http/app.ts", "store/db.ts", "engine/side.ts"]);
  for (const code of ["tx.selectFrom(\"members\")", "await db.insertInto(\"x\")", "tx .updateTable(\"a\")", "deleteFrom(\"b\")",
    "sql`select 1`", "sql<number>`count(*)`", "sql.raw(\"x\")"]) {
    assert.match(codeOf(code), SQL, code);
  }
  for (const prose of ["// tx.selectFrom(\"members\")", "/** insertInto(\"x\") */", "const sqlish = 1;", "postgresql`"]) {
    assert.doesNotMatch(codeOf(prose), SQL, prose);
  }
});

test("the domain, the store and the engine import neither a provider nor the HTTP layer", () => {
  const files = [...under("domain/"), ...under("store/"), ...under("engine/")];
  assert.ok(files.length > 40, "the source tree was found");
  const upward = files.flatMap((f) => importsOf(f, readFileSync(f, "utf8"))
    .filter((i) => i.startsWith("providers/") || i.startsWith("http/"))
    .map((i) => `src/${relative(SRC, f)} imports src/${i}`));
  assert.deepEqual(upward, []);
});

test("the core never imports a bounded context: only the composition root (service.ts) plugs src/network/ in", () => {
  const core = sources(SRC).filter((f) => !relative(SRC, f).startsWith("network/") && !relative(SRC, f).startsWith("directory/"));
  const inward = core.flatMap((f) => importsOf(f, readFileSync(f, "utf8"))
    .filter((i) => i.startsWith("network/") || i.startsWith("directory/")).map(() => relative(SRC, f)));
  assert.deepEqual([...new Set(inward)], ["service.ts"]);
});

const CONTEXTS = ["network", "directory"] as const;

test("a bounded context keeps the core's layers inside: its domain is pure, its engine never imports HTTP, its providers run no SQL", () => {
  const layer = (f: string) => relative(SRC, f).split("/")[1];
  for (const context of CONTEXTS) {
    const strays = under(`${context}/`).flatMap((f) => importsOf(f, readFileSync(f, "utf8")).flatMap((i) => {
      const to = i.startsWith(`${context}/`) ? i.split("/")[1] : i.split("/")[0];
      const from = layer(f);
      const bad = (from === "domain" && !["domain"].includes(to))
        || ((from === "store" || from === "engine") && (to === "http" || to === "providers"))
        || (from === "providers" && (to === "store" || (to === "http" && !/^http\/(errors|schemas|services|public-pages)\.ts$/.test(i))));
      return bad ? [`src/${relative(SRC, f)} imports src/${i}`] : [];
    }));
    assert.deepEqual(strays, [], context);
    const withSql = under(`${context}/providers/`).filter((f) => SQL.test(codeOf(readFileSync(f, "utf8")))).map((f) => `src/${relative(SRC, f)}`);
    assert.deepEqual(withSql, [], `a provider calls the ${context}'s commands; the SQL goes in src/${context}/engine/`);
  }
  assert.ok(under("directory/").length >= 5, "the directory's sources were found");
});

test("a bounded context never imports another: the directory reaches the network only through ports the composition root passes", () => {
  const crossing = CONTEXTS.flatMap((context) => under(`${context}/`).flatMap((f) => importsOf(f, readFileSync(f, "utf8"))
    .filter((i) => CONTEXTS.some((other) => other !== context && i.startsWith(`${other}/`)))
    .map((i) => `src/${relative(SRC, f)} imports src/${i}`)));
  assert.deepEqual(crossing, []);
});

test("the detector of crossings sees a directory file importing the network", () => {
  const file = join(SRC, "directory", "engine", "x.ts");
  assert.deepEqual(importsOf(file, 'import { mayShare } from "../../network/engine/consents.ts";'), ["network/engine/consents.ts"]);
});

/** The names a file exports: declarations (function, const, class, interface, type, enum) and `export { a, b as c }` lists. */
export function exportedNames(text: string): string[] {
  const code = codeOf(text);
  const out = new Set<string>();
  for (const m of code.matchAll(/^export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm)) out.add(m[1]!);
  for (const m of code.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const part of m[1]!.split(",")) {
      const name = part.trim().split(/\s+as\s+/).pop()!.replace(/^type\s+/, "").trim();
      if (name) out.add(name);
    }
  }
  return [...out];
}

test("the detector of exported names sees declarations and export lists, not comments", () => {
  assert.deepEqual(exportedNames("export interface Need { a: 1 }\nexport async function openInvitation() {}\nexport const Page = 1;\n" +
    "export type { Outcome, X as FieldError };\n// export function problemPage() {}\nfunction local() {}"),
  ["Need", "openInvitation", "Page", "Outcome", "FieldError"]);
});

test("a bounded context exports no name the core exports (HSDS has its own organization, contact and schedule: DirectoryNeed, not Need)", () => {
  const core = new Map<string, string>();
  for (const layer of ["domain", "engine", "store", "http"]) {
    for (const f of under(`${layer}/`)) for (const name of exportedNames(readFileSync(f, "utf8"))) core.set(name, `src/${relative(SRC, f)}`);
  }
  assert.ok(core.has("Invitation") && core.has("problemPage"), "the core's names were found");
  const clashes = CONTEXTS.flatMap((context) => under(`${context}/`).flatMap((f) => exportedNames(readFileSync(f, "utf8"))
    .filter((name) => core.has(name)).map((name) => `src/${relative(SRC, f)} exports ${name}, as ${core.get(name)} does`)));
  assert.deepEqual(clashes, []);
});

test("only the composition root (service.ts) imports providers, not the HTTP layer", () => {
  const files = sources(SRC).filter((f) => !relative(SRC, f).startsWith("providers/"));
  const wiring = files.flatMap((f) => importsOf(f, readFileSync(f, "utf8")).some((i) => i.startsWith("providers/"))
    ? [relative(SRC, f)] : []);
  assert.deepEqual(wiring.sort(), ["service.ts"]);
});

test("providers run no SQL and reach the store only through the engine", () => {
  const files = under("providers/");
  assert.ok(files.length >= 10, "the providers were found");
  const withSql = files.filter((f) => SQL.test(codeOf(readFileSync(f, "utf8")))).map((f) => `src/${relative(SRC, f)}`);
  assert.deepEqual(withSql, [], "a provider maps events to engine commands and queries; the SQL goes in src/engine/");
  const toStore = files.flatMap((f) => importsOf(f, readFileSync(f, "utf8")).filter((i) => i.startsWith("store/"))
    .map((i) => `src/${relative(SRC, f)} imports src/${i}`));
  assert.deepEqual(toStore, [], "a provider takes the store's types through the engine's ports");
});

/**
 * The HTTP layer validates, calls a command or a query of the engine and shapes
 * the answer; its reads and writes live in the engine. Two core files are the
 * HTTP layer's own plumbing and stay: auth.ts looks an API token up per request
 * (and notes its last use), audit.ts writes the audit row every route appends.
 */
const HTTP_PLUMBING_WITH_SQL = ["http/audit.ts", "http/auth.ts"];

test("HTTP files run no SQL (the core's and the contexts'): the queries are the engine's", () => {
  const files = sources(SRC).filter((f) => /^(?:(?:network|directory)\/)?http\//.test(relative(SRC, f).split("\\").join("/")));
  assert.ok(files.length >= 30, "the HTTP files were found");
  const withSql = files.filter((f) => SQL.test(codeOf(readFileSync(f, "utf8")))).map((f) => relative(SRC, f).split("\\").join("/")).sort();
  assert.deepEqual(withSql, HTTP_PLUMBING_WITH_SQL, "move the query into an engine function (src/engine/, src/<context>/engine/)");
});

/** What a provider may import besides its own folder and npm packages (public-pages.ts: the scope its own pages, like the report form, live in). */
const PROVIDER_MAY_IMPORT = [/^engine\//, /^domain\//, /^ids\.ts$/, /^lazy-import\.ts$/, /^http\/(errors|schemas|services|public-pages)\.ts$/];

test("a provider imports the engine, the domain, its own folder and http's error shape; never another provider", () => {
  const files = under("providers/");
  const strays = files.flatMap((f) => {
    const own = relative(SRC, dirname(f)).split("\\").join("/");
    return importsOf(f, readFileSync(f, "utf8"))
      .filter((i) => !i.startsWith(`${own}/`) && !PROVIDER_MAY_IMPORT.some((allowed) => allowed.test(i)))
      .map((i) => `src/${relative(SRC, f)} imports src/${i}`);
  });
  assert.deepEqual(strays, []);
});

/**
 * Loaded only on first use (src/lazy-import.ts): each weighs 20–35 MB of resident
 * memory, and a service whose organisations never call, mail, read a spreadsheet,
 * listen to a broker or register a passkey must not hold them (issue 9 §8, RSS ≤ 300 MB).
 */
const LOADED_ON_FIRST_USE = ["twilio", "exceljs", "nodemailer", "mqtt", "@simplewebauthn/server"];

test("the heavy SDKs are imported on first use only: importing the service loads none of them", () => {
  const hook = `
    import { registerHooks } from "node:module";
    const seen = new Set();
    registerHooks({ resolve(specifier, context, next) {
      const resolved = next(specifier, context);
      const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(resolved.url);
      if (m) seen.add(m[1]);
      return resolved;
    } });
    await import(${JSON.stringify(pathToFileURL(join(SRC, "service.ts")).href)});
    console.log(JSON.stringify([...seen]));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", hook], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const loaded: string[] = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "[]");
  assert.ok(loaded.includes("fastify") && loaded.includes("kysely"), "the hook sees the packages the service loads");
  assert.deepEqual(LOADED_ON_FIRST_USE.filter((p) => loaded.includes(p)), []);
  const staticImports = sources(SRC).flatMap((f) => [...readFileSync(f, "utf8").matchAll(/^import\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gm)]
    .filter((m) => LOADED_ON_FIRST_USE.some((p) => m[1] === p || m[1].startsWith(`${p}/`))).map((m) => `src/${relative(SRC, f)}: ${m[1]}`));
  assert.deepEqual(staticImports, [], "import their types only; load them with onFirstUse (src/lazy-import.ts)");
});
