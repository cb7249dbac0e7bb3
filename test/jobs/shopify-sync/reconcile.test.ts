// Nightly reconciliation against the store simulator: import, change the store, deliver only
// some of the webhooks, reconcile, and the database must match the store again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBulkImport } from "../../../connectors/shopify/bulk-import";
import { createAdminGraphql } from "../../../connectors/shopify/client";
import { applyShopifyWebhook } from "../../../jobs/shopify-sync/apply-webhook";
import { reconcileShop } from "../../../jobs/shopify-sync/reconcile";
import { generateStore, pointShopifyClientsAt, restCustomer, startStoreSim, type SimStore, type StoreSim } from "../../../scripts/store-sim";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertShop } from "../../helpers/fixtures";

const TOKEN = "shpat_reconcile";
let db: TestDatabase;
let sim: StoreSim;
let unpoint: () => void;
let shopId: number;
let store: SimStore;

beforeAll(async () => {
  db = await createTestDatabase("reconcile");
  store = generateStore({ seed: 31, customers: 80, domain: "reconcile.myshopify.com" });
  // A Plus-sized bucket: the throttle is tested elsewhere, this test is about what gets repaired.
  sim = await startStoreSim({ store, accessToken: TOKEN, bulk: { runningAfterMs: 5, completeAfterMs: 20 }, bucket: { maximumAvailable: 20_000, restoreRate: 1_000 } });
  unpoint = pointShopifyClientsAt(sim);
  shopId = await insertShop(db.pool, sim.shop);
  const r = await runBulkImport({ client: client(), pool: db.pool, shopId, pollIntervalMs: 5 });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
});
afterAll(async () => {
  unpoint();
  await sim.close();
  await db.drop();
});

const client = () => createAdminGraphql({ shop: sim.shop, accessToken: TOKEN });

async function dbState() {
  const o = await db.pool.query(
    `select count(*)::int as orders, sum(total)::text as total, sum(refunded)::text as refunded from orders where shop_id = $1`, [shopId]);
  const c = await db.pool.query(
    `select i.external_id, c.first_name from customer_identities i join customers c on c.shop_id = i.shop_id and c.id = i.customer_id
     where i.shop_id = $1 and i.source = 'shopify' order by i.external_id`, [shopId]);
  return { ...o.rows[0], customers: c.rows.map((x) => `${x.external_id}:${x.first_name}`) };
}

function storeState(s: SimStore) {
  return {
    orders: s.orders.length,
    total: String(s.orders.reduce((a, o) => a + o.total, 0)),
    refunded: String(s.orders.reduce((a, o) => a + o.refunded, 0)),
    customers: s.customers.map((c) => `${c.id}:${c.firstName}`).sort(),
  };
}

const T = (day: number, h = 0) => new Date(Date.UTC(2026, 10, day, h)).toISOString();

describe("nightly reconciliation", () => {
  it("starts from an import that matches the store", async () => {
    expect(await dbState()).toEqual(storeState(store));
  });

  it("repairs what dropped webhooks missed, and records what it repaired", async () => {
    // The store changes: renamed customers, a new customer with a new order, a refund, a deletion.
    const renamed = store.customers.slice(0, 4);
    renamed.forEach((c, i) => Object.assign(c, { firstName: `Renamed${i}`, updatedAt: T(20, i) }));
    const newcomer = { ...store.customers[10], id: 6_999_999_001, email: "new.one@example.com", firstName: "Newcomer", createdAt: T(20, 5), updatedAt: T(20, 5) };
    store.customers.push(newcomer);
    const template = store.orders[0];
    store.orders.push({
      ...template, id: 5_999_999_001, name: "#99001", customerId: newcomer.id, email: newcomer.email,
      processedAt: T(20, 6), updatedAt: T(20, 6), refunds: [], refunded: 0, financialStatus: "PAID",
      lines: template.lines.map((l, i) => ({ ...l, id: 59_999_990_010 + i })),
    });
    const refundedOrder = store.orders.find((o) => o.refunded === 0 && o.cancelledAt === null)!;
    Object.assign(refundedOrder, {
      refunds: [{ id: 77_000_001, createdAt: T(21), amount: 500 }], refunded: 500, financialStatus: "PARTIALLY_REFUNDED", updatedAt: T(21),
    });
    const deleted = store.customers.splice(20, 1)[0];
    // Only one webhook of all that arrives.
    const w = await applyShopifyWebhook(db.pool, shopId, "customers/update", restCustomer(renamed[0]));
    expect(w.applied).toBe(true);

    const r = await reconcileShop({ client: client(), pool: db.pool, shopId, since: new Date(T(19)), now: () => new Date(T(22)) });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.repaired).toEqual({ customers: 4, orders: 2, customersDeleted: 1 });
    expect(r.value.fullComparison).toBe(true);
    const after = await dbState();
    expect(after).toEqual(storeState(store));
    expect(after.customers.some((c: string) => c.startsWith(`${deleted.id}:`))).toBe(false);

    const run = await db.pool.query(`select status, report from import_runs where shop_id = $1 and kind = 'reconcile'`, [shopId]);
    expect(run.rows).toHaveLength(1);
    expect(run.rows[0].status).toBe("succeeded");
    expect(run.rows[0].report.repaired).toEqual({ customers: 4, orders: 2, customersDeleted: 1 });
    expect(run.rows[0].report.store).toEqual({ customers: store.customers.length, orders: store.orders.length });
  });

  it("finds an old record missing from the database through the counts", async () => {
    const victim = store.orders[5];
    await db.pool.query(`delete from orders where shop_id = $1 and external_id = $2`, [shopId, String(victim.id)]);
    const r = await reconcileShop({ client: client(), pool: db.pool, shopId, now: () => new Date(T(23)) });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.repaired.orders).toBe(1);
    expect(await dbState()).toEqual(storeState(store));
  });

  it("repairs nothing when nothing was missed", async () => {
    const r = await reconcileShop({ client: client(), pool: db.pool, shopId, now: () => new Date(T(24)) });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.repaired).toEqual({ customers: 0, orders: 0, customersDeleted: 0 });
    expect(r.value.fullComparison).toBe(false);
  });
});
