// Import runs as jobs: live progress in import_runs, cancel at the next batch, resume from the
// cursor without writing anything twice, the rejected-rows report, and the worker on a real
// PostgreSQL-backed queue (forActiveShop: an uninstalled shop's run does nothing).
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cancelImportRun, createCsvImportRun, getImportRun, listImportRuns, rejectedRowsCsv, resumeImportRun,
} from "../../../app/models/imports.server";
import { enqueueImportRun } from "../../../jobs/imports/queue";
import { runImport } from "../../../jobs/imports/run-import";
import { registerImportsWorker } from "../../../jobs/imports/worker";
import { createQueueSystem, type QueueSystem } from "../../../jobs/queues";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";

let db: TestDatabase;
const dir = mkdtempSync(path.join(os.tmpdir(), "winback-imports-"));
beforeAll(async () => {
  db = await createTestDatabase("imports");
});
afterAll(async () => {
  await db.drop();
});

async function shop(domain: string, status = "installed"): Promise<number> {
  const r = await db.pool.query(
    `insert into shops (domain, platform, currency, timezone, status, updated_at) values ($1, 'shopify', 'USD', 'America/New_York', $2, now()) returning id`,
    [domain, status]);
  return r.rows[0].id;
}

/** n transactions, every 10th with an unreadable amount. */
function transactionsFile(name: string, n: number): string {
  const rows = ["customer_id,date,amount,order_id"];
  for (let i = 1; i <= n; i++) rows.push(`c${i % 17},2024-01-${String((i % 28) + 1).padStart(2, "0")},${i % 10 === 0 ? "abc" : `${i}.50`},o${i}`);
  const file = path.join(dir, name);
  writeFileSync(file, rows.join("\n") + "\n");
  return file;
}

const noQueue = { queue: () => ({ add: async () => undefined }) } as unknown as QueueSystem;
const count = async (sql: string, params: unknown[]) => (await db.pool.query(sql, params)).rows[0].n as number;

describe("import runs", () => {
  it("report progress as they go, and the rejected rows at the end", async () => {
    const s = await shop("progress.myshopify.com");
    const id = await createCsvImportRun(db.pool, s, "transactions", transactionsFile("a.csv", 100), "a.csv");
    const seen: { rowsRead: number; rate: number }[] = [];
    const out = await runImport(db.pool, s, id, { batchSize: 30, onProgress: (p) => seen.push(p) });
    expect(out).toMatchObject({ status: "succeeded", rowsRead: 100, rowsWritten: 90, rowsRejected: 10 });
    expect(seen.map((p) => p.rowsRead)).toEqual([30, 60, 90, 100]);
    expect(seen.every((p) => p.rate > 0)).toBe(true);
    const run = await getImportRun(db.pool, s, id);
    expect(run).toMatchObject({ status: "succeeded", rowsRead: 100, rowsWritten: 90, rowsRejected: 10, fileName: "a.csv", etaSeconds: 0 });
    expect(run!.rate).toBeGreaterThan(0);
    expect(await count(`select count(*)::int n from orders where shop_id = $1`, [s])).toBe(90);
    const report = await rejectedRowsCsv(db.pool, s, id);
    expect(report!.split("\r\n")[0]).toBe("line,reason");
    expect(report!.split("\r\n")[1]).toMatch(/^11,"subtotal: not a decimal amount.*total: not a decimal amount/);
    expect(report!.trim().split("\r\n")).toHaveLength(11);
    // Another shop sees neither the run nor its report.
    const other = await shop("other.myshopify.com");
    expect(await getImportRun(db.pool, other, id)).toBeUndefined();
    expect(await rejectedRowsCsv(db.pool, other, id)).toBeUndefined();
  });

  it("stop at the next batch when cancelled, and resume from the cursor without duplicates", async () => {
    const s = await shop("cancel.myshopify.com");
    const id = await createCsvImportRun(db.pool, s, "transactions", transactionsFile("b.csv", 200), "b.csv");
    let batches = 0;
    const first = await runImport(db.pool, s, id, {
      batchSize: 50,
      onProgress: () => {
        if (++batches === 1) void cancelImportRun(db.pool, s, id, new Date());
      },
    });
    expect(first.status).toBe("cancelled");
    const stopped = await getImportRun(db.pool, s, id);
    expect(stopped!.status).toBe("cancelled");
    expect(stopped!.rowsRead).toBeLessThan(200);
    const writtenBefore = await count(`select count(*)::int n from orders where shop_id = $1`, [s]);
    expect(writtenBefore).toBe(stopped!.rowsWritten);
    // A cancelled run is not started again by a stale job.
    expect((await runImport(db.pool, s, id)).status).toBe("skipped");

    expect(await resumeImportRun(db.pool, noQueue, s, id)).toBe(true);
    const second = await runImport(db.pool, s, id, { batchSize: 50 });
    expect(second).toMatchObject({ status: "succeeded", rowsRead: 200, rowsWritten: 180, rowsRejected: 20 });
    expect(await count(`select count(*)::int n from orders where shop_id = $1`, [s])).toBe(180);
    // Only queued/running runs can be cancelled; only stopped ones resumed.
    expect(await cancelImportRun(db.pool, s, id, new Date())).toBe(false);
    expect(await resumeImportRun(db.pool, noQueue, s, id)).toBe(false);
    expect((await listImportRuns(db.pool, s)).map((r) => r.id)).toEqual([id]);
  });

  it("run on the imports queue through forActiveShop", async () => {
    const qs = createQueueSystem({ databaseUrl: db.url });
    try {
      registerImportsWorker({ qs, db: db.pool, logger: pino({ level: "silent" }) });
      const live = await shop("worker.myshopify.com");
      const gone = await shop("gone.myshopify.com", "uninstalled");
      const a = await createCsvImportRun(db.pool, live, "transactions", transactionsFile("c.csv", 40), "c.csv");
      const b = await createCsvImportRun(db.pool, gone, "transactions", transactionsFile("d.csv", 40), "d.csv");
      await enqueueImportRun(qs, gone, b, 1);
      await enqueueImportRun(qs, live, a, 1);
      const deadline = Date.now() + 30_000;
      while ((await getImportRun(db.pool, live, a))!.status !== "succeeded" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await getImportRun(db.pool, live, a)).toMatchObject({ status: "succeeded", rowsWritten: 36, rowsRejected: 4 });
      expect((await getImportRun(db.pool, gone, b))!.status).toBe("queued");
      expect(await count(`select count(*)::int n from orders where shop_id = $1`, [gone])).toBe(0);
    } finally {
      await qs.close();
    }
  });
});
