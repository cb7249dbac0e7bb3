// The attribution job in a real database: the full run writes what the pure rules say, with
// the shop's own windows; windows hold at their edges; a code beats a click; refunds and
// cancellations reverse; the incremental run for one order leaves what the full run would;
// recovered revenue counts customers at risk, dormant or lost on entry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditOrders } from "../../../core/attribution/credit";
import { CLICK_EVENT, OPEN_EVENT } from "../../../core/attribution/sql";
import { attributeOrders, attributeShop, recoveredRevenue } from "../../../jobs/attribution/attribute";
import { ATTRIBUTION_QUEUE, processAttributionJob } from "../../../jobs/attribution/worker";
import type { QueueSystem } from "../../../jobs/queues";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { DAY, seedRandomAttributionShop, T0, type RandomShop } from "../../core/attribution/random-shop";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase("attrjob");
});
afterAll(async () => {
  await db?.drop();
});

async function table(shopId: number) {
  const r = await db.pool.query(
    `select order_id::text, message_id::text, basis, evidence_at, credited_minor::int, status from attributions where shop_id = $1 order by order_id::text`,
    [shopId],
  );
  return r.rows.map((x) => ({
    orderId: x.order_id,
    messageId: x.message_id,
    basis: x.basis,
    evidenceAt: (x.evidence_at as Date).toISOString(),
    creditedMinor: x.credited_minor,
    status: x.status,
  }));
}

describe("full and incremental attribution on random data", () => {
  let shop: RandomShop;
  const windows = { clickWindowMs: 3 * DAY, openWindowMs: DAY / 2 };
  beforeAll(async () => {
    shop = await seedRandomAttributionShop(db.pool, "random.myshopify.com", 27);
    await db.pool.query(`update shops set settings = $2 where id = $1`, [shop.shopId, { attribution: windows }]);
  });

  it("the full run writes exactly the reference credits, with the shop's windows", async () => {
    const run = await attributeShop(db.pool, shop.shopId);
    const expected = creditOrders(shop.orders, shop.touches, shop.codes, windows).map((c) => ({ ...c, evidenceAt: c.evidenceAt.toISOString() }));
    expect(run).toEqual({ credited: expected.length, changed: expected.length, removed: 0 });
    expect(await table(shop.shopId)).toEqual(expected);
    // A second run finds nothing to change.
    expect(await attributeShop(db.pool, shop.shopId)).toEqual({ credited: expected.length, changed: 0, removed: 0 });
  });

  it("order by order, the incremental run arrives at the full run's table", async () => {
    const full = await table(shop.shopId);
    await db.pool.query(`delete from attributions where shop_id = $1`, [shop.shopId]);
    for (const o of shop.orders) await attributeOrders(db.pool, shop.shopId, [o.orderId]);
    expect(await table(shop.shopId)).toEqual(full);
  });

  it("after orders change, incremental runs for them equal a fresh full run", async () => {
    // Refund some, cancel some, strip the codes from others.
    const changed = shop.orders.filter((_, i) => i % 7 === 0).map((o) => o.orderId);
    await db.pool.query(
      `update orders set refunded = case when id % 2 = 0 then total else total / 2 end,
              cancelled_at = case when id % 3 = 0 then processed_at + interval '1 day' else null end,
              discount_codes = case when id % 5 = 0 then '{}'::text[] else discount_codes end
       where shop_id = $1 and id = any($2::bigint[])`,
      [shop.shopId, changed],
    );
    for (const id of changed) await attributeOrders(db.pool, shop.shopId, [id]);
    const incremental = await table(shop.shopId);
    await db.pool.query(`delete from attributions where shop_id = $1`, [shop.shopId]);
    await attributeShop(db.pool, shop.shopId);
    expect(incremental).toEqual(await table(shop.shopId));
    expect(incremental.some((c) => c.status === "reversed")).toBe(true);
  });
});

