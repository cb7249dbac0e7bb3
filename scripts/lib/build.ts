// Builds the Remix app when the build is missing or older than the sources it comes from.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from "node:fs";
import path from "node:path";
import { BUILD_DIR, ROOT } from "./web-server";

const SOURCES = ["app", "core", "connectors", "jobs", "vite.config.ts", "package.json"];

function newestMtime(p: string): number {
  const full = path.join(ROOT, p);
  if (!existsSync(full)) return 0;
  const st = statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(full)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export function buildIsFresh(): boolean {
  const marker = path.join(BUILD_DIR, "server", "index.js");
  if (!existsSync(marker)) return false;
  const built = statSync(marker).mtimeMs;
  return SOURCES.every((s) => newestMtime(s) <= built);
}

// Several processes (parallel test files, a demo beside a test run) may ask at once: one
// builds while the others wait for it, so no two builds write build/ together.
const LOCK = path.join(ROOT, ".cache", "build.lock");

export async function ensureBuild(log: (msg: string) => void = console.log): Promise<void> {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`waited 5 minutes for ${LOCK}; remove it if no build is running`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (buildIsFresh()) return;
    log("building the admin (remix vite:build)...");
    const r = spawnSync("npx", ["--no-install", "remix", "vite:build"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_ENV: "production" } });
    if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmdirSync(LOCK);
  }
}
