// importCsv: stream a CSV file into the ingestion path in batches, each batch one transaction
// that also moves the resume cursor, so a crash or cancel never half-writes and resuming
// continues after the last committed line.
import type pg from "pg";
import { validateBatch, type Rejection } from "../../core/ingest/batch";
import type { CustomerRecordInput, OrderRecordInput } from "../../core/ingest/schema";
import { err, ok, type Result } from "../../core/result";
import { writeBatch } from "../ingest/ingest";
import { shopifyCustomersFormat } from "./formats/shopify-customers";
import { shopifyOrdersFormat } from "./formats/shopify-orders";
import { transactionsFormat } from "./formats/transactions";
import type { CsvFormat, CsvUnit, FormatContext } from "./formats/unit";
import { readCsvRows, type CsvInfo } from "./rows";
import { assertNever } from "../../core/result";

export type CsvFormatName = "shopify-customers" | "shopify-orders" | "transactions";

export interface CsvProgress {
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
}

export interface RejectedRow {
  line: number;
  reason: string;
}

export interface CsvImportReport extends CsvProgress {
  runId: string;
  status: "succeeded" | "cancelled";
  encoding?: string;
  delimiter?: string;
  rejected: RejectedRow[];
}

export interface CsvImportOptions {
  /** Defaults to the wall clock (shells may read it; the core never does). */
  now?: Date;
  onProgress?: (p: CsvProgress) => void;
  signal?: AbortSignal;
  /** Asked after every committed batch: true stops the import there (status cancelled). */
  shouldStop?: () => Promise<boolean>;
  /** Resume this import run from its stored cursor. */
  runId?: string;
  /** Rows per transaction. Big batches amortise each transaction's fixed cost (staging, statistics). */
  batchSize?: number;
}

function formatFor(name: CsvFormatName, ctx: FormatContext): CsvFormat {
  switch (name) {
    case "shopify-customers": return shopifyCustomersFormat();
    case "shopify-orders": return shopifyOrdersFormat(ctx);
    case "transactions": return transactionsFormat(ctx);
    default: return assertNever(name, "csv format");
  }
}

function reasonOf(r: Rejection): string {
  return r.issues.map((i) => `${i.field}: ${i.message}`).join("; ");
}

