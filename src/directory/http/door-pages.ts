/**
 * The door page of an activity (/attend/{token}, engine/door.ts): a poster's QR
 * code opens it; a member keys in their 見守り番号 to say they came. Japanese
 * first with English beside, large type, no JavaScript, no external assets, as
 * the provider's update page (provider-update-pages.ts, whose style it shares).
 * The answer to a number is the same page whether it matched or not, so the page
 * tells nobody which numbers exist.
 */
import type { FastifyInstance } from "fastify";
import { auditAs } from "../../http/audit.ts";
import { escapeHtml, publicPage } from "../../domain/html.ts";
import type { Services } from "../../http/services.ts";
import { activityTitle } from "../domain/activities.ts";
import { DIRECTORY_TIME_ZONE } from "../domain/schedule.ts";
import { attendAtDoor, type DoorOccurrence, type DoorProblem, openDoorLink } from "../engine/door.ts";
import type { MemberByRegistrationNumber } from "../engine/ports.ts";
import { type PageProblem, problemPageFrom, type PublicPage, sendPage } from "../../http/public-pages.ts";
import { privatePageScope } from "./private-pages.ts";
import { PAGE_CSS } from "./provider-update-pages.ts";

/** Larger still than the provider's page: read at arm's length, at the door, by older people. */
const CSS = `${PAGE_CSS}
body{font-size:1.4rem}
h1{font-size:1.9rem}
.when{font-size:1.35rem;font-weight:700;margin:.25rem 0 1rem}
input[type=text]{font-size:1.8rem;letter-spacing:.1em;padding:.8rem}
button{font-size:1.6rem;padding:1.2rem}
`;
const FORM_LIMIT = 2 * 1024;
/** Longest text taken as a number (a keyholder's is 4–16 letters or digits, with spaces or hyphens at most doubling it). */
const NUMBER_MAX = 40;

const layout = (title: string, body: string) => publicPage(title, CSS, body, "ja", { noindex: true });
const v = escapeHtml;

