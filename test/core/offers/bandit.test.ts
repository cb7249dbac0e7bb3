import { describe, expect, it } from "vitest";
import { chooseOffer, emptyBanditState, expectedNetPerSend, updateBandit, updateBanditMany, type BanditConfig } from "../../../core/offers/bandit";
import { merchantBoundsSchema, offerSchema, type BanditState, type Offer } from "../../../core/offers/schema";
import { createRng } from "../../../core/random/prng";

const catalogue: Offer[] = [
  { kind: "none", id: "none" },
  ...[10, 20, 30].map((percent) => offerSchema.parse({ kind: "percentage", id: `pct${percent}`, percent })),
];
const bounds = merchantBoundsSchema.parse({ allowedOfferIds: ["none", "pct10", "pct20", "pct30"], maxPercent: 20 });
const config: BanditConfig = {
  messageCostMinor: 5,
  prior: { conversionAlpha: 1, conversionBeta: 20, netMarginMean: 2500, netMarginKappa: 2, netMarginShape: 2, netMarginSd: 2500 },
};

// Synthetic market: order margin 3000 on a 6000 order. pct20 converts best but pct10 earns most:
//   none 0.04 × 3000 = 120, pct10 0.08 × 2400 = 192, pct20 0.09 × 1800 = 162, pct30 0.12 × 1200 = 144.
const truth: Record<string, { p: number; discount: number }> = {
  none: { p: 0.04, discount: 0 },
  pct10: { p: 0.08, discount: 600 },
  pct20: { p: 0.09, discount: 1200 },
  pct30: { p: 0.12, discount: 1800 },
};

function play(seed: number, rounds: number, batch: number): { picks: string[]; state: BanditState } {
  const rng = createRng(seed);
  const world = createRng(seed + 1000);
  let state = emptyBanditState();
  const picks: string[] = [];
  for (let r = 0; r < rounds; r += batch) {
    const outcomes = [];
    for (let i = 0; i < batch; i++) {
      const choice = chooseOffer(state, catalogue, bounds, config, rng);
      if (!choice.ok) throw new Error(choice.error);
      const id = choice.value.offer.id;
      picks.push(id);
      const t = truth[id];
      const margin = 2000 + Math.round(world() * 2000);
      outcomes.push(
        world() < t.p
          ? { offerId: id, converted: true as const, orderMarginMinor: margin, discountCostMinor: Math.round((t.discount * margin) / 3000) }
          : { offerId: id, converted: false as const },
      );
    }
    state = updateBanditMany(state, outcomes);
  }
  return { picks, state };
}

describe("Thompson bandit", () => {
  it.each([1, 2, 3])("converges to the best-margin arm, not the best-converting one (seed %i)", (seed) => {
    const { picks, state } = play(seed, 30_000, 500);
    const tail = picks.slice(-5000);
    const share = (id: string) => tail.filter((p) => p === id).length / tail.length;
    expect(share("pct10")).toBeGreaterThan(0.7);
    expect(share("pct10")).toBeGreaterThan(share("pct20"));
    const ranked = catalogue.slice(0, 3).sort((a, b) => expectedNetPerSend(state, b, config) - expectedNetPerSend(state, a, config));
    expect(ranked[0].id).toBe("pct10");
  });

  it("never picks an arm outside the merchant's bounds, however good it looks", () => {
    // pct30 looks wonderful in the state, but the merchant caps discounts at 20%.
    let state = emptyBanditState();
    for (let i = 0; i < 200; i++) state = updateBandit(state, { offerId: "pct30", converted: true, orderMarginMinor: 9000, discountCostMinor: 0 });
    const rng = createRng(11);
    for (let i = 0; i < 2000; i++) {
      const c = chooseOffer(state, catalogue, bounds, config, rng);
      expect(c.ok && c.value.offer.id).not.toBe("pct30");
    }
    const { picks } = play(4, 5000, 250);
    expect(picks).not.toContain("pct30");
  });

  it("explains every choice with the draws of all eligible arms and why others were left out", () => {
    const c = chooseOffer(emptyBanditState(), catalogue, bounds, config, createRng(3));
    if (!c.ok) throw new Error(c.error);
    expect(c.value.reason.draws.map((d) => d.offerId)).toEqual(["none", "pct10", "pct20"]);
    expect(c.value.reason.excluded.map((e) => e.offerId)).toEqual(["pct30"]);
    const best = Math.max(...c.value.reason.draws.map((d) => d.sampledNetPerSend));
    expect(c.value.reason.draws.find((d) => d.offerId === c.value.offer.id)!.sampledNetPerSend).toBe(best);
    for (const d of c.value.reason.draws) expect(d.sampledNetPerSend).toBeCloseTo(d.sampledConversion * d.sampledNetMarginPerOrder - 5, 6);
  });

  it("is deterministic for a seed", () => {
    expect(play(9, 3000, 100).picks).toEqual(play(9, 3000, 100).picks);
  });

  it("fails as a value when no offer is within bounds", () => {
    const r = chooseOffer(emptyBanditState(), catalogue, { ...bounds, allowedOfferIds: ["pct30"] }, config, createRng(1));
    expect(r.ok).toBe(false);
  });

  it("keeps exact running statistics of net margin per order", () => {
    const margins = [3000, 2500, 4100, 1900];
    const discounts = [300, 250, 410, 190];
    let state = updateBandit(emptyBanditState(), { offerId: "pct10", converted: false });
    margins.forEach((m, i) => (state = updateBandit(state, { offerId: "pct10", converted: true, orderMarginMinor: m, discountCostMinor: discounts[i] })));
    const net = margins.map((m, i) => m - discounts[i]);
    const mean = net.reduce((a, b) => a + b) / net.length;
    const m2 = net.reduce((a, x) => a + (x - mean) ** 2, 0);
    expect(state.arms.pct10).toMatchObject({ sends: 5, conversions: 4 });
    expect(state.arms.pct10.netMarginMean).toBeCloseTo(mean, 9);
    expect(state.arms.pct10.netMarginM2).toBeCloseTo(m2, 6);
  });
});
