// `winback import csv --shop DOMAIN --format shopify-customers|shopify-orders|transactions FILE`:
// the same import run as the imports worker (jobs/imports/run-import.ts), in this process.
// Progress goes to stderr; the report (counts and every rejected row) to stdout. Rejected rows
// are an outcome, not a failure: the exit code is 0 when the file was read; 1 when it could
// not be (unknown shop, missing file, missing columns); 2 for bad usage.
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import type { CsvFormatName } from "../../connectors/csv/import";
import { CSV_FORMATS, runImport } from "../../jobs/imports/run-import";
import { resolveDatabase } from "../../prisma/database";
import { migrate } from "../../prisma/migrate";

const USAGE = `usage: winback import csv --shop DOMAIN --format ${CSV_FORMATS.join("|")} FILE\n`;

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { shop: { type: "string" }, format: { type: "string" } } });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const file = positionals[0];
  if (!values.shop || !values.format || !file || positionals.length !== 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (!CSV_FORMATS.includes(values.format as CsvFormatName)) {
    process.stderr.write(`unknown format "${values.format}"\n${USAGE}`);
    return 2;
  }
  const full = path.resolve(file);
  if (!existsSync(full)) {
    process.stderr.write(`no such file: ${file}\n`);
    return 1;
  }
  const database = await resolveDatabase();
  const db = new pg.Pool({ connectionString: database.url, max: 4 });
  try {
    await migrate(database.url);
    const shop = (await db.query(`select id from shops where domain = $1`, [values.shop.toLowerCase()])).rows[0];
    if (!shop) {
      process.stderr.write(`no shop ${values.shop}\n`);
      return 1;
    }
    const runId = (await db.query(
      `insert into import_runs (shop_id, source, kind, status, cursor, report)
       values ($1, 'csv', $2, 'queued', $3, '{"rejected":[]}') returning id::text`,
      [shop.id, values.format, JSON.stringify({ file: full, name: path.basename(full), line: 0, attempt: 1 })])).rows[0].id as string;
    const outcome = await runImport(db, shop.id, runId, {
      onProgress: (p) => process.stderr.write(
        `import ${runId}: read ${p.rowsRead}, written ${p.rowsWritten}, rejected ${p.rowsRejected}, ${Math.round(p.rate)} rows/s` +
        (p.etaSeconds !== undefined ? `, ETA ${Math.ceil(p.etaSeconds)} s` : "") + "\n"),
    });
    if (outcome.status === "failed" || outcome.status === "skipped") {
      process.stderr.write(`import ${runId} failed: ${outcome.error}\n`);
      return 1;
    }
    const out = [
      `import ${runId} ${outcome.status}: read ${outcome.rowsRead}, written ${outcome.rowsWritten}, rejected ${outcome.rowsRejected}`,
      ...(outcome.rejected.length ? ["rejected rows:", ...outcome.rejected.map((r) => `  line ${r.line}: ${r.reason}`)] : []),
    ];
    process.stdout.write(out.join("\n") + "\n");
    return 0;
  } finally {
    await db.end();
    await database.stop();
  }
}
