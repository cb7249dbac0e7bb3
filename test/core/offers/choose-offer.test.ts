// The offer node's chooser: fixed offers, the segment bandit over a set (with the no-offer
// arm), ladder rungs; whatever the bandit state or the draw, nothing outside the bounds is chosen.
import { describe, expect, it } from "vitest";
import type { BanditConfig } from "../../../core/offers/bandit";
import { recordConversion, recordSend, reverseConversion } from "../../../core/offers/arm-stats";
import { chooseOfferForNode, type ChooseInput } from "../../../core/offers/choose-offer";
import { offerSchema, type BanditState } from "../../../core/offers/schema";
import { offerSettingsSchema } from "../../../core/offers/settings";
import { createRng } from "../../../core/random/prng";

const catalogue = [
  { kind: "percentage", id: "pct10", percent: 10 },
  { kind: "percentage", id: "pct30", percent: 30 },
  { kind: "fixed_amount", id: "five", amountMinor: 500 },
  { kind: "fixed_amount", id: "fifty", amountMinor: 5000 },
  { kind: "free_shipping", id: "ship" },
].map((o) => offerSchema.parse(o));
const settings = offerSettingsSchema.parse({
  bounds: { allowedOfferIds: ["pct10", "pct30", "five", "fifty", "ship"], maxPercent: 20, maxFixedAmountMinor: 1000, allowFreeShipping: false },
  sets: { small: ["pct10", "five", "pct30"] },
  ladders: [{ id: "climb", steps: ["pct10", "five", "pct30"] }],
});
const config: BanditConfig = { messageCostMinor: 1, prior: { conversionAlpha: 1, conversionBeta: 19, netMarginMean: 2000, netMarginKappa: 1, netMarginShape: 2, netMarginSd: 1000 } };
// A state that makes the out-of-bounds arms look best by far: bounds must still win.
const tempting: BanditState = { arms: {
  pct30: { sends: 100, conversions: 90, netMarginMean: 9000, netMarginM2: 100 },
  fifty: { sends: 100, conversions: 95, netMarginMean: 9500, netMarginM2: 100 },
  ship: { sends: 100, conversions: 99, netMarginMean: 9900, netMarginM2: 100 },
} };
const input = (over: Partial<ChooseInput>): ChooseInput => ({ node: { offerId: "auto" }, catalogue, settings, bandit: tempting, config, ladderPrevious: null, rng: createRng(1), ...over });

describe("chooseOfferForNode", () => {
  it.each([
    ["auto", 1],
    ["small", 2],
  ])("bandit over %s never breaks the bounds in 2000 draws and logs every exclusion", (offerId, seed) => {
    const rng = createRng(seed);
    const chosen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const r = chooseOfferForNode(input({ node: { offerId }, rng }));
      if (!r.ok) throw new Error(r.error);
      expect(r.value.method).toBe("bandit");
      chosen.add(r.value.offer?.id ?? "none");
      if (r.value.reason.kind !== "bandit") throw new Error("expected a bandit reason");
      expect(r.value.reason.excluded.map((x) => x.offerId)).toEqual(expect.arrayContaining(offerId === "auto" ? ["pct30", "fifty", "ship"] : ["pct30"]));
      expect(r.value.reason.draws.map((d) => d.offerId)).toContain("none");
    }
    for (const id of chosen) expect(["pct10", "five", "none"]).toContain(id);
  });

  it("learns: with data the best net-margin arm wins most draws, and no offer can win", () => {
    const state: BanditState = { arms: {
      none: { sends: 500, conversions: 50, netMarginMean: 3000, netMarginM2: 1e6 },
      pct10: { sends: 500, conversions: 55, netMarginMean: 2500, netMarginM2: 1e6 },
      five: { sends: 500, conversions: 10, netMarginMean: 2000, netMarginM2: 1e6 },
    } };
    const rng = createRng(9);
    const wins: Record<string, number> = {};
    for (let i = 0; i < 500; i++) {
      const r = chooseOfferForNode(input({ bandit: state, rng }));
      if (!r.ok) throw new Error(r.error);
      const id = r.value.offer?.id ?? "none";
      wins[id] = (wins[id] ?? 0) + 1;
    }
    expect(wins.none).toBeGreaterThan(300);
  });

  it.each([
    { name: "fixed within bounds", node: { offerId: "pct10" }, prev: null, want: { method: "fixed", offer: "pct10", kind: "fixed" } },
    { name: "fixed beyond bounds gives nothing", node: { offerId: "pct30" }, prev: null, want: { method: "fixed", offer: null, kind: "out_of_bounds" } },
    { name: "ladder first rung", node: { offerId: "climb", ladderStep: 0 }, prev: null, want: { method: "ladder", offer: "pct10", kind: "ladder" } },
    { name: "ladder escalates for a non-responder", node: { offerId: "climb", ladderStep: 1 }, prev: { step: 0, responded: false }, want: { method: "ladder", offer: "five", kind: "ladder" } },
    { name: "ladder stops for a responder", node: { offerId: "climb", ladderStep: 1 }, prev: { step: 0, responded: true }, want: { method: "ladder", offer: null, kind: "ladder_responded" } },
    { name: "ladder rung beyond bounds gives nothing", node: { offerId: "climb", ladderStep: 2 }, prev: { step: 1, responded: false }, want: { method: "ladder", offer: null, kind: "out_of_bounds" } },
  ])("$name", ({ node, prev, want }) => {
    const r = chooseOfferForNode(input({ node, ladderPrevious: prev ? { ...prev, chosenAt: new Date("2026-11-01T00:00:00Z") } : null }));
    if (!r.ok) throw new Error(r.error);
    expect({ method: r.value.method, offer: r.value.offer?.id ?? null, kind: r.value.reason.kind }).toEqual(want);
  });

  it("names what is wrong with an unknown offer or rung", () => {
    expect(chooseOfferForNode(input({ node: { offerId: "nope" } }))).toEqual({ ok: false, error: expect.stringContaining("nope") });
    expect(chooseOfferForNode(input({ node: { offerId: "climb", ladderStep: 5 } }))).toEqual({ ok: false, error: expect.stringContaining("no rung 5") });
  });
});

describe("arm bookkeeping", () => {
  it("a conversion and its reversal restore the arm exactly", () => {
    let s: BanditState = { arms: {} };
    for (const x of [1200, 800, 3000]) s = recordConversion(recordSend(s, "a"), "a", x);
    const before = s.arms.a;
    const after = reverseConversion(recordConversion(s, "a", 5000), "a", 5000).arms.a;
    expect(after.conversions).toBe(before.conversions);
    expect(after.netMarginMean).toBeCloseTo(before.netMarginMean, 9);
    expect(after.netMarginM2).toBeCloseTo(before.netMarginM2, 6);
    expect(before).toMatchObject({ sends: 3, conversions: 3 });
    expect(before.netMarginMean).toBeCloseTo(5000 / 3, 9);
  });
});
