// Rescore one customer at once (a new or refunded order) with the shop's stored fit: no refit,
// RFM against the quintile cuts of the last full run, the same per-customer code as the nightly
// job. A handful of indexed queries and microseconds of maths: a few ms.
import type pg from "pg";
import { err, ok, type Result } from "../../core/result";
import type { ScoringSettings } from "../../core/scoring/schema";
import { scoreFromCuts } from "../../core/scoring/rfm";
import { customerFacts } from "../../core/scoring/summary";
import { dayToIso, scoreRow } from "./score-row";
import { readShopFit } from "./shop-fit";
import { writeScores, type ScoreRow } from "./write-scores";

export type RescoreOutcome =
  | { rescored: true; score: ScoreRow; stageChanged: boolean }
  | { rescored: false; reason: "no kept orders" | "no model yet" };

// The customer's surviving record, then their orders and those of records merged into them:
// the same netting, day grouping and exclusions as stage-summaries.ts.
const SQL = `
with shop as (
  select timezone as tz, ($3::timestamptz at time zone timezone)::date - date '1970-01-01' as today from shops where id = $1
), who as (
  select coalesce(merged_into_id, id) as id from customers where shop_id = $1 and id = $2
), ids as (
  select id from who
  union select c.id from customers c, who where c.shop_id = $1 and c.merged_into_id = who.id
), orders_net as (
  select (o.processed_at at time zone shop.tz)::date as day, o.total - o.refunded as net,
         o.discounts > 0 or cardinality(o.discount_codes) > 0 as discounted, o.processed_at
  from orders o cross join shop
  where o.shop_id = $1 and o.customer_id in (select id from ids) and o.cancelled_at is null
    and o.processed_at <= $3 and o.total - o.refunded > 0
), per_day as (
  select day, sum(net) as spend, count(*) as orders, count(*) filter (where discounted) as discounted,
         min(processed_at) as first_at, max(processed_at) as last_at
  from orders_net group by day
)
select (select id::text from who) as "customerId", shop.today,
       coalesce(array_agg(day - date '1970-01-01' order by day) filter (where day is not null), '{}') as days,
       coalesce(array_agg(spend::text order by day) filter (where day is not null), '{}') as spends,
       coalesce(sum(orders), 0)::int as "orderCount", coalesce(sum(spend), 0)::text as "totalSpent",
       coalesce(sum(discounted)::float8 / nullif(sum(orders), 0), 0) as "discountedOrderShare",
       min(first_at) as "firstOrderAt", max(last_at) as "lastOrderAt",
       (select stage from customer_scores where shop_id = $1 and customer_id = (select id from who)) as "previousStage",
       (select stage_since from customer_scores where shop_id = $1 and customer_id = (select id from who)) as "previousStageSince",
       (select (stage_since at time zone shop.tz)::date - date '1970-01-01' from customer_scores
         where shop_id = $1 and customer_id = (select id from who)) as "previousStageSinceDay",
       (select (last_order_at at time zone shop.tz)::date - date '1970-01-01' from customer_scores
         where shop_id = $1 and customer_id = (select id from who)) as "previousLastOrderDay"
from shop left join per_day on true
group by shop.today, shop.tz`;

export async function rescoreCustomer(
  pool: pg.Pool,
  shopId: number,
  customerId: string,
  now: Date,
): Promise<Result<RescoreOutcome>> {
  const fit = await readShopFit(pool, shopId);
  const { rows } = await pool.query(SQL, [shopId, customerId, now]);
  const r = rows[0];
  if (!r) return err(`shop ${shopId} not found`);
  if (r.customerId === null) return err(`customer ${customerId} not found in shop ${shopId}`);
  const days = r.days as number[];
  if (days.length === 0) {
    await writeScores(pool, shopId, now, [], [], { historyDay: dayToIso(r.today), scope: { kind: "customers", remove: [r.customerId] } });
    return ok({ rescored: false, reason: "no kept orders" });
  }
  // Without a stored fit the shop has never been scored: the nightly (or first) run does it.
  if (!fit) return ok({ rescored: false, reason: "no model yet" });
  const settings: ScoringSettings = fit.settings;
  const totalSpent = Number(r.totalSpent);
  const facts = customerFacts(days, (r.spends as string[]).map(Number));
  const row = {
    customerId: r.customerId as string,
    facts,
    orderCount: r.orderCount as number,
    totalSpent,
    firstOrderAt: r.firstOrderAt as Date,
    lastOrderAt: r.lastOrderAt as Date,
    rfm: {
      recency: scoreFromCuts(facts.lastDay, fit.rfmCuts.recency),
      frequency: scoreFromCuts(r.orderCount, fit.rfmCuts.frequency),
      monetary: scoreFromCuts(totalSpent, fit.rfmCuts.monetary),
    },
    previousStage: r.previousStage as string | null,
    previousStageSince: r.previousStageSince as Date | null,
    previousStageSinceDay: r.previousStageSinceDay as number | null,
    previousLastOrderDay: r.previousLastOrderDay as number | null,
  };
  const ctx = { models: fit.models, settings, shopMedianGapDays: fit.shopMedianGapDays };
  const { score, event } = scoreRow(row, r.today, now, ctx, settings);
  // The cluster is kept from the last full run (assignment needs the shop's feature scaling).
  const current = await pool.query<{ cluster_id: number | null }>(
    `select cluster_id from customer_scores where shop_id = $1 and customer_id = $2`,
    [shopId, score.customerId],
  );
  score.clusterId = current.rows[0]?.cluster_id ?? null;
  await writeScores(pool, shopId, now, [score], event ? [event] : [], {
    historyDay: dayToIso(r.today),
    scope: { kind: "customers", remove: [] },
  });
  return ok({ rescored: true, score, stageChanged: event !== null });
}
