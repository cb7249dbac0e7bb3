// The Customers pages: a filtered, sorted, paged list and one customer with every score,
// their orders and the score history. Always scoped by the admin's shop; parameterised SQL
// only (sort keys and directions come from a fixed whitelist, never from the URL verbatim).
import type pg from "pg";
import { z } from "zod";
import { RFM_GROUPS } from "../../core/scoring/rfm";
import { defaultScoringSettings, lifecycleStageSchema } from "../../core/scoring/schema";

export const CUSTOMER_PAGE_SIZE = 50;

const SORTS = {
  name: "lower(coalesce(c.last_name, '') || ' ' || coalesce(c.first_name, '') || ' ' || coalesce(c.email, ''))",
  orders: "cs.order_count",
  spent: "cs.total_spent",
  last_order: "cs.last_order_at",
  p_alive: "cs.p_alive",
  clv: "cs.clv",
  overdue: "cs.days_overdue",
} as const;
export type CustomerSort = keyof typeof SORTS;

const optionalNumber = z.preprocess((v) => (v === "" || v === null ? undefined : v), z.coerce.number().finite().optional());

const optionalScore = (min: number, max: number) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), z.coerce.number().int().min(min).max(max).optional()).catch(undefined);

export const customerListQuerySchema = z.object({
  page: z.preprocess((v) => (v === "" || v === null ? undefined : v), z.coerce.number().int().min(1).default(1)),
  sort: z.enum(Object.keys(SORTS) as [CustomerSort, ...CustomerSort[]]).catch("clv").default("clv"),
  dir: z.enum(["asc", "desc"]).catch("desc").default("desc"),
  stage: z.preprocess((v) => (v === "" || v === null ? undefined : v), lifecycleStageSchema.optional()).catch(undefined),
  rfm: z.preprocess((v) => (v === "" || v === null ? undefined : v), z.enum(RFM_GROUPS).optional()).catch(undefined),
  dormant: z.preprocess((v) => (v === "" || v === null ? undefined : v), z.enum(["yes", "no"]).optional()).catch(undefined),
  /** Percent, 0-100. */
  minPAlive: optionalNumber.catch(undefined),
  maxPAlive: optionalNumber.catch(undefined),
  /** Major currency units (dollars), as the merchant types them. */
  minClv: optionalNumber.catch(undefined),
  maxClv: optionalNumber.catch(undefined),
  q: z.preprocess((v) => (v === null ? undefined : v), z.string().trim().max(200).optional()).catch(undefined),
  /** Behavioural cluster id (0-based, as stored). */
  cluster: optionalScore(0, 100),
  /** An RFM grid cell: recency score and the rounded average of frequency and monetary. */
  r: optionalScore(1, 5),
  fm: optionalScore(1, 5),
});
export type CustomerListQuery = z.infer<typeof customerListQuerySchema>;

export function parseCustomerListQuery(params: URLSearchParams): CustomerListQuery {
  const raw: Record<string, string | null> = {};
  for (const k of Object.keys(customerListQuerySchema.shape)) raw[k] = params.get(k);
  return customerListQuerySchema.parse(raw);
}

export interface CustomerListRow {
  id: string;
  name: string;
  email: string | null;
  orders: number;
  spent: string;
  lastOrderAt: string | null;
  stage: string | null;
  rfmGroup: string | null;
  pAlive: number | null;
  clv: string | null;
  /** Days past one expected gap since the last order (negative: not yet due). */
  daysOverdue: number | null;
}

export interface CustomerList {
  rows: CustomerListRow[];
  /** The shop's behavioural clusters, for the filter. */
  clusters: ShopCluster[];
  /** How far the shop's predictions can be trusted, and why: shown beside the numbers. */
  model: { confidence: string; reason: string } | null;
  page: number;
  hasNext: boolean;
  currency: string;
  timezone: string;
}

export interface ShopCluster {
  id: number;
  /** Plain words from the cluster's centre, e.g. "big baskets, buys mostly on discount". */
  description: string;
}

const storedClustersSchema = z.object({ descriptions: z.array(z.string()) });

