// Opt-in: INGEST_EXPLAIN=1 — prints the plan of the order upsert (profiling aid).
import { describe, it } from "vitest";
import { validateBatch } from "../../../core/ingest/batch";
import { CUSTOMER_STEPS } from "../../../connectors/ingest/customers-sql";
import { ORDER_STEPS } from "../../../connectors/ingest/orders-sql";
import { stage } from "../../../connectors/ingest/staging";
import { createTestDatabase } from "../../helpers/db";
import { createShop, order } from "./fixtures";

describe.skipIf(!process.env.INGEST_EXPLAIN)("explain", () => {
  it("order upsert plan", async () => {
    const db = await createTestDatabase("explain");
    const shop = await createShop(db.pool, "x.myshopify.com");
    const N = 20000;
    const customers = Array.from({ length: N / 4 }, (_, i) => ({ source: "shopify", externalId: `c${i}`, email: `p${i}@example.com` }));
    const orders = Array.from({ length: N }, (_, i) => order(i, { customerExternalId: `c${i % (N / 4)}` }));
    const { batch } = validateBatch({ customers, orders });
    const c = await db.pool.connect();
    await c.query("begin");
    await stage(c, batch);
    const p = (sql: string) => { const max = Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => +m[1])); return [shop, new Date(), "x"].slice(0, max); };
    for (const s of CUSTOMER_STEPS) await c.query(s, p(s));
    for (const s of ORDER_STEPS) {
      if (/^analyze /.test(s)) {
        await c.query(s);
        continue;
      }
      const r = await c.query(`explain (analyze, buffers) ${s}`, p(s));
      console.log(r.rows.map((x) => x["QUERY PLAN"]).join("\n"));
    }
    await c.query("rollback");
    c.release();
    await db.drop();
  });
});
