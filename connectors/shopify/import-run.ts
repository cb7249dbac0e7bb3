// The import_runs row of a Shopify bulk import: created or resumed, its cursor and counters
// saved after every batch, its status set at the end.
import type pg from "pg";
import type { BulkKind } from "./operations";

export interface OpCursor {
  /** The bulk operation's gid. */
  id: string;
  /** JSONL lines already ingested (always a parent/children group boundary). */
  lines: number;
  /** Records (parents) read, written and rejected so far from this operation. */
  records: number;
  written: number;
  rejected: number;
  done: boolean;
}

export interface ImportCursor {
  ops: Partial<Record<BulkKind, OpCursor>>;
}

export interface RunCounts { rowsRead: number; rowsWritten: number; rowsRejected: number }

export interface ImportRun {
  id: string;
  cursor: ImportCursor;
  counts: RunCounts;
  save(): Promise<void>;
  finish(status: "succeeded" | "failed" | "paused", error?: string): Promise<void>;
}

/** Opens run `runId` to resume it, or a new one. undefined when `runId` is not this shop's. */
export async function openImportRun(pool: pg.Pool, shopId: number, runId: string | undefined, now: () => Date): Promise<ImportRun | undefined> {
  let id: string;
  let cursor: ImportCursor = { ops: {} };
  const counts: RunCounts = { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };
  if (runId) {
    const r = await pool.query(
      `update import_runs set status = 'running', error = null where shop_id = $1 and id = $2 and source = 'shopify'
       returning cursor, rows_read, rows_written, rows_rejected`, [shopId, runId]);
    if (r.rowCount === 0) return undefined;
    id = runId;
    cursor = (r.rows[0].cursor as ImportCursor | null) ?? { ops: {} };
    counts.rowsRead = r.rows[0].rows_read;
    counts.rowsWritten = r.rows[0].rows_written;
    counts.rowsRejected = r.rows[0].rows_rejected;
  } else {
    const r = await pool.query(
      `insert into import_runs (shop_id, source, kind, status, cursor, started_at)
       values ($1, 'shopify', 'bulk', 'running', $2, $3) returning id`, [shopId, cursor, now()]);
    id = String(r.rows[0].id);
  }
  const save = async () => {
    await pool.query(
      `update import_runs set cursor = $3, rows_read = $4, rows_written = $5, rows_rejected = $6
       where shop_id = $1 and id = $2`, [shopId, id, cursor, counts.rowsRead, counts.rowsWritten, counts.rowsRejected]);
  };
  return {
    id, cursor, counts, save,
    async finish(status, error) {
      await save();
      await pool.query(`update import_runs set status = $3, error = $4, finished_at = $5 where shop_id = $1 and id = $2`,
        [shopId, id, status, error ?? null, status === "paused" ? null : now()]);
    },
  };
}
