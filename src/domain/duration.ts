/**
 * ISO-8601 durations as used by escalation policies and the sandbox clock
 * ("PT24H", "P1D", "PT1H30M", "PT0.5S"). Days count as 24 hours here: escalation
 * steps are elapsed time, not calendar days (calendar maths lives in schedule.ts).
 */
const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === "P" || text.endsWith("T")) return undefined;
  const [, days, hours, minutes, seconds] = match;
  const ms =
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Math.round(Number(seconds ?? 0) * 1000);
  return Number.isFinite(ms) ? ms : undefined;
}

export function isDuration(text: string): boolean {
  return parseDuration(text) !== undefined;
}
