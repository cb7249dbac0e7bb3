// Unique discount codes on Shopify, against the store simulator: one discount per offer and
// expiry day, codes in bulk calls of at most 250, idempotent across retries and crashes, and
// expired discounts cleaned up in batches.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdminGraphql } from "../../../connectors/shopify/client";
import { createAdminGraphql } from "../../../connectors/shopify/client";
import { codeReadyToSend, deleteExpiredShopifyDiscounts, issueShopifyCodes } from "../../../connectors/shopify/discounts";
import { codeRequestFor, type CodeRequest } from "../../../core/offers/code-request";
import { offerSchema } from "../../../core/offers/schema";
import { generateStore, pointShopifyClientsAt, startStoreSim, type StoreSim } from "../../../scripts/store-sim";
import { createTestDatabase, type TestDatabase } from "../../helpers/db";
import { insertShop } from "../../helpers/fixtures";

const TOKEN = "shpat_discounts";
let db: TestDatabase;
let sim: StoreSim;
let unpoint: () => void;
let shopId: number;
let offerRowId: string;

const NOW = new Date("2026-11-20T12:00:00Z");
const offer = offerSchema.parse({ kind: "percentage", id: "pct15", percent: 15, minimumOrderMinor: 5000, expiresInDays: 14 });

beforeAll(async () => {
  db = await createTestDatabase("discounts");
  sim = await startStoreSim({ store: generateStore({ seed: 4, customers: 5, domain: "discounts.myshopify.com" }), accessToken: TOKEN, bucket: { maximumAvailable: 20_000, restoreRate: 1_000 } });
  unpoint = pointShopifyClientsAt(sim);
  shopId = await insertShop(db.pool, sim.shop);
  offerRowId = (await db.pool.query(`insert into offers (shop_id, name, definition) values ($1, '15% off', $2) returning id::text`, [shopId, JSON.stringify(offer)])).rows[0].id;
});
afterAll(async () => {
  unpoint();
  await sim.close();
  await db.drop();
});

const client = () => createAdminGraphql({ shop: sim.shop, accessToken: TOKEN });
const issue = (requests: CodeRequest[], c: AdminGraphql = client()) =>
  issueShopifyCodes({ client: c, pool: db.pool, shopId, offerRowId, requests, pollIntervalMs: 1, sleep: async () => {} });

function requests(prefix: string, n: number, now = NOW): CodeRequest[] {
  return Array.from({ length: n }, (_, i) => {
    const r = codeRequestFor(`${prefix}:${i}`, offer, { shopId, customerId: String(1000 + i) }, now);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  });
}

/** A client whose process "dies" right after the platform carried out `operationName`. */
function crashingAfter(operationName: string): AdminGraphql {
  const inner = client();
  let armed = true;
  return {
    shop: inner.shop,
    async request<T>(query: string, variables?: Record<string, unknown>) {
      const r = await inner.request<T>(query, variables);
      if (armed && query.includes(operationName)) {
        armed = false;
        throw new Error("worker killed between the platform call and recording its result");
      }
      return r;
    },
  };
}

const live = () => sim.state.discounts.filter((d) => !d.deleted);
const statuses = async (codes: string[]) =>
  (await db.pool.query(`select status::text as s, count(*)::int as n from discount_codes where shop_id = $1 and code = any($2::text[]) group by 1`, [shopId, codes])).rows;

