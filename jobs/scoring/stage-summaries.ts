// The set-like half of nightly scoring, in SQL inside the job's transaction: each customer's
// history reduced to the facts the models need (core/scoring/summary.ts CustomerFacts) in a
// temp table, the shop's median gap, the RFM cut values, each customer's category mix (a second
// temp table, when the shop's products have types), and seeded samples for the fits and the
// clusters. Nothing here is per-customer JavaScript; score-shop.ts pages through the staged
// rows afterwards.
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { quintileCutPositions } from "../../core/scoring/rfm";
import type { RfmCuts } from "./shop-fit";

export interface StagedShop {
  todayDay: number;
  /** The shop's IANA zone: its calendar days. */
  timezone: string;
  customers: number;
  /** Median over every repeat gap of every customer (days); null without repeat buyers. */
  shopMedianGap: number | null;
  rfmCuts: RfmCuts;
  /** The shop's categories in the cluster features (CATEGORY_RULE), largest first; [] without. */
  categories: string[];
}

// Category mix (the cluster features' last block). A line's category is its product's type
// (products.product_type, joined on the line's product id within the order's source): what
// Shopify's import fills. Collections are not used: a product sits in several, and many are
// merchandising sets ("Sale", "Home page") rather than kinds of goods. WooCommerce imports no
// products yet, so its shops have no categories. A line's spend is price x quantity less its
// discount; orders count as in the summaries (same exclusions, merged customers to the
// survivor); refunds, recorded per order, are not split over lines.
// CATEGORY_RULE: the shop's categories are its largest by that spend, at most MAX_CATEGORIES,
// each at least MIN_CATEGORY_SHARE of all line spend (uncategorised lines included); the rest
// fold into "other", which is what the shares leave to 1. A customer's share in a category is
// their spend in it over all their line spend (0 without lines).
// Into scoring_mix (one row per customer with lines). It needs none of the staged summaries, so
// the job computes it on a writer connection while the reading one stages (stageCategoryMix),
// then copies the rows across (copyCategoryMix): on a 2-core machine the two passes over the
// orders run side by side. A shop without a typed product reads no line (the exists is a
// one-time filter), has no categories and scores exactly as before.
export const MAX_CATEGORIES = 5;
export const MIN_CATEGORY_SHARE = 0.05;
/** scoring_mix's columns for the shares, in the categories' order (0 past the shop's categories). */
export const SHARE_COLUMNS = Array.from({ length: MAX_CATEGORIES }, (_, i) => `share_${i + 1}`);
// The lines are the costly part (several per order): they are grouped by small integer keys
// (a category number per product type) and the customers table joins only its merged records.
const CATEGORY_MIX = (shop: string, now: string) => `typed as (
  select source, external_id, dense_rank() over (order by product_type)::int as cat, product_type
  from products where shop_id = ${shop} and product_type <> ''
), line_spend as (
  select coalesce(c.merged_into_id, o.customer_id) as customer_id, t.cat,
         sum(greatest(l.price * l.quantity - l.discount, 0)::float8) as spend
  from orders o
  join order_lines l on l.shop_id = o.shop_id and l.order_id = o.id
  left join typed t on t.source = o.source and t.external_id = l.product_id
  left join customers c on c.shop_id = o.shop_id and c.id = o.customer_id and c.merged_into_id is not null
  where exists (select 1 from typed) and o.shop_id = ${shop} and o.customer_id is not null and o.cancelled_at is null
    and o.processed_at <= ${now} and o.total - o.refunded > 0
  group by 1, 2
), categories as (
  select cat, rank, category from (
    select cat, category, share, row_number() over (order by spend desc, category) as rank from (
      select ls.cat, min(t.product_type) as category, sum(ls.spend) as spend, sum(ls.spend) / nullif(sum(sum(ls.spend)) over (), 0) as share
      from line_spend ls left join (select distinct cat, product_type from typed) t on t.cat = ls.cat
      group by ls.cat
    ) totals where cat is not null
  ) r
  where share >= ${MIN_CATEGORY_SHARE} and rank <= ${MAX_CATEGORIES}
), mixed as (
  insert into scoring_mix
  select ls.customer_id,
         ${SHARE_COLUMNS.map((_, i) => `coalesce(sum(ls.spend) filter (where k.rank = ${i + 1}) / nullif(sum(ls.spend), 0), 0)`).join(",\n         ")}
  from line_spend ls left join categories k on k.cat = ls.cat
  where exists (select 1 from categories)
  group by ls.customer_id
  order by ls.customer_id
)`;

