// Rough throughput of ingestBatch against a plain COPY of the same rows. Opt-in (it is slow for a
// unit run): INGEST_BENCH=20000 npx --no-install vitest run test/connectors/ingest/throughput
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateBatch } from "../../../core/ingest/batch";
import { copyRows } from "../../../connectors/ingest/copy";
import { ingestBatch } from "../../../connectors/ingest/ingest";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { createShop, order } from "./fixtures";

const N = Number(process.env.INGEST_BENCH ?? 0);
let db: TestDatabase;
beforeAll(async () => {
  if (N) db = await createTestDatabase("bench");
});
afterAll(async () => {
  if (N) await db.drop();
});

describe.skipIf(!N)("ingest throughput", () => {
  it(`ingests ${N} orders`, async () => {
    const shop = await createShop(db.pool, "bench.myshopify.com");
    const customers = Array.from({ length: N / 4 }, (_, i) => ({ source: "shopify", externalId: `c${i}`, email: `p${i}@example.com`, sourceUpdatedAt: "2024-01-01T00:00:00Z" }));
    const orders = Array.from({ length: N }, (_, i) => order(i, { customerExternalId: `c${i % (N / 4)}` }));

    const t0 = performance.now();
    const { batch } = validateBatch({ customers, orders });
    const t1 = performance.now();
    // INGEST_BATCH splits the orders (customers go with the first batch), as the bulk paths do.
    const B = Number(process.env.INGEST_BATCH ?? N);
    const steps = new Map<string, number>();
    const trace = (s: string, ms: number) => steps.set(s.slice(0, 50), (steps.get(s.slice(0, 50)) ?? 0) + ms);
    let inserted = 0;
    for (let i = 0; i < N; i += B) {
      const r = await ingestBatch(db.pool, shop, { customers: i === 0 ? customers : [], orders: orders.slice(i, i + B) }, { now: new Date(), trace });
      inserted += r.orders.inserted;
    }
    const t2 = performance.now();
    for (const [s, ms] of [...steps].sort((a, b) => b[1] - a[1])) if (ms > 20) console.log(`  ${ms.toFixed(0)} ms ${s}`);
    expect(inserted).toBe(N);

    // Baseline: COPY the same order and line rows straight into the real tables (another shop).
    const shop2 = await createShop(db.pool, "bench-copy.myshopify.com");
    const client = await db.pool.connect();
    try {
    const t3 = performance.now();
    let id = 1_000_000_000;
    await copyRows(client, "orders", ["shop_id", "id", "source", "external_id", "processed_at", "currency", "total", "subtotal", "discount_codes", "source_updated_at"],
      batch.orders, (o) => [shop2, ++id, o.source, o.externalId, o.processedAt, o.currency, o.total, o.subtotal, o.discountCodes, o.sourceUpdatedAt]);
    id = 1_000_000_000;
    await copyRows(client, "order_lines", ["shop_id", "id", "order_id", "title", "quantity", "price", "discount"],
      batch.orders.flatMap((o, oi) => o.lines.map((l) => ({ l, oi }))), ({ l, oi }) => [shop2, ++id, 1_000_000_001 + oi, l.title, l.quantity, l.price, l.discount]);
    var t4 = performance.now();
    var copyMs = t4 - t3;
    } finally {
      client.release();
    }
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(`validate ${(t1 - t0).toFixed(0)} ms; ingestBatch ${(t2 - t1).toFixed(0)} ms = ${Math.round(N / ((t2 - t1) / 1000))} orders/s (incl. validation); plain COPY ${copyMs.toFixed(0)} ms; ratio ${((t2 - t1) / copyMs).toFixed(2)}; rss ${rss.toFixed(0)} MB`);
    const t5 = performance.now();
    const again = await ingestBatch(db.pool, shop, { customers, orders }, { now: new Date() });
    console.log(`re-ingest (no changes) ${(performance.now() - t5).toFixed(0)} ms`);
    expect(again.orders.updated).toBe(0);
  });
});
