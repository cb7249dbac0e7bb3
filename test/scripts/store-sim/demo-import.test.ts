// The demo's import path: the simulator serves the one demo generator's store, the shop gets a
// sealed offline session, and the bulk import writes what the generator made — once.
import { afterAll, describe, expect, it } from "vitest";
import { generateDemoStore } from "../../../scripts/demo-data/generate";
import { configureAppEnv } from "../../helpers/app-env";
import { createTestDatabase } from "../../helpers/db";

const db = await createTestDatabase("demo_import");
configureAppEnv(db);
const { startDemoStoreAndImport, DEMO_SIM_TOKEN } = await import("../../../scripts/store-sim/demo-import");
const { closeDatabase } = await import("../../../app/db.server");

afterAll(async () => {
  await closeDatabase();
  await db.drop();
});

const NOW = new Date("2026-11-01T15:00:00Z");
const END = new Date("2026-11-01T00:00:00Z");
const DOMAIN = "demo-import.myshopify.com";

describe("demo import through the store simulator", () => {
  it("imports exactly the demo generator's store, then finds it on the next start", async () => {
    const progress: string[] = [];
    const first = await startDemoStoreAndImport({ pool: db.pool, domain: DOMAIN, seed: 3, customers: 300, now: NOW, onProgress: (p) => progress.push(`${p.kind}:${p.phase}`) });
    try {
      expect(first.imported?.rowsRejected).toBe(0);
      const store = generateDemoStore({ seed: 3, customers: 300, end: END });
      const sums = (await db.pool.query(
        `select count(*)::int as orders, sum(total)::text as total, sum(refunded)::text as refunded,
                (select count(*)::int from customers where shop_id = $1) as customers,
                (select count(*)::int from order_lines where shop_id = $1) as lines
         from orders where shop_id = $1`, [first.shopId])).rows[0];
      expect(sums).toEqual({
        orders: store.orders.length, customers: store.customers.length,
        total: String(store.orders.reduce((s, o) => s + o.total, 0)),
        refunded: String(store.orders.reduce((s, o) => s + o.refunded, 0)),
        lines: store.orders.reduce((s, o) => s + o.lines.length, 0),
      });
      expect(progress).toContain("orders:done");
      // The offline session is stored sealed, never the plain token.
      const s = await db.pool.query(`select access_token from sessions where shop = $1`, [DOMAIN]);
      expect(s.rows).toHaveLength(1);
      expect(s.rows[0].access_token).not.toContain(DEMO_SIM_TOKEN);
    } finally {
      await first.close();
    }
    const again = await startDemoStoreAndImport({ pool: db.pool, domain: DOMAIN, seed: 3, customers: 300, now: NOW });
    try {
      expect(again.imported).toBeUndefined();
      expect(again.shopId).toBe(first.shopId);
    } finally {
      await again.close();
    }
  });

  it("refuses NODE_ENV=production", async () => {
    process.env.NODE_ENV = "production";
    try {
      await expect(startDemoStoreAndImport({ pool: db.pool, domain: "x.myshopify.com", seed: 1, customers: 1, now: NOW })).rejects.toThrow(/production/);
    } finally {
      process.env.NODE_ENV = "test";
    }
  });
});
