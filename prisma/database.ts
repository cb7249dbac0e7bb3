// Decides which PostgreSQL the process uses: DATABASE_URL when set, else an embedded real
// PostgreSQL with its data under .data/postgres, reused across runs.
import path from "node:path";
import { ensureDatabaseExists, startEmbeddedPostgres, withDatabase } from "./embedded";

export const EMBEDDED_DATA_DIR = path.resolve(import.meta.dirname, "..", ".data", "postgres");
const EMBEDDED_DATABASE = "winback";
// A fixed default port lets a second process (the worker, a CLI call) find the demo's cluster.
const EMBEDDED_PORT = Number(process.env.EMBEDDED_PG_PORT ?? 54329);

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function resolveDatabase(): Promise<DatabaseHandle> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) return { url: fromEnv, embedded: false, stop: async () => {} };
  const server = await startEmbeddedPostgres(EMBEDDED_DATA_DIR, EMBEDDED_PORT);
  await ensureDatabaseExists(server.serverUrl, EMBEDDED_DATABASE);
  const url = withDatabase(server.serverUrl, EMBEDDED_DATABASE);
  process.env.DATABASE_URL = url;
  return { url, embedded: true, stop: server.stop };
}
