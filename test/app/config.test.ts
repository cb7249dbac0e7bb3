import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

const BASE = { SHOPIFY_API_SECRET: "s", WINBACK_ENCRYPTION_KEY: "a".repeat(64) };

async function loadConfig(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const k of ["NODE_ENV", "WINBACK_DEMO_SHOP", "SHOPIFY_API_SECRET", "WINBACK_ENCRYPTION_KEY", "PORT"]) delete process.env[k];
  Object.assign(process.env, env);
  const { appConfig } = await import("../../app/config.server");
  return () => appConfig();
}

describe("configuration", () => {
  afterEach(() => vi.resetModules());

  it("refuses the demo shop in production", async () => {
    const config = await loadConfig({ ...BASE, NODE_ENV: "production", WINBACK_DEMO_SHOP: "demo.myshopify.com" });
    expect(config).toThrow(/refused when NODE_ENV=production/);
  });

  it("requires the secrets in production", async () => {
    expect(await loadConfig({ NODE_ENV: "production" })).toThrow(/SHOPIFY_API_SECRET is required/);
  });

  it("names the variable that is wrong", async () => {
    expect(await loadConfig({ ...BASE, PORT: "not-a-port" })).toThrow(/PORT/);
    expect(await loadConfig({ ...BASE, WINBACK_ENCRYPTION_KEY: "short" })).toThrow(/WINBACK_ENCRYPTION_KEY must be 32 bytes/);
  });

  it("has working defaults for local runs", async () => {
    const c = (await loadConfig(BASE))();
    expect(c.PORT).toBe(3000);
    // The same scopes shopify.app.toml declares.
    expect(c.SCOPES).toBe(/scopes = "([^"]+)"/.exec(readFileSync(path.resolve(import.meta.dirname, "..", "..", "shopify.app.toml"), "utf8"))![1]);
    expect(c.encryptionKey).toHaveLength(32);
  });
});
