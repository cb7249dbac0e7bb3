// Twilio's webhooks through the real route actions with signed Requests (X-Twilio-Signature
// made as Twilio makes it, over the public URL), a real send through the shop's provider
// registry to the local Twilio simulator, and the settings loader never leaking a secret.
import { afterAll, describe, expect, it } from "vitest";
import { startTwilioSim, twilioSignature } from "../../scripts/sims/twilio-sim";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const DEMO = "twilio-hooks.myshopify.com";
const db: TestDatabase = await createTestDatabase();
configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
const { action: status } = await import("../../app/routes/webhooks.twilio.status");
const { action: inbound } = await import("../../app/routes/webhooks.twilio.inbound");
const settingsRoute = await import("../../app/routes/app.settings.channels");
const { channelsForShop, saveProviderCredential, statusCallbackUrl, inboundWebhookUrl } = await import("../../app/models/channels.server");
const { setStoreConsentWriter } = await import("../../app/models/consent.server");
const { closeDatabase } = await import("../../app/db.server");
const { closeSharedQueues } = await import("../../jobs/queues");
setStoreConsentWriter(null);

const ACCOUNT = `AC${"a1".repeat(16)}`;
const TOKEN = "twilio-auth-token-under-test-0001";
const SMTP_PASS = "smtp-password-never-shown";
const sim = await startTwilioSim({ accountSid: ACCOUNT, authToken: TOKEN });
const shopId = await insertShop(db.pool, DEMO);
const saved = await saveProviderCredential(shopId, "twilio", { accountSid: ACCOUNT, from: "+15005550006", authToken: TOKEN, baseUrl: sim.baseUrl, autoReplies: "true" });
if (!saved.ok) throw new Error(saved.error.join("; "));

afterAll(async () => {
  await sim.close();
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

type Fn = (args: { request: Request; params: Record<string, string>; context: {} }) => Promise<Response>;
const run = (fn: unknown, request: Request) => (fn as Fn)({ request, params: {}, context: {} });

function signedPost(url: string, params: Record<string, string>, token = TOKEN, signature?: string): Request {
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature ?? twilioSignature(token, url, params) },
    body: new URLSearchParams(params).toString(),
  });
}

let phoneSeq = 100;
async function customer(state = "subscribed") {
  const phone = `+1212555${String(phoneSeq++).padStart(4, "0")}`;
  const r = await db.pool.query<{ id: string }>(
    `insert into customers (shop_id, email, phone, sms_consent, updated_at) values ($1, $2, $3, $4::"ConsentState", now()) returning id::text`,
    [shopId, `c${phoneSeq}@example.com`, phone, state],
  );
  return { id: r.rows[0].id, phone };
}

async function sendSms(to: string, customerId: string) {
  const channels = await channelsForShop(shopId);
  const sent = await channels.sms!.send({ purpose: "promotional", from: channels.sms!.from, to, body: "We miss you: 10% off", statusCallbackUrl: statusCallbackUrl(DEMO) }, `k-${customerId}`);
  if (!sent.ok) throw new Error(sent.error.message);
  const m = await db.pool.query<{ id: string }>(
    `insert into messages (shop_id, idempotency_key, customer_id, channel, purpose, recipient, provider, provider_message_id, status, sent_at)
     values ($1, $2, $3, 'sms', 'promotional', $4, 'twilio', $5, 'sent', now()) returning id::text`,
    [shopId, `k-${customerId}`, customerId, to, sent.value.providerMessageId],
  );
  return { messageId: m.rows[0].id, sid: sent.value.providerMessageId };
}

const statusParams = (sid: string, to: string, s: string, extra: Record<string, string> = {}) => ({
  AccountSid: ACCOUNT, ApiVersion: "2010-04-01", From: "+15005550006", MessageSid: sid, MessageStatus: s, SmsSid: sid, SmsStatus: s, To: to, ...extra,
});
const inboundParams = (from: string, body: string, sid = `SM${Math.random().toString(16).slice(2).padEnd(32, "0")}`) => ({
  AccountSid: ACCOUNT, ApiVersion: "2010-04-01", Body: body, From: from, MessageSid: sid, NumMedia: "0", NumSegments: "1", SmsMessageSid: sid, SmsSid: sid, SmsStatus: "received", To: "+15005550006",
});

