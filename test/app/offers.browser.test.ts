// The Offers page in a real browser: reached through the app navigation, an invalid offer is
// refused by the same schema the action uses (shown live, nothing stored), a valid one saved
// and listed; the bounds are saved into the shop's offer settings.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { startDemoWeb, stopDemoApp } from "../helpers/demo-app";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedDemoShop } from "../../scripts/demo-data/seed";
import type { startWebServer } from "../../scripts/lib/web-server";

const DEMO = "offers-demo.myshopify.com";

describe("Offers page in a real browser", () => {
  let db: TestDatabase;
  let web: Awaited<ReturnType<typeof startWebServer>>;
  let browser: Browser;
  let shopId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
    ({ shopId } = await seedDemoShop(db.pool, { now: new Date("2026-11-01T12:00:00Z"), customers: 50, domain: DEMO }));
    ({ web, browser } = await startDemoWeb());
  }, 240_000);

  afterAll(async () => {
    await stopDemoApp({ browser, web, db });
  });

  it("loads from the navigation, refuses an invalid offer, saves a valid one and the bounds", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web.url}/app`);
    await page.locator("[data-app-nav]").getByRole("link", { name: "Offers" }).click();
    await page.waitForURL(/\/app\/offers$/);
    await page.waitForLoadState("networkidle");

    await page.locator("input[name=id]").fill("pct150");
    await page.locator("input[name=value]").fill("150");
    await page.getByText(/less than or equal to 100|<=100/).first().waitFor();
    expect(await page.getByRole("button", { name: "Save offer" }).isDisabled()).toBe(true);

    await page.locator("input[name=id]").fill("pct15");
    await page.locator("input[name=value]").fill("15");
    await page.locator("input[name=name]").fill("15% off");
    await page.getByRole("button", { name: "Save offer" }).click();
    await page.getByText("Saved pct15.").waitFor();
    const offers = await db.pool.query(`select name, definition from offers where shop_id = $1 and definition->>'id' = 'pct15'`, [shopId]);
    expect(offers.rows).toEqual([{ name: "15% off", definition: expect.objectContaining({ kind: "percentage", id: "pct15", percent: 15, expiresInDays: 14 }) }]);
    await page.locator("table").first().getByText("pct15").waitFor(); // the list reloads after the save

    await page.locator("input[name=allowed]").fill("none, pct15");
    await page.locator("input[name=maxPercent]").fill("20");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Saved settings.").waitFor();
    const s = await db.pool.query(`select settings->'offers'->'bounds' as b from shops where id = $1`, [shopId]);
    expect(s.rows[0].b).toMatchObject({ allowedOfferIds: ["none", "pct15"], maxPercent: 20 });

    // A cost typed in by hand (what a WooCommerce shop has to do) lands on the product.
    const [product] = (await db.pool.query<{ external_id: string }>(`select external_id from products where shop_id = $1 order by id limit 1`, [shopId])).rows;
    await page.locator("input[name=productId]").fill(product.external_id);
    await page.locator("input[name=unitCost]").fill("3.25");
    await page.getByRole("button", { name: "Save cost" }).click();
    await page.getByText(`Saved cost of ${product.external_id}.`).waitFor();
    const cost = await db.pool.query(`select unit_cost::int as c from products where shop_id = $1 and external_id = $2`, [shopId, product.external_id]);
    expect(cost.rows).toEqual([{ c: 325 }]);
    expect(errors).toEqual([]);
  });
});
