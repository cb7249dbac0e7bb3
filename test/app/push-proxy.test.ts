// The storefront push opt-in through the app proxy: requests signed as Shopify signs app
// proxy requests (@shopify/shopify-api/test-helpers, RequestType.Public) reach the real
// route on real PostgreSQL; bad signatures and malformed bodies write nothing.
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAppEnv, TEST_API_SECRET } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertCustomerWithHistory, insertShop } from "../helpers/fixtures";

const db: TestDatabase = await createTestDatabase();
configureAppEnv(db);
const { action, loader } = await import("../../app/routes/apps.winback.push");
const { closeDatabase } = await import("../../app/db.server");
const { deleteGonePushSubscription, pushEndpointHash } = await import("../../app/models/push-subscriptions.server");
const { createWebPushChannel } = await import("../../connectors/push/web-push");
const { simCertificate } = await import("../../scripts/store-sim/tls");

type Handler = (args: { request: Request; params: {}; context: {} }) => Promise<Response>;
const call = async (fn: unknown, request: Request): Promise<Response> => {
  try {
    return await (fn as Handler)({ request, params: {}, context: {} });
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
};

const SHOP = "push-shop.myshopify.com";
let shopId: number;

afterAll(async () => {
  await closeDatabase();
  await db.drop();
});

beforeAll(async () => {
  shopId = await insertShop(db.pool, SHOP);
  await db.pool.query(`insert into provider_credentials (shop_id, provider, config, sealed_secret) values ($1, 'webpush', $2, 'v1:x:y:z')`, [
    shopId,
    JSON.stringify({ subject: "mailto:ops@push-shop.test", publicKey: "BPublicKeyForTheStorefront0123456789" }),
  ]);
});

function browserSubscription(endpoint = `https://push.example.test/send/${randomBytes(8).toString("hex")}`) {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = publicKey.export({ format: "jwk" });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
  return { endpoint, expirationTime: null, keys: { p256dh: point.toString("base64url"), auth: randomBytes(16).toString("base64url") } };
}

/** What Shopify forwards for /apps/winback/push: the query signed with the app secret. */
async function proxied(opts: { body?: unknown; rawBody?: string; customer?: string; secret?: string; method?: string }): Promise<Request> {
  const url = new URL("https://winback.test/apps/winback/push");
  url.searchParams.set("logged_in_customer_id", opts.customer ?? "");
  url.searchParams.set("path_prefix", "/apps/winback");
  const method = opts.method ?? "POST";
  const init: RequestInit = method === "GET" ? { method } : { method, headers: { "content-type": "application/json" }, body: opts.rawBody ?? JSON.stringify(opts.body) };
  return setUpValidRequest({ type: RequestType.Public, store: SHOP.replace(".myshopify.com", ""), apiSecretKey: opts.secret ?? TEST_API_SECRET }, new Request(url, init));
}

const rows = async () =>
  (await db.pool.query(`select endpoint_hash, endpoint, customer_id::text, p256dh, auth from push_subscriptions where shop_id = $1 order by created_at`, [shopId])).rows;

describe("POST /apps/winback/push", () => {
  it("stores an anonymous subscription when no customer is logged in", async () => {
    const sub = browserSubscription();
    const res = await call(action, await proxied({ body: sub }));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true, subscriber: "anonymous" });
    const saved = (await rows()).find((r) => r.endpoint === sub.endpoint);
    expect(saved).toMatchObject({ endpoint_hash: pushEndpointHash(sub.endpoint), customer_id: null, p256dh: sub.keys.p256dh, auth: sub.keys.auth });
  });

  it("ties the subscription to the logged-in customer and refreshes its keys on a repeat", async () => {
    const customerId = await insertCustomerWithHistory(db.pool, shopId, "7001", "push@example.com");
    const sub = browserSubscription();
    // First anonymous, then logged in: the same row gains the customer.
    expect((await call(action, await proxied({ body: sub }))).status).toBe(201);
    const res = await call(action, await proxied({ body: sub, customer: "7001" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, subscriber: "customer" });
    // New keys after the browser re-subscribed; an anonymous post keeps the customer.
    const refreshed = { ...sub, keys: browserSubscription().keys };
    expect((await call(action, await proxied({ body: refreshed }))).status).toBe(200);
    const mine = (await rows()).filter((r) => r.endpoint === sub.endpoint);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ customer_id: customerId, p256dh: refreshed.keys.p256dh, auth: refreshed.keys.auth });
  });

  it("stores a logged-in customer Winback does not know yet as anonymous", async () => {
    const sub = browserSubscription();
    const res = await call(action, await proxied({ body: sub, customer: "99999999" }));
    expect(res.status).toBe(201);
    expect((await rows()).find((r) => r.endpoint === sub.endpoint)?.customer_id).toBeNull();
  });

  it.each([
    ["a signature made with another secret", { secret: "not-the-app-secret" }],
    ["a tampered customer id", { tamper: true }],
  ])("refuses %s and writes nothing", async (_label, opts) => {
    const before = (await rows()).length;
    let req = await proxied({ body: browserSubscription(), secret: (opts as { secret?: string }).secret, customer: "7001" });
    if ((opts as { tamper?: boolean }).tamper) {
      const u = new URL(req.url);
      u.searchParams.set("logged_in_customer_id", "7002");
      req = new Request(u, { method: "POST", headers: req.headers, body: await req.text() });
    }
    const res = await call(action, req);
    expect(res.status).toBe(400);
    expect((await rows()).length).toBe(before);
  });

  it("refuses an unsigned request", async () => {
    const before = (await rows()).length;
    const res = await call(action, new Request(`https://winback.test/apps/winback/push?shop=${SHOP}`, { method: "POST", body: JSON.stringify(browserSubscription()) }));
    expect(res.status).toBe(400);
    expect((await rows()).length).toBe(before);
  });

  const good = browserSubscription();
  it.each([
    ["endpoint", { ...good, endpoint: undefined }, "endpoint is required"],
    ["endpoint", { ...good, endpoint: "http://push.example.test/x" }, "https"],
    ["keys", { endpoint: good.endpoint }, "keys is required"],
    ["keys.p256dh", { ...good, keys: { ...good.keys, p256dh: "short" } }, "65 bytes"],
    ["keys.auth", { ...good, keys: { p256dh: good.keys.p256dh, auth: 42 } }, "keys.auth must be a string"],
    ["body", "just a string", ""],
  ])("answers 400 naming %s for a malformed body", async (field, body, message) => {
    const before = (await rows()).length;
    const res = await call(action, await proxied({ body }));
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string; field: string };
    expect(json.field).toBe(field);
    expect(json.error).toContain(message);
    expect((await rows()).length).toBe(before);
  });

  it("answers 400 for a body that is not JSON", async () => {
    const res = await call(action, await proxied({ rawBody: "endpoint=https://x" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: "body" });
  });
});

