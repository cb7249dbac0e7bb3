// The live scoring: runs recorded, fits stored, history once per day, single-customer
// rescoring agreeing with the full job, the off-peak fan-out by shop-local hour, and
// uninstalled shops left alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultScoringSettings } from "../../../core/scoring/schema";
import type { QueueSystem } from "../../../jobs/queues";
import { rescoreCustomer } from "../../../jobs/scoring/rescore-customer";
import { scoreShop } from "../../../jobs/scoring/score-shop";
import { fanOutShopScoring, runRescoreCustomerJob, runScoreShopJob, shopsDueForScoring } from "../../../jobs/scoring/worker";
import { seedDemoShop } from "../../../scripts/demo-data/seed";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";

let db: TestDatabase;
let shopId: number;
const NOW = new Date("2026-11-01T12:00:00Z");
const settings = defaultScoringSettings();

beforeAll(async () => {
  db = await createTestDatabase("scoringjobs");
  process.env.NODE_ENV = "test";
  shopId = (await seedDemoShop(db.pool, { now: NOW, customers: 400, domain: "jobs-demo.myshopify.com", seed: 7 })).shopId;
}, 60_000);

afterAll(async () => db?.drop());

const scoreOf = async (customerId: string) =>
  (await db.pool.query(`select * from customer_scores where shop_id = $1 and customer_id = $2`, [shopId, customerId])).rows[0];

describe("scoreShop records and keeps", () => {
  it("records the run with parameters, log-likelihood, customers and duration, and stores the fit", async () => {
    const result = await scoreShop(db.pool, shopId, NOW, settings);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const runs = await db.pool.query(`select * from scoring_runs where shop_id = $1`, [shopId]);
    expect(runs.rowCount).toBe(1);
    const run = runs.rows[0];
    expect(run).toMatchObject({ status: "succeeded", customers_scored: result.value.customers, error: null });
    expect(run.as_of).toEqual(NOW);
    expect(run.finished_at.getTime()).toBeGreaterThanOrEqual(run.started_at.getTime());
    expect(run.duration_ms).toBeGreaterThanOrEqual(0);
    expect(run.log_likelihood).toBeLessThan(0);
    expect(run.parameters.bgnbd).toEqual(result.value.bgnbd);
    expect(Object.keys(run.parameters.gammaGamma).sort()).toEqual(["gamma", "p", "q"]);
    const fit = (await db.pool.query(`select * from shop_model_fits where shop_id = $1`, [shopId])).rows[0];
    expect(fit).toMatchObject({ period: "week", confidence: result.value.confidence, customers: result.value.customers });
    expect(fit.fitted_at).toEqual(NOW);
    expect(fit.clusters.k).toBe(result.value.clusters?.k);
    const withReason = await db.pool.query(
      `select count(*)::int as n from customer_scores where shop_id = $1 and reason like '%since the last order%' and expected_spend > 0`,
      [shopId],
    );
    expect(withReason.rows[0].n).toBe(result.value.customers);
  });

  it("writes the history once per shop-local day: a second run the same day overwrites, the next day adds", async () => {
    const count = async () =>
      (await db.pool.query(`select day::text, count(*)::int as n from customer_score_history where shop_id = $1 group by day order by day`, [shopId])).rows;
    const customers = (await db.pool.query(`select count(*)::int as n from customer_scores where shop_id = $1`, [shopId])).rows[0].n;
    // 12:00Z on 1 November is 08:00 in New York: the shop's day is 2026-11-01.
    expect(await count()).toEqual([{ day: "2026-11-01", n: customers }]);
    await scoreShop(db.pool, shopId, new Date("2026-11-02T03:59:00Z"), settings); // 23:59 on 1 November in New York
    expect(await count()).toEqual([{ day: "2026-11-01", n: customers }]);
    await scoreShop(db.pool, shopId, new Date("2026-11-02T12:00:00Z"), settings);
    expect(await count()).toEqual([
      { day: "2026-11-01", n: customers },
      { day: "2026-11-02", n: customers },
    ]);
    const runs = await db.pool.query(`select count(*)::int as n from scoring_runs where shop_id = $1 and status = 'succeeded'`, [shopId]);
    expect(runs.rows[0].n).toBe(3);
  });
});

