/**
 * E-mail over the organisation's SMTP server with nodemailer (pooled: one set of
 * connections per organisation, reused). Every mail has a plain-text part and a
 * simple HTML part; a message that asks something carries its one-tap link.
 * The Message-ID is derived from the idempotency key, so a mail sent again after
 * a crash is recognisably the same mail. A permanent SMTP refusal (5xx, a hard
 * bounce) moves the message to the recipient's next channel; 4xx and broken
 * connections are tried again.
 */
import { createHash } from "node:crypto";
import type { Transporter } from "nodemailer";
import { onFirstUse } from "../../lazy-import.ts";
import { brandText } from "../../domain/branding.ts";
import { broadcastEmail, contentOf } from "../../domain/broadcasts.ts";
import type { AccountLookup, Channel, DeliveryResult, EmailCredentials, EmailSettings, OneTapLinks, OutgoingMessage } from "../../engine/ports.ts";
import { escapeHtml } from "../../domain/html.ts";

/** nodemailer, loaded when an organisation first sends e-mail (src/lazy-import.ts). */
const nodemailer = onFirstUse(async () => (await import("nodemailer")).default);

export type EmailAccount = AccountLookup<"email">;

const SUBJECTS: Record<string, string> = {
  prompt: "【見守り】確認のお願い / Your check-in",
  resend: "【見守り】まだ確認ができていません / We have not heard from you",
  alert: "【見守り】応答がありません / No answer",
  contact_request: "【見守り】連絡の希望がありました / Asked to be contacted",
  member_answered: "【見守り】応答がありました / The member answered",
  contact_confirm: "【見守り】連絡先ご登録の確認 / Please confirm you are a contact",
  broadcast: "【見守り】お知らせ / Notice",
  person_invitation: "【見守り】管理画面へのご招待 / Your invitation to the Mimamori console",
  monthly_report: "【見守り】月次報告 / Monthly report",
  terms_request: "【見守り】利用規約改定のお知らせ / Our terms of use have changed",
  device_silent: "【見守り】機器からの連絡が途絶えています / A device stopped reporting",
};

const LINK_LABELS: Record<string, string> = {
  prompt: "こちらから回答してください / Answer here",
  resend: "こちらから回答してください / Answer here",
  alert: "対応する・無事を知らせる / Respond",
  contact_request: "対応する / Respond",
  contact_confirm: "登録を確認する / Confirm",
  broadcast: "回答する / Answer",
  terms_request: "規約を読んで同意する / Read and agree",
  person_invitation: "アカウントを登録する / Register your account",
  monthly_report: "管理画面の「報告」を開く / Open Reports in the console",
};

/** Kinds whose mail carries its own link (a console page) in `payload.url`, not a one-tap link. */
const OWN_LINK_KINDS = new Set(["person_invitation", "monthly_report", "person_message"]);

/** Kinds whose mail names its own subject (`payload.subject`) and link label (`payload.linkLabel`): a monthly report, a context's message to a person. */
const OWN_SUBJECT_KINDS = new Set(["monthly_report", "person_message"]);

/** A file a message carries (engine/report-mail.ts: the monthly report as xlsx), base64 in the outbox row's payload. */
export interface MailAttachment { filename: string; contentType: string; contentBase64: string }

/** The attachments of `payload.attachments` that are well-formed; anything else is left out. */
export function attachmentsOf(payload: Record<string, unknown>): MailAttachment[] {
  const list = Array.isArray(payload.attachments) ? payload.attachments as unknown[] : [];
  return list.filter((a): a is MailAttachment => {
    const x = a as Partial<MailAttachment> | null;
    return !!x && typeof x.filename === "string" && typeof x.contentType === "string" && typeof x.contentBase64 === "string";
  });
}


