// A simulated market of dormant customers, to check that Winback's targeting + bandit earns
// more net margin than blasting everyone a 20% code. Every strategy runs on the same customers
// and the same random draws (common random numbers), so differences are the policy's alone.
//
// Customer model (per month, from the month they turn dormant until the horizon):
// - a latent organic hazard h of ordering anyway, higher for repeat and recently lapsed buyers;
// - a latent discount sensitivity s (many customers have none; one-time and low-value buyers
//   more often have some); an offer worth d (share of the order) adds s·(1 − e^(−d/0.1)) to the
//   campaign month's chance of ordering, and any message adds a small nudge;
// - once they order again they stay active at a higher hazard;
// - order values are log-normal around the customer's own average.
// A customer holding a code uses it on any order in the campaign month, including the order
// they would have placed anyway: that is the margin a blast gives away.
import type { Rng } from "../random/prng";
import { createRng, deriveSeed } from "../random/prng";
import { bernoulli, beta, logNormalMeanCv, normal, poisson } from "../random/samplers";
import { assertNever } from "../result";
import { chooseOffer, emptyBanditState, updateBanditMany, type BanditConfig, type BanditOutcome } from "./bandit";
import { discountCost } from "./cost";
import type { BanditState, MerchantBounds, Offer } from "./schema";

export interface MarketConfig {
  size: number;
  seed: number;
  horizonMonths: number;
  /** Customers turn dormant uniformly over months [0, cohortMonths). */
  cohortMonths: number;
  marginRate: number;
  shippingCostMinor: number;
  messageCostMinor: number;
  nudge: number;
  reactivatedHazard: number;
}

export const DEFAULT_MARKET: Omit<MarketConfig, "size"> = {
  seed: 42,
  horizonMonths: 12,
  cohortMonths: 9,
  marginRate: 0.5,
  shippingCostMinor: 700,
  messageCostMinor: 5,
  nudge: 0.008,
  reactivatedHazard: 0.06,
};

/** What Winback can see about a customer (from its scores), used for segments. */
export interface ObservedCustomer {
  orderCount: number;
  daysDormant: number;
  averageOrderMinor: number;
}

