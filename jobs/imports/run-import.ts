// Run one import run to its end (or to a cancel): the same code for the imports worker and the
// CLI. Progress (rows read/written/rejected, rate, ETA) is written to import_runs after every
// batch; a cancel (status set to cancelled) stops it after the batch in flight; a cancelled or
// failed run resumes from its cursor (CSV: the last committed line; WooCommerce: the
// modified-after high-water mark).
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type pg from "pg";
import { importCsv, type CsvFormatName, type RejectedRow } from "../../connectors/csv/import";
import { createWooClient } from "../../connectors/woocommerce/client";
import { syncWoo } from "../../connectors/woocommerce/sync";
import { loadWooConnection } from "../../app/models/store-connections.server";
import type { AdminGraphql } from "../../connectors/shopify/client";
import { runShopifyBulkImport } from "./shopify-bulk";

export interface RunProgress {
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  /** Rows per second in this attempt. */
  rate: number;
  etaSeconds?: number;
  /** Share done, 0..1, when it can be told (bytes of the file, pages of the store). */
  fraction?: number;
}

export interface RunOutcome extends Omit<RunProgress, "rate" | "etaSeconds"> {
  runId: string;
  status: "succeeded" | "cancelled" | "failed" | "skipped";
  error?: string;
  rejected: RejectedRow[];
}

export interface RunImportOptions {
  onProgress?: (p: RunProgress) => void;
  /** The sealing key, for WooCommerce runs (the store's keys are sealed). */
  encryptionKey?: Buffer;
  now?: () => Date;
  /** CSV rows per batch (transaction); the import's default when unset. */
  batchSize?: number;
  /** Shopify runs: the Admin client (default: the shop's offline session) and polling periods. */
  shopifyClient?: AdminGraphql;
  shopifyPollMs?: number;
  shopifyCheckMs?: number;
}

export const CSV_FORMATS: CsvFormatName[] = ["shopify-customers", "shopify-orders", "transactions"];

interface RunRow {
  source: "csv" | "woocommerce" | "shopify";
  kind: string;
  status: string;
  cursor: Record<string, unknown> | null;
  rows_read: number;
}

async function isCancelled(db: pg.Pool, shopId: number, runId: string): Promise<boolean> {
  const r = await db.query(`select status from import_runs where shop_id = $1 and id = $2`, [shopId, runId]);
  return r.rows[0]?.status === "cancelled";
}

async function saveProgress(db: pg.Pool, shopId: number, runId: string, p: RunProgress) {
  await db.query(
    `update import_runs set report = coalesce(report, '{}') || jsonb_build_object('progress', $3::jsonb) where shop_id = $1 and id = $2`,
    [shopId, runId, JSON.stringify({
      rate: Math.round(p.rate), etaSeconds: p.etaSeconds === undefined ? null : Math.round(p.etaSeconds),
      fraction: p.fraction === undefined ? null : Math.min(1, Math.max(0, Number(p.fraction.toFixed(4)))),
    })]);
}

