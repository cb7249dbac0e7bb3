// Secrets for local runs (demo, tests, a development store): generated once and kept under
// .data/, never committed. Production takes them from the environment (see README).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./web-server";

interface LocalSecrets {
  SHOPIFY_API_SECRET: string;
  WINBACK_ENCRYPTION_KEY: string;
}

export function loadLocalSecrets(): LocalSecrets {
  const file = path.join(ROOT, ".data", "local-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as LocalSecrets;
  const secrets = { SHOPIFY_API_SECRET: randomBytes(24).toString("hex"), WINBACK_ENCRYPTION_KEY: randomBytes(32).toString("hex") };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** Fills in what the environment does not set; never overrides it. */
export function applyLocalSecrets(): void {
  const s = loadLocalSecrets();
  process.env.SHOPIFY_API_SECRET ||= s.SHOPIFY_API_SECRET;
  process.env.WINBACK_ENCRYPTION_KEY ||= s.WINBACK_ENCRYPTION_KEY;
}
