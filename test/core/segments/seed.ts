// Row inserts for segment tests and the bench (set-based: unnest() arrays, a few statements).
import type pg from "pg";

export interface SeedCustomer {
  id: number;
  email?: string | null;
  phone?: string | null;
  country?: string | null;
  province?: string | null;
  tags?: string[];
  locale?: string | null;
  timezone?: string | null;
  emailConsent?: string;
  smsConsent?: string;
  createdAt?: Date | null;
  mergedIntoId?: number | null;
}
export interface SeedOrder {
  id: number;
  customerId: number;
  at: Date;
  total: number;
  refunded?: number;
  codes?: string[];
  cancelledAt?: Date | null;
  lines?: { productId: string; variantId?: string; vendor?: string; quantity?: number; price?: number }[];
}
export interface SeedEvent {
  customerId: number;
  name: string;
  at: Date;
  properties?: Record<string, unknown>;
}
export interface SeedScore {
  customerId: number;
  recency?: number;
  frequency?: number;
  monetary?: number;
  rfmGroup?: string;
  dormant?: boolean;
  daysOverdue?: number | null;
  stage?: string | null;
  pAlive?: number | null;
  expectedNextOrderAt?: Date | null;
  clv?: number | null;
  clusterId?: number | null;
}
export interface SeedShop {
  id: number;
  timezone: string;
  customers: SeedCustomer[];
  orders?: SeedOrder[];
  events?: SeedEvent[];
  scores?: SeedScore[];
  products?: { externalId: string; vendor?: string; collections: string[] }[];
}