describe("status callback", () => {
  it("a good signature moves the message to delivered and records message_delivered once", async () => {
    const c = await customer();
    const { messageId, sid } = await sendSms(c.phone, c.id);
    expect(sim.messages.find((m) => m.sid === sid)?.status_callback).toBe(statusCallbackUrl(DEMO));
    const url = statusCallbackUrl(DEMO);
    for (const s of ["sent", "delivered", "sent"]) {
      const res = await run(status, signedPost(url, statusParams(sid, c.phone, s)));
      expect(res.status).toBe(204);
    }
    const m = await db.pool.query(`select status::text, delivered_at, failed_at from messages where shop_id = $1 and id = $2`, [shopId, messageId]);
    expect(m.rows[0].status).toBe("delivered");
    expect(m.rows[0].delivered_at).toBeInstanceOf(Date);
    const ev = await db.pool.query(`select properties from events where shop_id = $1 and message_id = $2 and name = 'message_delivered'`, [shopId, messageId]);
    expect(ev.rows).toEqual([{ properties: { channel: "sms" } }]);
  });

  it("failed with 21610 marks the message failed and suppresses the number", async () => {
    const c = await customer();
    const { messageId, sid } = await sendSms(c.phone, c.id);
    const res = await run(status, signedPost(statusCallbackUrl(DEMO), statusParams(sid, c.phone, "undelivered", { ErrorCode: "21610" })));
    expect(res.status).toBe(204);
    const m = await db.pool.query(`select status::text, failed_at, error_message from messages where shop_id = $1 and id = $2`, [shopId, messageId]);
    expect(m.rows[0]).toMatchObject({ status: "failed", error_message: "Twilio undelivered (error 21610)" });
    const s = await db.pool.query(`select reason::text from suppressions where shop_id = $1 and channel = 'sms' and address = $2`, [shopId, c.phone]);
    expect(s.rows).toEqual([{ reason: "hard_bounce" }]);
  });

  it.each([
    ["signed with another token", (url: string, p: Record<string, string>) => signedPost(url, p, "some-other-token")],
    ["signed for another URL", (url: string, p: Record<string, string>) => signedPost(url, p, TOKEN, twilioSignature(TOKEN, url.replace("twilio-hooks", "other-shop"), p))],
    ["with a tampered status", (url: string, p: Record<string, string>) => signedPost(url, { ...p, MessageStatus: "failed" }, TOKEN, twilioSignature(TOKEN, url, p))],
    ["without a signature", (url: string, p: Record<string, string>) => new Request(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(p).toString() })],
  ])("%s is refused with 403 and changes nothing", async (_label, make) => {
    const c = await customer();
    const { messageId, sid } = await sendSms(c.phone, c.id);
    const res = await run(status, make(statusCallbackUrl(DEMO), statusParams(sid, c.phone, "delivered")));
    expect(res.status).toBe(403);
    const m = await db.pool.query(`select status::text, delivered_at from messages where shop_id = $1 and id = $2`, [shopId, messageId]);
    expect(m.rows[0]).toEqual({ status: "sent", delivered_at: null });
    expect((await db.pool.query(`select count(*)::int as n from events where shop_id = $1 and message_id = $2`, [shopId, messageId])).rows[0].n).toBe(0);
  });
});

