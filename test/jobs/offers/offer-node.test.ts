// A journey's offer node end to end: the offer is chosen and logged, its unique code created
// on the store simulator (Shopify GraphQL, WooCommerce REST), and the next email delivered
// through the real registry to the local SMTP server carries that code. A crash between
// creating the code and recording it leaves exactly one code, sent once; a ladder escalates
// on a simulated clock only for customers who did not order.
import { afterAll, describe, expect, it } from "vitest";
import { createAdminGraphql, type AdminGraphql } from "../../../connectors/shopify/client";
import { createWooCouponApi } from "../../../connectors/woocommerce/coupons";
import type { JourneyInput } from "../../../core/journeys/schema";
import { generateStore, pointShopifyClientsAt, startStoreSim } from "../../../scripts/store-sim";
import { withWooCoupons } from "../../../scripts/sims/woo-coupons";
import { startWooSim } from "../../../scripts/sims/woo-sim";
import { configureAppEnv } from "../../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertCustomers, insertEvents, OPEN_GOVERNANCE } from "../journeys/fixtures";

const db: TestDatabase = await createTestDatabase("offer_node");
configureAppEnv(db, { SHOPIFY_APP_URL: "https://winback.test" });
const { startDemoChannels } = await import("../../../scripts/sims/demo-channels");
const { journeyChannelRegistry } = await import("../../../app/models/channels.server");
const { setStoreConsentWriter } = await import("../../../app/models/consent.server");
const { closeDatabase } = await import("../../../app/db.server");
const { closeSharedQueues } = await import("../../../jobs/queues");
const { createQueueSystem } = await import("../../../jobs/queues");
const { handleJourneyEvent } = await import("../../../jobs/journeys/events");
const { processMessage } = await import("../../../jobs/journeys/send");
const { processEnrollment } = await import("../../../jobs/journeys/step");
const { storeCodeIssuer } = await import("../../../jobs/journeys/offer");
const { publish } = await import("../journeys/fixtures");
setStoreConsentWriter(null);

const TOKEN = "shpat_offer_node";
const SHOP = "offer-node.myshopify.com";
const WOO = "woo-offer-node.example";
const sim = await startStoreSim({ store: generateStore({ seed: 7, customers: 3, domain: SHOP }), accessToken: TOKEN, bucket: { maximumAvailable: 20_000, restoreRate: 1_000 } });
const unpoint = pointShopifyClientsAt(sim);
const woo = await withWooCoupons(await startWooSim({ customers: 2, orders: 2 }));
const qs = createQueueSystem({ databaseUrl: db.url });

async function shop(domain: string, platform: "shopify" | "woocommerce", offers: unknown): Promise<number> {
  const r = await db.pool.query<{ id: number }>(
    `insert into shops (domain, platform, currency, timezone, settings, updated_at) values ($1, $2::"Platform", 'USD', 'America/New_York', $3, now()) returning id`,
    [domain, platform, JSON.stringify({ governance: OPEN_GOVERNANCE, offers })]);
  return r.rows[0].id;
}
const OFFERS = [
  { name: "10% off", def: { kind: "percentage", id: "pct10", percent: 10, expiresInDays: 14 } },
  { name: "15% off", def: { kind: "percentage", id: "pct15", percent: 15, expiresInDays: 14 } },
  { name: "20% off", def: { kind: "percentage", id: "pct20", percent: 20, expiresInDays: 14 } },
  { name: "40% off", def: { kind: "percentage", id: "pct40", percent: 40, expiresInDays: 14 } },
];
async function catalogue(shopId: number) {
  for (const o of OFFERS) await db.pool.query(`insert into offers (shop_id, name, definition) values ($1, $2, $3)`, [shopId, o.name, JSON.stringify(o.def)]);
}
const settings = {
  bounds: { allowedOfferIds: ["none", "pct10", "pct15", "pct20", "pct40"], maxPercent: 25 },
  ladders: [{ id: "climb", steps: ["pct10", "pct15", "pct20"], waitDays: 7 }],
};

const shopifyId = await shop(SHOP, "shopify", settings);
const wooId = await shop(WOO, "woocommerce", settings);
await catalogue(shopifyId);
await catalogue(wooId);
const demoShopify = await startDemoChannels(db.pool, SHOP);
const demoWoo = await startDemoChannels(db.pool, WOO);
const registry = journeyChannelRegistry();

let shopifyClient: (() => AdminGraphql) = () => createAdminGraphql({ shop: sim.shop, accessToken: TOKEN });
const issuer = storeCodeIssuer({
  shopify: async () => shopifyClient(),
  woocommerce: async () => createWooCouponApi({ url: woo.url, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret }),
  pollIntervalMs: 1,
});

