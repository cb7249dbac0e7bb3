// Consent changes on real PostgreSQL, and the write-back to Shopify through the real Admin
// GraphQL client against the store simulator (which validates every operation against the
// pinned 2026-10 schema).
import { afterAll, describe, expect, it } from "vitest";
import { consentInput } from "../../connectors/shopify/consent";
import { generateStore, pointShopifyClientsAt, startStoreSim } from "../../scripts/store-sim";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const db: TestDatabase = await createTestDatabase();
configureAppEnv(db);
const { changeConsent, recordDeliveryProblem, setStoreConsentWriter, writeConsentToStore } = await import("../../app/models/consent.server");
const { shopify } = await import("../../app/shopify.server");
const { Session } = await import("@shopify/shopify-api");
const { closeDatabase } = await import("../../app/db.server");
const { closeSharedQueues } = await import("../../jobs/queues");

const TOKEN = "shpat_consent_test";
const store = generateStore({ seed: 5, customers: 30, domain: "consent-sim.myshopify.com" });
const sim = await startStoreSim({ store, accessToken: TOKEN, https: false });
const unpoint = pointShopifyClientsAt(sim);

afterAll(async () => {
  unpoint();
  await sim.close();
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

async function customer(shopId: number, opts: { email?: string | null; phone?: string | null; externalId?: string } = {}) {
  const r = await db.pool.query<{ id: string }>(
    `insert into customers (shop_id, email, phone, email_consent, sms_consent, updated_at) values ($1, $2, $3, 'subscribed', 'subscribed', now()) returning id::text`,
    [shopId, opts.email === undefined ? `p${Math.random().toString(36).slice(2)}@example.com` : opts.email, opts.phone === undefined ? "+12125550111" : opts.phone],
  );
  if (opts.externalId) {
    await db.pool.query(`insert into customer_identities (shop_id, source, external_id, customer_id) values ($1, 'shopify', $2, $3)`, [shopId, opts.externalId, r.rows[0].id]);
  }
  return r.rows[0].id;
}

describe("write-back to Shopify", () => {
  it("an unsubscribe is written to the store with the real time of the change", async () => {
    setStoreConsentWriter(writeConsentToStore);
    const shopId = await insertShop(db.pool, sim.shop);
    await shopify().sessionStorage!.storeSession(new Session({ id: `offline_${sim.shop}`, shop: sim.shop, state: "s", isOnline: false, scope: "write_customers", accessToken: TOKEN }));
    const simCustomer = store.customers.find((c) => c.email && c.phone && c.emailState === "SUBSCRIBED" && c.smsState === "SUBSCRIBED") ?? store.customers.find((c) => c.email && c.phone)!;
    const id = await customer(shopId, { email: simCustomer.email, phone: simCustomer.phone, externalId: String(simCustomer.id) });
    const at = new Date("2026-11-20T08:30:00.000Z");

    await changeConsent({ shopId, channel: "email", customerId: id, state: "unsubscribed", source: "one_click", at });
    await changeConsent({ shopId, channel: "sms", customerId: id, state: "unsubscribed", source: "sms_keyword", at });
    const after = sim.state.store.customers.find((c) => c.id === simCustomer.id)!;
    expect(after.emailState).toBe("UNSUBSCRIBED");
    expect(after.emailConsentAt).toBe(at.toISOString());
    expect(after.smsState).toBe("UNSUBSCRIBED");
    expect(after.smsConsentAt).toBe(at.toISOString());
    expect(sim.stats.invalid).toBe(0);
  });

  it("a change that came from Shopify is not written back to it", async () => {
    let calls = 0;
    setStoreConsentWriter(async () => {
      calls++;
      return { ok: true, value: null };
    });
    const shopId = await insertShop(db.pool, "from-shopify.myshopify.com");
    const id = await customer(shopId);
    await changeConsent({ shopId, channel: "email", customerId: id, state: "unsubscribed", source: "shopify", at: new Date() });
    expect(calls).toBe(0);
    await changeConsent({ shopId, channel: "email", customerId: id, state: "subscribed", source: "preference_page", at: new Date() });
    expect(calls).toBe(1);
  });

  it("needs the email or phone on the customer before asking Shopify", () => {
    const at = new Date("2026-11-20T08:30:00Z");
    expect(consentInput({ externalId: "7", email: null, phone: "+12125550100" }, "email", "unsubscribed", at).ok).toBe(false);
    expect(consentInput({ externalId: "7", email: "a@b.c", phone: null }, "sms", "subscribed", at).ok).toBe(false);
    expect(consentInput({ externalId: "7", email: null, phone: "+12125550100" }, "sms", "pending", at)).toEqual({
      ok: true,
      value: { customerId: "gid://shopify/Customer/7", smsMarketingConsent: { marketingState: "PENDING", marketingOptInLevel: "SINGLE_OPT_IN", consentUpdatedAt: "2026-11-20T08:30:00.000Z" } },
    });
  });
});

describe("write-back to WooCommerce", () => {
  it("an opt-out and a re-subscribe land in the customer's meta with state, real time and source; a guest needs no call", async () => {
    setStoreConsentWriter(writeConsentToStore);
    const { startWooSim } = await import("../../scripts/sims/woo-sim");
    const { connectWooStore } = await import("../../app/models/store-connections.server");
    const { appConfig } = await import("../../app/config.server");
    const woo = await startWooSim({ customers: 4, orders: 4 });
    try {
      const shopId = (await db.pool.query<{ id: number }>(
        `insert into shops (domain, platform, currency, timezone, updated_at) values ('woo-consent.example', 'woocommerce', 'GBP', 'Europe/London', now()) returning id`)).rows[0].id;
      const connected = await connectWooStore(db.pool, appConfig().encryptionKey, shopId,
        { url: woo.url, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret }, { webhookUrl: "https://winback.test/webhooks/woocommerce", now: new Date() });
      expect(connected.ok).toBe(true);
      const id = await customer(shopId, { email: "customer3@example.com" });
      await db.pool.query(`insert into customer_identities (shop_id, source, external_id, customer_id) values ($1, 'woocommerce', '3', $2)`, [shopId, id]);
      const meta = () => Object.fromEntries(((woo.customers.find((c) => c.id === 3)!.meta_data ?? []) as { key: string; value: unknown }[]).map((m) => [m.key, m.value]));

      const at = new Date("2026-11-21T09:15:00.000Z");
      await changeConsent({ shopId, channel: "email", customerId: id, state: "unsubscribed", source: "one_click", at });
      expect(meta()).toEqual({
        winback_email_marketing_consent: "unsubscribed", winback_email_marketing_consent_at: at.toISOString(), winback_email_marketing_consent_source: "one_click",
      });
      const later = new Date("2026-11-22T10:00:00.000Z");
      await changeConsent({ shopId, channel: "email", customerId: id, state: "subscribed", source: "preference_page", at: later });
      expect(meta()).toMatchObject({ winback_email_marketing_consent: "subscribed", winback_email_marketing_consent_at: later.toISOString(), winback_email_marketing_consent_source: "preference_page" });
      expect((woo.customers.find((c) => c.id === 3)!.meta_data as unknown[]).length).toBe(3); // replaced by key, not appended

      // A guest (no WooCommerce customer record) has nothing to update: no request is made.
      const before = woo.requests.length;
      const guest = await customer(shopId, { email: "guest@example.com" });
      await changeConsent({ shopId, channel: "email", customerId: guest, state: "unsubscribed", source: "one_click", at });
      expect(woo.requests.length).toBe(before);
    } finally {
      setStoreConsentWriter(null);
      await woo.close();
    }
  });
});

describe("bounces and complaints", () => {
  it("a hard bounce suppresses the address; subscribing again does not lift it", async () => {
    setStoreConsentWriter(null);
    const shopId = await insertShop(db.pool, "bounce.myshopify.com");
    const email = "Bouncy@Example.com";
    const id = await customer(shopId, { email });
    await recordDeliveryProblem({ shopId, channel: "email", address: email, kind: "hard_bounce", source: "smtp_550", at: new Date() });
    await changeConsent({ shopId, channel: "email", customerId: id, state: "subscribed", source: "preference_page", at: new Date() });
    const s = await db.pool.query(`select address, reason::text from suppressions where shop_id = $1`, [shopId]);
    expect(s.rows).toEqual([{ address: "bouncy@example.com", reason: "hard_bounce" }]);
  });

  it("a complaint is an opt-out: consent, suppression (complaint) and consent_changed", async () => {
    setStoreConsentWriter(null);
    const shopId = await insertShop(db.pool, "complaint.myshopify.com");
    const email = "grumpy@example.com";
    const id = await customer(shopId, { email });
    await recordDeliveryProblem({ shopId, channel: "email", address: email, kind: "complaint", source: "fbl", at: new Date() });
    const c = await db.pool.query(`select email_consent::text, email_consent_source from customers where shop_id = $1 and id = $2`, [shopId, id]);
    expect(c.rows[0]).toEqual({ email_consent: "unsubscribed", email_consent_source: "fbl" });
    const s = await db.pool.query(`select reason::text from suppressions where shop_id = $1`, [shopId]);
    expect(s.rows).toEqual([{ reason: "complaint" }]);
    const e = await db.pool.query(`select properties from events where shop_id = $1 and name = 'consent_changed'`, [shopId]);
    expect(e.rows).toEqual([{ properties: { channel: "email", state: "unsubscribed", source: "fbl" } }]);
  });

  it("an opt-out from an address we do not know still suppresses it", async () => {
    setStoreConsentWriter(null);
    const shopId = await insertShop(db.pool, "stranger.myshopify.com");
    const r = await changeConsent({ shopId, channel: "sms", address: "+12125550999", state: "unsubscribed", reason: "sms_keyword", source: "sms_keyword", at: new Date() });
    expect(r).toEqual({ customerId: null, address: "+12125550999", changed: true });
    const s = await db.pool.query(`select channel::text, reason::text from suppressions where shop_id = $1`, [shopId]);
    expect(s.rows).toEqual([{ channel: "sms", reason: "sms_keyword" }]);
  });

  it("changes stay inside their shop", async () => {
    setStoreConsentWriter(null);
    const a = await insertShop(db.pool, "scope-a.myshopify.com");
    const b = await insertShop(db.pool, "scope-b.myshopify.com");
    const email = "same@example.com";
    await customer(a, { email });
    const idB = await customer(b, { email });
    await changeConsent({ shopId: a, channel: "email", address: email, state: "unsubscribed", source: "one_click", at: new Date() });
    const c = await db.pool.query(`select email_consent::text from customers where shop_id = $1 and id = $2`, [b, idB]);
    expect(c.rows[0].email_consent).toBe("subscribed");
    expect((await db.pool.query(`select count(*)::int as n from suppressions where shop_id = $1`, [b])).rows[0].n).toBe(0);
  });

  it("an SMS opt-out ends the customer's journeys that text, at once, and leaves email-only journeys running", async () => {
    setStoreConsentWriter(null);
    const shopId = await insertShop(db.pool, "journeys.myshopify.com");
    const id = await customer(shopId);
    const enrol = async (channel: string) => {
      const j = await db.pool.query<{ id: string }>(`insert into journeys (shop_id, name, status, live_version, draft) values ($1, $2, 'published', 1, '{}') returning id::text`, [shopId, `j-${channel}`]);
      await db.pool.query(`insert into journey_versions (shop_id, journey_id, version, definition) values ($1, $2, 1, $3)`, [shopId, j.rows[0].id, JSON.stringify({ nodes: [{ id: "s1", type: "send", channel }] })]);
      const e = await db.pool.query<{ id: string }>(
        `insert into enrollments (shop_id, journey_id, journey_version, customer_id, status, state, entered_at) values ($1, $2, 1, $3, 'waiting', '{}', now()) returning id::text`,
        [shopId, j.rows[0].id, id],
      );
      return e.rows[0].id;
    };
    const smsEnrollment = await enrol("sms");
    const emailEnrollment = await enrol("email");
    const r = await changeConsent({ shopId, channel: "sms", customerId: id, state: "unsubscribed", reason: "sms_keyword", source: "sms_keyword", at: new Date() });
    expect(r.journeysLeft).toBe(1);
    const rows = await db.pool.query(`select id::text, status::text from enrollments where shop_id = $1 order by id`, [shopId]);
    expect(Object.fromEntries(rows.rows.map((x) => [x.id, x.status]))).toEqual({ [smsEnrollment]: "exited", [emailEnrollment]: "waiting" });
  });
});