describe("GET /apps/winback/push", () => {
  it("gives the opt-in script the shop's VAPID public key", async () => {
    const res = await call(loader, await proxied({ method: "GET" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ publicKey: "BPublicKeyForTheStorefront0123456789" });
  });
});

describe("gone subscriptions", () => {
  it("are deleted when the push service answers 410 or 404, and live ones stay", async () => {
    const statuses = new Map<string, number>();
    const cert = simCertificate();
    if (!cert) throw new Error("openssl is needed to make the local push service's certificate");
    const server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(statuses.get(req.url ?? "") ?? 201, { location: `https://push.example.test/m/${randomBytes(4).toString("hex")}` });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const gone410 = browserSubscription(`${base}/gone-410`);
      const gone404 = browserSubscription(`${base}/gone-404`);
      const live = browserSubscription(`${base}/live`);
      statuses.set("/gone-410", 410);
      statuses.set("/gone-404", 404);
      const { savePushSubscription } = await import("../../app/models/push-subscriptions.server");
      for (const s of [gone410, gone404, live]) await savePushSubscription(db.pool, shopId, s, null);
      // Another shop's row with the same endpoint must survive.
      const otherShop = await insertShop(db.pool, "other-push.myshopify.com");
      await savePushSubscription(db.pool, otherShop, gone410, null);

      const webpush = (await import("web-push")).default;
      const keys = webpush.generateVAPIDKeys();
      const channel = createWebPushChannel({ vapid: { subject: "mailto:ops@push-shop.test", ...keys }, onGone: deleteGonePushSubscription(db.pool, shopId), agent: new https.Agent({ ca: cert.cert }) });
      const msg = (s: typeof live) => ({ purpose: "promotional" as const, subscription: s, title: "We miss you", body: "10% off", link: "https://push-shop.test/" });
      const r410 = await channel.send(msg(gone410), "k-410");
      const r404 = await channel.send(msg(gone404), "k-404");
      const rLive = await channel.send(msg(live), "k-live");
      expect(r410).toMatchObject({ ok: false, error: { kind: "permanent", code: "gone" } });
      expect(r404).toMatchObject({ ok: false, error: { kind: "permanent", code: "gone" } });
      expect(rLive.ok).toBe(true);
      const left = (await rows()).map((r) => r.endpoint);
      expect(left).toContain(live.endpoint);
      expect(left).not.toContain(gone410.endpoint);
      expect(left).not.toContain(gone404.endpoint);
      const other = await db.pool.query(`select count(*)::int as n from push_subscriptions where shop_id = $1`, [otherShop]);
      expect(other.rows[0].n).toBe(1);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
