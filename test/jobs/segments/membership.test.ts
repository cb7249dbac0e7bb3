// Live membership on real PostgreSQL: the full refresh and the single-customer path agree
// on generated data, every change writes its event once, and clock-driven entries happen at
// the right instant through segment_rechecks (across a DST change).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRESET_SEGMENTS, type SegmentNode } from "../../../core/segments";
import { installPresetSegments, processDueRechecks, reevaluateCustomer, refreshSegment, refreshShopSegments } from "../../../jobs/segments";
import { customerSegments, requestReevaluation } from "../../../jobs/segments/membership";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { generateShop, REFERENCE_SEGMENTS } from "../../core/segments/generated-shop";
import { seedShop } from "../../core/segments/seed";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("segjobs");
  db.pool.on("error", () => {}); // dropping the database ends idle connections
});
afterAll(() => db?.drop());

async function addSegment(shopId: number, name: string, tree: SegmentNode): Promise<string> {
  const r = await db.pool.query(`insert into segments (shop_id, name, definition) values ($1, $2, $3) returning id::text`, [shopId, name, JSON.stringify(tree)]);
  return r.rows[0].id;
}
async function memberships(shopId: number): Promise<string[]> {
  const r = await db.pool.query(`select segment_id || ':' || customer_id as k from segment_memberships where shop_id = $1 order by 1`, [shopId]);
  return r.rows.map((x) => x.k);
}
async function events(shopId: number): Promise<{ customer_id: string; name: string; segment: string; occurred_at: Date }[]> {
  const r = await db.pool.query(
    `select customer_id::text, name, properties->>'segmentId' as segment, occurred_at from events where shop_id = $1 and name like 'segment_%' order by id`,
    [shopId],
  );
  return r.rows;
}

describe("full and incremental evaluation agree on generated data", () => {
  const NOW = new Date("2026-07-04T03:30:00Z");
  const TZ = "America/Los_Angeles";
  const SHOP = 11;
  let customerIds: string[] = [];

  beforeAll(async () => {
    const shop = generateShop({ shopId: SHOP, customers: 400, now: NOW, timezone: TZ, seed: 3 });
    await seedShop(db.pool, shop);
    customerIds = shop.customers.map((c) => String(c.id));
    for (const s of REFERENCE_SEGMENTS) await addSegment(SHOP, s.name, s.tree);
    await db.pool.query("ANALYZE");
  }, 60_000);

  it("customer-by-customer re-evaluation leaves nothing for a full refresh to change", async () => {
    const onEvents: string[][] = [];
    // How fast this is lives in the segments bench (single_p99_ms), not here.
    for (const id of customerIds) {
      await reevaluateCustomer(db.pool, SHOP, id, NOW, { onEvents: async (_s, ids) => void onEvents.push(ids) });
    }
    const incremental = await memberships(SHOP);
    expect(incremental.length).toBeGreaterThan(200);
    const written = (await events(SHOP)).length;
    expect(written).toBe(incremental.length); // one segment_entered per membership
    expect(onEvents.flat().length).toBe(written);

    const results = await refreshShopSegments(db.pool, SHOP, NOW);
    expect(results.map((r) => [r.entered, r.exited])).toEqual(REFERENCE_SEGMENTS.map(() => [0, 0]));
    expect(await memberships(SHOP)).toEqual(incremental);
    expect((await events(SHOP)).length).toBe(written);
  }, 120_000);

  it("a full refresh from empty reaches the same members, and the counts are stored", async () => {
    const before = await memberships(SHOP);
    await db.pool.query(`delete from segment_memberships where shop_id = $1`, [SHOP]);
    await refreshShopSegments(db.pool, SHOP, NOW);
    expect(await memberships(SHOP)).toEqual(before);
    const counts = await db.pool.query(`select sum(member_count)::int as n, count(*) filter (where refreshed_at is null)::int as stale from segments where shop_id = $1`, [SHOP]);
    expect(counts.rows[0]).toEqual({ n: before.length, stale: 0 });
    const sizes = await db.pool.query(`select count(*)::int as n from segment_sizes where shop_id = $1 and day = '2026-07-03'`, [SHOP]);
    expect(sizes.rows[0].n).toBe(REFERENCE_SEGMENTS.length);
  }, 60_000);
});

