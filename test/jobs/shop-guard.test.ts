import { afterAll, describe, expect, it } from "vitest";
import { forActiveShop } from "../../jobs/shop-guard";
import { createTestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const db = await createTestDatabase();
afterAll(() => db.drop());

describe("jobs for a shop", () => {
  it("run while the shop is installed, and never after it is uninstalled", async () => {
    const shopId = await insertShop(db.pool, "guarded.myshopify.com");
    let calls = 0;
    const work = async () => ++calls;
    expect(await forActiveShop(db.pool, shopId, work)).toEqual({ ran: true, result: 1 });
    await db.pool.query(`update shops set status = 'uninstalled' where id = $1`, [shopId]);
    expect(await forActiveShop(db.pool, shopId, work)).toEqual({ ran: false, reason: "shop uninstalled" });
    expect(await forActiveShop(db.pool, 999_999, work)).toEqual({ ran: false, reason: "shop unknown" });
    expect(calls).toBe(1);
  });
});
