/**
 * A schedule row in Japanese words, as a resident reads it on the public
 * directory page or a printed list: 「毎週 月・水・金 9:00〜17:00（祝日は休み）」,
 * 「毎月 第2火曜 10:00〜12:00」, 「2027年6月15日（火） 14:00〜15:30」. Pure.
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

function bydayJa(byday: string): string {
  const parts = byday.toUpperCase().replace(/\s+/g, "").split(",").map((p) => /^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$/.exec(p));
  if (parts.some((p) => !p)) return byday;
  return parts.map((p) => {
    const [, ordinal, day] = p as RegExpExecArray;
    const name = DAY_JA[day as Weekday];
    if (!ordinal) return name;
    const n = Number(ordinal);
    return n === -1 ? `最終${name}曜` : n < 0 ? `最後から${-n}番目の${name}曜` : `第${n}${name}曜`;
  }).join("・");
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
