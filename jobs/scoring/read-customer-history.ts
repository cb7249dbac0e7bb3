// One query: each customer's transaction days (calendar days in the shop's time zone, spend
// net of refunds, cancelled and fully refunded orders left out), RFM quintiles, and the stage
// remembered from the last run.
import type pg from "pg";

export interface CustomerHistoryRow {
  customerId: string;
  /** Day numbers (days since 1970-01-01) in the shop's zone, ascending. */
  days: number[];
  /** Net spend per day, minor units. */
  spends: number[];
  orderCount: number;
  totalSpent: number;
  discountedOrderShare: number;
  firstOrderAt: Date;
  lastOrderAt: Date;
  recencyScore: number;
  frequencyScore: number;
  monetaryScore: number;
  previousStage: string | null;
  previousStageSince: Date | null;
  previousStageSinceDay: number | null;
  previousLastOrderDay: number | null;
}

export interface ShopHistory {
  todayDay: number;
  rows: CustomerHistoryRow[];
}

// RFM scores use 1 + floor(5 × (rank() - 1) / n): tied customers share a score, matching
// core/scoring/rfm.ts quintileScores (ntile would split ties arbitrarily).
const SQL = `
with shop as (
  select timezone as tz from shops where id = $1
), orders_net as (
  -- Orders of a customer merged into another count for the surviving customer.
  select coalesce(c.merged_into_id, o.customer_id) as customer_id,
         (o.processed_at at time zone shop.tz)::date as day,
         o.total - o.refunded as net,
         o.discounts > 0 or cardinality(o.discount_codes) > 0 as discounted,
         o.processed_at
  from orders o cross join shop
  left join customers c on c.shop_id = o.shop_id and c.id = o.customer_id
  where o.shop_id = $1 and o.customer_id is not null and o.cancelled_at is null
    and o.processed_at <= $2 and o.total - o.refunded > 0
), per_day as (
  select customer_id, day, sum(net) as spend, count(*) as orders,
         count(*) filter (where discounted) as discounted, min(processed_at) as first_at, max(processed_at) as last_at
  from orders_net group by customer_id, day
), per_customer as (
  select customer_id,
         array_agg(day - date '1970-01-01' order by day) as days,
         array_agg(spend order by day) as spends,
         sum(orders)::int as order_count,
         sum(spend) as total_spent,
         sum(discounted)::float8 / sum(orders) as discounted_share,
         min(first_at) as first_order_at,
         max(last_at) as last_order_at,
         max(day) as last_day
  from per_day group by customer_id
), n as (select count(*) as n from per_customer)
select p.customer_id::text as "customerId", p.days, p.spends::text[] as spends, p.order_count as "orderCount",
       p.total_spent::text as "totalSpent", p.discounted_share as "discountedOrderShare",
       p.first_order_at as "firstOrderAt", p.last_order_at as "lastOrderAt",
       1 + floor(5.0 * (rank() over (order by p.last_day) - 1) / n.n)::int as "recencyScore",
       1 + floor(5.0 * (rank() over (order by p.order_count) - 1) / n.n)::int as "frequencyScore",
       1 + floor(5.0 * (rank() over (order by p.total_spent) - 1) / n.n)::int as "monetaryScore",
       cs.stage as "previousStage", cs.stage_since as "previousStageSince",
       (cs.stage_since at time zone shop.tz)::date - date '1970-01-01' as "previousStageSinceDay",
       (cs.last_order_at at time zone shop.tz)::date - date '1970-01-01' as "previousLastOrderDay"
from per_customer p cross join n cross join shop
left join customer_scores cs on cs.shop_id = $1 and cs.customer_id = p.customer_id
order by p.customer_id`;

export async function readCustomerHistory(pool: pg.Pool, shopId: number, now: Date): Promise<ShopHistory | null> {
  const shop = await pool.query<{ today: number }>(
    `select ($2::timestamptz at time zone timezone)::date - date '1970-01-01' as today from shops where id = $1`,
    [shopId, now],
  );
  if (shop.rowCount === 0) return null;
  const { rows } = await pool.query(SQL, [shopId, now]);
  return {
    todayDay: shop.rows[0].today,
    rows: rows.map((r) => ({
      ...r,
      spends: (r.spends as string[]).map(Number),
      totalSpent: Number(r.totalSpent),
    })) as CustomerHistoryRow[],
  };
}
