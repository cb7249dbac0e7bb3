// Unused discount codes expire: once a night each shop's expired codes are deleted on the
// platform in batches (Shopify: the offer's discount per expiry day, codes and all, 250 per
// call; WooCommerce: coupons, 100 per batch call) and marked expired. Used codes stay used.
import type pg from "pg";
import type { AdminGraphql } from "../../connectors/shopify/client";
import { deleteExpiredShopifyDiscounts } from "../../connectors/shopify/discounts";
import { deleteExpiredWooCoupons, type WooCouponApi } from "../../connectors/woocommerce/coupons";
import { forActiveShop } from "../shop-guard";

export type ExpireOutcome = { ok: true; codes: number; discounts: number } | { ok: false; error: string };

export async function expireDiscountCodes(
  db: pg.Pool, shopId: number, deps: { shopify?: AdminGraphql; woo?: WooCouponApi }, now: Date,
): Promise<ExpireOutcome> {
  const run = await forActiveShop(db, shopId, async (): Promise<ExpireOutcome> => {
    if (deps.shopify) {
      const r = await deleteExpiredShopifyDiscounts(deps.shopify, db, shopId, now);
      return r.ok ? { ok: true, ...r.value } : { ok: false, error: JSON.stringify(r.error) };
    }
    if (deps.woo) {
      const r = await deleteExpiredWooCoupons(deps.woo, db, shopId, now);
      return r.ok ? { ok: true, codes: r.value.codes, discounts: 0 } : { ok: false, error: r.error.message };
    }
    return { ok: false, error: "no platform client for the shop" };
  });
  return run.ran ? run.result : { ok: false, error: run.reason };
}
