// Bandit rewards from attribution against real PostgreSQL: an order credited to a message that
// carried an offer choice adds its net margin (unit cost, else collection margin, else the
// shop's default) to the segment's arm exactly once; a reversed credit takes it back out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rewardOffers } from "../../../jobs/offers/rewards";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertShop } from "../../helpers/fixtures";

let db: TestDatabase;
let shopId: number;
let orderId: string;
const NOW = new Date("2026-11-25T12:00:00Z");
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];

beforeAll(async () => {
  db = await createTestDatabase("offer_rewards");
  shopId = await insertShop(db.pool, "rewards.myshopify.com");
  await db.pool.query(`update shops set settings = $2 where id = $1`, [shopId, JSON.stringify({ attribution: { marginRate: 0.5 }, offers: { collectionMargins: { Mugs: 0.6 } } })]);
  const [c] = await q<{ id: string }>(`insert into customers (shop_id, email, updated_at) values ($1, 'r@example.com', now()) returning id::text`, [shopId]);
  const [m] = await q<{ id: string }>(`insert into messages (shop_id, idempotency_key, customer_id, channel, purpose, status) values ($1, 'e1:s:0', $2, 'email', 'promotional', 'sent') returning id::text`, [shopId, c.id]);
  await db.pool.query(
    `insert into offer_choices (shop_id, idempotency_key, enrollment_id, journey_id, node_id, customer_id, segment_key, method, offer_key, reason, message_id, chosen_at)
     values ($1, 'e1:o:0', 1, 1, 'o', $2, 'segment:7', 'bandit', 'pct10', '{}', $3, $4)`, [shopId, c.id, m.id, NOW]);
  await db.pool.query(`insert into bandit_states (shop_id, segment_key, state) values ($1, 'segment:7', $2)`, [shopId, JSON.stringify({ arms: { pct10: { sends: 10, conversions: 0, netMarginMean: 0, netMarginM2: 0 } } })]);
  await db.pool.query(
    `insert into products (shop_id, source, external_id, title, collections, unit_cost) values
       ($1, 'shopify', 'p-cost', 'Beans', '{}', 600), ($1, 'shopify', 'p-mug', 'Mug', '{Mugs}', null), ($1, 'shopify', 'p-plain', 'Card', '{}', null)`, [shopId]);
  [{ id: orderId }] = await q<{ id: string }>(
    `insert into orders (shop_id, source, external_id, customer_id, processed_at, currency, subtotal, discounts, total) values ($1, 'shopify', 'o1', $2, $3, 'USD', 5000, 500, 4500) returning id::text`, [shopId, c.id, NOW]);
  // Beans 2 x 1500 at cost 600: 1800; Mug 1 x 1000 at 60%: 600; Card 1 x 1000 at the default 50%: 500.
  await db.pool.query(
    `insert into order_lines (shop_id, order_id, product_id, title, quantity, price) values ($1, $2, 'p-cost', 'Beans', 2, 1500), ($1, $2, 'p-mug', 'Mug', 1, 1000), ($1, $2, 'p-plain', 'Card', 1, 1000)`, [shopId, orderId]);
  await db.pool.query(
    `insert into attributions (shop_id, order_id, message_id, basis, evidence_at, credited_minor, status) values ($1, $2, $3, 'code', $4, 4500, 'active')`, [shopId, orderId, m.id, NOW]);
});
afterAll(async () => db.drop());

const arm = async () => (await q<{ state: { arms: Record<string, { sends: number; conversions: number; netMarginMean: number }> } }>(
  `select state from bandit_states where shop_id = $1 and segment_key = 'segment:7'`, [shopId]))[0].state.arms.pct10;

describe("bandit rewards", () => {
  it("credits the order's net margin to the arm once, however often it runs", async () => {
    expect(await rewardOffers(db.pool, shopId, NOW)).toEqual({ rewarded: 1, reversed: 0 });
    expect(await rewardOffers(db.pool, shopId, NOW)).toEqual({ rewarded: 0, reversed: 0 });
    // 1800 + 600 + 500 margin, less the 500 discount.
    expect(await arm()).toMatchObject({ sends: 10, conversions: 1, netMarginMean: 2400 });
  });

  it("takes the reward back when the credit is reversed (refund)", async () => {
    await db.pool.query(`update attributions set status = 'reversed', credited_minor = 0 where shop_id = $1 and order_id = $2`, [shopId, orderId]);
    expect(await rewardOffers(db.pool, shopId, NOW)).toEqual({ rewarded: 0, reversed: 1 });
    expect(await rewardOffers(db.pool, shopId, NOW)).toEqual({ rewarded: 0, reversed: 0 });
    expect(await arm()).toMatchObject({ sends: 10, conversions: 0, netMarginMean: 0 });
  });
});
