// Bulk import end to end: official client -> store simulator (HTTPS, real schema) -> JSONL ->
// translation -> ingestBatch -> a fresh PostgreSQL. The database must match the source.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminGraphql } from "../../../connectors/shopify/client";
import { runBulkImport, type ImportProgress } from "../../../connectors/shopify/bulk-import";
import { createServer } from "node:http";
import { generateStore, pointShopifyClientsAt, signWebhook, startStoreSim, type SimStore, type StoreSim } from "../../../scripts/store-sim";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";

const TOKEN = "shpat_bulk";
let db: TestDatabase;
let unpoint: () => void = () => {};
const sims: StoreSim[] = [];

beforeAll(async () => {
  db = await createTestDatabase("shopify_bulk");
});
afterAll(async () => {
  unpoint();
  await Promise.all(sims.map((s) => s.close()));
  await db.drop();
});

async function shopRow(domain: string): Promise<number> {
  const r = await db.pool.query(
    `insert into shops (domain, platform, currency, timezone, updated_at) values ($1, 'shopify', 'USD', 'America/New_York', now()) returning id`,
    [domain]);
  return r.rows[0].id;
}

async function simFor(store: SimStore, extra: Partial<Parameters<typeof startStoreSim>[0]> = {}) {
  const sim = await startStoreSim({ store, accessToken: TOKEN, bulk: { runningAfterMs: 5, completeAfterMs: 30 }, ...extra });
  sims.push(sim);
  unpoint();
  unpoint = pointShopifyClientsAt(sim);
  return sim;
}

const client = (sim: StoreSim, onWait?: (w: string) => void) =>
  createAdminGraphql({ shop: sim.shop, accessToken: TOKEN }, { onWait });

async function dbTotals(shopId: number) {
  const o = await db.pool.query(
    `select count(*)::int as orders, coalesce(sum(total), 0)::text as total, coalesce(sum(refunded), 0)::text as refunded,
            coalesce(sum(discounts), 0)::text as discounts, count(distinct customer_id)::int as buyers
     from orders where shop_id = $1`, [shopId]);
  const l = await db.pool.query(`select count(*)::int as lines, coalesce(sum(quantity), 0)::int as qty from order_lines where shop_id = $1`, [shopId]);
  const c = await db.pool.query(`select count(*)::int as n from customer_identities where shop_id = $1 and source = 'shopify' and external_id not like 'guest:%'`, [shopId]);
  const p = await db.pool.query(`select count(*)::int as n from products where shop_id = $1`, [shopId]);
  return { ...o.rows[0], ...l.rows[0], customers: c.rows[0].n, products: p.rows[0].n };
}

function sourceTotals(s: SimStore) {
  const sum = (f: (o: SimStore["orders"][number]) => number) => String(s.orders.reduce((a, o) => a + f(o), 0));
  return {
    orders: s.orders.length,
    total: sum((o) => o.total),
    refunded: sum((o) => o.refunded),
    discounts: sum((o) => o.discounts),
    lines: s.orders.reduce((a, o) => a + o.lines.length, 0),
    qty: s.orders.reduce((a, o) => a + o.lines.reduce((b, l) => b + l.quantity, 0), 0),
    customers: s.customers.length,
    products: s.products.length,
  };
}

/** Per Shopify customer: order count and total, from the database through the identities. */
async function perCustomer(shopId: number) {
  const r = await db.pool.query(
    `select i.external_id, count(o.id)::int as n, sum(o.total)::text as total
     from customer_identities i join orders o on o.shop_id = i.shop_id and o.customer_id = i.customer_id
     where i.shop_id = $1 and i.source = 'shopify' and i.external_id not like 'guest:%'
     group by i.external_id`, [shopId]);
  return new Map(r.rows.map((x) => [x.external_id as string, `${x.n}:${x.total}`]));
}

function perCustomerSource(s: SimStore) {
  const m = new Map<string, { n: number; total: number }>();
  for (const o of s.orders) {
    if (o.customerId == null) continue;
    const e = m.get(String(o.customerId)) ?? { n: 0, total: 0 };
    e.n++;
    e.total += o.total;
    m.set(String(o.customerId), e);
  }
  return new Map([...m].map(([k, v]) => [k, `${v.n}:${v.total}`]));
}

