// Health alerts from real engine data (real PostgreSQL, a simulated clock): customers run
// through a journey three days ago and an hour ago; most of the recent ones bail at the wait
// (an exit criterion), so the node's drop-off is sudden, conversion is below the merchant's
// target, and an SMS provider failing a fifth of its sends raises a failure-rate alert.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleJourneyEvent } from "../../../jobs/journeys/events";
import { checkJourneyHealth } from "../../../jobs/journeys/health";
import type { JourneyDeps } from "../../../jobs/journeys/types";
import { createQueueSystem, type QueueSystem } from "../../../jobs/queues";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertCustomers, insertEvents, journeyShop, publish } from "./fixtures";

let db: TestDatabase;
let qs: QueueSystem;
beforeAll(async () => {
  db = await createTestDatabase("jhealth");
  qs = createQueueSystem({ databaseUrl: db.url });
});
afterAll(async () => {
  await qs.close();
  await db.drop();
});

const NOW = new Date();
const at = (msAgo: number) => new Date(NOW.getTime() - msAgo);
const HOUR = 3_600_000;

async function fire(now: Date, shopId: number, customers: string[], name: string) {
  const d = { db: db.pool, qs, channels: {}, now: () => now } as JourneyDeps;
  for (const e of await insertEvents(db.pool, shopId, customers, name)) await handleJourneyEvent(d, shopId, e);
}

const openAlerts = async (shopId: number) =>
  (await db.pool.query<{ kind: string; message: string }>(`select kind, message from alerts where shop_id = $1 and resolved_at is null order by kind`, [shopId])).rows;

describe("journey health", () => {
  it("alerts a sudden drop-off at a node, conversion below target and a channel's failure rate, once", async () => {
    const shopId = await journeyShop(db.pool, "health1.myshopify.com");
    await publish(db.pool, shopId, {
      id: "draft", version: 1, name: "Win-back", trigger: { kind: "custom_event", name: "lapsed" }, startNodeId: "w",
      nodes: [
        { id: "w", type: "wait", duration: { amount: 2, unit: "days" }, next: "tag" },
        { id: "tag", type: "update_customer", addTags: ["winback"], next: "end" },
        { id: "end", type: "exit" },
      ],
      goal: { kind: "order_placed" },
      exitCriteria: [{ kind: "event", name: "bail" }],
      alerts: { conversionTargetPercent: 25, minSample: 10 },
    });
    const baseline = await insertCustomers(db.pool, shopId, 30);
    const recent = await insertCustomers(db.pool, shopId, 30);
    await fire(at(72 * HOUR), shopId, baseline, "lapsed");
    await fire(at(72 * HOUR), shopId, baseline.slice(0, 1), "bail"); // 1 in 30 usually leaves at the wait
    await fire(at(2 * HOUR), shopId, recent, "lapsed");
    await fire(at(HOUR), shopId, recent.slice(0, 20), "bail"); // now 20 in 30 do
    await fire(at(HOUR), shopId, recent.slice(20, 22), "order_placed"); // 2 convert: 2 of 23 finished < 25%

    const rows = (n: number, status: string) => Array.from({ length: n }, (_, i) => `${status}-${i}`);
    await db.pool.query(
      `insert into messages (shop_id, idempotency_key, customer_id, channel, purpose, status, queued_at, sent_at)
       select $1, k, $2, 'sms', 'promotional', split_part(k, '-', 1)::"MessageStatus", $3, $3 from unnest($4::text[]) k`,
      [shopId, recent[0], at(HOUR), [...rows(6, "failed"), ...rows(18, "sent")]],
    );

    const alerts = await checkJourneyHealth(db.pool, shopId, NOW);
    expect(alerts.map((a) => a.kind).sort()).toEqual(["channel_failure_rate", "drop_off", "low_conversion"]);
    expect(await openAlerts(shopId)).toEqual([
      { kind: "channel_failure_rate", message: "sms: 25% of sends failed in the last 24 h (6 of 24)" },
      { kind: "drop_off", message: "Win-back: 66.7% of customers left at node w in the last 24 h (usually 3.3%)" },
      { kind: "low_conversion", message: "Win-back: 8.7% converted (2 of 23 finished), below the 25% target" },
    ]);
    // Checked again while nothing changed: still three alerts, not six.
    await checkJourneyHealth(db.pool, shopId, NOW);
    expect(await openAlerts(shopId)).toHaveLength(3);
  });

  it("stays quiet for a healthy journey without a target", async () => {
    const shopId = await journeyShop(db.pool, "health2.myshopify.com");
    await publish(db.pool, shopId, {
      id: "draft", version: 1, name: "Quiet", trigger: { kind: "custom_event", name: "q" }, startNodeId: "w",
      nodes: [{ id: "w", type: "wait", duration: { amount: 1, unit: "hours" }, next: "end" }, { id: "end", type: "exit" }],
      exitCriteria: [{ kind: "event", name: "bail" }],
    });
    const cs = await insertCustomers(db.pool, shopId, 40);
    await fire(at(72 * HOUR), shopId, cs.slice(0, 20), "q");
    await fire(at(2 * HOUR), shopId, cs.slice(20), "q");
    await fire(at(HOUR), shopId, cs.slice(20, 21), "bail");
    expect(await checkJourneyHealth(db.pool, shopId, NOW)).toEqual([]);
  });
});
