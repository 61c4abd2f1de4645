/** The console's few paths, kept in the address bar (the server answers index.html for each). */
import { useEffect, useState } from "react";

export const SCREENS = ["today", "incidents", "concerns", "members", "broadcasts", "groups", "visits", "help", "people", "reports", "devices", "partner-registry", "resources", "providers", "needs", "volunteers", "activities", "handover", "lookup", "settings", "audit", "tokens", "duty", "sessions", "passkeys", "invite"] as const;
export type Screen = (typeof SCREENS)[number];

function screenOf(pathname: string): Screen | null {
  const first = pathname.split("/")[1] as Screen;
  return SCREENS.includes(first) ? first : null;
}

export function navigate(path: string): void {
  history.pushState(null, "", path);
  dispatchEvent(new PopStateEvent("popstate"));
}

/** The screen the address names (null: none named), following back and forward. */
export function useScreen(): Screen | null {
  const [screen, setScreen] = useState(() => screenOf(location.pathname));
  useEffect(() => {
    const update = () => setScreen(screenOf(location.pathname));
    addEventListener("popstate", update);
    return () => removeEventListener("popstate", update);
  }, []);
  return screen;
}

/** The second part of the path (/members/<id>), following back and forward; null when there is none. */
const subpathOf = (pathname: string) => decodeURIComponent(pathname.split("/")[2] ?? "") || null;

export function useSubpath(): string | null {
  const [sub, setSub] = useState(() => subpathOf(location.pathname));
  useEffect(() => {
    const update = () => setSub(subpathOf(location.pathname));
    addEventListener("popstate", update);
    return () => removeEventListener("popstate", update);
  }, []);
  return sub;
}
