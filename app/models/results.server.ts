// Results: what Winback's journeys earned, and whether they caused it. Set-based SQL gathers
// the totals (core/attribution/sql.ts and the queries below); the statistics are the core's
// (lift.ts: treated vs holdout with 95% intervals; ab-test.ts: always-valid A/B).
//
// Definitions (the Results page states them too):
// - window: orders processed and customers assigned in [from, to), by default the shop's
//   reportWindowDays up to now;
// - credited revenue: active attributions (jobs/attribution); recovered revenue: the part from
//   customers at risk, dormant or lost when they entered the journey;
// - lift: holdout assignments of each journey, treated vs control, orders (net of refunds,
//   cancelled excluded) from assignment until the end of the window;
// - ROI = (incremental margin − discount cost − message cost) / (discount + message cost);
//   margin rate from products.unit_cost over the journey's credited order lines where costs are
//   known, else the shop's marginRate setting; discount cost = discounts of orders credited on a
//   Winback code; message cost = sent messages × the shop's per-thousand channel cost.
import type pg from "pg";
import { abReport, type AbVerdict } from "../../core/attribution/ab-test";
import { liftReport, type GroupTotals, type Interval } from "../../core/attribution/lift";
import { attributionSettingsFrom, type AttributionSettings } from "../../core/attribution/schema";
import { liftTotalsSql, recoveredRevenueSql, STAGE_AT_ENTRY_SQL, variantTotalsSql } from "../../core/attribution/sql";
import { createRng, deriveSeed } from "../../core/random/prng";
import { pool } from "../db.server";

const DAY_MS = 86_400_000;

export interface LiftView {
  treatedCustomers: number;
  holdoutCustomers: number;
  treatedRate: number;
  holdoutRate: number;
  treatedRevenuePerCustomer: number;
  holdoutRevenuePerCustomer: number;
  absoluteLift: Interval;
  relativeLift: Interval | null;
  incrementalRevenueMinor: Interval;
  /** Significant at 95% when the interval of the conversion difference excludes 0. */
  significant: boolean;
  mde: number;
  holdoutSufficient: boolean;
  holdoutFloor: number | null;
}

export interface CostView {
  marginRate: number;
  /** "unit_cost" when products' costs priced the margin, else "setting". */
  marginSource: "unit_cost" | "setting";
  discountCostMinor: number;
  messageCostMinor: number;
  incrementalMarginMinor: number | null;
  roi: number | null;
}

export interface PerformanceRow {
  key: string;
  label: string;
  messages: number;
  customers: number;
  orders: number;
  converters: number;
  creditedMinor: number;
  discountMinor: number;
  /** Customers with a credited order / customers messaged. */
  conversionRate: number;
}

export interface JourneyResult {
  journeyId: string;
  name: string;
  creditedMinor: number;
  recoveredMinor: number;
  messages: number;
  /** Share of treated (or, without a holdout, messaged) customers who ordered. */
  winBackRate: number | null;
  lift: LiftView | null;
  /** Why there is no lift (no holdout, too few customers). */
  liftNote: string | null;
  costs: CostView;
}

export interface AbPanel {
  journeyId: string;
  journeyName: string;
  nodeId: string;
  variants: { id: string; customers: number; converters: number; rate: number; probabilityBest: number; alwaysValidP: number | null; significant: boolean | null }[];
  verdict: AbVerdict;
}

export interface ResultsReport {
  currency: string;
  from: string;
  to: string;
  settings: AttributionSettings;
  overall: {
    creditedOrders: number;
    creditedMinor: number;
    recoveredOrders: number;
    recoveredMinor: number;
    winBackRate: number | null;
    lift: LiftView | null;
    liftNote: string | null;
    costs: CostView;
  };
  journeys: JourneyResult[];
  byChannel: PerformanceRow[];
  bySegment: PerformanceRow[];
  byOffer: PerformanceRow[];
  abTests: AbPanel[];
}

