// SMTP provider (nodemailer). Applies the core's compliance finishing, signs with DKIM when
// a key is configured, and derives Message-ID from the idempotency key so a retried send
// carries the same id and receivers/us can spot the duplicate.
import { createHash } from "node:crypto";
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { Channel, EmailMessage, SendFailure, SendReceipt } from "../../core/content/channel";
import { finaliseEmail } from "../../core/content/email-compliance";
import { err, ok, type Result } from "../../core/result";

export type DkimConfig = { domainName: string; keySelector: string; privateKey: string };

export type SmtpConfig = {
  host: string;
  port: number;
  /** Implicit TLS (465). Otherwise STARTTLS is used when offered. */
  secure: boolean;
  auth?: { user: string; pass: string };
  /** Right-hand side of Message-IDs; normally the sending domain. */
  messageIdDomain: string;
  dkim?: DkimConfig;
  /** Test servers use self-signed certificates. */
  allowSelfSigned?: boolean;
  timeoutMs?: number;
  /** Reuse connections across sends (bulk sends); maxConnections per provider and process. */
  pool?: { maxConnections: number };
};

// Sign what RFC 8058 needs covered plus the usual identity headers.
const DKIM_HEADERS = "From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:List-Unsubscribe:List-Unsubscribe-Post";

export function messageIdFor(idempotencyKey: string, domain: string): string {
  return `<${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32)}@${domain}>`;
}

type SmtpError = Error & { responseCode?: number; code?: string };

/** 4xx replies and network trouble are worth retrying; 5xx replies are not. */
export function classifySmtpError(e: SmtpError): SendFailure {
  const message = e.message;
  if (typeof e.responseCode === "number") {
    return { kind: e.responseCode >= 500 ? "permanent" : "transient", code: String(e.responseCode), message };
  }
  // EENVELOPE without a reply code means we rejected it locally (e.g. no recipient).
  if (e.code === "EENVELOPE" || e.code === "EMESSAGE") return { kind: "permanent", code: e.code, message };
  return { kind: "transient", code: e.code, message };
}

export function createSmtpChannel(config: SmtpConfig): Channel<EmailMessage> & { close(): void } {
  const options: SMTPTransport.Options & { pool?: boolean; maxConnections?: number } = {
    ...(config.pool ? { pool: true, maxConnections: config.pool.maxConnections } : {}),
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.auth,
    connectionTimeout: config.timeoutMs ?? 15_000,
    greetingTimeout: config.timeoutMs ?? 15_000,
    socketTimeout: config.timeoutMs ?? 30_000,
    tls: config.allowSelfSigned ? { rejectUnauthorized: false } : undefined,
    dkim: config.dkim ? { ...config.dkim, headerFieldNames: DKIM_HEADERS } : undefined,
  };
  const transport = nodemailer.createTransport(options);

  return {
    async send(message: EmailMessage, idempotencyKey: string): Promise<Result<SendReceipt, SendFailure>> {
      const final = finaliseEmail(message);
      if (!final.ok) return err({ kind: "permanent", code: "content", message: final.error });
      const messageId = messageIdFor(idempotencyKey, config.messageIdDomain);
      try {
        const info = await transport.sendMail({
          from: message.from.name ? { name: message.from.name, address: message.from.address } : message.from.address,
          to: message.to,
          replyTo: message.replyTo,
          subject: message.subject,
          text: final.value.text,
          html: final.value.html,
          headers: final.value.headers,
          messageId,
        });
        return ok({ providerMessageId: info.messageId ?? messageId });
      } catch (e) {
        return err(classifySmtpError(e as SmtpError));
      }
    },
    close: () => transport.close(),
  };
}
