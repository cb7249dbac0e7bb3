// Attribution bench: one shop with N orders and about N/2 messages (opens, clicks, codes),
// generated inside PostgreSQL with generate_series; then full attribution from scratch and the
// lift report (holdout totals + core/attribution/lift.ts). total_s is attribution + lift.
//   npm run bench -- attribution --size 200000
import pg from "pg";
import { liftReport } from "../core/attribution/lift";
import { liftTotalsSql } from "../core/attribution/sql";
import { attributeShop } from "../jobs/attribution/attribute";
import { benchDatabase } from "./lib/services";

const T0 = "2025-11-01T00:00:00Z";

export async function generateAttributionShop(pool: pg.Pool, orders: number): Promise<{ shopId: number; messages: number }> {
  const customers = Math.max(10, Math.floor(orders / 4));
  const messages = Math.floor(orders / 2);
  const shopId: number = (await pool.query(`insert into shops (domain, platform, updated_at) values ('bench-attribution.myshopify.com', 'shopify', now()) returning id`)).rows[0].id;
  const c = await pool.connect();
  try {
    await c.query(`select setseed(0.42)`);
    await c.query(`insert into customers (shop_id, id) select $1, g from generate_series(1, $2::int) g`, [shopId, customers]);
    await c.query(
      `insert into messages (shop_id, id, idempotency_key, customer_id, journey_id, channel, purpose, status, sent_at)
       select $1, g, 'k' || g, 1 + floor(random() * $3)::bigint, 1, (case when random() < 0.8 then 'email' else 'sms' end)::"MessageChannel",
              'promotional', 'sent', $4::timestamptz + random() * interval '365 days'
       from generate_series(1, $2::int) g`,
      [shopId, messages, customers, T0],
    );
    // Opens for 40% of messages within two days, clicks for 15% within three.
    await c.query(
      `insert into events (shop_id, customer_id, name, occurred_at, message_id)
       select $1, m.customer_id, 'message_opened', m.sent_at + random() * interval '2 days', m.id from messages m where m.shop_id = $1 and random() < 0.4
       union all
       select $1, m.customer_id, 'message_clicked', m.sent_at + random() * interval '3 days', m.id from messages m where m.shop_id = $1 and random() < 0.15`,
      [shopId],
    );
    await c.query(
      `insert into discount_codes (shop_id, code, idempotency_key, message_id, customer_id, offer_id, status, issued_at, expires_at)
       select $1, 'WB' || m.id, 'c' || m.id, m.id, m.customer_id, 1, 'created', m.sent_at, m.sent_at + interval '14 days'
       from messages m where m.shop_id = $1 and random() < 0.2`,
      [shopId],
    );
    await c.query(
      `insert into orders (shop_id, id, source, external_id, customer_id, processed_at, currency, total, refunded, cancelled_at)
       select $1, g, 'shopify', g::text, 1 + floor(random() * $3)::bigint, t, 'USD', 1000 + floor(random() * 9000)::bigint,
              case when random() < 0.05 then 500 else 0 end, case when random() < 0.02 then t + interval '1 day' end
       from generate_series(1, $2::int) g, lateral (select $4::timestamptz + random() * interval '365 days' as t) p`,
      [shopId, orders, customers, T0],
    );
    // A third of the orders placed within 14 days after a code reached their customer use it.
    await c.query(
      `update orders o set discount_codes = array[lower(dc.code)]
       from discount_codes dc
       where o.shop_id = $1 and dc.shop_id = $1 and dc.customer_id = o.customer_id
         and o.processed_at between dc.issued_at and dc.expires_at and random() < 0.33`,
      [shopId],
    );
    // Every customer in journey 1's holdout split: 10% control.
    await c.query(
      `insert into journey_assignments (shop_id, journey_id, node_id, customer_id, kind, value, enrollment_id, assigned_at)
       select $1, 1, 'holdout', id, 'holdout', case when random() < 0.1 then 'control' else 'treatment' end, id, $2::timestamptz
       from customers where shop_id = $1`,
      [shopId, T0],
    );
    await c.query(`analyze`);
  } finally {
    c.release();
  }
  return { shopId, messages };
}

export async function run(opts: { size?: number }): Promise<Record<string, unknown>> {
  const size = opts.size ?? 200_000;
  const db = await benchDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    const genStart = performance.now();
    const { shopId, messages } = await generateAttributionShop(pool, size);
    const generate_s = (performance.now() - genStart) / 1000;

    const start = performance.now();
    const attributed = await attributeShop(pool, shopId);
    const attribution_s = (performance.now() - start) / 1000;
    const liftStart = performance.now();
    const q = liftTotalsSql(shopId, new Date(T0), new Date("2026-11-01T00:00:00Z"));
    const rows = (await pool.query(q.text, q.values)).rows.filter((r) => r.journey_id === null);
    const group = (g: string) => {
      const r = rows.find((x) => x.grp === g)!;
      return { customers: r.customers, converters: r.converters, revenueMinor: Number(r.revenue_minor), revenueSqMinor: Number(r.revenue_sq_minor) };
    };
    const lift = liftReport(group("treatment"), group("control"), { marginRate: 0.5, discountCostMinor: 0, messageCostMinor: 0 });
    const lift_s = (performance.now() - liftStart) / 1000;
    const total_s = attribution_s + lift_s;
    return {
      orders: size,
      messages,
      credited: attributed?.credited ?? 0,
      generate_s: round(generate_s),
      attribution_s: round(attribution_s),
      lift_s: round(lift_s),
      total_s: round(total_s),
      orders_per_s: Math.round(size / total_s),
      projected_1m_s: round((1_000_000 / size) * total_s),
      lift_ok: lift.ok,
    };
  } finally {
    await pool.end();
    await db.stop();
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