describe("hand-made cases", () => {
  let shopId: number;
  let customerId: string;
  const placed = new Date(T0 + 10 * DAY);
  let nextOrder = 1000;
  let nextMessage = 5000;

  beforeAll(async () => {
    shopId = (await db.pool.query(`insert into shops (domain, platform, updated_at) values ('hand.myshopify.com', 'shopify', now()) returning id`)).rows[0].id;
  });

  async function freshCustomer(): Promise<string> {
    return (await db.pool.query(`insert into customers (shop_id) values ($1) returning id::text`, [shopId])).rows[0].id;
  }
  async function message(customer: string): Promise<string> {
    const id = String(nextMessage++);
    await db.pool.query(
      `insert into messages (shop_id, id, idempotency_key, customer_id, channel, purpose, status, sent_at) values ($1, $2, $3, $4, 'email', 'promotional', 'sent', $5)`,
      [shopId, id, `k${id}`, customer, new Date(T0)],
    );
    return id;
  }
  async function touch(customer: string, messageId: string, kind: "click" | "open", at: Date) {
    await db.pool.query(`insert into events (shop_id, customer_id, name, occurred_at, message_id) values ($1, $2, $3, $4, $5)`, [
      shopId, customer, kind === "click" ? CLICK_EVENT : OPEN_EVENT, at, messageId,
    ]);
  }
  async function order(customer: string, opts: { codes?: string[]; total?: number } = {}): Promise<string> {
    const id = String(nextOrder++);
    await db.pool.query(
      `insert into orders (shop_id, id, source, external_id, customer_id, processed_at, currency, total, discount_codes) values ($1, $2::bigint, 'shopify', $2::text, $3, $4, 'USD', $5, $6)`,
      [shopId, id, customer, placed, opts.total ?? 5000, opts.codes ?? []],
    );
    return id;
  }
  async function creditOf(orderId: string) {
    await attributeOrders(db.pool, shopId, [orderId]);
    const r = await db.pool.query(`select message_id::text, basis, credited_minor::int, status from attributions where shop_id = $1 and order_id = $2`, [shopId, orderId]);
    return r.rows[0] ?? null;
  }

  it.each([
    ["click", 5 * DAY, true],
    ["click", 5 * DAY + 1, false],
    ["open", DAY, true],
    ["open", DAY + 1, false],
    ["click", 0, true],
    ["open", -1, false],
  ] as const)("a %s %d ms before the order credits it: %s", async (kind, before, credited) => {
    customerId = await freshCustomer();
    const m = await message(customerId);
    await touch(customerId, m, kind, new Date(placed.getTime() - before));
    const o = await order(customerId);
    const c = await creditOf(o);
    if (credited) expect(c).toEqual({ message_id: m, basis: kind, credited_minor: 5000, status: "active" });
    else expect(c).toBeNull();
  });

  it("a Winback code beats a later click; a failed code is no evidence", async () => {
    customerId = await freshCustomer();
    const withCode = await message(customerId);
    const clicked = await message(customerId);
    await db.pool.query(
      `insert into discount_codes (shop_id, code, idempotency_key, message_id, customer_id, offer_id, status, issued_at, expires_at) values
       ($1, 'WB-HAND1', 'h1', $2, $3, 1, 'created', $4, $4::timestamptz + interval '14 days'),
       ($1, 'WB-FAILED', 'h2', $2, $3, 1, 'failed', $4, $4::timestamptz + interval '14 days')`,
      [shopId, withCode, customerId, new Date(T0)],
    );
    await touch(customerId, clicked, "click", new Date(placed.getTime() - 1000));
    expect(await creditOf(await order(customerId, { codes: ["wb-hand1 "] }))).toMatchObject({ message_id: withCode, basis: "code" });
    expect(await creditOf(await order(customerId, { codes: ["WB-FAILED"] }))).toMatchObject({ message_id: clicked, basis: "click" });
  });

  it("a partial refund reduces the credit; a full refund or a cancellation reverses it", async () => {
    customerId = await freshCustomer();
    const m = await message(customerId);
    await touch(customerId, m, "click", new Date(placed.getTime() - DAY));
    const o = await order(customerId, { total: 8000 });
    expect(await creditOf(o)).toMatchObject({ credited_minor: 8000, status: "active" });
    await db.pool.query(`update orders set refunded = 3000 where shop_id = $1 and id = $2`, [shopId, o]);
    expect(await creditOf(o)).toMatchObject({ credited_minor: 5000, status: "active" });
    await db.pool.query(`update orders set refunded = 8000 where shop_id = $1 and id = $2`, [shopId, o]);
    expect(await creditOf(o)).toMatchObject({ credited_minor: 0, status: "reversed" });
    await db.pool.query(`update orders set refunded = 0, cancelled_at = processed_at + interval '1 hour' where shop_id = $1 and id = $2`, [shopId, o]);
    expect(await creditOf(o)).toMatchObject({ credited_minor: 0, status: "reversed" });
  });

  it("recovered revenue counts customers who were at risk, dormant or lost when they entered", async () => {
    const entered = new Date(T0 + 5 * DAY);
    const cases = [
      { stage: "dormant", via: "state" },
      { stage: "at_risk", via: "event" },
      { stage: "lost", via: "score" },
      { stage: "active", via: "event" },
    ];
    let expectedRecovered = 0;
    const from = new Date(T0);
    const to = new Date(T0 + 30 * DAY);
    const before = await recoveredRevenue(db.pool, shopId, from, to);
    for (const [i, c] of cases.entries()) {
      const cust = await freshCustomer();
      const en = await db.pool.query(
        `insert into enrollments (shop_id, journey_id, journey_version, customer_id, status, state, entered_at) values ($1, 1, 1, $2, 'active', $3, $4) returning id::text`,
        [shopId, cust, c.via === "state" ? { stageAtEntry: c.stage } : {}, entered],
      );
      if (c.via === "event") {
        await db.pool.query(`insert into events (shop_id, customer_id, name, occurred_at, properties) values ($1, $2, 'stage_changed', $3, $4)`, [
          shopId, cust, new Date(entered.getTime() - DAY), { from: "loyal", to: c.stage },
        ]);
        // A later change (after entry) must not count.
        await db.pool.query(`insert into events (shop_id, customer_id, name, occurred_at, properties) values ($1, $2, 'stage_changed', $3, $4)`, [
          shopId, cust, new Date(entered.getTime() + DAY), { from: c.stage, to: "won_back" },
        ]);
      }
      if (c.via === "score") {
        await db.pool.query(`insert into customer_scores (shop_id, customer_id, stage, stage_since) values ($1, $2, $3, $4)`, [shopId, cust, c.stage, new Date(T0)]);
      }
      const m = await message(cust);
      await db.pool.query(`update messages set enrollment_id = $3, journey_id = 1 where shop_id = $1 and id = $2`, [shopId, m, en.rows[0].id]);
      await touch(cust, m, "open", new Date(placed.getTime() - 1000));
      const total = 1000 * (i + 1);
      await creditOf(await order(cust, { total }));
      if (c.stage !== "active") expectedRecovered += total;
    }
    const after = await recoveredRevenue(db.pool, shopId, from, to);
    expect(after.creditedOrders - before.creditedOrders).toBe(4);
    expect(after.recoveredOrders - before.recoveredOrders).toBe(3);
    expect(Number(after.recoveredMinor - before.recoveredMinor)).toBe(expectedRecovered);
  });
});

