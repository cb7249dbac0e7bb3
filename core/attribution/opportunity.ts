// The opportunity estimate a newly connected shop sees before any journey runs: how much of
// what its dormant customers used to spend a win-back journey might bring back in a year.
//
// Assumption (stated on the page): a reactivated customer spends, over the next year, what
// they used to spend in a year. The share reactivated is either
// - rule-of-thumb win-back reactivation rates: 2% conservative, 5% expected, 10% optimistic
//   of dormant customers buying again (reported win-back results range from a few percent to
//   around ten percent; these are assumptions, not measurements of this shop), or
// - the shop's own measured lift, once a journey with a large enough holdout has run: the
//   95% interval of the incremental conversion (treated − holdout) and its estimate.
// It is an estimate, labelled as such everywhere it is shown.

export interface ReactivationRates {
  conservative: number;
  expected: number;
  optimistic: number;
  source: "rule_of_thumb" | "measured_lift";
}

export const RULE_OF_THUMB_RATES: ReactivationRates = { conservative: 0.02, expected: 0.05, optimistic: 0.1, source: "rule_of_thumb" };

export interface OpportunityInput {
  dormantCustomers: number;
  /** Sum over dormant customers of their historical revenue per year, minor units. */
  dormantRevenuePerYearMinor: number;
}

export interface OpportunityRange {
  conservativeMinor: number;
  expectedMinor: number;
  optimisticMinor: number;
  /** Customers brought back at the expected rate. */
  expectedCustomers: number;
  rates: ReactivationRates;
}

/** Rates from a measured lift interval when it is usable (holdout large enough, estimate > 0). */
export function ratesFromLift(lift: { lower: number; estimate: number; upper: number } | null, holdoutSufficient: boolean): ReactivationRates {
  if (!lift || !holdoutSufficient || !(lift.estimate > 0)) return RULE_OF_THUMB_RATES;
  return { conservative: Math.max(0, lift.lower), expected: lift.estimate, optimistic: Math.max(lift.estimate, lift.upper), source: "measured_lift" };
}

export function opportunityRange(input: OpportunityInput, rates: ReactivationRates = RULE_OF_THUMB_RATES): OpportunityRange {
  const value = (rate: number) => Math.round(input.dormantRevenuePerYearMinor * rate);
  return {
    conservativeMinor: value(rates.conservative),
    expectedMinor: value(rates.expected),
    optimisticMinor: value(rates.optimistic),
    expectedCustomers: Math.round(input.dormantCustomers * rates.expected),
    rates,
  };
}
