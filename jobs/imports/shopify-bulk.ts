// A Shopify historical import as an import job: the bulk import (connectors/shopify/bulk-import)
// run for an import_runs row, resumed from its cursor, cancelled from the Imports page, and
// woken by the bulk_operations/finish webhook rather than only by polling: the webhook's
// delivery row is looked for every second, and Shopify is asked directly only every 30 s in
// case the webhook never comes.
import type pg from "pg";
import { runBulkImport } from "../../connectors/shopify/bulk-import";
import type { AdminGraphql } from "../../connectors/shopify/client";
import type { RunOutcome, RunProgress } from "./run-import";

export interface ShopifyImportOptions {
  /** The shop's Admin client; by default the offline session's (jobs/shopify-sync/admin). */
  client?: AdminGraphql;
  /** How often Shopify itself is asked about a running operation. */
  pollIntervalMs?: number;
  /** How often the finish webhook's delivery, and a cancel, are looked for. */
  checkEveryMs?: number;
  now?: () => Date;
  onProgress?: (p: RunProgress) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runShopifyBulkImport(db: pg.Pool, shopId: number, runId: string, o: ShopifyImportOptions = {}): Promise<RunOutcome> {
  const now = o.now ?? (() => new Date());
  const checkEvery = o.checkEveryMs ?? 1_000;
  const pollInterval = o.pollIntervalMs ?? 30_000;
  const shop = (await db.query<{ domain: string }>(`select domain from shops where id = $1`, [shopId])).rows[0];
  const empty = { runId, rowsRead: 0, rowsWritten: 0, rowsRejected: 0, rejected: [] };
  if (!shop) return { ...empty, status: "skipped", error: "no such shop" };
  let client = o.client;
  if (!client) {
    const { shopAdminGraphql } = await import("../shopify-sync/admin");
    client = await shopAdminGraphql(shop.domain);
  }
  await db.query(`update import_runs set started_at = coalesce(started_at, $3) where shop_id = $1 and id = $2`, [shopId, runId, now()]);

  // A cancel is a status set by the Imports page; the import stops after the batches in flight.
  const cancel = new AbortController();
  let stopped = false;
  const watching = (async () => {
    while (!stopped && !cancel.signal.aborted) {
      await sleep(checkEvery);
      const r = await db.query(`select status from import_runs where shop_id = $1 and id = $2`, [shopId, runId]).catch(() => null);
      if (r?.rows[0]?.status === "cancelled") cancel.abort();
    }
  })();

  // Resolves once the operation's finish webhook has been recorded, or after one poll interval.
  const waitForFinish = async (operationId: string) => {
    for (let waited = 0; waited < pollInterval && !stopped; waited += checkEvery) {
      const r = await db.query(
        `select 1 from webhook_deliveries where shop_domain = $1 and topic = 'bulk_operations/finish'
           and payload->>'admin_graphql_api_id' = $2 limit 1`, [shop.domain, operationId]);
      if (r.rowCount) return;
      await sleep(checkEvery);
    }
  };

  try {
    const r = await runBulkImport({
      client, pool: db, shopId, runId, batchSize: 10_000, pollIntervalMs: pollInterval, waitForFinish, signal: cancel.signal, now,
      onProgress: (p) => {
        const progress: RunProgress = { rowsRead: p.rowsRead, rowsWritten: p.rowsWritten, rowsRejected: p.rowsRejected, rate: p.rate, etaSeconds: p.etaSeconds };
        o.onProgress?.(progress);
        void db.query(
          `update import_runs set report = coalesce(report, '{}') || jsonb_build_object('progress', $3::jsonb) where shop_id = $1 and id = $2`,
          [shopId, runId, JSON.stringify({ rate: Math.round(p.rate), etaSeconds: p.etaSeconds == null ? null : Math.round(p.etaSeconds), kind: p.kind, phase: p.phase })],
        ).catch(() => undefined);
      },
    });
    if (r.ok) {
      await db.query(`update shops set last_import_at = $2 where id = $1`, [shopId, now()]);
      return { runId, status: "succeeded", rowsRead: r.value.rowsRead, rowsWritten: r.value.rowsWritten, rowsRejected: r.value.rowsRejected, rejected: [] };
    }
    if (r.error.kind === "aborted") {
      // The bulk import leaves an interrupted run paused (resumable); a merchant's cancel stays a cancel.
      await db.query(`update import_runs set status = 'cancelled', finished_at = $3 where shop_id = $1 and id = $2`, [shopId, runId, now()]);
      const counts = (await db.query(`select rows_read, rows_written, rows_rejected from import_runs where shop_id = $1 and id = $2`, [shopId, runId])).rows[0];
      return { runId, status: "cancelled", rowsRead: counts.rows_read, rowsWritten: counts.rows_written, rowsRejected: counts.rows_rejected, rejected: [] };
    }
    return { ...empty, status: "failed", error: `${r.error.kind}: ${JSON.stringify(r.error)}` };
  } finally {
    stopped = true;
    await watching;
  }
}
