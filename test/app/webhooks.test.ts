import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { countCustomerRows, insertCustomerWithHistory, insertShop } from "../helpers/fixtures";
import { shopifyWebhookRequest } from "../helpers/shopify-webhook";

const db: TestDatabase = await createTestDatabase();
configureAppEnv(db);
const { action: compliance } = await import("../../app/routes/webhooks.compliance");
const { action: uninstalled } = await import("../../app/routes/webhooks.app.uninstalled");
const { action: scopesUpdate } = await import("../../app/routes/webhooks.app.scopes_update");
const { processWebhookDelivery } = await import("../../jobs/webhooks.worker");
const { closeSharedQueues, queues } = await import("../../jobs/queues");
const { closeDatabase } = await import("../../app/db.server");
const { shopify } = await import("../../app/shopify.server");
const { Session } = await import("@shopify/shopify-api");

async function storeOfflineSession(shop: string, scope = "read_customers") {
  await shopify().sessionStorage!.storeSession(new Session({ id: `offline_${shop}`, shop, state: "s", isOnline: false, scope, accessToken: "shpat_test_token" }));
}

type Action = (args: { request: Request; params: {}; context: {} }) => Promise<Response>;
const call = (action: unknown, request: Request) => (action as Action)({ request, params: {}, context: {} });

async function deliveries(shop: string) {
  return (await db.pool.query(`select id::text, topic, event_id from webhook_deliveries where shop_domain = $1 order by id`, [shop])).rows;
}

// Sends a webhook, checks it was accepted, and applies it as the worker would.
async function deliver(action: unknown, opts: Parameters<typeof shopifyWebhookRequest>[0]) {
  const res = await call(action, shopifyWebhookRequest(opts));
  expect(res.status).toBe(200);
  const rows = await deliveries(opts.shop);
  const row = rows.find((r) => r.event_id === opts.eventId) ?? rows[rows.length - 1];
  return processWebhookDelivery(db.pool, row.id);
}

