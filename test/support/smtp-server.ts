/**
 * A real SMTP server for tests, on 127.0.0.1 with a random port (the
 * `smtp-server` package), so mail goes through an actual SMTP dialogue —
 * EHLO, AUTH, MAIL FROM, RCPT TO, DATA — instead of a mocked transport. Every
 * message is parsed with mailparser's simpleParser before the server answers
 * 250, so once the client has its answer the mail is in `messages`.
 *
 * It can require AUTH (wrong credentials → 535), refuse recipients with 550
 * (a hard bounce) or defer them with 451 (a temporary failure). No TLS:
 * STARTTLS is disabled, plain AUTH is allowed on the cleartext connection.
 * Several connections and several messages per connection work, as nodemailer's
 * pooled transport uses them.
 */
import type { AddressInfo } from "node:net";
import { type HeaderValue, type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerError } from "smtp-server";

export interface ReceivedMail {
  /** Envelope sender (MAIL FROM), "" for the null sender. */
  from: string;
  /** Envelope recipients (RCPT TO) that were accepted. */
  to: string[];
  subject: string | undefined;
  text: string | undefined;
  html: string | undefined;
  messageId: string | undefined;
  /** mailparser's structured headers, keys lower-case (note: it gathers List-* headers under "list"). */
  headers: Map<string, HeaderValue>;
  /** Header values as written (unfolded), keys lower-case, e.g. rawHeaders.get("list-unsubscribe"). */
  rawHeaders: Map<string, string[]>;
  /** The message as sent, and its size in bytes. */
  raw: Buffer;
  size: number;
  /** The authenticated user, when AUTH was used. */
  user: string | undefined;
  receivedAt: Date;
  /** Everything else mailparser found (header From/To, attachments…). */
  parsed: ParsedMail;
}

export interface SmtpServerOptions {
  /** Require AUTH (PLAIN or LOGIN) with these credentials; without it AUTH is optional and any login is refused. */
  auth?: { user: string; pass: string };
  /** Recipients answered 550 at RCPT TO (case-insensitive). */
  rejectRecipients?: Iterable<string>;
  /** Recipients answered 451 at RCPT TO (case-insensitive). */
  deferRecipients?: Iterable<string>;
  /** SIZE limit in bytes (default 10 MB). */
  maxSize?: number;
}

export interface TestSmtpServer {
  host: string;
  port: number;
  messages: ReceivedMail[];
  /** Addresses refused or deferred at RCPT TO, in order, with the code given. */
  refused: { address: string; code: number }[];
  /** Resolves with the first mail (already received or to come) matching; rejects after timeoutMs. */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

const smtpError = (message: string, code: number): SMTPServerError => Object.assign(new Error(message), { responseCode: code });

function rawHeaders(parsed: ParsedMail): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { key, line } of parsed.headerLines) {
    const value = line.slice(line.indexOf(":") + 1).replace(/\r?\n[ \t]+/g, " ").trim();
    const list = out.get(key) ?? [];
    list.push(value);
    out.set(key, list);
  }
  return out;
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const refused: { address: string; code: number }[] = [];
  const waiters = new Set<(mail: ReceivedMail) => void>();
  const lower = (list?: Iterable<string>) => new Set([...(list ?? [])].map((a) => a.toLowerCase()));
  const rejectRecipients = lower(options.rejectRecipients);
  const deferRecipients = lower(options.deferRecipients);
  const auth = options.auth;

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    authOptional: !auth,
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    size: options.maxSize ?? 10 * 1024 * 1024,
    logger: false,
    // close() should not wait 30 s for a pooled client's idle connections.
    closeTimeout: 100,
    onAuth(login, _session, callback) {
      if (auth && login.username === auth.user && login.password === auth.pass) return callback(null, { user: login.username });
      callback(smtpError("Invalid username or password", 535));
    },
    onRcptTo(address, _session, callback) {
      const a = address.address.toLowerCase();
      if (rejectRecipients.has(a)) {
        refused.push({ address: address.address, code: 550 });
        return callback(smtpError(`Requested action not taken: mailbox unavailable <${address.address}>`, 550));
      }
      if (deferRecipients.has(a)) {
        refused.push({ address: address.address, code: 451 });
        return callback(smtpError(`Requested action aborted: try again later <${address.address}>`, 451));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", callback);
      stream.on("end", () => {
        if (stream.sizeExceeded) return callback(smtpError("Message exceeds fixed maximum message size", 552));
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then((parsed) => {
          const mailFrom = session.envelope.mailFrom;
          const mail: ReceivedMail = {
            from: mailFrom ? mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject,
            text: parsed.text,
            html: parsed.html === false ? undefined : parsed.html,
            messageId: parsed.messageId,
            headers: parsed.headers,
            rawHeaders: rawHeaders(parsed),
            raw,
            size: raw.length,
            user: typeof session.user === "string" ? session.user : undefined,
            receivedAt: new Date(),
            parsed,
          };
          messages.push(mail);
          for (const waiter of [...waiters]) waiter(mail);
          callback();
        }, (error: Error) => callback(smtpError(`cannot parse the message: ${error.message}`, 554)));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  // Errors after start (a client dropping a connection) must not crash the test run.
  server.on("error", () => {});
  const { port } = server.server.address() as AddressInfo;

  return {
    host: "127.0.0.1",
    port,
    messages,
    refused,
    waitFor(predicate, timeoutMs = 5000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<ReceivedMail>((resolve, reject) => {
        const waiter = (mail: ReceivedMail) => {
          if (!predicate(mail)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = messages.map((m) => `${m.to.join(",")}: ${m.subject ?? "(no subject)"}`);
          reject(new Error(`no matching mail within ${timeoutMs} ms; received ${messages.length}: ${JSON.stringify(seen)}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