const STAGE_LABELS: Record<string, string> = {
  new: "New",
  active: "Active",
  loyal: "Loyal",
  at_risk: "At risk",
  dormant: "Dormant",
  lost: "Lost",
  won_back: "Won back",
};

/** Messages sent in the window (or credited with an order in it), by journey, channel, stage at entry and offer. */
function performanceSql(shopId: number, from: Date, to: Date) {
  return {
    text: `
WITH c AS (
  SELECT a.message_id, a.credited_minor, o.customer_id,
         CASE WHEN a.basis = 'code' THEN o.discounts ELSE 0 END AS discount_minor
  FROM attributions a
  JOIN orders o ON o.shop_id = a.shop_id AND o.id = a.order_id
  WHERE a.shop_id = $1 AND a.status = 'active' AND o.processed_at >= $2 AND o.processed_at < $3
),
m AS (
  SELECT m.id, m.customer_id, m.journey_id, m.channel::text AS channel, m.enrollment_id, dc.offer_id
  FROM messages m
  LEFT JOIN discount_codes dc ON dc.shop_id = m.shop_id AND dc.code = upper(btrim(m.discount_code))
  WHERE m.shop_id = $1 AND m.status IN ('sent', 'delivered') AND m.sent_at < $3
    AND (m.sent_at >= $2 OR m.id IN (SELECT message_id FROM c))
),
entry AS (
  SELECT en.id, ${STAGE_AT_ENTRY_SQL} AS stage
  FROM enrollments en
  WHERE en.shop_id = $1 AND en.id IN (SELECT enrollment_id FROM m WHERE enrollment_id IS NOT NULL)
)
SELECT GROUPING(m.journey_id) AS g_journey, GROUPING(m.channel) AS g_channel, GROUPING(entry.stage) AS g_stage, GROUPING(m.offer_id) AS g_offer,
       m.journey_id::text AS journey_id, m.channel, entry.stage, m.offer_id::text AS offer_id,
       count(DISTINCT m.id)::int AS messages, count(DISTINCT m.customer_id)::int AS customers,
       count(c.message_id)::int AS orders, count(DISTINCT c.customer_id)::int AS converters,
       coalesce(sum(c.credited_minor), 0)::text AS credited_minor, coalesce(sum(c.discount_minor), 0)::text AS discount_minor
FROM m
LEFT JOIN c ON c.message_id = m.id
LEFT JOIN entry ON entry.id = m.enrollment_id
GROUP BY GROUPING SETS ((m.journey_id), (m.channel), (entry.stage), (m.offer_id), ())`,
    values: [shopId, from, to],
  };
}

/** Margin from product unit costs over credited order lines, per journey and overall. */
function marginSql(shopId: number, from: Date, to: Date) {
  return {
    text: `
SELECT GROUPING(m.journey_id) AS g_journey, m.journey_id::text AS journey_id,
       coalesce(sum(l.price * l.quantity - l.discount), 0)::text AS revenue_known,
       coalesce(sum(p.unit_cost * l.quantity), 0)::text AS cost_known
FROM attributions a
JOIN orders o ON o.shop_id = a.shop_id AND o.id = a.order_id
JOIN messages m ON m.shop_id = a.shop_id AND m.id = a.message_id
JOIN order_lines l ON l.shop_id = a.shop_id AND l.order_id = a.order_id
JOIN LATERAL (
  SELECT unit_cost FROM products p
  WHERE p.shop_id = $1 AND p.external_id = l.product_id AND p.unit_cost IS NOT NULL
  ORDER BY p.id LIMIT 1
) p ON true
WHERE a.shop_id = $1 AND a.status = 'active' AND o.processed_at >= $2 AND o.processed_at < $3
GROUP BY GROUPING SETS ((m.journey_id), ())`,
    values: [shopId, from, to],
  };
}

