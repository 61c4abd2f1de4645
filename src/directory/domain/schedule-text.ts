/**
 * A schedule row in Japanese words, as a resident reads it on the public
 * directory page or a printed list: 「毎週 月・水・金 9:00〜17:00（祝日は休み）」,
 * 「毎月 第2火曜 10:00〜12:00」, 「2027年6月15日（火） 14:00〜15:30」; and in English
 * for the console (describeScheduleEn). Pure.
 */
import type { ScheduleRule, Weekday } from "./schedule.ts";

const DAY_JA: Record<Weekday, string> = { MO: "月", TU: "火", WE: "水", TH: "木", FR: "金", SA: "土", SU: "日" };
const JS_DAY_JA = ["日", "月", "火", "水", "木", "金", "土"];

/** "2027-06-15" → "2027年6月15日（火）". */
export function dateJa(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  const weekday = JS_DAY_JA[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${y}年${m}月${d}日（${weekday}）`;
}

/** "09:00" → "9:00" (hours without a leading zero, as Japanese notices write them). */
function timeJa(time: string): string {
  return time.replace(/^0(\d)/, "$1");
}

function hoursJa(rule: Pick<ScheduleRule, "opens_at" | "closes_at">): string {
  if (!rule.opens_at) return "終日";
  return rule.closes_at ? `${timeJa(rule.opens_at)}〜${timeJa(rule.closes_at)}` : `${timeJa(rule.opens_at)}から`;
}

/** BYDAY's parts ("2TU,-1FR" → ordinal 2 TU, ordinal -1 FR; "MO" has none); null when one is not a weekday. */
function bydayParts(byday: string): { ordinal: number | null; day: Weekday }[] | null {
  const parts = byday.toUpperCase().replace(/\s+/g, "").split(",").map((p) => /^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$/.exec(p));
  if (parts.some((p) => !p)) return null;
  return parts.map((p) => ({ ordinal: p![1] ? Number(p![1]) : null, day: p![2] as Weekday }));
}

function bydayJa(byday: string): string {
  return bydayParts(byday)?.map(({ ordinal: n, day }) => {
    const name = DAY_JA[day];
    return n === null ? name : n === -1 ? `最終${name}曜` : n < 0 ? `最後から${-n}番目の${name}曜` : `第${n}${name}曜`;
  }).join("・") ?? byday;
}

function monthdayJa(bymonthday: string): string {
  return bymonthday.replace(/\s+/g, "").split(",").map((d) => (Number(d) === -1 ? "末日" : Number(d) < 0 ? `月末から${-Number(d)}日前` : `${Number(d)}日`)).join("・");
}

/** The row in words (Japanese), with its hours and its limits; `yearEndClosed` adds 年末年始 when it recurs. */
export function describeSchedule(rule: ScheduleRule, yearEndClosed = true): string {
  const hours = hoursJa(rule);
  if (rule.freq === null) return `${rule.dtstart ? dateJa(rule.dtstart) : "日程未定"} ${hours}`;
  const interval = rule.interval ?? 1;
  let when: string;
  if (rule.freq === "WEEKLY") {
    const days = rule.byday ? bydayJa(rule.byday) : rule.dtstart ? JS_DAY_JA[new Date(`${rule.dtstart}T00:00:00Z`).getUTCDay()] : "";
    when = `${interval === 1 ? "毎週" : interval === 2 ? "隔週" : `${interval}週ごと`} ${days}`;
  } else {
    const days = rule.byday ? bydayJa(rule.byday) : rule.bymonthday ? monthdayJa(rule.bymonthday) : rule.dtstart ? `${Number(rule.dtstart.slice(8))}日` : "";
    when = `${interval === 1 ? "毎月" : `${interval}か月ごと`} ${days}`;
  }
  const notes: string[] = [];
  if (rule.closed_on_holidays) notes.push("祝日は休み");
  if (yearEndClosed) notes.push("年末年始は休み");
  if (rule.until) notes.push(`${dateJa(rule.until)}まで`);
  if (rule.count !== null) notes.push(`全${rule.count}回`);
  if (rule.valid_from) notes.push(`${dateJa(rule.valid_from)}から`);
  if (rule.valid_to) notes.push(`${dateJa(rule.valid_to)}まで`);
  return `${when} ${hours}${notes.length ? `（${notes.join("・")}）` : ""}`;
}

const DAY_EN: Record<Weekday, string> = { MO: "Mon", TU: "Tue", WE: "Wed", TH: "Thu", FR: "Fri", SA: "Sat", SU: "Sun" };
const JS_DAY_EN = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const ORDINAL_EN = ["", "1st", "2nd", "3rd", "4th", "5th"];

/** "2027-06-15" → "Tue 15 June 2027". */
export function dateEn(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  return `${JS_DAY_EN[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]} ${d} ${MONTH_EN[m - 1]} ${y}`;
}

function hoursEn(rule: Pick<ScheduleRule, "opens_at" | "closes_at">): string {
  if (!rule.opens_at) return "all day";
  return rule.closes_at ? `${timeJa(rule.opens_at)}–${timeJa(rule.closes_at)}` : `from ${timeJa(rule.opens_at)}`;
}

function bydayEn(byday: string): string {
  return bydayParts(byday)?.map(({ ordinal: n, day }) => {
    const name = DAY_EN[day];
    return n === null ? name : n === -1 ? `the last ${name}` : n < 0 ? `the ${ORDINAL_EN[-n]} ${name} from the end` : `the ${ORDINAL_EN[n]} ${name}`;
  }).join(", ") ?? byday;
}

function monthdayEn(bymonthday: string): string {
  return bymonthday.replace(/\s+/g, "").split(",")
    .map((d) => (Number(d) === -1 ? "the last day" : Number(d) < 0 ? `${-Number(d)} days before the month's end` : `day ${Number(d)}`)).join(", ");
}

/** The row in English words, as describeSchedule says it in Japanese: "Every month on the 2nd Tue, 10:00–12:00 (…)". */
export function describeScheduleEn(rule: ScheduleRule, yearEndClosed = true): string {
  const hours = hoursEn(rule);
  if (rule.freq === null) return `${rule.dtstart ? dateEn(rule.dtstart) : "Date not set"}, ${hours}`;
  const interval = rule.interval ?? 1;
  let when: string;
  if (rule.freq === "WEEKLY") {
    const days = rule.byday ? bydayEn(rule.byday) : rule.dtstart ? JS_DAY_EN[new Date(`${rule.dtstart}T00:00:00Z`).getUTCDay()] : "";
    when = `${interval === 1 ? "Every week" : interval === 2 ? "Every other week" : `Every ${interval} weeks`} on ${days}`;
  } else {
    const days = rule.byday ? bydayEn(rule.byday) : rule.bymonthday ? monthdayEn(rule.bymonthday) : rule.dtstart ? `day ${Number(rule.dtstart.slice(8))}` : "";
    when = `${interval === 1 ? "Every month" : `Every ${interval} months`} on ${days}`;
  }
  const notes: string[] = [];
  if (rule.closed_on_holidays) notes.push("closed on public holidays");
  if (yearEndClosed) notes.push("closed over the New Year");
  if (rule.until) notes.push(`until ${dateEn(rule.until)}`);
  if (rule.count !== null) notes.push(`${rule.count} times in all`);
  if (rule.valid_from) notes.push(`from ${dateEn(rule.valid_from)}`);
  if (rule.valid_to) notes.push(`until ${dateEn(rule.valid_to)}`);
  return `${when}, ${hours}${notes.length ? ` (${notes.join("; ")})` : ""}`;
}