interface SimCustomer extends ObservedCustomer {
  cohort: number;
  organicHazard: number;
  sensitivity: number;
  /** Per month: the uniform that decides an order, and the order's value. */
  draws: Float64Array;
  values: Float64Array;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function simulateCustomers(config: MarketConfig): SimCustomer[] {
  const customers: SimCustomer[] = [];
  for (let i = 0; i < config.size; i++) {
    const rng = createRng(deriveSeed(config.seed, i));
    const orderCount = 1 + poisson(rng, 1.2);
    const daysDormant = 90 + Math.floor(rng() * 500);
    const averageOrderMinor = Math.round(logNormalMeanCv(rng, 6000, 0.5));
    const organicHazard = sigmoid(-3.1 + 0.8 * Math.log(orderCount) - 0.004 * (daysDormant - 90) + normal(rng, 0, 0.5));
    const pSensitive = (orderCount === 1 ? 0.7 : 0.25) + (averageOrderMinor < 5000 ? 0.15 : 0);
    const sensitivity = bernoulli(rng, pSensitive) ? 0.5 * beta(rng, 2, 6) : 0;
    const cohort = Math.floor(rng() * config.cohortMonths);
    const draws = new Float64Array(config.horizonMonths);
    const values = new Float64Array(config.horizonMonths);
    for (let t = 0; t < config.horizonMonths; t++) {
      draws[t] = rng();
      values[t] = Math.round(logNormalMeanCv(rng, averageOrderMinor, 0.3));
    }
    customers.push({ orderCount, daysDormant, averageOrderMinor, cohort, organicHazard, sensitivity, draws, values });
  }
  return customers;
}

/** Share of a typical order an offer is worth to the customer (free shipping feels a bit bigger). */
function perceivedValue(offer: Offer, averageOrderMinor: number, shippingMinor: number): number {
  switch (offer.kind) {
    case "none":
      return 0;
    case "percentage":
      return offer.percent / 100;
    case "fixed_amount":
      return Math.min(offer.amountMinor, averageOrderMinor) / averageOrderMinor;
    case "free_shipping":
      return (1.2 * shippingMinor) / averageOrderMinor;
    default:
      return assertNever(offer, "offer");
  }
}

/** A policy decides, for each customer turning dormant this month, to skip or send an offer. */
export interface Policy {
  decide(customer: ObservedCustomer, index: number): { send: false } | { send: true; offer: Offer; segment: string };
  /** Outcomes of this month's sends, once the month is over. */
  learn(outcomes: readonly { segment: string; outcome: BanditOutcome }[]): void;
}

export interface SimResult {
  netMarginMinor: number;
  orders: number;
  messages: number;
  discountCostMinor: number;
  /** Per offer id: sends and campaign-month conversions. */
  arms: Record<string, { sends: number; conversions: number }>;
  /** Campaign-month totals for customers sent something vs. skipped (a holdout when the policy keeps one). */
  treated: { customers: number; converters: number; revenueMinor: number; revenueSqMinor: number };
  skipped: { customers: number; converters: number; revenueMinor: number; revenueSqMinor: number };
}

export function runPolicy(customers: readonly SimCustomer[], config: MarketConfig, policy: Policy | null): SimResult {
  const result: SimResult = {
    netMarginMinor: 0,
    orders: 0,
    messages: 0,
    discountCostMinor: 0,
    arms: {},
    treated: { customers: 0, converters: 0, revenueMinor: 0, revenueSqMinor: 0 },
    skipped: { customers: 0, converters: 0, revenueMinor: 0, revenueSqMinor: 0 },
  };
  const active = new Uint8Array(customers.length);
  const sent: ({ offer: Offer; segment: string } | null)[] = customers.map(() => null);
  for (let t = 0; t < config.horizonMonths; t++) {
    const outcomes: { segment: string; outcome: BanditOutcome }[] = [];
    for (let i = 0; i < customers.length; i++) {
      const c = customers[i];
      if (t < c.cohort) continue;
      const campaignMonth = t === c.cohort;
      if (campaignMonth && policy) {
        const d = policy.decide(c, i);
        if (d.send) {
          sent[i] = { offer: d.offer, segment: d.segment };
          result.messages++;
          result.netMarginMinor -= config.messageCostMinor;
          const arm = (result.arms[d.offer.id] ??= { sends: 0, conversions: 0 });
          arm.sends++;
        }
      }
      const offer = campaignMonth ? sent[i]?.offer : undefined;
      let p = active[i] ? config.reactivatedHazard : c.organicHazard;
      if (offer) {
        const boost = c.sensitivity * (1 - Math.exp(-perceivedValue(offer, c.averageOrderMinor, config.shippingCostMinor) / 0.1));
        p = 1 - (1 - p) * (1 - config.nudge) * (1 - boost);
      }
      const ordered = c.draws[t] < p;
      if (ordered) {
        const value = c.values[t];
        const discount = offer
          ? discountCost(offer, { eligibleSubtotalMinor: value, subtotalMinor: value, shippingMinor: config.shippingCostMinor })
          : 0;
        const margin = Math.round(value * config.marginRate);
        result.orders++;
        result.discountCostMinor += discount;
        result.netMarginMinor += margin - discount;
        active[i] = 1;
        if (offer) {
          result.arms[offer.id].conversions++;
          outcomes.push({ segment: sent[i]!.segment, outcome: { offerId: offer.id, converted: true, orderMarginMinor: margin, discountCostMinor: discount } });
        }
      } else if (offer) {
        outcomes.push({ segment: sent[i]!.segment, outcome: { offerId: offer.id, converted: false } });
      }
      if (campaignMonth) {
        const group = offer ? result.treated : result.skipped;
        const revenue = ordered ? c.values[t] : 0;
        group.customers++;
        group.converters += ordered ? 1 : 0;
        group.revenueMinor += revenue;
        group.revenueSqMinor += revenue * revenue;
      }
    }
    // Outcomes are learnt at month end: sends within a month all use the same posterior.
    policy?.learn(outcomes);
  }
  return result;
}

export function blastPolicy(offer: Offer): Policy {
  return { decide: () => ({ send: true, offer, segment: "all" }), learn: () => {} };
}

/** Winback's segments: recency band × repeat buyer × order-value band (all observable). */
export function segmentOf(c: ObservedCustomer, medianOrderMinor: number): string {
  return `${c.daysDormant < 240 ? "recent" : "lapsed"}:${c.orderCount > 1 ? "repeat" : "once"}:${c.averageOrderMinor >= medianOrderMinor ? "high" : "low"}`;
}

export interface WinbackPolicyOptions {
  catalogue: readonly Offer[];
  bounds: MerchantBounds;
  bandit: BanditConfig;
  medianOrderMinor: number;
  /** Share of customers held out (sent nothing) to measure lift. */
  holdoutShare: number;
  rng: Rng;
}

export function winbackPolicy(opts: WinbackPolicyOptions): Policy & { states: Map<string, BanditState> } {
  const states = new Map<string, BanditState>();
  return {
    states,
    decide(c) {
      // The holdout draw comes from the policy's own stream so it is reproducible.
      if (opts.rng() < opts.holdoutShare) return { send: false };
      const segment = segmentOf(c, opts.medianOrderMinor);
      const choice = chooseOffer(states.get(segment) ?? emptyBanditState(), opts.catalogue, opts.bounds, opts.bandit, opts.rng);
      if (!choice.ok) return { send: false };
      return { send: true, offer: choice.value.offer, segment };
    },
    learn(outcomes) {
      const bySegment = new Map<string, BanditOutcome[]>();
      for (const o of outcomes) {
        const list = bySegment.get(o.segment);
        if (list) list.push(o.outcome);
        else bySegment.set(o.segment, [o.outcome]);
      }
      for (const [segment, list] of bySegment) states.set(segment, updateBanditMany(states.get(segment) ?? emptyBanditState(), list));
    },
  };
}