function perJourneyRecoveredSql(shopId: number, from: Date, to: Date) {
  return {
    text: `
WITH c AS (
  SELECT a.credited_minor, m.journey_id, m.enrollment_id
  FROM attributions a
  JOIN orders o ON o.shop_id = a.shop_id AND o.id = a.order_id
  JOIN messages m ON m.shop_id = a.shop_id AND m.id = a.message_id
  WHERE a.shop_id = $1 AND a.status = 'active' AND o.processed_at >= $2 AND o.processed_at < $3 AND m.enrollment_id IS NOT NULL
),
entry AS (
  SELECT en.id, ${STAGE_AT_ENTRY_SQL} AS stage FROM enrollments en
  WHERE en.shop_id = $1 AND en.id IN (SELECT enrollment_id FROM c)
)
SELECT c.journey_id::text AS journey_id, coalesce(sum(c.credited_minor), 0)::text AS recovered_minor
FROM c JOIN entry ON entry.id = c.enrollment_id
WHERE entry.stage IN ('at_risk', 'dormant', 'lost')
GROUP BY c.journey_id`,
    values: [shopId, from, to],
  };
}

function toTotals(r: { customers: number; converters: number; revenue_minor: string; revenue_sq_minor: string } | undefined): GroupTotals | null {
  if (!r) return null;
  return { customers: r.customers, converters: r.converters, revenueMinor: Number(r.revenue_minor), revenueSqMinor: Number(r.revenue_sq_minor) };
}

function liftFor(
  treated: GroupTotals | null,
  holdout: GroupTotals | null,
  costs: { marginRate: number; discountCostMinor: number; messageCostMinor: number },
): { lift: LiftView | null; note: string | null; winBackRate: number | null; incrementalMarginMinor: number | null; roi: number | null } {
  if (!treated || !holdout) {
    return { lift: null, note: "No holdout group yet: lift shows once a holdout has kept customers out (journey versions published before every journey kept a holdout have none).", winBackRate: treated ? treated.converters / treated.customers : null, incrementalMarginMinor: null, roi: null };
  }
  const r = liftReport(treated, holdout, costs);
  if (!r.ok) return { lift: null, note: `Not enough customers yet to measure lift (${r.error}).`, winBackRate: treated.converters / Math.max(1, treated.customers), incrementalMarginMinor: null, roi: null };
  const v = r.value;
  return {
    lift: {
      treatedCustomers: treated.customers,
      holdoutCustomers: holdout.customers,
      treatedRate: v.treatedRate,
      holdoutRate: v.holdoutRate,
      treatedRevenuePerCustomer: treated.revenueMinor / treated.customers,
      holdoutRevenuePerCustomer: holdout.revenueMinor / holdout.customers,
      absoluteLift: v.absoluteLift,
      relativeLift: v.relativeLift,
      incrementalRevenueMinor: v.incrementalRevenueMinor,
      significant: v.absoluteLift.lower > 0 || v.absoluteLift.upper < 0,
      mde: v.mde,
      holdoutSufficient: v.holdoutSufficient,
      holdoutFloor: v.holdoutFloor,
    },
    note: v.holdoutSufficient
      ? null
      : v.holdoutFloor === null
        ? `With ${treated.customers} treated customers no holdout can detect a 2-point lift yet; read "no lift" as "can't tell yet".`
        : `The holdout (${holdout.customers}) is smaller than the ${v.holdoutFloor} customers needed to detect a 2-point lift; read "no lift" as "can't tell yet".`,
    winBackRate: v.winBackRate,
    incrementalMarginMinor: v.incrementalMarginMinor,
    roi: v.roi,
  };
}

