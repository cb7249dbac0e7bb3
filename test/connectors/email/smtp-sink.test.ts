// The demo's local SMTP server receives what the SMTP provider really sends, and reads back
// subject (encoded words), HTML and text parts and the Message-ID the provider reported.
import { afterAll, describe, expect, it } from "vitest";
import { createSmtpChannel } from "../../../connectors/email/smtp";
import { startSmtpSink, type ReceivedMail } from "../../../scripts/sims/smtp-sink";

const stored: ReceivedMail[] = [];
let failNext = false;
const sink = await startSmtpSink({
  async onMail(m) {
    if (failNext) {
      failNext = false;
      throw new Error("database down");
    }
    stored.push(m);
  },
});
const channel = createSmtpChannel({ host: sink.host, port: sink.port, secure: false, messageIdDomain: "shop.example" });

afterAll(async () => {
  channel.close();
  await sink.close();
});

describe("demo SMTP sink", () => {
  it("parses a real promotional email: non-ASCII subject, HTML, text, Message-ID", async () => {
    const subject = "Café ☕ — 10% off, just for you";
    const html = `<!doctype html><html><body><h1>Wir vermissen dich, Zoë</h1><p>${"Long line of text. ".repeat(20)}</p></body></html>`;
    const r = await channel.send(
      {
        purpose: "promotional",
        from: { name: "Demo Café", address: "hello@shop.example" },
        to: "zoe@example.com",
        subject,
        html,
        text: "Wir vermissen dich, Zoë",
        unsubscribeUrl: "https://winback.test/t/u/abc.def",
        postalAddress: "1 Main St\nSpringfield",
      },
      "journey:1:node:1",
    );
    expect(r.ok).toBe(true);
    const mail = stored.at(-1)!;
    expect(mail.subject).toBe(subject);
    expect(mail.recipients).toEqual(["zoe@example.com"]);
    expect(mail.html).toContain("Wir vermissen dich, Zoë");
    expect(mail.html).toContain("Unsubscribe");
    expect(mail.text).toContain("Unsubscribe: https://winback.test/t/u/abc.def");
    expect(r.ok && mail.messageId).toBe(r.ok ? r.value.providerMessageId : "");
    expect(mail.headers.get("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
  });

  it("a storage failure is a transient SMTP reply (451), so the sender retries", async () => {
    failNext = true;
    const r = await channel.send({ purpose: "transactional", from: { address: "hello@shop.example" }, to: "x@example.com", subject: "t", html: "<p>t</p>", text: "t" }, "k-451");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ kind: "transient", code: "451" });
  });
});
