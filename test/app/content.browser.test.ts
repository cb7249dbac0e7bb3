// The content editor in a real browser: typing an SMS with an emoji switches the live
// counter to UCS-2 and two segments; an email's preview is rendered by the server into the
// preview frame; saving with a misspelt variable shows its line and name; a GIF uploaded on
// the media page comes back from its content-hash URL.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { startDemoWeb, stopDemoApp } from "../helpers/demo-app";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";
import type { startWebServer } from "../../scripts/lib/web-server";

const DEMO = "content-browser.myshopify.com";

describe("content editor in a real browser", () => {
  let db: TestDatabase;
  let web: Awaited<ReturnType<typeof startWebServer>>;
  let browser: Browser;
  let mediaDir: string;

  beforeAll(async () => {
    db = await createTestDatabase("contentui");
    mediaDir = await mkdtemp(path.join(os.tmpdir(), "winback-media-ui-"));
    configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development", MEDIA_DIR: mediaDir });
    const shopId = await insertShop(db.pool, DEMO);
    await db.pool.query(`update shops set name = 'Bean There' where id = $1`, [shopId]);
    ({ web, browser } = await startDemoWeb());
  }, 300_000);

  afterAll(async () => {
    await stopDemoApp({ browser, web, db });
    await rm(mediaDir, { recursive: true, force: true });
  });

  it("SMS: the live counter shows GSM-7, then UCS-2 and 2 segments once an emoji is typed", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web.url}/app/content/new?channel=sms`);
    await page.waitForSelector("#content-sms-body");
    await page.fill("#content-sms-body", "Your beans are back in stock! Come and taste the new roast today. See you soon");
    await page.waitForSelector("[data-sms-encoding='GSM-7']");
    expect(await page.textContent("[data-sms-segments]")).toBe("1");

    // 78 characters + an emoji outside the BMP (2 UTF-16 units): 80 units > 70, so 2 segments.
    await page.fill("#content-sms-body", "Your beans are back in stock! Come and taste the new roast today 😀 See you soon");
    await page.waitForSelector("[data-sms-encoding='UCS-2']");
    expect(await page.textContent("[data-sms-characters]")).toBe("79");
    expect(await page.textContent("[data-sms-units]")).toBe("80");
    expect(await page.textContent("[data-sms-segments]")).toBe("2");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("email: the server-rendered preview shows the rendered HTML and the text part", async () => {
    const page = await browser.newPage();
    await page.goto(`${web.url}/app/content/new?channel=email`);
    await page.waitForSelector("#content-mjml");
    await page.fill(
      "#content-mjml",
      `<mjml><mj-body><mj-section><mj-column><mj-text>Fresh roasts at {{ shop.name }} for {{ customer.first_name | default: "you" }}</mj-text></mj-column></mj-section></mj-body></mjml>`,
    );
    await page.waitForFunction(() => document.querySelector("[data-preview-frame]")?.getAttribute("srcdoc")?.includes("Fresh roasts at Bean There for you"), null, { timeout: 20_000 });
    const frame = page.frameLocator("[data-preview-frame]");
    expect(await frame.locator("body").innerText()).toContain("Fresh roasts at Bean There for you");
    expect(await page.textContent("[data-preview-text]")).toContain("Fresh roasts at Bean There for you");

    // Saving with a misspelt variable: refused, with the line and name shown in the page.
    await page.fill("#content-mjml", `<mjml><mj-body><mj-section><mj-column>\n<mj-text>Hi {{ customer.frist_name }}</mj-text></mj-column></mj-section></mj-body></mjml>`);
    await page.getByLabel("Name").fill("Spring roasts");
    await page.getByRole("button", { name: "Save as new version" }).click();
    await page.waitForSelector("[data-issue-name='customer.frist_name']");
    expect(await page.getAttribute("[data-issue-name='customer.frist_name']", "data-issue-line")).toBe("2");
    expect((await db.pool.query(`select count(*)::int as n from message_contents`)).rows[0].n).toBe(0);

    // Fixed, it saves as version 1 and opens the message's page.
    await page.fill("#content-mjml", `<mjml><mj-body><mj-section><mj-column>\n<mj-text>Hi {{ customer.first_name | default: "there" }}</mj-text></mj-column></mj-section></mj-body></mjml>`);
    await page.getByRole("button", { name: "Save as new version" }).click();
    await page.waitForURL(/\/app\/content\/\d+$/);
    const saved = await db.pool.query(`select name, version from message_contents`);
    expect(saved.rows).toEqual([{ name: "Spring roasts", version: 1 }]);
    await page.close();
  });

  it("media: a GIF uploaded on the media page is served back byte for byte at its content-hash URL", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const gif = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
    await page.goto(`${web.url}/app/media`);
    await page.setInputFiles("input[name=file]", { name: "dot.gif", mimeType: "image/gif", buffer: gif });
    await page.getByRole("button", { name: "Upload" }).click();
    await page.waitForSelector("[data-media-url]");
    const url = (await page.textContent("[data-media-url]")) ?? "";
    const file = url.split("/").at(-1)!;
    expect(file).toBe(`${createHash("sha256").update(gif).digest("hex")}.gif`);
    const res = await fetch(`${web.url}/media/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/gif");
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(Buffer.from(await res.arrayBuffer()).equals(gif)).toBe(true);
    // The library and block pages open without errors.
    await page.goto(`${web.url}/app/content`);
    await page.waitForSelector("[data-content-name='Spring roasts']");
    await page.goto(`${web.url}/app/content/blocks`);
    await page.getByRole("button", { name: "footer" }).click();
    await page.getByRole("button", { name: "Save block" }).click();
    await page.waitForSelector("[data-block=footer]");
    expect(errors).toEqual([]);
    await page.close();
  });
});
