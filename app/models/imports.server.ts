// Import runs as the merchant sees and steers them: list, start (CSV upload, WooCommerce sync),
// cancel (the job stops after the batch in flight), resume (from the run's cursor), and the
// rejected-rows report. Every query is scoped by shop.
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import type { CsvFormatName, RejectedRow } from "../../connectors/csv/import";
import { CSV_FORMATS } from "../../jobs/imports/run-import";
import { enqueueImportRun } from "../../jobs/imports/queue";
import type { QueueSystem } from "../../jobs/queues";
import { err, ok, type Result } from "../../core/result";

export { CSV_FORMATS };
export const CSV_FORMAT_LABELS: Record<CsvFormatName, string> = {
  "shopify-customers": "Shopify customers export",
  "shopify-orders": "Shopify orders export",
  transactions: "Transactions (customer_id, date, amount)",
};

/**
 * Where uploads are kept: .data/uploads under the directory the app runs from (npm scripts run
 * in the project root; the built server's own location is no guide), one folder per shop. The
 * worker reads the absolute path from the run's cursor, so web and worker must share the disk.
 */
export function uploadsDir(): string {
  return path.resolve(process.cwd(), ".data", "uploads");
}

export interface ImportRunView {
  id: string;
  source: string;
  kind: string;
  status: string;
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  rate: number | null;
  etaSeconds: number | null;
  fraction: number | null;
  fileName: string | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const VIEW = `id::text, source, kind, status, rows_read, rows_written, rows_rejected,
  (report->'progress'->>'rate')::float8 as rate, (report->'progress'->>'etaSeconds')::float8 as eta,
  (report->'progress'->>'fraction')::float8 as fraction,
  cursor->>'name' as file_name, error, created_at, finished_at`;

function view(r: Record<string, any>): ImportRunView {
  return {
    id: r.id, source: r.source, kind: r.kind, status: r.status, rowsRead: r.rows_read, rowsWritten: r.rows_written,
    rowsRejected: r.rows_rejected, rate: r.rate, etaSeconds: r.eta, fraction: r.fraction, fileName: r.file_name, error: r.error,
    createdAt: new Date(r.created_at).toISOString(), finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
  };
}

export async function listImportRuns(db: pg.Pool, shopId: number, limit = 50): Promise<ImportRunView[]> {
  const r = await db.query(`select ${VIEW} from import_runs where shop_id = $1 order by created_at desc, id desc limit $2`, [shopId, limit]);
  return r.rows.map(view);
}

export async function getImportRun(db: pg.Pool, shopId: number, id: string): Promise<ImportRunView | undefined> {
  if (!/^\d+$/.test(id)) return undefined;
  const r = await db.query(`select ${VIEW} from import_runs where shop_id = $1 and id = $2`, [shopId, id]);
  return r.rows[0] ? view(r.rows[0]) : undefined;
}

/** Record a CSV import of a file already on disk (queued, cursor at line 0). */
export async function createCsvImportRun(db: pg.Pool, shopId: number, format: CsvFormatName, file: string, name: string): Promise<string> {
  const r = await db.query(
    `insert into import_runs (shop_id, source, kind, status, cursor, report)
     values ($1, 'csv', $2, 'queued', $3, '{"rejected":[]}') returning id::text`,
    [shopId, format, JSON.stringify({ file, name, line: 0, attempt: 1 })]);
  return r.rows[0].id;
}

/** Store an uploaded file under .data/uploads/<shop>/ and queue its import. */
export async function startCsvUpload(
  db: pg.Pool, qs: QueueSystem, shopId: number, format: string, upload: { name: string; bytes: Uint8Array },
): Promise<Result<string>> {
  if (!CSV_FORMATS.includes(format as CsvFormatName)) return err("Pick the file's format");
  if (!upload.bytes.length) return err("The file is empty");
  const dir = path.join(uploadsDir(), String(shopId));
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${randomUUID()}.csv`);
  await writeFile(file, upload.bytes);
  const id = await createCsvImportRun(db, shopId, format as CsvFormatName, file, upload.name.slice(0, 200));
  await enqueueImportRun(qs, shopId, id, 1);
  return ok(id);
}

/** A WooCommerce sync from where the last successful one got to. */
export async function startWooImport(db: pg.Pool, qs: QueueSystem, shopId: number): Promise<string> {
  const last = (await db.query(
    `select cursor->>'since' as since from import_runs where shop_id = $1 and source = 'woocommerce' and status = 'succeeded'
       and cursor ? 'since' order by id desc limit 1`, [shopId])).rows[0];
  const r = await db.query(
    `insert into import_runs (shop_id, source, kind, status, cursor) values ($1, 'woocommerce', 'sync', 'queued', $2) returning id::text`,
    [shopId, JSON.stringify({ ...(last?.since ? { since: last.since } : {}), attempt: 1 })]);
  await enqueueImportRun(qs, shopId, r.rows[0].id, 1);
  return r.rows[0].id;
}

/**
 * The store's whole history from Shopify (bulk operations): a run already queued or running is
 * returned as it is, an interrupted or cancelled one is resumed from its cursor, else a new one
 * is queued.
 */
export async function startShopifyImport(db: pg.Pool, qs: QueueSystem, shopId: number): Promise<string> {
  const open = (await db.query<{ id: string; status: string }>(
    `select id::text, status from import_runs where shop_id = $1 and source = 'shopify' and kind = 'bulk'
       and status in ('queued', 'running', 'paused', 'failed', 'cancelled') order by id desc limit 1`, [shopId])).rows[0];
  if (open && (open.status === "queued" || open.status === "running")) return open.id;
  if (open && (await resumeImportRun(db, qs, shopId, open.id))) return open.id;
  const r = await db.query<{ id: string }>(
    `insert into import_runs (shop_id, source, kind, status, cursor) values ($1, 'shopify', 'bulk', 'queued', $2) returning id::text`,
    [shopId, JSON.stringify({ ops: {}, attempt: 1 })]);
  await enqueueImportRun(qs, shopId, r.rows[0].id, 1);
  return r.rows[0].id;
}

/** After install: the first import, unless the shop already has its history. */
export async function queueFirstShopifyImport(db: pg.Pool, qs: QueueSystem, shopId: number): Promise<string | null> {
  const done = await db.query(
    `select 1 from import_runs where shop_id = $1 and source = 'shopify' and kind = 'bulk' and status = 'succeeded' limit 1`, [shopId]);
  return done.rowCount ? null : startShopifyImport(db, qs, shopId);
}

/** Ask a queued or running import to stop; the job stops after the batch it is writing. */
export async function cancelImportRun(db: pg.Pool, shopId: number, id: string, now: Date): Promise<boolean> {
  if (!/^\d+$/.test(id)) return false;
  const r = await db.query(
    `update import_runs set status = 'cancelled', finished_at = $3 where shop_id = $1 and id = $2 and status in ('queued', 'running', 'paused')`,
    [shopId, id, now]);
  return (r.rowCount ?? 0) > 0;
}

/** Queue a cancelled or failed import again; it carries on from its cursor. */
export async function resumeImportRun(db: pg.Pool, qs: QueueSystem, shopId: number, id: string): Promise<boolean> {
  if (!/^\d+$/.test(id)) return false;
  const r = await db.query(
    `update import_runs set status = 'queued', finished_at = null, error = null,
       cursor = jsonb_set(coalesce(cursor, '{}'), '{attempt}', to_jsonb(coalesce((cursor->>'attempt')::int, 1) + 1))
     where shop_id = $1 and id = $2 and status in ('cancelled', 'failed', 'paused')
     returning (cursor->>'attempt')::int as attempt`, [shopId, id]);
  if (!r.rows[0]) return false;
  await enqueueImportRun(qs, shopId, id, r.rows[0].attempt);
  return true;
}

/** The rejected rows as CSV: line,reason. */
export async function rejectedRowsCsv(db: pg.Pool, shopId: number, id: string): Promise<string | undefined> {
  if (!/^\d+$/.test(id)) return undefined;
  const r = await db.query(`select coalesce(report->'rejected', '[]') as rejected from import_runs where shop_id = $1 and id = $2`, [shopId, id]);
  if (!r.rows[0]) return undefined;
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = r.rows[0].rejected as RejectedRow[];
  return ["line,reason", ...rows.map((x) => `${x.line},${q(String(x.reason))}`)].join("\r\n") + "\r\n";
}
