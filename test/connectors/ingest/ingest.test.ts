import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestBatch } from "../../../connectors/ingest/ingest";
import { unmergeCustomer } from "../../../connectors/ingest/unmerge";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { createShop, order } from "./fixtures";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("ingest");
});
afterAll(async () => {
  await db.drop();
});
const now = new Date("2024-03-01T00:00:00Z");

async function snapshot(shopId: number) {
  const q = async (sql: string) => (await db.pool.query(sql, [shopId])).rows;
  return {
    customers: await q(`select * from customers where shop_id = $1 order by id`),
    identities: await q(`select * from customer_identities where shop_id = $1 order by source, external_id`),
    orders: await q(`select * from orders where shop_id = $1 order by id`),
    lines: await q(`select * from order_lines where shop_id = $1 order by id`),
    audit: await q(`select * from audit_log where shop_id = $1 order by id`),
  };
}

describe("ingestBatch", () => {
  it("does not bring back a customer deleted in the store", async () => {
    const shop = await createShop(db.pool, "tombstone.myshopify.com");
    await db.pool.query(`insert into deleted_identities (shop_id, source, external_id, deleted_at) values ($1, 'shopify', 'gone', $2)`, [shop, now]);
    const r = await ingestBatch(db.pool, shop, {
      customers: [
        { source: "shopify", externalId: "gone", email: "gone@example.com", sourceUpdatedAt: "2024-01-01T00:00:00Z" },
        { source: "shopify", externalId: "kept", email: "kept@example.com", sourceUpdatedAt: "2024-01-01T00:00:00Z" },
      ],
    }, { now });
    expect(r.customers.created).toBe(1);
    const ids = (await db.pool.query(`select external_id from customer_identities where shop_id = $1 order by external_id`, [shop])).rows;
    expect(ids).toEqual([{ external_id: "kept" }]);
  });

  it("writes exact counts, sums and per-customer totals, and is idempotent", async () => {
    const shop = await createShop(db.pool, "exact.myshopify.com");
    const customers = Array.from({ length: 10 }, (_, i) => ({
      source: "shopify", externalId: `c${i}`, email: `Person${i}@Example.com `, country: "US",
      phone: `202555${String(1000 + i)}`, sourceUpdatedAt: "2024-01-01T00:00:00Z",
    }));
    const orders = Array.from({ length: 100 }, (_, i) => order(i));
    const r = await ingestBatch(db.pool, shop, { customers, orders }, { now });
    expect(r.rejected).toEqual([]);
    expect(r.customers.created).toBe(10);
    expect(r.orders).toEqual({ inserted: 100, updated: 0, lines: 200 });

    const sums = (await db.pool.query(
      `select count(*)::int n, sum(total)::text total, count(customer_id)::int linked from orders where shop_id = $1`, [shop])).rows[0];
    const expected = orders.reduce((s, o) => s + BigInt(o.total.replace(".", "")), 0n);
    expect(sums).toEqual({ n: 100, total: expected.toString(), linked: 100 });
    const per = (await db.pool.query(
      `select c.email, sum(o.total)::text t, count(*)::int n from orders o join customers c on c.shop_id = o.shop_id and c.id = o.customer_id
       where o.shop_id = $1 group by c.email order by c.email`, [shop])).rows;
    expect(per[0]).toEqual({
      email: "person0@example.com", n: 10,
      t: orders.filter((_, i) => i % 10 === 0).reduce((s, o) => s + BigInt(o.total.replace(".", "")), 0n).toString(),
    });
    const lines = (await db.pool.query(`select sum(price * quantity)::int v from order_lines where shop_id = $1`, [shop])).rows[0];
    expect(lines.v).toBe(100 * 1000);
    const c0 = (await db.pool.query(`select phone, email from customers where shop_id = $1 and email = 'person0@example.com'`, [shop])).rows[0];
    expect(c0.phone).toBe("+12025551000");

    const before = await snapshot(shop);
    const again = await ingestBatch(db.pool, shop, { customers, orders }, { now: new Date("2024-03-02T00:00:00Z") });
    expect(again.orders).toEqual({ inserted: 0, updated: 0, lines: 0 });
    expect(await snapshot(shop)).toEqual(before);
  });

  it("ignores an older update and applies a newer one", async () => {
    const shop = await createShop(db.pool, "order.myshopify.com");
    await ingestBatch(db.pool, shop, { orders: [order(1, { sourceUpdatedAt: "2024-02-10T00:00:00Z", total: "50.00" })] }, { now });
    const older = await ingestBatch(db.pool, shop, { orders: [order(1, { sourceUpdatedAt: "2024-02-01T00:00:00Z", total: "1.00", lines: [] })] }, { now });
    expect(older.orders.updated).toBe(0);
    let row = (await db.pool.query(`select total::int, (select count(*)::int from order_lines l where l.order_id = o.id) nl from orders o where shop_id = $1`, [shop])).rows[0];
    expect(row).toEqual({ total: 5000, nl: 2 });
    const newer = await ingestBatch(db.pool, shop, { orders: [order(1, { sourceUpdatedAt: "2024-02-20T00:00:00Z", total: "7.00", lines: [{ title: "X", quantity: 1, price: "7" }] })] }, { now });
    expect(newer.orders.updated).toBe(1);
    row = (await db.pool.query(`select total::int, (select count(*)::int from order_lines l where l.order_id = o.id) nl from orders o where shop_id = $1`, [shop])).rows[0];
    expect(row).toEqual({ total: 700, nl: 1 });

    await ingestBatch(db.pool, shop, { customers: [{ source: "shopify", externalId: "c1", firstName: "New", sourceUpdatedAt: "2024-02-10T00:00:00Z" }] }, { now });
    await ingestBatch(db.pool, shop, { customers: [{ source: "shopify", externalId: "c1", firstName: "Old", sourceUpdatedAt: "2024-01-10T00:00:00Z" }] }, { now });
    const c = (await db.pool.query(`select first_name from customers where shop_id = $1`, [shop])).rows;
    expect(c).toEqual([{ first_name: "New" }]);
  });

  it("rejects an invalid record alone, naming its field, and writes the rest", async () => {
    const shop = await createShop(db.pool, "invalid.myshopify.com");
    const r = await ingestBatch(db.pool, shop, {
      orders: [order(1), order(2, { total: "12.3.4" }), order(3, { lines: [{ title: "x", quantity: 1, price: "abc" }] })],
      customers: [{ source: "csv", externalId: "z", email: "not-an-email" }],
    }, { now });
    expect(r.rejected.map((x) => [x.kind, x.index, x.externalId, x.issues[0].field])).toEqual([
      ["customer", 0, "z", "email"], ["order", 1, "o2", "total"], ["order", 2, "o3", "lines.0.price"],
    ]);
    const n = (await db.pool.query(`select count(*)::int n from orders where shop_id = $1`, [shop])).rows[0].n;
    expect(n).toBe(1);
  });

  it("links guest orders by email and makes one customer across sources, reversibly", async () => {
    const shop = await createShop(db.pool, "merge.myshopify.com");
    await ingestBatch(db.pool, shop, {
      customers: [{ source: "shopify", externalId: "s1", email: "ann@example.com", firstName: "Ann", sourceUpdatedAt: "2024-01-01T00:00:00Z" }],
      orders: [order(1, { customerExternalId: "s1", total: "10.00" })],
    }, { now });
    const r = await ingestBatch(db.pool, shop, {
      customers: [{ source: "csv", externalId: "ann-csv", email: "ANN@example.com", lastName: "Lee", phone: "+44 20 7946 0958" }],
      orders: [
        { source: "csv", externalId: "t1", customerExternalId: "ann-csv", processedAt: "2023-05-01", sourceTimezone: "Europe/London", currency: "USD", total: "3.00" },
        { source: "woocommerce", externalId: "w1", email: "ann@example.com", processedAt: "2023-06-01T00:00:00Z", currency: "USD", total: "4.00" },
      ],
    }, { now });
    expect(r.customers.attached).toBe(2);
    const cs = (await db.pool.query(`select id, first_name, last_name, phone from customers where shop_id = $1`, [shop])).rows;
    expect(cs).toHaveLength(1);
    expect(cs[0]).toMatchObject({ first_name: "Ann", last_name: "Lee", phone: "+442079460958" });
    const tot = (await db.pool.query(`select count(*)::int n, sum(total)::int t from orders where shop_id = $1 and customer_id = $2`, [shop, cs[0].id])).rows[0];
    expect(tot).toEqual({ n: 3, t: 1700 });
    const audits = (await db.pool.query(`select action from audit_log where shop_id = $1`, [shop])).rows;
    expect(audits).toHaveLength(2);

    const u = await unmergeCustomer(db.pool, shop, { source: "csv", externalId: "ann-csv" }, { now });
    expect(u.ok).toBe(true);
    const after = (await db.pool.query(`select id, first_name, last_name, phone, email from customers where shop_id = $1 order by id`, [shop])).rows;
    expect(after).toHaveLength(2);
    expect(after[0]).toMatchObject({ first_name: "Ann", last_name: null, phone: null });
    expect(after[1]).toMatchObject({ last_name: "Lee", email: "ann@example.com" });
    const csvOrder = (await db.pool.query(`select customer_id from orders where shop_id = $1 and source = 'csv'`, [shop])).rows[0];
    expect(String(csvOrder.customer_id)).toBe(String(after[1].id));
    // Re-ingesting does not merge it back: the identity keeps its own customer now.
    await ingestBatch(db.pool, shop, { customers: [{ source: "csv", externalId: "ann-csv", email: "ann@example.com" }] }, { now });
    expect((await db.pool.query(`select count(*)::int n from customers where shop_id = $1`, [shop])).rows[0].n).toBe(2);
  });

  it("upserts products and changes nothing when they are the same", async () => {
    const shop = await createShop(db.pool, "products.myshopify.com");
    const products = [
      { source: "shopify", externalId: "p1", title: "Mug", vendor: "Acme", collections: ["Kitchen"], unitCost: "2.10", currency: "USD" },
      { source: "shopify", externalId: "p2", title: "Tea" },
    ];
    expect((await ingestBatch(db.pool, shop, { products }, { now })).products).toEqual({ inserted: 2, updated: 0 });
    expect((await ingestBatch(db.pool, shop, { products }, { now })).products).toEqual({ inserted: 0, updated: 0 });
    products[1].title = "Green tea";
    expect((await ingestBatch(db.pool, shop, { products }, { now })).products).toEqual({ inserted: 0, updated: 1 });
    const rows = (await db.pool.query(`select external_id, title, unit_cost::int, collections from products where shop_id = $1 order by external_id`, [shop])).rows;
    expect(rows).toEqual([
      { external_id: "p1", title: "Mug", unit_cost: 210, collections: ["Kitchen"] },
      { external_id: "p2", title: "Green tea", unit_cost: null, collections: [] },
    ]);
  });

  it("serialises concurrent batches of one shop, so the same person is created once", async () => {
    const shop = await createShop(db.pool, "race.myshopify.com");
    await Promise.all([
      ingestBatch(db.pool, shop, { customers: [{ source: "shopify", externalId: "s9", email: "race@example.com" }] }, { now }),
      ingestBatch(db.pool, shop, { customers: [{ source: "woocommerce", externalId: "w9", email: "race@example.com" }] }, { now }),
    ]);
    const n = (await db.pool.query(`select count(*)::int n from customers where shop_id = $1`, [shop])).rows[0].n;
    expect(n).toBe(1);
    expect((await db.pool.query(`select count(*)::int n from customer_identities where shop_id = $1`, [shop])).rows[0].n).toBe(2);
  });

  it("writes order batches of known customers side by side, and still makes a new guest once", async () => {
    const shop = await createShop(db.pool, "parallel.myshopify.com");
    const customers = Array.from({ length: 10 }, (_, i) => ({ source: "shopify", externalId: `c${i}`, email: `p${i}@example.com` }));
    await ingestBatch(db.pool, shop, { customers }, { now });
    // Two batches of orders of known customers, plus in each a guest order by the same new email.
    const guest = (i: number) => order(i, { customerExternalId: null, email: "guest@example.com" });
    const a = Array.from({ length: 50 }, (_, i) => order(i));
    const b = Array.from({ length: 50 }, (_, i) => order(50 + i));
    await Promise.all([
      ingestBatch(db.pool, shop, { orders: a }, { now }),
      ingestBatch(db.pool, shop, { orders: b }, { now }),
      ingestBatch(db.pool, shop, { orders: [guest(100)] }, { now }),
      ingestBatch(db.pool, shop, { orders: [guest(101)] }, { now }),
    ]);
    const q = async (sql: string) => (await db.pool.query(sql, [shop])).rows[0].n;
    expect(await q(`select count(*)::int n from orders where shop_id = $1 and customer_id is not null`)).toBe(102);
    expect(await q(`select count(*)::int n from order_lines where shop_id = $1`)).toBe(204);
    expect(await q(`select count(*)::int n from customers where shop_id = $1`)).toBe(11);
    expect(await q(`select count(*)::int n from customer_identities where shop_id = $1 and external_id = 'guest:guest@example.com'`)).toBe(1);
  });
});
