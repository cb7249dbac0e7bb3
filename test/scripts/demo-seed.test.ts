import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { generateDemoStore } from "../../scripts/demo-data/generate";
import { seedDemoShop } from "../../scripts/demo-data/seed";
import { createTestDatabase } from "../helpers/db";

const END = new Date("2026-11-01T00:00:00Z");
const digest = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

describe("demo store generator", () => {
  it("is reproducible: same seed, same data; another seed, other data", () => {
    const a = generateDemoStore({ seed: 7, customers: 2_000, end: END });
    const b = generateDemoStore({ seed: 7, customers: 2_000, end: END });
    const c = generateDemoStore({ seed: 8, customers: 2_000, end: END });
    expect(digest(a)).toBe(digest(b));
    expect(digest(a)).not.toBe(digest(c));
  });

  it("looks like a real store: about four orders a customer over three years, repeaters, one-timers and lapsed customers", () => {
    const s = generateDemoStore({ seed: 11, customers: 5_000, end: END });
    const perCustomer = new Map<string, Date[]>();
    for (const o of s.orders) perCustomer.set(o.customerExternalId, [...(perCustomer.get(o.customerExternalId) ?? []), o.processedAt]);
    const ratio = s.orders.length / s.customers.length;
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(5.5);
    const counts = [...perCustomer.values()].map((d) => d.length);
    const oneTimers = counts.filter((n) => n === 1).length / counts.length;
    expect(oneTimers).toBeGreaterThan(0.2);
    expect(oneTimers).toBeLessThan(0.6);
    const lapsed = [...perCustomer.values()].filter((d) => END.getTime() - Math.max(...d.map((x) => x.getTime())) > 180 * 86_400_000).length / counts.length;
    expect(lapsed).toBeGreaterThan(0.3);
    const first = Math.min(...s.orders.map((o) => o.processedAt.getTime()));
    expect(END.getTime() - first).toBeGreaterThan(2.9 * 365 * 86_400_000);
    expect(s.orders.every((o) => o.processedAt < END && o.total === o.subtotal - o.discounts + o.shipping + o.tax)).toBe(true);
  });
});

describe("seeding the demo shop", () => {
  const dbPromise = createTestDatabase();
  afterAll(async () => (await dbPromise).drop());

  it("writes exactly the generated store once, and finds it the second time", async () => {
    const db = await dbPromise;
    const now = new Date("2026-11-01T15:00:00Z");
    const first = await seedDemoShop(db.pool, { now, customers: 400, seed: 3 });
    const store = generateDemoStore({ seed: 3, customers: 400, end: END });
    expect(first).toMatchObject({ created: true, customers: 400, orders: store.orders.length });
    const sums = await db.pool.query(
      `select count(*)::int as orders, sum(total)::bigint as total, (select count(*)::int from order_lines where shop_id = $1) as lines from orders where shop_id = $1`,
      [first.shopId],
    );
    expect(sums.rows[0].orders).toBe(store.orders.length);
    expect(Number(sums.rows[0].total)).toBe(store.orders.reduce((s, o) => s + o.total, 0));
    expect(sums.rows[0].lines).toBe(store.orders.reduce((s, o) => s + o.lines.length, 0));
    const again = await seedDemoShop(db.pool, { now, customers: 400, seed: 3 });
    expect(again).toEqual({ ...first, created: false });
  });
});
