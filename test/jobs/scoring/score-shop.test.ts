import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng as seededRng } from "../../../core/random";
import { quintileScores } from "../../../core/scoring/rfm";
import { defaultScoringSettings } from "../../../core/scoring/schema";
import { readEarlyFitSample, sameFitSample } from "../../../jobs/scoring/fit-sample";
import { scoreShop } from "../../../jobs/scoring/score-shop";
import { readFitSample, stageSummaries } from "../../../jobs/scoring/stage-summaries";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";

let db: TestDatabase;
let shopId: number;
const customerIds: string[] = [];
/** Customers with at least one order neither cancelled nor refunded in full. */
let expectedCustomers = 0;
const DAY = 86_400_000;
const start = Date.parse("2024-01-01T18:00:00Z");
const settings = { ...defaultScoringSettings(), period: "week" as const };

interface OrderSpec {
  customer: number;
  at: Date;
  total: number;
  refunded?: number;
  cancelled?: boolean;
  discounts?: number;
}

beforeAll(async () => {
  db = await createTestDatabase("scoring");
  const shop = await db.pool.query(
    `insert into shops (domain, platform, timezone, updated_at) values ('score.example', 'shopify', 'America/Los_Angeles', now()) returning id`,
  );
  shopId = shop.rows[0].id;
  const customers = await db.pool.query(
    `insert into customers (shop_id, email, updated_at) select $1, 'c' || g || '@example.com', now() from generate_series(1, 160) g returning id::text`,
    [shopId],
  );
  customerIds.push(...customers.rows.map((r) => r.id));

  // 150 simulated customers: a personal rhythm, some of whom stop buying.
  const rng = seededRng(42);
  const orders: OrderSpec[] = [];
  for (let c = 10; c < 160; c++) {
    const gap = 10 + rng() * 60;
    const basket = 1500 + rng() * 9000; // customers differ in what they usually spend
    const stopsAt = rng() < 0.4 ? 60 + rng() * 200 : Infinity;
    let t = rng() * 120;
    while (t < 300 && t < stopsAt) {
      orders.push({ customer: c, at: new Date(start + t * DAY), total: Math.round(basket * (0.6 + 0.8 * rng())), discounts: rng() < 0.3 ? 500 : 0 });
      t += gap * (0.5 + rng());
    }
  }
  // Hand-made customers 0-3 to check day grouping in the shop's zone, refunds and cancellations.
  orders.push(
    // 07:00Z and 09:00Z on 1 March are 29 Feb 23:00 and 1 March 01:00 in Los Angeles: two days.
    { customer: 0, at: new Date("2024-03-01T07:00:00Z"), total: 1000 },
    { customer: 0, at: new Date("2024-03-01T09:00:00Z"), total: 1000 },
    // Two orders on the same Los Angeles day (different UTC days): one transaction.
    { customer: 1, at: new Date("2024-03-10T20:00:00Z"), total: 1500 },
    { customer: 1, at: new Date("2024-03-11T06:00:00Z"), total: 500, refunded: 200 },
    { customer: 1, at: new Date("2024-04-10T20:00:00Z"), total: 3000, cancelled: true },
    { customer: 2, at: new Date("2024-05-01T20:00:00Z"), total: 3000, refunded: 3000 }, // fully refunded
    { customer: 3, at: new Date("2024-05-02T20:00:00Z"), total: 4200 },
    // Customer 4 was merged into customer 5: its order counts for 5.
    { customer: 4, at: new Date("2024-06-02T20:00:00Z"), total: 900 },
    { customer: 5, at: new Date("2024-06-20T20:00:00Z"), total: 1100 },
  );
  await db.pool.query(`update customers set merged_into_id = $3 where shop_id = $1 and id = $2`, [shopId, customerIds[4], customerIds[5]]);
  // A stale score for customer 6, who has no orders: the run must remove it.
  await db.pool.query(`insert into customer_scores (shop_id, customer_id, order_count) values ($1, $2, 3)`, [shopId, customerIds[6]]);
  expectedCustomers = new Set(
    orders.filter((o) => !o.cancelled && o.total - (o.refunded ?? 0) > 0).map((o) => (o.customer === 4 ? 5 : o.customer)),
  ).size;
  await db.pool.query(
    `insert into orders (shop_id, source, external_id, customer_id, processed_at, currency, total, refunded, discounts, cancelled_at, updated_at)
     select $1, 'shopify', 'o' || ord, c, at, 'USD', total, refunded, discounts, case when cancelled then at end, now()
     from unnest($2::bigint[], $3::timestamptz[], $4::bigint[], $5::bigint[], $6::bigint[], $7::boolean[]) with ordinality as u(c, at, total, refunded, discounts, cancelled, ord)`,
    [
      shopId, orders.map((o) => customerIds[o.customer]), orders.map((o) => o.at), orders.map((o) => o.total),
      orders.map((o) => o.refunded ?? 0), orders.map((o) => o.discounts ?? 0), orders.map((o) => o.cancelled ?? false),
    ],
  );
});