// Days are calendar days in the shop's zone; same-day orders are one transaction (spend summed);
// cancelled, fully refunded and future orders are left out; orders of a customer merged into
// another count for the survivor. The same pass files the histogram of every repeat gap of
// every customer (a few hundred distinct values), which the shop's median is read from. The
// remembered stage (the customer's current scores) is not read here: each page joins it by key
// (PAGE), off this single statement's critical path.
const STAGE = `
with per_day as (
  select customer_id, day, spend, orders, discounted, first_at, last_at,
         day - lag(day) over w as gap, row_number() over w as k
  from (
    select coalesce(c.merged_into_id, o.customer_id) as customer_id,
           (o.processed_at at time zone $3::text)::date - date '1970-01-01' as day,
           sum(o.total - o.refunded) as spend, count(*)::int as orders,
           count(*) filter (where o.discounts > 0 or cardinality(o.discount_codes) > 0)::int as discounted,
           min(o.processed_at) as first_at, max(o.processed_at) as last_at
    from orders o
    left join customers c on c.shop_id = o.shop_id and c.id = o.customer_id and c.merged_into_id is not null
    where o.shop_id = $1 and o.customer_id is not null and o.cancelled_at is null
      and o.processed_at <= $2 and o.total - o.refunded > 0
    group by 1, 2
  ) d
  window w as (partition by customer_id order by day)
), per_customer as (
  select customer_id, count(*)::int as transactions, sum(orders)::int as order_count, sum(spend)::bigint as total_spent,
         coalesce(sum(spend) filter (where k > 1), 0)::bigint as repeat_spend,
         sum(discounted)::float8 / sum(orders) as discounted_share,
         min(first_at) as first_order_at, max(last_at) as last_order_at, min(day)::int as first_day, max(day)::int as last_day,
         percentile_cont(0.5) within group (order by gap) as own_gap
  from per_day group by customer_id
), gap_counts as (
  insert into scoring_gaps select gap, count(*) from per_day where gap is not null group by gap
)
insert into scoring_summary
select p.* from per_customer p order by p.customer_id`;

const CREATE_MIX = `create temp table if not exists scoring_mix (
  customer_id bigint primary key, ${SHARE_COLUMNS.map((c) => `${c} float8`).join(", ")}
) on commit drop`;

const CREATE = `
create temp table scoring_summary (
  customer_id bigint primary key, transactions int not null, order_count int not null, total_spent bigint not null,
  repeat_spend bigint not null, discounted_share float8 not null, first_order_at timestamptz not null,
  last_order_at timestamptz not null, first_day int not null, last_day int not null, own_gap float8
) on commit drop;
create temp table scoring_gaps (gap int not null, n bigint not null) on commit drop;
${CREATE_MIX}`;

// One statement for the shop-wide values, so it runs while JavaScript fits the models:
// the median gap from the histogram (the values at positions floor((n+1)/2) and floor(n/2)+1
// of the sorted gaps, averaged, one position when n is odd, as core/scoring/dormancy.ts median
// does; null without repeat buyers), then the values at the RFM cut positions (1-based,
// ascending order) of each dimension.
const SHOP_VALUES = `
with h as (select gap, sum(n) over (order by gap) as cum, sum(n) over () as total from scoring_gaps)
select 'median' as dim, 0::bigint as rn,
       (min(gap) filter (where cum >= (total + 1) / 2) + min(gap) filter (where cum >= total / 2 + 1))::float8 / 2 as v from h
union all
select 'recency', rn, v from (select row_number() over (order by last_day) as rn, last_day::float8 as v from scoring_summary) x where rn = any($1::bigint[])
union all
select 'frequency', rn, v from (select row_number() over (order by order_count) as rn, order_count::float8 as v from scoring_summary) x where rn = any($1::bigint[])
union all
select 'monetary', rn, v from (select row_number() over (order by total_spent) as rn, total_spent::float8 as v from scoring_summary) x where rn = any($1::bigint[])`;

