// The stored form of a shop's latest fit (table shop_model_fits): what single-customer
// rescoring needs to score exactly as the nightly job did, without refitting.
import type pg from "pg";
import { bgnbdParamsSchema, gammaGammaParamsSchema, scoringSettingsSchema, type ScoringSettings } from "../../core/scoring/schema";
import type { ShopModels } from "../../core/scoring/shop-models";

/** Per dimension, the four cut values: score = 1 + number of cuts strictly below the value. */
export interface RfmCuts {
  /** On the last order's day number (more recent = higher). */
  recency: number[];
  frequency: number[];
  monetary: number[];
}

export interface StoredShopFit {
  models: ShopModels;
  shopMedianGapDays: number;
  rfmCuts: RfmCuts;
  settings: ScoringSettings;
  fittedAt: Date;
}

// The cut logic is pure (core/scoring/rfm.ts); re-exported for the job's callers.
export { quintileCuts, scoreFromCuts } from "../../core/scoring/rfm";

export async function writeShopFit(db: pg.Pool | pg.PoolClient, shopId: number, fit: StoredShopFit, clusters: unknown): Promise<void> {
  const m = fit.models;
  await db.query(
    `insert into shop_model_fits (shop_id, period, bgnbd, gamma_gamma, confidence, reason, clusters, shop_median_gap_days, rfm_cuts, settings, customers, fitted_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     on conflict (shop_id) do update set period = excluded.period, bgnbd = excluded.bgnbd, gamma_gamma = excluded.gamma_gamma,
       confidence = excluded.confidence, reason = excluded.reason, clusters = excluded.clusters,
       shop_median_gap_days = excluded.shop_median_gap_days, rfm_cuts = excluded.rfm_cuts, settings = excluded.settings,
       customers = excluded.customers, fitted_at = excluded.fitted_at`,
    [
      shopId, fit.settings.period,
      JSON.stringify({ ...m.bgnbd, method: m.method, customers: m.customers, repeatCustomers: m.repeatCustomers }),
      JSON.stringify(m.gammaGamma), m.confidence, m.reason, clusters === null ? null : JSON.stringify(clusters),
      fit.shopMedianGapDays, JSON.stringify(fit.rfmCuts), JSON.stringify(fit.settings), m.customers, fit.fittedAt,
    ],
  );
}

export async function readShopFit(db: pg.Pool, shopId: number): Promise<StoredShopFit | null> {
  const r = await db.query(`select * from shop_model_fits where shop_id = $1`, [shopId]);
  const row = r.rows[0];
  if (!row) return null;
  const bg = row.bgnbd;
  const gg = row.gamma_gamma;
  const cuts = row.rfm_cuts as RfmCuts;
  // JSON has no -Infinity: null stands for "no cut" (every value is above it).
  const fix = (xs: (number | null)[]) => xs.map((x) => (x === null ? -Infinity : x));
  return {
    models: {
      bgnbd: { params: bgnbdParamsSchema.parse(bg.params), logLikelihood: bg.logLikelihood, converged: bg.converged, atBound: bg.atBound },
      gammaGamma: { ...gg, params: gammaGammaParamsSchema.parse(gg.params) },
      confidence: row.confidence,
      method: bg.method,
      reason: row.reason,
      customers: bg.customers,
      repeatCustomers: bg.repeatCustomers,
    },
    shopMedianGapDays: row.shop_median_gap_days,
    rfmCuts: { recency: fix(cuts.recency), frequency: fix(cuts.frequency), monetary: fix(cuts.monetary) },
    settings: scoringSettingsSchema.parse(row.settings),
    fittedAt: row.fitted_at,
  };
}
