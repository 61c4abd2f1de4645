/**
 * Member search without reading every member (issue 11: a console search answers
 * p95 < 200 ms at 100,000 members; a substring match read them all, 465–490 ms on
 * a loaded machine).
 *
 * - The `pg_trgm` extension (trusted since PostgreSQL 13: a database owner may
 *   create it; PGlite loads it through its `extensions` option, store/db.ts). It
 *   goes into `public` when no schema has it yet, so dropping a tenant's or a
 *   test's schema never drops it; the index names its operator class in whatever
 *   schema holds it.
 * - `member_search`: per member, MEMBER_SEARCH_TEXT — every field the console's
 *   search reads, lower-cased, one per line — with a trigram GIN index. A search
 *   narrows by it first (`like`, through the index; engine/members.ts) and then
 *   applies its own field-by-field conditions to the members found, so what it
 *   finds is unchanged.
 * - Kept by a trigger on members that fires only when a statement sets one of
 *   those fields: a table of its own, not an index on members, because the
 *   scheduler rewrites every member it prompts (next due time) and a trigram index
 *   on members made each such update ~75% dearer (100,000 updates: 11.4 s instead
 *   of 6.5 s, loaded machine, 2026-12-01). Like an index, it is derived data: no
 *   command writes it.
 */
import type { Migration } from "../migrations.ts";

/**
 * A member's search text, from the members row `r`: name, furigana, external
 * number, phone, channels (as JSON text: the search has always matched it whole),
 * lower-cased, one per line. Every field the search compares is a line of it, and
 * `lower` maps character by character, so a field that matches a pattern
 * case-insensitively makes this text match the lower-cased pattern. The member's
 * id is not in it (an id is found by equality).
 */
const searchText = (r: string) =>
  `lower(${r}.display_name || chr(10) || coalesce(${r}.display_name_kana, '') || chr(10) || coalesce(${r}.external_id, '') || chr(10) || coalesce(${r}.personal->>'phone', '') || chr(10) || ${r}.channels::text)`;

export const memberSearchMigration: Migration = {
  id: 15,
  name: "member-search",
  // One line per statement (bodies included): the runner splits at a semicolon that ends a line.
  sql: `
do $$ begin if not exists (select 1 from pg_extension where extname = 'pg_trgm') then create extension pg_trgm schema public; end if; end $$;
create table member_search (
  member_id uuid not null,
  organisation_id uuid not null,
  text text not null,
  primary key (member_id, organisation_id),
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade
);
insert into member_search (member_id, organisation_id, text) select m.id, m.organisation_id, ${searchText("m")} from members m;
do $$ begin execute format('create index member_search_text on member_search using gin (text %I.gin_trgm_ops)', (select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm')); end $$;
create function member_search_keep() returns trigger language plpgsql as $f$ begin insert into member_search (member_id, organisation_id, text) values (new.id, new.organisation_id, ${searchText("new")}) on conflict (member_id, organisation_id) do update set text = excluded.text; return null; end $f$;
create trigger members_search_keep after insert or update of display_name, display_name_kana, external_id, personal, channels on members for each row execute function member_search_keep();
`,
};