describe("entering and leaving writes one event each", () => {
  const SHOP = 21;
  const NOW = new Date("2026-05-01T12:00:00Z");
  let vip: string;

  beforeAll(async () => {
    await seedShop(db.pool, {
      id: SHOP,
      timezone: "UTC",
      customers: [
        { id: 1, email: "a@x.com", tags: ["vip"] },
        { id: 2, email: "b@x.com", tags: [] },
      ],
    });
    vip = await addSegment(SHOP, "VIP", { kind: "customer", field: "tags", cmp: { op: "has_any", values: ["vip"] } });
  });

  it("full refresh, repeated, then a customer change picked up incrementally", async () => {
    const seen: string[] = [];
    const onEvents = async (_shop: number, ids: string[]) => void seen.push(...ids);
    const first = await refreshSegment(db.pool, SHOP, vip, NOW, { onEvents });
    expect(first).toMatchObject({ entered: 1, exited: 0, memberCount: 1 });
    expect(await refreshSegment(db.pool, SHOP, vip, NOW, { onEvents })).toMatchObject({ entered: 0, exited: 0, eventIds: [] });

    await db.pool.query(`update customers set tags = '{vip}' where shop_id = $1 and id = 2`, [SHOP]);
    await db.pool.query(`update customers set tags = '{}' where shop_id = $1 and id = 1`, [SHOP]);
    expect(await reevaluateCustomer(db.pool, SHOP, "2", NOW, { onEvents })).toMatchObject({ entered: [vip], exited: [] });
    expect(await reevaluateCustomer(db.pool, SHOP, "2", NOW, { onEvents })).toMatchObject({ entered: [], exited: [], eventIds: [] });
    expect(await reevaluateCustomer(db.pool, SHOP, 1n, NOW, { onEvents })).toMatchObject({ entered: [], exited: [vip] });
    expect(await refreshSegment(db.pool, SHOP, vip, NOW, { onEvents })).toMatchObject({ entered: 0, exited: 0 });

    const ev = await events(SHOP);
    expect(ev.map((e) => [e.customer_id, e.name, e.segment])).toEqual([
      ["1", "segment_entered", vip],
      ["2", "segment_entered", vip],
      ["1", "segment_exited", vip],
    ]);
    expect(seen).toHaveLength(3);
    const all = await db.pool.query(`select id::text from events where shop_id = $1 and name like 'segment_%' order by id`, [SHOP]);
    expect(seen.sort()).toEqual(all.rows.map((r) => r.id).sort());
  });

  it("archived segments are not evaluated", async () => {
    await db.pool.query(`update segments set archived_at = now() where shop_id = $1 and id = $2`, [SHOP, vip]);
    await db.pool.query(`update customers set tags = '{vip}' where shop_id = $1 and id = 1`, [SHOP]);
    expect(await reevaluateCustomer(db.pool, SHOP, "1", NOW)).toMatchObject({ entered: [], exited: [] });
    expect(await refreshSegment(db.pool, SHOP, vip, NOW)).toBeNull();
  });
});

describe("time-driven entry through segment_rechecks on a simulated clock", () => {
  const SHOP = 31;
  const TZ = "America/New_York";
  let lapsed: string;
  let soon: string;

  beforeAll(async () => {
    await seedShop(db.pool, {
      id: SHOP,
      timezone: TZ,
      customers: [{ id: 7, email: "c@x.com" }],
      // Noon local on 10 January (EST): 60 shop-local days later is 11 March, after the
      // switch to EDT on 8 March 2026, so the entry is at 04:00Z, not 05:00Z.
      orders: [{ id: 70, customerId: 7, at: new Date("2026-01-10T17:00:00Z"), total: 1000 }],
    });
    lapsed = await addSegment(SHOP, "Lapsed 60", PRESET_SEGMENTS.find((p) => p.key === "lapsed_60")!.tree);
    soon = await addSegment(SHOP, "Ordered in the last 30 days", { kind: "orders", metric: "count", window: { kind: "last_days", days: 30 }, cmp: { op: "gte", value: 1 } });
  });

  it("schedules the next change, and enters at local midnight across DST, not before", async () => {
    const t0 = new Date("2026-01-20T15:00:00Z");
    expect(await reevaluateCustomer(db.pool, SHOP, "7", t0)).toMatchObject({ entered: [soon] });
    const due = await db.pool.query(`select segment_id::text as s, due_at from segment_rechecks where shop_id = $1 order by due_at`, [SHOP]);
    // Leaves "last 30 days" at local midnight starting 9 February (EST, 05:00Z); enters lapsed at 11 March 04:00Z (EDT).
    expect(due.rows.map((r) => [r.s, r.due_at.toISOString()])).toEqual([
      [soon, "2026-02-09T05:00:00.000Z"],
      [lapsed, "2026-03-11T04:00:00.000Z"],
    ]);

    expect(await processDueRechecks(db.pool, new Date("2026-02-09T04:59:59Z"))).toEqual({ customers: 0, events: 0 });
    expect(await processDueRechecks(db.pool, new Date("2026-02-09T05:00:00Z"))).toEqual({ customers: 1, events: 1 });
    expect(await processDueRechecks(db.pool, new Date("2026-03-11T03:59:59Z"))).toEqual({ customers: 0, events: 0 });
    expect(await processDueRechecks(db.pool, new Date("2026-03-11T04:00:00Z"))).toEqual({ customers: 1, events: 1 });

    const ev = await events(SHOP);
    expect(ev.map((e) => [e.name, e.segment, e.occurred_at.toISOString()])).toEqual([
      ["segment_entered", soon, "2026-01-20T15:00:00.000Z"],
      ["segment_exited", soon, "2026-02-09T05:00:00.000Z"],
      ["segment_entered", lapsed, "2026-03-11T04:00:00.000Z"],
    ]);
    // Nothing more can change by the clock for this customer.
    expect((await db.pool.query(`select count(*)::int as n from segment_rechecks where shop_id = $1`, [SHOP])).rows[0].n).toBe(0);
  });

  it("rechecks of an uninstalled shop are dropped without work", async () => {
    await db.pool.query(`insert into segment_rechecks (shop_id, segment_id, customer_id, due_at) values ($1, $2, 7, '2026-01-01')`, [SHOP, lapsed]);
    await db.pool.query(`update shops set status = 'uninstalled' where id = $1`, [SHOP]);
    // Before any recheck of the other shops here falls due.
    expect(await processDueRechecks(db.pool, new Date("2026-06-01T00:00:00Z"))).toEqual({ customers: 0, events: 0 });
    expect((await db.pool.query(`select count(*)::int as n from segment_rechecks where shop_id = $1`, [SHOP])).rows[0].n).toBe(0);
  });
});

