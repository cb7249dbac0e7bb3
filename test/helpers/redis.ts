// A real redis-server from the machine's binary, on a free loopback port, for queue tests.
// Missing binary: CI fails loudly; elsewhere the Redis tests are skipped with the reason.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { freePort } from "../../prisma/embedded";

export function redisServerPath(): string | null {
  const r = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

export const REDIS_MISSING_REASON = "redis-server is not installed (apt-get install redis-server); the Redis backend tests did not run";

export function redisRequiredButMissing(): boolean {
  const missing = redisServerPath() === null;
  if (missing && process.env.CI) throw new Error(`${REDIS_MISSING_REASON} — CI must install it (.ci/run)`);
  if (missing) console.warn(`SKIPPED: ${REDIS_MISSING_REASON}`);
  return missing;
}

export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const bin = redisServerPath();
  if (!bin) throw new Error(REDIS_MISSING_REASON);
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("redis-server did not start in 10 s")), 10_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