export async function runImport(db: pg.Pool, shopId: number, runId: string, opts: RunImportOptions = {}): Promise<RunOutcome> {
  const now = opts.now ?? (() => new Date());
  const run = (await db.query<RunRow>(
    `select source, kind, status, cursor, rows_read from import_runs where shop_id = $1 and id = $2`, [shopId, runId])).rows[0];
  const empty = { runId, rowsRead: 0, rowsWritten: 0, rowsRejected: 0, rejected: [] };
  if (!run) return { ...empty, status: "skipped", error: "no such import run" };
  if (run.status === "cancelled" || run.status === "succeeded") return { ...empty, status: "skipped", error: `run is ${run.status}` };
  const started = performance.now();
  const rate = (rowsNow: number, base: number) => (rowsNow - base) / Math.max(0.001, (performance.now() - started) / 1000);

  if (run.source === "csv") {
    const file = String(run.cursor?.file ?? "");
    if (!CSV_FORMATS.includes(run.kind as CsvFormatName) || !file) return fail(db, shopId, runId, "not a CSV import run", now());
    let total = 0;
    try {
      total = (await stat(file)).size;
    } catch {
      return fail(db, shopId, runId, "the uploaded file is gone", now());
    }
    let bytes = 0;
    async function* counted() {
      for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
        bytes += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    }
    const base = run.rows_read;
    const r = await importCsv(db, shopId, counted(), run.kind as CsvFormatName, {
      runId, now: now(), batchSize: opts.batchSize,
      shouldStop: () => isCancelled(db, shopId, runId),
      onProgress: (p) => {
        const perSecond = rate(p.rowsRead, base);
        const bytesPerSecond = bytes / Math.max(0.001, (performance.now() - started) / 1000);
        const progress = {
          ...p, rate: perSecond, fraction: total ? bytes / total : undefined,
          etaSeconds: bytesPerSecond > 0 ? Math.max(0, (total - bytes) / bytesPerSecond) : undefined,
        };
        opts.onProgress?.(progress);
        void saveProgress(db, shopId, runId, progress).catch(() => undefined);
      },
    });
    if (!r.ok) return { ...empty, status: "failed", error: r.error };
    await saveProgress(db, shopId, runId, { ...r.value, rate: rate(r.value.rowsRead, base), etaSeconds: 0, fraction: r.value.status === "succeeded" ? 1 : bytes / Math.max(1, total) });
    return { runId, status: r.value.status, rowsRead: r.value.rowsRead, rowsWritten: r.value.rowsWritten,
      rowsRejected: r.value.rowsRejected, rejected: r.value.rejected };
  }

  if (run.source === "woocommerce") {
    if (!opts.encryptionKey) return fail(db, shopId, runId, "no encryption key to open the store's keys", now());
    const conn = await loadWooConnection(db, opts.encryptionKey, shopId);
    if (!conn) return fail(db, shopId, runId, "the WooCommerce store is not connected", now());
    await db.query(`update import_runs set status = 'running', started_at = coalesce(started_at, $3), finished_at = null, error = null
      where shop_id = $1 and id = $2`, [shopId, runId, now()]);
    const since = typeof run.cursor?.since === "string" ? run.cursor.since : undefined;
    const base = { read: 0, written: 0, rejected: 0 };
    const r = await syncWoo(db, shopId, createWooClient(conn), {
      now: now(), since,
      shouldStop: () => isCancelled(db, shopId, runId),
      onPage: async (kind, page, pages, rep) => {
        const written = rep.customers + rep.orders;
        const read = written + rep.rejected.length;
        const p = { rowsRead: read, rowsWritten: written, rowsRejected: rep.rejected.length, rate: rate(read, 0),
          fraction: (kind === "customers" ? 0 : 0.5) + (0.5 * page) / Math.max(1, pages),
          etaSeconds: pages > page ? ((pages - page) * 100) / Math.max(1, rate(read, 0)) : undefined };
        await db.query(`update import_runs set rows_read = $3, rows_written = $4, rows_rejected = $5 where shop_id = $1 and id = $2`,
          [shopId, runId, p.rowsRead, p.rowsWritten, p.rowsRejected]);
        await saveProgress(db, shopId, runId, p);
        opts.onProgress?.(p);
        Object.assign(base, { read, written, rejected: rep.rejected.length });
      },
    });
    if (!r.ok) return fail(db, shopId, runId, `${r.error.code}: ${r.error.message}`, now());
    const rejected: RejectedRow[] = r.value.rejected.map((x) => ({ line: x.index, reason: `${x.kind} ${x.externalId ?? ""}: ${x.issues.map((i) => `${i.field}: ${i.message}`).join("; ")}` }));
    const status = r.value.stopped ? "cancelled" : "succeeded";
    const written = r.value.customers + r.value.orders;
    await db.query(
      `update import_runs set status = case when status = 'cancelled' then status else $3::"ImportStatus" end, finished_at = $4,
         cursor = coalesce(cursor, '{}') || $5::jsonb, rows_read = $6, rows_written = $7, rows_rejected = $8,
         report = coalesce(report, '{}') || jsonb_build_object('rejected', $9::jsonb)
       where shop_id = $1 and id = $2`,
      [shopId, runId, status, now(), JSON.stringify(r.value.highWater ? { since: r.value.highWater } : {}),
        written + rejected.length, written, rejected.length, JSON.stringify(rejected)]);
    if (!r.value.stopped) await db.query(`update shops set last_import_at = $2 where id = $1`, [shopId, now()]);
    return { runId, status, rowsRead: written + rejected.length, rowsWritten: written, rowsRejected: rejected.length, rejected };
  }
  if (run.source === "shopify") {
    return runShopifyBulkImport(db, shopId, runId, { client: opts.shopifyClient, pollIntervalMs: opts.shopifyPollMs, checkEveryMs: opts.shopifyCheckMs, now, onProgress: opts.onProgress });
  }
  return fail(db, shopId, runId, `imports from ${run.source} run elsewhere`, now());
}

async function fail(db: pg.Pool, shopId: number, runId: string, error: string, at: Date): Promise<RunOutcome> {
  await db.query(`update import_runs set status = 'failed', error = $3, finished_at = $4 where shop_id = $1 and id = $2`, [shopId, runId, error, at]);
  return { runId, status: "failed", error, rowsRead: 0, rowsWritten: 0, rowsRejected: 0, rejected: [] };
}