/** The behavioural clusters of the shop's latest fit (cluster_id indexes them); [] before one. */
export async function shopClusters(db: pg.Pool, shopId: number): Promise<ShopCluster[]> {
  const r = await db.query<{ clusters: unknown }>(`select clusters from shop_model_fits where shop_id = $1`, [shopId]);
  const parsed = storedClustersSchema.safeParse(r.rows[0]?.clusters);
  return parsed.success ? parsed.data.descriptions.map((description, id) => ({ id, description })) : [];
}

export async function listCustomers(db: pg.Pool, shopId: number, query: CustomerListQuery, pageSize = CUSTOMER_PAGE_SIZE): Promise<CustomerList> {
  const shop = await db.query<{ currency: string; timezone: string }>(`select currency, timezone from shops where id = $1`, [shopId]);
  const currency = shop.rows[0]?.currency ?? "USD";
  const exponent = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const values: unknown[] = [shopId];
  const where = ["c.shop_id = $1", "c.merged_into_id is null"];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (query.stage) where.push(`cs.stage = ${param(query.stage)}`);
  if (query.rfm) where.push(`cs.rfm_group = ${param(query.rfm)}`);
  if (query.cluster !== undefined) where.push(`cs.cluster_id = ${param(query.cluster)}`);
  if (query.r !== undefined) where.push(`cs.recency_score = ${param(query.r)}`);
  // The grid's column, computed as rfmGrid does (round half up of the F and M average).
  if (query.fm !== undefined) where.push(`(cs.frequency_score + cs.monetary_score + 1) / 2 = ${param(query.fm)}`);
  if (query.dormant) where.push(`cs.dormant = ${param(query.dormant === "yes")}`);
  if (query.minPAlive !== undefined) where.push(`cs.p_alive >= ${param(query.minPAlive / 100)}`);
  if (query.maxPAlive !== undefined) where.push(`cs.p_alive <= ${param(query.maxPAlive / 100)}`);
  if (query.minClv !== undefined) where.push(`cs.clv >= ${param(Math.round(query.minClv * 10 ** exponent))}`);
  if (query.maxClv !== undefined) where.push(`cs.clv <= ${param(Math.round(query.maxClv * 10 ** exponent))}`);
  if (query.q) {
    const like = param(`%${query.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
    where.push(`(c.email ilike ${like} or c.first_name ilike ${like} or c.last_name ilike ${like})`);
  }
  const dir = query.dir === "asc" ? "asc" : "desc";
  const order = `${SORTS[query.sort]} ${dir} nulls last, c.id ${dir}`;
  const limit = param(pageSize + 1);
  const offset = param((query.page - 1) * pageSize);
  const r = await db.query(
    `select c.id::text as id, c.first_name, c.last_name, c.email, coalesce(cs.order_count, 0) as orders,
            coalesce(cs.total_spent, 0)::text as spent, cs.last_order_at, cs.stage, cs.rfm_group, cs.p_alive, cs.clv::text as clv,
            cs.days_overdue
     from customers c left join customer_scores cs on cs.shop_id = c.shop_id and cs.customer_id = c.id
     where ${where.join(" and ")}
     order by ${order}
     limit ${limit} offset ${offset}`,
    values,
  );
  const [clusters, fit] = await Promise.all([
    shopClusters(db, shopId),
    db.query<{ confidence: string; reason: string }>(`select confidence, reason from shop_model_fits where shop_id = $1`, [shopId]),
  ]);
  const rows = r.rows.slice(0, pageSize).map((row) => ({
    id: row.id,
    name: [row.first_name, row.last_name].filter(Boolean).join(" ") || "(no name)",
    email: row.email,
    orders: row.orders,
    spent: row.spent,
    lastOrderAt: row.last_order_at ? row.last_order_at.toISOString() : null,
    stage: row.stage,
    rfmGroup: row.rfm_group,
    pAlive: row.p_alive,
    clv: row.clv,
    daysOverdue: row.days_overdue,
  }));
  return { rows, clusters, model: fit.rows[0] ?? null, page: query.page, hasNext: r.rows.length > pageSize, currency, timezone: shop.rows[0]?.timezone ?? "UTC" };
}

export interface CustomerDetail {
  customer: { id: string; name: string; email: string | null; phone: string | null; city: string | null; country: string | null; createdAt: string | null };
  score: Record<string, string | number | boolean | null> | null;
  orders: { id: string; name: string | null; processedAt: string; total: string; refunded: string; cancelled: boolean; discountCodes: string[] }[];
  history: { day: string; stage: string | null; rfmGroup: string | null; pAlive: number | null; clv: string | null; daysOverdue: number | null }[];
  stageChanges: { at: string; from: string | null; to: string; reason: string | null }[];
  /** The customer's behavioural cluster in plain words, when scored into one. */
  cluster: ShopCluster | null;
  /** The shop's fit; horizonDays is the span expected orders and lifetime value cover. */
  model: { confidence: string; reason: string; fittedAt: string; horizonDays: number } | null;
  currency: string;
  timezone: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** One customer of this shop, or null (another shop's id, a merged-away record, no such id). */
export async function getCustomerDetail(db: pg.Pool, shopId: number, customerId: string): Promise<CustomerDetail | null> {
  if (!/^\d{1,18}$/.test(customerId)) return null;
  const c = await db.query(
    `select c.id::text as id, c.first_name, c.last_name, c.email, c.phone, c.city, c.country, coalesce(c.source_created_at, c.created_at) as created_at,
            s.currency, s.timezone
     from customers c join shops s on s.id = c.shop_id where c.shop_id = $1 and c.id = $2 and c.merged_into_id is null`,
    [shopId, customerId],
  );
  const row = c.rows[0];
  if (!row) return null;
  const [score, orders, history, stages, model, clusters] = await Promise.all([
    db.query(
      `select recency_score, frequency_score, monetary_score, rfm_group, order_count, total_spent::text, first_order_at, last_order_at,
              expected_gap_days, days_overdue, dormant, stage, stage_since, p_alive, expected_purchases, expected_next_order_at,
              clv::text, expected_spend::text, cluster_id, confidence, reason, scored_at
       from customer_scores where shop_id = $1 and customer_id = $2`,
      [shopId, customerId],
    ),
    db.query(
      `select o.id::text, o.name, o.processed_at, o.total::text, o.refunded::text, o.cancelled_at is not null as cancelled, o.discount_codes
       from orders o where o.shop_id = $1
         and o.customer_id in (select $2::bigint union select id from customers where shop_id = $1 and merged_into_id = $2)
       order by o.processed_at desc limit 200`,
      [shopId, customerId],
    ),
    db.query(
      `select day::text, stage, rfm_group, p_alive, clv::text, days_overdue from customer_score_history
       where shop_id = $1 and customer_id = $2 order by day desc limit 90`,
      [shopId, customerId],
    ),
    db.query(
      `select occurred_at, properties from events where shop_id = $1 and customer_id = $2 and name = 'stage_changed' order by occurred_at desc limit 50`,
      [shopId, customerId],
    ),
    db.query(`select confidence, reason, fitted_at, (settings ->> 'horizonDays')::float8 as horizon_days from shop_model_fits where shop_id = $1`, [shopId]),
    shopClusters(db, shopId),
  ]);
  const s = score.rows[0];
  return {
    customer: {
      id: row.id,
      name: [row.first_name, row.last_name].filter(Boolean).join(" ") || "(no name)",
      email: row.email,
      phone: row.phone,
      city: row.city,
      country: row.country,
      createdAt: iso(row.created_at),
    },
    score: s
      ? Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : (v as string | number | boolean | null)]))
      : null,
    orders: orders.rows.map((o) => ({
      id: o.id, name: o.name, processedAt: o.processed_at.toISOString(), total: o.total, refunded: o.refunded, cancelled: o.cancelled, discountCodes: o.discount_codes,
    })),
    history: history.rows.map((h) => ({ day: h.day, stage: h.stage, rfmGroup: h.rfm_group, pAlive: h.p_alive, clv: h.clv, daysOverdue: h.days_overdue })),
    stageChanges: stages.rows.map((e) => ({ at: e.occurred_at.toISOString(), from: e.properties?.from ?? null, to: e.properties?.to, reason: e.properties?.reason ?? null })),
    cluster: s?.cluster_id === null || s?.cluster_id === undefined ? null : (clusters[Number(s.cluster_id)] ?? null),
    model: model.rows[0]
      ? {
          confidence: model.rows[0].confidence,
          reason: model.rows[0].reason,
          fittedAt: model.rows[0].fitted_at.toISOString(),
          horizonDays: model.rows[0].horizon_days ?? defaultScoringSettings().horizonDays,
        }
      : null,
    currency: row.currency,
    timezone: row.timezone,
  };
}
