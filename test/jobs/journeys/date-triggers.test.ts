// Date triggers scheduled against real PostgreSQL on a simulated clock ticking every 5 minutes:
// campaigns at each customer's own local time, a birthday on the DST change day, the expected
// next order passed, and reruns that never enroll twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JourneyInput, Trigger } from "../../../core/journeys/schema";
import { runDateTriggers } from "../../../jobs/journeys/date-triggers";
import type { JourneyDeps } from "../../../jobs/journeys/types";
import { createQueueSystem, type QueueSystem } from "../../../jobs/queues";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertCustomers, journeyShop, publish } from "./fixtures";

let db: TestDatabase;
let qs: QueueSystem;

beforeAll(async () => {
  db = await createTestDatabase("jdate");
  qs = createQueueSystem({ databaseUrl: db.url });
});
afterAll(async () => {
  await qs.close();
  await db.drop();
});

const TICK = 5 * 60_000;
const journeyOn = (trigger: Trigger): JourneyInput => ({
  id: "draft", version: 1, name: `On ${trigger.kind}`, trigger, startNodeId: "u",
  entry: { reentry: true },
  nodes: [{ id: "u", type: "update_customer", addTags: ["reached"], next: "end" }, { id: "end", type: "exit" }],
});

/** Ticks the scheduler from `start` to `end`; returns each customer's enrollment instants. */
async function run(shopId: number, start: string, end: string) {
  let t = Date.parse(start);
  const d = (): JourneyDeps => ({ db: db.pool, qs, channels: {}, now: () => new Date(t), inline: false } as JourneyDeps);
  for (; t <= Date.parse(end); t += TICK) {
    const r = await runDateTriggers(d(), shopId);
    expect(r.ran).toBe(true);
  }
  const rows = await db.pool.query<{ customer_id: string; entered_at: Date; occasion: string }>(
    `select e.customer_id::text, e.entered_at, e.state->>'triggerEventId' as occasion from enrollments e where e.shop_id = $1 order by e.entered_at, e.customer_id`, [shopId]);
  return rows.rows;
}

describe("scheduled date triggers", () => {
  it("sends a campaign to each segment member at 10:00 in their own zone (customer zone, else address, else shop), once", async () => {
    const shopId = await journeyShop(db.pool, "date1.myshopify.com");
    const [ny] = await insertCustomers(db.pool, shopId, 1, { timezone: "America/New_York" });
    const [berlin] = await insertCustomers(db.pool, shopId, 1, { timezone: "Europe/Berlin" });
    const [la] = await insertCustomers(db.pool, shopId, 1, { province: "CA" });
    await db.pool.query(`update customers set timezone = null where shop_id = $1 and id = $2`, [shopId, la]); // inferred from US-CA
    const [shopZone] = await insertCustomers(db.pool, shopId, 1);
    await db.pool.query(`update customers set timezone = null, country = null, province = null where shop_id = $1 and id = $2`, [shopId, shopZone]); // shop: New York
    const [outsider] = await insertCustomers(db.pool, shopId, 1, { timezone: "Asia/Tokyo" });
    const seg = await db.pool.query<{ id: string }>(`insert into segments (shop_id, name, definition, updated_at) values ($1, 'VIP', '{}', now()) returning id::text`, [shopId]);
    const segmentId = seg.rows[0].id;
    await db.pool.query(`insert into segment_memberships (shop_id, segment_id, customer_id) select $1, $2, unnest($3::bigint[])`, [shopId, segmentId, [ny, berlin, la, shopZone]]);
    await publish(db.pool, shopId, journeyOn({ kind: "scheduled_campaign", segmentId, schedule: { kind: "once", date: "2027-03-15", localTime: "10:00" } }));

    // First tick sets the cursor; the run spans Berlin's morning to LA's.
    const rows = await run(shopId, "2027-03-15T08:00:00Z", "2027-03-15T18:00:00Z");
    const at = Object.fromEntries(rows.map((r) => [r.customer_id, r.entered_at.toISOString()]));
    // Entered on the first tick at or after the fire instant (09:00Z Berlin CET, 14:00Z NY EDT, 17:00Z LA PDT).
    expect(at).toEqual({
      [berlin]: "2027-03-15T09:00:00.000Z", [ny]: "2027-03-15T14:00:00.000Z", [shopZone]: "2027-03-15T14:00:00.000Z", [la]: "2027-03-15T17:00:00.000Z",
    });
    expect(at[outsider]).toBeUndefined();
    expect(rows.every((r) => r.occasion === "occasion:campaign:2027-03-15")).toBe(true);
    const tagged = await db.pool.query(`select count(*)::int as n from customers where shop_id = $1 and 'reached' = any(tags)`, [shopId]);
    expect(tagged.rows[0].n).toBe(4);

    // A crash that lost the cursor: the same window again enrolls nobody twice.
    await db.pool.query(`delete from journey_trigger_cursors where shop_id = $1`, [shopId]);
    await db.pool.query(`insert into journey_trigger_cursors (shop_id, ran_to) values ($1, '2027-03-15T08:00:00Z')`, [shopId]);
    expect(await run(shopId, "2027-03-15T18:00:00Z", "2027-03-15T18:00:00Z")).toHaveLength(4);
  });

  it("fires a 09:00 birthday on the spring-forward day at 09:00 EDT, and next year again (a new occasion)", async () => {
    const shopId = await journeyShop(db.pool, "date2.myshopify.com");
    const [c] = await insertCustomers(db.pool, shopId, 1, { timezone: "America/New_York" });
    await db.pool.query(`update customers set birthday = '1990-03-14' where shop_id = $1 and id = $2`, [shopId, c]);
    await publish(db.pool, shopId, journeyOn({ kind: "birthday", localTime: "09:00" }));
    const y1 = await run(shopId, "2027-03-14T05:00:00Z", "2027-03-14T15:00:00Z");
    expect(y1.map((r) => [r.entered_at.toISOString(), r.occasion])).toEqual([["2027-03-14T13:00:00.000Z", "occasion:birthday:2027"]]);
    // Next year's birthday is on a Tuesday in EDT too; a cursor far behind only catches up a day.
    await db.pool.query(`update journey_trigger_cursors set ran_to = '2028-03-13T12:00:00Z' where shop_id = $1`, [shopId]);
    const y2 = await run(shopId, "2028-03-14T12:00:00Z", "2028-03-14T14:00:00Z");
    expect(y2.map((r) => r.occasion)).toEqual(["occasion:birthday:2027", "occasion:birthday:2028"]);
    expect(y2[1].entered_at.toISOString()).toBe("2028-03-14T13:00:00.000Z");
  });

  it("enrolls when the stored expected next order date plus grace days has passed", async () => {
    const shopId = await journeyShop(db.pool, "date3.myshopify.com");
    const [late, early] = await insertCustomers(db.pool, shopId, 2);
    await db.pool.query(
      `insert into customer_scores (shop_id, customer_id, expected_next_order_at) values ($1, $2, '2027-05-01T00:00:00Z'), ($1, $3, '2027-05-10T00:00:00Z')`,
      [shopId, late, early]);
    await publish(db.pool, shopId, journeyOn({ kind: "expected_next_order_passed", graceDays: 3 }));
    const rows = await run(shopId, "2027-05-03T23:50:00Z", "2027-05-04T00:10:00Z");
    expect(rows.map((r) => [r.customer_id, r.entered_at.toISOString()])).toEqual([[late, "2027-05-04T00:00:00.000Z"]]);
  });
});
