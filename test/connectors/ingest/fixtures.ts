// Shared helpers for ingestion tests.
import type pg from "pg";

export async function createShop(pool: pg.Pool, domain: string, platform = "shopify"): Promise<number> {
  const r = await pool.query(
    `insert into shops (domain, platform, updated_at) values ($1, $2, now()) returning id`,
    [domain, platform],
  );
  return r.rows[0].id;
}

export function order(i: number, extra: Record<string, unknown> = {}) {
  return {
    source: "shopify",
    externalId: `o${i}`,
    customerExternalId: `c${i % 10}`,
    processedAt: `2024-01-${String((i % 28) + 1).padStart(2, "0")}T10:00:00-05:00`,
    currency: "USD",
    subtotal: "20.00",
    total: `${10 + (i % 7)}.25`,
    sourceUpdatedAt: "2024-02-01T00:00:00Z",
    lines: [
      { externalId: `l${i}a`, title: "Mug", quantity: 1, price: "5.00", productId: "p1" },
      { externalId: `l${i}b`, title: "Tea", quantity: 2, price: "2.50", discount: "0" },
    ],
    ...extra,
  };
}
