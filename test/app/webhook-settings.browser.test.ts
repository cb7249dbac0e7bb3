// Settings > Webhooks in a real browser: reached from the app's navigation; a shop without a
// secret sees so; "Create and reveal" shows the secret the engine will sign with, and Copy puts
// it on the clipboard; rotating asks for confirmation, then shows the new secret and fingerprint.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { configureDemoApp, startDemoWeb, stopDemoApp, type DemoWeb } from "../helpers/demo-app";
import { journeyShop } from "../jobs/journeys/fixtures";

const DEMO = "webhook-settings-ui.myshopify.com";

describe("webhook settings in a real browser", () => {
  let db: TestDatabase;
  let web: DemoWeb;
  let browser: Browser;

  beforeAll(async () => {
    db = await createTestDatabase("whsettingsui");
    configureDemoApp(db, DEMO);
    await journeyShop(db.pool, DEMO);
    ({ web, browser } = await startDemoWeb());
  }, 300_000);

  afterAll(async () => {
    await stopDemoApp({ browser, web, db });
  });

  it("reveals, copies and rotates the signing secret", async () => {
    const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web.url}/app`);
    await page.locator("[data-app-nav]").getByRole("link", { name: "Webhooks" }).click();
    await page.waitForSelector("[data-secret-status=none]");
    await page.waitForLoadState("networkidle");
    expect(await page.textContent("[data-header=signature]")).toBe("x-winback-signature");
    expect(await page.locator("button:has-text('Rotate secret')").count()).toBe(0);

    await page.click("button:has-text('Create and reveal secret')");
    await page.waitForSelector("[data-secret-value] input");
    const secret = await page.inputValue("[data-secret-value] input");
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    await page.waitForSelector("[data-secret-status=set]");
    const { webhookSecretFor } = await import("../../app/models/journey-effects.server");
    const shopId = (await db.pool.query<{ id: number }>(`select id from shops where domain = $1`, [DEMO])).rows[0].id;
    expect(await webhookSecretFor(shopId)).toBe(secret);
    const fingerprint = await page.textContent("[data-secret-fingerprint]");
    expect(fingerprint).toMatch(/^[0-9a-f]{12}$/);

    await page.click("[data-secret-value] button:has-text('Copy')");
    await page.waitForSelector("[data-secret-copied]");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    await page.click("button:has-text('Rotate secret')");
    await page.click("button:has-text('Cancel')");
    expect(await webhookSecretFor(shopId)).toBe(secret);
    await page.click("button:has-text('Rotate secret')");
    await page.click("button:has-text('Rotate now')");
    await page.waitForSelector("[data-secret-rotated]");
    const rotated = await page.inputValue("[data-secret-value] input");
    expect(rotated).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(rotated).not.toBe(secret);
    expect(await webhookSecretFor(shopId)).toBe(rotated);
    await page.waitForFunction((fp) => document.querySelector("[data-secret-fingerprint]")?.textContent !== fp, fingerprint);

    // A reload forgets the shown secret: it is never part of the page itself.
    await page.reload();
    await page.waitForSelector("[data-secret-status=set]");
    expect(await page.locator("[data-secret-value]").count()).toBe(0);
    expect(await page.content()).not.toContain(rotated);
    expect(await page.textContent("[data-secret-activity] li:first-child")).toContain("rotated by demo");
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
