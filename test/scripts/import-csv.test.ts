// `winback import csv` on a file with bad rows: progress on stderr, the report (counts and each
// rejected row) on stdout, exit code 0; the rows are in the database, recorded as an import run.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..", "..");
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("cli");
});
afterAll(async () => {
  await db.drop();
});

function winback(args: string[]) {
  return run(process.execPath, [path.join(ROOT, "scripts", "winback.mjs"), ...args], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: "silent" },
  }).then((r) => ({ code: 0, ...r }), (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }));
}

it("imports a transactions CSV with bad rows, prints the report and exits 0", async () => {
  const shop = (await db.pool.query(
    `insert into shops (domain, platform, currency, timezone, updated_at) values ('cli.myshopify.com', 'shopify', 'EUR', 'Europe/Berlin', now()) returning id`)).rows[0].id;
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "winback-cli-")), "tx.csv");
  writeFileSync(file, [
    "customer_id,date,amount,email",
    "c1,2024-01-02,10.00,a@example.com",
    "c1,2024-02-03,12.50,a@example.com",
    "c2,not a date,5.00,b@example.com",
    "c2,2024-03-04,5.00,b@example.com,extra",
    "c3,2024-03-05,7.25,",
  ].join("\n") + "\n");

  const r = await winback(["import", "csv", "--shop", "cli.myshopify.com", "--format", "transactions", file]);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/read 5, written 3, rejected 2, \d+ rows\/s/);
  expect(r.stdout).toMatch(/^import \d+ succeeded: read 5, written 3, rejected 2\n/);
  expect(r.stdout).toContain("line 4: processedAt: unrecognised date/time \"not a date\"");
  expect(r.stdout).toContain("line 5: expected 4 columns, got 5");
  const orders = (await db.pool.query(`select count(*)::int n, sum(total)::int total from orders where shop_id = $1`, [shop])).rows[0];
  expect(orders).toEqual({ n: 3, total: 2975 });
  const runs = (await db.pool.query(`select status, rows_written from import_runs where shop_id = $1`, [shop])).rows;
  expect(runs).toEqual([{ status: "succeeded", rows_written: 3 }]);
}, 60_000);

it("refuses bad usage and unknown shops", async () => {
  expect((await winback(["import", "csv", "--shop", "x", "--format", "nope", "f.csv"])).code).toBe(2);
  const r = await winback(["import", "csv", "--shop", "missing.myshopify.com", "--format", "transactions", path.join(ROOT, "package.json")]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("no shop missing.myshopify.com");
}, 60_000);
