// The Shopify historical import as an import job: queued from the Imports page's model (and on
// install), run by runImport for its import_runs row, woken by the bulk_operations/finish
// webhook (through the real webhook route) rather than by polling Shopify, cancellable, and
// resumable without duplicates.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAppEnv, TEST_API_SECRET } from "../../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { generateStore, pointShopifyClientsAt, startStoreSim, type StoreSim } from "../../../scripts/store-sim";

const db: TestDatabase = await createTestDatabase();
configureAppEnv(db);
const { createAdminGraphql } = await import("../../../connectors/shopify/client");
const { runImport } = await import("../../../jobs/imports/run-import");
const { startShopifyImport, queueFirstShopifyImport, cancelImportRun, getImportRun } = await import("../../../app/models/imports.server");
const finishRoute = await import("../../../app/routes/webhooks.bulk_operations.finish");
const { queues, closeSharedQueues } = await import("../../../jobs/queues");
const { closeDatabase } = await import("../../../app/db.server");

const TOKEN = "shpat_import_job";
const SHOP = "import-job.myshopify.com";
const store = generateStore({ seed: 5, customers: 120, domain: SHOP });
let sim: StoreSim;
let receiver: Server;
let unpoint = () => {};
let shopId: number;

beforeAll(async () => {
  // Shopify's finish webhook reaches the app's real route, as it would in production.
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(`https://winback.test${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) });
    const action = finishRoute.action as unknown as (a: { request: Request; params: object; context: object }) => Promise<Response>;
    const out = await action({ request, params: {}, context: {} }).catch((e: unknown) => e as Response);
    res.writeHead(out.status).end();
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const port = (receiver.address() as AddressInfo).port;
  sim = await startStoreSim({
    store, accessToken: TOKEN, bulk: { runningAfterMs: 5, completeAfterMs: 40 },
    webhooks: { url: `http://127.0.0.1:${port}/webhooks/bulk_operations/finish`, secret: TEST_API_SECRET },
  });
  unpoint = pointShopifyClientsAt(sim);
  shopId = (await db.pool.query(
    `insert into shops (domain, platform, currency, timezone, updated_at) values ($1, 'shopify', 'USD', 'America/New_York', now()) returning id`, [SHOP])).rows[0].id;
});

afterAll(async () => {
  unpoint();
  await sim.close();
  await new Promise((r) => receiver.close(r));
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

const client = () => createAdminGraphql({ shop: SHOP, accessToken: TOKEN });
const count = async (sql: string) => (await db.pool.query(sql, [shopId])).rows[0].n as number;

describe("Shopify import job", () => {
  it("is queued once, finishes on the finish webhook without polling Shopify, and fills the shop", async () => {
    const id = await queueFirstShopifyImport(db.pool, queues(), shopId);
    expect(id).not.toBeNull();
    // Asking again while it is queued returns the same run.
    expect(await startShopifyImport(db.pool, queues(), shopId)).toBe(id);
    const started = Date.now();
    // Shopify is polled only every 10 minutes here: finishing in seconds needs the webhook.
    const out = await runImport(db.pool, shopId, id!, { shopifyClient: client(), shopifyPollMs: 600_000, shopifyCheckMs: 50 });
    expect(out.status).toBe("succeeded");
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(out.rowsRead).toBe(store.customers.length + store.orders.length + store.products.length);
    expect(await count(`select count(*)::int n from orders where shop_id = $1`)).toBe(store.orders.length);
    const finished = await db.pool.query(`select count(*)::int n from webhook_deliveries where shop_domain = $1 and topic = 'bulk_operations/finish'`, [SHOP]);
    expect(finished.rows[0].n).toBe(3);
    expect(await getImportRun(db.pool, shopId, id!)).toMatchObject({ status: "succeeded" });
    expect((await db.pool.query(`select last_import_at from shops where id = $1`, [shopId])).rows[0].last_import_at).not.toBeNull();
    // The history is in: installing again queues nothing.
    expect(await queueFirstShopifyImport(db.pool, queues(), shopId)).toBeNull();
  });

  it("stops on a cancel and resumes from its cursor without duplicates", async () => {
    await db.pool.query(`delete from order_lines where shop_id = $1`, [shopId]);
    await db.pool.query(`delete from orders where shop_id = $1`, [shopId]);
    const id = await startShopifyImport(db.pool, queues(), shopId);
    // The merchant cancels once the first records are written: it stops after the batches in flight.
    let asked = false;
    const cancelled = await runImport(db.pool, shopId, id, {
      shopifyClient: client(), shopifyPollMs: 600_000, shopifyCheckMs: 20,
      onProgress: () => { if (!asked) { asked = true; void cancelImportRun(db.pool, shopId, id, new Date()); } },
    });
    expect(cancelled.status).toBe("cancelled");
    expect((await getImportRun(db.pool, shopId, id))!.status).toBe("cancelled");
    expect(await count(`select count(*)::int n from orders where shop_id = $1`)).toBeLessThan(store.orders.length);
    // Resumed (the Imports page's resume, or asking for the import again): it completes, once.
    expect(await startShopifyImport(db.pool, queues(), shopId)).toBe(id);
    const out = await runImport(db.pool, shopId, id, { shopifyClient: client(), shopifyPollMs: 600_000, shopifyCheckMs: 50 });
    expect(out.status).toBe("succeeded");
    expect(await count(`select count(*)::int n from orders where shop_id = $1`)).toBe(store.orders.length);
    expect(await count(`select count(distinct external_id)::int n from orders where shop_id = $1`)).toBe(store.orders.length);
  });
});