afterAll(async () => {
  unpoint();
  await demoShopify.close();
  await demoWoo.close();
  await sim.close();
  await woo.close();
  await qs.close();
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

let clockAt = new Date("2026-11-20T15:00:00Z");
const deps = (over: object = {}) => ({ db: db.pool, qs, channels: registry, now: () => clockAt, retry: { attempts: 1, backoffMs: 1 }, offerCodes: issuer, ...over });

const offerJourney = (trigger: string, offerId: string): JourneyInput => ({
  id: "draft", version: 1, name: `Offer on ${trigger}`, trigger: { kind: "custom_event", name: trigger }, startNodeId: "o",
  nodes: [
    { id: "o", type: "offer", offerId, next: "s" },
    { id: "s", type: "send", channel: "email", contentId: "generic", purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
  goal: { kind: "order_placed" },
});

async function trigger(d: ReturnType<typeof deps>, shopId: number, customers: string[], name: string) {
  for (const e of await insertEvents(db.pool, shopId, customers, name)) await handleJourneyEvent(d, shopId, e);
}
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
const liveCodes = () => sim.state.discounts.filter((d) => !d.deleted).flatMap((d) => d.codes);
const mailsTo = (demo: typeof demoShopify, to: string) => demo.smtp.received.filter((m) => m.recipients.includes(to));

describe("offer node against the Shopify simulator", () => {
  it("chooses the fixed offer, creates its code on Shopify and delivers it in the next email", async () => {
    await publish(db.pool, shopifyId, offerJourney("fixed", "pct15"));
    const [c] = await insertCustomers(db.pool, shopifyId, 1);
    await trigger(deps(), shopifyId, [c], "fixed");
    const [choice] = await q<{ method: string; offer_key: string; reason: { kind: string }; message_id: string | null; code: string; status: string }>(
      `select c.method, c.offer_key, c.reason, c.message_id::text, d.code, d.status::text from offer_choices c join discount_codes d on d.shop_id = c.shop_id and d.idempotency_key = c.code_key where c.shop_id = $1 and c.customer_id = $2`, [shopifyId, c]);
    expect(choice).toMatchObject({ method: "fixed", offer_key: "pct15", reason: { kind: "fixed" }, status: "created" });
    expect(liveCodes().filter((x) => x === choice.code)).toHaveLength(1);
    const email = (await q<{ email: string }>(`select email from customers where id = $1`, [c]))[0].email;
    const mails = mailsTo(demoShopify, email);
    expect(mails).toHaveLength(1);
    expect(mails[0].html).toContain(choice.code);
    const msg = await q<{ status: string; discount_code: string }>(`select status::text, discount_code from messages where shop_id = $1 and customer_id = $2`, [shopifyId, c]);
    expect(msg).toEqual([{ status: "sent", discount_code: choice.code }]);
    expect(choice.message_id).not.toBeNull();
  });

  it("a crash after Shopify created the code but before it was recorded: the send waits, then exactly one code is sent once", async () => {
    await publish(db.pool, shopifyId, offerJourney("crash", "pct10"));
    const [c] = await insertCustomers(db.pool, shopifyId, 1);
    const real = shopifyClient;
    // The worker dies right after Shopify carried out the discount's creation.
    shopifyClient = () => {
      const inner = real();
      return { shop: inner.shop, async request<T>(query: string, variables?: Record<string, unknown>) {
        const r = await inner.request<T>(query, variables);
        if (/DiscountCodeBasicCreate|DiscountRedeemCodeBulkAdd/.test(query)) throw new Error("worker killed after the platform call");
        return r;
      } };
    };
    await expect(trigger(deps(), shopifyId, [c], "crash")).rejects.toThrow(/worker killed/);
    const [row] = await q<{ code: string; status: string }>(`select d.code, d.status::text from offer_choices c join discount_codes d on d.shop_id = c.shop_id and d.idempotency_key = c.code_key where c.shop_id = $1 and c.customer_id = $2`, [shopifyId, c]);
    expect(row.status).toBe("requested");
    expect(liveCodes().filter((x) => x === row.code)).toHaveLength(1); // on Shopify, unknown to us
    const email = (await q<{ email: string }>(`select email from customers where id = $1`, [c]))[0].email;
    expect(mailsTo(demoShopify, email)).toHaveLength(0);

    shopifyClient = real; // the worker restarts
    const [m] = await q<{ id: string; status: string }>(`select id::text, status::text from messages where shop_id = $1 and customer_id = $2`, [shopifyId, c]);
    expect(m.status).toBe("queued");
    const out = await processMessage(deps(), shopifyId, m.id);
    expect(out.kind).toBe("sent");
    await processMessage(deps(), shopifyId, m.id); // a duplicate job: nothing more
    expect(liveCodes().filter((x) => x === row.code)).toHaveLength(1);
    expect((await q(`select 1 from discount_codes where shop_id = $1 and customer_id = $2`, [shopifyId, c]))).toHaveLength(1);
    const mails = mailsTo(demoShopify, email);
    expect(mails).toHaveLength(1);
    expect(mails[0].html).toContain(row.code);
  });

  it("without a store to create the code the send waits instead of going out without it", async () => {
    await publish(db.pool, shopifyId, offerJourney("nostore", "pct10"));
    const [c] = await insertCustomers(db.pool, shopifyId, 1);
    await trigger(deps({ offerCodes: undefined }), shopifyId, [c], "nostore");
    const [m] = await q<{ id: string; status: string; reason: { kind: string } }>(`select id::text, status::text, reason from messages where shop_id = $1 and customer_id = $2`, [shopifyId, c]);
    expect(m).toMatchObject({ status: "deferred", reason: { kind: "offer_pending" } });
    clockAt = new Date(clockAt.getTime() + 120_000);
    expect((await processMessage(deps(), shopifyId, m.id)).kind).toBe("sent");
  });

  it("ladder: escalates 10% -> 15% -> 20% a week apart only for the customer who did not order", async () => {
    const ladder: JourneyInput = {
      id: "draft", version: 1, name: "Ladder", trigger: { kind: "custom_event", name: "ladder" }, startNodeId: "o0",
      nodes: [
        { id: "o0", type: "offer", offerId: "climb", ladderStep: 0, next: "s0" },
        { id: "s0", type: "send", channel: "email", contentId: "generic", purpose: "promotional", next: "w0" },
        { id: "w0", type: "wait", duration: { amount: 7, unit: "days" }, next: "o1" },
        { id: "o1", type: "offer", offerId: "climb", ladderStep: 1, next: "s1" },
        { id: "s1", type: "send", channel: "email", contentId: "generic", purpose: "promotional", next: "w1" },
        { id: "w1", type: "wait", duration: { amount: 7, unit: "days" }, next: "o2" },
        { id: "o2", type: "offer", offerId: "climb", ladderStep: 2, next: "s2" },
        { id: "s2", type: "send", channel: "email", contentId: "generic", purpose: "promotional", next: "end" },
        { id: "end", type: "exit" },
      ],
      goal: { kind: "order_placed" },
    };
    await publish(db.pool, shopifyId, ladder);
    const [quiet, buyer] = await insertCustomers(db.pool, shopifyId, 2);
    const start = clockAt;
    await trigger(deps(), shopifyId, [quiet, buyer], "ladder");
    // The buyer orders three days after the first rung (the order arrives by import; no goal event).
    await db.pool.query(
      `insert into orders (shop_id, source, external_id, customer_id, processed_at, currency, subtotal, total) values ($1, 'shopify', 'ladder-o1', $2, $3, 'USD', 4000, 4000)`,
      [shopifyId, buyer, new Date(start.getTime() + 3 * 86_400_000)]);
    const enrollments = await q<{ id: string; customer_id: string }>(`select e.id::text, e.customer_id::text from enrollments e join journeys j on j.shop_id = e.shop_id and j.id = e.journey_id where e.shop_id = $1 and j.name = 'Ladder'`, [shopifyId]);
    for (const week of [1, 2]) {
      clockAt = new Date(start.getTime() + week * 7 * 86_400_000 + 60_000);
      for (const e of enrollments) await processEnrollment(deps(), shopifyId, e.id);
    }
    const rungs = async (cust: string) => q<{ node_id: string; offer_key: string | null; ladder_step: number | null; kind: string; code: string | null }>(
      `select c.node_id, c.offer_key, c.ladder_step, c.reason->>'kind' as kind, d.code from offer_choices c left join discount_codes d on d.shop_id = c.shop_id and d.idempotency_key = c.code_key
       where c.shop_id = $1 and c.customer_id = $2 order by c.id`, [shopifyId, cust]);
    const quietRungs = await rungs(quiet);
    expect(quietRungs.map((r) => [r.node_id, r.offer_key, r.ladder_step])).toEqual([["o0", "pct10", 0], ["o1", "pct15", 1], ["o2", "pct20", 2]]);
    const buyerRungs = await rungs(buyer);
    expect(buyerRungs.map((r) => [r.node_id, r.offer_key, r.kind])).toEqual([["o0", "pct10", "ladder"], ["o1", "none", "ladder_responded"], ["o2", "none", "ladder_responded"]]);
    // Every quiet rung's code exists on Shopify and went out in its own email.
    const email = (await q<{ email: string }>(`select email from customers where id = $1`, [quiet]))[0].email;
    const mails = mailsTo(demoShopify, email);
    expect(mails).toHaveLength(3);
    for (const [i, r] of quietRungs.entries()) {
      expect(liveCodes()).toContain(r.code);
      expect(mails[i].html).toContain(r.code!);
    }
    // The buyer's later emails carry no code.
    const buyerEmail = (await q<{ email: string }>(`select email from customers where id = $1`, [buyer]))[0].email;
    const buyerMails = mailsTo(demoShopify, buyerEmail);
    expect(buyerMails).toHaveLength(3);
    expect(buyerMails[1].html).not.toMatch(/WB-[0-9A-Z]{10}/);
  });
});

describe("offer node against the WooCommerce simulator", () => {
  it("creates the coupon at WooCommerce, restricted to the customer, and delivers it", async () => {
    await publish(db.pool, wooId, offerJourney("woo", "pct20"));
    const [c] = await insertCustomers(db.pool, wooId, 1);
    await trigger(deps(), wooId, [c], "woo");
    const [row] = await q<{ code: string; status: string }>(`select d.code, d.status::text from offer_choices c join discount_codes d on d.shop_id = c.shop_id and d.idempotency_key = c.code_key where c.shop_id = $1 and c.customer_id = $2`, [wooId, c]);
    expect(row.status).toBe("created");
    const email = (await q<{ email: string }>(`select email from customers where id = $1`, [c]))[0].email;
    const coupons = woo.coupons.coupons.filter((x) => x.code.toLowerCase() === row.code.toLowerCase()); // WooCommerce keeps codes lower-case
    expect(coupons).toHaveLength(1);
    expect(coupons[0]).toMatchObject({ email_restrictions: [email], usage_limit: 1 });
    const mails = mailsTo(demoWoo, email);
    expect(mails).toHaveLength(1);
    expect(mails[0].html).toContain(row.code);
  });
});

describe("the issuer live workers get (jobs/index.ts)", () => {
  it("creates codes with the shop's stored credentials: the Shopify offline session and the sealed WooCommerce keys", async () => {
    const { Session } = await import("@shopify/shopify-api");
    const { shopify } = await import("../../../app/shopify.server");
    const { appConfig } = await import("../../../app/config.server");
    const { connectWooStore } = await import("../../../app/models/store-connections.server");
    const { liveOfferCodeIssuer } = await import("../../../jobs/store-clients");
    const live = await liveOfferCodeIssuer(db.pool);

    // Before installation stored a session, a Shopify send waits rather than going out without its code.
    await publish(db.pool, shopifyId, offerJourney("live-shopify", "pct10"));
    const [c] = await insertCustomers(db.pool, shopifyId, 1);
    await shopify().sessionStorage!.deleteSession(`offline_${SHOP}`);
    await trigger(deps({ offerCodes: live }), shopifyId, [c], "live-shopify");
    const [m] = await q<{ id: string; status: string }>(`select id::text, status::text from messages where shop_id = $1 and customer_id = $2`, [shopifyId, c]);
    expect(m.status).toBe("deferred");

    await shopify().sessionStorage!.storeSession(new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "s", isOnline: false, scope: "write_discounts", accessToken: TOKEN }));
    clockAt = new Date(clockAt.getTime() + 120_000);
    expect((await processMessage(deps({ offerCodes: live }), shopifyId, m.id)).kind).toBe("sent");
    const [row] = await q<{ code: string; status: string }>(`select d.code, d.status::text from offer_choices c join discount_codes d on d.shop_id = c.shop_id and d.idempotency_key = c.code_key where c.shop_id = $1 and c.customer_id = $2`, [shopifyId, c]);
    expect(row.status).toBe("created");
    expect(liveCodes().filter((x) => x === row.code)).toHaveLength(1);

    // WooCommerce: the keys the merchant connected with, read back sealed from store_connections.
    const connected = await connectWooStore(db.pool, appConfig().encryptionKey, wooId,
      { url: woo.url, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret }, { webhookUrl: "https://winback.test/webhooks/woocommerce", now: clockAt });
    expect(connected.ok).toBe(true);
    await publish(db.pool, wooId, offerJourney("live-woo", "pct15"));
    const [w] = await insertCustomers(db.pool, wooId, 1);
    await trigger(deps({ offerCodes: live }), wooId, [w], "live-woo");
    const [coupon] = await q<{ code: string; status: string }>(`select d.code, d.status::text from offer_choices c join discount_codes d on d.shop_id = c.shop_id and d.idempotency_key = c.code_key where c.shop_id = $1 and c.customer_id = $2`, [wooId, w]);
    expect(coupon.status).toBe("created");
    expect(woo.coupons.coupons.filter((x) => x.code.toLowerCase() === coupon.code.toLowerCase())).toHaveLength(1);
  });
});
