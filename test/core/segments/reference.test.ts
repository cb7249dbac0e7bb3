// Compiled SQL returns the same members as hand-written reference SQL on generated data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSegment, compileSegmentForCustomer, compileSegmentsForCustomer } from "../../../core/segments/compile";
import { validateSegment } from "../../../core/segments/validate";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { generateShop, REFERENCE_SEGMENTS, rng, withParams } from "./generated-shop";
import { seedShop } from "./seed";

const NOW = new Date("2026-07-04T03:30:00Z"); // late evening of 3 July in Los Angeles
const TZ = "America/Los_Angeles";
let db: TestDatabase;
let counts: { customers: number; orders: number; events: number };

beforeAll(async () => {
  db = await createTestDatabase("segref");
  db.pool.on("error", () => {}); // dropping the database ends idle connections
  const a = generateShop({ shopId: 1, customers: 2500, now: NOW, timezone: TZ, seed: 7 });
  const b = generateShop({ shopId: 2, customers: 300, now: NOW, timezone: TZ, seed: 8 });
  await seedShop(db.pool, a);
  await seedShop(db.pool, b);
  await db.pool.query("ANALYZE");
  counts = { customers: a.customers.length, orders: a.orders!.length, events: a.events!.length };
});
afterAll(() => db?.drop());

const ids = (rows: { id: string }[]) => rows.map((r) => String(r.id)).sort();

describe("compiled SQL equals the hand-written reference on generated data", () => {
  it("has a few thousand rows to compare on", () => {
    expect(counts.customers).toBe(2500);
    expect(counts.orders).toBeGreaterThan(2000);
    expect(counts.events).toBeGreaterThan(2000);
  });

  it.each(REFERENCE_SEGMENTS)("$name", async ({ tree, sql }) => {
    expect(validateSegment(tree).ok).toBe(true);
    const compiled = ids((await db.pool.query(compileSegment(tree, { shopId: 1, now: NOW, timezone: TZ }))).rows);
    const reference = ids((await db.pool.query(withParams(sql), [1, NOW.toISOString(), TZ])).rows);
    // A segment matching nobody or everybody would make the comparison weak.
    expect(reference.length).toBeGreaterThan(0);
    expect(reference.length).toBeLessThan(2500);
    expect(compiled).toEqual(reference);

    // The single-customer variant agrees on a seeded sample of members and non-members.
    const r = rng(reference.length);
    const inSet = new Set(reference);
    for (let k = 0; k < 15; k++) {
      const id = String(10_000_000 + 1 + Math.floor(r() * 2500));
      const one = await db.pool.query(compileSegmentForCustomer(tree, { shopId: 1, now: NOW, timezone: TZ, customerId: id }));
      expect(one.rowCount, `customer ${id}`).toBe(inSet.has(id) ? 1 : 0);
    }
  });

  it("one statement for every segment agrees with each segment's own query, customer by customer", async () => {
    const segments = REFERENCE_SEGMENTS.map((s, i) => ({ id: String(100 + i), tree: s.tree }));
    const merged = new Set((await db.pool.query<{ id: string }>(`select id::text from customers where shop_id = 1 and merged_into_id is not null`)).rows.map((x) => x.id));
    expect(merged.size).toBeGreaterThan(0);
    const r = rng(99);
    const sample = [...[...merged].slice(0, 3), ...Array.from({ length: 40 }, () => String(10_000_000 + 1 + Math.floor(r() * 2500)))];
    for (const id of sample) {
      const together = await db.pool.query<{ segment_ids: string[] }>(compileSegmentsForCustomer(segments, { shopId: 1, now: NOW, timezone: TZ, customerId: id }));
      const one: string[] = [];
      for (const s of segments) {
        if ((await db.pool.query(compileSegmentForCustomer(s.tree, { shopId: 1, now: NOW, timezone: TZ, customerId: id }))).rowCount) one.push(s.id);
      }
      // A merged-away (not live) customer has no row at all; a live one has their segments.
      expect(together.rows[0]?.segment_ids ?? [], `customer ${id}`).toEqual(one);
      expect(together.rows.length, `customer ${id}`).toBe(merged.has(id) ? 0 : 1);
    }
    // Customers in no segment and in several both occur in the sample.
    expect(new Set((await Promise.all(sample.map((id) => db.pool.query<{ segment_ids: string[] }>(compileSegmentsForCustomer(segments, { shopId: 1, now: NOW, timezone: TZ, customerId: id })))))
      .map((x) => Math.min(x.rows[0]?.segment_ids.length ?? 0, 2))).size).toBeGreaterThan(1);
  });

  it.each(REFERENCE_SEGMENTS)("single-customer plan for $name reads big tables through indexes only", async ({ tree }) => {
    const q = compileSegmentForCustomer(tree, { shopId: 1, now: NOW, timezone: TZ, customerId: "10000001" });
    const plan = await db.pool.query({ text: `EXPLAIN (FORMAT JSON) ${q.text}`, values: q.values });
    const scans: string[] = [];
    const walk = (n: Record<string, unknown>) => {
      if (n["Node Type"] === "Seq Scan") scans.push(String(n["Relation Name"]));
      for (const c of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(c);
    };
    walk(plan.rows[0]["QUERY PLAN"][0].Plan);
    expect(scans.filter((t) => ["customers", "orders", "events", "order_lines", "customer_scores"].includes(t))).toEqual([]);
  });
});
