// Segments in a real browser: the list shows the ready-made segments with sizes, the builder
// shows a live count while a segment is edited, saving stores it with its members, and the
// RFM grid opens a cell and saves it as a segment.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSegment, type SegmentNode } from "../../core/segments";
import { installPresetSegments, refreshShopSegments } from "../../jobs/segments";
import { configureAppEnv } from "../helpers/app-env";
import { startDemoWeb, stopDemoApp } from "../helpers/demo-app";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedDemoShop } from "../../scripts/demo-data/seed";
import { startWebServer } from "../../scripts/lib/web-server";

const DEMO = "segments-browser.myshopify.com";
const NOW = new Date();

describe("segments in a real browser", () => {
  let db: TestDatabase;
  let web: Awaited<ReturnType<typeof startWebServer>>;
  let browser: Browser;
  let shopId: number;
  let timezone: string;

  async function expectedCount(tree: SegmentNode): Promise<number> {
    return (await db.pool.query(compileSegment(tree, { shopId, now: new Date(), timezone }))).rowCount ?? 0;
  }

  beforeAll(async () => {
    db = await createTestDatabase("segui");
    db.pool.on("error", () => {});
    configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
    const seeded = await seedDemoShop(db.pool, { now: NOW, customers: 300, domain: DEMO });
    shopId = seeded.shopId;
    timezone = (await db.pool.query(`select timezone from shops where id = $1`, [shopId])).rows[0].timezone;
    // Quintile RFM scores, enough for the grid.
    await db.pool.query(
      `insert into customer_scores (shop_id, customer_id, recency_score, frequency_score, monetary_score, p_alive, clv)
       select shop_id, id, ntile(5) over (order by last_at nulls first), ntile(5) over (order by n), ntile(5) over (order by spent), 0.5, spent
       from (select c.shop_id, c.id, max(o.processed_at) as last_at, count(o.id) as n, coalesce(sum(o.total), 0) as spent
             from customers c left join orders o on o.shop_id = c.shop_id and o.customer_id = c.id
             where c.shop_id = $1 group by c.shop_id, c.id) x`,
      [shopId],
    );
    await installPresetSegments(db.pool, shopId);
    await refreshShopSegments(db.pool, shopId, NOW);
    ({ web, browser } = await startDemoWeb());
  }, 240_000);

  afterAll(async () => {
    await stopDemoApp({ browser, web, db });
  });

  it("lists the ready-made segments with their sizes", async () => {
    const page = await browser.newPage();
    await page.goto(`${web.url}/app/segments`);
    await page.waitForSelector("[data-segment-name='Lapsed 90 days']");
    const lapsed = await db.pool.query(`select id::text, member_count from segments where shop_id = $1 and template_key = 'lapsed_90'`, [shopId]);
    expect(lapsed.rows[0].member_count).toBeGreaterThan(0);
    expect(await page.textContent(`[data-segment-size='${lapsed.rows[0].id}']`)).toBe(lapsed.rows[0].member_count.toLocaleString("en-US"));
    await page.close();
  });

  it("builds a segment with a live count and saves it", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web.url}/app/segments/new`);
    await page.waitForLoadState("networkidle");
    const starter: SegmentNode = { kind: "and", children: [{ kind: "orders", metric: "last_order_at", window: { kind: "all_time" }, cmp: { op: "in_window", window: { kind: "older_than_days", days: 90 } } }] };
    await page.waitForFunction((n) => document.querySelector("[data-testid=preview-count]")?.textContent === n, (await expectedCount(starter)).toLocaleString("en-US"));

    // Edit: lapsed more than 200 days, and (a new condition) at least 2 orders.
    const cond = "[data-testid=cond-root-children-0-]";
    await page.fill(`${cond} [data-testid=cond-root-children-0--window-days] input`, "200");
    await page.getByRole("button", { name: "Add condition" }).click();
    await page.fill(`[data-testid=cond-root-children-1--value] input`, "2");
    const edited: SegmentNode = {
      kind: "and",
      children: [
        { kind: "orders", metric: "last_order_at", window: { kind: "all_time" }, cmp: { op: "in_window", window: { kind: "older_than_days", days: 200 } } },
        { kind: "orders", metric: "count", window: { kind: "all_time" }, cmp: { op: "gte", value: 2 } },
      ],
    };
    const want = await expectedCount(edited);
    await page.waitForFunction((n) => document.querySelector("[data-testid=preview-count]")?.textContent === n, want.toLocaleString("en-US"));

    await page.fill(`[data-testid=segment-name] input`, "Lapsed regulars");

    await page.click("[data-testid=save-segment] button");
    await page.waitForURL(/\/app\/segments\/\d+$/);
    const id = page.url().split("/").pop();
    const saved = await db.pool.query(`select name, definition, member_count, version from segments where shop_id = $1 and id = $2`, [shopId, id]);
    expect(saved.rows[0]).toMatchObject({ name: "Lapsed regulars", definition: edited, member_count: want, version: 1 });
    const members = await db.pool.query(`select count(*)::int as n from segment_memberships where shop_id = $1 and segment_id = $2`, [shopId, id]);
    expect(members.rows[0].n).toBe(want);
    await page.waitForLoadState("networkidle");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows validation errors on the node", async () => {
    const page = await browser.newPage();
    await page.goto(`${web.url}/app/segments/new`);
    await page.waitForLoadState("networkidle");
    await page.fill(`[data-testid=cond-root-children-0--window-days] input`, "0");
    await page.waitForSelector("[data-testid=cond-root-children-0-] [data-testid=node-error]");
    expect(await page.textContent("[data-testid=cond-root-children-0-] [data-testid=node-error]")).toContain("root.children[0]");
    await page.close();
  });

  it("opens the RFM grid, a cell's customers, and saves the cell as a segment", async () => {
    const page = await browser.newPage();
    await page.goto(`${web.url}/app/segments/rfm`);
    await page.waitForSelector("[data-testid=rfm-grid]");
    const grid = await db.pool.query(
      `select recency_score as r, ((frequency_score + monetary_score + 1) / 2)::int as fm, count(*)::int as n from customer_scores where shop_id = $1 group by 1, 2 order by n desc limit 1`,
      [shopId],
    );
    const { r, fm, n } = grid.rows[0];
    expect(await page.textContent(`[data-rfm-cell='${r}-${fm}']`)).toBe(n.toLocaleString("en-US"));
    await page.click(`[data-rfm-cell='${r}-${fm}'] a`);
    await page.waitForSelector("[data-testid=rfm-cell-count]");
    expect(await page.textContent("[data-testid=rfm-cell-count]")).toBe(n.toLocaleString("en-US"));
    // The cell opens all its customers in the Customers page, not only the sample.
    const sampleLink = page.locator("a[href^='/app/customers/']").first();
    expect(await sampleLink.count()).toBe(1);
    expect(await page.getAttribute("[data-testid=rfm-cell-customers]", "href")).toBe(`/app/customers?r=${r}&fm=${fm}`);
    const list = await browser.newPage();
    await list.goto(`${web.url}/app/customers?r=${r}&fm=${fm}`);
    await list.waitForSelector("[data-testid=rfm-cell-filter]");
    const shown = await list.locator("[data-customer-link]").evaluateAll((links) => links.map((a) => a.getAttribute("data-customer-link")));
    const members = await db.pool.query(
      `select customer_id::text as id from customer_scores where shop_id = $1 and recency_score = $2 and (frequency_score + monetary_score + 1) / 2 = $3`,
      [shopId, r, fm],
    );
    expect(shown.length).toBe(Math.min(n, 50));
    const memberIds = new Set(members.rows.map((x) => x.id));
    expect(shown.every((id) => memberIds.has(id!))).toBe(true);
    await list.close();
    await page.getByRole("button", { name: "Save as segment" }).click();
    await page.waitForURL(/\/app\/segments\/\d+$/);
    const id = page.url().split("/").pop();
    const saved = await db.pool.query(`select member_count from segments where shop_id = $1 and id = $2`, [shopId, id]);
    expect(saved.rows[0].member_count).toBe(n);

    const csv = await fetch(`${web.url}/app/segments/${id}/export.csv`);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect((await csv.text()).trim().split("\n")).toHaveLength(n + 1);
    await page.close();
  });
});
