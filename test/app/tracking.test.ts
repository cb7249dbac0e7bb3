// The public tracking endpoints through their real route modules on real PostgreSQL:
// click redirect (good, forged, tampered), open pixel (once per message per hour), and
// RFC 8058 one-click unsubscribe (consent, suppression, events).
import { afterAll, describe, expect, it } from "vitest";
import { clickToken, openToken, verifyClickToken } from "../../core/tracking/link-tokens";
import { listUnsubscribeHeaders, unsubscribeToken } from "../../core/tracking/unsubscribe";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const db: TestDatabase = await createTestDatabase();
configureAppEnv(db);
const { appConfig, deriveTrackingKey } = await import("../../app/config.server");
const { loader: click } = await import("../../app/routes/t.c.$token");
const { loader: open } = await import("../../app/routes/t.o.$token");
const unsubscribe = await import("../../app/routes/t.u.$token");
const { setStoreConsentWriter } = await import("../../app/models/consent.server");
const { closeDatabase } = await import("../../app/db.server");
const { closeSharedQueues } = await import("../../jobs/queues");

const writeBacks: unknown[][] = [];
setStoreConsentWriter(async (...args) => {
  writeBacks.push(args);
  return { ok: true, value: null };
});

afterAll(async () => {
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

type Fn = (args: { request: Request; params: Record<string, string>; context: {} }) => Promise<Response>;
const run = (fn: unknown, request: Request, token: string) => (fn as Fn)({ request, params: { token }, context: {} });

const key = () => appConfig().trackingKey;

async function fixture(domain: string) {
  const shopId = await insertShop(db.pool, domain);
  const email = `ann.${Math.random().toString(36).slice(2)}@example.com`;
  const c = await db.pool.query<{ id: string }>(
    `insert into customers (shop_id, email, phone, email_consent, sms_consent, updated_at) values ($1, $2, '+12125550123', 'subscribed', 'subscribed', now()) returning id::text`,
    [shopId, email],
  );
  const m = await db.pool.query<{ id: string }>(
    `insert into messages (shop_id, idempotency_key, customer_id, channel, purpose, recipient, provider, provider_message_id, status, sent_at)
     values ($1, $2, $3, 'email', 'promotional', $4, 'smtp', $5, 'sent', now()) returning id::text`,
    [shopId, `k-${c.rows[0].id}`, c.rows[0].id, email, `<${c.rows[0].id}@winback.test>`],
  );
  return { shopId, customerId: c.rows[0].id, messageId: m.rows[0].id, email };
}

const events = async (shopId: number, name: string) =>
  (await db.pool.query(`select customer_id::text, message_id::text, properties from events where shop_id = $1 and name = $2 order by id`, [shopId, name])).rows;

describe("tracking key", () => {
  it("is derived from the encryption key with HKDF when WINBACK_TRACKING_KEY is unset, and differs from it", () => {
    const k = appConfig().trackingKey;
    expect(k).toHaveLength(32);
    expect(k.equals(appConfig().encryptionKey)).toBe(false);
    expect(deriveTrackingKey(appConfig().encryptionKey).equals(k)).toBe(true);
    expect(deriveTrackingKey(appConfig().encryptionKey, "x".repeat(40)).toString()).toBe("x".repeat(40));
  });
});

describe("click link", () => {
  it("round trip: a good token answers 302 to the target and records message_clicked with the url", async () => {
    const f = await fixture("click-good.myshopify.com");
    const target = "https://shop.example/products/beans?utm_source=winback";
    const t = clickToken({ shopId: f.shopId, messageId: f.messageId, target }, key());
    expect(t.ok).toBe(true);
    const token = t.ok ? t.value : "";
    const res = await run(click, new Request(`https://winback.test/t/c/${token}`), token);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(target);
    expect(await events(f.shopId, "message_clicked")).toEqual([
      { customer_id: f.customerId, message_id: f.messageId, properties: { channel: "email", url: target } },
    ]);
  });

  it.each([
    ["a token signed with another key", "forged"],
    ["a token whose target was edited", "tampered"],
    ["a token without a signature", "unsigned"],
    ["garbage", "garbage"],
  ])("refuses %s and records nothing", async (_label, kind) => {
    const f = await fixture(`click-${kind}.myshopify.com`);
    const good = clickToken({ shopId: f.shopId, messageId: f.messageId, target: "https://shop.example/" }, key());
    if (!good.ok) throw new Error(good.error);
    const [payload, sig] = good.value.split(".");
    const token =
      kind === "forged"
        ? (clickToken({ shopId: f.shopId, messageId: f.messageId, target: "https://evil.example/" }, Buffer.alloc(32, 7)) as { value: string }).value
        : kind === "tampered"
          ? `${Buffer.from(JSON.stringify([f.shopId, f.messageId, "https://evil.example/"])).toString("base64url")}.${sig}`
          : kind === "unsigned"
            ? payload
            : "not-a-token";
    expect(verifyClickToken(token, key()).ok).toBe(false);
    const res = await run(click, new Request(`https://winback.test/t/c/${token}`), token);
    expect([400, 403]).toContain(res.status);
    expect(res.headers.get("location")).toBeNull();
    expect(await events(f.shopId, "message_clicked")).toEqual([]);
  });

  it("a click token is not an open token (and vice versa)", async () => {
    const f = await fixture("click-cross.myshopify.com");
    const token = openToken({ shopId: f.shopId, messageId: f.messageId }, key());
    const res = await run(click, new Request(`https://winback.test/t/c/${token}`), token);
    expect(res.status).toBe(403);
  });
});

describe("open pixel", () => {
  it("answers a 1x1 GIF, uncached, and records message_opened once per message per hour", async () => {
    const f = await fixture("open.myshopify.com");
    const token = openToken({ shopId: f.shopId, messageId: f.messageId }, key());
    for (let i = 0; i < 3; i++) {
      const res = await run(open, new Request(`https://winback.test/t/o/${token}`), token);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/gif");
      expect(res.headers.get("cache-control")).toContain("no-store");
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.subarray(0, 6).toString("latin1")).toBe("GIF89a");
      expect(bytes.readUInt16LE(6)).toBe(1);
      expect(bytes.readUInt16LE(8)).toBe(1);
    }
    expect(await events(f.shopId, "message_opened")).toEqual([{ customer_id: f.customerId, message_id: f.messageId, properties: { channel: "email" } }]);
  });

  it("a forged open token records nothing", async () => {
    const f = await fixture("open-forged.myshopify.com");
    const token = openToken({ shopId: f.shopId, messageId: f.messageId }, Buffer.alloc(32, 1));
    const res = await run(open, new Request(`https://winback.test/t/o/${token}`), token);
    expect(res.status).toBe(400);
    expect(await events(f.shopId, "message_opened")).toEqual([]);
  });
});

describe("one-click unsubscribe (RFC 8058)", () => {
  const post = (token: string, body: string) =>
    new Request(`https://winback.test/t/u/${token}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });

  it("POST List-Unsubscribe=One-Click unsubscribes at once: consent, suppression, events, write-back", async () => {
    const f = await fixture("unsub.myshopify.com");
    const token = unsubscribeToken({ shopId: f.shopId, recipient: f.email, channel: "email", messageId: f.messageId }, key());
    writeBacks.length = 0;
    const res = await run(unsubscribe.action, post(token, "List-Unsubscribe=One-Click"), token);
    expect(res.status).toBe(200);

    const c = await db.pool.query(`select email_consent::text, email_consent_source, email_consent_at, sms_consent::text from customers where shop_id = $1 and id = $2`, [f.shopId, f.customerId]);
    expect(c.rows[0]).toMatchObject({ email_consent: "unsubscribed", email_consent_source: "one_click", sms_consent: "subscribed" });
    expect(c.rows[0].email_consent_at).toBeInstanceOf(Date);
    const s = await db.pool.query(`select channel::text, address, reason::text, source from suppressions where shop_id = $1`, [f.shopId]);
    expect(s.rows).toEqual([{ channel: "email", address: f.email, reason: "unsubscribe", source: "one_click" }]);
    expect(await events(f.shopId, "consent_changed")).toEqual([
      { customer_id: f.customerId, message_id: f.messageId, properties: { channel: "email", state: "unsubscribed", source: "one_click" } },
    ]);
    expect(await events(f.shopId, "message_unsubscribed")).toHaveLength(1);
    expect(writeBacks).toHaveLength(1);
    expect(writeBacks[0].slice(2, 4)).toEqual(["email", "unsubscribed"]);

    // A second one-click (mailbox providers retry) changes nothing more.
    expect((await run(unsubscribe.action, post(token, "List-Unsubscribe=One-Click"), token)).status).toBe(200);
    expect(await events(f.shopId, "consent_changed")).toHaveLength(1);
    expect(writeBacks).toHaveLength(1);
  });

  it("the one-click header wants https, except on loopback (the local demo)", () => {
    expect(listUnsubscribeHeaders("http://app.example/t/u/x").ok).toBe(false);
    expect(listUnsubscribeHeaders("http://localhost:3000/t/u/x").ok).toBe(true);
    expect(listUnsubscribeHeaders("https://app.example/t/u/x").ok).toBe(true);
  });

  it("a forged token is refused and changes nothing", async () => {
    const f = await fixture("unsub-forged.myshopify.com");
    const token = unsubscribeToken({ shopId: f.shopId, recipient: f.email, channel: "email" }, Buffer.alloc(32, 3));
    const res = await run(unsubscribe.action, post(token, "List-Unsubscribe=One-Click"), token);
    expect(res.status).toBe(403);
    const c = await db.pool.query(`select email_consent::text from customers where shop_id = $1`, [f.shopId]);
    expect(c.rows[0].email_consent).toBe("subscribed");
    expect((await db.pool.query(`select count(*)::int as n from suppressions where shop_id = $1`, [f.shopId])).rows[0].n).toBe(0);
  });

  it("GET shows the preference page and changes nothing (link scanners prefetch)", async () => {
    const f = await fixture("prefs.myshopify.com");
    const token = unsubscribeToken({ shopId: f.shopId, recipient: f.email, channel: "email" }, key());
    const res = await run(unsubscribe.loader, new Request(`https://winback.test/t/u/${token}`), token);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Offers and promotions");
    expect(html).toContain("Text messages (SMS)");
    expect(html).not.toContain(f.email);
    expect((await db.pool.query(`select email_consent::text from customers where shop_id = $1`, [f.shopId])).rows[0].email_consent).toBe("subscribed");
  });

  it("the preference form keeps email news but drops promotions, and unticking SMS unsubscribes SMS", async () => {
    const f = await fixture("prefs-save.myshopify.com");
    const token = unsubscribeToken({ shopId: f.shopId, recipient: f.email, channel: "email" }, key());
    const res = await run(unsubscribe.action, post(token, "intent=save&email_informational=on"), token);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Your preferences are saved");
    const c = await db.pool.query(`select email_consent::text, sms_consent::text, sms_consent_source from customers where shop_id = $1`, [f.shopId]);
    expect(c.rows[0]).toEqual({ email_consent: "subscribed", sms_consent: "unsubscribed", sms_consent_source: "preference_page" });
    const p = await db.pool.query(`select channel::text, purpose::text, subscribed from consent_preferences where shop_id = $1 order by 1, 2`, [f.shopId]);
    expect(p.rows).toEqual([
      { channel: "email", purpose: "informational", subscribed: true },
      { channel: "email", purpose: "promotional", subscribed: false },
    ]);
    const s = await db.pool.query(`select channel::text, address from suppressions where shop_id = $1`, [f.shopId]);
    expect(s.rows).toEqual([{ channel: "sms", address: "+12125550123" }]);
  });
});
