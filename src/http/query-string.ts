/**
 * The query string as the application reads it: `a=1&a=2&b` → `{a: ["1", "2"], b: ""}`,
 * `+` as a space, like Fastify's own parser — but a parameter whose percent-encoding
 * is broken (`%zz`, a cut `%E0%A4%A`, or the encoded surrogate `%ED%A0%80`) is not
 * silently read as something else: its name is listed under {@link UNDECODABLE},
 * and the request is refused with `invalid_url` naming it (app.ts).
 */

/** The names of the parameters that could not be decoded (a symbol: no schema sees it). */
export const UNDECODABLE = Symbol("undecodable query parameters");

export type ParsedQuery = Record<string, string | string[]> & { [UNDECODABLE]?: string[] };

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** Parses a query string (without `?`); never throws. */
export function parseQueryString(query: string): ParsedQuery {
  const values = new Map<string, string[]>();
  const undecodable: string[] = [];
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const rawName = at < 0 ? pair : pair.slice(0, at);
    const name = decode(rawName);
    const value = at < 0 ? "" : decode(pair.slice(at + 1));
    if (name === undefined || value === undefined) {
      undecodable.push(name ?? "<name>");
      continue;
    }
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const parsed: ParsedQuery = Object.fromEntries([...values].map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
  if (undecodable.length) parsed[UNDECODABLE] = undecodable;
  return parsed;
}