describe("inbound messages", () => {
  const url = () => inboundWebhookUrl(DEMO);

  it("STOP removes SMS consent at once: customer, suppression, inbound row, consent_changed; Twilio answers STOP itself", async () => {
    const c = await customer();
    const res = await run(inbound, signedPost(url(), inboundParams(c.phone, "STOP")));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/xml");
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const row = await db.pool.query(`select sms_consent::text, sms_consent_source, sms_consent_at from customers where shop_id = $1 and id = $2`, [shopId, c.id]);
    expect(row.rows[0]).toMatchObject({ sms_consent: "unsubscribed", sms_consent_source: "sms_keyword" });
    const s = await db.pool.query(`select reason::text, evidence from suppressions where shop_id = $1 and channel = 'sms' and address = $2`, [shopId, c.phone]);
    expect(s.rows).toEqual([{ reason: "sms_keyword", evidence: "STOP" }]);
    const i = await db.pool.query(`select customer_id::text, classification, body from inbound_messages where shop_id = $1 and from_address = $2`, [shopId, c.phone]);
    expect(i.rows).toEqual([{ customer_id: c.id, classification: "opt_out", body: "STOP" }]);
    const e = await db.pool.query(`select properties from events where shop_id = $1 and customer_id = $2 and name = 'consent_changed'`, [shopId, c.id]);
    expect(e.rows).toEqual([{ properties: { channel: "sms", state: "unsubscribed", source: "sms_keyword" } }]);
  });

  it("a free-form opt-out is honoured and we send the confirmation ourselves (Twilio does not match it)", async () => {
    const c = await customer();
    const res = await run(inbound, signedPost(url(), inboundParams(c.phone, "please stop texting me")));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("You have successfully been unsubscribed");
    const s = await db.pool.query(`select reason::text from suppressions where shop_id = $1 and address = $2`, [shopId, c.phone]);
    expect(s.rows).toEqual([{ reason: "sms_free_form" }]);
  });

  it("START after STOP subscribes again and lifts the suppression", async () => {
    const c = await customer();
    await run(inbound, signedPost(url(), inboundParams(c.phone, "STOP")));
    const res = await run(inbound, signedPost(url(), inboundParams(c.phone, "START")));
    expect(res.status).toBe(200);
    const row = await db.pool.query(`select sms_consent::text from customers where shop_id = $1 and id = $2`, [shopId, c.id]);
    expect(row.rows[0].sms_consent).toBe("subscribed");
    expect((await db.pool.query(`select count(*)::int as n from suppressions where shop_id = $1 and address = $2`, [shopId, c.phone])).rows[0].n).toBe(0);
  });

  it("a redelivered webhook (same MessageSid) is stored once", async () => {
    const c = await customer();
    const p = inboundParams(c.phone, "STOP", `SM${"f".repeat(32)}`);
    await run(inbound, signedPost(url(), p));
    await run(inbound, signedPost(url(), p));
    expect((await db.pool.query(`select count(*)::int as n from inbound_messages where shop_id = $1 and from_address = $2`, [shopId, c.phone])).rows[0].n).toBe(1);
    expect((await db.pool.query(`select count(*)::int as n from events where shop_id = $1 and customer_id = $2 and name = 'consent_changed'`, [shopId, c.id])).rows[0].n).toBe(1);
  });

  it("a bad signature is refused with 403: no inbound row, consent unchanged", async () => {
    const c = await customer();
    const res = await run(inbound, signedPost(url(), inboundParams(c.phone, "STOP"), "not-the-token"));
    expect(res.status).toBe(403);
    expect((await db.pool.query(`select sms_consent::text from customers where shop_id = $1 and id = $2`, [shopId, c.id])).rows[0].sms_consent).toBe("subscribed");
    expect((await db.pool.query(`select count(*)::int as n from inbound_messages where shop_id = $1 and from_address = $2`, [shopId, c.phone])).rows[0].n).toBe(0);
    expect((await db.pool.query(`select count(*)::int as n from suppressions where shop_id = $1 and address = $2`, [shopId, c.phone])).rows[0].n).toBe(0);
  });

  it("an unknown shop is 404", async () => {
    const u = inboundWebhookUrl("nobody.myshopify.com");
    const res = await run(inbound, signedPost(u, inboundParams("+12125559999", "STOP")));
    expect(res.status).toBe(404);
  });
});

describe("provider settings", () => {
  it("secrets are sealed at rest and never appear in the loader's output", async () => {
    const r = await saveProviderCredential(shopId, "smtp", { host: "127.0.0.1", port: "2525", user: "demo", pass: SMTP_PASS, fromAddress: "shop@example.com", fromName: "Shop" });
    expect(r.ok).toBe(true);
    const raw = await db.pool.query(`select sealed_secret, config::text from provider_credentials where shop_id = $1`, [shopId]);
    for (const row of raw.rows) {
      expect(row.sealed_secret).toMatch(/^v1:/);
      expect(row.sealed_secret + row.config).not.toContain(SMTP_PASS);
      expect(row.sealed_secret + row.config).not.toContain(TOKEN);
    }
    const data = await (settingsRoute.loader as unknown as Fn)({ request: new Request("http://localhost/app/settings/channels"), params: {}, context: {} });
    const text = JSON.stringify(data);
    expect(text).not.toContain(SMTP_PASS);
    expect(text).not.toContain(TOKEN);
    expect(text).toContain('"pass":"saved"');
    expect(text).toContain('"authToken":"saved"');
  });

  it("a blank secret on save keeps the saved one", async () => {
    const r = await saveProviderCredential(shopId, "twilio", { accountSid: ACCOUNT, from: "+15005550006", authToken: "", baseUrl: sim.baseUrl, autoReplies: "true" });
    expect(r.ok).toBe(true);
    const c = await customer();
    // Still signs with the original token, so the webhook verifies.
    const res = await run(inbound, signedPost(inboundWebhookUrl(DEMO), inboundParams(c.phone, "HELP")));
    expect(res.status).toBe(200);
  });

  it("invalid settings are refused with reasons", async () => {
    const r = await saveProviderCredential(shopId, "twilio", { accountSid: "nope", from: "12", authToken: "" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.join(" ")).toMatch(/accountSid.*from/s);
  });
});
