// Shopify customer segment membership through the official client against the store simulator:
// the shop's segment list and members are copied set-based, the Winback segments that reference
// them are recomputed (with entered/exited events), a later sync removes members who left, and
// a failed read keeps what was stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminGraphql, type AdminGraphql } from "../../../connectors/shopify/client";
import { listShopifySegments, readShopifySegmentMembers } from "../../../connectors/shopify/segments";
import { processSegmentJob, referencedShopifySegments, syncShopifySegmentMembers } from "../../../jobs/segments";
import { generateStore, pointShopifyClientsAt, startStoreSim, type SimStore, type StoreSim } from "../../../scripts/store-sim";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertShop } from "../../helpers/fixtures";

const TOKEN = "shpat_segments";
const SUBSCRIBERS = "gid://shopify/Segment/2";
const NOW = new Date("2026-11-20T12:00:00Z");
let db: TestDatabase;
let sim: StoreSim;
let store: SimStore;
let unpoint: () => void;
let shopId: number;
const ours = new Map<number, string>(); // sim customer id -> our customer id

beforeAll(async () => {
  db = await createTestDatabase("shopifysegs");
  db.pool.on("error", () => {});
  // 600 customers: the member list spans several pages of 250.
  store = generateStore({ seed: 7, customers: 600, domain: "segs.myshopify.com" });
  sim = await startStoreSim({ store, accessToken: TOKEN, bucket: { maximumAvailable: 20_000, restoreRate: 1_000 } });
  unpoint = pointShopifyClientsAt(sim);
  shopId = await insertShop(db.pool, sim.shop);
  // Every store customer imported but the last (a member Winback has not imported yet).
  for (const c of store.customers.slice(0, -1)) {
    const r = await db.pool.query<{ id: string }>(`insert into customers (shop_id, email, updated_at) values ($1, $2, now()) returning id::text`, [shopId, `c${c.id}@example.com`]);
    await db.pool.query(`insert into customer_identities (shop_id, source, external_id, customer_id) values ($1, 'shopify', $2, $3)`, [shopId, String(c.id), r.rows[0].id]);
    ours.set(c.id, r.rows[0].id);
  }
});
afterAll(async () => {
  unpoint?.();
  await sim?.close();
  await db?.drop();
});

const client = (): AdminGraphql => createAdminGraphql({ shop: sim.shop, accessToken: TOKEN });
const subscribed = () => store.customers.filter((c) => c.emailState === "SUBSCRIBED" && ours.has(c.id)).map((c) => ours.get(c.id)!).sort();
async function stored(segmentId: string): Promise<string[]> {
  const r = await db.pool.query(`select customer_id::text as id from shopify_segment_members where shop_id = $1 and segment_id = $2 order by 1`, [shopId, segmentId]);
  return r.rows.map((x) => x.id).sort();
}
async function members(segmentId: string): Promise<string[]> {
  const r = await db.pool.query(`select customer_id::text as id from segment_memberships where shop_id = $1 and segment_id = $2`, [shopId, segmentId]);
  return r.rows.map((x) => x.id).sort();
}

describe("Shopify customer segments", () => {
  let ourSegment: string;

  it("lists the shop's segments and reads every member across pages", async () => {
    const list = await listShopifySegments(client());
    expect(list.ok && list.value.map((s) => s.name)).toEqual(["Repeat buyers", "Email subscribers"]);
    const m = await readShopifySegmentMembers(client(), SUBSCRIBERS);
    if (!m.ok) throw new Error(JSON.stringify(m.error));
    const expected = store.customers.filter((c) => c.emailState === "SUBSCRIBED").map((c) => String(c.id));
    expect(expected.length).toBeGreaterThan(250);
    expect(m.value).toEqual(expected);
  });

  it("an unknown segment is an error value naming it, and nothing is written", async () => {
    const r = await syncShopifySegmentMembers(db.pool, { client: client(), shopId, now: NOW, only: "gid://shopify/Segment/999" });
    expect(r).toEqual({ ok: false, error: { kind: "unknown-segment", segmentId: "gid://shopify/Segment/999" } });
    expect(await stored("gid://shopify/Segment/999")).toEqual([]);
  });

  it("on demand: copies the picked segment's members and recomputes the segments using it", async () => {
    const tree = { kind: "shopify_segment", segment_id: SUBSCRIBERS, member: true };
    ourSegment = (await db.pool.query(`insert into segments (shop_id, name, definition) values ($1, 'Shopify subscribers', $2) returning id::text`, [shopId, JSON.stringify(tree)])).rows[0].id;
    expect(await referencedShopifySegments(db.pool, shopId)).toEqual([SUBSCRIBERS]);

    const r = await syncShopifySegmentMembers(db.pool, { client: client(), shopId, now: NOW, only: SUBSCRIBERS });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(await stored(SUBSCRIBERS)).toEqual(subscribed());
    expect(r.value.refreshed).toEqual([ourSegment]);
    expect(await members(ourSegment)).toEqual(subscribed());
    const names = await db.pool.query(`select name, member_count from shopify_segments where shop_id = $1 order by id`, [shopId]);
    expect(names.rows).toEqual([{ name: "Repeat buyers", member_count: null }, { name: "Email subscribers", member_count: subscribed().length }]);
  });

  it("the scheduled job (no segment named) syncs what the shop's segments reference; leavers are removed with exit events", async () => {
    const leaving = store.customers.filter((c) => c.emailState === "SUBSCRIBED" && ours.has(c.id)).slice(0, 3);
    for (const c of leaving) c.emailState = "UNSUBSCRIBED";
    const out = await processSegmentJob(db.pool, { kind: "shopify-members", shopId }, new Date(NOW.getTime() + 60_000), undefined, async () => client());
    expect(out.ran).toBe(true);
    expect(await stored(SUBSCRIBERS)).toEqual(subscribed());
    expect(await stored("gid://shopify/Segment/1")).toEqual([]); // not referenced: not read
    expect(await members(ourSegment)).toEqual(subscribed());
    const exits = await db.pool.query(`select customer_id::text as id from events where shop_id = $1 and name = 'segment_exited' and properties->>'segmentId' = $2 order by 1`, [shopId, ourSegment]);
    expect(exits.rows.map((x) => x.id)).toEqual(leaving.map((c) => ours.get(c.id)!).sort());
  });

  it("a failed read keeps the stored members", async () => {
    const before = await stored(SUBSCRIBERS);
    for (const c of store.customers) c.emailState = "UNSUBSCRIBED";
    const failing: AdminGraphql = { shop: sim.shop, request: async (q, v) => (q.includes("customerSegmentMembers") ? { ok: false, error: { kind: "http", status: 503, message: "down" } } : client().request(q, v)) };
    const r = await syncShopifySegmentMembers(db.pool, { client: failing, shopId, now: NOW });
    expect(r.ok).toBe(false);
    expect(await stored(SUBSCRIBERS)).toEqual(before);
  });
});
