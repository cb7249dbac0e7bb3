// A seeded random shop for attribution tests: messages, codes, orders and engagement events,
// with touches placed on the window edges (and 1 ms outside them) on purpose. The same data
// goes to the pure reference (creditOrders) and into PostgreSQL.
import type pg from "pg";
import type { AttributableOrder, IssuedCode, Touch } from "../../../core/attribution/schema";
import { CLICK_EVENT, OPEN_EVENT } from "../../../core/attribution/sql";
import { createRng } from "../../../core/random/prng";

export const DAY = 86_400_000;
export const T0 = Date.parse("2026-04-01T00:00:00.000Z");

export interface RandomShop {
  shopId: number;
  orders: AttributableOrder[];
  touches: Touch[];
  codes: IssuedCode[];
  messages: { id: string; customerId: string }[];
}

export async function seedRandomAttributionShop(db: pg.Pool, domain: string, seed = 314): Promise<RandomShop> {
  const shop = await db.query(`INSERT INTO shops (domain, platform, updated_at) VALUES ($1, 'shopify', now()) RETURNING id`, [domain]);
  const shopId: number = shop.rows[0].id;
  const rng = createRng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
  const cust = await db.query(`INSERT INTO customers (shop_id) SELECT $1 FROM generate_series(1, 25) RETURNING id::text`, [shopId]);
  const customers: string[] = cust.rows.map((r) => r.id);

  const messages: { id: string; customerId: string }[] = [];
  for (let m = 1; m <= 120; m++) messages.push({ id: String(m), customerId: pick(customers) });
  await db.query(
    `INSERT INTO messages (shop_id, id, idempotency_key, customer_id, channel, purpose, status, sent_at)
     SELECT $1, u.id, 'send-' || u.id, u.customer_id, 'email', 'promotional', 'sent', $4
     FROM unnest($2::bigint[], $3::bigint[]) AS u(id, customer_id)`,
    [shopId, messages.map((m) => m.id), messages.map((m) => m.customerId), new Date(T0)],
  );
  const codes: IssuedCode[] = [];
  for (let i = 0; i < 40; i++) {
    const m = pick(messages);
    codes.push({ code: `WB-CODE${i}`, messageId: m.id, customerId: m.customerId, issuedAt: new Date(T0 + Math.floor(rng() * 20 * DAY)) });
  }
  const orders: AttributableOrder[] = [];
  const touches: Touch[] = [];
  for (let o = 1; o <= 220; o++) {
    const customerId = rng() < 0.05 ? null : pick(customers);
    const placed = T0 + 2 * DAY + Math.floor(rng() * 18 * DAY);
    const used = rng() < 0.3 ? [pick(codes).code.toLowerCase() + (rng() < 0.5 ? " " : "")] : rng() < 0.1 ? ["SUMMER10"] : [];
    const total = 1000 + Math.floor(rng() * 9000);
    const refunded = rng() < 0.1 ? total : rng() < 0.1 ? Math.floor(total / 3) : 0;
    orders.push({
      orderId: String(o),
      customerId,
      placedAt: new Date(placed),
      discountCodes: used,
      totalMinor: total,
      refundedMinor: refunded,
      cancelledAt: rng() < 0.05 ? new Date(placed + DAY) : null,
    });
    if (customerId) {
      const own = messages.filter((m) => m.customerId === customerId);
      if (own.length === 0) continue;
      const offsets = [5 * DAY, 5 * DAY + 1, DAY, DAY + 1, 0, -1, Math.floor(rng() * 7 * DAY)];
      for (const off of offsets) {
        if (rng() < 0.35) touches.push({ messageId: pick(own).id, customerId, kind: rng() < 0.5 ? "click" : "open", at: new Date(placed - off) });
      }
    }
  }
  await db.query(
    `INSERT INTO discount_codes (shop_id, code, idempotency_key, message_id, customer_id, offer_id, status, issued_at, expires_at)
     SELECT $1, u.code, 'key-' || u.code, u.message_id, u.customer_id, 1, 'created', u.issued_at, u.issued_at + interval '14 days'
     FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::timestamptz[]) AS u(code, message_id, customer_id, issued_at)`,
    [shopId, codes.map((c) => c.code), codes.map((c) => c.messageId), codes.map((c) => c.customerId), codes.map((c) => c.issuedAt)],
  );
  await db.query(
    `INSERT INTO events (shop_id, customer_id, name, occurred_at, message_id)
     SELECT $1, u.customer_id, u.name, u.at, u.message_id
     FROM unnest($2::bigint[], $3::text[], $4::timestamptz[], $5::bigint[]) AS u(customer_id, name, at, message_id)`,
    [shopId, touches.map((t) => t.customerId), touches.map((t) => (t.kind === "click" ? CLICK_EVENT : OPEN_EVENT)), touches.map((t) => t.at), touches.map((t) => t.messageId)],
  );
  // Noise the rules must ignore: other events of the same customers, and a failed code.
  await db.query(
    `INSERT INTO events (shop_id, customer_id, name, occurred_at, message_id) SELECT $1, c, 'stage_changed', $3, NULL FROM unnest($2::bigint[]) AS c`,
    [shopId, customers, new Date(T0 + 10 * DAY)],
  );
  for (const o of orders) {
    await db.query(
      `INSERT INTO orders (shop_id, id, source, external_id, customer_id, processed_at, currency, total, refunded, discount_codes, cancelled_at)
       VALUES ($1, $2::bigint, 'shopify', $2::text, $3, $4, 'USD', $5, $6, $7, $8)`,
      [shopId, o.orderId, o.customerId, o.placedAt, o.totalMinor, o.refundedMinor, o.discountCodes, o.cancelledAt],
    );
  }
  return { shopId, orders, touches, codes, messages };
}
