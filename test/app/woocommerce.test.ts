// WooCommerce in the app, against the woo-sim over real HTTP: connecting by pasted keys (checked
// by a test call, sealed, webhooks created on the store) and by the /wc-auth/v1/authorize key
// exchange (the store POSTs the keys to our callback); a bad key is refused with a clear
// message; webhooks with a good or bad signature, duplicates, and newer-wins application.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startWooSim } from "../../scripts/sims/woo-sim";

type Handler = (args: { request: Request; params: {}; context: {} }) => Promise<unknown>;
const routes: Record<string, Handler> = {};

// The app's routes behind a real HTTP server, so the sim can call back and deliver.
const app = http.createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
  const handler = routes[url.pathname];
  if (!handler) return void res.writeHead(404).end();
  const request = new Request(url, {
    method: req.method, headers: req.headers as Record<string, string>, body: chunks.length ? Buffer.concat(chunks) : undefined,
  });
  const r = (await handler({ request, params: {}, context: {} })) as Response;
  res.writeHead(r.status, Object.fromEntries(r.headers));
  res.end(Buffer.from(await r.arrayBuffer()));
});
await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
const APP_URL = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

const DEMO = "woo-app.myshopify.com";
const db: TestDatabase = await createTestDatabase();
configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development", SHOPIFY_APP_URL: APP_URL });
const shopId: number = (await db.pool.query(
  `insert into shops (domain, platform, currency, timezone, updated_at) values ($1, 'shopify', 'GBP', 'Europe/London', now()) returning id`, [DEMO])).rows[0].id;

const connect = await import("../../app/routes/app.woocommerce.connect");
const callback = await import("../../app/routes/wc-auth.callback");
const back = await import("../../app/routes/wc-auth.return");
const webhook = await import("../../app/routes/webhooks.woocommerce");
const { loadWooConnection } = await import("../../app/models/store-connections.server");
const { applyWooDelivery } = await import("../../jobs/imports/woo-delivery");
const { runImport } = await import("../../jobs/imports/run-import");
const { startWooImport, getImportRun } = await import("../../app/models/imports.server");
const { queues } = await import("../../jobs/queues");
const { appConfig } = await import("../../app/config.server");
const { closeSharedQueues } = await import("../../jobs/queues");
const { closeDatabase } = await import("../../app/db.server");
routes["/wc-auth/callback"] = callback.action as Handler;
routes["/wc-auth/return"] = back.loader as Handler;
routes["/webhooks/woocommerce"] = webhook.action as Handler;

const sim = await startWooSim({ customers: 5, orders: 10, seed: 3 });

afterAll(async () => {
  await sim.close();
  await new Promise((r) => app.close(r));
  await closeSharedQueues();
  await closeDatabase();
  await db.drop();
});

function post(fields: Record<string, string>) {
  return new Request(`${APP_URL}/app/woocommerce/connect`, { method: "POST", body: new URLSearchParams(fields) });
}
const run = (h: unknown, request: Request) => (h as Handler)({ request, params: {}, context: {} }) as Promise<any>;
const connection = async () => (await db.pool.query(`select status, url, sealed_secret, webhook_ids, error from store_connections where shop_id = $1`, [shopId])).rows[0];

describe("connecting a WooCommerce store", () => {
  it("refuses a bad key with a clear message and saves nothing", async () => {
    const r = await run(connect.action, post({ intent: "keys", url: sim.url, consumerKey: sim.consumerKey, consumerSecret: "cs_wrong" }));
    expect(r.error).toBe("Could not connect: the store refused these keys (check the consumer key and secret, with read/write access)");
    expect((await connection())?.status ?? "none").not.toBe("connected");
    expect(sim.webhooks).toHaveLength(0);
    const missing = await run(connect.action, post({ intent: "keys", url: sim.url, consumerKey: "", consumerSecret: "" }));
    expect(missing.error).toMatch(/Paste both/);
  });

  it("connects with pasted keys: checked, sealed, webhooks created, first sync queued", async () => {
    const r = await run(connect.action, post({ intent: "keys", url: `${sim.url}/`, consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret }));
    expect(r).toBeInstanceOf(Response);
    expect(r.headers.get("location")).toBe("/app/imports");
    const c = await connection();
    expect(c).toMatchObject({ status: "connected", url: sim.url, error: null });
    expect(c.sealed_secret).not.toContain(sim.consumerSecret);
    expect(sim.webhooks.map((w) => [w.topic, w.delivery_url])).toEqual(
      ["customer.created", "customer.updated", "order.created", "order.updated"].map((t) => [t, `${APP_URL}/webhooks/woocommerce`]));
    expect(c.webhook_ids).toEqual([1, 2, 3, 4]);
    const opened = await loadWooConnection(db.pool, appConfig().encryptionKey, shopId);
    expect(opened).toMatchObject({ consumerKey: sim.consumerKey, consumerSecret: sim.consumerSecret });
    expect(opened!.webhookSecret).toBe(sim.webhooks[0].secret);
    const runs = (await db.pool.query(`select source, status from import_runs where shop_id = $1`, [shopId])).rows;
    expect(runs).toEqual([{ source: "woocommerce", status: "queued" }]);
  });

  it("connects by the key exchange: the store posts new keys to the callback", async () => {
    const r = await run(connect.action, post({ intent: "authorize", url: sim.url }));
    const to = new URL(r.headers.get("location"));
    expect(`${to.origin}${to.pathname}`).toBe(`${sim.url}/wc-auth/v1/authorize`);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      app_name: "Winback", scope: "read_write", return_url: `${APP_URL}/wc-auth/return`, callback_url: `${APP_URL}/wc-auth/callback`,
    });
    const approved = await fetch(to, { redirect: "manual" });
    expect(approved.status).toBe(302);
    const ret = new URL(approved.headers.get("location")!);
    expect(ret.searchParams.get("success")).toBe("1");
    const [issuedKey, issuedSecret] = [...sim.issuedKeys][0];
    expect(await loadWooConnection(db.pool, appConfig().encryptionKey, shopId)).toMatchObject({ consumerKey: issuedKey, consumerSecret: issuedSecret });
    // The reconnect replaced the first connection's webhooks rather than adding to them.
    expect(sim.webhooks.map((w) => w.id)).toEqual([5, 6, 7, 8]);
    expect((await connection()).webhook_ids).toEqual([5, 6, 7, 8]);
    // The merchant lands back on the connect page.
    const landed = await fetch(ret, { redirect: "manual" });
    expect(landed.headers.get("location")).toBe("/app/woocommerce/connect?success=1");
    // The token is single-use: replaying the callback is refused.
    const replay = await fetch(`${APP_URL}/wc-auth/callback`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ user_id: to.searchParams.get("user_id"), consumer_key: issuedKey, consumer_secret: issuedSecret }),
    });
    expect(replay.status).toBe(400);
  });
});