describe("rescoreCustomer", () => {
  it("agrees with the full job for every sampled customer", async () => {
    const at = new Date("2026-11-03T12:00:00Z");
    await scoreShop(db.pool, shopId, at, settings);
    const sample = (await db.pool.query(`select customer_id::text as id from customer_scores where shop_id = $1 order by customer_id limit 25`, [shopId])).rows;
    const fields = [
      "recency_score", "frequency_score", "monetary_score", "rfm_group", "order_count", "total_spent", "first_order_at", "last_order_at",
      "expected_gap_days", "days_overdue", "dormant", "stage", "stage_since", "p_alive", "expected_purchases", "expected_next_order_at",
      "clv", "cluster_id", "confidence", "reason", "expected_spend",
    ];
    const pick = (r: Record<string, unknown>) => Object.fromEntries(fields.map((f) => [f, r[f]]));
    for (const { id } of sample) {
      const full = pick(await scoreOf(id));
      await db.pool.query(`update customer_scores set p_alive = null, clv = null, rfm_group = null, reason = null where shop_id = $1 and customer_id = $2`, [shopId, id]);
      const result = await rescoreCustomer(db.pool, shopId, id, at);
      expect(result.ok && result.value.rescored).toBe(true);
      expect(pick(await scoreOf(id))).toEqual(full);
    }
    // How fast it is lives in the scoring bench (rescore_p50_ms, rescore_p99_ms), not here.
  });

  it("a new order of a lapsed customer wins them back at once, with the shop's current parameters", async () => {
    const at = new Date("2026-11-03T12:00:00Z");
    const lapsed = (await db.pool.query(
      `select customer_id::text as id, order_count, stage from customer_scores where shop_id = $1 and stage in ('dormant', 'lost') order by customer_id limit 1`,
      [shopId],
    )).rows[0];
    expect(lapsed).toBeTruthy();
    const fitBefore = (await db.pool.query(`select bgnbd from shop_model_fits where shop_id = $1`, [shopId])).rows[0].bgnbd;
    await db.pool.query(
      `insert into orders (shop_id, source, external_id, customer_id, processed_at, currency, total, updated_at)
       values ($1, 'shopify', 'rescore-new', $2, $3, 'USD', 5000, now())`,
      [shopId, lapsed.id, new Date("2026-11-03T11:00:00Z")],
    );
    const later = new Date("2026-11-03T11:30:00Z");
    const outcome = await runRescoreCustomerJob(db.pool, shopId, lapsed.id, later);
    expect(outcome).toMatchObject({ ran: true, result: { ok: true, stage: "won_back", stageChanged: true } });
    const after = await scoreOf(lapsed.id);
    expect(after.order_count).toBe(lapsed.order_count + 1);
    expect(after.stage).toBe("won_back");
    expect(after.days_overdue).toBe(0);
    const event = await db.pool.query(
      `select properties from events where shop_id = $1 and customer_id = $2 and name = 'stage_changed' and properties->>'to' = 'won_back'`,
      [shopId, lapsed.id],
    );
    expect(event.rowCount).toBe(1);
    // No refit: the stored parameters are untouched.
    expect((await db.pool.query(`select bgnbd from shop_model_fits where shop_id = $1`, [shopId])).rows[0].bgnbd).toEqual(fitBefore);
    // A full refund of that order puts the customer back where the order found them.
    await db.pool.query(`update orders set refunded = total where shop_id = $1 and external_id = 'rescore-new'`, [shopId]);
    await rescoreCustomer(db.pool, shopId, lapsed.id, later);
    expect((await scoreOf(lapsed.id)).order_count).toBe(lapsed.order_count);
  });

  it("never touches another shop's customer", async () => {
    const other = await db.pool.query(`insert into shops (domain, platform, updated_at) values ('other.example', 'shopify', now()) returning id`);
    const result = await rescoreCustomer(db.pool, other.rows[0].id, (await db.pool.query(`select customer_id::text as id from customer_scores where shop_id = $1 limit 1`, [shopId])).rows[0].id, NOW);
    expect(result.ok).toBe(false);
  });
});

