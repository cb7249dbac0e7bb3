// A condition node with an inline segment condition (any condition the segment builder
// knows), evaluated for the customer when the step runs — fresh, with no saved segment and
// no membership row — against real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateJourney } from "../../../core/journeys/validate";
import { handleJourneyEvent } from "../../../jobs/journeys/events";
import type { JourneyDeps } from "../../../jobs/journeys/types";
import { createQueueSystem, type QueueSystem } from "../../../jobs/queues";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertCustomers, insertEvents, journeyShop, publish } from "./fixtures";

let db: TestDatabase;
let qs: QueueSystem;
beforeAll(async () => {
  db = await createTestDatabase("jcond");
  qs = createQueueSystem({ databaseUrl: db.url });
});
afterAll(async () => {
  await qs.close();
  await db.drop();
});

const VIP_WITHOUT_ORDERS = {
  kind: "and",
  children: [
    { kind: "customer", field: "tags", cmp: { op: "has_any", values: ["vip"] } },
    { kind: "orders", metric: "count", cmp: { op: "eq", value: 0 } },
  ],
};

const branching = (segment: unknown, conditionId = "vip_no_orders") => ({
  id: "draft", version: 1, name: "Branch", trigger: { kind: "custom_event", name: "b" }, startNodeId: "c",
  nodes: [
    { id: "c", type: "condition", conditionId, segment, yes: "y", no: "n" },
    { id: "y", type: "update_customer", addTags: ["went-yes"], next: "x" },
    { id: "n", type: "update_customer", addTags: ["went-no"], next: "x" },
    { id: "x", type: "exit" },
  ],
});

describe("condition on any segment condition", () => {
  it("branches on the tree evaluated for the customer at step time", async () => {
    const shopId = await journeyShop(db.pool, "cond1.myshopify.com");
    const [a, b] = await insertCustomers(db.pool, shopId, 2);
    await db.pool.query(`update customers set tags = '{vip}' where shop_id = $1 and id = $2`, [shopId, a]);
    await publish(db.pool, shopId, branching(VIP_WITHOUT_ORDERS) as never);
    const d = { db: db.pool, qs, channels: {} } as JourneyDeps;
    for (const e of await insertEvents(db.pool, shopId, [a, b], "b")) await handleJourneyEvent(d, shopId, e);
    const rows = await db.pool.query<{ id: string; tags: string[] }>(`select id::text, tags from customers where shop_id = $1 order by id`, [shopId]);
    expect(rows.rows).toEqual([{ id: a, tags: ["vip", "went-yes"] }, { id: b, tags: ["went-no"] }]);
    const steps = await db.pool.query(`select outcome from journey_steps where shop_id = $1 and node_id = 'c' order by enrollment_id`, [shopId]);
    expect(steps.rows).toEqual([{ outcome: "yes" }, { outcome: "no" }]);
  });

  it("rejects on publish an invalid tree, naming the node, and one id with two meanings", () => {
    const bad = validateJourney(branching({ kind: "customer", field: "tags", cmp: { op: "gt", value: 3 } }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error[0].nodeId).toBe("c");
    const twice = branching(VIP_WITHOUT_ORDERS);
    twice.nodes.splice(3, 0, { id: "c2", type: "condition", conditionId: "vip_no_orders", segment: { kind: "customer", field: "country", cmp: { op: "eq", value: "US" } }, yes: "x", no: "x" } as never);
    (twice.nodes[1] as { next: string }).next = "c2";
    const r = validateJourney(twice);
    expect(r.ok ? [] : r.error).toContainEqual({ nodeId: "c2", message: 'condition "vip_no_orders" is defined differently on another node' });
  });
});
