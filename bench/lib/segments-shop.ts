// The segments bench's shop, generated inside PostgreSQL: the same distributions as
// generateShop (test/core/segments/generated-shop.ts, which the equivalence tests use at a
// few thousand customers), drawn from a seeded hash of (row, draw) instead of a JS stream, so
// 200,000 customers with their orders, lines, events and scores are a few INSERT ... SELECT
// statements over generate_series rather than millions of values built and shipped from JS.
import type pg from "pg";

/**
 * A seeded uniform draw in [0, 1) for row `key`, draw number `draw`: 53 bits of a 64-bit hash.
 * Hashed twice: one pass left neighbouring keys (a customer's orders) slightly anti-correlated,
 * which thinned "3+ orders in 180 days" by a third against generateShop.
 */
const u = (key: string, draw: number) => `((hashint8extended(hashint8extended((${key})::bigint, ${draw}), ${draw}) & 9007199254740991)::float8 / 9007199254740992)`;
/** One of `xs` (SQL literals), uniformly. */
const pick = (key: string, draw: number, xs: string[]) => `(ARRAY[${xs.join(", ")}])[1 + floor(${u(key, draw)} * ${xs.length})::int]`;
/** `maxDays` days back from $2 (now) at most, to the millisecond (as generateShop's ago()). */
const ago = (key: string, draw: number, maxDays: number) => `($2::timestamptz - floor(${u(key, draw)} * ${maxDays * 86_400_000}) * interval '1 millisecond')`;

const text = (xs: (string | null)[]) => xs.map((x) => (x === null ? "NULL::text" : `'${x}'`));

/**
 * Seeds shop `shopId` (time zone `timezone`) with `customers` customers, ids shopId*10^7 + i
 * as generateShop numbers them; `seed` varies every draw.
 */
