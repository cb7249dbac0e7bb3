// The models' fit sample read straight from the orders, on a writer connection while the
// reading one stages the whole shop (stage-summaries.ts), so JavaScript fits BG/NBD and
// Gamma-Gamma while PostgreSQL stages instead of after it: on a 2-core machine the two run
// side by side.
//
// It is the same sample readFitSample takes from the staged summaries (the same customers in
// the same seeded order, the same facts: the kept-order rules of STAGE, repeated here). The
// job checks that it is (scoring decides on the staged rows): should the two differ (an order
// arriving between the two snapshots, or STAGE's rules changed without this file) the models
// are fitted again on the staged sample, so a difference costs time, never a different score.
import type pg from "pg";
import type { FitSampleRow } from "./stage-summaries";

const EARLY_SAMPLE = `
with kept as materialized (
  select coalesce(c.merged_into_id, o.customer_id) as customer_id,
         (o.processed_at at time zone s.timezone)::date - date '1970-01-01' as day, o.total - o.refunded as net
  from orders o
  join shops s on s.id = o.shop_id
  left join customers c on c.shop_id = o.shop_id and c.id = o.customer_id
  where o.shop_id = $1 and o.customer_id is not null and o.cancelled_at is null
    and o.processed_at <= $2 and o.total - o.refunded > 0
), sample as (
  select customer_id from (select distinct customer_id from kept) k
  order by hashint8extended(customer_id, $3), customer_id limit $4
), per_day as (
  select k.customer_id, k.day, sum(k.net) as spend, row_number() over (partition by k.customer_id order by k.day) as n
  from kept k join sample using (customer_id)
  group by k.customer_id, k.day
)
select count(*)::int as transactions, min(day)::int as first_day, max(day)::int as last_day,
       coalesce(sum(spend) filter (where n > 1), 0)::bigint::float8 as repeat_spend, sum(spend)::bigint::float8 as total_spent
from per_day group by customer_id
order by hashint8extended(customer_id, $3), customer_id`;

/** Up to `limit` customers' facts for the model fits, from the orders (readFitSample's sample). */
export async function readEarlyFitSample(client: pg.PoolClient, shopId: number, now: Date, seed: number, limit: number): Promise<FitSampleRow[]> {
  const r = await client.query<FitSampleRow>(EARLY_SAMPLE, [shopId, now, seed, limit]);
  return r.rows;
}

/** Whether two fit samples are the same rows in the same order. */
export function sameFitSample(a: readonly FitSampleRow[], b: readonly FitSampleRow[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.transactions !== y.transactions || x.first_day !== y.first_day || x.last_day !== y.last_day
      || x.repeat_spend !== y.repeat_spend || x.total_spent !== y.total_spent) return false;
  }
  return true;
}
