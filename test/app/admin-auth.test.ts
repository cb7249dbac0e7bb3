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
const shopId = await insertShop(db.pool, SHOP);
await db.pool.query(`insert into customers (shop_id, email, updated_at) values ($1, 'a@example.com', now()), ($1, 'b@example.com', now())`, [shopId]);
// The offline session a Shopify-managed install leaves behind (expiring token, refreshable).
await shopify().sessionStorage!.storeSession(
  new Session({
    id: `offline_${SHOP}`,
    shop: SHOP,
    state: "installed",
    isOnline: false,
    scope: "read_customers,write_customers,read_orders,read_all_orders,read_products,write_discounts",
    accessToken: "shpat_plaintext_access",
    refreshToken: "shprt_plaintext_refresh",
    expires: new Date(Date.now() + 60 * 60_000),
    refreshTokenExpires: new Date(Date.now() + 90 * 24 * 3600_000),
  }),
);

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