afterAll(async () => {
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

const TOPICS = [
  { path: "/webhooks/app/uninstalled", topic: "app/uninstalled", action: () => uninstalled },
  { path: "/webhooks/app/scopes_update", topic: "app/scopes_update", action: () => scopesUpdate },
  { path: "/webhooks/compliance", topic: "customers/data_request", action: () => compliance },
  { path: "/webhooks/compliance", topic: "customers/redact", action: () => compliance },
  { path: "/webhooks/compliance", topic: "shop/redact", action: () => compliance },
];

describe.each(TOPICS)("$topic with a bad signature", ({ path, topic, action }) => {
  it.each([
    ["a wrong signature", "bm90LXRoZS1zaWduYXR1cmU="],
    ["a signature made with another secret", undefined],
    ["no signature", null],
  ])("is refused with 401 for %s and writes nothing", async (_label, hmac) => {
    const shop = `bad-${Math.random().toString(36).slice(2)}.myshopify.com`;
    const req = shopifyWebhookRequest({ path, topic, shop, payload: { shop_domain: shop }, hmac, secret: hmac === undefined ? "some-other-secret" : undefined });
    const res = await call(action(), req).catch((e: unknown) => e as Response);
    expect(res.status).toBe(401);
    expect(await deliveries(shop)).toEqual([]);
  });
});

describe("good signatures", () => {
  const shop = "good-shop.myshopify.com";
  let shopId: number;
  beforeAll(async () => {
    shopId = await insertShop(db.pool, shop);
  });

  it("records a delivery once per X-Shopify-Event-Id and queues it once", async () => {
    const opts = { path: "/webhooks/app/scopes_update", topic: "app/scopes_update", shop, payload: { current: ["read_customers"] }, eventId: "evt-dup-1" };
    for (let i = 0; i < 3; i++) expect((await call(scopesUpdate, shopifyWebhookRequest(opts))).status).toBe(200);
    const rows = (await deliveries(shop)).filter((r) => r.event_id === "evt-dup-1");
    expect(rows).toHaveLength(1);
    const job = await queues().queue("webhooks").getJob(`webhook-${rows[0].id}`);
    expect(job?.data).toEqual({ deliveryId: rows[0].id });
  });

  it("app/scopes_update writes the granted scopes to the shop's sessions", async () => {
    await storeOfflineSession(shop, "old");
    const out = await deliver(scopesUpdate, { path: "/webhooks/app/scopes_update", topic: "app/scopes_update", shop, payload: { current: ["read_customers", "read_orders"] }, eventId: "evt-scopes-2" });
    expect(out).toEqual({ applied: true, topic: "app/scopes_update" });
    const s = await db.pool.query(`select scope from sessions where shop = $1`, [shop]);
    expect(s.rows[0].scope).toBe("read_customers,read_orders");
  });

  it("customers/data_request stores a JSON export of everything held about the customer", async () => {
    const id = await insertCustomerWithHistory(db.pool, shopId, "9001", "ana@example.com");
    await deliver(compliance, {
      path: "/webhooks/compliance",
      topic: "customers/data_request",
      shop,
      eventId: "evt-dr-1",
      payload: { shop_id: 1, shop_domain: shop, orders_requested: ["order-9001"], customer: { id: 9001, email: "ana@example.com", phone: null }, data_request: { id: 77 } },
    });
    const r = await db.pool.query(`select export from data_requests where shop_id = $1`, [shopId]);
    expect(r.rows).toHaveLength(1);
    const exported = r.rows[0].export;
    expect(exported.requestId).toBe(77);
    expect(exported.data.customers.map((c: { id: string }) => c.id)).toEqual([id]);
    expect(exported.data.customers[0].email).toBe("ana@example.com");
    expect(exported.data.orders).toHaveLength(1);
    expect(exported.data.events).toHaveLength(1);
    expect(exported.data.order_lines).toHaveLength(1);
  });

  it("customers/redact erases the customer's rows from every table and leaves others alone", async () => {
    const gone = await insertCustomerWithHistory(db.pool, shopId, "9101", "bo@example.com");
    const kept = await insertCustomerWithHistory(db.pool, shopId, "9102", "cy@example.com");
    // A phone shared with someone else must not take them along.
    await db.pool.query(`update customers set phone = '+12125559101' where shop_id = $1 and id = any($2::bigint[])`, [shopId, [gone, kept]]);
    await deliver(compliance, {
      path: "/webhooks/compliance",
      topic: "customers/redact",
      shop,
      eventId: "evt-redact-1",
      payload: { shop_id: 1, shop_domain: shop, customer: { id: 9101, email: "bo@example.com", phone: "+12125559101" }, orders_to_redact: ["order-9101"] },
    });
    expect(await countCustomerRows(db.pool, shopId, gone)).toEqual({ customers: 0, identities: 0, orders: 0, events: 0, scores: 0 });
    expect(await countCustomerRows(db.pool, shopId, kept)).toEqual({ customers: 1, identities: 1, orders: 1, events: 1, scores: 1 });
    const orderLeft = await db.pool.query(`select count(*)::int as n from orders where shop_id = $1 and external_id = 'order-9101'`, [shopId]);
    expect(orderLeft.rows[0].n).toBe(0);
  });

  it("app/uninstalled removes the shop's sessions and marks it uninstalled", async () => {
    const other = "uninstall-me.myshopify.com";
    await insertShop(db.pool, other);
    await storeOfflineSession(other);
    await deliver(uninstalled, { path: "/webhooks/app/uninstalled", topic: "app/uninstalled", shop: other, payload: { domain: other }, eventId: "evt-un-1" });
    expect((await db.pool.query(`select count(*)::int as n from sessions where shop = $1`, [other])).rows[0].n).toBe(0);
    expect((await db.pool.query(`select status from shops where domain = $1`, [other])).rows[0].status).toBe("uninstalled");
  });

  it("shop/redact erases every row the shop owns", async () => {
    const doomed = "redact-shop.myshopify.com";
    const doomedId = await insertShop(db.pool, doomed);
    await insertCustomerWithHistory(db.pool, doomedId, "1", "x@example.com");
    await insertCustomerWithHistory(db.pool, doomedId, "2", "y@example.com");
    await deliver(compliance, { path: "/webhooks/compliance", topic: "shop/redact", shop: doomed, payload: { shop_id: 2, shop_domain: doomed }, eventId: "evt-sr-1" });
    const left = await db.pool.query(
      `select (select count(*) from customers where shop_id = $1) + (select count(*) from orders where shop_id = $1) + (select count(*) from order_lines where shop_id = $1)
        + (select count(*) from events where shop_id = $1) + (select count(*) from customer_identities where shop_id = $1) + (select count(*) from customer_scores where shop_id = $1) as n`,
      [doomedId],
    );
    expect(Number(left.rows[0].n)).toBe(0);
    // The first shop's customers are untouched.
    expect(Number((await db.pool.query(`select count(*) from customers where shop_id = $1`, [shopId])).rows[0].count)).toBeGreaterThan(0);
  });

  it("processing a delivery twice applies it once", async () => {
    const row = (await deliveries(shop)).find((r) => r.event_id === "evt-redact-1")!;
    expect(await processWebhookDelivery(db.pool, row.id)).toEqual({ applied: false, reason: "already processed" });
  });
});
