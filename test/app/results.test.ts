// The results report on a hand-computed shop: one journey with a holdout (10 treated, 10
// control), credited orders with a Winback code, and an A/B split too close to call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liftReport } from "../../core/attribution/lift";
import { buildResultsReport } from "../../app/models/results.server";
import { attributeShop } from "../../jobs/attribution/attribute";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

let db: TestDatabase;
let shopId: number;
const NOW = new Date("2026-06-30T00:00:00Z");
const ASSIGNED = new Date("2026-05-01T00:00:00Z");

beforeAll(async () => {
  db = await createTestDatabase("results");
  const q = (text: string, values: unknown[] = []) => db.pool.query(text, values);
  shopId = (await q(`insert into shops (domain, platform, currency, updated_at, settings) values ('results.myshopify.com', 'shopify', 'USD', now(), $1) returning id`, [
    { attribution: { marginRate: 0.5 } },
  ])).rows[0].id;
  await q(`insert into journeys (shop_id, id, name, status, draft) values ($1, 7, 'Win back dormant', 'published', '{}')`, [shopId]);
  await q(`insert into offers (shop_id, id, name, definition) values ($1, 3, '15% off', '{}')`, [shopId]);
  // Customers 1..10 treated, 11..20 control; all dormant on entry.
  await q(`insert into customers (shop_id, id) select $1, g from generate_series(1, 220) g`, [shopId]);
  await q(
    `insert into journey_assignments (shop_id, journey_id, node_id, customer_id, kind, value, enrollment_id, assigned_at)
     select $1, 7, 'h', g, 'holdout', case when g <= 10 then 'treatment' else 'control' end, g, $2 from generate_series(1, 20) g`,
    [shopId, ASSIGNED],
  );
  await q(
    `insert into enrollments (shop_id, id, journey_id, journey_version, customer_id, status, state, entered_at)
     select $1, g, 7, 1, g, 'active', '{"stageAtEntry": "dormant"}', $2 from generate_series(1, 10) g`,
    [shopId, ASSIGNED],
  );
  // One email per treated customer; customers 1..4 get code WB-1..WB-4 of offer 3.
  await q(
    `insert into messages (shop_id, id, idempotency_key, customer_id, journey_id, enrollment_id, channel, purpose, status, sent_at, discount_code)
     select $1, g, 'k' || g, g, 7, g, 'email', 'promotional', 'sent', $2, case when g <= 4 then 'WB-' || g end from generate_series(1, 10) g`,
    [shopId, new Date("2026-05-02T00:00:00Z")],
  );
  await q(
    `insert into discount_codes (shop_id, code, idempotency_key, message_id, customer_id, offer_id, status, issued_at, expires_at)
     select $1, 'WB-' || g, 'c' || g, g, g, 3, 'created', $2, $2::timestamptz + interval '30 days' from generate_series(1, 4) g`,
    [shopId, new Date("2026-05-02T00:00:00Z")],
  );
  // Treated 1..4 order 1000, 2000, 3000, 4000 with their codes (discount 100 each); control 11 orders 1000.
  await q(
    `insert into orders (shop_id, id, source, external_id, customer_id, processed_at, currency, total, discounts, discount_codes)
     select $1, g, 'shopify', g::text, g, $2, 'USD', 1000 * g, 100, array['wb-' || g] from generate_series(1, 4) g`,
    [shopId, new Date("2026-05-05T00:00:00Z")],
  );
  await q(`insert into orders (shop_id, id, source, external_id, customer_id, processed_at, currency, total) values ($1, 11, 'shopify', '11', 11, $2, 'USD', 1000)`, [
    shopId, new Date("2026-05-05T00:00:00Z"),
  ]);
  // A/B split in another journey: a 10/100, b 12/100 (orders 0 revenue-wise irrelevant here).
  await q(
    `insert into journey_assignments (shop_id, journey_id, node_id, customer_id, kind, value, enrollment_id, assigned_at)
     select $1, 8, 'split', g, 'ab_split', case when g <= 120 then 'a' else 'b' end, g, $2 from generate_series(21, 220) g`,
    [shopId, ASSIGNED],
  );
  await q(
    `insert into orders (shop_id, id, source, external_id, customer_id, processed_at, currency, total)
     select $1, 1000 + g, 'shopify', 'ab' || g, g, $2, 'USD', 500 from generate_series(21, 220) g
     where (g <= 120 and g <= 30) or (g > 120 and g <= 132)`,
    [shopId, new Date("2026-05-06T00:00:00Z")],
  );
  await attributeShop(db.pool, shopId);
});

afterAll(async () => {
  await db?.drop();
});

