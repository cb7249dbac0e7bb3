// The demo's channels in a real browser: the demo's local SMTP server and Twilio simulator
// are the demo shop's providers; the merchant sends a test email from Settings > Channels,
// finds it in the Outbox (reached from the home page), and opens it rendered in a sandboxed
// iframe. The secret fields of the settings page show "saved", never the secret.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { startDemoWeb, stopDemoApp } from "../helpers/demo-app";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedDemoShop } from "../../scripts/demo-data/seed";
import { startWebServer } from "../../scripts/lib/web-server";
import type { DemoChannels } from "../../scripts/sims/demo-channels";

const DEMO = "outbox-demo.myshopify.com";

describe("Outbox in a real browser", () => {
  let db: TestDatabase;
  let web: Awaited<ReturnType<typeof startWebServer>>;
  let browser: Browser;
  let channels: DemoChannels;
  let shopId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
    const seeded = await seedDemoShop(db.pool, { now: new Date("2026-11-01T12:00:00Z"), customers: 200, domain: DEMO });
    shopId = seeded.shopId;
    const { startDemoChannels } = await import("../../scripts/sims/demo-channels");
    channels = await startDemoChannels(db.pool, DEMO, { autoStatusMs: 60_000 });
    ({ web, browser } = await startDemoWeb());
  }, 240_000);

  afterAll(async () => {
    await channels?.close();
    await stopDemoApp({ browser, web, db });
  });

  it("sends a test email from Channels, lists it in the Outbox and shows it rendered", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));

    await page.goto(`${web.url}/app/settings/channels`);
    // The demo registered its local providers; secrets are shown as saved, never echoed.
    await page.waitForSelector("[data-test-form=email]");
    expect(await page.getAttribute("[data-secret-field=authToken]", "data-secret-state")).toBe("saved");
    expect(await page.inputValue("[data-secret-field=authToken] input")).toBe("");
    await page.waitForLoadState("networkidle");

    await page.fill("[data-test-form=email] input[name=to]", "merchant@example.com");
    await page.click("[data-test-form=email] button[type=submit]");
    await page.getByText("Test email sent.").waitFor();
    expect(channels.smtp.received).toHaveLength(1);
    expect(channels.smtp.received[0].recipients).toEqual(["merchant@example.com"]);

    // From the home page to the Outbox, through the app navigation.
    await page.goto(`${web.url}/app`);
    await page.locator("[data-app-nav]").getByRole("link", { name: "Outbox" }).click();
    await page.waitForURL(/\/app\/outbox$/);
    await page.waitForSelector("[data-outbox-row]");
    expect(await page.textContent("[data-outbox-subject]")).toBe("Winback test email");
    const body = (await page.textContent("body")) ?? "";
    expect(body).toContain("me***@example.com");
    expect(body).not.toContain("merchant@example.com");
    expect(body).toContain("delivered");

    await page.click("[data-outbox-view]");
    await page.waitForSelector("iframe[data-outbox-preview]");
    expect(await page.getAttribute("iframe[data-outbox-preview]", "sandbox")).toBe("");
    const frame = page.frameLocator("iframe[data-outbox-preview]");
    await expect.poll(async () => frame.locator("h1").textContent(), { timeout: 10_000 }).toBe("Winback test email");

    await page.waitForLoadState("networkidle");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the preview URL needs the Outbox's signature", async () => {
    const row = await db.pool.query<{ id: string }>(`select id::text from outbox where shop_id = $1 order by id limit 1`, [shopId]);
    const id = row.rows[0].id;
    const res = await fetch(`${web.url}/app/outbox/${id}/html?t=${shopId}.9999999999.forged`);
    expect(res.status).toBe(403);
    const none = await fetch(`${web.url}/app/outbox/${id}/html`);
    expect(none.status).toBe(403);
  });

  it("an SMS through the Twilio simulator is listed too", async () => {
    const { sendTestMessage } = await import("../../app/models/channels.server");
    const r = await sendTestMessage(shopId, DEMO, "sms", "+12125550199");
    expect(r.ok).toBe(true);
    const api = await fetch(`${web.url}/api/v1/outbox?channel=sms`);
    expect(api.status).toBe(200);
    const { items } = (await api.json()) as { items: Array<{ recipient: string; preview: string; channel: string }> };
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ channel: "sms", recipient: "+*******0199" });
    expect(items[0].preview).toContain("Winback test message");
  });
});
