// The browser-test harness: the production build served over HTTP in demo mode (no Shopify
// login) against a test database, and a real Chromium. Every UI test starts and stops it here.
import type { Browser } from "playwright-core";
import { ensureBuild } from "../../scripts/lib/build";
import { startWebServer } from "../../scripts/lib/web-server";
import { configureAppEnv } from "./app-env";
import { launchBrowser } from "./browser";
import type { TestDatabase } from "./db";

export type DemoWeb = Awaited<ReturnType<typeof startWebServer>>;

/** Points the app at `db` and serves `domain`'s admin without a login. */
export function configureDemoApp(db: TestDatabase, domain: string, extra: Record<string, string> = {}): void {
  configureAppEnv(db, { WINBACK_DEMO_SHOP: domain, NODE_ENV: "development", ...extra });
}

export async function startDemoWeb(): Promise<{ web: DemoWeb; browser: Browser }> {
  await ensureBuild(() => {});
  const web = await startWebServer(0, "127.0.0.1");
  const browser = await launchBrowser();
  return { web, browser };
}

export async function stopDemoApp(parts: { browser?: Browser; web?: DemoWeb; db?: TestDatabase }): Promise<void> {
  await parts.browser?.close();
  await parts.web?.close();
  const { closeDatabase } = await import("../../app/db.server");
  const { closeSharedQueues } = await import("../../jobs/queues");
  await closeSharedQueues();
  await closeDatabase();
  await parts.db?.drop();
}
