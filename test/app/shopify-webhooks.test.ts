// Live sync end to end: signed webhooks through the real route actions (HMAC by the library,
// dedupe by X-Shopify-Event-Id), applied by the worker in arrival order. Duplicates, replays
// and out-of-order arrivals must leave the store's latest state; a bad HMAC writes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateStore, restCustomer, restOrder, restRefundOf } from "../../scripts/store-sim";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";
import { shopifyWebhookRequest } from "../helpers/shopify-webhook";

const db: TestDatabase = await createTestDatabase();
configureAppEnv(db);
const routes = {
  "customers/create": await import("../../app/routes/webhooks.customers.create"),
  "customers/update": await import("../../app/routes/webhooks.customers.update"),
  "customers/delete": await import("../../app/routes/webhooks.customers.delete"),
  "orders/create": await import("../../app/routes/webhooks.orders.create"),
  "orders/updated": await import("../../app/routes/webhooks.orders.updated"),
  "orders/paid": await import("../../app/routes/webhooks.orders.paid"),
  "orders/cancelled": await import("../../app/routes/webhooks.orders.cancelled"),
  "refunds/create": await import("../../app/routes/webhooks.refunds.create"),
  "customers_email_marketing_consent/update": await import("../../app/routes/webhooks.customers_email_marketing_consent.update"),
  "customers_marketing_consent/update": await import("../../app/routes/webhooks.customers_marketing_consent.update"),
  "bulk_operations/finish": await import("../../app/routes/webhooks.bulk_operations.finish"),
} as const;
type Topic = keyof typeof routes;
const { processWebhookDelivery } = await import("../../jobs/webhooks.worker");
const { SHOPIFY_SYNC_TOPICS } = await import("../../jobs/shopify-sync/apply-webhook");
const { closeSharedQueues } = await import("../../jobs/queues");
const { closeDatabase } = await import("../../app/db.server");

type Action = (args: { request: Request; params: {}; context: {} }) => Promise<Response>;

const SHOP = "sync-shop.myshopify.com";
let shopId: number;
const store = generateStore({ seed: 21, customers: 6, domain: SHOP });

