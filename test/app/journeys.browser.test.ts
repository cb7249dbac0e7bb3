// The journey pages in a real browser: install a ready-made journey from the list, open it,
// publish, pause and resume (choosing a policy), publish a change and restore the earlier
// version, see conflict suppressions at entry, each step's effect visible on the page.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateJourneyDraft } from "../../app/models/journeys.server";
import { winBackSeries } from "../../core/journeys/templates/win-back";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { configureDemoApp, startDemoWeb, stopDemoApp, type DemoWeb } from "../helpers/demo-app";
import { journeyShop } from "../jobs/journeys/fixtures";

const DEMO = "journeys-demo.myshopify.com";

describe("journey pages in a real browser", () => {
  let db: TestDatabase;
  let web: DemoWeb;
  let browser: Browser;
  let shopId: number;

  beforeAll(async () => {
    db = await createTestDatabase("jbrowser");
    configureDemoApp(db, DEMO);
    shopId = await journeyShop(db.pool, DEMO);
    ({ web, browser } = await startDemoWeb());
  }, 300_000);

  afterAll(async () => {
    await stopDemoApp({ browser, web, db });
  });

  const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? "").trim();
  // A Polaris badge also carries its tone as hidden text ("Info", "Success"...): read the label.
  const badge = async (page: Page, selector: string) => (await text(page, selector)).replace(/^(Info|Success|Warning|Attention|Critical)/, "");

  it("install, publish, pause, resume and restore", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));

    await db.pool.query(`insert into alerts (shop_id, kind, severity, message) values ($1, 'channel_failure', 'error', 'sms send failed (timeout)')`, [shopId]);
    await page.goto(`${web.url}/app/journeys`);
    await page.waitForSelector("[data-journeys-empty]");
    expect(await text(page, "[data-alerts-banner]")).toContain("1 open alert (1 need attention)");
    await page.click("button[aria-label='Install Win-back series']");
    await page.waitForSelector("[data-template-installed=tpl-win-back]");
    const id = await page.getAttribute("[data-journey-row]", "data-journey-row");
    expect(id).toMatch(/^\d+$/);
    expect(await badge(page, `[data-journey-status="${id}"]`)).toBe("Draft");
    expect(await page.$("[data-journeys-empty]")).toBeNull();

    await page.click(`[data-journey-link="${id}"]`);
    await page.waitForSelector("[data-journey-detail-status]");
    expect(page.url()).toBe(`${web.url}/app/journeys/${id}`);
    expect(await badge(page, "[data-journey-detail-status]")).toBe("Draft");
    // Every node of the template is listed in the step table before anyone enters.
    expect(await page.$$eval("[data-node-row]", (els) => els.length)).toBe(winBackSeries.nodes.length);

    await page.click("button:has-text('Publish')");
    // The action's message shows while the page data reloads: wait for the reloaded history.
    await page.waitForSelector("[data-version='1']");
    expect(await text(page, "[data-journey-message]")).toBe("Published as version 1.");
    expect(await badge(page, "[data-journey-detail-status]")).toBe("Published");
    expect(await text(page, "[data-version='1']")).toContain("Live");

    await page.click("button:has-text('Pause journey')");
    await page.waitForSelector("[data-resume-form]");
    expect(await badge(page, "[data-journey-detail-status]")).toBe("Paused");
    await page.selectOption("[data-resume-form] select", "skip");
    await page.click("[data-resume-form] button[type=submit]");
    await page.waitForSelector("button:has-text('Pause journey')");
    expect(await text(page, "[data-journey-message]")).toMatch(/^Resumed \(skip\)/);
    expect(await badge(page, "[data-journey-detail-status]")).toBe("Published");
    expect(await text(page, "[data-audit]")).toMatch(/resume[\s\S]*pause[\s\S]*publish/);

    // The editor saves a change (its own route); publishing it makes version 2.
    await updateJourneyDraft(db.pool, shopId, id!, { ...winBackSeries, name: "Win-back series, shorter" }, "test");
    await page.reload();
    await page.click("button:has-text('Publish changes')");
    await page.waitForSelector("[data-version='2']");
    expect(await text(page, "[data-version='2']")).toContain("Live");

    // Restore asks for confirmation in the page itself: wait for the page to be hydrated.
    await page.waitForLoadState("networkidle");
    await page.click("button[aria-label='Restore version 1']");
    await page.click("button[aria-label='Confirm restore of version 1']");
    await page.waitForSelector("[data-version='3']");
    expect(await text(page, "[data-journey-message]")).toBe("Version 1 restored as version 3.");
    expect(await text(page, "[data-version='3']")).toContain("Live");
    expect(await text(page, "[data-versions]")).toContain("Restored v1");
    const live = await db.pool.query(`select definition->>'name' as name from journeys j join journey_versions v on v.shop_id = j.shop_id and v.journey_id = j.id and v.version = j.live_version where j.shop_id = $1`, [shopId]);
    expect(live.rows).toEqual([{ name: "Win-back series" }]);

    // Customers the conflict rules kept out show as suppressed at entry, with the reason.
    expect(await text(page, "[data-entry-suppressed]")).toBe("—");
    await db.pool.query(
      `insert into journey_entry_suppressions (shop_id, journey_id, customer_id, trigger_key, journey_version, reason, detail)
       values ($1, $2, 1, 'e1', 3, 'lost_priority', '{"by": ["9"]}'), ($1, $2, 2, 'e2', 3, 'lost_priority', '{"by": ["9"]}'), ($1, $2, 1, 'e3', 3, 'min_time_in_stage', null)`,
      [shopId, id]);
    await page.reload();
    await page.waitForSelector("[data-entry-suppressed]");
    expect(await text(page, "[data-entry-suppressed]")).toBe("conflict (lost priority) 2, conflict (min time in stage) 1");
    expect(await text(page, "[data-journey-total='suppressed-entry']")).toBe("3");

    await page.goto(`${web.url}/app/journeys`);
    await page.waitForSelector(`[data-journey-status="${id}"]`);
    expect(await badge(page, `[data-journey-status="${id}"]`)).toBe("Published");

    // The definition editor shows the draft's nodes, checked as it loads.
    await page.goto(`${web.url}/app/journeys/${id}/edit`);
    await page.waitForSelector("[data-editor-node]");
    expect(await page.locator("[data-editor-node][data-node-state='valid']").count()).toBeGreaterThan(3);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
