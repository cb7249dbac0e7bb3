// The attribution rules of credit.ts as one set-based query, for crediting a shop's orders in
// bulk inside PostgreSQL. credit.ts is the reference; test/core/attribution/sql.test.ts checks
// that both agree on the same data.
//
// Proposed layout (not migrated yet; the Prisma models are in the issue-10 report):
//   winback_messages (shop_id, id, customer_id, channel, offer_id, send_idempotency_key, sent_at)
//       one row per message sent; PK (shop_id, id), UNIQUE (shop_id, send_idempotency_key)
//   message_touches  (shop_id, id, message_id, customer_id, kind 'click'|'open', occurred_at)
//       PK (shop_id, id), INDEX (shop_id, customer_id, occurred_at)
//   discount_codes   (shop_id, code, idempotency_key, message_id, customer_id, offer_id,
//                     issued_at, expires_at, platform_discount_id, status)
//       PK (shop_id, code) with code stored upper-case, UNIQUE (shop_id, idempotency_key)
// and the existing orders table (processed_at, customer_id, discount_codes, total, refunded,
// cancelled_at).
//
// Rule mapping: a matching code issued no later than the order wins (latest issue, then largest
// message id); otherwise the latest touch inside its kind's window, both edges inclusive, a
// click before an open at the same instant, then the largest message id. Message ids compare
// as text, as they do in credit.ts. DISTINCT ON gives each order at most one credit.
import type { AttributionWindows } from "./schema";

export interface SqlQuery {
  text: string;
  values: unknown[];
}

export interface CreditQueryParams {
  shopId: number;
  /** Orders processed in [from, to). */
  from: Date;
  to: Date;
  windows: AttributionWindows;
}

/** Rows: order_id, message_id (text), basis, evidence_at, credited_minor, status. */
export function creditOrdersSql(p: CreditQueryParams): SqlQuery {
  const text = `
WITH o AS (
  SELECT shop_id, id, customer_id, processed_at, discount_codes, total, refunded, cancelled_at
  FROM orders
  WHERE shop_id = $1 AND processed_at >= $2 AND processed_at < $3
),
by_code AS (
  SELECT DISTINCT ON (o.id) o.id AS order_id, dc.message_id::text AS message_id, 'code'::text AS basis, dc.issued_at AS evidence_at
  FROM o
  CROSS JOIN LATERAL unnest(o.discount_codes) AS used(code)
  JOIN discount_codes dc
    ON dc.shop_id = o.shop_id AND dc.code = upper(btrim(used.code)) AND dc.issued_at <= o.processed_at
  ORDER BY o.id, dc.issued_at DESC, dc.message_id::text DESC
),
by_touch AS (
  SELECT DISTINCT ON (o.id) o.id AS order_id, t.message_id::text AS message_id, t.kind AS basis, t.occurred_at AS evidence_at
  FROM o
  JOIN message_touches t
    ON t.shop_id = o.shop_id AND t.customer_id = o.customer_id
   AND t.occurred_at <= o.processed_at
   AND t.occurred_at >= o.processed_at
       - (CASE t.kind WHEN 'click' THEN $4::bigint ELSE $5::bigint END) * interval '1 millisecond'
  WHERE NOT EXISTS (SELECT 1 FROM by_code c WHERE c.order_id = o.id)
  ORDER BY o.id, t.occurred_at DESC, (t.kind = 'click') DESC, t.message_id::text DESC
),
won AS (
  SELECT * FROM by_code UNION ALL SELECT * FROM by_touch
)
SELECT w.order_id, w.message_id, w.basis, w.evidence_at,
       CASE WHEN reversed THEN 0 ELSE greatest(o.total - o.refunded, 0) END AS credited_minor,
       CASE WHEN reversed THEN 'reversed' ELSE 'active' END AS status
FROM won w
JOIN o ON o.id = w.order_id
CROSS JOIN LATERAL (
  SELECT o.cancelled_at IS NOT NULL OR (o.refunded > 0 AND o.total - o.refunded <= 0) AS reversed
) r
ORDER BY w.order_id::text`;
  return { text, values: [p.shopId, p.from, p.to, p.windows.clickWindowMs, p.windows.openWindowMs] };
}

/** DDL for the proposed tables, so tests (and the eventual migration) share one layout. */
export const PROPOSED_ATTRIBUTION_DDL = `
CREATE TABLE winback_messages (
  shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
  id BIGSERIAL NOT NULL,
  customer_id BIGINT NOT NULL,
  channel TEXT NOT NULL,
  offer_id TEXT,
  send_idempotency_key TEXT NOT NULL,
  sent_at TIMESTAMPTZ(3),
  PRIMARY KEY (shop_id, id),
  UNIQUE (shop_id, send_idempotency_key),
  FOREIGN KEY (shop_id, customer_id) REFERENCES customers(shop_id, id) ON DELETE CASCADE
);
CREATE TABLE message_touches (
  shop_id INTEGER NOT NULL,
  id BIGSERIAL NOT NULL,
  message_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('click', 'open')),
  occurred_at TIMESTAMPTZ(3) NOT NULL,
  PRIMARY KEY (shop_id, id),
  FOREIGN KEY (shop_id, message_id) REFERENCES winback_messages(shop_id, id) ON DELETE CASCADE
);
CREATE INDEX message_touches_customer_time ON message_touches (shop_id, customer_id, occurred_at);
CREATE TABLE discount_codes (
  shop_id INTEGER NOT NULL,
  code TEXT NOT NULL CHECK (code = upper(code)),
  idempotency_key TEXT NOT NULL,
  message_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL,
  offer_id TEXT NOT NULL,
  issued_at TIMESTAMPTZ(3) NOT NULL,
  expires_at TIMESTAMPTZ(3) NOT NULL,
  platform_discount_id TEXT,
  status TEXT NOT NULL DEFAULT 'requested',
  PRIMARY KEY (shop_id, code),
  UNIQUE (shop_id, idempotency_key),
  FOREIGN KEY (shop_id, message_id) REFERENCES winback_messages(shop_id, id) ON DELETE CASCADE
);`;
