// Klaviyo as a route the merchant sets up in Settings > Channels: the key saved sealed through
// the settings model, the connection test against the Klaviyo simulator, the nightly fan-out
// (one job per connected shop and day) and the sync job's audit entry or alert.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKlaviyoSim, type KlaviyoSim } from "../../scripts/sims/klaviyo-sim";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const db: TestDatabase = await createTestDatabase();
configureAppEnv(db);
const { saveProviderCredential, providerSettings } = await import("../../app/models/channels.server");
const { testKlaviyoConnection } = await import("../../app/models/klaviyo.server");
const { syncKlaviyoShop, enqueueNightlyKlaviyoSync, KLAVIYO_QUEUE } = await import("../../jobs/klaviyo/worker");
const { createQueueSystem } = await import("../../jobs/queues");
const { closeDatabase } = await import("../../app/db.server");

let sim: KlaviyoSim;
let shopId: number;
let unconnected: number;
const NOW = new Date("2026-11-23T12:00:00Z");

beforeAll(async () => {
  sim = await startKlaviyoSim();
  shopId = await insertShop(db.pool, "klaviyo-route.myshopify.com");
  unconnected = await insertShop(db.pool, "no-klaviyo.myshopify.com");
  await db.pool.query(`insert into customers (shop_id, email, email_consent, email_consent_at, updated_at) values ($1, 'ana@example.com', 'subscribed', now(), now())`, [shopId]);
});

afterAll(async () => {
  await sim.close();
  await closeDatabase();
  await db.drop();
});

describe("Klaviyo in the channel settings", () => {
  it("refuses a key that is not a private key, and never shows a saved one", async () => {
    const bad = await saveProviderCredential(shopId, "klaviyo", { privateKey: "sk_live_123", basePath: sim.baseUrl });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.join(" ")).toMatch(/privateKey: the private API key starts with pk_/);
    const good = await saveProviderCredential(shopId, "klaviyo", { privateKey: sim.apiKey, basePath: sim.baseUrl });
    expect(good.ok).toBe(true);
    const view = (await providerSettings(shopId)).find((p) => p.provider === "klaviyo");
    expect(view?.secrets).toEqual({ privateKey: "saved" });
    expect(JSON.stringify(view)).not.toContain(sim.apiKey);
  });

  it("tests the connection with the saved key", async () => {
    expect(await testKlaviyoConnection(db.pool, shopId)).toEqual({ ok: true, value: undefined });
    expect(await testKlaviyoConnection(db.pool, unconnected)).toEqual({ ok: false, error: "Klaviyo is not connected" });
    // A key Klaviyo does not know: the test says so.
    await saveProviderCredential(shopId, "klaviyo", { privateKey: "pk_wrong", basePath: sim.baseUrl });
    const wrong = await testKlaviyoConnection(db.pool, shopId);
    expect(wrong.ok).toBe(false);
    await saveProviderCredential(shopId, "klaviyo", { privateKey: sim.apiKey, basePath: sim.baseUrl });
  });

  it("syncs a connected shop, records it, and alerts when Klaviyo refuses", async () => {
    const out = await syncKlaviyoShop(db.pool, shopId, NOW);
    expect(out).toMatchObject({ synced: true, profiles: 1, subscribed: 1 });
    const audit = await db.pool.query(`select action from audit_log where shop_id = $1 and entity = 'provider' and entity_id = 'klaviyo'`, [shopId]);
    expect(audit.rows.map((r) => r.action)).toEqual(["klaviyo.synced"]);

    await saveProviderCredential(shopId, "klaviyo", { privateKey: "pk_wrong", basePath: sim.baseUrl });
    const failed = await syncKlaviyoShop(db.pool, shopId, NOW);
    expect(failed.synced).toBe(false);
    const alerts = await db.pool.query(`select kind, message from alerts where shop_id = $1`, [shopId]);
    expect(alerts.rows).toEqual([expect.objectContaining({ kind: "provider_failure", message: expect.stringMatching(/^Klaviyo sync failed/) })]);
    expect(await syncKlaviyoShop(db.pool, unconnected, NOW)).toEqual({ synced: false, reason: "Klaviyo is not connected" });
  });

  it("fans out nightly to connected shops only, once per day", async () => {
    const qs = createQueueSystem({ databaseUrl: db.url });
    try {
      expect(await enqueueNightlyKlaviyoSync(db.pool, qs, "2026-11-23")).toBe(1);
      expect(await enqueueNightlyKlaviyoSync(db.pool, qs, "2026-11-23")).toBe(1);
      const jobs = await qs.queue(KLAVIYO_QUEUE).getJobs(["waiting", "delayed", "prioritized"]);
      expect(jobs.map((j) => j.id)).toEqual([`klaviyo-${shopId}-2026-11-23`]);
    } finally {
      await qs.close();
    }
  });
});