describe("Shopify bulk import", () => {
  it("imports a few thousand orders exactly as the store has them", async () => {
    const store = generateStore({ seed: 42, customers: 750, domain: "bulk-a.myshopify.com" });
    const sim = await simFor(store);
    const shopId = await shopRow(sim.shop);
    const progress: ImportProgress[] = [];
    const r = await runBulkImport({
      client: client(sim), pool: db.pool, shopId, batchSize: 1000, pollIntervalMs: 10, onProgress: (p) => progress.push(p),
    });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.rowsRejected).toBe(0);
    expect(r.value.rowsRead).toBe(store.orders.length + store.customers.length + store.products.length);
    expect(await dbTotals(shopId)).toMatchObject(sourceTotals(store));
    expect(await perCustomer(shopId)).toEqual(perCustomerSource(store));
    const run = await db.pool.query(`select status, rows_read from import_runs where shop_id = $1`, [shopId]);
    expect(run.rows).toEqual([{ status: "succeeded", rows_read: r.value.rowsRead }]);
    const reading = progress.filter((p) => p.kind === "orders" && p.phase === "reading");
    expect(reading.length).toBe(Math.ceil(store.orders.length / 1000));
    expect(reading[0].etaSeconds).toBeGreaterThan(0);
    expect(reading.at(-1)!.rowsRead).toBe(r.value.rowsRead);
    expect(sim.state.bulkOps.length).toBe(3);
  });

  it("resumes a crashed import without duplicates", async () => {
    const store = generateStore({ seed: 9, customers: 300, domain: "bulk-b.myshopify.com" });
    const sim = await simFor(store);
    const shopId = await shopRow(sim.shop);
    const abort = new AbortController();
    let batches = 0;
    const first = await runBulkImport({
      client: client(sim), pool: db.pool, shopId, batchSize: 200, pollIntervalMs: 10, signal: abort.signal,
      onProgress: (p) => { if (p.kind === "orders" && p.phase === "reading" && ++batches === 2) abort.abort(); },
    });
    expect(first.ok).toBe(false);
    if (first.ok || first.error.kind !== "aborted") throw new Error("expected an abort");
    // It stops after the batches in flight (two are written at once): what the cursor counts
    // is exactly what is stored, and the rest is left for the resume.
    const mid = await dbTotals(shopId);
    const cursor = (await db.pool.query(`select status, cursor from import_runs where shop_id = $1`, [shopId])).rows[0];
    expect(cursor.status).toBe("paused");
    expect([400, 600]).toContain(mid.orders);
    expect(cursor.cursor.ops.orders.records).toBe(mid.orders);
    expect(mid.orders).toBeLessThan(store.orders.length);

    const second = await runBulkImport({ client: client(sim), pool: db.pool, shopId, runId: first.error.runId, batchSize: 200, pollIntervalMs: 10 });
    if (!second.ok) throw new Error(JSON.stringify(second.error));
    expect(await dbTotals(shopId)).toMatchObject(sourceTotals(store));
    expect(second.value.rowsRead).toBe(store.orders.length + store.customers.length + store.products.length);
    // The resumed run reused the finished operations rather than starting new ones.
    expect(sim.state.bulkOps.length).toBe(3);
  });

  it("restarts an operation whose result URL expired", async () => {
    const store = generateStore({ seed: 3, customers: 40, domain: "bulk-c.myshopify.com" });
    const sim = await simFor(store);
    const shopId = await shopRow(sim.shop);
    const abort = new AbortController();
    const first = await runBulkImport({
      client: client(sim), pool: db.pool, shopId, batchSize: 50, pollIntervalMs: 10, signal: abort.signal,
      onProgress: (p) => { if (p.kind === "orders" && p.phase === "reading") abort.abort(); },
    });
    if (first.ok || first.error.kind !== "aborted") throw new Error("expected an abort");
    sim.expireResults();
    const second = await runBulkImport({ client: client(sim), pool: db.pool, shopId, runId: first.error.runId, batchSize: 50, pollIntervalMs: 10 });
    if (!second.ok) throw new Error(JSON.stringify(second.error));
    expect(sim.state.bulkOps.length).toBe(4);
    expect(await dbTotals(shopId)).toMatchObject(sourceTotals(store));
    expect(second.value.rowsRead).toBe(store.orders.length + store.customers.length + store.products.length);
  });

  it("carries on from the cursor when a download breaks off", async () => {
    const store = generateStore({ seed: 17, customers: 200, domain: "bulk-g.myshopify.com" });
    const sim = await simFor(store);
    const shopId = await shopRow(sim.shop);
    sim.cutDownloads(2, 300_000);
    const r = await runBulkImport({ client: client(sim), pool: db.pool, shopId, batchSize: 100, pollIntervalMs: 10 });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(sim.stats.downloads).toBe(5);
    expect(r.value.rowsRead).toBe(store.orders.length + store.customers.length + store.products.length);
    expect(await dbTotals(shopId)).toMatchObject(sourceTotals(store));
  });

  it("waits out a small throttle bucket instead of failing", async () => {
    const store = generateStore({ seed: 5, customers: 30, domain: "bulk-d.myshopify.com" });
    const sim = await simFor(store, { bucket: { maximumAvailable: 20, restoreRate: 40 } });
    const shopId = await shopRow(sim.shop);
    const waits: string[] = [];
    const r = await runBulkImport({ client: client(sim, (w) => waits.push(w)), pool: db.pool, shopId, pollIntervalMs: 5 });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(waits.filter((w) => w === "throttle").length).toBeGreaterThan(0);
    expect(await dbTotals(shopId)).toMatchObject(sourceTotals(store));
  });

  it("marks withheld emails unavailable, not absent", async () => {
    const store = generateStore({ seed: 11, customers: 25, domain: "bulk-e.myshopify.com" });
    const sim = await simFor(store, { withhold: { email: true } });
    const shopId = await shopRow(sim.shop);
    const r = await runBulkImport({ client: client(sim), pool: db.pool, shopId, pollIntervalMs: 5, kinds: ["customers"] });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.available).toEqual({ email: false, phone: true });
    const c = await db.pool.query(
      `select count(*)::int as n, count(*) filter (where email_available)::int as avail, count(email)::int as emails,
              count(phone)::int as phones
       from customers where shop_id = $1`, [shopId]);
    expect(c.rows[0]).toEqual({ n: 25, avail: 0, emails: 0, phones: store.customers.filter((x) => x.phone).length });
  });

  it("accepts the bulk_operations/finish webhook instead of polling", async () => {
    const secret = "bulk-secret";
    const finished = new Map<string, () => void>();
    const done = new Set<string>();
    const receiver = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString("utf8");
      const ok = signWebhook(raw, secret) === req.headers["x-shopify-hmac-sha256"] && req.headers["x-shopify-topic"] === "bulk_operations/finish";
      res.statusCode = ok ? 200 : 401;
      res.end();
      if (!ok) return;
      const id = JSON.parse(raw).admin_graphql_api_id as string;
      done.add(id);
      finished.get(id)?.();
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const port = (receiver.address() as { port: number }).port;
    try {
      const store = generateStore({ seed: 13, customers: 20, domain: "bulk-f.myshopify.com" });
      const sim = await simFor(store, { webhooks: { url: `http://127.0.0.1:${port}/webhooks`, secret } });
      const shopId = await shopRow(sim.shop);
      const started = Date.now();
      const r = await runBulkImport({
        client: client(sim), pool: db.pool, shopId,
        pollIntervalMs: 60_000, // only the webhook can make this quick
        sleep: (ms) => new Promise((res) => setTimeout(res, ms).unref()),
        waitForFinish: (id) => (done.has(id) ? Promise.resolve() : new Promise((res) => finished.set(id, res))),
      });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(done.size).toBe(3);
      expect(await dbTotals(shopId)).toMatchObject(sourceTotals(store));
    } finally {
      receiver.close();
    }
  });
});
