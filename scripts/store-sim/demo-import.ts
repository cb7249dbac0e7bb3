// The demo shop through the real import path: the store simulator serves the demo store
// (scripts/demo-data/generate.ts, the one generator), the shop gets an offline session stored
// the way installation stores it (sealed, through shopify().sessionStorage), and the first run
// imports everything with connectors/shopify/bulk-import.ts over the official client pointed
// at the simulator. The simulator keeps running, so webhooks, reconciliation and discount codes
// work against it for the rest of the demo. Tests and demo only: refuses NODE_ENV=production.
import { Session } from "@shopify/shopify-api";
import type pg from "pg";
import { runBulkImport, type ImportProgress, type ImportSummary } from "../../connectors/shopify/bulk-import";
import { generateDemoStore } from "../demo-data/generate";
import { pointShopifyClientsAt } from "./point";
import { startStoreSim, type StoreSim } from "./server";
import { simStoreFromDemo } from "./store";

export const DEMO_SIM_TOKEN = "shpat_winback_demo_store_sim";

export interface DemoImportOptions {
  pool: pg.Pool;
  domain: string;
  seed: number;
  customers: number;
  now: Date;
  /** Where the simulator sends webhooks: `{topic}` becomes the topic (e.g. http://127.0.0.1:3000/webhooks/{topic}). */
  webhookUrl?: string;
  webhookSecret?: string;
  onProgress?: (p: ImportProgress) => void;
}

export interface DemoImport {
  sim: StoreSim;
  shopId: number;
  /** The import's summary on the first run; undefined when the shop was imported before. */
  imported?: ImportSummary;
  close(): Promise<void>;
}

/** Starts the simulator with the demo store; imports it into the demo shop unless done already. */
export async function startDemoStoreAndImport(o: DemoImportOptions): Promise<DemoImport> {
  if (process.env.NODE_ENV === "production") throw new Error("the demo import refuses to run when NODE_ENV=production");
  // The history ends at the start of today, as seedDemoShop's does.
  const end = new Date(Date.UTC(o.now.getUTCFullYear(), o.now.getUTCMonth(), o.now.getUTCDate()));
  const store = simStoreFromDemo(generateDemoStore({ seed: o.seed, customers: o.customers, end }), { domain: o.domain, end });
  const sim = await startStoreSim({
    store, accessToken: DEMO_SIM_TOKEN, bulk: { runningAfterMs: 50, completeAfterMs: 200 },
    // A Plus-sized bucket: a demo should not wait on the cost throttle.
    bucket: { maximumAvailable: 20_000, restoreRate: 1_000 },
    webhooks: o.webhookUrl && o.webhookSecret ? { url: o.webhookUrl, secret: o.webhookSecret } : undefined,
  });
  const unpoint = pointShopifyClientsAt(sim);
  const close = async () => {
    unpoint();
    await sim.close();
  };
  try {
    const { shopId, fresh } = await ensureDemoShopRow(o.pool, o.domain, o.now);
    await storeOfflineSession(o.domain);
    const done = await o.pool.query(
      `select 1 from import_runs where shop_id = $1 and source = 'shopify' and kind = 'bulk' and status = 'succeeded' limit 1`, [shopId]);
    if (!fresh && done.rowCount) return { sim, shopId, close };
    // A run interrupted earlier is resumed from its cursor.
    const paused = await o.pool.query<{ id: string }>(
      `select id::text from import_runs where shop_id = $1 and source = 'shopify' and kind = 'bulk' and status in ('running', 'paused', 'failed')
       order by id desc limit 1`, [shopId]);
    const { shopAdminGraphql } = await import("../../jobs/shopify-sync/admin");
    const client = await shopAdminGraphql(o.domain);
    const r = await runBulkImport({ client, pool: o.pool, shopId, runId: paused.rows[0]?.id, pollIntervalMs: 100, batchSize: 5_000, onProgress: o.onProgress });
    if (!r.ok) throw new Error(`demo import failed: ${JSON.stringify(r.error)}`);
    await o.pool.query(`update shops set last_import_at = $2 where id = $1`, [shopId, o.now]);
    return { sim, shopId, imported: r.value, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The demo shop's row (as installation makes it), created once. */
async function ensureDemoShopRow(pool: pg.Pool, domain: string, now: Date): Promise<{ shopId: number; fresh: boolean }> {
  const existing = await pool.query<{ id: number }>(`select id from shops where domain = $1`, [domain]);
  if (existing.rows[0]) return { shopId: existing.rows[0].id, fresh: false };
  const org = await pool.query<{ id: number }>(`insert into organisations (name, kind) values ('Winback demo', 'merchant') returning id`);
  const shop = await pool.query<{ id: number }>(
    `insert into shops (organisation_id, domain, platform, name, currency, timezone, plan, status, settings, installed_at, updated_at)
     values ($1, $2, 'shopify', 'Winback Demo Coffee', 'USD', 'America/New_York', 'basic', 'installed', '{}', $3, now()) returning id`,
    [org.rows[0].id, domain, now]);
  return { shopId: shop.rows[0].id, fresh: true };
}

/** The offline session installation would store: sealed at rest by the app's session storage. */
async function storeOfflineSession(shop: string): Promise<void> {
  const { shopify } = await import("../../app/shopify.server");
  const { appConfig } = await import("../../app/config.server");
  await shopify().sessionStorage!.storeSession(new Session({
    id: `offline_${shop}`, shop, state: "demo", isOnline: false, scope: appConfig().SCOPES, accessToken: DEMO_SIM_TOKEN,
  }));
}
