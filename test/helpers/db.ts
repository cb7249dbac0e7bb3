// A fresh database for one test file: cloned from the run's migrated template (or empty,
// for migration tests), so tests see real PostgreSQL and never each other's rows.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { ensureDatabaseExists, withDatabase } from "../../prisma/embedded";

export const TEMPLATE_DATABASE = "winback_template";

export interface TestDatabase {
  url: string;
  name: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

async function openDatabase(prefix: string, template: string | undefined, poolSize: number): Promise<TestDatabase> {
  const serverUrl = inject("pgServerUrl");
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await ensureDatabaseExists(serverUrl, name, template);
  const url = withDatabase(serverUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // drop() ends the pool and then drops the database with (force): a client still closing
  // gets "terminating connection due to administrator command" (57P01), which is expected here.
  pool.on("error", (e: Error & { code?: string }) => {
    if (e.code !== "57P01") throw e;
  });
  return {
    url,
    name,
    pool,
    async drop() {
      await pool.end();
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        await admin.query(`drop database if exists ${admin.escapeIdentifier(name)} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A migrated database of its own. */
export function createTestDatabase(prefix = "t"): Promise<TestDatabase> {
  return openDatabase(prefix, TEMPLATE_DATABASE, 10);
}

/** An empty database with no migrations applied, for migration tests. */
export function createEmptyDatabase(prefix = "empty"): Promise<TestDatabase> {
  return openDatabase(prefix, undefined, 4);
}
