// The set-based SQL must credit exactly as the pure reference does, on the same random data
// (seeded, with touches placed on the window edges on purpose), in the real tables.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditOrders } from "../../../core/attribution/credit";
import { DEFAULT_WINDOWS, type AttributionWindows } from "../../../core/attribution/schema";
import { creditOrdersSql } from "../../../core/attribution/sql";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { DAY, seedRandomAttributionShop, T0, type RandomShop } from "./random-shop";

let db: TestDatabase;
let shop: RandomShop;

beforeAll(async () => {
  db = await createTestDatabase("attr");
  shop = await seedRandomAttributionShop(db.pool, "attr.myshopify.com");
});

afterAll(async () => {
  await db?.drop();
});

async function sqlCredits(q: { text: string; values: unknown[] }) {
  const { rows } = await db.pool.query(q.text, q.values);
  return rows.map((r) => ({
    orderId: String(r.order_id),
    messageId: r.message_id,
    basis: r.basis,
    evidenceAt: (r.evidence_at as Date).toISOString(),
    creditedMinor: Number(r.credited_minor),
    status: r.status,
  }));
}

describe("creditOrdersSql", () => {
  it.each([
    ["default windows", DEFAULT_WINDOWS],
    ["a shop with 2-day clicks and 6-hour opens", { clickWindowMs: 2 * DAY, openWindowMs: DAY / 4 }],
    ["opens counting longer than clicks", { clickWindowMs: DAY / 2, openWindowMs: 3 * DAY }],
  ] as [string, AttributionWindows][])("agrees with the pure rules under %s", async (_name, windows) => {
    const fromSql = await sqlCredits(creditOrdersSql({ shopId: shop.shopId, from: new Date(T0), to: new Date(T0 + 30 * DAY), windows }));
    const expected = creditOrders(shop.orders, shop.touches, shop.codes, windows).map((c) => ({ ...c, evidenceAt: c.evidenceAt.toISOString() }));
    expect(expected.length).toBeGreaterThan(40);
    expect(new Set(expected.map((c) => c.basis))).toEqual(new Set(["code", "click", "open"]));
    expect(fromSql).toEqual(expected);
  });

  it("reads the whole shop without a period, and single orders alike", async () => {
    const all = await sqlCredits(creditOrdersSql({ shopId: shop.shopId, windows: DEFAULT_WINDOWS }));
    const expected = creditOrders(shop.orders, shop.touches, shop.codes, DEFAULT_WINDOWS).map((c) => ({ ...c, evidenceAt: c.evidenceAt.toISOString() }));
    expect(all).toEqual(expected);
    const some = expected.slice(0, 5).map((c) => c.orderId);
    expect(await sqlCredits(creditOrdersSql({ shopId: shop.shopId, windows: DEFAULT_WINDOWS, orderIds: some }))).toEqual(expected.slice(0, 5));
  });

  it("only reads the shop and period asked for", async () => {
    const q = creditOrdersSql({ shopId: shop.shopId + 1, from: new Date(T0), to: new Date(T0 + 30 * DAY), windows: DEFAULT_WINDOWS });
    expect((await db.pool.query(q.text, q.values)).rows).toHaveLength(0);
    const early = creditOrdersSql({ shopId: shop.shopId, from: new Date(T0), to: new Date(T0 + DAY), windows: DEFAULT_WINDOWS });
    expect((await db.pool.query(early.text, early.values)).rows).toHaveLength(0);
  });
});
