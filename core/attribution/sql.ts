// The attribution rules of credit.ts as one set-based query, for crediting a shop's orders in
// bulk inside PostgreSQL. credit.ts is the reference; test/core/attribution/sql.test.ts checks
// that both agree on the same data.
//
// Tables read (prisma/schema.prisma):
//   orders          (processed_at, customer_id, discount_codes text[], total, refunded, cancelled_at)
//   discount_codes  (code upper-case, message_id, issued_at, status): the codes Winback issued
//   events          engagement rows: name 'message_clicked' (a click) or 'message_opened' (an
//                   open), with customer_id, message_id and occurred_at
// and written: attributions (PK shop_id, order_id).
//
// Rule mapping: a matching code issued no later than the order wins (latest issue, then largest
// message id); otherwise the latest touch inside its kind's window, both edges inclusive, a
// click before an open at the same instant, then the largest message id. Message ids compare
// as text, as they do in credit.ts. DISTINCT ON gives each order at most one credit. A code
// whose platform call failed (status 'failed') never reached a customer and is no evidence;
// neither is a code without a message.
import type { AttributionWindows } from "./schema";
import { RECOVERABLE_STAGES } from "./schema";

export interface SqlQuery {
  text: string;
  values: unknown[];
}

export interface CreditScope {
  shopId: number;
  windows: AttributionWindows;
  /** Orders processed in [from, to); both absent: every order of the shop. */
  from?: Date;
  to?: Date;
  /** Only these orders (the incremental path when an order arrives or changes). */
  orderIds?: readonly string[];
}

export const CLICK_EVENT = "message_clicked";
export const OPEN_EVENT = "message_opened";

/** The credit CTEs (o, by_code, by_touch, credits) and their parameter values. */
function creditCtes(p: CreditScope): { ctes: string; values: unknown[]; orderFilter: string } {
  const values: unknown[] = [p.shopId, p.windows.clickWindowMs, p.windows.openWindowMs];
  const where: string[] = ["shop_id = $1"];
  if (p.from) {
    values.push(p.from);
    where.push(`processed_at >= $${values.length}`);
  }
  if (p.to) {
    values.push(p.to);
    where.push(`processed_at < $${values.length}`);
  }
  if (p.orderIds) {
    values.push(p.orderIds);
    where.push(`id = ANY($${values.length}::bigint[])`);
  }
  const orderFilter = where.join(" AND ");
  const ctes = `
o AS (
  SELECT id, customer_id, processed_at, discount_codes, total, refunded, cancelled_at
  FROM orders
  WHERE ${orderFilter}
),
by_code AS (
  SELECT DISTINCT ON (o.id) o.id AS order_id, dc.message_id, 'code'::text AS basis, dc.issued_at AS evidence_at
  FROM o
  CROSS JOIN LATERAL unnest(o.discount_codes) AS used(code)
  JOIN discount_codes dc
    ON dc.shop_id = $1 AND dc.code = upper(btrim(used.code)) AND dc.issued_at <= o.processed_at
   AND dc.message_id IS NOT NULL AND dc.status <> 'failed'
  WHERE cardinality(o.discount_codes) > 0
  ORDER BY o.id, dc.issued_at DESC, dc.message_id::text DESC
),
by_touch AS (
  SELECT DISTINCT ON (o.id) o.id AS order_id, e.message_id,
         CASE e.name WHEN '${CLICK_EVENT}' THEN 'click' ELSE 'open' END AS basis, e.occurred_at AS evidence_at
  FROM o
  JOIN events e
    ON e.shop_id = $1 AND e.customer_id = o.customer_id
   AND e.name IN ('${CLICK_EVENT}', '${OPEN_EVENT}') AND e.message_id IS NOT NULL
   AND e.occurred_at <= o.processed_at
   -- the wider window bounds the index range; the kind's own window decides
   AND e.occurred_at >= o.processed_at - greatest($2::bigint, $3::bigint) * interval '1 millisecond'
   AND e.occurred_at >= o.processed_at
       - (CASE e.name WHEN '${CLICK_EVENT}' THEN $2::bigint ELSE $3::bigint END) * interval '1 millisecond'
  WHERE NOT EXISTS (SELECT 1 FROM by_code c WHERE c.order_id = o.id)
  ORDER BY o.id, e.occurred_at DESC, (e.name = '${CLICK_EVENT}') DESC, e.message_id::text DESC
),
won AS (
  SELECT * FROM by_code UNION ALL SELECT * FROM by_touch
),
credits AS (
  SELECT w.order_id, w.message_id, w.basis, w.evidence_at,
         CASE WHEN r.reversed THEN 0 ELSE greatest(o.total - o.refunded, 0) END AS credited_minor,
         CASE WHEN r.reversed THEN 'reversed' ELSE 'active' END AS status
  FROM won w
  JOIN o ON o.id = w.order_id
  CROSS JOIN LATERAL (
    SELECT o.cancelled_at IS NOT NULL OR (o.refunded > 0 AND o.total - o.refunded <= 0) AS reversed
  ) r
)`;
  return { ctes, values, orderFilter };
}

