// The opportunity estimate on the home page: how many customers are dormant, what they used
// to spend in a year, and what a win-back journey could recover (core/attribution/opportunity.ts).
//
// Dormant: customer_scores.dormant when the shop has been scored; before the first scoring,
// a customer whose last order is older than twice the shop's median gap between consecutive
// orders (computed in SQL; 90 days when no customer has ordered twice).
// Historical revenue per year of a customer: net revenue of their non-cancelled orders over
// their active span (first to last order plus one median gap), the span at least a year.
import type pg from "pg";
import { liftReport } from "../../core/attribution/lift";
import { opportunityRange, ratesFromLift, type OpportunityRange } from "../../core/attribution/opportunity";
import { liftTotalsSql } from "../../core/attribution/sql";
import { pool } from "../db.server";

export const FALLBACK_MEDIAN_GAP_DAYS = 90;
const DAY_MS = 86_400_000;

export interface OpportunityEstimate {
  currency: string;
  customersWithOrders: number;
  dormantCustomers: number;
  /** "scores" when customer_scores decided dormancy, "median_gap" otherwise. */
  dormancyBasis: "scores" | "median_gap";
  medianGapDays: number;
  dormantLifetimeRevenueMinor: number;
  dormantRevenuePerYearMinor: number;
  range: OpportunityRange;
}

const OPPORTUNITY_SQL = `
WITH o AS (
  SELECT customer_id, processed_at, greatest(total - refunded, 0) AS net
  FROM orders
  WHERE shop_id = $1 AND cancelled_at IS NULL AND customer_id IS NOT NULL AND processed_at <= $2
),
gaps AS (
  SELECT extract(epoch FROM processed_at - lag(processed_at) OVER (PARTITION BY customer_id ORDER BY processed_at)) / 86400.0 AS gap_days
  FROM o
),
shop_gap AS (
  SELECT coalesce((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY gap_days) FROM gaps WHERE gap_days > 0), $3::float8) AS days
),
per AS (
  SELECT customer_id, sum(net) AS revenue, min(processed_at) AS first_at, max(processed_at) AS last_at
  FROM o GROUP BY customer_id
),
scored AS (
  SELECT EXISTS (SELECT 1 FROM customer_scores WHERE shop_id = $1) AS yes
),
flagged AS (
  SELECT per.*,
         CASE WHEN (SELECT yes FROM scored) THEN coalesce(cs.dormant, false)
              ELSE per.last_at < $2::timestamptz - 2 * (SELECT days FROM shop_gap) * interval '1 day' END AS dormant
  FROM per
  LEFT JOIN customer_scores cs ON cs.shop_id = $1 AND cs.customer_id = per.customer_id
)
SELECT count(*)::int AS customers,
       (count(*) FILTER (WHERE dormant))::int AS dormant,
       (SELECT yes FROM scored) AS scored,
       (SELECT days FROM shop_gap) AS median_gap_days,
       coalesce(sum(revenue) FILTER (WHERE dormant), 0)::text AS lifetime_minor,
       coalesce(sum(revenue * 365.0 / greatest(365.0, extract(epoch FROM last_at - first_at) / 86400.0 + (SELECT days FROM shop_gap)))
                FILTER (WHERE dormant), 0)::float8 AS per_year_minor
FROM flagged`;

export async function buildOpportunityEstimate(db: pg.Pool, shopId: number, now: Date): Promise<OpportunityEstimate> {
  const shop = (await db.query<{ currency: string }>(`select currency from shops where id = $1`, [shopId])).rows[0];
  if (!shop) throw new Error(`shop ${shopId} not found`);
  const r = (await db.query(OPPORTUNITY_SQL, [shopId, now, FALLBACK_MEDIAN_GAP_DAYS])).rows[0];

  // The shop's own measured lift over the last year replaces the rule of thumb once usable.
  const q = liftTotalsSql(shopId, new Date(now.getTime() - 365 * DAY_MS), now);
  const overall = (await db.query(q.text, q.values)).rows.filter((x) => x.journey_id === null);
  const totals = (g: string) => {
    const x = overall.find((y) => y.grp === g);
    return x && { customers: x.customers, converters: x.converters, revenueMinor: Number(x.revenue_minor), revenueSqMinor: Number(x.revenue_sq_minor) };
  };
  const t = totals("treatment");
  const h = totals("control");
  const lift = t && h ? liftReport(t, h, { marginRate: 1, discountCostMinor: 0, messageCostMinor: 0 }) : null;
  const rates = ratesFromLift(lift?.ok ? lift.value.absoluteLift : null, lift?.ok ? lift.value.holdoutSufficient : false);

  const perYear = Math.round(Number(r.per_year_minor));
  return {
    currency: shop.currency,
    customersWithOrders: r.customers,
    dormantCustomers: r.dormant,
    dormancyBasis: r.scored ? "scores" : "median_gap",
    medianGapDays: Number(r.median_gap_days),
    dormantLifetimeRevenueMinor: Number(r.lifetime_minor),
    dormantRevenuePerYearMinor: perYear,
    range: opportunityRange({ dormantCustomers: r.dormant, dormantRevenuePerYearMinor: perYear }, rates),
  };
}

export function opportunityEstimate(shopId: number, now = new Date()): Promise<OpportunityEstimate> {
  return buildOpportunityEstimate(pool(), shopId, now);
}