// The category mix staged on the way; the statement returns the categories ranked.
const STAGE_MIX = `with ${CATEGORY_MIX("$1", "$2")}
select category, rank from categories order by rank`;

/** Stages the shop's summaries (temp tables, dropped at commit); null when the shop is gone. */
export async function stageSummaries(
  client: pg.PoolClient, shopId: number, now: Date,
): Promise<{ todayDay: number; customers: number; timezone: string } | null> {
  const shop = await client.query<{ tz: string; today: number }>(
    `select timezone as tz, ($2::timestamptz at time zone timezone)::date - date '1970-01-01' as today from shops where id = $1`,
    [shopId, now],
  );
  if (shop.rowCount === 0) return null;
  const { tz, today } = shop.rows[0];
  await client.query(CREATE);
  const staged = await client.query(STAGE, [shopId, now, tz]);
  return { todayDay: today, customers: staged.rowCount ?? 0, timezone: tz };
}

/**
 * The shop's median gap and RFM cut values over the staged summaries. Sent at once (one
 * statement): the caller may compute meanwhile and await the result afterwards.
 */
export async function readShopValues(client: pg.PoolClient, customers: number): Promise<Pick<StagedShop, "shopMedianGap" | "rfmCuts">> {
  const positions = quintileCutPositions(customers);
  const r = await client.query<{ dim: keyof RfmCuts | "median"; rn: string; v: number | null }>(SHOP_VALUES, [positions]);
  const at = new Map(r.rows.map((row) => [`${row.dim}:${row.rn}`, row.v]));
  const cuts: RfmCuts = { recency: [], frequency: [], monetary: [] };
  if (customers > 0) {
    for (const dim of ["recency", "frequency", "monetary"] as const) {
      cuts[dim] = positions.map((m) => (m >= 1 ? at.get(`${dim}:${m}`)! : -Infinity));
    }
  }
  return { shopMedianGap: at.get("median:0") ?? null, rfmCuts: cuts };
}

/**
 * The shop's categories (CATEGORY_RULE, largest first) with each customer's shares staged into
 * the connection's scoring_mix (created if missing, dropped at commit). Needs no other staged
 * table, so it may run on any connection of the job, in its own transaction.
 */
export async function stageCategoryMix(client: pg.PoolClient, shopId: number, now: Date): Promise<string[]> {
  await client.query(CREATE_MIX);
  const r = await client.query<{ category: string }>(STAGE_MIX, [shopId, now]);
  return r.rows.map((row) => row.category);
}

/**
 * Copies scoring_mix from the connection that staged it to another one's (the reader's, which
 * pages the summaries with it), then empties the source. Rows pass through as a stream. The two
 * connections are different transactions: an order committed between their snapshots can make a
 * customer's shares and summary disagree by that order, which only moves a cluster feature until
 * the next run (the fits and the scores come from the reader's snapshot alone).
 */
export async function copyCategoryMix(from: pg.PoolClient, to: pg.PoolClient): Promise<void> {
  // Binary: the same table on both sides, and no float printed and parsed again.
  await pipeline(from.query(copyTo("copy scoring_mix to stdout (format binary)")), to.query(copyFrom("copy scoring_mix from stdin (format binary)")));
  await from.query("truncate scoring_mix");
}

/** Planner statistics for the staged summaries (the keyset pages and the final anti-join). */
export async function analyzeSummaries(client: pg.PoolClient, withMix = false): Promise<void> {
  await client.query(withMix ? "analyze scoring_summary, scoring_mix" : "analyze scoring_summary");
}

/** A seeded uniform sample of the staged customers (the same shop gives the same sample). */
function sampleOrder(seedParam: string): string {
  return `order by hashint8extended(customer_id, ${seedParam}), customer_id limit $2`;
}

