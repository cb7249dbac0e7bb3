import { afterAll, describe, expect, it } from "vitest";
import { migrate, readMigrations } from "../../prisma/migrate";
import { createEmptyDatabase, type TestDatabase } from "../helpers/db";

describe("migration runner", () => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  it("applies every migration to an empty database and records them as Prisma does", async () => {
    const db = await createEmptyDatabase();
    dbs.push(db);
    const first = await migrate(db.url);
    const files = readMigrations();
    expect(first.applied).toEqual(files.map((f) => f.name));
    const rows = await db.pool.query(
      `select migration_name, checksum, finished_at, applied_steps_count from "_prisma_migrations" order by migration_name`,
    );
    expect(rows.rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(
      files.map((f) => [f.name, f.checksum, 1]),
    );
    expect(rows.rows.every((r) => r.finished_at instanceof Date)).toBe(true);
    const tables = await db.pool.query(`select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name = 'customers'`);
    expect(tables.rows[0].n).toBe(1);

    const again = await migrate(db.url);
    expect(again.applied).toEqual([]);
  });

  it("refuses a migration that was edited after it was applied", async () => {
    const db = await createEmptyDatabase();
    dbs.push(db);
    await migrate(db.url);
    const first = readMigrations()[0];
    await db.pool.query(`update "_prisma_migrations" set checksum = 'x' where migration_name = $1`, [first.name]);
    await expect(migrate(db.url)).rejects.toThrow(/edited after it was applied/);
  });
});
