// shopify.app.toml declares what the App Store requires and matches the code: the scopes
// the app asks for, the pinned API version, and a route for every webhook it subscribes to.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ADMIN_API_VERSION } from "../../connectors/shopify/api-version";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const toml = readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8");

describe("shopify.app.toml", () => {
  it("asks for exactly the scopes the app needs", () => {
    const scopes = /scopes = "([^"]+)"/.exec(toml)![1].split(",");
    // Each for what uses it: customers and their consent write-back, the whole order history,
    // products for offers' scope and costs, the unique codes, and the storefront app proxy that
    // receives web push subscriptions (Shopify requires write_app_proxy to configure a proxy).
    expect(scopes.sort()).toEqual(["read_all_orders", "read_customers", "read_orders", "read_products", "write_app_proxy", "write_customers", "write_discounts"]);
    expect(toml).toMatch(/\[app_proxy\]/);
  });

  it("subscribes webhooks with the pinned Admin API version", () => {
    expect(/api_version = "([^"]+)"/.exec(toml)![1]).toBe(ADMIN_API_VERSION);
    expect(ADMIN_API_VERSION).toBe("2026-10");
  });

  it("declares the three mandatory compliance topics", () => {
    expect(toml).toMatch(/compliance_topics = \["customers\/data_request", "customers\/redact", "shop\/redact"\]/);
  });

  it("has a route file for every webhook uri", () => {
    const uris = [...toml.matchAll(/uri = "([^"]+)"/g)].map((m) => m[1]);
    expect(uris.length).toBeGreaterThanOrEqual(3);
    for (const uri of uris) {
      const file = path.join(ROOT, "app", "routes", `${uri.slice(1).replaceAll("/", ".")}.tsx`);
      expect(existsSync(file), `${uri} -> ${file}`).toBe(true);
    }
  });
});
