// Settings > Sending rules in a real browser: reached from the navigation; the defaults shown;
// a problem named beside its field and nothing saved; a change saved and still there after a
// reload; the SMS rules listed as data with their sources, the calling-hour charts marked as
// applied or off with the checkbox.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GovernanceSettingsSchema } from "../../core/governance/schema";
import { SMS_RULES } from "../../core/governance/compliance-rules";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { configureDemoApp, startDemoWeb, stopDemoApp, type DemoWeb } from "../helpers/demo-app";
import { insertShop } from "../helpers/fixtures";

const DEMO = "governance-ui.myshopify.com";

describe("sending rules in a real browser", () => {
  let db: TestDatabase;
  let web: DemoWeb;
  let browser: Browser;
  let shopId: number;

  beforeAll(async () => {
    db = await createTestDatabase("govui");
    configureDemoApp(db, DEMO);
    shopId = await insertShop(db.pool, DEMO);
    ({ web, browser } = await startDemoWeb());
  }, 300_000);

  afterAll(async () => {
    await stopDemoApp({ browser, web, db });
  });

  it("edits caps and the SMS window, with problems beside the field, and lists the rules with sources", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web.url}/app`);
    await page.locator("[data-app-nav]").getByRole("link", { name: "Sending rules" }).click();
    await page.waitForSelector("[data-sms-rules]");
    await page.waitForLoadState("networkidle");
    const label = (l: string) => page.getByLabel(l, { exact: true });
    expect(await label("Email: at most").inputValue()).toBe("2");
    expect(await label("Email: per").inputValue()).toBe("7");
    expect(await label("From (HH:MM)").inputValue()).toBe("08:00");

    // Every rule is listed with its source; Florida's limit is there as data.
    expect(await page.locator("[data-rule-region]").count()).toBe(SMS_RULES.length);
    const fl = page.locator("tr", { has: page.locator("[data-rule-region='US-FL']") });
    expect(await fl.textContent()).toContain("every day 08:00–20:00");
    expect(await fl.locator("td").nth(1).textContent()).toBe("3");
    expect(await fl.locator("a").getAttribute("href")).toBe(SMS_RULES.find((r) => r.region === "US-FL")!.source);
    const al = page.locator("tr", { has: page.locator("[data-rule-region='US-AL']") });
    expect(await al.textContent()).toContain("applied");

    // An inverted window is refused beside the field; nothing is stored.
    await label("From (HH:MM)").fill("22:00");
    // The schema's rule shows while editing, before any save.
    const fromError = page.locator(`[id="${await label("From (HH:MM)").getAttribute("id")}Error"]`);
    await fromError.waitFor();
    expect(await fromError.textContent()).toContain("the window must start before it ends");
    await page.click("button:has-text('Save')");
    await page.waitForSelector("[data-governance-result=errors]");
    expect(await page.textContent("[data-governance-result=errors]")).toContain("the window must start before it ends");
    // Polaris ties a field's error to it by id: <id>Error.
    expect(await page.locator(`[id="${await label("From (HH:MM)").getAttribute("id")}Error"]`).textContent()).toContain("start before it ends");
    expect((await db.pool.query(`select settings->'governance' as g from shops where id = $1`, [shopId])).rows[0].g).toBeNull();

    // A blank number holds the save until it is filled.
    await label("Email: at most").fill("");
    expect(await page.isDisabled("button:has-text('Save')")).toBe(true);
    await label("Email: at most").fill("3");
    await label("From (HH:MM)").fill("09:00");
    await label("SMS: quiet for").fill("2");
    await page.getByLabel("SMS: quiet for unit", { exact: true }).selectOption("days");
    await page.getByLabel(/Also apply the states' calling-hour charts/).uncheck();
    expect(await al.textContent()).toContain("off");
    await page.click("button:has-text('Save')");
    await page.waitForSelector("[data-governance-result=ok]");
    const g = GovernanceSettingsSchema.parse((await db.pool.query(`select settings->'governance' as g from shops where id = $1`, [shopId])).rows[0].g);
    expect(g.caps.email).toEqual({ max: 3, windowMs: 7 * 86_400_000 });
    expect(g.quietHours).toEqual({ sms: ["09:00", "21:00"], applyCallChartStates: false });
    expect(g.smartSendingMs.sms).toBe(2 * 86_400_000);

    await page.reload();
    await page.waitForSelector("[data-sms-rules]");
    expect(await label("Email: at most").inputValue()).toBe("3");
    expect(await label("From (HH:MM)").inputValue()).toBe("09:00");
    expect(await label("SMS: quiet for").inputValue()).toBe("2");
    expect(await page.textContent("[data-governance-history]")).toMatch(/by demo \(caps, smart sending, quiet hours\)/);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
