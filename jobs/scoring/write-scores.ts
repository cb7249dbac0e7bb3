// Writes a shop's scores with one set-based upsert (arrays unnested server-side), drops rows of
// customers with nothing left to score, and records stage changes as events, deduplicated so a
// re-run records nothing twice. All in one transaction.
import type pg from "pg";
import { holdShopAgainstErasure } from "./erasure-lock";

export interface ScoreRow {
  customerId: string;
  recencyScore: number;
  frequencyScore: number;
  monetaryScore: number;
  rfmGroup: string;
  orderCount: number;
  totalSpent: number;
  firstOrderAt: Date;
  lastOrderAt: Date;
  expectedGapDays: number;
  daysOverdue: number;
  dormant: boolean;
  stage: string;
  stageSince: Date;
  pAlive: number | null;
  expectedPurchases: number | null;
  expectedNextOrderAt: Date | null;
  clv: number | null;
  clusterId: number | null;
  confidence: string;
  reason: string;
  expectedSpend: number | null;
}

export interface StageEvent {
  customerId: string;
  from: string | null;
  to: string;
  at: Date;
  reason: string;
}

/** A customer's new scores replace the old ones (every column the job computes). */
const UPSERT_SCORES = `on conflict (shop_id, customer_id) do update set
  recency_score = excluded.recency_score, frequency_score = excluded.frequency_score,
  monetary_score = excluded.monetary_score, rfm_group = excluded.rfm_group, order_count = excluded.order_count,
  total_spent = excluded.total_spent, first_order_at = excluded.first_order_at, last_order_at = excluded.last_order_at,
  expected_gap_days = excluded.expected_gap_days, days_overdue = excluded.days_overdue, dormant = excluded.dormant,
  stage = excluded.stage, stage_since = excluded.stage_since, p_alive = excluded.p_alive,
  expected_purchases = excluded.expected_purchases, expected_next_order_at = excluded.expected_next_order_at,
  clv = excluded.clv, cluster_id = excluded.cluster_id, confidence = excluded.confidence, reason = excluded.reason,
  expected_spend = excluded.expected_spend, scored_at = excluded.scored_at`;

const UPSERT = `
insert into customer_scores (shop_id, customer_id, recency_score, frequency_score, monetary_score, rfm_group,
  order_count, total_spent, first_order_at, last_order_at, expected_gap_days, days_overdue, dormant, stage,
  stage_since, p_alive, expected_purchases, expected_next_order_at, clv, cluster_id, confidence, reason, expected_spend, scored_at)
select $1, u.* , $2 from unnest($3::bigint[], $4::smallint[], $5::smallint[], $6::smallint[], $7::text[], $8::int[],
  $9::bigint[], $10::timestamptz[], $11::timestamptz[], $12::float8[], $13::float8[], $14::boolean[], $15::text[],
  $16::timestamptz[], $17::float8[], $18::float8[], $19::timestamptz[], $20::bigint[], $21::int[], $22::text[], $23::text[],
  $24::bigint[]) as u
${UPSERT_SCORES}`;

// The day's snapshot of key scores, copied server-side from customer_scores; a second run on
// the same day overwrites that day's row rather than adding one.
const HISTORY = `
insert into customer_score_history (shop_id, customer_id, day, recency_score, frequency_score, monetary_score, rfm_group,
  stage, p_alive, clv, days_overdue)
select shop_id, customer_id, $2::date, recency_score, frequency_score, monetary_score, rfm_group, stage, p_alive, clv, days_overdue
from customer_scores where shop_id = $1 and ($3::bigint[] is null or customer_id = any($3::bigint[]))
on conflict (shop_id, customer_id, day) do update set
  recency_score = excluded.recency_score, frequency_score = excluded.frequency_score, monetary_score = excluded.monetary_score,
  rfm_group = excluded.rfm_group, stage = excluded.stage, p_alive = excluded.p_alive, clv = excluded.clv,
  days_overdue = excluded.days_overdue`;

