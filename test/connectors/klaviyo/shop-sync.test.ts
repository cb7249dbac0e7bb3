// The whole-shop Klaviyo sync (app/models/klaviyo.server.ts) from real PostgreSQL rows to
// the Klaviyo simulator, through the client built from the shop's sealed key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEncryptionKey, sealSecret } from "../../../core/secrets/seal";
import { startKlaviyoSim, type KlaviyoSim } from "../../../scripts/sims/klaviyo-sim";
import { configureAppEnv } from "../../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertShop } from "../../helpers/fixtures";

const db: TestDatabase = await createTestDatabase();
configureAppEnv(db);
const { klaviyoClientForShop, syncShopToKlaviyo } = await import("../../../app/models/klaviyo.server");
const { segmentListName } = await import("../../../connectors/klaviyo/sync");

let sim: KlaviyoSim;
let shopId: number;
let otherShop: number;
const NOW = new Date("2026-11-23T12:00:00Z");

async function customer(shop: number, email: string | null, phone: string | null, emailConsent = "unknown", smsConsent = "unknown") {
  const r = await db.pool.query<{ id: string }>(
    `insert into customers (shop_id, email, phone, first_name, email_consent, email_consent_at, sms_consent, updated_at)
     values ($1, $2, $3, 'Pat', $4::"ConsentState", case when $4 = 'subscribed' then timestamptz '2025-02-01' end, $5::"ConsentState", now()) returning id::text`,
    [shop, email, phone, emailConsent, smsConsent],
  );
  return r.rows[0].id;
}

beforeAll(async () => {
  sim = await startKlaviyoSim();
  shopId = await insertShop(db.pool, "klaviyo-shop.myshopify.com");
  otherShop = await insertShop(db.pool, "other-klaviyo.myshopify.com");
  const key = parseEncryptionKey(process.env.WINBACK_ENCRYPTION_KEY!);
  if (!key.ok) throw new Error(key.error);
  await db.pool.query(`insert into provider_credentials (shop_id, provider, config, sealed_secret) values ($1, 'klaviyo', '{}', $2)`, [shopId, sealSecret(JSON.stringify({ privateKey: sim.apiKey }), key.value)]);
});

afterAll(async () => {
  await sim.close();
  const { closeDatabase } = await import("../../../app/db.server");
  await closeDatabase();
  await db.drop();
});

describe("syncShopToKlaviyo", () => {
  it("syncs the shop's profiles, consent and segment lists, and a second run writes nothing", async () => {
    const a = await customer(shopId, "ana@example.com", "+12125550001", "subscribed", "unsubscribed");
    const b = await customer(shopId, "bo@example.com", null, "unsubscribed");
    await customer(shopId, "cy@example.com", null, "pending");
    await customer(shopId, null, null); // nothing to identify them by in Klaviyo
    await customer(otherShop, "someone-else@example.com", null, "subscribed");
    await db.pool.query(`insert into customer_scores (shop_id, customer_id, order_count, stage, dormant, days_overdue) values ($1, $2, 3, 'lapsing', true, 40.4)`, [shopId, a]);
    const seg = await db.pool.query<{ id: string }>(`insert into segments (shop_id, name, definition, updated_at) values ($1, 'Dormant regulars', '{}', now()) returning id::text`, [shopId]);
    await db.pool.query(`insert into segment_memberships (shop_id, segment_id, customer_id) values ($1, $2, $3), ($1, $2, $4)`, [shopId, seg.rows[0].id, a, b]);

    const client = await klaviyoClientForShop(db.pool, shopId, { basePath: sim.baseUrl });
    if (!client.ok || !client.value) throw new Error("no client");
    const first = await syncShopToKlaviyo(db.pool, shopId, client.value, { now: NOW, pageSize: 2 });
    expect(first).toMatchObject({ ok: true, value: { profiles: 3, subscribed: 1, unsubscribed: 2 } });
    if (!first.ok) return;
    expect(first.value.lists).toEqual([expect.objectContaining({ segmentId: seg.rows[0].id, added: 2, removed: 0 })]);

    expect(sim.profiles.size).toBe(3);
    expect(sim.profileByEmail("someone-else@example.com")).toBeUndefined();
    const ana = sim.profileByEmail("ana@example.com")!;
    expect(ana.subscriptions).toEqual({ email: "SUBSCRIBED", sms: "UNSUBSCRIBED" });
    expect(ana.properties).toMatchObject({ winback_customer_id: a, winback_stage: "lapsing", winback_dormant: true, winback_days_overdue: 40, winback_order_count: 3 });
    expect(sim.profileByEmail("bo@example.com")!.subscriptions.email).toBe("UNSUBSCRIBED");
    expect(sim.profileByEmail("cy@example.com")!.subscriptions.email).toBe("NEVER_SUBSCRIBED");
    const list = sim.listByName(segmentListName({ id: seg.rows[0].id, name: "Dormant regulars" }))!;
    expect([...list.members].sort()).toEqual([ana.id, sim.profileByEmail("bo@example.com")!.id].sort());

    const state = JSON.stringify([...sim.profiles.values()]);
    const second = await syncShopToKlaviyo(db.pool, shopId, client.value, { now: NOW, pageSize: 2 });
    expect(second.ok && second.value.lists[0]).toMatchObject({ added: 0, removed: 0, unchanged: 2 });
    expect(JSON.stringify([...sim.profiles.values()])).toBe(state);
    expect(sim.lists.size).toBe(1);
  });

  it("has no client for a shop without Klaviyo", async () => {
    expect(await klaviyoClientForShop(db.pool, otherShop)).toEqual({ ok: true, value: null });
  });
});
