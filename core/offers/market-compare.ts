// The comparison bench/market.ts reports: no campaign vs. a 20% blast vs. Winback, on one
// simulated market. Lives in core so tests can run it without the bench wrapper.
import { liftReport, type LiftReport } from "../attribution/lift";
import { createRng, deriveSeed } from "../random/prng";
import type { BanditConfig } from "./bandit";
import { discountCost } from "./cost";
import { blastPolicy, DEFAULT_MARKET, runPolicy, simulateCustomers, winbackPolicy, type MarketConfig, type SimResult } from "./market-sim";
import type { MerchantBounds, Offer } from "./schema";

export const WINBACK_CATALOGUE: Offer[] = [
  { kind: "none", id: "none" },
  { kind: "percentage", id: "pct10", percent: 10, minimumOrderMinor: 0, expiresInDays: 14, scope: { kind: "all" } },
  { kind: "percentage", id: "pct15", percent: 15, minimumOrderMinor: 0, expiresInDays: 14, scope: { kind: "all" } },
  { kind: "percentage", id: "pct20", percent: 20, minimumOrderMinor: 0, expiresInDays: 14, scope: { kind: "all" } },
  { kind: "percentage", id: "pct30", percent: 30, minimumOrderMinor: 0, expiresInDays: 14, scope: { kind: "all" } },
  { kind: "free_shipping", id: "freeship", minimumOrderMinor: 0, expiresInDays: 14, scope: { kind: "all" } },
  { kind: "fixed_amount", id: "fixed10", amountMinor: 1000, minimumOrderMinor: 4000, expiresInDays: 14, scope: { kind: "all" } },
];

/** The merchant caps discounts at 20%: pct30 is in the catalogue but must never be sent. */
export const WINBACK_BOUNDS: MerchantBounds = {
  allowedOfferIds: ["none", "pct10", "pct15", "pct20", "pct30", "freeship", "fixed10"],
  maxPercent: 20,
  maxFixedAmountMinor: 1500,
  allowFreeShipping: true,
};

export interface MarketComparison {
  none_margin: number;
  blast20_margin: number;
  winback_margin: number;
  blast20_incremental: number;
  winback_incremental: number;
  customers: number;
  winback_arms: SimResult["arms"];
  winback_lift: LiftReport | null;
  details: { none: SimResult; blast20: SimResult; winback: SimResult };
}

export function compareMarket(partial: Partial<MarketConfig> & { size: number }, holdoutShare = 0.05): MarketComparison {
  const config: MarketConfig = { ...DEFAULT_MARKET, ...partial };
  const customers = simulateCustomers(config);
  const orderValues = customers.map((c) => c.averageOrderMinor).sort((a, b) => a - b);
  const median = orderValues[Math.floor(orderValues.length / 2)] ?? 0;
  const meanOrder = orderValues.reduce((s, v) => s + v, 0) / Math.max(1, orderValues.length);
  const meanMargin = meanOrder * config.marginRate;

  const bandit: BanditConfig = {
    messageCostMinor: config.messageCostMinor,
    prior: {
      conversionAlpha: 1,
      conversionBeta: 20,
      // Before any orders, expect the shop's average margin less what the offer gives away on an average order.
      netMarginMean: (offer) =>
        meanMargin - discountCost(offer, { eligibleSubtotalMinor: meanOrder, subtotalMinor: meanOrder, shippingMinor: config.shippingCostMinor }),
      netMarginKappa: 2,
      netMarginShape: 2,
      netMarginSd: meanMargin,
    },
  };

  const none = runPolicy(customers, config, null);
  const pct20 = WINBACK_CATALOGUE.find((o) => o.id === "pct20")!;
  const blast20 = runPolicy(customers, config, blastPolicy(pct20));
  const policy = winbackPolicy({
    catalogue: WINBACK_CATALOGUE,
    bounds: WINBACK_BOUNDS,
    bandit,
    medianOrderMinor: median,
    holdoutShare,
    rng: createRng(deriveSeed(config.seed, "winback-policy")),
  });
  const winback = runPolicy(customers, config, policy);
  const lift = liftReport(winback.treated, winback.skipped, {
    marginRate: config.marginRate,
    discountCostMinor: winback.discountCostMinor,
    messageCostMinor: winback.messages * config.messageCostMinor,
  });
  return {
    none_margin: none.netMarginMinor,
    blast20_margin: blast20.netMarginMinor,
    winback_margin: winback.netMarginMinor,
    blast20_incremental: blast20.netMarginMinor - none.netMarginMinor,
    winback_incremental: winback.netMarginMinor - none.netMarginMinor,
    customers: config.size,
    winback_arms: winback.arms,
    winback_lift: lift.ok ? lift.value : null,
    details: { none, blast20, winback },
  };
}
