import { getJwt } from "@shopify/shopify-api/test-helpers";
import { afterAll, describe, expect, it } from "vitest";
import { configureAppEnv, TEST_API_KEY, TEST_API_SECRET } from "../helpers/app-env";
import { createTestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const db = await createTestDatabase();
configureAppEnv(db);
const { loader } = await import("../../app/routes/api.v1.shop");
const { shopify } = await import("../../app/shopify.server");
const { closeDatabase } = await import("../../app/db.server");
const { Session } = await import("@shopify/shopify-api");

const SHOP_NAME = "signed-shop";
const SHOP = `${SHOP_NAME}.myshopify.com`;
const ALL_SCOPES = "read_customers,write_customers,read_orders,read_all_orders,read_products,write_discounts,write_app_proxy";

// The offline session a Shopify-managed install leaves behind (expiring token, refreshable).
function storeOfflineSession(shop: string, tokens: { access: string; refresh: string; expiresInMs: number }) {
  return shopify().sessionStorage!.storeSession(
    new Session({
      id: `offline_${shop}`,
      shop,
      state: "installed",
      isOnline: false,
      scope: ALL_SCOPES,
      accessToken: tokens.access,
      refreshToken: tokens.refresh,
      expires: new Date(Date.now() + tokens.expiresInMs),
      refreshTokenExpires: new Date(Date.now() + 30 * 24 * 3600_000),
    }),
  );
}
const shopId = await insertShop(db.pool, SHOP);
await db.pool.query(`insert into customers (shop_id, email, updated_at) values ($1, 'a@example.com', now()), ($1, 'b@example.com', now())`, [shopId]);
await storeOfflineSession(SHOP, { access: "shpat_plaintext_access", refresh: "shprt_plaintext_refresh", expiresInMs: 60 * 60_000 });

afterAll(async () => {
  await closeDatabase();
  await db.drop();
});

type Loader = (args: { request: Request; params: {}; context: {} }) => Promise<Response>;
const get = (request: Request) => (loader as unknown as Loader)({ request, params: {}, context: {} }).catch((e: unknown) => e as Response);

function bearer(token: string) {
  return new Request("https://winback.test/api/v1/shop", { headers: { authorization: `Bearer ${token}` } });
}

describe("admin API with an App Bridge session token", () => {
  it("answers 200 with the shop's counts to a token signed with the app secret", async () => {
    const { token } = await getJwt(SHOP_NAME, TEST_API_KEY, TEST_API_SECRET);
    const res = await get(bearer(token));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ shop: SHOP, customers: 2, orders: 0 });
  });

  it.each([
    ["signed with another secret", () => getJwt(SHOP_NAME, TEST_API_KEY, "not-the-app-secret").then((j) => j.token)],
    ["for another app", () => getJwt(SHOP_NAME, "another-app-key", TEST_API_SECRET).then((j) => j.token)],
    ["expired", () => getJwt(SHOP_NAME, TEST_API_KEY, TEST_API_SECRET, { exp: Math.floor(Date.now() / 1000) - 600, nbf: Math.floor(Date.now() / 1000) - 1200, iat: Math.floor(Date.now() / 1000) - 1200 }).then((j) => j.token)],
    ["garbage", async () => "not.a.jwt"],
  ])("refuses a token %s with 401", async (_label, makeToken) => {
    const res = await get(bearer(await makeToken()));
    expect(res.status).toBe(401);
  });

  it("keeps both tokens sealed at rest", async () => {
    const row = await db.pool.query(`select access_token, refresh_token from sessions where id = $1`, [`offline_${SHOP}`]);
    expect(row.rows[0].access_token).not.toContain("shpat_plaintext_access");
    expect(row.rows[0].refresh_token).not.toContain("shprt_plaintext_refresh");
    expect(row.rows[0].access_token).toMatch(/^v1:/);
    const loaded = await shopify().sessionStorage!.loadSession(`offline_${SHOP}`);
    expect(loaded?.accessToken).toBe("shpat_plaintext_access");
    expect(loaded?.refreshToken).toBe("shprt_plaintext_refresh");
  });
});

describe("expiring offline tokens", () => {
  it("refreshes a token about to expire and stores the new pair together, sealed", async () => {
    const { createServer } = await import("node:http");
    const { setAbstractFetchFunc } = await import("@shopify/shopify-api/runtime");
    const SHOP2_NAME = "expiring-shop";
    const SHOP2 = `${SHOP2_NAME}.myshopify.com`;
    await insertShop(db.pool, SHOP2);
    // Shopify's token endpoint, as documented for refresh_token grants, on loopback.
    const received: Record<string, string>[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const params = JSON.parse(body);
        received.push({ path: req.url ?? "", ...params });
        const client = params.client_id === TEST_API_KEY && params.client_secret === TEST_API_SECRET;
        // Refresh (background work) and token exchange (an admin request) both hand out a new pair.
        const grant =
          params.grant_type === "refresh_token" && params.refresh_token === "shprt_old"
            ? "refresh"
            : params.grant_type === "urn:ietf:params:oauth:grant-type:token-exchange" && params.expiring === "1"
              ? "exchange"
              : null;
        res.writeHead(client && grant ? 200 : 400, { "content-type": "application/json" });
        res.end(JSON.stringify(client && grant ? { access_token: `shpat_new_${grant}`, expires_in: 3600, refresh_token: `shprt_new_${grant}`, refresh_token_expires_in: 7_776_000, scope: ALL_SCOPES } : { error: "invalid_request" }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    setAbstractFetchFunc(((input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
      if (url.hostname !== SHOP2) throw new Error(`unexpected call to ${url.hostname}`);
      return fetch(`http://127.0.0.1:${port}${url.pathname}`, init);
    }) as typeof fetch);
    const expiring = () => storeOfflineSession(SHOP2, { access: "shpat_old", refresh: "shprt_old", expiresInMs: 2 * 60_000 });
    await expiring();
    async function storedPair() {
      const row = (await db.pool.query(`select access_token, refresh_token, expires from sessions where shop = $1`, [SHOP2])).rows;
      expect(row).toHaveLength(1);
      expect(row[0].access_token).toMatch(/^v1:/);
      expect(row[0].refresh_token).toMatch(/^v1:/);
      expect(row[0].expires.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
      const loaded = await shopify().sessionStorage!.loadSession(`offline_${SHOP2}`);
      return [loaded?.accessToken, loaded?.refreshToken];
    }
    try {
      // Background work (no session token at hand) refreshes with the refresh token.
      const { session } = await shopify().unauthenticated.admin(SHOP2);
      expect(session.accessToken).toBe("shpat_new_refresh");
      expect(received.map((r) => r.grant_type)).toEqual(["refresh_token"]);
      expect(await storedPair()).toEqual(["shpat_new_refresh", "shprt_new_refresh"]);

      // An admin request with a session token renews an expiring token by token exchange.
      await expiring();
      const { token } = await getJwt(SHOP2_NAME, TEST_API_KEY, TEST_API_SECRET);
      const res = await get(new Request("https://winback.test/api/v1/shop", { headers: { authorization: `Bearer ${token}` } }));
      expect(res.status).toBe(200);
      expect(received.map((r) => r.path)).toEqual(["/admin/oauth/access_token", "/admin/oauth/access_token"]);
      expect(await storedPair()).toEqual(["shpat_new_exchange", "shprt_new_exchange"]);
    } finally {
      server.close();
    }
  });
});