export async function importCsv(
  pool: pg.Pool,
  shopId: number,
  stream: AsyncIterable<Buffer | Uint8Array | string>,
  formatName: CsvFormatName,
  opts: CsvImportOptions,
): Promise<Result<CsvImportReport>> {
  const shop = (await pool.query(`select currency, timezone from shops where id = $1`, [shopId])).rows[0];
  if (!shop) return err(`no shop ${shopId}`);
  const format = formatFor(formatName, { currency: shop.currency, timezone: shop.timezone });
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? 20_000;

  let runId = opts.runId;
  let cursor = 0;
  const progress: CsvProgress = { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };
  if (runId) {
    const run = (await pool.query(
      `update import_runs set status = 'running', finished_at = null, error = null, started_at = coalesce(started_at, $3)
       where shop_id = $1 and id = $2
       returning cursor, rows_read, rows_written, rows_rejected`, [shopId, runId, now])).rows[0];
    if (!run) return err(`no import run ${runId}`);
    cursor = Number(run.cursor?.line ?? 0);
    Object.assign(progress, { rowsRead: run.rows_read, rowsWritten: run.rows_written, rowsRejected: run.rows_rejected });
  } else {
    runId = String((await pool.query(
      `insert into import_runs (shop_id, source, kind, status, started_at, cursor, report)
       values ($1, 'csv', $2, 'running', $3, '{"line":0}', '{"rejected":[]}') returning id`,
      [shopId, formatName, now])).rows[0].id);
  }

  let info: CsvInfo | undefined;
  let units: CsvUnit[] = [];
  let unitRows = 0;
  let pendingRejects: RejectedRow[] = [];
  let lastLine = cursor;

  // Batches are pipelined: while one is being written (the database's work), the next is read
  // and parsed (this process's work). At most one write is in flight, so batches still commit
  // in order and the cursor only moves forward.
  let inflight: Promise<void> | undefined;
  let failure: unknown;
  const settle = async () => {
    await inflight;
    inflight = undefined;
    if (failure) throw failure;
  };
  const flush = async (upTo: number) => {
    const snapshot = { units, unitRows, rowErrors: pendingRejects.filter((r) => r.line <= upTo) };
    pendingRejects = pendingRejects.filter((r) => r.line > upTo);
    units = [];
    unitRows = 0;
    await settle();
    inflight = write(upTo, snapshot).catch((e) => {
      failure = e;
    });
  };

  const write = async (upTo: number, snap: { units: CsvUnit[]; unitRows: number; rowErrors: RejectedRow[] }) => {
    const { units, unitRows, rowErrors } = snap;
    const customers: CustomerRecordInput[] = [];
    const orders: OrderRecordInput[] = [];
    const custUnits: CsvUnit[] = [];
    const orderUnits: CsvUnit[] = [];
    for (const u of units) {
      if (u.customer) { customers.push(u.customer); custUnits.push(u); }
      if (u.order) { orders.push(u.order); orderUnits.push(u); }
    }
    const { batch, rejected } = validateBatch({ customers, orders });
    const rejectedRows: RejectedRow[] = [];
    for (const r of rejected) {
      const u = (r.kind === "customer" ? custUnits : orderUnits)[r.index];
      for (const line of u.lines) rejectedRows.push({ line, reason: reasonOf(r) });
    }
    const flushed = rowErrors.concat(rejectedRows).sort((a, b) => a.line - b.line);
    const read = rowErrors.length + unitRows;
    const written = unitRows - rejectedRows.length;
    const client = await pool.connect();
    try {
      await client.query("begin");
      await writeBatch(client, shopId, batch, { now, actor: `csv:${formatName}` });
      await client.query(
        `update import_runs set cursor = coalesce(cursor, '{}') || $3::jsonb, rows_read = rows_read + $4, rows_written = rows_written + $5,
           rows_rejected = rows_rejected + $6,
           report = jsonb_set(coalesce(report, '{}'), '{rejected}', coalesce(report->'rejected', '[]') || $7::jsonb)
         where shop_id = $1 and id = $2`,
        [shopId, runId, JSON.stringify({ line: upTo }), read, written, flushed.length, JSON.stringify(flushed)],
      );
      await client.query("commit");
    } catch (e) {
      await client.query("rollback").catch(() => {});
      throw e;
    } finally {
      client.release();
    }
    progress.rowsRead += read;
    progress.rowsWritten += written;
    progress.rowsRejected += flushed.length;
    opts.onProgress?.({ ...progress });
  };

  const add = (done: CsvUnit[]) => {
    for (const u of done) { units.push(u); unitRows += u.lines.length; }
  };

  // A file without the format's columns is refused whole: every row would fail the same way.
  let checked = false;
  const checkHeader = async (): Promise<string | undefined> => {
    checked = true;
    const header = info?.header ?? [];
    const missing = format.required.filter((alts) => !alts.some((a) => header.includes(a)));
    if (!missing.length) return undefined;
    const message = `missing column(s): ${missing.map((m) => m.join(" or ")).join(", ")}`;
    await pool.query(`update import_runs set status = 'failed', error = $3, finished_at = $4 where shop_id = $1 and id = $2`,
      [shopId, runId, message, now]);
    return message;
  };

  let cancelled = false;
  try {
    for await (const row of readCsvRows(stream, (i) => (info = i))) {
      if (opts.signal?.aborted) { cancelled = true; break; }
      if (row.line <= cursor) continue;
      if (!checked) {
        const bad = await checkHeader();
        if (bad) return err(bad);
      }
      lastLine = row.line;
      if (row.kind === "error") {
        pendingRejects.push({ line: row.line, reason: row.message });
        continue;
      }
      add(format.push(row.line, row.values));
      if (unitRows >= batchSize) {
        const pending = format.pendingFrom();
        // The batch before this one has committed by now: a cancel stops here, and this one is
        // not written (the cursor is at the last committed line, so a resume reads it again).
        const upTo = pending !== undefined ? pending - 1 : row.line;
        if (inflight) {
          await settle();
          if (opts.shouldStop && (await opts.shouldStop())) { cancelled = true; break; }
        }
        await flush(upTo);
      }
    }
    if (!cancelled && !checked) {
      const bad = await checkHeader();
      if (bad) return err(bad);
    }
    if (!cancelled) {
      await settle();
      if (opts.shouldStop && (await opts.shouldStop())) cancelled = true;
    }
    if (!cancelled) {
      add(format.flush());
      await flush(lastLine);
    }
    await settle();
  } catch (e) {
    await inflight?.catch(() => undefined);
    await pool.query(`update import_runs set status = 'failed', error = $3 where shop_id = $1 and id = $2`,
      [shopId, runId, String(e)]);
    throw e;
  }

  const status = cancelled ? "cancelled" : "succeeded";
  const run = (await pool.query(
    // A cancel requested while the last batch was being written stays a cancel.
    `update import_runs set status = case when status = 'cancelled' then status else $3::"ImportStatus" end, finished_at = $4,
       report = coalesce(report, '{}') || jsonb_build_object('encoding', $5::text, 'delimiter', $6::text)
     where shop_id = $1 and id = $2 returning report, status`,
    [shopId, runId, status, now, info?.encoding ?? null, info?.delimiter ?? null])).rows[0];
  return ok({
    runId, status: run.status === "cancelled" ? "cancelled" : status, ...progress, encoding: info?.encoding, delimiter: info?.delimiter,
    rejected: run.report.rejected as RejectedRow[],
  });
}