beforeAll(async () => {
  shopId = await insertShop(db.pool, SHOP);
});
afterAll(async () => {
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

let n = 0;
/** Sends one webhook through its route; returns the HTTP status. */
async function send(topic: Topic, payload: unknown, o: { eventId?: string; secret?: string; hmac?: string | null; shop?: string } = {}) {
  const req = shopifyWebhookRequest({ path: `/webhooks/${topic}`, topic, shop: o.shop ?? SHOP, payload, eventId: o.eventId ?? `ev-${++n}`, secret: o.secret, hmac: o.hmac });
  const res = await (routes[topic].action as unknown as Action)({ request: req, params: {}, context: {} }).catch((e: unknown) => e as Response);
  return res.status;
}

/** Applies every delivery not processed yet, in arrival order, as the worker would. */
async function drain() {
  const r = await db.pool.query(`select id::text from webhook_deliveries where processed_at is null order by id`);
  const out = [];
  for (const row of r.rows) out.push(await processWebhookDelivery(db.pool, row.id));
  return out;
}

async function customerByExternal(externalId: string | number) {
  const r = await db.pool.query(
    `select c.id::text, c.first_name, c.email, c.email_consent, c.sms_consent, c.email_consent_at
     from customer_identities i join customers c on c.shop_id = i.shop_id and c.id = i.customer_id
     where i.shop_id = $1 and i.source = 'shopify' and i.external_id = $2`, [shopId, String(externalId)]);
  return r.rows[0];
}

async function orderByExternal(externalId: string | number) {
  const r = await db.pool.query(
    `select total::int, refunded::int, financial_status, cancelled_at, name, (select count(*)::int from order_lines l where l.shop_id = o.shop_id and l.order_id = o.id) as lines
     from orders o where shop_id = $1 and source = 'shopify' and external_id = $2`, [shopId, String(externalId)]);
  return r.rows[0];
}

const at = (day: number, hour = 0) => new Date(Date.UTC(2026, 10, day, hour)).toISOString();

describe("Shopify live-sync webhooks", () => {
  it("subscribes every sync topic in shopify.app.toml, each with its route", async () => {
    const { readFileSync } = await import("node:fs");
    const toml = readFileSync(new URL("../../shopify.app.toml", import.meta.url), "utf8");
    expect(Object.keys(routes).sort()).toEqual([...SHOPIFY_SYNC_TOPICS].sort());
    for (const topic of SHOPIFY_SYNC_TOPICS) expect(toml).toContain(`topics = ["${topic}"]\n  uri = "/webhooks/${topic}"`);
  });

  it("refuses a bad or missing HMAC on every sync topic and writes nothing", async () => {
    const before = (await db.pool.query(`select count(*)::int as n from webhook_deliveries`)).rows[0].n;
    for (const topic of Object.keys(routes) as Topic[]) {
      expect(await send(topic, { id: 1 }, { secret: "not-the-app-secret" })).toBe(401);
      expect(await send(topic, { id: 1 }, { hmac: null })).toBe(401);
    }
    expect((await db.pool.query(`select count(*)::int as n from webhook_deliveries`)).rows[0].n).toBe(before);
    expect((await db.pool.query(`select count(*)::int as n from customers where shop_id = $1`, [shopId])).rows[0].n).toBe(0);
  });

  it("keeps the newest customer however updates are duplicated, replayed or reordered", async () => {
    const c = store.customers[0];
    const v1 = { ...restCustomer(c), first_name: "Old", updated_at: at(1) };
    const v2 = { ...restCustomer(c), first_name: "Newer", updated_at: at(2) };
    const v3 = { ...restCustomer(c), first_name: "Newest", updated_at: at(3) };
    // Newest first, then the same event three times, then older ones (one replayed with a new id).
    expect(await send("customers/update", v3, { eventId: "c-3" })).toBe(200);
    expect(await send("customers/update", v3, { eventId: "c-3" })).toBe(200);
    expect(await send("customers/update", v3, { eventId: "c-3" })).toBe(200);
    expect(await send("customers/create", v1, { eventId: "c-1" })).toBe(200);
    expect(await send("customers/update", v2, { eventId: "c-2" })).toBe(200);
    expect(await send("customers/update", v2, { eventId: "c-2-replayed" })).toBe(200);
    const outcomes = await drain();
    expect(outcomes).toHaveLength(4);
    expect(outcomes.every((o) => o.applied)).toBe(true);
    expect(await customerByExternal(c.id)).toMatchObject({ first_name: "Newest", email: c.email });
    expect((await db.pool.query(`select count(*)::int as n from customers where shop_id = $1`, [shopId])).rows[0].n).toBe(1);
  });

  it("applies orders newer-wins and counts each refund once, whatever the order of arrival", async () => {
    const o = store.orders.find((x) => x.customerId != null && x.lines.length > 1)!;
    const base = restOrder({ ...o, refunds: [], refunded: 0, financialStatus: "PAID", updatedAt: at(5) }, store);
    const refund = { id: 88_000_001, createdAt: at(6), amount: Math.floor(o.total / 4) };
    const refunded = { ...o, refunds: [refund], refunded: refund.amount, financialStatus: "PARTIALLY_REFUNDED" as const, updatedAt: at(6, 1) };
    const withRefund = restOrder(refunded, store);
    const refundPayload = restRefundOf(refunded, refund, store);
    // The refund before the order exists, the updated order before its creation, duplicates.
    await send("refunds/create", refundPayload, { eventId: "r-1" });
    await send("orders/updated", withRefund, { eventId: "o-2" });
    await send("orders/create", base, { eventId: "o-1" });
    await send("orders/paid", base, { eventId: "o-1-paid" });
    await send("refunds/create", refundPayload, { eventId: "r-1" });
    await send("refunds/create", refundPayload, { eventId: "r-1-again" });
    await drain();
    expect(await orderByExternal(o.id)).toMatchObject({ total: o.total, refunded: refund.amount, financial_status: "partially_refunded", lines: o.lines.length });

    // A second refund arrives only as its own webhook (the order update for it is lost).
    const second = { id: 88_000_002, createdAt: at(7), amount: o.total - refund.amount };
    await send("refunds/create", restRefundOf(o, second, store), { eventId: "r-2" });
    // ...and an older order update is replayed afterwards: the refunds stand.
    await send("orders/updated", base, { eventId: "o-1-replayed" });
    await drain();
    expect(await orderByExternal(o.id)).toMatchObject({ refunded: o.total, financial_status: "refunded" });

    // Cancelled later: applied, the refunds kept.
    await send("orders/cancelled", restOrder({ ...refunded, refunds: [refund, second], refunded: o.total, cancelledAt: at(8), updatedAt: at(8) }, store), { eventId: "o-3" });
    await drain();
    const final = await orderByExternal(o.id);
    expect(final.cancelled_at).toEqual(new Date(at(8)));
    expect(final.refunded).toBe(o.total);
  });

  it("sets consent newer-wins and records consent_changed once per change", async () => {
    const c = store.customers[1];
    await send("customers/create", { ...restCustomer(c), updated_at: at(1) });
    const email = (state: string, when: string) => ({
      customer_id: c.id, email_address: c.email, email_marketing_consent: { state, opt_in_level: "single_opt_in", consent_updated_at: when },
    });
    await send("customers_email_marketing_consent/update", email("unsubscribed", at(10)), { eventId: "k-10" });
    await send("customers_email_marketing_consent/update", email("subscribed", at(9)), { eventId: "k-9" });
    await send("customers_email_marketing_consent/update", email("unsubscribed", at(10)), { eventId: "k-10" });
    await send("customers_email_marketing_consent/update", email("unsubscribed", at(10)), { eventId: "k-10-replayed" });
    await drain();
    const row = await customerByExternal(c.id);
    expect(row.email_consent).toBe("unsubscribed");
    expect(row.email_consent_at).toEqual(new Date(at(10)));
    const events = await db.pool.query(`select properties from events where shop_id = $1 and customer_id = $2 and name = 'consent_changed'`, [shopId, row.id]);
    expect(events.rows.map((e) => e.properties)).toEqual([{ channel: "email", state: "unsubscribed", previous: expect.any(String), source: "shopify" }]);
    // The opt-out is on the suppression list every send checks, once.
    const suppressed = () => db.pool.query(`select reason, source from suppressions where shop_id = $1 and channel = 'email' and address = $2`, [shopId, c.email!.toLowerCase()]);
    expect((await suppressed()).rows).toEqual([{ reason: "unsubscribe", source: "shopify" }]);
    // Subscribing again in Shopify (newer) lifts it.
    await send("customers_email_marketing_consent/update", email("subscribed", at(12)), { eventId: "k-12" });
    await drain();
    expect((await suppressed()).rows).toEqual([]);
    expect(await customerByExternal(c.id)).toMatchObject({ email_consent: "subscribed" });

    // SMS consent for a customer not seen yet: the identity is made from the payload.
    const d = store.customers.find((x) => x.phone && x.id !== c.id)!;
    await send("customers_marketing_consent/update", { id: d.id, phone: d.phone, sms_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: at(11), consent_collected_from: "OTHER" } });
    await drain();
    expect(await customerByExternal(d.id)).toMatchObject({ sms_consent: "subscribed" });
  });

  it("deletes only the Shopify identity, and a late update does not bring it back", async () => {
    const c = store.customers[2];
    await send("customers/create", { ...restCustomer(c), updated_at: at(1) });
    await drain();
    const before = await customerByExternal(c.id);
    expect(before).toBeDefined();
    await send("customers/delete", { id: c.id }, { eventId: "d-1" });
    await send("customers/update", { ...restCustomer(c), first_name: "Ghost", updated_at: at(2) });
    await send("customers/delete", { id: c.id }, { eventId: "d-1-replayed" });
    const outcomes = await drain();
    expect(outcomes.every((o) => o.applied)).toBe(true);
    expect(await customerByExternal(c.id)).toBeUndefined();
    const audit = await db.pool.query(`select count(*)::int as n from audit_log where shop_id = $1 and action = 'customer.identity_deleted'`, [shopId]);
    expect(audit.rows[0].n).toBe(1);
    const mark = await db.pool.query(`select count(*)::int as n from events where shop_id = $1 and customer_id = $2 and name = 'customer_deleted'`, [shopId, before.id]);
    expect(mark.rows[0].n).toBe(1);
  });

  it("does nothing for an uninstalled shop", async () => {
    const other = "gone-shop.myshopify.com";
    const id = await insertShop(db.pool, other);
    await db.pool.query(`update shops set status = 'uninstalled' where id = $1`, [id]);
    await send("customers/create", restCustomer(store.customers[3]), { shop: other });
    const outcomes = await drain();
    expect(outcomes).toEqual([{ applied: false, reason: "shop uninstalled" }]);
    expect((await db.pool.query(`select count(*)::int as n from customers where shop_id = $1`, [id])).rows[0].n).toBe(0);
  });
});
