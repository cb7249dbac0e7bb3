// The one Prisma client, on the pg driver adapter (no downloaded engine), and a plain pg
// pool for set-based SQL (COPY, segment queries) on the same database.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import pg from "pg";
import { logger } from "./logger.server";

declare global {
  // eslint-disable-next-line no-var
  var __winbackPrisma: PrismaClient | undefined;
  // eslint-disable-next-line no-var
  var __winbackPool: pg.Pool | undefined;
}

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: start through npm run demo / npm start, which provide the database");
  return url;
}

// Kept on globalThis so Vite's dev reloads do not open a new pool per edit.
export function prisma(): PrismaClient {
  globalThis.__winbackPrisma ??= new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl() }) });
  return globalThis.__winbackPrisma;
}

export function pool(): pg.Pool {
  if (!globalThis.__winbackPool) {
    const p = new pg.Pool({ connectionString: databaseUrl(), max: 10 });
    // An idle client's connection can end under it (a database restart or failover): the pool
    // drops that client and the next query opens a new one. Without a listener node-postgres
    // would throw the error and take the whole process down.
    p.on("error", (e) => logger.warn({ error: e.message }, "idle database connection closed"));
    globalThis.__winbackPool = p;
  }
  return globalThis.__winbackPool;
}

export async function closeDatabase(): Promise<void> {
  await globalThis.__winbackPrisma?.$disconnect();
  await globalThis.__winbackPool?.end();
  globalThis.__winbackPrisma = undefined;
  globalThis.__winbackPool = undefined;
}

/** Runs `work` in one transaction on a client of `db`: all of it is written, or none. */
export async function withTransaction<T>(db: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query("begin");
    const result = await work(client);
    await client.query("commit");
    return result;
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
