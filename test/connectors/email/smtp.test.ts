import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSmtpChannel, messageIdFor } from "../../../connectors/email/smtp";
import type { EmailMessage } from "../../../core/content/channel";
import { renderFirst } from "../../../core/content/fallback";
import { compileEmail, type CompiledEmail, renderEmail } from "../../../core/content/render-email";
import type { EmailContent } from "../../../core/content/schema";
import { unsubscribeToken, unsubscribeUrl } from "../../../core/tracking/unsubscribe";
import { parseMail, verifyDkim } from "./mime";

type Received = { raw: string; from: string; to: string[] };

let server: SMTPServer;
let port: number;
const inbox: Received[] = [];
// Recipients the server answers with a given reply code, to exercise failure classification.
const rejectRcpt = new Map<string, number>();

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, cb) {
      const code = rejectRcpt.get(address.address);
      if (!code) return cb();
      const e = Object.assign(new Error(code >= 500 ? "mailbox unavailable" : "try again later"), { responseCode: code });
      cb(e);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        inbox.push({
          raw: Buffer.concat(chunks).toString("utf8"),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const unsubKey = Buffer.from("k".repeat(32));
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const dkim = { domainName: "tea.example", keySelector: "wb1", privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };

const primary: EmailContent = {
  channel: "email",
  purpose: "promotional",
  subject: "{{ customer.first_name | default: 'Hello' }}, your {{ last_order.line_items.first.title }} is waiting",
  preheader: "",
  mjml: `<mjml><mj-body><mj-section><mj-column>
<mj-text>Hi {{ customer.first_name | default: "there" }}, time for more {{ last_order.line_items.first.title }}?</mj-text>
<mj-button href="{{ offer.url }}">Use code {{ offer.code }}</mj-button>
</mj-column></mj-section></mj-body></mjml>`,
};
const generic: EmailContent = {
  channel: "email",
  purpose: "promotional",
  subject: "We miss you at {{ shop.name }}",
  preheader: "",
  mjml: `<mjml><mj-body><mj-section><mj-column><mj-text>It has been a while. Come and see what's new at {{ shop.name }}.</mj-text></mj-column></mj-section></mj-body></mjml>`,
};

async function compiled(c: EmailContent): Promise<CompiledEmail> {
  const r = await compileEmail(c);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

function message(rendered: { subject: string; html: string; text: string }, to: string): EmailMessage {
  return {
    purpose: "promotional",
    from: { name: "Tea Co", address: "hello@tea.example" },
    to,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    unsubscribeUrl: unsubscribeUrl("https://app.winback.example/u", unsubscribeToken({ shopId: 1, recipient: to, channel: "email" }, unsubKey)),
    postalAddress: "1 Tea Street, Leeds LS1 1AA, UK",
  };
}

const lastReceivedBy = (to: string) => [...inbox].reverse().find((m) => m.to.includes(to));

describe("SMTP provider against a real smtp-server", () => {
  it("delivers personalised, DKIM-signed mail with one-click unsubscribe, text part and postal footer", async () => {
    const chain = [
      { variant: "primary" as const, template: await compiled(primary) },
      { variant: "generic" as const, template: await compiled(generic) },
    ];
    const smtp = createSmtpChannel({ host: "127.0.0.1", port, secure: false, messageIdDomain: "mail.winback.example", dkim });
    const recipients = [
      { to: "ada@example.com", vars: { customer: { first_name: "Ada" }, last_order: { line_items: [{ title: "Oolong" }] }, offer: { code: "BACK10", url: "https://tea.example/d/BACK10" }, shop: { name: "Tea Co" } } },
      // No first name: the per-variable default fills in.
      { to: "bo@example.com", vars: { customer: { first_name: null }, last_order: { line_items: [{ title: "Sencha" }] }, offer: { code: "BACK10", url: "https://tea.example/d/BACK10" }, shop: { name: "Tea Co" } } },
      // No order history: the primary copy cannot render, generic copy goes out.
      { to: "cy@example.com", vars: { customer: { first_name: "Cy" }, shop: { name: "Tea Co" } } },
    ];
    for (const r of recipients) {
      const rendered = renderFirst(chain, (t) => renderEmail(t, r.vars));
      if (!rendered.ok) throw new Error(JSON.stringify(rendered.error));
      const sent = await smtp.send(message(rendered.value.output, r.to), `journey-1:step-2:${r.to}`);
      expect(sent).toEqual({ ok: true, value: { providerMessageId: messageIdFor(`journey-1:step-2:${r.to}`, "mail.winback.example") } });
    }
    smtp.close();

    const ada = parseMail(lastReceivedBy("ada@example.com")!.raw);
    expect(ada.header("subject")).toBe("Ada, your Oolong is waiting");
    expect(ada.header("list-unsubscribe")).toMatch(/^<https:\/\/app\.winback\.example\/u\?t=[\w.-]+>$/);
    expect(ada.header("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(ada.header("message-id")).toBe(messageIdFor("journey-1:step-2:ada@example.com", "mail.winback.example"));
    const text = ada.parts.find((p) => p.contentType.startsWith("text/plain"))?.body ?? "";
    const html = ada.parts.find((p) => p.contentType.startsWith("text/html"))?.body ?? "";
    expect(text).toContain("Hi Ada, time for more Oolong?");
    expect(text).toContain("Use code BACK10 (https://tea.example/d/BACK10)");
    expect(text).toContain("1 Tea Street, Leeds LS1 1AA, UK");
    expect(html).toContain("Hi Ada, time for more Oolong?");
    expect(html).toContain("1 Tea Street, Leeds LS1 1AA, UK");
    expect(html).toMatch(/<a href="https:\/\/app\.winback\.example\/u\?t=[^"]+"[^>]*>Unsubscribe<\/a>/);

    const check = verifyDkim(lastReceivedBy("ada@example.com")!.raw, publicKey);
    expect(check).toMatchObject({ ok: true });
    expect(check.signedHeaders).toEqual(expect.arrayContaining(["from", "subject", "list-unsubscribe", "list-unsubscribe-post"]));
    // A tampered message must fail, or the verifier proves nothing.
    const tampered = lastReceivedBy("ada@example.com")!.raw.replace("Ada, your Oolong", "Eve, your Oolong");
    expect(verifyDkim(tampered, publicKey).ok).toBe(false);

    const bo = parseMail(lastReceivedBy("bo@example.com")!.raw);
    expect(bo.header("subject")).toBe("Hello, your Sencha is waiting");
    expect(bo.parts[0].body).toContain("Hi there, time for more Sencha?");

    const cy = parseMail(lastReceivedBy("cy@example.com")!.raw);
    expect(cy.header("subject")).toBe("We miss you at Tea Co");
    expect(cy.parts[0].body).toContain("Come and see what's new at Tea Co.");
  });

  it("sends without DKIM when no key is configured, and a retry keeps the Message-ID", async () => {
    const smtp = createSmtpChannel({ host: "127.0.0.1", port, secure: false, messageIdDomain: "mail.winback.example" });
    const rendered = { subject: "Hi", html: "<html><body><p>Hi</p></body></html>", text: "Hi" };
    const a = await smtp.send(message(rendered, "dan@example.com"), "key-1");
    const b = await smtp.send(message(rendered, "dan@example.com"), "key-1");
    smtp.close();
    expect(a.ok && b.ok && a.value.providerMessageId === b.value.providerMessageId).toBe(true);
    const got = inbox.filter((m) => m.to.includes("dan@example.com")).map((m) => parseMail(m.raw));
    expect(got).toHaveLength(2);
    expect(got[0].header("message-id")).toBe(got[1].header("message-id"));
    expect(got[0].header("dkim-signature")).toBeUndefined();
  });

  it("classifies 4xx as transient, 5xx and bad content as permanent, a dead server as transient", async () => {
    rejectRcpt.set("full@example.com", 452);
    rejectRcpt.set("gone@example.com", 550);
    const smtp = createSmtpChannel({ host: "127.0.0.1", port, secure: false, messageIdDomain: "m.example" });
    const rendered = { subject: "Hi", html: "<p>Hi</p>", text: "Hi" };
    expect(await smtp.send(message(rendered, "full@example.com"), "k-full")).toMatchObject({ ok: false, error: { kind: "transient", code: "452" } });
    expect(await smtp.send(message(rendered, "gone@example.com"), "k-gone")).toMatchObject({ ok: false, error: { kind: "permanent", code: "550" } });
    const noAddress = { ...message(rendered, "ok@example.com"), postalAddress: undefined };
    expect(await smtp.send(noAddress, "k-addr")).toMatchObject({ ok: false, error: { kind: "permanent", code: "content" } });
    smtp.close();

    const dead = createSmtpChannel({ host: "127.0.0.1", port: 1, secure: false, messageIdDomain: "m.example", timeoutMs: 2_000 });
    expect(await dead.send(message(rendered, "ok@example.com"), "k-dead")).toMatchObject({ ok: false, error: { kind: "transient" } });
    dead.close();
  });
});