/** Inserts in batches of unnest() arrays: a few statements however many rows. */
export async function seedShop(pool: pg.Pool, shop: SeedShop, opts: { shopExists?: boolean } = {}): Promise<void> {
  if (!opts.shopExists) await pool.query(`INSERT INTO shops (id, domain, platform, timezone, updated_at) VALUES ($1, $2, 'shopify', $3, now())`, [
    shop.id,
    `shop-${shop.id}.myshopify.com`,
    shop.timezone,
  ]);
  const cs = shop.customers;
  await pool.query(
    `INSERT INTO customers (shop_id, id, email, phone, country, province, tags, locale, timezone, email_consent, sms_consent, source_created_at, merged_into_id)
     SELECT $1, u.id, u.email, u.phone, u.country, u.province, coalesce(u.tags::text[], '{}'), u.locale, u.tz, u.ec::"ConsentState", u.sc::"ConsentState", u.created, u.merged
     FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::bigint[])
       AS u(id, email, phone, country, province, tags, locale, tz, ec, sc, created, merged)`,
    [
      shop.id,
      cs.map((c) => c.id),
      cs.map((c) => c.email ?? null),
      cs.map((c) => c.phone ?? null),
      cs.map((c) => c.country ?? null),
      cs.map((c) => c.province ?? null),
      // tags travel as a text array literal per row, so rows may have different lengths
      cs.map((c) => `{${(c.tags ?? []).map((t) => JSON.stringify(t)).join(",")}}`),
      cs.map((c) => c.locale ?? null),
      cs.map((c) => c.timezone ?? null),
      cs.map((c) => c.emailConsent ?? "unknown"),
      cs.map((c) => c.smsConsent ?? "unknown"),
      cs.map((c) => c.createdAt?.toISOString() ?? null),
      cs.map((c) => c.mergedIntoId ?? null),
    ],
  );
  const os = shop.orders ?? [];
  if (os.length) {
    await pool.query(
      `INSERT INTO orders (shop_id, id, source, external_id, customer_id, processed_at, currency, total, refunded, discount_codes, cancelled_at)
       SELECT $1::int, u.id, 'shopify', $1::int || '-' || u.id, u.cid, u.at, 'USD', u.total, u.refunded, u.codes::text[], u.cancelled
       FROM unnest($2::bigint[], $3::bigint[], $4::timestamptz[], $5::bigint[], $6::bigint[], $7::text[], $8::timestamptz[])
         AS u(id, cid, at, total, refunded, codes, cancelled)`,
      [
        shop.id,
        os.map((o) => o.id),
        os.map((o) => o.customerId),
        os.map((o) => o.at.toISOString()),
        os.map((o) => o.total),
        os.map((o) => o.refunded ?? 0),
        os.map((o) => `{${(o.codes ?? []).map((t) => JSON.stringify(t)).join(",")}}`),
        os.map((o) => o.cancelledAt?.toISOString() ?? null),
      ],
    );
    const lines = os.flatMap((o) => (o.lines ?? []).map((l) => ({ ...l, orderId: o.id })));
    if (lines.length) {
      await pool.query(
        `INSERT INTO order_lines (shop_id, order_id, product_id, variant_id, vendor, title, quantity, price)
         SELECT $1, u.oid, u.pid, u.vid, u.vendor, 'item', u.q, u.price
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[]) AS u(oid, pid, vid, vendor, q, price)`,
        [
          shop.id,
          lines.map((l) => l.orderId),
          lines.map((l) => l.productId),
          lines.map((l) => l.variantId ?? null),
          lines.map((l) => l.vendor ?? null),
          lines.map((l) => l.quantity ?? 1),
          lines.map((l) => l.price ?? 0),
        ],
      );
    }
  }
  const ps = shop.products ?? [];
  if (ps.length) {
    await pool.query(
      `INSERT INTO products (shop_id, source, external_id, title, vendor, collections)
       SELECT $1, 'shopify', u.eid, 'product', u.vendor, u.cols::text[] FROM unnest($2::text[], $3::text[], $4::text[]) AS u(eid, vendor, cols)`,
      [shop.id, ps.map((p) => p.externalId), ps.map((p) => p.vendor ?? null), ps.map((p) => `{${p.collections.map((t) => JSON.stringify(t)).join(",")}}`)],
    );
  }
  const es = shop.events ?? [];
  if (es.length) {
    await pool.query(
      `INSERT INTO events (shop_id, customer_id, name, occurred_at, properties)
       SELECT $1, u.cid, u.name, u.at, u.props FROM unnest($2::bigint[], $3::text[], $4::timestamptz[], $5::jsonb[]) AS u(cid, name, at, props)`,
      [shop.id, es.map((e) => e.customerId), es.map((e) => e.name), es.map((e) => e.at.toISOString()), es.map((e) => JSON.stringify(e.properties ?? {}))],
    );
  }
  const ss = shop.scores ?? [];
  if (ss.length) {
    await pool.query(
      `INSERT INTO customer_scores (shop_id, customer_id, recency_score, frequency_score, monetary_score, rfm_group, dormant, days_overdue, stage, p_alive, expected_next_order_at, clv, cluster_id)
       SELECT $1, u.* FROM unnest($2::bigint[], $3::smallint[], $4::smallint[], $5::smallint[], $6::text[], $7::boolean[], $8::float8[], $9::text[], $10::float8[], $11::timestamptz[], $12::bigint[], $13::int[])
         AS u(cid, r, f, m, g, d, o, st, pa, en, clv, cl)`,
      [
        shop.id,
        ss.map((s) => s.customerId),
        ss.map((s) => s.recency ?? null),
        ss.map((s) => s.frequency ?? null),
        ss.map((s) => s.monetary ?? null),
        ss.map((s) => s.rfmGroup ?? null),
        ss.map((s) => s.dormant ?? false),
        ss.map((s) => s.daysOverdue ?? null),
        ss.map((s) => s.stage ?? null),
        ss.map((s) => s.pAlive ?? null),
        ss.map((s) => s.expectedNextOrderAt?.toISOString() ?? null),
        ss.map((s) => s.clv ?? null),
        ss.map((s) => s.clusterId ?? null),
      ],
    );
  }
}