const EVENTS = `
insert into events (shop_id, customer_id, name, occurred_at, properties, dedupe_key)
select $1, u.customer_id, 'stage_changed', u.at, jsonb_build_object('from', u.from_stage, 'to', u.to_stage, 'reason', u.reason),
       'stage:' || u.customer_id || ':' || u.to_stage || ':' || to_char(u.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS')
from unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::text[]) as u(customer_id, from_stage, to_stage, at, reason)
on conflict (shop_id, dedupe_key) do nothing`;

export interface WriteScoresOptions {
  /** The shop's calendar day (YYYY-MM-DD) the history snapshot is filed under. */
  historyDay: string;
  /**
   * "shop": these are all of the shop's customers, and rows of anyone else are dropped.
   * "customers": only these customers were rescored; `remove` lost their last kept order.
   */
  scope: { kind: "shop" } | { kind: "customers"; remove: string[] };
}

export async function writeScores(
  db: pg.Pool | pg.PoolClient,
  shopId: number,
  scoredAt: Date,
  scores: ScoreRow[],
  events: StageEvent[],
  opts: WriteScoresOptions,
): Promise<void> {
  const money = (v: number | null) => (v === null ? null : Math.round(v).toString());
  const own = "release" in db ? null : await db.connect();
  const client = own ?? (db as pg.PoolClient);
  try {
    if (own) await client.query("begin");
    // Not while the shop's customers are being erased; and nobody erased since they were read
    // gets rows back (no foreign key to customers stops it: erasure-lock.ts).
    await holdShopAgainstErasure(client, shopId);
    if (opts.scope.kind === "customers" && scores.length) {
      const r = await client.query<{ id: string }>(`select id::text from customers where shop_id = $1 and id = any($2::bigint[])`, [
        shopId, scores.map((s) => s.customerId),
      ]);
      const alive = new Set(r.rows.map((row) => row.id));
      scores = scores.filter((s) => alive.has(s.customerId));
      events = events.filter((e) => alive.has(e.customerId));
    }
    const col = <K extends keyof ScoreRow>(k: K) => scores.map((s) => s[k]);
    if (scores.length) {
      await client.query(UPSERT, [
        shopId, scoredAt, col("customerId"), col("recencyScore"), col("frequencyScore"), col("monetaryScore"), col("rfmGroup"),
        col("orderCount"), col("totalSpent").map(money), col("firstOrderAt"), col("lastOrderAt"),
        col("expectedGapDays"), col("daysOverdue"), col("dormant"), col("stage"), col("stageSince"), col("pAlive"),
        col("expectedPurchases"), col("expectedNextOrderAt"), col("clv").map(money),
        col("clusterId"), col("confidence"), col("reason"), col("expectedSpend").map(money),
      ]);
    }
    if (opts.scope.kind === "shop") {
      // Customers with no kept orders any more (cancelled, refunded, merged away) lose their row.
      await client.query(`delete from customer_scores where shop_id = $1 and customer_id <> all($2::bigint[])`, [shopId, col("customerId")]);
    } else if (opts.scope.remove.length) {
      await client.query(`delete from customer_scores where shop_id = $1 and customer_id = any($2::bigint[])`, [shopId, opts.scope.remove]);
    }
    await client.query(HISTORY, [shopId, opts.historyDay, opts.scope.kind === "shop" ? null : col("customerId")]);
    if (events.length) {
      await client.query(EVENTS, [
        shopId, events.map((e) => e.customerId), events.map((e) => e.from), events.map((e) => e.to), events.map((e) => e.at),
        events.map((e) => e.reason),
      ]);
    }
    if (own) await client.query("commit");
  } catch (e) {
    if (own) await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    own?.release();
  }
}

// The nightly job's path: each chunk's scores COPY into a temp table on a writer connection,
// then one statement upserts them, files the day's history from the upsert's own rows, and
// records stage changes. Values and rules are those of writeScores above (stage_since kept
// unless the stage changed; money rounded in JS). A COPY row carries everything the write
// needs (the summary's columns too), so any connection can write any chunk: the staged
// summary lives in a temp table of the reading connection only.
// Chunks accumulate in the temp table, tagged by number (a per-chunk TRUNCATE costs a catalog
// update each time); the index finds a chunk's rows, which lie together at the table's end.
export const CHUNK_TABLE = `
create temp table scoring_result (
  chunk int not null, customer_id bigint not null, recency_score smallint, frequency_score smallint, monetary_score smallint, rfm_group text,
  order_count int, total_spent bigint, first_order_ms bigint, last_order_ms bigint,
  expected_gap_days float8, days_overdue float8, dormant boolean, stage text, stage_since_ms bigint, changed boolean, from_stage text,
  p_alive float8, expected_purchases float8, expected_next_order_at timestamptz, clv bigint, cluster_id int,
  confidence text, reason text, expected_spend bigint
) on commit drop;
create index on scoring_result (chunk)`;

