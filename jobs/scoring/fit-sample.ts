// The models' fit sample read straight from the orders, on a writer connection while the
// reading one stages the whole shop (stage-summaries.ts), so JavaScript fits BG/NBD and
// Gamma-Gamma while PostgreSQL stages instead of after it: on a 2-core machine the two run
// side by side.
//
// The sample is the first customers in the seeded hash order who have kept orders. Most
// customers of a shop do, so it is read from a margin of candidates in that order (their orders
// found by index), not from a pass over every order; only when the candidates run short of the
// sample while more customers remain does it take the full pass (EARLY_SAMPLE_FULL).
//
// It is the same sample readFitSample takes from the staged summaries (the same customers in
// the same seeded order, the same facts: the kept-order rules of STAGE, repeated here). The
// job checks that it is (scoring decides on the staged rows): should the two differ (an order
// arriving between the two snapshots, or STAGE's rules changed without this file) the models
// are fitted again on the staged sample, so a difference costs time, never a different score.
import type pg from "pg";
import type { FitSampleRow } from "./stage-summaries";

// The per-customer facts of the sampled customers' kept orders (`kept`), as STAGE computes them.
const FACTS = `sample as (
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

// $5 candidates in the hash order (offset 0 keeps each lateral a per-candidate index lookup
// rather than a join over all of the shop's orders). A candidate's orders are its own unless it was merged into
// another customer (then they count for the survivor), and those of the customers merged into it.
const EARLY_SAMPLE = `
with cand as materialized (
  select id, merged_into_id is null as own from customers where shop_id = $1
  order by hashint8extended(id, $3), id limit $5
), members as (
  select id as customer_id, id as member from cand where own
  union all
  select cand.id, m.id from cand cross join lateral (
    select id from customers m where m.shop_id = $1 and m.merged_into_id = cand.id offset 0) m
), kept as materialized (
  select mb.customer_id, (o.processed_at at time zone s.timezone)::date - date '1970-01-01' as day, o.total - o.refunded as net
  from members mb
  cross join lateral (
    select processed_at, total, refunded from orders o
    where o.shop_id = $1 and o.customer_id = mb.member and o.cancelled_at is null and o.processed_at <= $2 and o.total - o.refunded > 0
    offset 0) o
  join shops s on s.id = $1
), ${FACTS}`;

const EARLY_SAMPLE_FULL = `
with kept as materialized (
  select coalesce(c.merged_into_id, o.customer_id) as customer_id,
         (o.processed_at at time zone s.timezone)::date - date '1970-01-01' as day, o.total - o.refunded as net
  from orders o
  join shops s on s.id = o.shop_id
  left join customers c on c.shop_id = o.shop_id and c.id = o.customer_id
  where o.shop_id = $1 and o.customer_id is not null and o.cancelled_at is null
    and o.processed_at <= $2 and o.total - o.refunded > 0
), ${FACTS}`;

/**
 * Up to `limit` customers' facts for the model fits, from the orders (readFitSample's sample),
 * looking first at `candidates` customers in the sample's order.
 */
export async function readEarlyFitSample(
  client: pg.PoolClient, shopId: number, now: Date, seed: number, limit: number, candidates = 2 * limit + 100,
): Promise<FitSampleRow[]> {
  const r = await client.query<FitSampleRow>(EARLY_SAMPLE, [shopId, now, seed, limit, candidates]);
  if (r.rows.length >= limit) return r.rows;
  // Short: either the shop has no more customers with kept orders, or the margin was too thin.
  const n = await client.query<{ n: number }>(`select count(*)::int as n from customers where shop_id = $1`, [shopId]);
  if (n.rows[0].n <= candidates) return r.rows;
  return (await client.query<FitSampleRow>(EARLY_SAMPLE_FULL, [shopId, now, seed, limit])).rows;
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
