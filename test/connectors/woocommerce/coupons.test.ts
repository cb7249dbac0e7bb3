// WooCommerce unique coupons against the WooCommerce simulator (OAuth 1.0a over http): one
// coupon per code, restricted to the customer's email, single use, expiring; idempotent across
// retries and a lost answer; expired coupons deleted in batches.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeReadyToSend } from "../../../connectors/shopify/discounts";
import { createWooCouponApi, deleteExpiredWooCoupons, issueWooCoupon, type WooCouponApi } from "../../../connectors/woocommerce/coupons";
import { codeRequestFor, type CodeRequest } from "../../../core/offers/code-request";
import { offerSchema } from "../../../core/offers/schema";
import { withWooCoupons, type WooSimWithCoupons } from "../../../scripts/sims/woo-coupons";
import { startWooSim } from "../../../scripts/sims/woo-sim";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";

let db: TestDatabase;
let sim: WooSimWithCoupons;
let api: WooCouponApi;
let shopId: number;
let offerRowId: string;
const NOW = new Date("2026-11-20T12:00:00Z");
const offer = offerSchema.parse({ kind: "fixed_amount", id: "ten-off", amountMinor: 1000, minimumOrderMinor: 4000, expiresInDays: 10 });

beforeAll(async () => {
  db = await createTestDatabase("woo_coupons");
  sim = await withWooCoupons(await startWooSim({ customers: 3, orders: 3 }));
  api = createWooCouponApi({ url: sim.url, consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret });
  shopId = (await db.pool.query(
    `insert into shops (domain, platform, currency, timezone, updated_at) values ('woo.example', 'woocommerce', 'GBP', 'Europe/London', now()) returning id`)).rows[0].id;
  offerRowId = (await db.pool.query(`insert into offers (shop_id, name, definition) values ($1, '£10 off', $2) returning id::text`, [shopId, JSON.stringify(offer)])).rows[0].id;
});
afterAll(async () => {
  await sim.close();
  await db.drop();
});

function request(sendKey: string, customerId = "42"): CodeRequest {
  const r = codeRequestFor(sendKey, offer, { shopId, customerId }, NOW);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
const issue = (r: CodeRequest, email = "ana@example.com") => issueWooCoupon({ api, pool: db.pool, shopId, offerRowId, request: r, email });

describe("WooCommerce unique coupons", () => {
  it("creates a single-use coupon restricted to the customer's email, expiring with the offer", async () => {
    const r = request("send-1");
    const out = await issue(r);
    expect(out).toEqual({ ok: true, value: r.code });
    expect(sim.coupons.coupons).toHaveLength(1);
    expect(sim.coupons.coupons[0]).toMatchObject({
      code: r.code.toLowerCase(), discount_type: "fixed_cart", amount: "10.00", usage_limit: 1, usage_limit_per_user: 1,
      email_restrictions: ["ana@example.com"], minimum_amount: "40.00", date_expires_gmt: "2026-11-30T12:00:00", date_expires: "2026-11-30T12:00:00",
    });
    expect(await codeReadyToSend(db.pool, shopId, r.idempotencyKey)).toBe(r.code);
  });

  it("makes no second coupon when the send is retried", async () => {
    const r = request("send-1");
    expect(await issue(r)).toEqual({ ok: true, value: r.code });
    expect(sim.coupons.coupons).toHaveLength(1);
  });

  it("reconciles a lost answer: not sent before, found (not duplicated) on retry", async () => {
    const r = request("send-2", "43");
    sim.coupons.loseNextAnswers(1);
    const first = await issue(r, "bo@example.com");
    expect(first.ok).toBe(false);
    expect(await codeReadyToSend(db.pool, shopId, r.idempotencyKey)).toBeUndefined();
    expect(await issue(r, "bo@example.com")).toEqual({ ok: true, value: r.code });
    expect(sim.coupons.coupons.filter((c) => c.code === r.code.toLowerCase())).toHaveLength(1);
    expect(await codeReadyToSend(db.pool, shopId, r.idempotencyKey)).toBe(r.code);
  });

  it("deletes expired unused coupons in batches and marks them expired; used ones stay", async () => {
    const more = Array.from({ length: 120 }, (_, i) => request(`bulk-${i}`, String(100 + i)));
    for (const r of more) expect((await issue(r, `c${r.customerId}@example.com`)).ok).toBe(true);
    await db.pool.query(`update discount_codes set status = 'used' where shop_id = $1 and code = $2`, [shopId, more[0].code]);
    const r = await deleteExpiredWooCoupons(api, db.pool, shopId, new Date(NOW.getTime() + 11 * 86_400_000));
    expect(r).toEqual({ ok: true, value: { codes: 121 } });
    expect(sim.coupons.coupons.map((c) => c.code)).toEqual([more[0].code.toLowerCase()]);
    const rows = (await db.pool.query(`select status::text as s, count(*)::int as n from discount_codes where shop_id = $1 group by 1 order by 1`, [shopId])).rows;
    expect(rows).toEqual([{ s: "expired", n: 121 }, { s: "used", n: 1 }]);
  });
});
