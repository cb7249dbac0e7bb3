// Settings > Scoring through the route, as the demo admin: the form shows the shop's settings in
// the merchant's units, saving stores them where the nightly job reads them, and bad input is
// refused with the error on the field, keeping what was stored.
import { afterAll, describe, expect, it } from "vitest";
import { configureAppEnv } from "../helpers/app-env";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { insertShop } from "../helpers/fixtures";

const DEMO = "scoring-settings.myshopify.com";
const db: TestDatabase = await createTestDatabase();
configureAppEnv(db, { WINBACK_DEMO_SHOP: DEMO, NODE_ENV: "development" });
const route = await import("../../app/routes/app.settings.scoring");
const { shopScoringSettings } = await import("../../jobs/scoring/worker");
const { closeDatabase } = await import("../../app/db.server");
const shopId = await insertShop(db.pool, DEMO);
const other = await insertShop(db.pool, "someone-else.myshopify.com");

afterAll(async () => {
  await closeDatabase();
  await db.drop();
});

type Fn = (args: { request: Request; params: Record<string, string>; context: unknown }) => Promise<unknown>;
const load = () => (route.loader as unknown as Fn)({ request: new Request("http://localhost/app/settings/scoring"), params: {}, context: {} }) as Promise<{ form: Record<string, string> }>;
const save = (fields: Record<string, string>) =>
  (route.action as unknown as Fn)({
    request: new Request("http://localhost/app/settings/scoring", { method: "POST", body: new URLSearchParams(fields) }),
    params: {},
    context: {},
  }) as Promise<{ ok: true } | { ok: false; errors: { field: string; message: string }[] }>;

describe("Settings > Scoring", () => {
  it("shows the defaults in the merchant's units", async () => {
    expect((await load()).form).toEqual({ dormancyK: "2", atRiskK: "1.5", lostK: "4", minStageHoldDays: "7", horizonMonths: "12", discountPercent: "0" });
  });

  it("saves a shop's own k, hold, horizon and discount rate where the nightly job reads them, and only for this shop", async () => {
    await db.pool.query(`update shops set settings = '{"email": {"from": "x@example.com"}}' where id = $1`, [shopId]);
    const r = await save({ dormancyK: "3", atRiskK: "2", lostK: "6", minStageHoldDays: "14", horizonMonths: "24", discountPercent: "10" });
    expect(r).toEqual({ ok: true });
    expect(await shopScoringSettings(db.pool, shopId)).toMatchObject({
      dormancyK: 3, atRiskK: 2, lostK: 6, minStageHoldDays: 14, horizonDays: 731, annualDiscountRate: 0.1, period: "week",
    });
    expect((await load()).form).toEqual({ dormancyK: "3", atRiskK: "2", lostK: "6", minStageHoldDays: "14", horizonMonths: "24", discountPercent: "10" });
    // Other settings of the shop are kept; another shop keeps the defaults.
    const stored = (await db.pool.query(`select settings from shops where id = $1`, [shopId])).rows[0].settings;
    expect(stored.email).toEqual({ from: "x@example.com" });
    expect((await shopScoringSettings(db.pool, other)).dormancyK).toBe(2);
  });

  it.each<{ name: string; fields: Record<string, string>; field: string; message: string | RegExp }>([
    { name: "k not a number", fields: { dormancyK: "two" }, field: "dormancyK", message: "Enter a number" },
    { name: "a negative hold", fields: { minStageHoldDays: "-3" }, field: "minStageHoldDays", message: />=0/ },
    { name: "k above lost", fields: { dormancyK: "7" }, field: "lostK", message: "must be above the dormancy multiple (7)" },
    { name: "a negative discount rate", fields: { discountPercent: "-5" }, field: "discountPercent", message: />=0/ },
    { name: "a zero horizon", fields: { horizonMonths: "0" }, field: "horizonMonths", message: />0/ },
  ])("refuses $name on its field and keeps the stored settings", async ({ fields, field, message }) => {
    const before = await shopScoringSettings(db.pool, shopId);
    const r = await save({ ...(await load()).form, ...fields });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const e = r.errors.find((x) => x.field === field);
    expect(e, JSON.stringify(r.errors)).toBeDefined();
    if (typeof message === "string") expect(e!.message).toBe(message);
    else expect(e!.message).toMatch(message);
    expect(await shopScoringSettings(db.pool, shopId)).toEqual(before);
  });
});
