// The Imports page in a real browser on the demo admin: from the home page's link, upload a
// small transactions CSV with one bad row, watch the run complete with its counts (the page
// polls while it runs), and download the rejected-rows report.
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { startDemoWeb, stopDemoApp } from "../helpers/demo-app";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startWebServer } from "../../scripts/lib/web-server";

const DEMO = "imports-demo.myshopify.com";

describe("imports page in a real browser", () => {
  let db: TestDatabase;
  let web: Awaited<ReturnType<typeof startWebServer>>;
  let browser: Browser;
  let shopId: number;
  let uploaded: string | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
    shopId = (await db.pool.query(
      `insert into shops (domain, platform, currency, timezone, updated_at) values ($1, 'shopify', 'USD', 'America/New_York', now()) returning id`,
      [DEMO])).rows[0].id;
    ({ web, browser } = await startDemoWeb());
    // The imports worker, as `npm run demo` runs it, on the same queues as the web server.
    const { queues } = await import("../../jobs/queues");
    const { pool } = await import("../../app/db.server");
    const { registerImportsWorker } = await import("../../jobs/imports/worker");
    const pino = (await import("pino")).default;
    registerImportsWorker({ qs: queues(), db: pool(), logger: pino({ level: "silent" }) });
  }, 240_000);

  afterAll(async () => {
    await stopDemoApp({ browser, web, db });
    // Only the file this test uploaded: the folder may hold a local demo's uploads.
    if (uploaded) rmSync(uploaded, { force: true });
  });

  it("uploads a CSV and sees the run complete with its counts", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web.url}/app`);
    await page.click("a[href='/app/imports']");
    await page.waitForSelector("text=Import a CSV file");
    await page.selectOption("select[name=format]", "transactions");
    await page.setInputFiles("input[data-upload-file]", {
      name: "sales.csv", mimeType: "text/csv",
      buffer: Buffer.from("customer_id,date,amount\nc1,2024-01-02,10.00\nc2,2024-01-03,5.50\nc1,yesterday,1.00\nc3,2024-02-01,7.25\n"),
    });
    await page.click("button:has-text('Upload and import')");
    await page.waitForSelector("[data-run-status] >> text=succeeded", { timeout: 60_000 });
    expect(await page.textContent("[data-run-counts]")).toBe("read 4 · written 3 · rejected 1");
    expect(await page.textContent("body")).toContain("sales.csv");

    const run = (await db.pool.query(`select id::text, cursor->>'file' as file from import_runs where shop_id = $1`, [shopId])).rows[0];
    expect(run.file.startsWith(path.join(process.cwd(), ".data", "uploads", String(shopId)) + path.sep)).toBe(true);
    uploaded = run.file;
    expect(existsSync(run.file)).toBe(true);
    const href = await page.getAttribute("a:has-text('Rejected rows')", "href");
    expect(href).toBe(`/app/imports/${run.id}/report.csv`);
    const report = await fetch(`${web.url}${href}`);
    expect(report.headers.get("content-type")).toContain("text/csv");
    expect(await report.text()).toBe(`line,reason\r\n4,"processedAt: unrecognised date/time ""yesterday"""\r\n`);
    const orders = await db.pool.query(`select count(*)::int n from orders where shop_id = $1`, [shopId]);
    expect(orders.rows[0].n).toBe(3);
    await page.waitForLoadState("networkidle");
    expect(errors).toEqual([]);
    await page.close();
  }, 150_000);
});
