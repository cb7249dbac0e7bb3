// Node effects carried out by the engine against real PostgreSQL: update_customer properties
// (merged, null removes, birthday sets the date column).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JourneyInput } from "../../../core/journeys/schema";
import { parseBirthday } from "../../../jobs/journeys/effects/update-customer";
import { handleJourneyEvent } from "../../../jobs/journeys/events";
import type { JourneyDeps } from "../../../jobs/journeys/types";
import { createQueueSystem, type QueueSystem } from "../../../jobs/queues";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertCustomers, insertEvents, journeyShop, publish } from "./fixtures";

let db: TestDatabase;
let qs: QueueSystem;

beforeAll(async () => {
  db = await createTestDatabase("jeff");
  qs = createQueueSystem({ databaseUrl: db.url });
});
afterAll(async () => {
  await qs.close();
  await db.drop();
});

const deps = (): JourneyDeps => ({ db: db.pool, qs, channels: {}, retry: { attempts: 1, backoffMs: 1 } } as unknown as JourneyDeps);

const updateJourney = (name: string, properties: Record<string, string | number | boolean | null>, addTags: string[] = []): JourneyInput => ({
  id: "draft", version: 1, name: `Update on ${name}`,
  trigger: { kind: "custom_event", name },
  startNodeId: "u",
  nodes: [
    { id: "u", type: "update_customer", addTags, properties, next: "end" },
    { id: "end", type: "exit" },
  ],
});

async function fire(shopId: number, customers: string[], name: string) {
  for (const e of await insertEvents(db.pool, shopId, customers, name)) await handleJourneyEvent(deps(), shopId, e);
}

describe("update_customer", () => {
  it("merges properties key by key, removes keys set to null, keeps tags working", async () => {
    const shopId = await journeyShop(db.pool, "eff1.myshopify.com");
    const [c] = await insertCustomers(db.pool, shopId, 1);
    await db.pool.query(`update customers set properties = '{"keep": 1, "drop": "x"}' where shop_id = $1 and id = $2`, [shopId, c]);
    await publish(db.pool, shopId, updateJourney("p1", { vip: true, tier: "gold", drop: null }, ["winback"]));
    await fire(shopId, [c], "p1");
    const r = await db.pool.query(`select properties, tags from customers where shop_id = $1 and id = $2`, [shopId, c]);
    expect(r.rows[0].properties).toEqual({ keep: 1, vip: true, tier: "gold" });
    expect(r.rows[0].tags).toEqual(["winback"]);
  });

  it("sets the birthday date from a valid birthday property and ignores an invalid one", async () => {
    const shopId = await journeyShop(db.pool, "eff2.myshopify.com");
    const [a, b] = await insertCustomers(db.pool, shopId, 2);
    await publish(db.pool, shopId, updateJourney("bd_ok", { birthday: "1990-02-28" }));
    await publish(db.pool, shopId, updateJourney("bd_bad", { birthday: "1990-02-30" }));
    await fire(shopId, [a], "bd_ok");
    await fire(shopId, [b], "bd_bad");
    const r = await db.pool.query<{ id: string; birthday: string | null; properties: Record<string, unknown> }>(
      `select id::text, to_char(birthday, 'YYYY-MM-DD') as birthday, properties from customers where shop_id = $1 order by id`, [shopId]);
    expect(r.rows.map((x) => x.birthday)).toEqual(["1990-02-28", null]);
    expect(r.rows[1].properties).toEqual({ birthday: "1990-02-30" });
  });

  it("only accepts real calendar dates as birthdays", () => {
    const table: [unknown, string | null][] = [
      ["2000-02-29", "2000-02-29"], ["1999-02-29", null], ["1990-13-01", null], ["1990-1-1", null], [19900101, null], [" 1985-07-04 ", "1985-07-04"],
    ];
    for (const [input, expected] of table) expect(parseBirthday(input), String(input)).toBe(expected);
  });
});
