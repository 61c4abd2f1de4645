/**
 * Message templates in the store (migration 020) and the words the engine
 * composes messages with: per organisation its name, its line of the day and its
 * templates (domain/templates.ts). The deciding phases read them with each
 * batch, in the batch's transaction (`loadWords`: one query for the batch's
 * organisations), so there is no cache to invalidate: a template saved by one
 * process is used by every process from its next batch on, and a message
 * composed in a batch uses the templates as they were when the batch read them.
 */
import type { DailyQuestion } from "../domain/call-script.ts";
import {
  checkTemplate, DEFAULT_TEMPLATES, hasSlot, measure, render, renderPrompt, TEMPLATE_KINDS, templateFor, TEMPLATE_SLOTS, type TemplateChannel, type TemplateKind, type TemplateMeasure,
  type TemplateProblem, type TemplateSet,
} from "../domain/templates.ts";
import type { Db } from "../store/db.ts";

/** What a message of an organisation is worded with. */
export interface OrganisationWords {
  name: string;
  lineOfTheDay?: string;
  dailyQuestions?: DailyQuestion[];
  templates: TemplateSet;
}

const NO_WORDS: OrganisationWords = { name: "", templates: {} };

/** The words of each of `organisationIds` (two queries whatever their number). */
export async function loadWords(tx: Db, organisationIds: string[]): Promise<(organisationId: string) => OrganisationWords> {
  const ids = [...new Set(organisationIds)];
  if (ids.length === 0) return () => NO_WORDS;
  const orgs = await tx.selectFrom("organisations").select(["id", "name", "settings"]).where("id", "in", ids).execute();
  const rows = await tx.selectFrom("message_templates").select(["organisation_id", "kind", "channel", "body"])
    .where("organisation_id", "in", ids).execute();
  const words = new Map<string, OrganisationWords>(orgs.map((o) => {
    const settings = o.settings as { lineOfTheDay?: string; dailyQuestions?: DailyQuestion[] };
    return [o.id, { name: o.name, lineOfTheDay: settings.lineOfTheDay, dailyQuestions: settings.dailyQuestions, templates: {} }];
  }));
  for (const r of rows) {
    const set = words.get(r.organisation_id)?.templates;
    if (!set) continue;
    const byChannel = set[r.kind] ?? {};
    byChannel[r.channel] = r.body;
    set[r.kind] = byChannel;
  }
  return (organisationId) => words.get(organisationId) ?? NO_WORDS;
}

/** One slot as the settings screen lists it: the text in use, the built-in one, and its sample rendering. */
export interface TemplateView {
  kind: TemplateKind;
  channel: TemplateChannel;
  text: string;
  defaultText: string;
  customised: boolean;
  updatedAt: Date | null;
  updatedBy: string | null;
  sample: TemplateMeasure;
}

/** Every slot (kind × channel) of the organisation, its own or the built-in template. */
export async function listTemplates(db: Db, organisationId: string): Promise<TemplateView[]> {
  const words = (await loadWords(db, [organisationId]))(organisationId);
  const rows = await db.selectFrom("message_templates").select(["kind", "channel", "updated_at", "updated_by"])
    .where("organisation_id", "=", organisationId).execute();
  const meta = new Map(rows.map((r) => [`${r.kind}:${r.channel}`, r]));
  const context = { organisation: words.name, lineOfTheDay: words.lineOfTheDay };
  return TEMPLATE_KINDS.flatMap((kind) => TEMPLATE_SLOTS[kind].map((channel) => {
    const own = words.templates[kind]?.[channel];
    const defaultText = DEFAULT_TEMPLATES[kind][channel] ?? "";
    const text = own ?? defaultText;
    const m = meta.get(`${kind}:${channel}`);
    return {
      kind, channel, text, defaultText, customised: own !== undefined, updatedAt: m?.updated_at ?? null, updatedBy: m?.updated_by ?? null,
      sample: measure(kind, channel, text, context),
    };
  }));
}

/** The check and sample rendering of a template (nothing saved). */
export async function previewTemplate(
  db: Db, organisationId: string, kind: TemplateKind, channel: TemplateChannel, text: string,
): Promise<{ problem: TemplateProblem | undefined; sample: TemplateMeasure | null }> {
  const words = (await loadWords(db, [organisationId]))(organisationId);
  const context = { organisation: words.name, lineOfTheDay: words.lineOfTheDay };
  const problem = checkTemplate(kind, channel, text, context);
  return { problem, sample: problem?.code === "no_such_template" ? null : measure(kind, channel, text, context) };
}

/** Save a template that passed `checkTemplate` (the caller checks); replaces the slot's. */
export async function setTemplate(
  db: Db, organisationId: string, kind: TemplateKind, channel: TemplateChannel, text: string, by: string, now: Date,
): Promise<void> {
  await db.insertInto("message_templates")
    .values({ organisation_id: organisationId, kind, channel, body: text, updated_at: now, updated_by: by })
    .onConflict((oc) => oc.columns(["organisation_id", "kind", "channel"]).doUpdateSet({ body: text, updated_at: now, updated_by: by }))
    .execute();
}

/** Back to the built-in template; false when the slot had none of its own. */
export async function resetTemplate(db: Db, organisationId: string, kind: TemplateKind, channel: TemplateChannel): Promise<boolean> {
  const result = await db.deleteFrom("message_templates").where("organisation_id", "=", organisationId).where("kind", "=", kind)
    .where("channel", "=", channel).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * The text of a `kind` message per channel from the organisation's templates
 * (for OutboxMessage.textFor): `values` fill the placeholders; undefined for a
 * channel the kind has no template on. Prompts add the line of the day.
 */
export function composer(words: OrganisationWords, kind: TemplateKind, values: Record<string, string>): (channel: TemplateChannel) => string | undefined {
  return (channel) => {
    if (!hasSlot(kind, channel)) return undefined;
    if (kind === "prompt") {
      return renderPrompt(words.templates, channel, { name: values.name ?? "", organisation: words.name, lineOfTheDay: words.lineOfTheDay });
    }
    return render(templateFor(words.templates, kind, channel), { organisation: words.name, ...values });
  };
}
