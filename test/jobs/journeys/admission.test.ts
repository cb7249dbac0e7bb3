// Conflict rules enforced when a trigger enrolls (real PostgreSQL): the concurrent-journey cap
// with stage priority and merchant priority values, and the minimum time in a stage; each
// refusal is a conflict suppression in the refused journey's analytics, counted once however
// often its trigger is delivered, on the batched entry path and the one-at-a-time one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JourneyInput } from "../../../core/journeys/schema";
import { journeyAnalytics } from "../../../app/models/journey-analytics.server";
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
const deps = (over: Partial<JourneyDeps> = {}): JourneyDeps => ({ db: db.pool, qs, channels: {}, inline: false, ...over } as JourneyDeps);
const waiting = (name: string, stage: string, priorityValue?: number): JourneyInput => ({
  id: "draft", version: 1, name, stage, ...(priorityValue !== undefined ? { priorityValue } : {}),
  trigger: { kind: "custom_event", name }, startNodeId: "w",
  nodes: [{ id: "w", type: "wait", duration: { amount: 1, unit: "days" }, next: "end" }, { id: "end", type: "exit" }],
});

async function fire(shopId: number, customer: string, name: string, d: JourneyDeps = deps()): Promise<string[]> {
  const events = await insertEvents(db.pool, shopId, [customer], name);
  for (const e of events) await handleJourneyEvent(d, shopId, e);
  return events;
}
/** The event handed to the engine again as if its first delivery died before the receipt (what the sweeper does), and once more as is. */
async function redeliver(shopId: number, events: string[], d: JourneyDeps = deps()) {
  await db.pool.query(`delete from journey_event_receipts where shop_id = $1 and event_id = any($2::bigint[])`, [shopId, events]);
  for (const e of events) await handleJourneyEvent(d, shopId, e);
  for (const e of events) await handleJourneyEvent(d, shopId, e);
}
const entrySuppressed = async (shopId: number, journeyId: string) => (await journeyAnalytics(db.pool, shopId, journeyId)).entry.suppressed;
const suppressionRows = async (shopId: number, journeyId: string) =>
  (await db.pool.query(`select customer_id::text, reason, detail from journey_entry_suppressions where shop_id = $1 and journey_id = $2`, [shopId, journeyId])).rows;
const journeysOf = async (shopId: number, customer: string) =>
  (await db.pool.query<{ name: string }>(
    `select j.name from enrollments e join journeys j on j.shop_id = e.shop_id and j.id = e.journey_id where e.shop_id = $1 and e.customer_id = $2 order by e.id`,
    [shopId, customer])).rows.map((r) => r.name);

describe("conflicts at enrollment", () => {
  it("holds the concurrent-journey cap: a same-stage journey of lower value is refused, a higher-priority stage gets in", async () => {
    const shopId = await journeyShop(db.pool, "adm1.myshopify.com", { ...OPEN_GOVERNANCE, conflicts: { maxConcurrentJourneys: 1, minTimeInStageMs: 0 } });
    const [c] = await insertCustomers(db.pool, shopId, 1);
    const upsell = await publish(db.pool, shopId, waiting("upsell", "active", 500));
    const cross = await publish(db.pool, shopId, waiting("cross", "active", 100));
    await publish(db.pool, shopId, waiting("rescue", "at_risk"));
    await fire(shopId, c, "upsell");
    const crossEvents = await fire(shopId, c, "cross");
    expect(await journeysOf(shopId, c)).toEqual(["upsell"]);
    // The refusal is a conflict suppression in cross's analytics, naming the journey that holds the slot.
    expect(await entrySuppressed(shopId, cross)).toEqual({ "conflict:max_concurrent": 1 });
    expect(await suppressionRows(shopId, cross)).toEqual([{ customer_id: c, reason: "max_concurrent", detail: { by: [upsell] } }]);
    await redeliver(shopId, crossEvents);
    expect(await entrySuppressed(shopId, cross)).toEqual({ "conflict:max_concurrent": 1 });
    await fire(shopId, c, "rescue");
    expect(await journeysOf(shopId, c)).toEqual(["upsell", "rescue"]);
    expect(await entrySuppressed(shopId, upsell)).toEqual({});
  });

  it("waits the minimum time in a stage before a journey for that stage starts", async () => {
    const shopId = await journeyShop(db.pool, "adm2.myshopify.com", { ...OPEN_GOVERNANCE, conflicts: { maxConcurrentJourneys: 5, minTimeInStageMs: 24 * HOUR } });
    const [fresh, settled] = await insertCustomers(db.pool, shopId, 2);
    await db.pool.query(
      `insert into customer_scores (shop_id, customer_id, stage, stage_since) values ($1, $2, 'dormant', now() - interval '1 hour'), ($1, $3, 'dormant', now() - interval '2 days')`,
      [shopId, fresh, settled]);
    const winback = await publish(db.pool, shopId, waiting("winback", "dormant"));
    const events = await fire(shopId, fresh, "winback");
    await fire(shopId, settled, "winback");
    expect(await journeysOf(shopId, fresh)).toEqual([]);
    expect(await journeysOf(shopId, settled)).toEqual(["winback"]);
    expect(await entrySuppressed(shopId, winback)).toEqual({ "conflict:min_time_in_stage": 1 });
    const [row] = await suppressionRows(shopId, winback);
    expect(row).toMatchObject({ customer_id: fresh, reason: "min_time_in_stage", detail: { stage: "dormant" } });
    await redeliver(shopId, events);
    expect(await entrySuppressed(shopId, winback)).toEqual({ "conflict:min_time_in_stage": 1 });
  });

  // One trigger, two journeys, one slot: the higher stage priority enters, published last or not.
  it.each([
    { path: "batched", d: () => deps() },
    { path: "one at a time", d: () => deps({ batch: false }) },
  ])("a customer qualifying for two journeys at once enters the higher-priority one; the other records a conflict ($path)", async ({ path, d }) => {
    const shopId = await journeyShop(db.pool, `adm3-${path.replace(/ /g, "-")}.myshopify.com`, { ...OPEN_GOVERNANCE, conflicts: { maxConcurrentJourneys: 1, minTimeInStageMs: 0 } });
    const [c, other] = await insertCustomers(db.pool, shopId, 2);
    const loyal = await publish(db.pool, shopId, { ...waiting("loyal", "loyal", 90_000), name: "loyal thanks", trigger: { kind: "custom_event", name: "both" } });
    const rescue = await publish(db.pool, shopId, { ...waiting("rescue", "at_risk", 100), name: "rescue", trigger: { kind: "custom_event", name: "both" } });
    const events = await fire(shopId, c, "both", d());
    expect(await journeysOf(shopId, c)).toEqual(["rescue"]);
    expect(await entrySuppressed(shopId, loyal)).toEqual({ "conflict:lost_priority": 1 });
    expect(await suppressionRows(shopId, loyal)).toEqual([{ customer_id: c, reason: "lost_priority", detail: { by: [rescue] } }]);
    expect(await entrySuppressed(shopId, rescue)).toEqual({});
    expect((await journeyAnalytics(db.pool, shopId, rescue)).totals.enrolled).toBe(1);
    // Redelivered: still one enrollment and one suppression.
    await redeliver(shopId, events, d());
    expect(await journeysOf(shopId, c)).toEqual(["rescue"]);
    expect(await entrySuppressed(shopId, loyal)).toEqual({ "conflict:lost_priority": 1 });
    // Another customer's trigger is counted on its own.
    await fire(shopId, other, "both", d());
    expect(await entrySuppressed(shopId, loyal)).toEqual({ "conflict:lost_priority": 2 });
  });
});
