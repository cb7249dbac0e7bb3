// The nightly store work, one shop at a time: reconcile Shopify shops with the store (what
// webhooks missed) and expire unused discount codes on the platform (Shopify discounts,
// WooCommerce coupons). A shop that fails is logged and the next one goes on; each shop's work
// runs only while it is installed (forActiveShop).
import type pg from "pg";
import type { Logger } from "pino";
import type { AdminGraphql } from "../../connectors/shopify/client";
import type { WooCouponApi } from "../../connectors/woocommerce/coupons";
import { expireDiscountCodes } from "../offers/expire-codes";
import { forActiveShop } from "../shop-guard";
import { wooCouponApiForShop } from "../store-clients";
import { reconcileShop } from "./reconcile";

export interface NightlyDeps {
  /** The Admin client for a shop; default: its offline session (jobs/shopify-sync/admin.ts). */
  adminFor?: (shop: string) => Promise<AdminGraphql>;
  /** The coupon API of a connected WooCommerce shop; default: its stored connection. */
  wooFor?: (shopId: number) => Promise<WooCouponApi | undefined>;
  now?: () => Date;
  logger?: Pick<Logger, "warn" | "info">;
}

export async function runShopifyNightly(db: pg.Pool, deps: NightlyDeps = {}) {
  const now = deps.now ?? (() => new Date());
  const adminFor = deps.adminFor ?? (async (shop: string) => (await import("./admin")).shopAdminGraphql(shop));
  const wooFor = deps.wooFor ?? ((shopId: number) => wooCouponApiForShop(db, shopId));
  const shops = await db.query<{ id: number; domain: string; platform: string }>(
    `select id, domain, platform::text as platform from shops where status = 'installed' and platform in ('shopify', 'woocommerce') order by id`);
  const out = { shops: shops.rowCount ?? 0, reconciled: 0, failed: 0, codesExpired: 0 };
  for (const shop of shops.rows) {
    try {
      if (shop.platform === "woocommerce") {
        const woo = await wooFor(shop.id);
        if (!woo) continue;
        const exp = await expireDiscountCodes(db, shop.id, { woo }, now());
        if (exp.ok) out.codesExpired += exp.codes;
        else out.failed++;
        continue;
      }
      const r = await forActiveShop(db, shop.id, async () => {
        const client = await adminFor(shop.domain);
        const rec = await reconcileShop({ client, pool: db, shopId: shop.id, now });
        const exp = await expireDiscountCodes(db, shop.id, { shopify: client }, now());
        return { rec, exp };
      });
      if (!r.ran) continue;
      if (r.result.rec.ok) out.reconciled++;
      else out.failed++;
      if (r.result.exp.ok) out.codesExpired += r.result.exp.codes;
    } catch (e) {
      out.failed++;
      deps.logger?.warn({ shopId: shop.id, error: (e as Error).message }, "nightly store work failed for a shop");
    }
  }
  return out;
}
