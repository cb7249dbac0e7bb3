// A local SMTP server (smtp-server, loopback only) that accepts every message and hands it to
// `onMail` parsed: the demo stores it in the outbox table so the merchant can open what a
// journey sent. No relaying, no TLS, no auth: it never delivers anything anywhere.
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { parseMail, type ParsedMail } from "./mime";

export type ReceivedMail = ParsedMail & { envelopeFrom: string | null; recipients: string[]; raw: string };

export type SmtpSink = { host: string; port: number; received: ReceivedMail[]; close(): Promise<void> };

export async function startSmtpSink(opts: { port?: number; maxBytes?: number; onMail?: (mail: ReceivedMail) => Promise<void> } = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
  const server = new SMTPServer({
    name: "winback-demo-smtp",
    banner: "Winback demo mailbox (nothing leaves this machine)",
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    size: maxBytes,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", async () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return callback(Object.assign(new Error("message too large"), { responseCode: 552 }));
        const raw = Buffer.concat(chunks).toString("utf8");
        const mail: ReceivedMail = {
          ...parseMail(raw),
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          recipients: session.envelope.rcptTo.map((r) => r.address),
          raw,
        };
        received.push(mail);
        try {
          await opts.onMail?.(mail);
          callback();
        } catch (e) {
          // Tell the sender to retry rather than lose the message silently.
          callback(Object.assign(new Error(`could not store the message: ${(e as Error).message}`), { responseCode: 451 }));
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = (server.server as import("node:net").Server).address() as AddressInfo;
  return {
    host: "127.0.0.1",
    port: address.port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
