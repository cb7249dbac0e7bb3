import { afterAll, beforeAll, it } from "vitest";
import { createJourney } from "../../app/models/journeys.server";
import { JOURNEY_TEMPLATES } from "../../core/journeys/templates";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { configureDemoApp, startDemoWeb, stopDemoApp, type DemoWeb } from "../helpers/demo-app";
import { journeyShop } from "../jobs/journeys/fixtures";
import type { Browser } from "playwright-core";
let db: TestDatabase; let web: DemoWeb; let browser: Browser; let shopId: number;
beforeAll(async () => { db = await createTestDatabase("jshot"); configureDemoApp(db, "shot.myshopify.com"); shopId = await journeyShop(db.pool, "shot.myshopify.com"); ({ web, browser } = await startDemoWeb()); }, 300_000);
afterAll(async () => { await stopDemoApp({ browser, web, db }); });
it("shots", async () => {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
  const errs: string[] = []; page.on("pageerror", (e) => errs.push(e.message)); page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errs.push(m.text()); });
  for (const t of [JOURNEY_TEMPLATES[0], JOURNEY_TEMPLATES[5]]) {
    const id = await createJourney(db.pool, shopId, { name: t.name, draft: t });
    await page.goto(`${web.url}/app/journeys/${id}/edit`);
    await page.waitForSelector("[data-editor-node='$trigger']"); await page.waitForTimeout(800);
    await page.screenshot({ path: `/tmp/shot-${t.id}.png` });
    await page.click("[data-editor-node='$trigger']"); await page.waitForTimeout(300);
    const n = t.nodes.find((x) => x.type === "ab_split") ?? t.nodes[1];
    await page.click(`[data-editor-node='${n.id}']`); await page.waitForTimeout(300);
    await page.screenshot({ path: `/tmp/shot-${t.id}-sel.png`, fullPage: true });
  }
  console.log("ERRS", JSON.stringify(errs));
}, 120_000);
