// Market bench: no campaign vs. a 20% code to every dormant customer vs. Winback's targeting +
// bandit, on the same simulated customers. Margins are net (order margin − discounts − message
// costs) in minor units over the simulated horizon.
//   npx --no-install tsx bench/market.ts [size]
import { compareMarket } from "../core/offers/market-compare";

export async function run(opts: { size?: number; seed?: number }) {
  const r = compareMarket({ size: opts.size ?? 20_000, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
  return {
    none_margin: r.none_margin,
    blast20_margin: r.blast20_margin,
    winback_margin: r.winback_margin,
    blast20_incremental: r.blast20_incremental,
    winback_incremental: r.winback_incremental,
    customers: r.customers,
    winback_arms: r.winback_arms,
    winback_measured_lift: r.winback_lift && {
      absolute: r.winback_lift.absoluteLift,
      incrementalRevenueMinor: r.winback_lift.incrementalRevenueMinor,
      roi: r.winback_lift.roi,
      holdoutSufficient: r.winback_lift.holdoutSufficient,
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const size = Number(process.argv[2] ?? 20_000);
  run({ size }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
