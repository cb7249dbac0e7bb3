// Hostile strings through every string field: they are data, never SQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSegment, compileSegmentPreview } from "../../../core/segments/compile";
import type { SegmentNode } from "../../../core/segments/schema";
import { validateSegment } from "../../../core/segments/validate";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { NOW, SHOP_A, TZ } from "./fixture";
import { seedShop } from "./seed";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("seginj");
  db.pool.on("error", () => {}); // dropping the database ends idle connections
  await seedShop(db.pool, SHOP_A);
});
afterAll(() => db?.drop());

const PAYLOADS = [
  "'); drop table customers; --",
  "\"; drop table customers; --",
  "' OR '1'='1",
  "1; select pg_sleep(5)",
  "$1",
  "%_\\",
  "}{\"'",
  "$$; drop table orders; $$",
];

// closedSet: the field takes only names the scoring writes, so validation also rejects the payload;
// the compiled query must be harmless all the same (a caller may compile without validating).
const FIELDS: { name: string; tree: (v: string) => SegmentNode; closedSet?: boolean }[] = [
  { name: "email eq", tree: (v) => ({ kind: "customer", field: "email", cmp: { op: "eq", value: v } }) },
  { name: "email contains", tree: (v) => ({ kind: "customer", field: "email", cmp: { op: "contains", value: v } }) },
  { name: "email starts", tree: (v) => ({ kind: "customer", field: "email", cmp: { op: "starts_with", value: v } }) },
  { name: "email ends", tree: (v) => ({ kind: "customer", field: "email", cmp: { op: "ends_with", value: v } }) },
  { name: "domain in", tree: (v) => ({ kind: "customer", field: "email_domain", cmp: { op: "in", values: [v] } }) },
  { name: "country not in", tree: (v) => ({ kind: "customer", field: "country", cmp: { op: "not_in", values: [v, "US"] } }) },
  { name: "tags", tree: (v) => ({ kind: "customer", field: "tags", cmp: { op: "has_any", values: [v] } }) },
  { name: "rfm group", tree: (v) => ({ kind: "score", field: "rfm_group", cmp: { op: "eq", value: v } }), closedSet: true },
  { name: "rfm group contains", tree: (v) => ({ kind: "score", field: "rfm_group", cmp: { op: "contains", value: v } }) },
  { name: "discount codes", tree: (v) => ({ kind: "discount_codes", used: true, codes: [v], window: { kind: "all_time" } }) },
  { name: "product", tree: (v) => ({ kind: "purchased", by: "product", values: [v], bought: true, window: { kind: "all_time" } }) },
  { name: "variant", tree: (v) => ({ kind: "purchased", by: "variant", values: [v], bought: true, window: { kind: "all_time" } }) },
  { name: "vendor", tree: (v) => ({ kind: "purchased", by: "vendor", values: [v], bought: true, window: { kind: "all_time" } }) },
  { name: "collection", tree: (v) => ({ kind: "purchased", by: "collection", values: [v], bought: true, window: { kind: "all_time" } }) },
  { name: "event name", tree: (v) => ({ kind: "event", name: v, filters: [], window: { kind: "all_time" }, count: { op: "gte", value: 1 } }) },
  { name: "property path", tree: (v) => ({ kind: "event", name: "product_viewed", filters: [{ property: v, cmp: { op: "eq", value: "x" } }], window: { kind: "all_time" }, count: { op: "gte", value: 1 } }) },
  { name: "property value", tree: (v) => ({ kind: "event", name: "product_viewed", filters: [{ property: "category", cmp: { op: "contains", value: v } }], window: { kind: "all_time" }, count: { op: "gte", value: 1 } }) },
  { name: "property in", tree: (v) => ({ kind: "event", name: "product_viewed", filters: [{ property: "category", cmp: { op: "in", values: [v] } }], window: { kind: "all_time" }, count: { op: "gte", value: 1 } }) },
  { name: "sequence step name", tree: (v) => ({ kind: "sequence", first: { source: "event", name: v, filters: [] }, then: { source: "order" }, within_days: 3, window: { kind: "all_time" } }) },
  { name: "shopify segment id", tree: (v) => ({ kind: "shopify_segment", segment_id: v, member: true }) },
];

const cases = FIELDS.flatMap((f) => PAYLOADS.map((payload) => ({ field: f.name, payload, tree: f.tree(payload), closedSet: f.closedSet ?? false })));

async function tablesIntact() {
  const r = await db.pool.query(`SELECT (SELECT count(*) FROM customers)::int AS c, (SELECT count(*) FROM orders)::int AS o`);
  expect(r.rows[0]).toEqual({ c: SHOP_A.customers.length, o: SHOP_A.orders!.length });
}

describe("injection attempts are harmless", () => {
  it.each(cases)("$field: $payload", async ({ tree, payload, closedSet }) => {
    const valid = validateSegment(tree);
    expect(valid.ok).toBe(!closedSet);
    const q = compileSegment(tree, { shopId: 1, now: NOW, timezone: TZ });
    // The value travels as a parameter ("$1" is also legitimate SQL text, so skip that one).
    if (payload !== "$1") expect(q.text).not.toContain(payload);
    expect(JSON.stringify(q.values).toLowerCase()).toContain(JSON.stringify(payload.toLowerCase()).slice(1, -1));
    const started = Date.now();
    await db.pool.query(q);
    await db.pool.query(compileSegmentPreview(tree, { shopId: 1, now: NOW, timezone: TZ }));
    expect(Date.now() - started).toBeLessThan(4000);
    await tablesIntact();
  });

  it.each([
    { name: "segment id", tree: { kind: "in_segment", segment_id: "1; drop table customers" } },
    { name: "journey id", tree: { kind: "journey", journey_id: "1' or '1'='1", status: "in" } },
    { name: "NUL in a tag", tree: { kind: "customer", field: "tags", cmp: { op: "has_any", values: ["a\u0000b"] } } },
    { name: "unknown field name", tree: { kind: "customer", field: "email; drop table customers", cmp: { op: "eq", value: "x" } } },
  ])("rejected by validation: $name", ({ tree }) => {
    expect(validateSegment(tree).ok).toBe(false);
  });

  it("an unknown field name never reaches SQL even without validation", () => {
    const tree = { kind: "customer", field: "email) or (1=1", cmp: { op: "eq", value: "x" } } as SegmentNode;
    expect(() => compileSegment(tree, { shopId: 1, now: NOW, timezone: TZ })).toThrow(/unknown customer field/);
  });

  it("a hostile time zone is a parameter: an error, not a drop", async () => {
    const tree: SegmentNode = { kind: "orders", metric: "count", window: { kind: "last_days", days: 3 }, cmp: { op: "gte", value: 1 } };
    await expect(db.pool.query(compileSegment(tree, { shopId: 1, now: NOW, timezone: "UTC'; drop table customers; --" }))).rejects.toThrow(/time zone/);
    await tablesIntact();
  });
});
