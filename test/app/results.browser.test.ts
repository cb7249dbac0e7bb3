// The home page of the demo shop shows the opportunity estimate, and the Results link opens
// /app/results with recovered revenue, lift and the A/B panel, in a real browser.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { startDemoWeb, stopDemoApp } from "../helpers/demo-app";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedDemoShop } from "../../scripts/demo-data/seed";
import { startWebServer } from "../../scripts/lib/web-server";
import { buildOpportunityEstimate } from "../../app/models/opportunity.server";
import { attributeShop } from "../../jobs/attribution/attribute";

const DEMO = "results-demo.myshopify.com";

describe("results and opportunity in a real browser", () => {
  let db: TestDatabase;
  let web: Awaited<ReturnType<typeof startWebServer>>;
  let browser: Browser;
  let shopId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
    const seeded = await seedDemoShop(db.pool, { now: new Date(), customers: 300, domain: DEMO });
    shopId = seeded.shopId;
    // A journey with a holdout over 40 customers: the 20 treated got an email, clicked, and
    // 8 of them ordered an hour later; 2 of the 20 held out ordered too.
    const q = (text: string) => db.pool.query(text, [shopId]);
    await q(`insert into journeys (shop_id, id, name, status, draft) values ($1, 900, 'Dormant win-back', 'published', '{}')`);
    await q(
      `insert into journey_assignments (shop_id, journey_id, node_id, customer_id, kind, value, enrollment_id, assigned_at)
       select $1, 900, 'holdout', c.id, 'holdout', case when c.rn % 2 = 0 then 'treatment' else 'control' end, c.id, now() - interval '10 days'
       from (select id, row_number() over (order by id) as rn from customers c
             where shop_id = $1 and not exists (
               select 1 from orders o where o.shop_id = $1 and o.customer_id = c.id and o.processed_at > now() - interval '30 days')
             order by id limit 40) c`,
    );
    await q(
      `insert into messages (shop_id, idempotency_key, customer_id, journey_id, channel, purpose, status, sent_at)
       select $1, 'browser-' || customer_id, customer_id, 900, 'email', 'promotional', 'sent', now() - interval '9 days'
       from journey_assignments where shop_id = $1 and journey_id = 900 and value = 'treatment'`,
    );
    await q(
      `insert into events (shop_id, customer_id, name, occurred_at, message_id)
       select $1, customer_id, 'message_clicked', now() - interval '8 days', id from messages where shop_id = $1 and journey_id = 900`,
    );
    await q(
      `insert into orders (shop_id, source, external_id, customer_id, processed_at, currency, total)
       select $1, 'shopify', 'browser-' || a.customer_id, a.customer_id, now() - interval '8 days' + interval '1 hour', 'USD', 6500
       from (select customer_id, value, row_number() over (partition by value order by customer_id) as k
             from journey_assignments where shop_id = $1 and journey_id = 900) a
       where (a.value = 'treatment' and a.k <= 8) or (a.value = 'control' and a.k <= 2)`,
    );
    await attributeShop(db.pool, shopId);
    ({ web, browser } = await startDemoWeb());
  }, 180_000);

  afterAll(async () => {
    await stopDemoApp({ browser, web, db });
  });

  it("home shows the opportunity card, labelled as an estimate; Results opens the results page", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web.url}/`);
    await page.waitForSelector("[data-opportunity-card]");
    const expected = await buildOpportunityEstimate(db.pool, shopId, new Date());
    expect(expected.dormantCustomers).toBeGreaterThan(0);
    expect(await page.textContent("[data-opportunity=dormant]")).toBe(expected.dormantCustomers.toLocaleString("en-US"));
    const card = (await page.textContent("[data-opportunity-card]")) ?? "";
    expect(card).toContain("Estimate");
    expect(card).toContain("Assumptions");
    for (const s of ["conservative", "expected", "optimistic"]) expect(await page.textContent(`[data-opportunity=${s}]`)).toMatch(/^\$[\d,]+\.\d\d$/);
    await page.waitForLoadState("networkidle");

    await page.click("a[href='/app/results']");
    await page.waitForSelector("[data-results=recovered]");
    expect(page.url()).toContain("/app/results");
    // 8 treated orders of $65.00 credited to their clicks.
    expect(await page.textContent("[data-results=credited]")).toBe("$520.00");
    expect(await page.textContent("[data-results=win-back-rate]")).toBe("40.0%");
    expect(await page.textContent("[data-results=lift-interval]")).toMatch(/^\+30\.0 pts \(95% CI .+ to .+\)$/);
    expect(await page.textContent("[data-results=journeys]")).toContain("Dormant win-back");
    expect(await page.textContent("[data-results=ab]")).toContain("No A/B split");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("/app/results loads directly", async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${web.url}/app/results`);
    expect(res?.status()).toBe(200);
    await page.waitForSelector("[data-results=lift]");
    await page.close();
  });

  it("adopts an A/B winner in one click and says so", async () => {
    // A published journey whose split b (50 of 100 ordered) clearly beats a (0 of 100).
    const { createJourney, publishJourney } = await import("../../app/models/journeys.server");
    const send = (id: string, next: string) => ({ id, type: "send", channel: "email", contentId: id, purpose: "promotional", next });
    const draft = {
      id: "draft", version: 1, name: "Split test", trigger: { kind: "custom_event", name: "go" }, startNodeId: "h",
      nodes: [{ id: "h", type: "holdout", controlPercent: 5, next: "split" }, { id: "split", type: "ab_split", variants: [{ key: "a", weight: 1, next: "send-a" }, { key: "b", weight: 1, next: "send-b" }] }, send("send-a", "end"), send("send-b", "end"), { id: "end", type: "exit" }],
    };
    const journeyId = await createJourney(db.pool, shopId, { name: "Split test", draft });
    expect((await publishJourney(db.pool, shopId, journeyId, "test")).ok).toBe(true);
    const ids = (await db.pool.query<{ id: string }>(`insert into customers (shop_id, updated_at) select $1, now() from generate_series(1, 200) returning id::text`, [shopId])).rows.map((r) => r.id);
    await db.pool.query(
      `insert into journey_assignments (shop_id, journey_id, node_id, customer_id, kind, value, enrollment_id, assigned_at)
       select $1, $2, 'split', c, 'ab_split', case when k <= 100 then 'a' else 'b' end, c, now() - interval '3 days' from unnest($3::bigint[]) with ordinality as t(c, k)`,
      [shopId, journeyId, ids],
    );
    await db.pool.query(
      `insert into orders (shop_id, source, external_id, customer_id, processed_at, currency, total)
       select $1, 'shopify', 'split-' || c, c, now() - interval '2 days', 'USD', 3000 from unnest($2::bigint[]) c`,
      [shopId, ids.slice(100, 150)],
    );
    const page = await browser.newPage();
    await page.goto(`${web.url}/app/results`);
    await page.click(`[data-ab-adopt="${journeyId}:split"] button`);
    await page.waitForSelector("[data-results=adopt-message]");
    expect(await page.textContent("[data-results=adopt-message]")).toMatch(/^Variant b adopted: published as version 2/);
    const live = await db.pool.query(`select live_version from journeys where shop_id = $1 and id = $2`, [shopId, journeyId]);
    expect(live.rows[0].live_version).toBe(2);
    // The split is gone from the live version, so the panel offers no adoption any more.
    await page.waitForSelector(`[data-ab-adopt="${journeyId}:split"]`, { state: "detached" });
    await page.close();
  });
});
