// Full import of a Shopify store through bulk operations: start one bulk query per kind
// (products, customers, orders; at most 5 run at once per shop), wait for each (polling, or
// the bulk_operations/finish webhook), stream its JSONL, join children to parents, translate
// and ingest in batches. The run lives in import_runs; its cursor holds each operation's id
// and the lines already ingested, so a crash resumes where it stopped. A batch may be written
// twice (crash between ingest and cursor update): ingestion is idempotent, so no duplicates.
import type pg from "pg";
import { validateBatch, type RawBatch } from "../../core/ingest/batch";
import { err, ok, type Result } from "../../core/result";
import { ingestValidated, type IngestReport } from "../ingest/ingest";
import { awaitBulkOperation, startBulkQuery, type BulkError, type BulkOperation, type Waiting } from "./bulk-operations";
import { withheldFields, type AdminGraphql } from "./client";
import { openImportRun, type ImportRun, type OpCursor } from "./import-run";
import { groupLines, readLines, type Group, type GroupStats } from "./jsonl";
import { operation, type BulkKind } from "./operations";
import {
  customerRecord, gidType, orderRecord, productRecord,
  type Availability, type CollectionNode, type CustomerNode, type LineItemNode, type OrderNode, type ProductNode, type VariantNode,
} from "./translate";

const ORDER: BulkKind[] = ["products", "customers", "orders"];
/** Shopify keeps a bulk result for 7 days after completion. */
const RESULT_TTL_MS = 7 * 86_400_000;
const MAX_RESTARTS = 2;
const MAX_INTERRUPTIONS = 5;

export interface ImportProgress {
  runId: string;
  kind: BulkKind;
  phase: "waiting" | "reading" | "done";
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  /** Records per second read in this process. */
  rate: number;
  /** Seconds left for this kind, when Shopify told how many records there are. */
  etaSeconds?: number;
}

export interface ImportSummary { runId: string; rowsRead: number; rowsWritten: number; rowsRejected: number; available: Availability }

export type ImportError =
  | BulkError
  | { kind: "download"; status: number }
  | { kind: "aborted"; runId: string }
  | { kind: "unknown-run"; runId: string };

export interface BulkImportOptions {
  client: AdminGraphql;
  pool: pg.Pool;
  shopId: number;
  /** Resume this import run (its cursor) instead of starting a new one. */
  runId?: string;
  kinds?: BulkKind[];
  /** Records per ingest batch. */
  batchSize?: number;
  /** Batches written at once, each in its own transaction (default 2). */
  parallel?: number;
  pollIntervalMs?: number;
  now?: () => Date;
  ingest?: (pool: pg.Pool, shopId: number, batch: RawBatch, opts: { now: Date }) => Promise<IngestReport>;
  download?: (url: string) => Promise<Response>;
  /** Resolves when the bulk_operations/finish webhook for this operation arrives. */
  waitForFinish?: (operationId: string) => Promise<void>;
  onProgress?: (p: ImportProgress) => void;
  /** Stops after the batch in flight; the run is left paused, resumable. */
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Called with each phase's duration (ms), for profiling: "wait" (bulk operation), "read"
   * (download + JSONL parse + grouping), "translate", "validate", then ingestion's own steps
   * (connectors/ingest: "stage", identity, upserts, "commit"). Writes overlap reading, so the
   * phases add up to more than the wall time.
   */
  trace?: (phase: string, ms: number) => void;
}

class DownloadInterrupted extends Error {}

/** Tags errors raised by the response body, so they are told apart from ingestion's. */
async function* guarded(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await it.next();
      } catch (e) {
        throw new DownloadInterrupted(e instanceof Error ? e.message : String(e));
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await it.return?.();
  }
}

/** A line item child: the common gid form is recognised without splitting the id. */
const isLineItem = (c: { id?: unknown }) =>
  (typeof c.id === "string" && c.id.startsWith("gid://shopify/LineItem/")) || gidType(String(c.id)) === "LineItem";

interface ShopFacts { currency: string; timezone: string; available: Availability }

function toBatch(kind: BulkKind, groups: Group[], shop: ShopFacts): RawBatch {
  switch (kind) {
    case "customers":
      return { customers: groups.map((g) => customerRecord(g.parent as unknown as CustomerNode, shop.available)) };
    case "orders":
      return {
        orders: groups.map((g) => orderRecord(
          g.parent as unknown as OrderNode,
          g.children.filter(isLineItem) as unknown as LineItemNode[],
          shop.timezone,
        )),
      };
    case "products":
      return {
        products: groups.map((g) => productRecord(
          g.parent as unknown as ProductNode, g.children as unknown as (CollectionNode | VariantNode)[], shop.currency,
        )),
      };
  }
}

