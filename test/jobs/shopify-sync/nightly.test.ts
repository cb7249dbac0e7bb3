// The nightly fan-out for Shopify shops: reconcile and expire unused codes, shop by shop; a
// failing shop does not stop the others; an uninstalled shop is left alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminGraphql } from "../../../connectors/shopify/client";
import { issueShopifyCodes } from "../../../connectors/shopify/discounts";
import { codeRequestFor } from "../../../core/offers/code-request";
import { offerSchema } from "../../../core/offers/schema";
import { expireDiscountCodes } from "../../../jobs/offers/expire-codes";
import { runShopifyNightly } from "../../../jobs/shopify-sync/nightly";
import { generateStore, pointShopifyClientsAt, startStoreSim, type StoreSim } from "../../../scripts/store-sim";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertShop } from "../../helpers/fixtures";

const TOKEN = "shpat_nightly";
let db: TestDatabase;
let sim: StoreSim;
let unpoint: () => void;
let shopId: number;
let brokenId: number;
const NOW = new Date("2026-11-20T12:00:00Z");
const offer = offerSchema.parse({ kind: "fixed_amount", id: "five-off", amountMinor: 500, expiresInDays: 7 });

beforeAll(async () => {
  db = await createTestDatabase("nightly");
  sim = await startStoreSim({ store: generateStore({ seed: 8, customers: 15, domain: "nightly.myshopify.com" }), accessToken: TOKEN, bucket: { maximumAvailable: 100_000, restoreRate: 10_000 } });
  unpoint = pointShopifyClientsAt(sim);
  brokenId = await insertShop(db.pool, "broken.myshopify.com");
  shopId = await insertShop(db.pool, sim.shop);
});
afterAll(async () => {
  unpoint();
  await sim.close();
  await db.drop();
});

const client = () => createAdminGraphql({ shop: sim.shop, accessToken: TOKEN });

describe("nightly Shopify work", () => {
  it("reconciles every installed shop and expires its unused codes; one failing shop does not stop the rest", async () => {
    const offerRowId = (await db.pool.query(`insert into offers (shop_id, name, definition) values ($1, '$5 off', $2) returning id::text`, [shopId, JSON.stringify(offer)])).rows[0].id;
    const requests = Array.from({ length: 3 }, (_, i) => {
      const r = codeRequestFor(`s:${i}`, offer, { shopId, customerId: String(i + 1) }, NOW);
      if (!r.ok) throw new Error(r.error);
      return r.value;
    });
    const issued = await issueShopifyCodes({ client: client(), pool: db.pool, shopId, offerRowId, requests, sleep: async () => {} });
    expect(issued.ok).toBe(true);

    const later = new Date(NOW.getTime() + 8 * 86_400_000);
    const out = await runShopifyNightly(db.pool, {
      now: () => later,
      adminFor: async (shop) => {
        if (shop !== sim.shop) throw new Error("no offline session");
        return client();
      },
    });
    expect(out).toEqual({ shops: 2, reconciled: 1, failed: 1, codesExpired: 3 });
    const run = await db.pool.query(`select status, report from import_runs where shop_id = $1 and kind = 'reconcile'`, [shopId]);
    expect(run.rows[0].status).toBe("succeeded");
    // The store was never imported: reconciliation brought every customer and order in.
    expect(run.rows[0].report.after).toEqual(run.rows[0].report.store);
    expect(sim.state.discounts.every((d) => d.deleted)).toBe(true);
    const codes = await db.pool.query(`select distinct status::text as s from discount_codes where shop_id = $1`, [shopId]);
    expect(codes.rows).toEqual([{ s: "expired" }]);
    expect((await db.pool.query(`select count(*)::int as n from import_runs where shop_id = $1`, [brokenId])).rows[0].n).toBe(0);
  });

  it("expires a WooCommerce shop's coupons through its coupon API", async () => {
    const { startWooSim } = await import("../../../scripts/sims/woo-sim");
    const { withWooCoupons } = await import("../../../scripts/sims/woo-coupons");
    const { createWooCouponApi, issueWooCoupon } = await import("../../../connectors/woocommerce/coupons");
    const woo = await withWooCoupons(await startWooSim({ customers: 1, orders: 1 }));
    try {
      const api = createWooCouponApi({ url: woo.url, consumerKey: woo.consumerKey, consumerSecret: woo.consumerSecret });
      const wooShop = (await db.pool.query(`insert into shops (domain, platform, updated_at) values ('woo.example', 'woocommerce', now()) returning id`)).rows[0].id;
      const offerRow = (await db.pool.query(`insert into offers (shop_id, name, definition) values ($1, 'x', $2) returning id::text`, [wooShop, JSON.stringify(offer)])).rows[0].id;
      const r = codeRequestFor("w:1", offer, { shopId: wooShop, customerId: "1" }, NOW);
      if (!r.ok) throw new Error(r.error);
      expect((await issueWooCoupon({ api, pool: db.pool, shopId: wooShop, offerRowId: offerRow, request: r.value, email: "w@example.com" })).ok).toBe(true);
      const out = await runShopifyNightly(db.pool, {
        now: () => new Date(NOW.getTime() + 8 * 86_400_000),
        adminFor: async () => client(),
        wooFor: async (id) => (id === wooShop ? api : undefined),
      });
      expect(out.codesExpired).toBe(1);
      expect(woo.coupons.coupons).toEqual([]);
    } finally {
      await woo.close();
    }
  });

  it("leaves an uninstalled shop alone", async () => {
    await db.pool.query(`update shops set status = 'uninstalled' where id = $1`, [brokenId]);
    expect(await expireDiscountCodes(db.pool, brokenId, { shopify: client() }, NOW)).toEqual({ ok: false, error: "shop uninstalled" });
    const out = await runShopifyNightly(db.pool, { adminFor: async () => client(), wooFor: async () => undefined });
    expect(out.shops).toBe(2); // the Shopify shop and the WooCommerce one; not the uninstalled shop
  });
});
