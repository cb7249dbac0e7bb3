import { afterAll, describe, expect, it } from "vitest";
import { afterCustomerChanged, afterOrderChanged, customerIdOfPayload, isCustomerTopic, orderIdOfPayload } from "../../jobs/order-changed";
import { createQueueSystem } from "../../jobs/queues";
import { createTestDatabase } from "../helpers/db";
import { insertCustomerWithHistory, insertShop } from "../helpers/fixtures";

const db = await createTestDatabase();
const qs = createQueueSystem({ databaseUrl: db.url });
afterAll(async () => {
  await qs.close();
  await db.drop();
});

describe("after an order arrives", () => {
  it("reads the order id from orders and refunds payloads", () => {
    expect(orderIdOfPayload("orders/create", { id: 42 })).toBe("42");
    expect(orderIdOfPayload("refunds/create", { id: 7, order_id: 42 })).toBe("42");
    expect(orderIdOfPayload("orders/updated", {})).toBeNull();
  });

  it("rescoring, segment re-evaluation, attribution and one order_placed event for journeys, once", async () => {
    const shopId = await insertShop(db.pool, "orders-follow.myshopify.com");
    const customerId = await insertCustomerWithHistory(db.pool, shopId, "77", "ord@example.com");
    const queued = async (name: string) => (await qs.queue(name).getJobs(["waiting", "delayed", "prioritized"])).length;
    for (let i = 0; i < 2; i++) {
      expect(await afterOrderChanged(db.pool, qs, shopId, "order-77", true)).toEqual({ customerId });
    }
    const events = await db.pool.query(`select customer_id::text, properties from events where shop_id = $1 and name = 'order_placed'`, [shopId]);
    expect(events.rows).toHaveLength(1);
    expect(events.rows[0].customer_id).toBe(customerId);
    expect(await queued("journeys")).toBe(1);
    expect(await queued("scoring")).toBeGreaterThanOrEqual(1);
    expect(await queued("segments")).toBeGreaterThanOrEqual(1);
    expect(await queued("attribution")).toBeGreaterThanOrEqual(1);
    expect(await afterOrderChanged(db.pool, qs, shopId, "no-such-order", true)).toEqual({ customerId: null });
  });
});

describe("after a customer or their consent changes", () => {
  it("reads the customer id from customer and consent payloads", () => {
    expect(isCustomerTopic("customers/update")).toBe(true);
    expect(isCustomerTopic("customers_email_marketing_consent/update")).toBe(true);
    expect(isCustomerTopic("customers/delete")).toBe(false);
    expect(customerIdOfPayload("customers/update", { id: 9 })).toBe("9");
    expect(customerIdOfPayload("customers_marketing_consent/update", { customer_id: 9 })).toBe("9");
    expect(customerIdOfPayload("customers/create", {})).toBeNull();
  });

  it("queues the customer's re-evaluation against every segment", async () => {
    const shopId = await insertShop(db.pool, "customers-follow.myshopify.com");
    const customerId = await insertCustomerWithHistory(db.pool, shopId, "88", "cust@example.com");
    const segmentJobs = async () => (await qs.queue("segments").getJobs(["waiting", "delayed", "prioritized"])).map((j) => j.data as { kind: string; shopId: number; customerId?: string });
    expect(await afterCustomerChanged(db.pool, qs, shopId, "88")).toEqual({ customerId });
    expect(await segmentJobs()).toContainEqual({ kind: "customer", shopId, customerId });
    expect(await afterCustomerChanged(db.pool, qs, shopId, "unknown")).toEqual({ customerId: null });
  });
});