export const CHUNK_COLUMNS = [
  "chunk", "customer_id", "recency_score", "frequency_score", "monetary_score", "rfm_group", "order_count", "total_spent", "first_order_ms",
  "last_order_ms", "expected_gap_days", "days_overdue", "dormant", "stage", "stage_since_ms", "changed", "from_stage", "p_alive",
  "expected_purchases", "expected_next_order_at", "clv", "cluster_id", "confidence", "reason", "expected_spend",
] as const;

// $1 shop, $2 the run's instant, $3 the shop-local history day, $4 the chunk. Instants come as
// epoch milliseconds; a stage_since of null means the stage starts with this run.
const fromMs = (col: string) => `'epoch'::timestamptz + ${col} * interval '1 millisecond'`;
export const WRITE_CHUNK = `
with r as (
  select *, ${fromMs("first_order_ms")} as first_order_at, ${fromMs("last_order_ms")} as last_order_at,
         coalesce(${fromMs("stage_since_ms")}, $2::timestamptz) as stage_since
  from scoring_result where chunk = $4
), at as (
  select to_char($2::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as key
), up as (
  insert into customer_scores (shop_id, customer_id, recency_score, frequency_score, monetary_score, rfm_group,
    order_count, total_spent, first_order_at, last_order_at, expected_gap_days, days_overdue, dormant, stage,
    stage_since, p_alive, expected_purchases, expected_next_order_at, clv, cluster_id, confidence, reason, expected_spend, scored_at)
  select $1, customer_id, recency_score, frequency_score, monetary_score, rfm_group, order_count, total_spent, first_order_at,
    last_order_at, expected_gap_days, days_overdue, dormant, stage, stage_since, p_alive, expected_purchases, expected_next_order_at,
    clv, cluster_id, confidence, reason, expected_spend, $2::timestamptz
  from r
  ${UPSERT_SCORES}
  returning customer_id, recency_score, frequency_score, monetary_score, rfm_group, stage, p_alive, clv, days_overdue
), history as (
  insert into customer_score_history (shop_id, customer_id, day, recency_score, frequency_score, monetary_score, rfm_group,
    stage, p_alive, clv, days_overdue)
  select $1, customer_id, $3::date, recency_score, frequency_score, monetary_score, rfm_group, stage, p_alive, clv, days_overdue from up
  on conflict (shop_id, customer_id, day) do update set
    recency_score = excluded.recency_score, frequency_score = excluded.frequency_score, monetary_score = excluded.monetary_score,
    rfm_group = excluded.rfm_group, stage = excluded.stage, p_alive = excluded.p_alive, clv = excluded.clv,
    days_overdue = excluded.days_overdue
)
insert into events (shop_id, customer_id, name, occurred_at, properties, dedupe_key)
select $1, customer_id, 'stage_changed', $2::timestamptz, jsonb_build_object('from', from_stage, 'to', stage, 'reason', reason),
       'stage:' || customer_id || ':' || stage || ':' || at.key
from r cross join at where changed
on conflict (shop_id, dedupe_key) do nothing`;

/**
 * Customers with no kept orders any more (cancelled, refunded, merged away): their rows are
 * dropped at the end of the run. Read before the writers start (the rows the run leaves alone
 * are the ones not in the summary), so the end deletes by key instead of scanning the rows the
 * writers have just written.
 */
export const UNSCORED = `
select cs.customer_id::text as id from customer_scores cs where cs.shop_id = $1
  and not exists (select 1 from scoring_summary s where s.customer_id = cs.customer_id)`;

/** UNSCORED's rows ($2). */
export const DROP_UNSCORED = `delete from customer_scores where shop_id = $1 and customer_id = any($2::bigint[])`;