describe("ready-made segments", () => {
  it("are installed once per shop", async () => {
    await seedShop(db.pool, { id: 41, timezone: "UTC", customers: [] });
    const first = await installPresetSegments(db.pool, 41);
    expect(first).toHaveLength(PRESET_SEGMENTS.length);
    expect(await installPresetSegments(db.pool, 41)).toEqual([]);
    const rows = await db.pool.query(`select template_key from segments where shop_id = 41 order by template_key`);
    expect(rows.rows.map((r) => r.template_key)).toEqual(PRESET_SEGMENTS.map((p) => p.key).sort());
  });
});

describe("a re-evaluation requested by a writer without a queue (consent, engagement)", () => {
  const SHOP = 24;
  const NOW = new Date("2026-05-01T12:00:00Z");

  it("is picked up by the next recheck run, against every segment", async () => {
    await seedShop(db.pool, { id: SHOP, timezone: "UTC", customers: [{ id: 1, email: "a@x.com", emailConsent: "unsubscribed" }] });
    const subscribed = await addSegment(SHOP, "Subscribed", { kind: "customer", field: "email_consent", cmp: { op: "in", values: ["subscribed"] } });
    await refreshSegment(db.pool, SHOP, subscribed, NOW);
    await db.pool.query(`update customers set email_consent = 'subscribed' where shop_id = $1 and id = 1`, [SHOP]);
    await requestReevaluation(db.pool, SHOP, "1", NOW);
    await requestReevaluation(db.pool, SHOP, "1", NOW); // twice: one recheck row
    expect(await processDueRechecks(db.pool, NOW)).toMatchObject({ customers: 1, events: 1 });
    expect((await events(SHOP)).map((e) => [e.customer_id, e.name, e.segment])).toEqual([["1", "segment_entered", subscribed]]);
    expect(await processDueRechecks(db.pool, NOW)).toMatchObject({ customers: 0 });
  });
});

describe("one customer against every segment on one connection", () => {
  const SHOP = 25;
  const NOW = new Date("2026-05-01T12:00:00Z");

  it("answers right for many distinct segment sets, keeping a bounded number of prepared statements", async () => {
    await seedShop(db.pool, {
      id: SHOP,
      timezone: "UTC",
      customers: [{ id: 1, email: "a@x.com" }, { id: 2, email: "b@x.com" }],
      orders: [1, 2, 3].map((k) => ({ id: 2500 + k, customerId: 1, at: new Date(NOW.getTime() - k * 86_400_000), total: 1000 })),
    });
    const client = await db.pool.connect();
    try {
      // Values are parameters; each set here has one more segment, so a new statement text.
      for (let k = 0; k < 24; k++) {
        const emails = Array.from({ length: k }, (_, i) => ({ id: String(100 + i), tree: { kind: "customer", field: "email", cmp: { op: "eq", value: "b@x.com" } } as SegmentNode }));
        const shop = {
          timezone: "UTC",
          segments: [{ id: "1", tree: { kind: "orders", metric: "count", window: { kind: "all_time" }, cmp: { op: "gte", value: k % 5 } } as SegmentNode }, ...emails],
          resolve: () => undefined,
        };
        expect([...(await customerSegments(client, SHOP, "1", NOW, shop))], `set ${k}, customer 1`).toEqual(k % 5 <= 3 ? ["1"] : []);
        expect([...(await customerSegments(client, SHOP, "2", NOW, shop))].sort(), `set ${k}, customer 2`).toEqual([...(k % 5 === 0 ? ["1"] : []), ...emails.map((e) => e.id)].sort());
        expect([...(await customerSegments(client, SHOP, "999", NOW, shop))], `set ${k}, unknown customer`).toEqual([]);
      }
      const prepared = await client.query<{ n: number }>(`select count(*)::int as n from pg_prepared_statements where name like 'segments_%'`);
      expect(prepared.rows[0].n).toBe(16); // the first 16 texts; the other 8 ran unnamed
    } finally {
      client.release();
    }
  });
});