export function composeEmail(m: OutgoingMessage, oneTapLink: string | undefined) {
  // An invitation or a monthly report carries its own link (the console's page), not a one-tap link.
  const ownUrl = OWN_LINK_KINDS.has(m.kind) && typeof m.payload.url === "string" ? m.payload.url : undefined;
  const link = oneTapLink ?? ownUrl;
  // A monthly report names its organisation and month in the subject (domain/report-mail.ts); a context's message to a person says what it is about.
  const ownSubject = OWN_SUBJECT_KINDS.has(m.kind) && typeof m.payload.subject === "string" ? m.payload.subject : undefined;
  const ownLabel = OWN_SUBJECT_KINDS.has(m.kind) && typeof m.payload.linkLabel === "string" ? m.payload.linkLabel : undefined;
  // A broadcast's subject, text and link label are rendered by domain/broadcasts.ts (the preview shows the same).
  const content = m.kind === "broadcast" ? contentOf(m.payload) : undefined;
  const rendered = content ? broadcastEmail(content, link) : undefined;
  // The organisation's service name replaces 【見守り】 (domain/branding.ts).
  const subject = brandText(ownSubject ?? rendered?.subject ?? SUBJECTS[m.kind] ?? SUBJECTS.broadcast, m.serviceName);
  const label = rendered?.linkLabel ?? ownLabel ?? LINK_LABELS[m.kind] ?? LINK_LABELS.broadcast;
  const text = rendered?.text ?? (link ? `${m.text}\n\n${label}:\n${link}\n` : `${m.text}\n`);
  // A monthly report's figures are lines of "label: value" under each team: kept as written, one block, not a paragraph a line.
  const paragraphs = m.kind === "monthly_report"
    ? `<pre style="font-family:sans-serif;font-size:16px;line-height:1.5;white-space:pre-wrap">${escapeHtml(m.text)}</pre>`
    : m.text.split("\n").map((line) => `<p style="font-size:18px;line-height:1.6">${escapeHtml(line)}</p>`).join("");
  const button = link
    ? `<p><a href="${escapeHtml(link)}" style="display:inline-block;padding:16px 28px;font-size:20px;background:#1b7f3b;color:#fff;text-decoration:none;border-radius:10px">${escapeHtml(label)}</a></p>`
    : "";
  const html = `<!doctype html><html lang="ja"><body style="font-family:sans-serif">${paragraphs}${button}</body></html>`;
  const messageId = `<${createHash("sha256").update(m.idempotencyKey).digest("hex").slice(0, 32)}@mimamori>`;
  const attachments = attachmentsOf(m.payload).map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, "base64") }));
  return { subject, text, html, messageId, attachments };
}

/** An SMTP error: a 5xx reply is permanent (a hard bounce); anything else may pass. */
export function smtpFailure(error: unknown): DeliveryResult {
  const e = error as { responseCode?: number; response?: string; message?: string; code?: string };
  const text = `smtp ${e.responseCode ?? e.code ?? "error"}: ${e.response ?? e.message ?? String(error)}`.slice(0, 500);
  // 535 (and nodemailer's EAUTH): the server refuses the organisation's login.
  if (e.responseCode === 535 || e.code === "EAUTH") return { status: "failed", code: "credentials_refused", error: text };
  if (e.responseCode && e.responseCode >= 500) return { status: "failed", code: "rejected", error: text };
  if (e.code === "EENVELOPE" && !e.responseCode) return { status: "failed", code: "rejected", error: text };
  return { status: "retry", error: text };
}

export class EmailChannel implements Channel {
  readonly name = "email";
  readonly #account: EmailAccount;
  readonly #links: OneTapLinks;
  readonly #transports = new Map<string, { key: string; transport: Transporter }>();

  constructor(options: { account: EmailAccount; links: OneTapLinks }) {
    this.#account = options.account;
    this.#links = options.links;
  }

  async #transport(organisationId: string, credentials: EmailCredentials, settings: EmailSettings): Promise<Transporter> {
    // Loaded before the cache is read: nothing awaits between reading and filling it.
    const mailer = await nodemailer();
    const key = JSON.stringify([settings.host, settings.port, settings.secure, credentials.user, credentials.pass]);
    const known = this.#transports.get(organisationId);
    if (known?.key === key) return known.transport;
    known?.transport.close();
    const transport = mailer.createTransport({
      pool: true, maxConnections: 3, maxMessages: 100,
      host: settings.host, port: settings.port, secure: settings.secure,
      ...(credentials.user ? { auth: { user: credentials.user, pass: credentials.pass ?? "" } } : {}),
      connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000,
    });
    this.#transports.set(organisationId, { key, transport });
    return transport;
  }

  async send(messages: OutgoingMessage[], now: Date): Promise<DeliveryResult[]> {
    const links = await this.#links.linksFor(messages, now);
    return Promise.all(messages.map(async (m, i) => {
      const account = await this.#account(m.organisationId);
      if (!account) return { status: "failed", code: "not_configured", error: "no e-mail server is configured for this organisation" } as const;
      const { subject, text, html, messageId, attachments } = composeEmail(m, links[i]);
      // The sender's name: the SMTP settings' own, else the organisation's service name, else the address alone.
      const fromName = account.settings.fromName ?? m.serviceName;
      const from = fromName ? { name: fromName, address: account.settings.from } : account.settings.from;
      try {
        const info = await (await this.#transport(m.organisationId, account.credentials, account.settings)).sendMail({
          from, to: m.address, subject, text, html, messageId, ...(attachments.length ? { attachments } : {}),
          headers: { "X-Mimamori-Key": createHash("sha256").update(m.idempotencyKey).digest("hex").slice(0, 16) },
        });
        if (info.rejected?.length) return { status: "failed", error: `smtp: recipient refused (${info.response ?? "rejected"})` } as const;
        return { status: "sent", providerId: info.messageId } as const;
      } catch (error) {
        return smtpFailure(error);
      }
    }));
  }

  close(): void {
    for (const { transport } of this.#transports.values()) transport.close();
    this.#transports.clear();
  }
}
