// A seeded-random shop (customers, orders with lines, events, scores) and realistic
// segments each paired with a hand-written reference SQL, for the equivalence test and the
// bench. Reference queries take ($1 shop, $2 now, $3 zone) and use GROUP BY / JOIN forms
// and date_trunc arithmetic, independent of the compiler's EXISTS / day-offset forms.
import type { SegmentNode } from "../../../core/segments/schema";
import type { SeedShop } from "./seed";

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DOMAINS = ["gmail.com", "example.com", "yahoo.fr", "shop.de"];
const COUNTRIES = ["US", "GB", "DE", "FR", "CA", null];
const TAGS = ["vip", "wholesale", "newsletter", "returning"];
const CONSENTS = ["subscribed", "unsubscribed", "pending", "not_subscribed", "unknown"];
const GROUPS = ["champions", "at_risk", "cant_lose", "almost_lost", "loyal", null];
const STAGES = ["new", "active", "at_risk", "dormant", "lost", "won_back"];
const VENDORS = ["Acme", "Beta", "Gamma"];
const CODES = ["WELCOME", "SAVE10", "VIP20"];

export function generateShop(opts: { shopId: number; customers: number; now: Date; timezone: string; seed: number }): SeedShop {
  const r = rng(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const DAY = 86_400_000;
  const ago = (maxDays: number) => new Date(opts.now.getTime() - Math.floor(r() * maxDays * DAY));
  const shop: Required<SeedShop> = {
    id: opts.shopId,
    timezone: opts.timezone,
    customers: [],
    orders: [],
    events: [],
    scores: [],
    products: Array.from({ length: 30 }, (_, i) => ({ externalId: `P${i}`, vendor: VENDORS[i % 3], collections: i % 4 === 0 ? ["summer", "sale"] : i % 4 === 1 ? ["winter"] : i % 4 === 2 ? ["summer"] : [] })),
  };
  let orderId = opts.shopId * 10_000_000;
  for (let i = 1; i <= opts.customers; i++) {
    const id = opts.shopId * 10_000_000 + i;
    shop.customers.push({
      id,
      email: r() < 0.9 ? `c${i}@${pick(DOMAINS)}` : null,
      phone: r() < 0.5 ? `+1555${i}` : null,
      country: pick(COUNTRIES),
      tags: TAGS.filter(() => r() < 0.25),
      locale: pick(["en-US", "fr-FR", "de", null]),
      emailConsent: pick(CONSENTS),
      smsConsent: pick(CONSENTS),
      createdAt: ago(900),
      mergedIntoId: r() < 0.02 ? id - 1 : null,
    });
    const n = Math.floor(r() * r() * 9);
    for (let k = 0; k < n; k++) {
      const at = ago(800);
      shop.orders.push({
        id: ++orderId,
        customerId: id,
        at,
        total: 500 + Math.floor(r() * 20_000),
        refunded: r() < 0.1 ? 300 : 0,
        codes: r() < 0.2 ? [pick(CODES)] : [],
        cancelledAt: r() < 0.05 ? at : null,
        lines: Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
          const p = Math.floor(r() * 30);
          return { productId: `P${p}`, variantId: `V${p}-${Math.floor(r() * 3)}`, vendor: VENDORS[p % 3] };
        }),
      });
    }
    const e = Math.floor(r() * r() * 12);
    for (let k = 0; k < e; k++) {
      const name = pick(["message_sent", "message_sent", "message_opened", "message_clicked", "product_viewed", "product_viewed"]);
      shop.events.push({
        customerId: id,
        name,
        at: ago(120),
        properties: name === "product_viewed" ? { price: Math.floor(r() * 100), category: pick(["shoes", "hats"]) } : { channel: pick(["email", "sms"]) },
      });
    }
    if (r() < 0.8) {
      shop.scores.push({
        customerId: id,
        recency: 1 + Math.floor(r() * 5),
        frequency: 1 + Math.floor(r() * 5),
        monetary: 1 + Math.floor(r() * 5),
        rfmGroup: pick(GROUPS) ?? undefined,
        dormant: r() < 0.3,
        daysOverdue: r() < 0.8 ? Math.floor(r() * 200) - 100 : null,
        stage: pick(STAGES),
        pAlive: r(),
        expectedNextOrderAt: r() < 0.7 ? new Date(opts.now.getTime() + (r() - 0.5) * 60 * DAY) : null,
        clv: Math.floor(r() * 50_000),
        clusterId: Math.floor(r() * 4),
      });
    }
  }
  return shop;
}

/** Declares all three parameters' types even when a reference query does not use them all. */
export const withParams = (sql: string) => `WITH params AS (SELECT $1::int AS shop, $2::timestamptz AS now, $3::text AS tz) ${sql}`;

