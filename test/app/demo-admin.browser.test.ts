// The app boots from its production build, serves /healthz, and a real browser opening
// the demo admin sees the shop's counts. Later UI tests reuse this harness.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { startDemoWeb, stopDemoApp } from "../helpers/demo-app";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedDemoShop } from "../../scripts/demo-data/seed";
import { startWebServer } from "../../scripts/lib/web-server";

const DEMO = "browser-demo.myshopify.com";

describe("demo admin in a real browser", () => {
  let db: TestDatabase;
  let web: Awaited<ReturnType<typeof startWebServer>>;
  let browser: Browser;
  let seeded: Awaited<ReturnType<typeof seedDemoShop>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
    seeded = await seedDemoShop(db.pool, { now: new Date("2026-11-01T12:00:00Z"), customers: 300, domain: DEMO });
    ({ web, browser } = await startDemoWeb());
  }, 180_000);

  afterAll(async () => {
    await stopDemoApp({ browser, web, db });
  });

  it("boots: /healthz reports database and queue healthy", async () => {
    const res = await fetch(`${web.url}/healthz`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe("ok");
    expect(body.checks.database.ok).toBe(true);
    expect(body.checks.queue).toMatchObject({ ok: true, backend: "postgres" });
  });

  it("opens / and shows the demo shop's counts", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web.url}/`);
    await page.waitForSelector("[data-stat=customers]");
    expect(await page.textContent("[data-stat=customers]")).toBe(seeded.customers.toLocaleString("en-US"));
    const nonCancelled = await db.pool.query(`select count(*)::int as n from orders where shop_id = $1 and cancelled_at is null`, [seeded.shopId]);
    expect(await page.textContent("[data-stat=orders]")).toBe(nonCancelled.rows[0].n.toLocaleString("en-US"));
    expect(await page.textContent("[data-stat=revenue]")).toMatch(/^\$[\d,]+\.\d\d$/);
    expect(await page.textContent("body")).toContain(DEMO);
    // Hydrated without client errors (a mismatch between server and client would show here).
    await page.waitForLoadState("networkidle");
    expect(errors).toEqual([]);
    await page.close();
  });
});