/** One customer's facts for the model fits. */
export interface FitSampleRow { transactions: number; first_day: number; last_day: number; repeat_spend: number; total_spent: number }

/** Up to `limit` customers' facts for the model fits. */
export async function readFitSample(client: pg.PoolClient, seed: number, limit: number): Promise<FitSampleRow[]> {
  const r = await client.query<FitSampleRow>(
    `select transactions, first_day, last_day, repeat_spend::float8 as repeat_spend, total_spent::float8 as total_spent
     from scoring_summary ${sampleOrder("$1")}`,
    [seed, limit],
  );
  return r.rows;
}

/**
 * Up to `limit` customers' raw cluster features (CUSTOMER_FEATURES order, then the share of
 * spend in each of the shop's first `categories` categories).
 */
export async function readClusterSample(
  client: pg.PoolClient, seed: number, limit: number, todayDay: number, shopMedianGapDays: number, categories = 0,
): Promise<number[][]> {
  const r = await client.query({
    text: `select $3::int - last_day, order_count, total_spent::float8, $3::int - first_day, coalesce(own_gap, $4::float8),
                  total_spent::float8 / order_count, discounted_share${withShares(categories)}
           from scoring_summary ${sampleOrder("$1")}`,
    values: [seed, limit, todayDay, shopMedianGapDays],
    rowMode: "array",
  });
  return r.rows as number[][];
}

// Instants pass through JavaScript to the writers as epoch milliseconds (the columns hold
// milliseconds): integers cost far less to print and parse than timestamps.
const epochMs = (col: string) => `(extract(epoch from ${col}) * 1000)::int8`;

/**
 * One page of staged customers after `afterId` ($1; keyset on the summary's primary key, $2 rows),
 * with what the shop ($3, its zone $4) remembers of each (their current scores: the stage, since
 * when, the last order's day) and the shares of `categories` categories (0 for a customer
 * without lines). Both join row by row on the key, so a page reads only its own customers'.
 */
function page(categories: number): string {
  const shares = SHARE_COLUMNS.slice(0, categories).map((c) => `, coalesce(m.${c}, 0)`).join("");
  return `
select s.customer_id::text as id, s.transactions, s.first_day, s.last_day, s.repeat_spend::float8, s.total_spent::float8, s.own_gap,
       s.order_count, s.discounted_share, cs.stage::text,
       (cs.stage_since at time zone $4::text)::date - date '1970-01-01', (cs.last_order_at at time zone $4::text)::date - date '1970-01-01',
       ${epochMs("s.first_order_at")}, ${epochMs("s.last_order_at")}, ${epochMs("cs.stage_since")}${shares}
from scoring_summary s
left join customer_scores cs on cs.shop_id = $3::int and cs.customer_id = s.customer_id and cs.customer_id > $1::bigint
${categories ? "left join scoring_mix m on m.customer_id = s.customer_id and m.customer_id > $1::bigint" : ""}
where s.customer_id > $1::bigint order by s.customer_id limit $2`;
}
export const PAGE = page(0);
/** Column positions of PAGE rows (read as arrays: no object per row). */
export const COL = {
  id: 0, transactions: 1, firstDay: 2, lastDay: 3, repeatSpend: 4, totalSpent: 5, ownGap: 6, orderCount: 7, discountedShare: 8,
  prevStage: 9, prevSinceDay: 10, prevLastDay: 11, firstOrderMs: 12, lastOrderMs: 13, prevStageSinceMs: 14,
  /** The shares of pageQuery(m)'s m categories follow the columns above. */
  firstShare: 15,
} as const;

/** The cluster sample's share columns: the first `categories` of scoring_mix (0 for a customer without lines). */
function withShares(categories: number): string {
  return SHARE_COLUMNS.slice(0, categories)
    .map((c) => `, coalesce((select ${c} from scoring_mix m where m.customer_id = scoring_summary.customer_id), 0)`)
    .join("");
}

/** PAGE with the shares of the shop's first `categories` categories after its columns; PAGE itself without. */
export function pageQuery(categories: number): string {
  return categories ? page(categories) : PAGE;
}
