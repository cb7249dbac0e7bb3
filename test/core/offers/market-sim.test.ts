import { describe, expect, it } from "vitest";
import { run } from "../../../bench/market";
import { compareMarket, WINBACK_BOUNDS } from "../../../core/offers/market-compare";
import { DEFAULT_MARKET, runPolicy, simulateCustomers } from "../../../core/offers/market-sim";

describe("simulated market", () => {
  it.each([1, 2, 3])("Winback earns more incremental net margin than a 20%% blast (seed %i, 8k customers)", (seed) => {
    const r = compareMarket({ size: 8000, seed });
    expect(r.blast20_incremental).toBeGreaterThan(0);
    expect(r.winback_incremental).toBeGreaterThan(r.blast20_incremental);
    // Out-of-bounds arms (pct30 exceeds the 20% cap) are never sent.
    for (const id of Object.keys(r.winback_arms)) expect(WINBACK_BOUNDS.allowedOfferIds).toContain(id);
    expect(r.winback_arms.pct30).toBeUndefined();
  });

  it("gives the blast's discount to customers who would have ordered anyway", () => {
    const config = { ...DEFAULT_MARKET, size: 4000 };
    const customers = simulateCustomers(config);
    const none = runPolicy(customers, config, null);
    const r = compareMarket({ size: 4000 });
    // Every order placed without a campaign is also placed under the blast (common random numbers, monotone response).
    expect(r.details.blast20.orders).toBeGreaterThanOrEqual(none.orders);
    expect(r.none_margin).toBe(none.netMarginMinor);
    expect(r.details.blast20.discountCostMinor).toBeGreaterThan(0);
  });

  it("replays exactly for a seed, and bench/market.ts reports the same figures", async () => {
    const a = compareMarket({ size: 3000, seed: 5 });
    const b = await run({ size: 3000, seed: 5 });
    expect([b.none_margin, b.blast20_margin, b.winback_margin]).toEqual([a.none_margin, a.blast20_margin, a.winback_margin]);
    expect(compareMarket({ size: 3000, seed: 6 }).none_margin).not.toBe(a.none_margin);
  });
});
