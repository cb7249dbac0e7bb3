// Shopify bulk import, end to end: N generated orders (~N/4 customers) in the store simulator,
// imported through the official client, bulk operations, streamed JSONL, translation and
// ingestBatch into a throwaway PostgreSQL; and, in the same run, a plain COPY of the same rows
// into the same tables (another shop) as the floor to compare with.
//   npm run bench -- import --size 20000 [--phases]
// --phases adds phases_s: seconds spent in each phase (bulk wait, read = download + JSONL parse,
// translate, validate, blocked on writes; and ingestion's stage, identity, upsert, commit, summed
// over the batches written in parallel), so they add up to more than total_s.
import pg from "pg";
import { copyRows } from "../connectors/ingest/copy";
import { runBulkImport } from "../connectors/shopify/bulk-import";
import { createAdminGraphql } from "../connectors/shopify/client";
import { generateStore, pointShopifyClientsAt, type SimStore } from "../scripts/store-sim";
import { cpuSeconds, postmasterPid } from "./lib/cpu";
import { startSimProcess } from "./lib/store-sim-process";
import { benchDatabase } from "./lib/services";

const TOKEN = "shpat_bench";

/**
 * Imports run in the worker, which runs with these heap flags (package.json "worker"). A batch's
 * parsed and translated records live a few hundred milliseconds: a 32 MB young generation lets
 * them die there instead of being promoted and mark-compacted (measured at 50k orders: importer
 * CPU -12%, peak RSS 333 -> 270 MB).
 */
export const nodeFlags = ["--max-old-space-size=384", "--max-semi-space-size=32"];

async function shop(pool: pg.Pool, domain: string): Promise<number> {
  const r = await pool.query(
    `insert into shops (domain, platform, currency, timezone, updated_at) values ($1, 'shopify', 'USD', 'America/New_York', now()) returning id`, [domain]);
  return r.rows[0].id;
}

/** The floor: the same customers, orders, lines and products COPYed straight in. */
async function copyBaseline(pool: pg.Pool, shopId: number, s: SimStore): Promise<void> {
  const client = await pool.connect();
  const now = new Date();
  try {
    await client.query("begin");
    await copyRows(client, "customers", ["shop_id", "id", "email", "phone", "first_name", "last_name", "country", "province", "city", "zip",
      "address1", "timezone", "locale", "tags", "email_consent", "sms_consent", "source_created_at", "created_at", "updated_at"],
      s.customers, (c) => [shopId, c.id, c.email, c.phone, c.firstName, c.lastName, c.country, c.province, c.city, c.zip,
        c.address1, c.timeZone, c.locale, c.tags, c.emailState === "SUBSCRIBED" ? "subscribed" : "not_subscribed",
        c.smsState === "SUBSCRIBED" ? "subscribed" : "not_subscribed", c.createdAt, now, now]);
    await copyRows(client, "orders", ["shop_id", "id", "source", "external_id", "customer_id", "name", "processed_at", "currency", "subtotal",
      "discounts", "shipping", "tax", "total", "refunded", "discount_codes", "financial_status", "cancelled_at", "source_name",
      "source_updated_at", "created_at", "updated_at"],
      s.orders, (o) => [shopId, o.id, "shopify", String(o.id), o.customerId, o.name, o.processedAt, s.shop.currency, o.subtotal,
        o.discounts, o.shipping, o.tax, o.total, o.refunded, o.discountCodes, o.financialStatus.toLowerCase(), o.cancelledAt,
        o.sourceName, o.updatedAt, now, now]);
    const lines = s.orders.flatMap((o) => o.lines.map((l) => ({ o, l })));
    await copyRows(client, "order_lines", ["shop_id", "id", "order_id", "external_id", "product_id", "variant_id", "sku", "title", "vendor",
      "quantity", "price", "discount"],
      lines, ({ o, l }) => [shopId, l.id, o.id, String(l.id), String(l.productId), String(l.variantId), l.sku, l.title, l.vendor,
        l.quantity, l.price, l.discount]);
    await copyRows(client, "products", ["shop_id", "source", "external_id", "title", "vendor", "product_type", "collections", "unit_cost"],
      s.products, (p) => [shopId, "shopify", String(p.id), p.title, p.vendor, p.productType, p.collections.map((c) => c.title), p.variants[0]?.unitCost]);
    await client.query("commit");
  } catch (e) {
    await client.query("rollback");
    throw e;
  } finally {
    client.release();
  }
}

