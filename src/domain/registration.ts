/**
 * The registration conversation a member has after adding the bot as a friend:
 * consent to the terms (the version is recorded), interval, weekday, time of day,
 * an optional name. No typing is needed (every step offers choices) and no
 * personal information is required. Pure: state + input → state + what to say.
 * Channel code turns `Say` into buttons or quick replies.
 */
import { INTERVALS, type Interval } from "./schedule.ts";

export interface Choice {
  label: string;
  /** Sent back when chosen (a postback), e.g. "a=reg&reg=every&v=1d". */
  data: string;
}

export interface Say {
  text: string;
  choices: Choice[];
}

export type RegistrationStep = "consent" | "every" | "weekday" | "at" | "name";

export interface RegistrationState {
  /** "change": a registered member changing interval and time (no consent, no name). */
  mode?: "register" | "change";
  step: RegistrationStep;
  termsVersion: string;
  consentedAt?: string;
  every?: Interval;
  weekday?: number;
  at?: string;
}

export type RegistrationInput =
  | { type: "start" }
  | { type: "choice"; params: Record<string, string> }
  | { type: "text"; text: string };

export interface Registered {
  every: Interval;
  weekday?: number;
  at: string;
  /** Absent when a registered member only changed their plan. */
  displayName?: string;
  consent?: Consent;
}

/** The terms a member accepted: their version and when (ISO 8601). */
export interface Consent {
  termsVersion: string;
  at: string;
}

export type RegistrationResult =
  | { state: RegistrationState; say: Say[] }
  | { state: null; say: Say[]; registered: Registered }
  | { state: null; say: Say[]; declined: true };

const EVERY_LABELS: Record<Interval, string> = {
  "1d": "毎日", "2d": "2日ごと", "3d": "3日ごと", "5d": "5日ごと", "30d": "30日ごと", weekly: "毎週", biweekly: "隔週",
};
export const WEEKDAY_LABELS = ["月", "火", "水", "木", "金", "土", "日"];
export const TIME_CHOICES = ["06:00", "07:00", "08:00", "09:00", "10:00", "11:00", "12:00", "15:00", "18:00", "20:00"];
export const DEFAULT_NAME = "LINEの利用者";

export function intervalLabel(every: Interval, weekday?: number): string {
  const base = EVERY_LABELS[every];
  return weekday ? `${base}${WEEKDAY_LABELS[weekday - 1]}曜日` : base;
}

function ask(step: RegistrationStep, termsVersion: string, termsUrl: string | undefined): Say {
  switch (step) {
    case "consent":
      return {
        text: `友だち追加ありがとうございます。見守りサービスです。\nご利用には利用規約（第${termsVersion}版）への同意が必要です。${termsUrl ? `\n${termsUrl}` : ""}\n` +
          "Thank you for adding us. Please agree to the terms of use to start.",
        choices: [{ label: "同意する", data: "a=reg&reg=consent&v=yes" }, { label: "同意しない", data: "a=reg&reg=consent&v=no" }],
      };
    case "every":
      return {
        text: "安否確認のメッセージをどのくらいの間隔で送りましょうか？\nHow often should we check in?",
        choices: INTERVALS.map((every) => ({ label: EVERY_LABELS[every], data: `a=reg&reg=every&v=${every}` })),
      };
    case "weekday":
      return {
        text: "何曜日に送りましょうか？\nOn which day of the week?",
        choices: WEEKDAY_LABELS.map((label, i) => ({ label: `${label}曜日`, data: `a=reg&reg=weekday&v=${i + 1}` })),
      };
    case "at":
      return {
        text: "何時ごろに送りましょうか？\nAt what time?",
        choices: TIME_CHOICES.map((at) => ({ label: at, data: `a=reg&reg=at&v=${at}` })),
      };
    case "name":
      return {
        text: "お名前（ニックネームでも構いません）を送ってください。登録しない場合は「スキップ」を押してください。\n" +
          "Send a name or nickname, or skip.",
        choices: [{ label: "スキップ", data: "a=reg&reg=name&v=" }],
      };
  }
}

/** A registered member changes interval and time. */
export function startChange(termsVersion: string): RegistrationResult {
  const state: RegistrationState = { mode: "change", step: "every", termsVersion };
  return { state, say: [ask("every", termsVersion, undefined)] };
}

export function startRegistration(termsVersion: string, termsUrl?: string): RegistrationResult {
  const state: RegistrationState = { step: "consent", termsVersion };
  return { state, say: [ask("consent", termsVersion, termsUrl)] };
}

/** Advance the conversation; an unexpected input repeats the current question. */
export function continueRegistration(state: RegistrationState, input: RegistrationInput, now: Date, termsUrl?: string): RegistrationResult {
  const again = (): RegistrationResult => ({ state, say: [ask(state.step, state.termsVersion, termsUrl)] });
  const next = (s: RegistrationState): RegistrationResult => ({ state: s, say: [ask(s.step, s.termsVersion, termsUrl)] });
  if (input.type === "start") return again();
  const value = input.type === "choice" && input.params.reg === state.step ? input.params.v : undefined;

  switch (state.step) {
    case "consent":
      if (value === "yes") return next({ ...state, step: "every", consentedAt: now.toISOString() });
      if (value === "no") {
        return {
          state: null, declined: true,
          say: [{ text: "承知しました。同意いただける場合は「登録」と送ってください。\nSend 「登録」 whenever you want to start.", choices: [{ label: "登録", data: "a=reg&reg=start" }] }],
        };
      }
      return again();
    case "every": {
      const every = INTERVALS.find((i) => i === value);
      if (!every) return again();
      const weekly = every === "weekly" || every === "biweekly";
      return next({ ...state, every, step: weekly ? "weekday" : "at" });
    }
    case "weekday": {
      const weekday = Number(value);
      if (!(weekday >= 1 && weekday <= 7)) return again();
      return next({ ...state, weekday, step: "at" });
    }
    case "at": {
      if (!value || !TIME_CHOICES.includes(value)) return again();
      if (state.mode !== "change") return next({ ...state, at: value, step: "name" });
      const every = state.every as Interval;
      const registered: Registered = { every, at: value, ...(state.weekday ? { weekday: state.weekday } : {}) };
      return {
        state: null, registered,
        say: [{ text: `変更しました。${intervalLabel(every, state.weekday)} ${value} ごろに送ります。
Changed.`, choices: [] }],
      };
    }
    case "name": {
      const typed = input.type === "text" ? input.text.trim().slice(0, 50) : undefined;
      if (value === undefined && !typed) return again();
      const displayName = typed || DEFAULT_NAME;
      const registered: Registered = {
        every: state.every as Interval, at: state.at as string, displayName,
        ...(state.weekday ? { weekday: state.weekday } : {}),
        consent: { termsVersion: state.termsVersion, at: state.consentedAt as string },
      };
      return {
        state: null, registered,
        say: [{
          text: `登録が完了しました。${intervalLabel(registered.every, registered.weekday)} ${registered.at} ごろにメッセージを送ります。\n` +
            "「次回」で次の確認日時、「休止」でお休み、「変更」で間隔や時刻の変更ができます。「連絡先」で見守る方を招待できます。\n" +
            "Registered. Send 次回 (next), 休止 (pause), 変更 (change) or 連絡先 (invite a contact) at any time.",
          choices: [],
        }],
      };
    }
  }
}
