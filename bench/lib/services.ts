// Real services for benchmarks: a throwaway embedded PostgreSQL cluster, and redis-server
// from the machine when it is installed.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDatabaseExists, startEmbeddedPostgres, withDatabase } from "../../prisma/embedded";
import { migrate } from "../../prisma/migrate";
import { redisServerPath, startRedis } from "../../test/helpers/redis";

export async function benchDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "winback-bench-pg-"));
  const server = await startEmbeddedPostgres(dir);
  await ensureDatabaseExists(server.serverUrl, "bench");
  const url = withDatabase(server.serverUrl, "bench");
  await migrate(url);
  return {
    url,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function benchRedis(): Promise<{ url: string; stop(): Promise<void> } | null> {
  return redisServerPath() ? startRedis() : null;
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