describe("the attribution queue", () => {
  it("the nightly job fans out one deterministic job per installed shop; uninstalled shops do nothing", async () => {
    const added: { queue: string; name: string; data: unknown; jobId?: string }[] = [];
    const qs = {
      queue: (queue: string) => ({ add: async (name: string, data: unknown, opts?: { jobId?: string }) => void added.push({ queue, name, data, jobId: opts?.jobId }) }),
    } as unknown as QueueSystem;
    const gone = (await db.pool.query(`insert into shops (domain, platform, status, updated_at) values ('gone.myshopify.com', 'shopify', 'uninstalled', now()) returning id`)).rows[0].id;
    const installed = (await db.pool.query(`select id from shops where status = 'installed' order by id`)).rows.map((r) => r.id);
    const out = await processAttributionJob({ qs, db: db.pool }, { name: "nightly", data: {} }, new Date("2026-11-02T07:30:00Z"));
    expect(out).toEqual({ shops: installed.length });
    expect(added).toEqual(installed.map((id) => ({ queue: ATTRIBUTION_QUEUE, name: "shop", data: { shopId: id }, jobId: `shop-${id}-2026_11_02` })));
    expect(await processAttributionJob({ qs, db: db.pool }, { name: "shop", data: { shopId: gone } }, new Date())).toEqual({ ran: false, reason: "shop uninstalled" });
  });
});