/** Rows: order_id, message_id (text), basis, evidence_at, credited_minor, status; by order id. */
export function creditOrdersSql(p: CreditScope): SqlQuery {
  const { ctes, values } = creditCtes(p);
  return {
    text: `WITH ${ctes}
SELECT order_id, message_id::text AS message_id, basis, evidence_at, credited_minor, status
FROM credits
ORDER BY order_id::text`,
    values,
  };
}

/**
 * Credits the orders in scope and makes `attributions` agree, in one statement: upserts every
 * credit (a row is only rewritten when something changed), and deletes the rows of orders in
 * scope that no longer earn one. For the whole shop, rows whose order is gone go too.
 * Returns one row: credited, changed, removed.
 */
export function persistCreditsSql(p: CreditScope): SqlQuery {
  const { ctes, values, orderFilter } = creditCtes(p);
  const whole = !p.from && !p.to && !p.orderIds;
  const inScope = whole ? "" : `AND a.order_id IN (SELECT id FROM orders WHERE ${orderFilter})`;
  return {
    text: `WITH ${ctes},
removed AS (
  DELETE FROM attributions a
  WHERE a.shop_id = $1 ${inScope}
    AND NOT EXISTS (SELECT 1 FROM credits c WHERE c.order_id = a.order_id)
  RETURNING 1
),
changed AS (
  INSERT INTO attributions (shop_id, order_id, message_id, basis, evidence_at, credited_minor, status, updated_at)
  SELECT $1, order_id, message_id, basis, evidence_at, credited_minor, status, now() FROM credits
  ON CONFLICT (shop_id, order_id) DO UPDATE SET
    message_id = excluded.message_id, basis = excluded.basis, evidence_at = excluded.evidence_at,
    credited_minor = excluded.credited_minor, status = excluded.status, updated_at = excluded.updated_at
  WHERE (attributions.message_id, attributions.basis, attributions.evidence_at, attributions.credited_minor, attributions.status)
    IS DISTINCT FROM (excluded.message_id, excluded.basis, excluded.evidence_at, excluded.credited_minor, excluded.status)
  RETURNING 1
)
SELECT (SELECT count(*) FROM credits)::int AS credited,
       (SELECT count(*) FROM changed)::int AS changed,
       (SELECT count(*) FROM removed)::int AS removed`,
    values,
  };
}

/**
 * A customer's lifecycle stage when they entered an enrollment, as SQL over `en` (an
 * enrollments row) with the shop id in $1. In order:
 *   1. enrollments.state->>'stageAtEntry', when the journey engine recorded it;
 *   2. else the `to` of the customer's last stage_changed event at or before entry
 *      (jobs/scoring writes one per change);
 *   3. else the current customer_scores.stage, when it has held since before entry.
 * Null when none is known (such entries are never counted as recovered).
 */
export const STAGE_AT_ENTRY_SQL = `coalesce(
  en.state->>'stageAtEntry',
  (SELECT ev.properties->>'to' FROM events ev
    WHERE ev.shop_id = $1 AND ev.customer_id = en.customer_id AND ev.name = 'stage_changed' AND ev.occurred_at <= en.entered_at
    ORDER BY ev.occurred_at DESC LIMIT 1),
  (SELECT cs.stage FROM customer_scores cs
    WHERE cs.shop_id = $1 AND cs.customer_id = en.customer_id AND cs.stage_since <= en.entered_at)
)`;

export const RECOVERABLE_STAGES_SQL = `(${RECOVERABLE_STAGES.map((s) => `'${s}'`).join(", ")})`;

/**
 * Credited and recovered revenue of a shop (active credits, orders processed in [from, to)).
 * Recovered revenue is credited revenue from messages of journey enrollments whose customer
 * was at risk, dormant or lost on entry (STAGE_AT_ENTRY_SQL). Rows: credited_orders,
 * credited_minor, recovered_orders, recovered_minor.
 */
