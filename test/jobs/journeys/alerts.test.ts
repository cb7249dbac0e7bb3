// Alerts raised by the engine: the same alert twice is one alert; one the merchant resolved
// comes back open when it is raised again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raiseAlert } from "../../../jobs/journeys/definitions";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertShop } from "../../helpers/fixtures";

let db: TestDatabase;
let shopId: number;
beforeAll(async () => {
  db = await createTestDatabase();
  shopId = await insertShop(db.pool, "alerts.myshopify.com");
});
afterAll(async () => {
  await db.drop();
});

const open = async () => (await db.pool.query(`select message from alerts where shop_id = $1 and resolved_at is null order by id`, [shopId])).rows;

describe("raiseAlert", () => {
  it("dedupes open alerts and reopens resolved ones", async () => {
    await raiseAlert(db.pool, shopId, { kind: "channel_failure", message: "SMTP refused", dedupeKey: "smtp:1" });
    await raiseAlert(db.pool, shopId, { kind: "channel_failure", message: "SMTP refused again", dedupeKey: "smtp:1" });
    expect(await open()).toEqual([{ message: "SMTP refused" }]);
    await db.pool.query(`update alerts set resolved_at = now() where shop_id = $1`, [shopId]);
    expect(await open()).toEqual([]);
    await raiseAlert(db.pool, shopId, { kind: "channel_failure", message: "SMTP refused a third time", dedupeKey: "smtp:1" });
    expect(await open()).toEqual([{ message: "SMTP refused a third time" }]);
    const all = await db.pool.query(`select count(*)::int n from alerts where shop_id = $1`, [shopId]);
    expect(all.rows[0].n).toBe(1);
  });
});