describe("WooCommerce webhooks", () => {
  const order = (modified: string, total: string) => ({
    ...sim.orders[0], date_modified_gmt: modified, total,
  });
  const deliveries = async () => (await db.pool.query(`select id::text, event_id, topic from webhook_deliveries where platform = 'woocommerce' order by id`)).rows;

  it("refuses a bad signature with 401 and records nothing", async () => {
    expect(await sim.deliver("order.updated", order("2023-06-01T00:00:00", "50.00"), { secret: "wrong" })).toEqual([401]);
    expect(await deliveries()).toEqual([]);
  });

  it("records a good delivery once, however often it comes, and applies the newest version", async () => {
    expect(await sim.deliver("order.updated", order("2023-06-02T00:00:00", "60.00"), { deliveryId: "d-2" })).toEqual([200]);
    expect(await sim.deliver("order.updated", order("2023-06-02T00:00:00", "60.00"), { deliveryId: "d-2" })).toEqual([200]);
    // An older version delivered late.
    expect(await sim.deliver("order.updated", order("2023-06-01T00:00:00", "50.00"), { deliveryId: "d-1" })).toEqual([200]);
    const rows = await deliveries();
    expect(rows.map((r) => r.event_id)).toEqual(["d-2", "d-1"]);
    for (const r of rows) expect(await applyWooDelivery(db.pool, r.id, new Date())).toMatchObject({ applied: true, topic: "order.updated" });
    expect(await applyWooDelivery(db.pool, rows[0].id, new Date())).toEqual({ applied: false, reason: "already processed" });
    const o = (await db.pool.query(`select total::int, source from orders where shop_id = $1 and external_id = $2`, [shopId, String(sim.orders[0].id)])).rows;
    expect(o).toEqual([{ total: 6000, source: "woocommerce" }]);
  });

  it("answers WooCommerce's creation ping and refuses unknown stores", async () => {
    const ping = await fetch(`${APP_URL}/webhooks/woocommerce`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "webhook_id=1" });
    expect(ping.status).toBe(200);
    const unknown = await fetch(`${APP_URL}/webhooks/woocommerce`, {
      method: "POST", headers: { "x-wc-webhook-source": "https://elsewhere.example/", "x-wc-webhook-topic": "order.updated", "x-wc-webhook-signature": "x", "x-wc-webhook-delivery-id": "z" }, body: "{}",
    });
    expect(unknown.status).toBe(401);
  });
});

describe("WooCommerce sync as an import run", () => {
  it("imports everything, keeps the high-water mark in the cursor, and the next run starts from it", async () => {
    const key = appConfig().encryptionKey;
    const first = (await db.pool.query(`select id::text from import_runs where shop_id = $1 and source = 'woocommerce' order by id limit 1`, [shopId])).rows[0].id;
    const out = await runImport(db.pool, shopId, first, { encryptionKey: key });
    expect(out).toMatchObject({ status: "succeeded", rowsWritten: 15, rowsRejected: 0 });
    const newest = [...sim.customers, ...sim.orders].map((x) => x.date_modified_gmt as string).sort().at(-1);
    const cursor = (await db.pool.query(`select cursor from import_runs where shop_id = $1 and id = $2`, [shopId, first])).rows[0].cursor;
    expect(cursor.since).toBe(`${newest}Z`);
    expect(await getImportRun(db.pool, shopId, first)).toMatchObject({ status: "succeeded", rowsRead: 15, fraction: 1 });

    const next = await startWooImport(db.pool, queues(), shopId);
    expect((await db.pool.query(`select cursor->>'since' as since from import_runs where id = $1`, [next])).rows[0].since).toBe(`${newest}Z`);
    const again = await runImport(db.pool, shopId, next, { encryptionKey: key });
    expect(again).toMatchObject({ status: "succeeded", rowsRead: 0 });
    expect(sim.requests.at(-1)!.path).toContain(`modified_after=${encodeURIComponent(newest!)}`);
  });
});