export function recoveredRevenueSql(shopId: number, from: Date, to: Date): SqlQuery {
  return {
    text: `
WITH c AS (
  SELECT a.order_id, a.credited_minor, m.enrollment_id
  FROM attributions a
  JOIN orders o ON o.shop_id = a.shop_id AND o.id = a.order_id
  JOIN messages m ON m.shop_id = a.shop_id AND m.id = a.message_id
  WHERE a.shop_id = $1 AND a.status = 'active' AND o.processed_at >= $2 AND o.processed_at < $3
),
entry AS (
  SELECT en.id, ${STAGE_AT_ENTRY_SQL} AS stage
  FROM enrollments en
  WHERE en.shop_id = $1 AND en.id IN (SELECT enrollment_id FROM c WHERE enrollment_id IS NOT NULL)
)
SELECT count(*)::int AS credited_orders,
       coalesce(sum(c.credited_minor), 0)::bigint AS credited_minor,
       (count(*) FILTER (WHERE entry.stage IN ${RECOVERABLE_STAGES_SQL}))::int AS recovered_orders,
       coalesce(sum(c.credited_minor) FILTER (WHERE entry.stage IN ${RECOVERABLE_STAGES_SQL}), 0)::bigint AS recovered_minor
FROM c LEFT JOIN entry ON entry.id = c.enrollment_id`,
    values: [shopId, from, to],
  };
}

/**
 * Treated vs holdout totals per journey and over all journeys (journey_id null), for the lift
 * report. Population: holdout assignments (value 'treatment' or 'control') made in [from, to);
 * a customer's outcome is their orders (not cancelled, net of refunds) from assignment until
 * `to`. Rows: journey_id (text, null for the overall row), grp, customers, converters,
 * revenue_minor, revenue_sq_minor (numeric, as text).
 */
export function liftTotalsSql(shopId: number, from: Date, to: Date): SqlQuery {
  return {
    text: `
WITH a AS (
  SELECT journey_id, customer_id, value AS grp, min(assigned_at) AS assigned_at
  FROM journey_assignments
  WHERE shop_id = $1 AND kind = 'holdout' AND value IN ('treatment', 'control') AND assigned_at >= $2 AND assigned_at < $3
  GROUP BY journey_id, customer_id, value
),
per AS (
  SELECT a.journey_id, a.grp, a.customer_id,
         coalesce(sum(greatest(o.total - o.refunded, 0)), 0)::numeric AS revenue,
         count(o.id) > 0 AS converted
  FROM a
  LEFT JOIN orders o
    ON o.shop_id = $1 AND o.customer_id = a.customer_id AND o.cancelled_at IS NULL
   AND o.processed_at >= a.assigned_at AND o.processed_at < $3
  GROUP BY a.journey_id, a.grp, a.customer_id
)
SELECT journey_id::text AS journey_id, grp, count(*)::int AS customers, (count(*) FILTER (WHERE converted))::int AS converters,
       sum(revenue)::text AS revenue_minor, sum(revenue * revenue)::text AS revenue_sq_minor
FROM per
GROUP BY GROUPING SETS ((journey_id, grp), (grp))
ORDER BY journey_id NULLS FIRST, grp`,
    values: [shopId, from, to],
  };
}

/**
 * A/B variant totals: per journey and split node, each variant's customers (assigned in
 * [from, to)) and converters (an order, not cancelled, from assignment until `to`).
 */
export function variantTotalsSql(shopId: number, from: Date, to: Date): SqlQuery {
  return {
    text: `
WITH a AS (
  SELECT journey_id, node_id, value AS variant, customer_id, min(assigned_at) AS assigned_at
  FROM journey_assignments
  WHERE shop_id = $1 AND kind = 'ab_split' AND assigned_at >= $2 AND assigned_at < $3
  GROUP BY journey_id, node_id, value, customer_id
)
SELECT a.journey_id::text AS journey_id, a.node_id, a.variant, count(*)::int AS customers,
       (count(*) FILTER (WHERE EXISTS (
          SELECT 1 FROM orders o WHERE o.shop_id = $1 AND o.customer_id = a.customer_id AND o.cancelled_at IS NULL
             AND o.processed_at >= a.assigned_at AND o.processed_at < $3)))::int AS converters
FROM a
GROUP BY a.journey_id, a.node_id, a.variant
ORDER BY a.journey_id, a.node_id, a.variant`,
    values: [shopId, from, to],
  };
}
