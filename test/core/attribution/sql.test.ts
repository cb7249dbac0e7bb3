// The set-based SQL must credit exactly as the pure reference does, on the same random data
// (seeded, with touches placed on the window edges on purpose).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditOrders } from "../../../core/attribution/credit";
import { DEFAULT_WINDOWS, type AttributableOrder, type AttributionWindows, type IssuedCode, type Touch } from "../../../core/attribution/schema";
import { creditOrdersSql, PROPOSED_ATTRIBUTION_DDL } from "../../../core/attribution/sql";
import { createRng } from "../../../core/random/prng";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";

const DAY = 86_400_000;
const T0 = Date.parse("2026-04-01T00:00:00.000Z");
let db: TestDatabase;
let shopId: number;
const orders: AttributableOrder[] = [];
const touches: Touch[] = [];
const codes: IssuedCode[] = [];

beforeAll(async () => {
  db = await createTestDatabase("attr");
  await db.pool.query(PROPOSED_ATTRIBUTION_DDL);
  const shop = await db.pool.query(`INSERT INTO shops (domain, platform, updated_at) VALUES ('attr.myshopify.com', 'shopify', now()) RETURNING id`);
  shopId = shop.rows[0].id;
  const rng = createRng(314);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
  const customers = Array.from({ length: 25 }, (_, i) => String(i + 1));
  for (const c of customers) await db.pool.query(`INSERT INTO customers (shop_id, id) VALUES ($1, $2)`, [shopId, c]);

  const messages: { id: string; customerId: string }[] = [];
  for (let m = 1; m <= 120; m++) messages.push({ id: String(m), customerId: pick(customers) });
  for (const m of messages) {
    await db.pool.query(`INSERT INTO winback_messages (shop_id, id, customer_id, channel, send_idempotency_key) VALUES ($1, $2, $3, 'email', $4)`, [shopId, m.id, m.customerId, `send-${m.id}`]);
  }
  for (let i = 0; i < 40; i++) {
    const m = pick(messages);
    codes.push({ code: `WB-CODE${i}`, messageId: m.id, customerId: m.customerId, issuedAt: new Date(T0 + Math.floor(rng() * 20 * DAY)) });
  }
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
    // Touches around this order: some exactly on the window edges, some 1 ms outside, some random.
    if (customerId) {
      const own = messages.filter((m) => m.customerId === customerId);
      if (own.length === 0) continue;
      const offsets = [5 * DAY, 5 * DAY + 1, DAY, DAY + 1, 0, -1, Math.floor(rng() * 7 * DAY)];
      for (const off of offsets) {
        if (rng() < 0.35) touches.push({ messageId: pick(own).id, customerId, kind: rng() < 0.5 ? "click" : "open", at: new Date(placed - off) });
      }
    }
  }
  for (const c of codes) {
    await db.pool.query(
      `INSERT INTO discount_codes (shop_id, code, idempotency_key, message_id, customer_id, offer_id, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, 'pct10', $6, $6::timestamptz + interval '14 days')`,
      [shopId, c.code, `key-${c.code}`, c.messageId, c.customerId, c.issuedAt],
    );
  }
  for (const t of touches) {
    await db.pool.query(`INSERT INTO message_touches (shop_id, message_id, customer_id, kind, occurred_at) VALUES ($1, $2, $3, $4, $5)`, [shopId, t.messageId, t.customerId, t.kind, t.at]);
  }
  for (const o of orders) {
    await db.pool.query(
      `INSERT INTO orders (shop_id, id, source, external_id, customer_id, processed_at, currency, total, refunded, discount_codes, cancelled_at)
       VALUES ($1, $2::bigint, 'shopify', $2::text, $3, $4, 'USD', $5, $6, $7, $8)`,
      [shopId, o.orderId, o.customerId, o.placedAt, o.totalMinor, o.refundedMinor, o.discountCodes, o.cancelledAt],
    );
  }
});

afterAll(async () => {
  await db?.drop();
});

describe("creditOrdersSql", () => {
  it.each([
    ["default windows", DEFAULT_WINDOWS],
    ["a shop with 2-day clicks and 6-hour opens", { clickWindowMs: 2 * DAY, openWindowMs: DAY / 4 }],
  ] as [string, AttributionWindows][])("agrees with the pure rules under %s", async (_name, windows) => {
    const q = creditOrdersSql({ shopId, from: new Date(T0), to: new Date(T0 + 30 * DAY), windows });
    const { rows } = await db.pool.query(q.text, q.values);
    const fromSql = rows.map((r) => ({
      orderId: String(r.order_id),
      messageId: r.message_id,
      basis: r.basis,
      evidenceAt: (r.evidence_at as Date).toISOString(),
      creditedMinor: Number(r.credited_minor),
      status: r.status,
    }));
    const expected = creditOrders(orders, touches, codes, windows).map((c) => ({ ...c, evidenceAt: c.evidenceAt.toISOString() }));
    expect(expected.length).toBeGreaterThan(40);
    expect(new Set(expected.map((c) => c.basis))).toEqual(new Set(["code", "click", "open"]));
    expect(fromSql).toEqual(expected);
  });

  it("only reads the shop and period asked for", async () => {
    const q = creditOrdersSql({ shopId: shopId + 1, from: new Date(T0), to: new Date(T0 + 30 * DAY), windows: DEFAULT_WINDOWS });
    expect((await db.pool.query(q.text, q.values)).rows).toHaveLength(0);
  });
});
