// Conflict rules enforced when a trigger enrolls (real PostgreSQL): the concurrent-journey cap
// with stage priority and merchant priority values, and the minimum time in a stage.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JourneyInput } from "../../../core/journeys/schema";
import { handleJourneyEvent } from "../../../jobs/journeys/events";
import type { JourneyDeps } from "../../../jobs/journeys/types";
import { createQueueSystem, type QueueSystem } from "../../../jobs/queues";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertCustomers, insertEvents, journeyShop, OPEN_GOVERNANCE, publish } from "./fixtures";

let db: TestDatabase;
let qs: QueueSystem;

beforeAll(async () => {
  db = await createTestDatabase("jadmit");
  qs = createQueueSystem({ databaseUrl: db.url });
});
afterAll(async () => {
  await qs.close();
  await db.drop();
});

const HOUR = 3_600_000;
const deps = (): JourneyDeps => ({ db: db.pool, qs, channels: {}, inline: false } as JourneyDeps);
const waiting = (name: string, stage: string, priorityValue?: number): JourneyInput => ({
  id: "draft", version: 1, name, stage, ...(priorityValue !== undefined ? { priorityValue } : {}),
  trigger: { kind: "custom_event", name }, startNodeId: "w",
  nodes: [{ id: "w", type: "wait", duration: { amount: 1, unit: "days" }, next: "end" }, { id: "end", type: "exit" }],
});

async function fire(shopId: number, customer: string, name: string) {
  for (const e of await insertEvents(db.pool, shopId, [customer], name)) await handleJourneyEvent(deps(), shopId, e);
}
const journeysOf = async (shopId: number, customer: string) =>
  (await db.pool.query<{ name: string }>(
    `select j.name from enrollments e join journeys j on j.shop_id = e.shop_id and j.id = e.journey_id where e.shop_id = $1 and e.customer_id = $2 order by e.id`,
    [shopId, customer])).rows.map((r) => r.name);

describe("conflicts at enrollment", () => {
  it("holds the concurrent-journey cap: a same-stage journey of lower value is refused, a higher-priority stage gets in", async () => {
    const shopId = await journeyShop(db.pool, "adm1.myshopify.com", { ...OPEN_GOVERNANCE, conflicts: { maxConcurrentJourneys: 1, minTimeInStageMs: 0 } });
    const [c] = await insertCustomers(db.pool, shopId, 1);
    await publish(db.pool, shopId, waiting("upsell", "active", 500));
    await publish(db.pool, shopId, waiting("cross", "active", 100));
    await publish(db.pool, shopId, waiting("rescue", "at_risk"));
    await fire(shopId, c, "upsell");
    await fire(shopId, c, "cross");
    expect(await journeysOf(shopId, c)).toEqual(["upsell"]);
    await fire(shopId, c, "rescue");
    expect(await journeysOf(shopId, c)).toEqual(["upsell", "rescue"]);
  });

  it("waits the minimum time in a stage before a journey for that stage starts", async () => {
    const shopId = await journeyShop(db.pool, "adm2.myshopify.com", { ...OPEN_GOVERNANCE, conflicts: { maxConcurrentJourneys: 5, minTimeInStageMs: 24 * HOUR } });
    const [fresh, settled] = await insertCustomers(db.pool, shopId, 2);
    await db.pool.query(
      `insert into customer_scores (shop_id, customer_id, stage, stage_since) values ($1, $2, 'dormant', now() - interval '1 hour'), ($1, $3, 'dormant', now() - interval '2 days')`,
      [shopId, fresh, settled]);
    await publish(db.pool, shopId, waiting("winback", "dormant"));
    await fire(shopId, fresh, "winback");
    await fire(shopId, settled, "winback");
    expect(await journeysOf(shopId, fresh)).toEqual([]);
    expect(await journeysOf(shopId, settled)).toEqual(["winback"]);
  });
});
