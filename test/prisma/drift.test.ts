// schema.prisma and the committed migrations must describe the same database. Prisma's own
// drift check needs a schema engine that cannot run here, so this test builds both and
// compares PostgreSQL's catalog: one database from the migrations, one from the SQL Prisma
// generates for the schema (`prisma migrate diff --from-empty --to-schema-datamodel`).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migrate } from "../../prisma/migrate";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

function schemaSql(schemaPath: string, databaseUrl: string): string {
  const r = spawnSync("npx", ["--no-install", "prisma", "migrate", "diff", "--from-empty", "--to-schema-datamodel", schemaPath, "--script"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  if (r.status !== 0) throw new Error(`prisma migrate diff failed: ${r.stderr}`);
  return r.stdout;
}

async function catalog(db: pg.Pool): Promise<string[]> {
  const columns = await db.query(
    `select table_name || '.' || column_name || ' ' || data_type || ' ' || udt_name || ' null=' || is_nullable || ' default=' || coalesce(column_default, '') as d
     from information_schema.columns where table_schema = 'public' and table_name <> '_prisma_migrations'`,
  );
  const indexes = await db.query(`select indexdef as d from pg_indexes where schemaname = 'public' and tablename <> '_prisma_migrations'`);
  const constraints = await db.query(
    `select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) as d from pg_constraint
     where connamespace = 'public'::regnamespace and conrelid::regclass::text <> '_prisma_migrations'`,
  );
  const types = await db.query(
    `select t.typname || ' ' || string_agg(e.enumlabel, ',' order by e.enumsortorder) as d from pg_type t join pg_enum e on e.enumtypid = t.oid
     where t.typnamespace = 'public'::regnamespace group by t.typname`,
  );
  return [...columns.rows, ...indexes.rows, ...constraints.rows, ...types.rows].map((r) => r.d as string).sort();
}

describe("schema.prisma and prisma/migrations", () => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  async function fromSchema(schemaPath: string): Promise<string[]> {
    const db = await createEmptyDatabase("schema");
    dbs.push(db);
    await db.pool.query(schemaSql(schemaPath, db.url));
    return catalog(db.pool);
  }

  it("describe the same database (no drift)", async () => {
    const migrated = await createEmptyDatabase("migrated");
    dbs.push(migrated);
    await migrate(migrated.url);
    const expected = await fromSchema(path.join(ROOT, "prisma", "schema.prisma"));
    expect(await catalog(migrated.pool)).toEqual(expected);
  });

  it("a schema change without a migration is detected", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "winback-drift-"));
    const changed = path.join(dir, "schema.prisma");
    copyFileSync(path.join(ROOT, "prisma", "schema.prisma"), changed);
    writeFileSync(changed, readFileSync(changed, "utf8").replace("  plan           String?", "  plan           String?\n  driftProbe     Int?"));
    const migrated = await createEmptyDatabase("migrated");
    dbs.push(migrated);
    await migrate(migrated.url);
    const drifted = await fromSchema(changed);
    expect(drifted.some((d) => d.startsWith("shops.driftProbe"))).toBe(true);
    expect(await catalog(migrated.pool)).not.toEqual(drifted);
  });
});