describe("jobs", () => {
  function recordingQueues() {
    const added: { name: string; data: unknown; jobId?: string }[] = [];
    const qs = {
      queue: () => ({ add: async (name: string, data: unknown, opts?: { jobId?: string }) => void added.push({ name, data, jobId: opts?.jobId }) }),
    } as unknown as QueueSystem;
    return { qs, added };
  }

  it("fans out score-shop to the installed shops where it is 03:00 local, once per local day", async () => {
    const mk = async (domain: string, tz: string, status = "installed") =>
      (await db.pool.query(`insert into shops (domain, platform, timezone, status, updated_at) values ($1, 'shopify', $2, $3, now()) returning id`, [domain, tz, status])).rows[0].id as number;
    const tokyo = await mk("tokyo.example", "Asia/Tokyo");
    const berlin = await mk("berlin.example", "Europe/Berlin");
    const kolkata = await mk("kolkata.example", "Asia/Kolkata");
    const gone = await mk("gone.example", "Asia/Tokyo", "uninstalled");
    const mine = new Set([tokyo, berlin, kolkata, gone]);
    const due = async (at: string) => (await shopsDueForScoring(db.pool, new Date(at))).filter((s) => mine.has(s.shopId));
    // 18:00Z = 03:00 next day in Tokyo (UTC+9); Berlin is at 19:00; an uninstalled shop never.
    expect(await due("2026-06-30T18:00:00Z")).toEqual([{ shopId: tokyo, localDate: "2026-07-01" }]);
    // Berlin in summer is UTC+2: 01:00Z is 03:00 local.
    expect(await due("2026-07-01T01:00:00Z")).toEqual([{ shopId: berlin, localDate: "2026-07-01" }]);
    // ...and in winter UTC+1: 02:00Z.
    expect(await due("2026-01-15T02:00:00Z")).toEqual([{ shopId: berlin, localDate: "2026-01-15" }]);
    // Kolkata is UTC+5:30: the 21:30Z fan-out is 03:00 local.
    expect(await due("2026-07-01T21:30:00Z")).toEqual([{ shopId: kolkata, localDate: "2026-07-02" }]);
    expect(await due("2026-07-01T12:00:00Z")).toEqual([]);

    const { qs, added } = recordingQueues();
    const fanned = await fanOutShopScoring(db.pool, qs, new Date("2026-06-30T18:00:00Z"));
    expect(added.filter((a) => mine.has((a.data as { shopId: number }).shopId))).toEqual([
      { name: "score-shop", data: { shopId: tokyo }, jobId: `score-shop-${tokyo}-2026-07-01` },
    ]);
    expect(fanned.shops).toBe(added.length);
  });

  it("scores with the shop's own settings: k for dormancy, kept with the fit for single-customer rescoring", async () => {
    // Dormant means days since the last order > k x the expected gap, so with days overdue =
    // days since - gap: dormant exactly when overdue > (k - 1) x gap.
    const rows = async () =>
      (await db.pool.query(`select customer_id::text as id, dormant, days_overdue::float8 as overdue, expected_gap_days::float8 as gap from customer_scores where shop_id = $1`, [shopId])).rows;
    const followsK = (k: number, r: { dormant: boolean; overdue: number; gap: number }) => r.dormant === r.overdue > (k - 1) * r.gap;
    await db.pool.query(`update shops set settings = jsonb_set(settings, '{scoring}', $2::jsonb) where id = $1`, [shopId, JSON.stringify({ dormancyK: 3 })]);
    try {
      expect(await runScoreShopJob(db.pool, shopId, new Date("2026-11-05T08:00:00Z"))).toMatchObject({ ran: true, result: { ok: true } });
      const scored = await rows();
      expect(scored.every((r) => followsK(3, r))).toBe(true);
      // Not vacuous: under the default k = 2 some of these customers would be dormant.
      expect(scored.filter((r) => !followsK(2, r)).length).toBeGreaterThan(0);
      const fit = (await db.pool.query(`select settings from shop_model_fits where shop_id = $1`, [shopId])).rows[0];
      expect(fit.settings).toMatchObject({ dormancyK: 3, minStageHoldDays: 7 });
      const one = scored.find((r) => r.overdue > 0)!;
      await rescoreCustomer(db.pool, shopId, one.id, new Date("2026-11-05T09:00:00Z"));
      const again = (await rows()).find((r) => r.id === one.id)!;
      expect(followsK(3, again)).toBe(true);
    } finally {
      await db.pool.query(`update shops set settings = settings - 'scoring' where id = $1`, [shopId]);
    }
    // Settings that fail the schema fall back to the defaults rather than stopping the job.
    await db.pool.query(`update shops set settings = jsonb_set(settings, '{scoring}', '{"dormancyK": -1}') where id = $1`, [shopId]);
    try {
      await runScoreShopJob(db.pool, shopId, new Date("2026-11-05T10:00:00Z"));
      expect((await rows()).every((r) => followsK(2, r))).toBe(true);
    } finally {
      await db.pool.query(`update shops set settings = settings - 'scoring' where id = $1`, [shopId]);
    }
  });

  it("skips an uninstalled shop: nothing scored, nothing recorded", async () => {
    const runsBefore = (await db.pool.query(`select count(*)::int as n from scoring_runs where shop_id = $1`, [shopId])).rows[0].n;
    await db.pool.query(`update shops set status = 'uninstalled' where id = $1`, [shopId]);
    try {
      expect(await runScoreShopJob(db.pool, shopId, NOW)).toEqual({ ran: false, reason: "shop uninstalled" });
      const anyone = (await db.pool.query(`select customer_id::text as id from customer_scores where shop_id = $1 limit 1`, [shopId])).rows[0].id;
      expect(await runRescoreCustomerJob(db.pool, shopId, anyone, NOW)).toEqual({ ran: false, reason: "shop uninstalled" });
      const runsAfter = (await db.pool.query(`select count(*)::int as n from scoring_runs where shop_id = $1`, [shopId])).rows[0].n;
      expect(runsAfter).toBe(runsBefore);
    } finally {
      await db.pool.query(`update shops set status = 'installed' where id = $1`, [shopId]);
    }
    expect(await runScoreShopJob(db.pool, shopId, new Date("2026-11-04T08:00:00Z"))).toMatchObject({ ran: true, result: { ok: true } });
  });
});