describe("buildResultsReport", () => {
  it("computes lift, incremental revenue, win-back rate and ROI as worked out by hand", async () => {
    const r = await buildResultsReport(db.pool, shopId, { now: NOW });
    // Credited: the four code orders, 10,000 in all, all from dormant entrants.
    expect(r.overall).toMatchObject({ creditedOrders: 4, creditedMinor: 10_000, recoveredOrders: 4, recoveredMinor: 10_000 });
    const j = r.journeys.find((x) => x.journeyId === "7")!;
    expect(j.name).toBe("Win back dormant");
    expect(j.lift).not.toBeNull();
    const lift = j.lift!;
    // Treated 4/10 converted, 10,000 over 10 customers; control 1/10, 1,000 over 10.
    expect(lift.treatedRate).toBe(0.4);
    expect(lift.holdoutRate).toBe(0.1);
    expect(lift.treatedRevenuePerCustomer).toBe(1000);
    expect(lift.holdoutRevenuePerCustomer).toBe(100);
    expect(lift.absoluteLift.estimate).toBeCloseTo(0.3, 12);
    expect(lift.incrementalRevenueMinor.estimate).toBeCloseTo(9000, 9);
    // The intervals are the core's on the same totals (sums of squares 1e6·(1+4+9+16) and 1e6).
    const core = liftReport(
      { customers: 10, converters: 4, revenueMinor: 10_000, revenueSqMinor: 30_000_000 },
      { customers: 10, converters: 1, revenueMinor: 1000, revenueSqMinor: 1_000_000 },
      { marginRate: 0.5, discountCostMinor: 400, messageCostMinor: 1 },
    );
    expect(core.ok).toBe(true);
    if (!core.ok) return;
    expect(lift.absoluteLift).toEqual(core.value.absoluteLift);
    expect(lift.incrementalRevenueMinor).toEqual(core.value.incrementalRevenueMinor);
    expect(j.winBackRate).toBe(0.4);
    // ROI: margin 50% of 9,000 = 4,500; discounts 4 × 100; 10 emails at 100 per thousand = 1.
    expect(j.costs).toMatchObject({ marginRate: 0.5, marginSource: "setting", discountCostMinor: 400, messageCostMinor: 1 });
    expect(j.costs.incrementalMarginMinor).toBeCloseTo(4500, 9);
    expect(j.costs.roi).toBeCloseTo((4500 - 401) / 401, 12);
    // Ten customers a side is far below the holdout floor for a 2-point effect.
    expect(lift.holdoutSufficient).toBe(false);
    expect(j.liftNote).toMatch(/can't tell yet/);
  });

  it("prices margin from product unit costs when they are known", async () => {
    await db.pool.query(`insert into products (shop_id, id, source, external_id, title, unit_cost) values ($1, 1, 'shopify', 'p1', 'Beans', 300)`, [shopId]);
    await db.pool.query(`insert into order_lines (shop_id, order_id, product_id, title, quantity, price) select $1, g, 'p1', 'Beans', g, 1000 from generate_series(1, 4) g`, [shopId]);
    const j = (await buildResultsReport(db.pool, shopId, { now: NOW })).journeys.find((x) => x.journeyId === "7")!;
    expect(j.costs.marginSource).toBe("unit_cost");
    expect(j.costs.marginRate).toBeCloseTo(0.7, 12);
  });

  it("breaks performance down by channel, stage at entry and offer", async () => {
    const r = await buildResultsReport(db.pool, shopId, { now: NOW });
    expect(r.byChannel).toEqual([expect.objectContaining({ key: "email", label: "Email", messages: 10, customers: 10, orders: 4, converters: 4, creditedMinor: 10_000, conversionRate: 0.4 })]);
    expect(r.bySegment).toEqual([expect.objectContaining({ key: "dormant", label: "Dormant", messages: 10, creditedMinor: 10_000 })]);
    expect(r.byOffer).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: "3", label: "15% off", messages: 4, orders: 4, creditedMinor: 10_000, discountMinor: 400 }),
        expect.objectContaining({ key: "none", label: "No offer", messages: 6, orders: 0, creditedMinor: 0 }),
      ]),
    );
  });

  it("says when an A/B split shows no significant difference, and how many more customers it needs", async () => {
    const r = await buildResultsReport(db.pool, shopId, { now: NOW });
    expect(r.abTests).toHaveLength(1);
    const ab = r.abTests[0];
    expect(ab.variants.map((v) => [v.id, v.customers, v.converters])).toEqual([["a", 100, 10], ["b", 100, 12]]);
    expect(ab.variants[0].probabilityBest + ab.variants[1].probabilityBest).toBeCloseTo(1, 9);
    expect(ab.variants[1].probabilityBest).toBeGreaterThan(0.5);
    expect(ab.verdict.kind).toBe("no_significant_difference");
    if (ab.verdict.kind === "no_significant_difference") {
      expect(ab.verdict.moreCustomersNeeded).toBeGreaterThan(0);
      expect(ab.verdict.message).toContain(`${ab.verdict.moreCustomersNeeded} more customers`);
    }
    // The same page load twice shows the same probabilities.
    const again = await buildResultsReport(db.pool, shopId, { now: NOW });
    expect(again.abTests[0].variants).toEqual(ab.variants);
  });

  it("reads only the shop asked for", async () => {
    const other = (await db.pool.query(`insert into shops (domain, platform, updated_at) values ('other-results.myshopify.com', 'shopify', now()) returning id`)).rows[0].id;
    const r = await buildResultsReport(db.pool, other, { now: NOW });
    expect(r.overall.creditedOrders).toBe(0);
    expect(r.journeys).toEqual([]);
    expect(r.abTests).toEqual([]);
    expect(r.overall.lift).toBeNull();
  });
});