export async function runBulkImport(o: BulkImportOptions): Promise<Result<ImportSummary, ImportError>> {
  const now = o.now ?? (() => new Date());
  const run = await openImportRun(o.pool, o.shopId, o.runId, now);
  if (!run) return err({ kind: "unknown-run", runId: o.runId ?? "" });
  try {
    const r = await importInto(run, o, now);
    if (r.ok) await run.finish("succeeded");
    else await run.finish(r.error.kind === "aborted" ? "paused" : "failed", JSON.stringify(r.error));
    return r;
  } catch (e) {
    // An outage (database, programming error): leave the run failed, resumable, and rethrow.
    await run.finish("failed", e instanceof Error ? e.message : String(e)).catch(() => undefined);
    throw e;
  }
}

async function importInto(run: ImportRun, o: BulkImportOptions, now: () => Date): Promise<Result<ImportSummary, ImportError>> {
  const download = o.download ?? ((url: string) => fetch(url));
  const batchSize = o.batchSize ?? 5_000;
  const parallel = Math.max(1, o.parallel ?? 2);
  const wait: Waiting = {
    pollIntervalMs: o.pollIntervalMs ?? 1_000,
    sleep: o.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms))),
    waitForFinish: o.waitForFinish,
  };
  const kinds = ORDER.filter((k) => (o.kinds ?? ORDER).includes(k));
  const { cursor, counts } = run;

  // Shop zone and currency, and which protected fields this app may read.
  const info = await o.client.request<{ shop: { currencyCode: string; ianaTimezone: string } }>(operation("shop-info"));
  if (!info.ok) return err({ kind: "client", error: info.error });
  const probe = await o.client.request<unknown>(operation("protected-fields-probe"));
  if (!probe.ok) return err({ kind: "client", error: probe.error });
  const withheld = withheldFields(probe.value.errors);
  const shop: ShopFacts = {
    currency: info.value.data.shop.currencyCode,
    timezone: info.value.data.shop.ianaTimezone,
    available: { email: !withheld.has("defaultEmailAddress"), phone: !withheld.has("defaultPhoneNumber") },
  };

  // Start every operation not started yet, and record their ids before waiting on any.
  for (const kind of kinds) {
    if (cursor.ops[kind]) continue;
    const s = await startBulkQuery(o.client, kind, wait);
    if (!s.ok) return s;
    cursor.ops[kind] = { id: s.value, lines: 0, records: 0, written: 0, rejected: 0, done: false };
  }
  await run.save();

  /** A new operation for the kind, read from line 0; what the old one counted is read again. */
  async function restart(op: OpCursor, kind: BulkKind): Promise<Result<void, ImportError>> {
    const s = await startBulkQuery(o.client, kind, wait);
    if (!s.ok) return s;
    counts.rowsRead -= op.records;
    counts.rowsWritten -= op.written;
    counts.rowsRejected -= op.rejected;
    Object.assign(op, { id: s.value, lines: 0, records: 0, written: 0, rejected: 0, done: false });
    await run.save();
    return ok(undefined);
  }

  for (const kind of kinds) {
    const op = cursor.ops[kind]!;
    const progress = (phase: ImportProgress["phase"], extra: Partial<ImportProgress> = {}) =>
      o.onProgress?.({ runId: run.id, kind, phase, ...counts, rate: 0, ...extra });
    let restarts = 0;
    let interruptions = 0;
    while (!op.done) {
      progress("waiting");
      const tWait = performance.now();
      const polled = await awaitBulkOperation(o.client, op.id, wait);
      o.trace?.("wait", performance.now() - tWait);
      if (!polled.ok) return polled;
      const bulk = polled.value;
      const completedAt = bulk.completedAt ? Date.parse(bulk.completedAt) : NaN;
      const expired = bulk.status === "EXPIRED" || (bulk.status === "COMPLETED" && now().getTime() - completedAt > RESULT_TTL_MS);
      if (bulk.status !== "COMPLETED" || expired) {
        const rerun = expired || bulk.status === "FAILED" || bulk.status === "CANCELED";
        if (!rerun || restarts++ >= MAX_RESTARTS) return err({ kind: "bulk-failed", status: bulk.status, errorCode: bulk.errorCode });
        const s = await restart(op, kind);
        if (!s.ok) return s;
        continue;
      }
      if (!bulk.url) {
        op.done = true; // the query matched nothing
        break;
      }
      const res = await download(bulk.url);
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        // An object store refuses an expired signed URL with 4xx: run the query again.
        if (res.status >= 400 && res.status < 500 && restarts++ < MAX_RESTARTS) {
          const s = await restart(op, kind);
          if (!s.ok) return s;
          continue;
        }
        return err({ kind: "download", status: res.status });
      }
      let r: Result<void, ImportError>;
      try {
        r = await readInto(kind, op, bulk, guarded(res.body as unknown as AsyncIterable<Uint8Array>), progress);
      } catch (e) {
        // The download broke off: fetch it again and carry on from the cursor's line.
        if (e instanceof DownloadInterrupted && interruptions++ < MAX_INTERRUPTIONS) continue;
        throw e;
      }
      if (!r.ok) return r;
      op.done = true;
      await run.save();
      progress("done");
    }
  }
  return ok({ runId: run.id, ...counts, available: shop.available });

  async function readInto(
    kind: BulkKind, op: OpCursor, bulk: BulkOperation, body: AsyncIterable<Uint8Array>,
    progress: (phase: ImportProgress["phase"], extra?: Partial<ImportProgress>) => void,
  ): Promise<Result<void, ImportError>> {
    const stats: GroupStats = { orphans: 0, malformed: 0 };
    const started = Date.now();
    const total = Number(bulk.rootObjectCount);
    let readHere = 0;
    let pending: Group[] = [];

    // Reading and writing overlap: while batches are written (PostgreSQL's work, up to
    // `parallel` at once on their own connections), the next is read, parsed, translated and
    // validated (ours). At most `parallel` batches wait, so memory stays bounded. Cursor
    // updates are chained in batch order, so the cursor only ever moves past written lines;
    // a crash re-reads at most the batches in flight, and ingestion is idempotent.
    // Separate functions, so a closure keeps only its own batch (V8 shares one context between
    // closures of the same scope).
    const writeRaw = (ingest: NonNullable<BulkImportOptions["ingest"]>, raw: RawBatch) => () => ingest(o.pool, o.shopId, raw, { now: now() });
    const writeValidated = (validated: ReturnType<typeof validateBatch>) => () =>
      ingestValidated(o.pool, o.shopId, validated, { now: now(), trace: o.trace });
    // Validated here, while earlier batches are being written.
    const validate = (raw: RawBatch) => {
      const t = performance.now();
      const v = validateBatch(raw);
      o.trace?.("validate", performance.now() - t);
      return v;
    };
    const translate = (groups: Group[]) => {
      const t = performance.now();
      const raw = toBatch(kind, groups, shop);
      o.trace?.("translate", performance.now() - t);
      return raw;
    };
    const writer = (raw: RawBatch): (() => Promise<IngestReport>) => (o.ingest ? writeRaw(o.ingest, raw) : writeValidated(validate(raw)));
    const inFlight: Promise<void>[] = [];
    let lastSaved: Promise<void> = Promise.resolve();
    const flush = async () => {
      if (!pending.length) return;
      // Only what the cursor needs outlives this: the parsed lines and the translated records
      // are garbage once the batch is written.
      const n = pending.length;
      const endLine = pending[n - 1].endLine;
      const write = writer(translate(pending));
      const orphans = stats.orphans;
      const malformed = stats.malformed;
      stats.orphans = 0;
      stats.malformed = 0;
      pending = [];
      const tBlocked = performance.now();
      while (inFlight.length >= parallel) await inFlight.shift();
      o.trace?.("blocked on writes", performance.now() - tBlocked);
      // Cancelled while earlier batches were written: this one is left unwritten, and the
      // cursor (which never passed it) makes a resume read it again.
      if (o.signal?.aborted) return;
      const previous = lastSaved;
      const job = (async () => {
        const report = await write();
        await previous;
        const written = n - report.rejected.length;
        const rejected = report.rejected.length + orphans + malformed;
        counts.rowsRead += n;
        counts.rowsWritten += written;
        counts.rowsRejected += rejected;
        op.records += n;
        op.written += written;
        op.rejected += rejected;
        op.lines = endLine;
        readHere += n;
        await run.save();
        const rate = readHere / Math.max(0.001, (Date.now() - started) / 1000);
        progress("reading", { rate, etaSeconds: total && rate ? Math.max(0, (total - op.records) / rate) : undefined });
      })();
      // Awaited in turn or at the end; this only keeps a failure from being reported as
      // unhandled while the next batch is read.
      job.catch(() => undefined);
      lastSaved = job;
      inFlight.push(job);
    };
    const settle = async () => {
      while (inFlight.length) await inFlight.shift();
    };

    let tRead = performance.now();
    const read = () => {
      const t = performance.now();
      o.trace?.("read", t - tRead);
      tRead = t;
    };
    try {
      for await (const group of groupLines(readLines(body), op.lines, stats)) {
        pending.push(group);
        if (pending.length >= batchSize) {
          read();
          await flush();
          tRead = performance.now();
          if (o.signal?.aborted) {
            await settle();
            return err({ kind: "aborted", runId: run.id });
          }
        }
      }
      read();
      await flush();
    } catch (e) {
      // A broken download is read again from the cursor: let the batches in flight land first.
      await Promise.allSettled(inFlight);
      throw e;
    }
    await settle();
    if (o.signal?.aborted) return err({ kind: "aborted", runId: run.id });
    return ok(undefined);
  }
}
