/** Who is signed in: a person (session cookie) or an API token; what the menu offers them. */
import { type QueryClient, useQuery } from "@tanstack/react-query";
import { api, session } from "./api.ts";

export interface Person {
  id: string;
  displayName: string;
  loginId: string;
  email: string | null;
  role: "admin" | "staff" | "watcher" | "auditor";
  teamIds: string[];
  status: "invited" | "active" | "locked" | "deactivated";
  /** Staff and admins: team alerts reach them now. */
  onDuty: boolean;
  lockedUntil: string | null;
  createdAt: string;
  createdBy: string;
}

/** Who is signed in; `timeZone` is the organisation's, in which every time is shown. */
export type Me =
  | { kind: "person"; person: Person; organisationName: string; role: Person["role"]; timeZone: string }
  | { kind: "token"; organisationName: string; role: "admin" | "staff" | "observer"; timeZone: string };

/** The zone used until the organisation says otherwise (the server's default too). */
export const DEFAULT_TIME_ZONE = "Asia/Tokyo";

/** Asks the server who this tab is: the session cookie first, then a token kept in the tab. Null when nobody. */
export async function whoAmI(): Promise<Me | null> {
  if (session.token()) {
    const org = await api<{ name: string; role: "admin" | "staff" | "observer"; timeZone?: string }>("GET", "/organisation", undefined, { quiet401: true }).catch(() => null);
    if (org) return { kind: "token", organisationName: org.name, role: org.role, timeZone: org.timeZone ?? DEFAULT_TIME_ZONE };
    session.forget();
  }
  const me = await api<{ person: Person; organisationName: string; csrfToken: string; timeZone: string }>("GET", "/session", undefined, { quiet401: true })
    .catch(() => null);
  if (!me) return null;
  session.keepCsrf(me.csrfToken);
  return { kind: "person", person: me.person, organisationName: me.organisationName, role: me.person.role, timeZone: me.timeZone };
}

export function useMe() {
  return useQuery({ queryKey: ["me"], queryFn: whoAmI, staleTime: Number.POSITIVE_INFINITY, retry: false });
}

/** After signing out (or a 401): forget the credential and every cached answer; the frame shows sign-in. */
export function signedOut(queryClient: QueryClient): void {
  session.forget();
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" });
  queryClient.setQueryData(["me"], null);
}