export async function seedGeneratedShop(pool: pg.Pool, opts: { shopId: number; customers: number; now: Date; timezone: string; seed: number }): Promise<void> {
  const { shopId, customers, now, timezone, seed } = opts;
  // Draw numbers: seed * 1000 + a fixed number per draw, so each draw is independent.
  const d = (n: number) => seed * 1000 + n;
  const base = `${shopId}::bigint * 10000000`;
  const args = [shopId, now.toISOString(), customers];
  await pool.query(`INSERT INTO shops (id, domain, platform, timezone, updated_at) VALUES ($1, $2, 'shopify', $3, now())`, [shopId, `shop-${shopId}.myshopify.com`, timezone]);
  await pool.query(
    `INSERT INTO products (shop_id, source, external_id, title, vendor, collections)
     SELECT $1::int, 'shopify', 'P' || i, 'product', (ARRAY['Acme', 'Beta', 'Gamma'])[1 + i % 3],
            CASE i % 4 WHEN 0 THEN '{summer,sale}'::text[] WHEN 1 THEN '{winter}' WHEN 2 THEN '{summer}' ELSE '{}' END
     FROM generate_series(0, 29) i`,
    [shopId],
  );
  const id = `(${base} + i)`;
  await pool.query(
    `INSERT INTO customers (shop_id, id, email, phone, country, tags, locale, email_consent, sms_consent, source_created_at, merged_into_id)
     SELECT $1::int, ${id},
       CASE WHEN ${u("i", d(1))} < 0.9 THEN 'c' || i || '@' || ${pick("i", d(2), text(["gmail.com", "example.com", "yahoo.fr", "shop.de"]))} END,
       CASE WHEN ${u("i", d(3))} < 0.5 THEN '+1555' || i END,
       ${pick("i", d(4), text(["US", "GB", "DE", "FR", "CA", null]))},
       array_remove(ARRAY[${["vip", "wholesale", "newsletter", "returning"].map((t, k) => `CASE WHEN ${u("i", d(10 + k))} < 0.25 THEN '${t}' END`).join(", ")}], NULL),
       ${pick("i", d(5), text(["en-US", "fr-FR", "de", null]))},
       ${pick("i", d(6), text(["subscribed", "unsubscribed", "pending", "not_subscribed", "unknown"]))}::"ConsentState",
       ${pick("i", d(7), text(["subscribed", "unsubscribed", "pending", "not_subscribed", "unknown"]))}::"ConsentState",
       ${ago("i", d(8), 900)},
       CASE WHEN ${u("i", d(9))} < 0.02 THEN ${id} - 1 END
     FROM generate_series(1, $3::int) i`,
    args,
  );
  // Orders: floor(r*r*9) per customer, numbered customer-major (ids unique within the shop).
  const k = `(i * 16 + n)`;
  await pool.query(
    `INSERT INTO orders (shop_id, id, source, external_id, customer_id, processed_at, currency, total, refunded, discount_codes, cancelled_at)
     SELECT $1::int, o.id, 'shopify', $1::int || '-' || o.id, o.cid, o.at, 'USD', o.total, o.refunded, o.codes, CASE WHEN ${u(k, d(25))} < 0.05 THEN o.at END
     FROM generate_series(1, $3::int) i
     CROSS JOIN LATERAL generate_series(1, floor(${u("i", d(20))} * ${u("i", d(21))} * 9)::int) n
     CROSS JOIN LATERAL (SELECT ${base} + ${k} AS id, ${id} AS cid, ${ago(k, d(22), 800)} AS at,
       500 + floor(${u(k, d(23))} * 20000)::bigint AS total,
       CASE WHEN ${u(k, d(24))} < 0.1 THEN 300 ELSE 0 END AS refunded,
       CASE WHEN ${u(k, d(26))} < 0.2 THEN ARRAY[${pick(k, d(27), text(["WELCOME", "SAVE10", "VIP20"]))}] ELSE '{}' END AS codes) o`,
    args,
  );
  // 1-3 lines per order, each a product of 30 (vendor by product, as the catalogue says).
  await pool.query(
    `INSERT INTO order_lines (shop_id, order_id, product_id, variant_id, vendor, title, quantity, price)
     SELECT $1::int, o.id, 'P' || l.p, 'V' || l.p || '-' || floor(${u("o.id * 4 + x", d(32))} * 3)::int, (ARRAY['Acme', 'Beta', 'Gamma'])[1 + l.p % 3], 'item', 1, 0
     FROM orders o
     CROSS JOIN LATERAL generate_series(1, 1 + floor(${u("o.id", d(30))} * 3)::int) x
     CROSS JOIN LATERAL (SELECT floor(${u("o.id * 4 + x", d(31))} * 30)::int AS p) l
     WHERE o.shop_id = $1::int`,
    [shopId],
  );
  // Events: floor(r*r*12) per customer in the last 120 days; product views carry a price
  // and a category, messages a channel.
  const e = `(i * 16 + n)`;
  await pool.query(
    `INSERT INTO events (shop_id, customer_id, name, occurred_at, properties)
     SELECT $1::int, ${id}, ev.name, ${ago(e, d(42), 120)},
       CASE WHEN ev.name = 'product_viewed'
         THEN jsonb_build_object('price', floor(${u(e, d(43))} * 100)::int, 'category', ${pick(e, d(44), text(["shoes", "hats"]))})
         ELSE jsonb_build_object('channel', ${pick(e, d(45), text(["email", "sms"]))}) END
     FROM generate_series(1, $3::int) i
     CROSS JOIN LATERAL generate_series(1, floor(${u("i", d(40))} * ${u("i", d(41))} * 12)::int) n
     CROSS JOIN LATERAL (SELECT ${pick(e, d(46), text(["message_sent", "message_sent", "message_opened", "message_clicked", "product_viewed", "product_viewed"]))} AS name) ev`,
    args,
  );
  // Scores for 80% of customers.
  await pool.query(
    `INSERT INTO customer_scores (shop_id, customer_id, recency_score, frequency_score, monetary_score, rfm_group, dormant, days_overdue, stage, p_alive, expected_next_order_at, clv, cluster_id)
     SELECT $1::int, ${id}, 1 + floor(${u("i", d(51))} * 5)::int, 1 + floor(${u("i", d(52))} * 5)::int, 1 + floor(${u("i", d(53))} * 5)::int,
       ${pick("i", d(54), text(["champions", "at_risk", "cant_lose", "almost_lost", "loyal", null]))},
       ${u("i", d(55))} < 0.3,
       CASE WHEN ${u("i", d(56))} < 0.8 THEN floor(${u("i", d(57))} * 200) - 100 END,
       ${pick("i", d(58), text(["new", "active", "at_risk", "dormant", "lost", "won_back"]))},
       ${u("i", d(59))},
       CASE WHEN ${u("i", d(60))} < 0.7 THEN $2::timestamptz + (${u("i", d(61))} - 0.5) * 60 * interval '1 day' END,
       floor(${u("i", d(62))} * 50000)::bigint,
       floor(${u("i", d(63))} * 4)::int
     FROM generate_series(1, $3::int) i
     WHERE ${u("i", d(50))} < 0.8`,
    args,
  );
}
