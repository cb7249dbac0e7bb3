// What Shopify's admin loads inside its iframe: a document request with an id_token. The
// app must answer it with App Bridge in the page (an App Store requirement) and refuse a
// forged one.
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild } from "../../scripts/lib/build";
import { BUILD_DIR } from "../../scripts/lib/web-server";
import { configureAppEnv, TEST_API_KEY, TEST_API_SECRET } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const SHOP_NAME = "embedded-doc";
const SHOP = `${SHOP_NAME}.myshopify.com`;

describe("embedded admin document", () => {
  let db: TestDatabase;
  let handle: (r: Request) => Promise<Response>;

  beforeAll(async () => {
    db = await createTestDatabase();
    configureAppEnv(db);
    await ensureBuild(() => {});
    const build = (await import(pathToFileURL(path.join(BUILD_DIR, "server", "index.js")).href)) as ServerBuild;
    const handler = createRequestHandler(build, "production");
    handle = (r) => handler(r);
    await insertShop(db.pool, SHOP);
    const { shopify } = await import("../../app/shopify.server");
    const { Session } = await import("@shopify/shopify-api");
    await shopify().sessionStorage!.storeSession(
      new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "installed", isOnline: false, scope: "read_customers,write_customers,read_orders,read_all_orders,read_products,write_discounts,write_app_proxy", accessToken: "shpat_x", expires: new Date(Date.now() + 3600_000) }),
    );
  }, 180_000);

  afterAll(async () => {
    const { closeDatabase } = await import("../../app/db.server");
    await closeDatabase();
    await db.drop();
  });

  it("carries App Bridge and the app's API key, and allows framing only by the shop's admin", async () => {
    const req = await setUpValidRequest({ type: RequestType.Admin, store: SHOP_NAME, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET }, new Request("https://winback.test/app"));
    const res = await handle(req);
    expect(res.status).toBe(200);
    const html = await res.text();
    const head = html.slice(0, html.indexOf("</head>"));
    expect(head).toContain(`<meta name="shopify-api-key" content="${TEST_API_KEY}"/>`);
    expect(head).toContain('<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>');
    // Loaded once: the provider in app.tsx must not add a second copy.
    expect(html.split("app-bridge.js").length - 1).toBe(1);
    expect(html).toContain('data-stat="customers"');
    expect(res.headers.get("content-security-policy")).toContain(`frame-ancestors https://${SHOP} https://admin.shopify.com`);
  });

  it("refuses a document request whose id_token is signed with another secret", async () => {
    const req = await setUpValidRequest({ type: RequestType.Admin, store: SHOP_NAME, apiKey: TEST_API_KEY, apiSecretKey: "forged-secret" }, new Request("https://winback.test/app"));
    const res = await handle(req);
    expect([401, 302]).toContain(res.status);
    expect(await res.text()).not.toContain('data-stat="customers"');
  });
});
