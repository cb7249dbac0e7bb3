// The opportunity estimate on a fixture shop, before scoring (median gap in SQL) and after.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opportunityRange, ratesFromLift, RULE_OF_THUMB_RATES } from "../../core/attribution/opportunity";
import { buildOpportunityEstimate } from "../../app/models/opportunity.server";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

const NOW = new Date("2026-11-01T00:00:00Z");
const DAY = 86_400_000;
let db: TestDatabase;
let shopId: number;

beforeAll(async () => {
  db = await createTestDatabase("opp");
  shopId = (await db.pool.query(`insert into shops (domain, platform, currency, updated_at) values ('opp.myshopify.com', 'shopify', 'EUR', now()) returning id`)).rows[0].id;
  await db.pool.query(`insert into customers (shop_id, id) select $1, g from generate_series(1, 5) g`, [shopId]);
  const orders: [number, number, number, number, boolean][] = [
    // customer, days ago, total, refunded, cancelled
    [1, 400, 1000, 0, false], [1, 370, 1000, 0, false], [1, 340, 1500, 500, false], // gaps 30, 30; last 340 days ago: dormant
    [2, 50, 4000, 0, false], [2, 20, 4000, 0, false], // gap 30; last 20 days ago: active
    [3, 100, 2000, 0, false], // one order 100 days ago: dormant (> 2 × 30)
    [4, 10, 700, 0, false], // one recent order
    [5, 500, 9000, 0, true], // cancelled only: no orders count
  ];
  for (const [i, [c, ago, total, refunded, cancelled]] of orders.entries()) {
    const at = new Date(NOW.getTime() - ago * DAY);
    await db.pool.query(
      `insert into orders (shop_id, id, source, external_id, customer_id, processed_at, currency, total, refunded, cancelled_at) values ($1, $2, 'shopify', $3, $4, $5, 'EUR', $6, $7, $8)`,
      [shopId, i + 1, `o${i}`, c, at, total, refunded, cancelled ? at : null],
    );
  }
});

afterAll(async () => {
  await db?.drop();
});

describe("opportunity estimate", () => {
  it("without scores: dormant past twice the shop's median gap, with their yearly revenue and a range", async () => {
    const e = await buildOpportunityEstimate(db.pool, shopId, NOW);
    expect(e).toMatchObject({ currency: "EUR", customersWithOrders: 4, dormantCustomers: 2, dormancyBasis: "median_gap", medianGapDays: 30 });
    // Customer 1: 3,000 net over 60 + 30 days, spread over at least a year: 3,000 a year; customer 3: 2,000.
    expect(e.dormantLifetimeRevenueMinor).toBe(5000);
    expect(e.dormantRevenuePerYearMinor).toBe(5000);
    expect(e.range).toEqual({ conservativeMinor: 100, expectedMinor: 250, optimisticMinor: 500, expectedCustomers: 0, rates: RULE_OF_THUMB_RATES });
  });

  it("with scores: customer_scores.dormant decides", async () => {
    await db.pool.query(`insert into customer_scores (shop_id, customer_id, dormant) values ($1, 2, true), ($1, 1, false), ($1, 3, false)`, [shopId]);
    const e = await buildOpportunityEstimate(db.pool, shopId, NOW);
    expect(e).toMatchObject({ dormantCustomers: 1, dormancyBasis: "scores", dormantLifetimeRevenueMinor: 8000 });
    // 8,000 over 30 + 30 days, at least a year.
    expect(e.dormantRevenuePerYearMinor).toBe(8000);
    await db.pool.query(`delete from customer_scores where shop_id = $1`, [shopId]);
  });

  it("a shop with no orders has nothing dormant and the fallback gap", async () => {
    const empty = (await db.pool.query(`insert into shops (domain, platform, updated_at) values ('empty-opp.myshopify.com', 'shopify', now()) returning id`)).rows[0].id;
    const e = await buildOpportunityEstimate(db.pool, empty, NOW);
    expect(e).toMatchObject({ customersWithOrders: 0, dormantCustomers: 0, medianGapDays: 90, dormantRevenuePerYearMinor: 0 });
    expect(e.range.expectedMinor).toBe(0);
  });

  it("measured lift replaces the rule of thumb only when the holdout suffices and the lift is positive", () => {
    expect(ratesFromLift({ lower: 0.01, estimate: 0.04, upper: 0.07 }, true)).toEqual({ conservative: 0.01, expected: 0.04, optimistic: 0.07, source: "measured_lift" });
    expect(ratesFromLift({ lower: -0.01, estimate: 0.04, upper: 0.07 }, true).conservative).toBe(0);
    expect(ratesFromLift({ lower: 0.01, estimate: 0.04, upper: 0.07 }, false)).toBe(RULE_OF_THUMB_RATES);
    expect(ratesFromLift({ lower: -0.05, estimate: -0.01, upper: 0.02 }, true)).toBe(RULE_OF_THUMB_RATES);
    expect(opportunityRange({ dormantCustomers: 1000, dormantRevenuePerYearMinor: 1_000_000 }).expectedCustomers).toBe(50);
  });
});