export async function run(opts: { size?: number; batch?: number; phases?: boolean }) {
  const size = opts.size ?? 20_000;
  const customers = Math.max(1, Math.round(size / 4));
  const seed = 2026;
  const domain = "bench.myshopify.com";
  const db = await benchDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // pool.end() resolves once its clients are told to close, not once they have: the database
  // stopping right after may still reach one, which is expected here and not a failure.
  pool.on("error", (e: Error & { code?: string }) => { if (e.code !== "57P01") throw e; });
  const sim = await startSimProcess({ orders: size, customers, seed, domain, token: TOKEN });
  const unpoint = pointShopifyClientsAt(sim);
  try {
    const shopId = await shop(pool, sim.shop);
    // CPU seconds of this process, the database server (backends included) and the simulator.
    const postgres = await postmasterPid((sql) => pool.query(sql));
    const cpu = () => ({ node: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6, pg: cpuSeconds(postgres, true), sim: cpuSeconds(sim.pid) });
    const c0 = cpu();
    // Peak resident memory of this process while it imports (the simulator is another process).
    let peak = process.memoryUsage.rss();
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 20);
    const phases = new Map<string, number>();
    const steps = new Map<string, number>();
    const trace = opts.phases
      ? (step: string, ms: number) => {
          const phase = step.split(":")[0];
          phases.set(phase, (phases.get(phase) ?? 0) + ms);
          steps.set(step, (steps.get(step) ?? 0) + ms);
        }
      : undefined;
    const t0 = performance.now();
    const r = await runBulkImport({
      client: createAdminGraphql({ shop: sim.shop, accessToken: TOKEN }), pool, shopId, batchSize: opts.batch ?? 10_000, pollIntervalMs: 20, trace,
    });
    const total = (performance.now() - t0) / 1000;
    const c1 = cpu();
    // Every step, slowest first, on stderr (the JSON line stays alone on stdout).
    for (const [step, ms] of [...steps].sort((a, b) => b[1] - a[1])) if (ms >= 50) console.error(`${(ms / 1000).toFixed(2)} s  ${step}`);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
    if (!r.ok) throw new Error(`import failed: ${JSON.stringify(r.error)}`);

    // The same rows, generated again from the same seed, COPYed into another shop.
    const store = generateStore({ seed, customers, domain });
    const copyShop = await shop(pool, "bench-copy.myshopify.com");
    const c1b = cpu();
    const t1 = performance.now();
    await copyBaseline(pool, copyShop, store);
    const copy = (performance.now() - t1) / 1000;
    const c2 = cpu();
    const secs = (x: number) => Number(x.toFixed(2));
    return {
      orders: store.orders.length,
      customers: store.customers.length,
      total_s: Number(total.toFixed(3)),
      orders_per_s: Math.round(store.orders.length / total),
      copy_s: Number(copy.toFixed(3)),
      copy_ratio: Number((total / copy).toFixed(2)),
      rejected: r.value.rowsRejected,
      peak_rss_mb: Math.round(peak / 1048576),
      // CPU seconds: the import (this process, PostgreSQL, the simulator) and the plain COPY
      // (this process encoding the rows, PostgreSQL). Wall time on 2 cores >= CPU / 2.
      cpu_s: {
        import_node: secs(c1.node - c0.node), import_pg: secs(c1.pg - c0.pg), import_sim: secs(c1.sim - c0.sim),
        copy_node: secs(c2.node - c1b.node), copy_pg: secs(c2.pg - c1b.pg),
      },
      ...(opts.phases ? { phases_s: Object.fromEntries([...phases].map(([k, ms]) => [k, Number((ms / 1000).toFixed(2))])) } : {}),
    };
  } finally {
    unpoint();
    await sim.close();
    await pool.end();
    await db.stop();
  }
}
