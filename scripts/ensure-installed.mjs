#!/usr/bin/env node
// Runs a command after making sure dependencies are installed, so `npm run demo` and
// `npm test` work on a fresh clone as they are. Plain JavaScript on purpose: it may run on
// the machine's Node 20 before node_modules (and Node 24 from npm) exist.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const marker = path.join(root, "node_modules", ".package-lock.json");
const lock = path.join(root, "package-lock.json");
const stale = !existsSync(marker) || !existsSync(path.join(root, "node_modules", ".bin", "tsx")) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  console.error("installing dependencies (npm install)...");
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const [command, ...args] = process.argv.slice(2);
const bin = path.join(root, "node_modules", ".bin");
// node_modules/.bin first, so `node` is the Node 24 installed from npm.
const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
const r = spawnSync(command, args, { cwd: process.cwd(), stdio: "inherit", env });
process.exit(r.status ?? (r.signal ? 1 : 0));
