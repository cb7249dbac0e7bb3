// The store clients background work uses for one shop, looked up by shop id: the Admin GraphQL
// client of a Shopify shop (its offline session) and the coupon API of a connected WooCommerce
// shop (its sealed keys). Imported lazily so workers that never touch a store load neither.
import type pg from "pg";
import type { AdminGraphql } from "../connectors/shopify/client";
import { createWooCouponApi, type WooCouponApi } from "../connectors/woocommerce/coupons";
import type { OfferCodeIssuer } from "./journeys/offer";

/** The Admin client of an installed Shopify shop, or null when it has no offline session. */
export async function shopifyAdminForShop(db: pg.Pool, shopId: number): Promise<AdminGraphql | null> {
  const row = (await db.query<{ domain: string }>(`select domain from shops where id = $1 and platform = 'shopify'`, [shopId])).rows[0];
  if (!row) return null;
  const [{ shopAdminGraphql }, { SessionNotFoundError }] = await Promise.all([import("./shopify-sync/admin"), import("@shopify/shopify-app-remix/server")]);
  try {
    return await shopAdminGraphql(row.domain);
  } catch (e) {
    if (e instanceof SessionNotFoundError) return null; // not installed (yet): an expected state, not an outage
    throw e;
  }
}

/** The coupon API of a connected WooCommerce shop, or undefined when it has no usable keys. */
export async function wooCouponApiForShop(db: pg.Pool, shopId: number): Promise<WooCouponApi | undefined> {
  const [{ loadWooConnection }, { appConfig }] = await Promise.all([import("../app/models/store-connections.server"), import("../app/config.server")]);
  const conn = await loadWooConnection(db, appConfig().encryptionKey, shopId);
  return conn ? createWooCouponApi(conn) : undefined;
}

/** The offer-code issuer live workers use: codes are created on the shop's own store. */
export async function liveOfferCodeIssuer(db: pg.Pool): Promise<OfferCodeIssuer> {
  const { storeCodeIssuer } = await import("./journeys/offer");
  return storeCodeIssuer({
    shopify: (shopId) => shopifyAdminForShop(db, shopId),
    woocommerce: async (shopId) => (await wooCouponApiForShop(db, shopId)) ?? null,
  });
}