afterAll(async () => db?.drop());

const scoresById = async () => {
  const { rows } = await db.pool.query(`select *, customer_id::text as id from customer_scores where shop_id = $1`, [shopId]);
  return new Map(rows.map((r) => [r.id as string, r]));
};

describe("scoreShop", () => {
  const firstRun = new Date("2024-11-01T12:00:00Z");

  it("scores every customer with a kept order, grouping days in the shop's zone and netting refunds", async () => {
    const result = await scoreShop(db.pool, shopId, firstRun, settings);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const scores = await scoresById();
    // Customers 6-9 never ordered, 4 was merged into 5, and 2's only order was refunded in full.
    expect(expectedCustomers).toBeGreaterThan(140);
    expect(result.value.customers).toBe(expectedCustomers);
    expect(scores.size).toBe(expectedCustomers);
    expect(scores.has(customerIds[2])).toBe(false);
    expect(scores.has(customerIds[4])).toBe(false);
    expect(scores.has(customerIds[6])).toBe(false);
    expect(scores.get(customerIds[5])).toMatchObject({ order_count: 2, total_spent: "2000", expected_gap_days: 18 });
    expect(scores.get(customerIds[0])).toMatchObject({ order_count: 2, total_spent: "2000", expected_gap_days: 1 });
    expect(scores.get(customerIds[1])).toMatchObject({ order_count: 2, total_spent: "1800" });
    // One transaction each after grouping by day, so both fall back to the shop's rhythm.
    expect(scores.get(customerIds[1]).expected_gap_days).toBe(scores.get(customerIds[3]).expected_gap_days);
    expect(result.value.confidence).toBe("medium");
    for (const s of scores.values()) {
      expect(s.p_alive).toBeGreaterThan(0);
      expect(s.p_alive).toBeLessThanOrEqual(1);
      expect(Number(s.clv)).toBeGreaterThanOrEqual(0);
      expect(s.stage).toBeTruthy();
      expect(s.rfm_group).toBeTruthy();
      expect(s.cluster_id).not.toBeNull();
    }
  });

  it("computes RFM quintiles in SQL exactly as the pure function does", async () => {
    const scores = [...(await scoresById()).values()];
    // The calendar day of the last order in the shop's zone, as a sortable number.
    const laDay = new Intl.DateTimeFormat("en-CA", { timeZone: "America/Los_Angeles" });
    const lastDay = scores.map((s) => Number(laDay.format(new Date(s.last_order_at)).replaceAll("-", "")));
    const r = quintileScores(lastDay);
    const f = quintileScores(scores.map((s) => s.order_count));
    const m = quintileScores(scores.map((s) => Number(s.total_spent)));
    scores.forEach((s, i) => {
      expect([s.recency_score, s.frequency_score, s.monetary_score]).toEqual([r[i], f[i], m[i]]);
    });
  });

  it("reads the same fit sample from the orders as from the staged summaries (merges, refunds, cancellations, the shop's days)", async () => {
    const now = new Date("2024-11-01T12:00:00Z");
    // Candidates: the default margin, a margin that runs short (the full pass takes over), and one
    // just enough for the customers without kept orders among them.
    for (const [limit, candidates] of [[5_000, undefined], [40, undefined], [40, 41], [140, 155]] as const) {
      const staging = await db.pool.connect();
      const early = await db.pool.connect();
      try {
        await staging.query("begin");
        await stageSummaries(staging, shopId, now);
        const staged = await readFitSample(staging, shopId, limit);
        const fromOrders = await readEarlyFitSample(early, shopId, now, shopId, limit, candidates);
        expect(staged.length).toBe(Math.min(limit, expectedCustomers));
        expect(fromOrders).toEqual(staged);
        expect(sameFitSample(fromOrders, staged)).toBe(true);
        expect(sameFitSample(fromOrders, staged.slice(1))).toBe(false);
        expect(sameFitSample(fromOrders, [...staged].reverse())).toBe(false);
      } finally {
        await staging.query("rollback");
        staging.release();
        early.release();
      }
    }
  });

  it("records stage changes as events once, and keeps stage_since while a stage holds", async () => {
    const first = await db.pool.query(`select count(*)::int as n from events where shop_id = $1 and name = 'stage_changed'`, [shopId]);
    expect(first.rows[0].n).toBe(expectedCustomers); // everyone got an initial stage
    const before = await scoresById();
    // Re-running at the same instant changes nothing and records nothing new.
    await scoreShop(db.pool, shopId, firstRun, settings);
    const again = await db.pool.query(`select count(*)::int as n from events where shop_id = $1 and name = 'stage_changed'`, [shopId]);
    expect(again.rows[0].n).toBe(expectedCustomers);
    // Three months later, quiet customers move on (at risk -> dormant -> lost).
    const later = new Date("2025-02-01T12:00:00Z");
    const result = await scoreShop(db.pool, shopId, later, settings);
    expect(result.ok && result.value.stageChanges).toBeGreaterThan(0);
    const after = await scoresById();
    let unchanged = 0;
    for (const [id, s] of after) {
      if (s.stage === before.get(id).stage) {
        unchanged++;
        expect(s.stage_since).toEqual(before.get(id).stage_since);
      } else {
        expect(s.stage_since).toEqual(later);
      }
    }
    expect(unchanged).toBeGreaterThan(0);
    const moved = await db.pool.query(
      `select properties from events where shop_id = $1 and name = 'stage_changed' and occurred_at = $2`,
      [shopId, later],
    );
    expect(moved.rowCount).toBe(result.ok ? result.value.stageChanges : -1);
    expect(moved.rows[0].properties.reason).toMatch(/since the last order/);
  });

  it("gives identical scores, history and stage events whatever the chunk size and connections", async () => {
    // From the same remembered stages (the state the previous runs left), once in chunks of 7
    // customers, once in a single chunk, and once more in chunks of 7 from a pool of a single
    // connection (no writer connections: the reading connection writes every chunk).
    const at = new Date("2025-03-01T12:00:00Z");
    await db.pool.query(`create table scores_before as select * from customer_scores where shop_id = $1`, [shopId]);
    const snapshot = async () => ({
      scores: (await db.pool.query(`select * from customer_scores where shop_id = $1 order by customer_id`, [shopId])).rows,
      history: (await db.pool.query(`select * from customer_score_history where shop_id = $1 and day = '2025-03-01' order by customer_id`, [shopId])).rows,
      events: (await db.pool.query(
        `select customer_id, properties, dedupe_key from events where shop_id = $1 and name = 'stage_changed' and occurred_at = $2 order by customer_id`,
        [shopId, at],
      )).rows,
    });
    const small = await scoreShop(db.pool, shopId, at, settings, { chunkSize: 7 });
    const inSevens = await snapshot();
    // Back to the state before, then the same run in one chunk, then on one connection.
    const restore = async () => {
      await db.pool.query(`delete from events where shop_id = $1 and occurred_at = $2`, [shopId, at]);
      await db.pool.query(`delete from customer_score_history where shop_id = $1 and day = '2025-03-01'`, [shopId]);
      await db.pool.query(`delete from customer_scores where shop_id = $1`, [shopId]);
      await db.pool.query(`insert into customer_scores select * from scores_before`);
    };
    await restore();
    const whole = await scoreShop(db.pool, shopId, at, settings, { chunkSize: 1_000_000 });
    const inOne = await snapshot();
    await restore();
    const single = new pg.Pool({ connectionString: db.url, max: 1 });
    const alone = await scoreShop(single, shopId, at, settings, { chunkSize: 7 }).finally(() => single.end());
    const onReader = await snapshot();
    expect(alone.ok && alone.value.stageChanges === (small.ok && small.value.stageChanges)).toBe(true);
    expect(onReader).toEqual(inSevens);
    expect(small.ok && whole.ok).toBe(true);
    if (!small.ok || !whole.ok) return;
    expect(Math.ceil(small.value.customers / 7)).toBeGreaterThan(10); // many chunks really ran
    expect(inSevens.scores).toHaveLength(expectedCustomers);
    expect(inSevens.scores).toEqual(inOne.scores);
    expect(inSevens.history).toHaveLength(expectedCustomers);
    expect(inSevens.history).toEqual(inOne.history);
    expect(inSevens.events.length).toBe(small.value.stageChanges);
    expect(inSevens.events).toEqual(inOne.events);
    expect(small.value.stageChanges).toBe(whole.value.stageChanges);
  });

  it("reports an unknown shop as an error value", async () => {
    const result = await scoreShop(db.pool, 999_999, firstRun, settings);
    expect(result).toEqual({ ok: false, error: "shop 999999 not found" });
  });
});
