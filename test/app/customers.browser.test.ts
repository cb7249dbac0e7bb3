// The Customers pages in a real browser on the demo admin: the list, a stage filter, and a
// customer's page with the plain-language reason.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultScoringSettings } from "../../core/scoring/schema";
import { scoreShop } from "../../jobs/scoring/score-shop";
import { configureAppEnv } from "../helpers/app-env";
import { startDemoWeb, stopDemoApp } from "../helpers/demo-app";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedDemoShop } from "../../scripts/demo-data/seed";
import { startWebServer } from "../../scripts/lib/web-server";

const DEMO = "customers-demo.myshopify.com";

describe("customers pages in a real browser", () => {
  let db: TestDatabase;
  let web: Awaited<ReturnType<typeof startWebServer>>;
  let browser: Browser;

  beforeAll(async () => {
    db = await createTestDatabase();
    configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
    const now = new Date("2026-11-01T12:00:00Z");
    const seeded = await seedDemoShop(db.pool, { now, customers: 300, domain: DEMO });
    const scored = await scoreShop(db.pool, seeded.shopId, now, defaultScoringSettings());
    if (!scored.ok) throw new Error(scored.error);
    ({ web, browser } = await startDemoWeb());
  }, 240_000);

  afterAll(async () => {
    await stopDemoApp({ browser, web, db });
  });

  it("lists customers, filters by a stage, and opens a customer with the reason", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web.url}/app`);
    await page.click("a[href='/app/customers']");
    await page.waitForSelector("[data-customer-link]");
    await page.waitForLoadState("networkidle");
    // The model's confidence and reason stand beside the numbers unless it is high.
    const fit = (await db.pool.query(`select confidence, reason from shop_model_fits`)).rows[0];
    if (fit.confidence === "high") expect(await page.locator("[data-testid=model-confidence]").count()).toBe(0);
    else expect(await page.textContent("[data-testid=model-confidence]")).toContain(`Predictions are ${fit.confidence} confidence`);
    await page.selectOption("#filter-stage", "dormant");
    await page.waitForURL(/stage=dormant/);
    await page.waitForFunction(() => {
      const stages = [...document.querySelectorAll("[data-stage]")].map((e) => e.getAttribute("data-stage"));
      return stages.length > 0 && stages.every((s) => s === "dormant");
    });
    const first = page.locator("[data-customer-link]").first();
    const name = (await first.textContent())!.trim();
    await first.click();
    await page.waitForURL(/\/app\/customers\/\d+$/);
    await page.waitForSelector("[data-testid=reason]");
    expect(await page.textContent("[data-testid=reason]")).toMatch(/since the last order/);
    expect(await page.textContent("body")).toContain(name);
    expect(await page.textContent("[data-testid=confidence]")).toMatch(/high|medium|low/);
    expect(await page.textContent("body")).toContain("Order timeline");
    // The behavioural cluster reads in words from the shop's fit, not as a bare number.
    expect(await page.textContent("[data-score='Behaviour group']")).toMatch(/Behaviour group: Group \d+: [a-z]/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("Settings > Scoring: the merchant sets the shop's own dormancy k; a bad value is shown on its field", async () => {
    const page = await browser.newPage();
    await page.goto(`${web.url}/app/settings/scoring`);
    await page.fill("[data-testid=scoring-dormancyK] input", "7");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForSelector("[data-testid=scoring-lostK] .Polaris-InlineError");
    expect(await page.textContent("[data-testid=scoring-lostK]")).toContain("must be above the dormancy multiple (7)");
    await page.fill("[data-testid=scoring-dormancyK] input", "3");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForSelector("[data-testid=scoring-saved]");
    const stored = await db.pool.query(`select settings -> 'scoring' as s from shops where domain = $1`, [DEMO]);
    expect(stored.rows[0].s).toMatchObject({ dormancyK: 3, lostK: 4, minStageHoldDays: 7 });
    await page.close();
  });

  it("answers 404 for a customer id of no customer in this shop", async () => {
    const res = await fetch(`${web.url}/app/customers/999999999`);
    expect(res.status).toBe(404);
  });
});
