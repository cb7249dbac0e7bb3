// The attribution worker on the PostgreSQL queue backend: an order job credits the order, and
// starting the worker registers the nightly schedule.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLICK_EVENT } from "../../../core/attribution/sql";
import { ATTRIBUTION_NIGHTLY, ATTRIBUTION_QUEUE, enqueueOrderAttribution, startAttributionWorker } from "../../../jobs/attribution/worker";
import { createQueueSystem, type QueueSystem } from "../../../jobs/queues";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";

describe("attribution worker", () => {
  let db: TestDatabase;
  let qs: QueueSystem;
  beforeAll(async () => {
    db = await createTestDatabase("attrw");
    qs = createQueueSystem({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await qs?.close();
    await db?.drop();
  });

  it("credits an order when its job runs, and schedules the nightly run", async () => {
    const shopId = (await db.pool.query(`insert into shops (domain, platform, updated_at) values ('w.myshopify.com', 'shopify', now()) returning id`)).rows[0].id;
    await db.pool.query(`insert into customers (shop_id, id) values ($1, 1)`, [shopId]);
    await db.pool.query(
      `insert into messages (shop_id, id, idempotency_key, customer_id, channel, purpose, status, sent_at) values ($1, 1, 'k1', 1, 'email', 'promotional', 'sent', '2026-05-01T00:00:00Z')`,
      [shopId],
    );
    await db.pool.query(`insert into events (shop_id, customer_id, name, occurred_at, message_id) values ($1, 1, $2, '2026-05-02T00:00:00Z', 1)`, [shopId, CLICK_EVENT]);
    await db.pool.query(
      `insert into orders (shop_id, id, source, external_id, customer_id, processed_at, currency, total) values ($1, 77, 'shopify', '77', 1, '2026-05-03T00:00:00Z', 'USD', 4200)`,
      [shopId],
    );
    await startAttributionWorker({ qs, db: db.pool, logger: pino({ level: "silent" }) });
    const schedulers = await qs.queue(ATTRIBUTION_QUEUE).getJobSchedulers();
    expect(schedulers.map((s) => s.key ?? s.id)).toContain(ATTRIBUTION_NIGHTLY.id);

    await enqueueOrderAttribution(qs, shopId, "77", "v1");
    const deadline = Date.now() + 20_000;
    let row: { basis: string; credited_minor: string } | undefined;
    while (Date.now() < deadline && !row) {
      row = (await db.pool.query(`select basis, credited_minor::text from attributions where shop_id = $1 and order_id = 77`, [shopId])).rows[0];
      if (!row) await new Promise((r) => setTimeout(r, 200));
    }
    expect(row).toEqual({ basis: "click", credited_minor: "4200" });
  });
});
