// A fresh, migrated database for one test file: cloned from the run's template database,
// so tests see real PostgreSQL and never each other's rows.
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

export async function createTestDatabase(prefix = "t"): Promise<TestDatabase> {
  const serverUrl = inject("pgServerUrl");
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await ensureDatabaseExists(serverUrl, name, TEMPLATE_DATABASE);
  const url = withDatabase(serverUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
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

/** An empty database with no migrations applied, for migration tests. */
export async function createEmptyDatabase(prefix = "empty"): Promise<TestDatabase> {
  const serverUrl = inject("pgServerUrl");
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await ensureDatabaseExists(serverUrl, name);
  const url = withDatabase(serverUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
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