describe("Shopify unique discount codes", () => {
  it("makes one discount for the offer and adds the codes in calls of at most 250", async () => {
    const reqs = requests("send-a", 600);
    const r = await issue(reqs);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect([...r.value.values()].every((s) => s === "created")).toBe(true);
    expect(live()).toHaveLength(1);
    const d = live()[0];
    expect(new Set(d.codes)).toEqual(new Set(reqs.map((x) => x.code)));
    expect(d.input).toMatchObject({
      usageLimit: 1, appliesOncePerCustomer: true, endsAt: reqs[0].expiresAt.toISOString(), context: { all: "ALL" },
      minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "50.00" } },
      customerGets: { value: { percentage: 0.15 }, items: { all: true } },
    });
    // 599 codes beyond the discount's own: three bulk additions, none over 250.
    const calls = sim.state.bulkCreations.filter((b) => b.discountId === d.id);
    expect(calls.map((b) => b.codes.length)).toEqual([250, 250, 99]);
    expect(await codeReadyToSend(db.pool, shopId, reqs[7].idempotencyKey)).toBe(reqs[7].code);
  });

  it("asks for nothing again when the same sends are retried", async () => {
    const before = { discounts: sim.state.discounts.length, bulk: sim.state.bulkCreations.length };
    const r = await issue(requests("send-a", 600));
    expect(r.ok).toBe(true);
    expect({ discounts: sim.state.discounts.length, bulk: sim.state.bulkCreations.length }).toEqual(before);
  });

  it("reconciles a crash between creating codes and recording them: no send before, no second code after", async () => {
    const reqs = requests("send-b", 40);
    await expect(issue(reqs, crashingAfter("DiscountRedeemCodeBulkAdd"))).rejects.toThrow(/worker killed/);
    // The codes exist on the platform, but we never learnt it: none may be sent yet.
    expect(await codeReadyToSend(db.pool, shopId, reqs[3].idempotencyKey)).toBeUndefined();
    expect(await statuses(reqs.map((x) => x.code))).toEqual([{ s: "requested", n: 40 }]);
    const r = await issue(reqs);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(await statuses(reqs.map((x) => x.code))).toEqual([{ s: "created", n: 40 }]);
    expect(await codeReadyToSend(db.pool, shopId, reqs[3].idempotencyKey)).toBe(reqs[3].code);
    const all = live().flatMap((d) => d.codes);
    for (const q of reqs) expect(all.filter((c) => c === q.code)).toHaveLength(1);
    expect(live()).toHaveLength(1);
  });

  it("finds the discount it created before a crash instead of making a second one", async () => {
    const later = new Date(NOW.getTime() + 3 * 86_400_000); // another expiry day: another discount
    const reqs = requests("send-c", 5, later);
    await expect(issue(reqs, crashingAfter("DiscountCodeBasicCreate"))).rejects.toThrow(/worker killed/);
    expect(live()).toHaveLength(2);
    const r = await issue(reqs);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(live()).toHaveLength(2);
    expect(await statuses(reqs.map((x) => x.code))).toEqual([{ s: "created", n: 5 }]);
  });

  it("never hands out a code the platform refused", async () => {
    const [clash] = requests("send-d", 1);
    // Someone else's discount already holds this code.
    sim.state.discounts.push({ id: 99_999, code: "OTHER", title: "other", codes: ["OTHER", clash.code], input: {}, deleted: false });
    const [ok1, ok2] = requests("send-e", 2);
    const r = await issue([ok1, clash, ok2]);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.get(clash.code)).toBe("failed");
    expect(await codeReadyToSend(db.pool, shopId, clash.idempotencyKey)).toBeUndefined();
    expect(await codeReadyToSend(db.pool, shopId, ok2.idempotencyKey)).toBe(ok2.code);
    sim.state.discounts.find((d) => d.id === 99_999)!.deleted = true;
  });

  it("makes a free-shipping discount for a free-shipping offer", async () => {
    const free = offerSchema.parse({ kind: "free_shipping", id: "ship", expiresInDays: 5 });
    const freeRow = (await db.pool.query(`insert into offers (shop_id, name, definition) values ($1, 'Free shipping', $2) returning id::text`, [shopId, JSON.stringify(free)])).rows[0].id;
    const reqs = [0, 1, 2].map((i) => {
      const r = codeRequestFor(`ship:${i}`, free, { shopId, customerId: String(i + 1) }, NOW);
      if (!r.ok) throw new Error(r.error);
      return r.value;
    });
    const r = await issueShopifyCodes({ client: client(), pool: db.pool, shopId, offerRowId: freeRow, requests: reqs, sleep: async () => {} });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const d = live().find((x) => x.codes.includes(reqs[0].code))!;
    expect(d.input).toMatchObject({ kind: "freeShippingCodeDiscount", usageLimit: 1, appliesOncePerCustomer: true, destination: { all: true } });
    expect(new Set(d.codes)).toEqual(new Set(reqs.map((x) => x.code)));
  });

  it("deletes expired discounts in batches and marks their unused codes expired", async () => {
    const [used] = requests("send-a", 1);
    await db.pool.query(`update discount_codes set status = 'used' where shop_id = $1 and code = $2`, [shopId, used.code]);
    const first = live().find((d) => d.input.endsAt === used.expiresAt.toISOString())!;
    const r = await deleteExpiredShopifyDiscounts(client(), db.pool, shopId, new Date(used.expiresAt.getTime() + 1000));
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.discounts).toBe(2); // the 15% discount and the free-shipping one, both past their end
    expect(first.deleted).toBe(true);
    expect(live()).toHaveLength(1); // the later expiry day's discount stays
    const rows = (await db.pool.query(`select status::text as s, count(*)::int as n from discount_codes where shop_id = $1 and expires_at = $2 group by 1 order by 1`, [shopId, used.expiresAt])).rows;
    expect(rows).toEqual([{ s: "expired", n: 641 }, { s: "failed", n: 1 }, { s: "used", n: 1 }]);
    const again = await deleteExpiredShopifyDiscounts(client(), db.pool, shopId, new Date(used.expiresAt.getTime() + 1000));
    expect(again.ok && again.value).toEqual({ discounts: 0, codes: 0 });
  });
});
