/**
 * The console's only way to the server: the public /api/v1, as any client uses
 * it. A person signs in with a session cookie (HttpOnly: this code never sees
 * it) and sends the session's CSRF token on every write; an API token (the
 * admin token printed at first start) is kept for the browser tab only and
 * sent as a bearer token. Failures carry the API's stable error `code`, which
 * the screens turn into a sentence (errors.<code>), never the server's message.
 */
const TOKEN_KEY = "mimamori.token";
const CSRF_KEY = "mimamori.csrf";

export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  /** Every refused field with its own code (the API's `fields`), when the API gave them. */
  readonly fields: { field: string; code: string }[];
  constructor(status: number, code: string, message: string, field?: string, fields: { field: string; code: string }[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.fields = fields;
  }
}

let onUnauthorized: () => void = () => {};

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  /** Signed in with an API token (kept for this tab only). */
  keepToken(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.removeItem(CSRF_KEY);
  },
  /** Signed in as a person: the cookie is the server's; the CSRF token goes with every write. */
  keepCsrf(csrf: string): void {
    sessionStorage.setItem(CSRF_KEY, csrf);
    sessionStorage.removeItem(TOKEN_KEY);
  },
  forget(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(CSRF_KEY);
  },
  /** Called when the server answers 401: the screens go back to sign-in. */
  onUnauthorized(listener: () => void): void {
    onUnauthorized = listener;
  },
};

function headers(method: string, body: boolean): Record<string, string> {
  const token = session.token();
  const csrf = sessionStorage.getItem(CSRF_KEY);
  return {
    accept: "application/json",
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(!token && csrf && method !== "GET" ? { "x-csrf-token": csrf } : {}),
    ...(body ? { "content-type": "application/json" } : {}),
  };
}

/**
 * Calls /api/v1; resolves to the parsed body, rejects with ApiFailure (code
 * `network` when the server is unreachable). `quiet401`: a 401 is the answer
 * looked for (is anyone signed in?), not a reason to leave the screen.
 */
export async function api<T>(method: string, path: string, body?: unknown, options: { quiet401?: boolean } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method, headers: headers(method, body !== undefined), credentials: "same-origin", ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiFailure(0, "network", "the server could not be reached");
  }
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; field?: string; fields?: { field: string; code: string }[] } } | undefined)
      ?.error;
    if (response.status === 401 && !options.quiet401) onUnauthorized();
    throw new ApiFailure(response.status, error?.code ?? "generic", error?.message ?? response.statusText, error?.field, error?.fields);
  }
  return parsed as T;
}

/**
 * Downloads a file the API answers (an export) and hands it to the browser as
 * a download named as the server says; rejects with ApiFailure like `api`.
 * Returns the file's name.
 */
export async function download(path: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { headers: { ...headers("GET", false), accept: "*/*" }, credentials: "same-origin" });
  } catch {
    throw new ApiFailure(0, "network", "the server could not be reached");
  }
  if (!response.ok) {
    const parsed = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string; field?: string } } | undefined;
    if (response.status === 401) onUnauthorized();
    throw new ApiFailure(response.status, parsed?.error?.code ?? "generic", parsed?.error?.message ?? response.statusText, parsed?.error?.field);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "download";
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

/**
 * Follows a server-sent event stream of /api/v1 (fetch, so a bearer token can
 * go along; a session's cookie goes anyway), reconnecting after a pause when it
 * drops, until `signal` aborts. `onEvent(name, data)` for each event; `onState`
 * says whether it is connected.
 */
export async function followEvents(
  path: string, signal: AbortSignal, onEvent: (name: string, data: string) => void, onState: (connected: boolean) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      const response = await fetch(`/api/v1${path}`, { headers: { ...headers("GET", false), accept: "text/event-stream" }, credentials: "same-origin", signal });
      if (response.status === 401) {
        onUnauthorized();
        return;
      }
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          let name = "message";
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) name = line.slice(6).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
          }
          if (data.length) {
            if (name === "ready") onState(true);
            onEvent(name, data.join("\n"));
          }
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    onState(false);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
