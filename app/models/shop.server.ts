// Shops: install, uninstall, lookups. Every other model is scoped by a shop id from here.
import type { Platform } from "@prisma/client";
import { pool, prisma } from "../db.server";

export async function recordShopInstall(domain: string, platform: Platform = "shopify") {
  const shop = await prisma().shop.upsert({
    where: { domain },
    create: { domain, platform, status: "installed" },
    update: { status: "installed", installedAt: new Date(), uninstalledAt: null },
  });
  await (await import("./segments.server")).installPresetSegments(pool(), shop.id);
  return shop;
}

export function findShopByDomain(domain: string) {
  return prisma().shop.findUnique({ where: { domain } });
}

export async function isShopActive(shopId: number): Promise<boolean> {
  const shop = await prisma().shop.findUnique({ where: { id: shopId }, select: { status: true } });
  return shop?.status === "installed";
}

export interface ShopSummary {
  customers: number;
  orders: number;
  /** Net revenue (totals less refunds of non-cancelled orders), minor units. */
  revenue: string;
  currency: string;
  timezone: string;
  lastImportAt: Date | null;
  lastOrderAt: Date | null;
}

export async function shopSummary(shopId: number): Promise<ShopSummary> {
  const db = prisma();
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId } });
  const [row] = await db.$queryRaw<{ customers: bigint; orders: bigint; revenue: bigint | null; last_order_at: Date | null }[]>`
    select
      (select count(*) from customers where shop_id = ${shopId} and merged_into_id is null) as customers,
      (select count(*) from orders where shop_id = ${shopId} and cancelled_at is null) as orders,
      (select sum(total - refunded) from orders where shop_id = ${shopId} and cancelled_at is null)::bigint as revenue,
      (select max(processed_at) from orders where shop_id = ${shopId}) as last_order_at`;
  return {
    customers: Number(row.customers),
    orders: Number(row.orders),
    revenue: String(row.revenue ?? 0n),
    currency: shop.currency,
    timezone: shop.timezone,
    lastImportAt: shop.lastImportAt,
    lastOrderAt: row.last_order_at,
  };
}
