// The theme app extension follows Shopify's layout (shopify.extension.toml of type "theme",
// blocks/*.liquid with a {% schema %}, assets/) and talks to the app only through the app
// proxy that shopify.app.toml declares.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const EXT = path.join(ROOT, "extensions", "winback-push");
const read = (p: string) => readFileSync(path.join(EXT, p), "utf8");

describe("extensions/winback-push", () => {
  it("is a theme app extension", () => {
    expect(read("shopify.extension.toml")).toMatch(/^type = "theme"$/m);
    for (const dir of ["blocks", "assets", "locales"]) expect(existsSync(path.join(EXT, dir)), dir).toBe(true);
    JSON.parse(read("locales/en.default.json"));
  });

  it("declares an app embed block with prompt text and delay settings that load the opt-in script", () => {
    const liquid = read("blocks/push-optin.liquid");
    const schema = JSON.parse(/\{% schema %\}([\s\S]*?)\{% endschema %\}/.exec(liquid)![1]) as { target: string; javascript: string; settings: Array<{ id: string; type: string }> };
    expect(schema.target).toBe("body");
    expect(existsSync(path.join(EXT, "assets", schema.javascript))).toBe(true);
    const ids = schema.settings.map((s) => s.id);
    expect(ids).toContain("prompt_text");
    expect(ids).toContain("delay_seconds");
    // Every setting the markup reads is declared.
    for (const [, id] of liquid.matchAll(/block\.settings\.(\w+)/g)) expect(ids).toContain(id);
  });

  it("posts through the app proxy that shopify.app.toml declares, to a route that exists", () => {
    const toml = readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8");
    const section = /\[app_proxy\]([\s\S]*?)(?:\n\[|$)/.exec(toml)![1];
    const value = (k: string) => new RegExp(`^${k} = "([^"]+)"`, "m").exec(section)![1];
    expect({ url: value("url"), subpath: value("subpath"), prefix: value("prefix") }).toEqual({ url: "/apps/winback", subpath: "winback", prefix: "apps" });
    expect(read("blocks/push-optin.liquid")).toContain(`data-proxy="/${value("prefix")}/${value("subpath")}"`);
    const js = read("assets/push-optin.js");
    expect(js).toContain('proxy + "/push"');
    expect(js).toContain('proxy + "/sw.js"');
    expect(existsSync(path.join(ROOT, "app", "routes", "apps.winback.push.ts"))).toBe(true);
    expect(existsSync(path.join(ROOT, "app", "routes", "apps.winback.sw[.js].ts"))).toBe(true);
  });

  it("ships scripts that parse as browser JavaScript", async () => {
    new vm.Script(read("assets/push-optin.js"));
    const { SERVICE_WORKER } = await import("../../app/routes/apps.winback.sw[.js]");
    new vm.Script(SERVICE_WORKER);
  });
});
