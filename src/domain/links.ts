/**
 * What a one-tap link (SMS, e-mail: the web check-in page) is for, and the
 * buttons each kind of link offers. How links are issued and used is
 * engine/links.ts.
 */
export const LINK_ACTIONS = {
  checkin: ["ok", "need_contact"],
  alert: ["ack", "safe", "pass"],
  confirm_contact: ["confirm"],
  broadcast: ["safe", "need_help"],
  /** A new version of the terms of use (domain/terms.ts): the page shows them, the button records the agreement. */
  terms: ["agree"],
} as const;
export type LinkPurpose = keyof typeof LINK_ACTIONS;
export type LinkAction = (typeof LINK_ACTIONS)[LinkPurpose][number];

/** Whether `action` is one of the buttons a link of `purpose` offers. */
export function isActionOf(purpose: LinkPurpose, action: string): action is LinkAction {
  return (LINK_ACTIONS[purpose] as readonly string[]).includes(action);
}