export async function buildResultsReport(db: pg.Pool, shopId: number, opts: { now: Date; from?: Date; to?: Date }): Promise<ResultsReport> {
  const shop = (await db.query<{ currency: string; settings: unknown }>(`select currency, settings from shops where id = $1`, [shopId])).rows[0];
  if (!shop) throw new Error(`shop ${shopId} not found`);
  const settings = attributionSettingsFrom(shop.settings);
  const to = opts.to ?? opts.now;
  const from = opts.from ?? new Date(to.getTime() - settings.reportWindowDays * DAY_MS);

  const run = async (q: { text: string; values: unknown[] }) => (await db.query(q.text, q.values)).rows;
  const [recovered, perf, margins, lifts, variants, perJourneyRecovered, journeys, offers] = await Promise.all([
    run(recoveredRevenueSql(shopId, from, to)),
    run(performanceSql(shopId, from, to)),
    run(marginSql(shopId, from, to)),
    run(liftTotalsSql(shopId, from, to)),
    run(variantTotalsSql(shopId, from, to)),
    run(perJourneyRecoveredSql(shopId, from, to)),
    run({ text: `select id::text, name from journeys where shop_id = $1`, values: [shopId] }),
    run({ text: `select id::text, name from offers where shop_id = $1`, values: [shopId] }),
  ]);
  const journeyName = new Map<string, string>(journeys.map((j) => [j.id, j.name]));
  const offerName = new Map<string, string>(offers.map((o) => [o.id, o.name]));

  // Message cost by channel: one row per (journey, channel) is not in the grouping sets, so
  // price messages from the per-channel rows for the overall figure and per journey below.
  const perThousand = settings.messageCostPerThousandMinor as Record<string, number>;
  const channelCost = await run({
    text: `select journey_id::text as journey_id, channel::text as channel, count(*)::int as n from messages
           where shop_id = $1 and status in ('sent', 'delivered') and sent_at >= $2 and sent_at < $3 group by 1, 2`,
    values: [shopId, from, to],
  });
  const messageCost = (journeyId: string | null) =>
    channelCost.filter((r) => journeyId === null || r.journey_id === journeyId).reduce((s, r) => s + (r.n * (perThousand[r.channel] ?? 0)) / 1000, 0);

  const row = (r: Record<string, unknown>, key: string, label: string): PerformanceRow => ({
    key,
    label,
    messages: r.messages as number,
    customers: r.customers as number,
    orders: r.orders as number,
    converters: r.converters as number,
    creditedMinor: Number(r.credited_minor),
    discountMinor: Number(r.discount_minor),
    conversionRate: (r.customers as number) > 0 ? (r.converters as number) / (r.customers as number) : 0,
  });
  const total = perf.find((r) => r.g_journey === 1 && r.g_channel === 1 && r.g_stage === 1 && r.g_offer === 1);
  const byJourney = perf.filter((r) => r.g_journey === 0);
  const byChannel = perf.filter((r) => r.g_channel === 0).map((r) => row(r, r.channel, r.channel === "sms" ? "SMS" : r.channel[0].toUpperCase() + r.channel.slice(1)));
  const bySegment = perf.filter((r) => r.g_stage === 0).map((r) => row(r, r.stage ?? "unknown", r.stage ? (STAGE_LABELS[r.stage] ?? r.stage) : "Stage unknown"));
  const byOffer = perf
    .filter((r) => r.g_offer === 0)
    .map((r) => row(r, r.offer_id ?? "none", r.offer_id ? (offerName.get(r.offer_id) ?? `Offer ${r.offer_id}`) : "No offer"));

  const costsFor = (journeyId: string | null, discountMinor: number) => {
    const m = margins.find((x) => (journeyId === null ? x.g_journey === 1 : x.g_journey === 0 && x.journey_id === journeyId));
    const known = m ? Number(m.revenue_known) : 0;
    const fromCost = known > 0 ? 1 - Number(m!.cost_known) / known : null;
    return {
      marginRate: fromCost ?? settings.marginRate,
      marginSource: (fromCost === null ? "setting" : "unit_cost") as CostView["marginSource"],
      discountCostMinor: discountMinor,
      messageCostMinor: Math.round(messageCost(journeyId)),
    };
  };
  const liftRows = (journeyId: string | null) => lifts.filter((r) => r.journey_id === journeyId);
  const groupOf = (rows: typeof lifts, g: string) => toTotals(rows.find((r) => r.grp === g));

  const journeyIds = new Set<string>([...byJourney.map((r) => r.journey_id).filter(Boolean), ...lifts.map((r) => r.journey_id).filter(Boolean)]);
  const journeyResults: JourneyResult[] = [...journeyIds].sort((a, b) => Number(a) - Number(b)).map((id) => {
    const p = byJourney.find((r) => r.journey_id === id);
    const costs = costsFor(id, p ? Number(p.discount_minor) : 0);
    const rows = liftRows(id);
    const l = liftFor(groupOf(rows, "treatment"), groupOf(rows, "control"), costs);
    return {
      journeyId: id,
      name: journeyName.get(id) ?? `Journey ${id}`,
      creditedMinor: p ? Number(p.credited_minor) : 0,
      recoveredMinor: Number(perJourneyRecovered.find((r) => r.journey_id === id)?.recovered_minor ?? 0),
      messages: p?.messages ?? 0,
      winBackRate: l.winBackRate ?? (p && p.customers > 0 ? p.converters / p.customers : null),
      lift: l.lift,
      liftNote: l.note,
      costs: { ...costs, incrementalMarginMinor: l.incrementalMarginMinor, roi: l.roi },
    };
  });

  const overallCosts = costsFor(null, total ? Number(total.discount_minor) : 0);
  const overallRows = liftRows(null);
  const overallLift = liftFor(groupOf(overallRows, "treatment"), groupOf(overallRows, "control"), overallCosts);

  // A/B panels: one per (journey, split node); the first variant (by key) is the control.
  const abTests: AbPanel[] = [];
  const splits = new Map<string, typeof variants>();
  for (const v of variants) {
    const k = `${v.journey_id}:${v.node_id}`;
    splits.set(k, [...(splits.get(k) ?? []), v]);
  }
  for (const [k, vs] of splits) {
    const [journeyId, nodeId] = [vs[0].journey_id as string, vs[0].node_id as string];
    // Seeded by the split so the page shows the same probabilities on every load.
    const rng = createRng(deriveSeed(shopId, k));
    const totals = vs.map((v) => ({ id: v.variant as string, customers: v.customers as number, converters: v.converters as number }));
    const report = abReport(totals, rng, { draws: 4000 });
    if (!report.ok) continue;
    abTests.push({
      journeyId,
      journeyName: journeyName.get(journeyId) ?? `Journey ${journeyId}`,
      nodeId,
      variants: report.value.variants.map((r, i) => ({
        id: r.id,
        customers: totals[i].customers,
        converters: totals[i].converters,
        rate: r.rate,
        probabilityBest: r.probabilityBest,
        alwaysValidP: r.vsControl?.alwaysValidP ?? null,
        significant: r.vsControl?.significant ?? null,
      })),
      verdict: report.value.verdict,
    });
  }

  const rec = recovered[0];
  return {
    currency: shop.currency,
    from: from.toISOString(),
    to: to.toISOString(),
    settings,
    overall: {
      creditedOrders: rec.credited_orders,
      creditedMinor: Number(rec.credited_minor),
      recoveredOrders: rec.recovered_orders,
      recoveredMinor: Number(rec.recovered_minor),
      winBackRate: overallLift.winBackRate ?? (total && total.customers > 0 ? total.converters / total.customers : null),
      lift: overallLift.lift,
      liftNote: overallLift.note,
      costs: { ...overallCosts, incrementalMarginMinor: overallLift.incrementalMarginMinor, roi: overallLift.roi },
    },
    journeys: journeyResults,
    byChannel,
    bySegment,
    byOffer,
    abTests,
  };
}

/** The Results page's report for a shop, now. */
export function resultsReport(shopId: number, now = new Date()): Promise<ResultsReport> {
  return buildResultsReport(pool(), shopId, { now });
}