/** "2027年1月4日（月）10:00〜12:00" in Tokyo time; the date alone for an all-day occurrence. */
export function occurrenceWhen(door: Pick<DoorOccurrence, "occurrence">): string {
  const o = door.occurrence;
  const day = new Intl.DateTimeFormat("ja-JP", { timeZone: DIRECTORY_TIME_ZONE, year: "numeric", month: "long", day: "numeric" }).format(o.start);
  const weekday = new Intl.DateTimeFormat("ja-JP", { timeZone: DIRECTORY_TIME_ZONE, weekday: "short" }).format(o.start);
  if (o.all_day) return `${day}（${weekday}）`;
  const time = new Intl.DateTimeFormat("ja-JP", { timeZone: DIRECTORY_TIME_ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return `${day}（${weekday}）${time.format(o.start)}〜${time.format(o.end)}`;
}

/** The activity's name as the page and the poster show it. */
export function activityName(door: Pick<DoorOccurrence, "activity">): string {
  return activityTitle(door.activity, "地域の活動");
}

function heading(door: DoorOccurrence): string {
  return `<h1>${v(activityName(door))}<span class="en" lang="en">Attendance</span></h1>
<p class="when">${v(occurrenceWhen(door))}${door.activity.locationName ? `　${v(door.activity.locationName)}` : ""}</p>`;
}

/** The form: the member's number, with the error when it was sent empty. */
export function doorFormPage(token: string, door: DoorOccurrence, error = false): PublicPage {
  const described = error ? ` aria-describedby="number-error" aria-invalid="true"` : ` aria-describedby="number-hint"`;
  const body = `${heading(door)}
<p>来られた方は、見守り番号を入れて「参加を伝える」を押してください。</p>
<p class="hint" lang="en">If you came today, key in your 見守り番号 and press the button.</p>
<form method="post" action="/attend/${v(token)}">
<label for="number">見守り番号<span class="en" lang="en">Your 見守り番号 (the number on your keyholder or card)</span></label>
<p class="hint" id="number-hint">キーホルダーやカードに書いてある番号です。</p>
${error ? `<p class="error" id="number-error">番号を入れてください。<span class="en" lang="en">Please key in your number.</span></p>` : ""}<input type="text" id="number" name="number" inputmode="text" autocapitalize="characters" autocorrect="off" spellcheck="false" autocomplete="off" maxlength="${NUMBER_MAX}"${described}>
<button type="submit">参加を伝える<span class="en" lang="en">I am here</span></button>
</form>
<footer>番号がわからないときは、係の人に声をかけてください。<span lang="en">If you do not know your number, please ask the staff.</span></footer>`;
  return { status: error ? 400 : 200, html: layout(`参加の受付 | ${activityName(door)}`, body) };
}

/** The answer to a number: the same whether it matched a member or not. */
export function doorThanksPage(door: DoorOccurrence): PublicPage {
  return {
    status: 200,
    html: layout("受け付けました", `${heading(door)}
<section class="done" aria-labelledby="done-title"><h2 id="done-title">受け付けました。ありがとうございます。<span class="en" lang="en">Received. Thank you.</span></h2>
<p>番号が登録と合っていれば、今日の参加として記録されます。</p>
<p class="hint" lang="en">If the number matches our records, today's attendance is recorded.</p>
<p>記録されたか気になるときは、係の人に声をかけてください。</p>
<p class="hint" lang="en">To make sure, please ask the staff.</p></section>`),
  };
}

const PROBLEM: Record<DoorProblem | "too_many" | "error", PageProblem> = {
  unknown: { status: 404, ja: "この受付は見つかりません。係の人に声をかけてください。", en: "This page is not known. Please ask the staff." },
  not_yet: { status: 410, ja: "この受付は、活動の当日から使えます。", en: "This page opens on the day of the activity." },
  expired: { status: 410, ja: "この受付は終わりました（活動の当日だけ使えます）。", en: "This page has closed: it works on the day of the activity only." },
  cancelled: { status: 410, ja: "この回はお休みになりました。", en: "This session does not take place." },
  too_many: { status: 429, ja: "いまは受け付けられません。少し待ってから、もう一度お試しください。係の人にも声をかけてください。", en: "Too many tries just now. Please wait a little and try again, or ask the staff." },
  error: { status: 500, ja: "ただいま受け付けられません。係の人に声をかけてください。", en: "We cannot take this now. Please ask the staff." },
};

export const doorProblemPage = problemPageFrom(PROBLEM, layout, "参加の受付");

/** The door page's routes, outside /api/v1 (no account); `lookup` is the directory's port to the 見守り番号. */
export function doorPages(lookup: MemberByRegistrationNumber | undefined) {
  return async (app: FastifyInstance, s: Services): Promise<void> => {
    const options = { schema: { hide: true } } as const;
    await privatePageScope(app, { formLimit: FORM_LIMIT, what: "door page", problem: (kind) => doorProblemPage(kind) }, (scope) => {
      scope.get<{ Params: { token: string } }>("/attend/:token", options, async (request, reply) => {
        await s.clock.refresh();
        const door = await openDoorLink(s.db, request.params.token, s.clock.now());
        if ("problem" in door) return sendPage(reply, doorProblemPage(door.problem));
        return sendPage(reply, doorFormPage(request.params.token, door));
      });

      scope.post<{ Params: { token: string } }>("/attend/:token", options, async (request, reply) => {
        await s.clock.refresh();
        const token = request.params.token;
        const body = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
        const number = (body.get("number") ?? "").trim().slice(0, NUMBER_MAX);
        if (!lookup) return sendPage(reply, doorProblemPage("unknown"));
        if (number === "") {
          const door = await openDoorLink(s.db, token, s.clock.now());
          return sendPage(reply, "problem" in door ? doorProblemPage(door.problem) : doorFormPage(token, door, true));
        }
        const result = await attendAtDoor(s.db, token, number, lookup, s.clock.now());
        if ("problem" in result) return sendPage(reply, doorProblemPage(result.problem));
        const { door, outcome, attendance } = result;
        await auditAs(s.db, request, door.link.organisationId, `door:${door.link.id}`, "directory_attendance.door", "directory_schedule", door.link.scheduleId, {
          doorLinkId: door.link.id, occursOn: door.link.occursOn, outcome,
          ...(attendance ? { attendanceId: attendance.id, memberId: attendance.memberId, signOfLife: attendance.signOfLifeAt !== null } : {}),
        });
        return sendPage(reply, outcome === "too_many" ? doorProblemPage("too_many") : doorThanksPage(door));
      });
    });
  };
}