// Shared pieces of reference SQL: live customers, valid orders, shop-local day starts.
const LIVE = `SELECT id FROM customers WHERE shop_id = $1 AND merged_into_id IS NULL`;
const ORD = `(SELECT * FROM orders WHERE shop_id = $1 AND cancelled_at IS NULL AND customer_id IS NOT NULL)`;
/** Start of the shop-local day `n` days before today. */
const dayStart = (n: number) => `((date_trunc('day', $2::timestamptz AT TIME ZONE $3::text) - interval '${n} days') AT TIME ZONE $3::text)`;

export const REFERENCE_SEGMENTS: { name: string; tree: SegmentNode; sql: string }[] = [
  {
    name: "lapsed 90",
    tree: { kind: "orders", metric: "last_order_at", window: { kind: "all_time" }, cmp: { op: "in_window", window: { kind: "older_than_days", days: 90 } } },
    sql: `SELECT customer_id AS id FROM ${ORD} o WHERE customer_id IN (${LIVE}) GROUP BY customer_id HAVING max(processed_at) < ${dayStart(89)}`,
  },
  {
    name: "vip who spent 10000+",
    tree: { kind: "and", children: [{ kind: "customer", field: "tags", cmp: { op: "has_any", values: ["vip"] } }, { kind: "orders", metric: "total_spent", window: { kind: "all_time" }, cmp: { op: "gte", value: 10_000 } }] },
    sql: `SELECT c.id FROM customers c JOIN ${ORD} o ON o.customer_id = c.id WHERE c.shop_id = $1 AND c.merged_into_id IS NULL AND 'vip' = ANY(c.tags) GROUP BY c.id HAVING sum(o.total - o.refunded) >= 10000`,
  },
  {
    name: "gmail or DE/FR",
    tree: { kind: "or", children: [{ kind: "customer", field: "email_domain", cmp: { op: "eq", value: "gmail.com" } }, { kind: "customer", field: "country", cmp: { op: "in", values: ["DE", "FR"] } }] },
    sql: `${LIVE} AND (email LIKE '%@gmail.com' OR country IN ('DE', 'FR'))`,
  },
  {
    name: "3+ orders in 180 days, not dormant",
    tree: { kind: "and", children: [{ kind: "orders", metric: "count", window: { kind: "last_days", days: 180 }, cmp: { op: "gte", value: 3 } }, { kind: "score", field: "dormant", cmp: { op: "is_false" } }] },
    sql: `SELECT o.customer_id AS id FROM ${ORD} o LEFT JOIN customer_scores s ON s.shop_id = $1 AND s.customer_id = o.customer_id
          WHERE o.customer_id IN (${LIVE}) AND o.processed_at >= ${dayStart(179)} AND o.processed_at < ${dayStart(-1)} AND s.dormant IS DISTINCT FROM true
          GROUP BY o.customer_id HAVING count(*) >= 3`,
  },
  {
    name: "opened email in 30 days, no order in 30 days",
    tree: {
      kind: "and",
      children: [
        { kind: "engagement", action: "opened", channel: "email", window: { kind: "last_days", days: 30 }, count: { op: "gte", value: 1 } },
        { kind: "orders", metric: "count", window: { kind: "last_days", days: 30 }, cmp: { op: "eq", value: 0 } },
      ],
    },
    sql: `SELECT DISTINCT e.customer_id AS id FROM events e WHERE e.shop_id = $1 AND e.name = 'message_opened' AND e.properties->>'channel' = 'email'
            AND e.occurred_at >= ${dayStart(29)} AND e.occurred_at < ${dayStart(-1)} AND e.customer_id IN (${LIVE})
          EXCEPT SELECT customer_id FROM ${ORD} o WHERE o.processed_at >= ${dayStart(29)} AND o.processed_at < ${dayStart(-1)}`,
  },
  {
    name: "bought summer, never Acme",
    tree: {
      kind: "and",
      children: [
        { kind: "purchased", by: "collection", values: ["summer"], bought: true, window: { kind: "all_time" } },
        { kind: "purchased", by: "vendor", values: ["Acme"], bought: false, window: { kind: "all_time" } },
      ],
    },
    sql: `SELECT o.customer_id AS id FROM ${ORD} o JOIN order_lines l ON l.shop_id = $1 AND l.order_id = o.id JOIN products p ON p.shop_id = $1 AND p.external_id = l.product_id
          WHERE 'summer' = ANY(p.collections) AND o.customer_id IN (${LIVE})
          EXCEPT SELECT o.customer_id FROM ${ORD} o JOIN order_lines l ON l.shop_id = $1 AND l.order_id = o.id WHERE l.vendor = 'Acme'`,
  },
  {
    name: "viewed price > 50 twice in 60 days",
    tree: { kind: "event", name: "product_viewed", filters: [{ property: "price", cmp: { op: "gt", value: 50 } }], window: { kind: "last_days", days: 60 }, count: { op: "gte", value: 2 } },
    sql: `SELECT customer_id AS id FROM events WHERE shop_id = $1 AND name = 'product_viewed' AND (properties->>'price')::int > 50
            AND occurred_at >= ${dayStart(59)} AND occurred_at < ${dayStart(-1)} AND customer_id IN (${LIVE})
          GROUP BY customer_id HAVING count(*) >= 2`,
  },
  {
    name: "average order 5000-12000 and 2+ orders",
    tree: { kind: "and", children: [{ kind: "orders", metric: "average_spent", window: { kind: "all_time" }, cmp: { op: "between", min: 5000, max: 12_000 } }, { kind: "orders", metric: "count", window: { kind: "all_time" }, cmp: { op: "gte", value: 2 } }] },
    sql: `SELECT customer_id AS id FROM ${ORD} o WHERE customer_id IN (${LIVE}) GROUP BY customer_id HAVING avg(total - refunded) BETWEEN 5000 AND 12000 AND count(*) >= 2`,
  },
  {
    name: "not email-subscribed, or sms-subscribed at risk",
    tree: {
      kind: "or",
      children: [
        { kind: "not", child: { kind: "customer", field: "email_consent", cmp: { op: "in", values: ["subscribed"] } } },
        { kind: "and", children: [{ kind: "customer", field: "sms_consent", cmp: { op: "in", values: ["subscribed"] } }, { kind: "score", field: "rfm_group", cmp: { op: "in", values: ["at_risk", "cant_lose"] } }] },
      ],
    },
    sql: `SELECT c.id FROM customers c LEFT JOIN customer_scores s ON s.shop_id = $1 AND s.customer_id = c.id WHERE c.shop_id = $1 AND c.merged_into_id IS NULL
            AND (c.email_consent <> 'subscribed' OR (c.sms_consent = 'subscribed' AND s.rfm_group IN ('at_risk', 'cant_lose')))`,
  },
  {
    name: "used WELCOME, lapsed 60",
    tree: {
      kind: "and",
      children: [
        { kind: "discount_codes", used: true, codes: ["welcome"], window: { kind: "all_time" } },
        { kind: "orders", metric: "last_order_at", window: { kind: "all_time" }, cmp: { op: "in_window", window: { kind: "older_than_days", days: 60 } } },
      ],
    },
    sql: `SELECT customer_id AS id FROM ${ORD} o WHERE customer_id IN (${LIVE}) GROUP BY customer_id
          HAVING bool_or('WELCOME' = ANY(discount_codes)) AND max(processed_at) < ${dayStart(59)}`,
  },
  {
    name: "reordered within 30 days of first order",
    tree: { kind: "reordered_after_first", within_days: 30 },
    sql: `SELECT DISTINCT f.customer_id AS id FROM (SELECT customer_id, min(processed_at) AS t FROM ${ORD} o GROUP BY customer_id) f
          JOIN ${ORD} o ON o.customer_id = f.customer_id AND o.processed_at > f.t AND o.processed_at <= ((f.t AT TIME ZONE $3::text) + interval '30 days') AT TIME ZONE $3::text
          WHERE f.customer_id IN (${LIVE})`,
  },
  {
    name: "viewed then ordered within 3 days",
    tree: { kind: "sequence", first: { source: "event", name: "product_viewed", filters: [] }, then: { source: "order" }, within_days: 3, window: { kind: "all_time" } },
    sql: `SELECT DISTINCT e.customer_id AS id FROM events e JOIN ${ORD} o ON o.customer_id = e.customer_id
            AND o.processed_at > e.occurred_at AND o.processed_at <= ((e.occurred_at AT TIME ZONE $3::text) + interval '3 days') AT TIME ZONE $3::text
          WHERE e.shop_id = $1 AND e.name = 'product_viewed' AND e.customer_id IN (${LIVE})`,
  },
  {
    name: "messages on 2 consecutive days in the last 60",
    tree: { kind: "consecutive_days", step: { source: "event", name: "message_sent", filters: [] }, days: 2, window: { kind: "last_days", days: 60 } },
    sql: `SELECT DISTINCT a.customer_id AS id FROM events a JOIN events b ON b.shop_id = $1 AND b.customer_id = a.customer_id AND b.name = 'message_sent'
            AND (b.occurred_at AT TIME ZONE $3::text)::date = (a.occurred_at AT TIME ZONE $3::text)::date + 1 AND b.occurred_at >= ${dayStart(59)} AND b.occurred_at < ${dayStart(-1)}
          WHERE a.shop_id = $1 AND a.name = 'message_sent' AND a.occurred_at >= ${dayStart(59)} AND a.customer_id IN (${LIVE})`,
  },
  {
    name: "high value at risk (scores)",
    tree: { kind: "and", children: [{ kind: "score", field: "monetary_score", cmp: { op: "gte", value: 4 } }, { kind: "score", field: "p_alive", cmp: { op: "lt", value: 0.4 } }, { kind: "score", field: "expected_next_order_at", cmp: { op: "in_window", window: { kind: "older_than_days", days: 1 } } }] },
    sql: `SELECT s.customer_id AS id FROM customer_scores s WHERE s.shop_id = $1 AND s.customer_id IN (${LIVE}) AND s.monetary_score >= 4 AND s.p_alive < 0.4 AND s.expected_next_order_at < ${dayStart(0)}`,
  },
];
