// Nightly scoring end to end: a generated shop of N customers (scripts/demo-data) in a
// throwaway PostgreSQL, then the full score-shop job (SQL summaries, fits, clusters,
// set-based writes, history, run record), as the worker runs it.
//   npm run bench -- scoring --size 100000
import pg from "pg";
import { runScoreShopJob } from "../jobs/scoring/worker";
import { seedDemoShop } from "../scripts/demo-data/seed";
import { benchDatabase, peakRssMb } from "./lib/services";

const NOW = new Date("2026-11-01T08:00:00Z");

/** The scoring worker's heap limit in production: the job must fit in it at any shop size. */
export const nodeFlags = ["--max-old-space-size=384"];

export async function run(opts: { size?: number }): Promise<Record<string, number>> {
  const size = opts.size ?? 100_000;
  const db = await benchDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // Stopping the server terminates connections pool.end() is still closing: not a failure.
  pool.on("error", () => {});
  try {
    const seedStart = performance.now();
    const { shopId, orders } = await seedDemoShop(pool, { now: NOW, customers: size, seed: 42, domain: "bench-scoring.myshopify.com" });
    await pool.query("analyze");
    const seed_s = (performance.now() - seedStart) / 1000;
    const start = performance.now();
    const outcome = await runScoreShopJob(pool, shopId, NOW);
    const total_s = (performance.now() - start) / 1000;
    if (!outcome.ran || !outcome.result.ok) throw new Error(`scoring failed: ${JSON.stringify(outcome)}`);
    const round = (x: number) => Math.round(x * 100) / 100;
    return {
      customers: outcome.result.customers,
      orders,
      total_s: round(total_s),
      fit_s: round(outcome.result.fitMs / 1000),
      peak_rss_mb: peakRssMb(),
      seed_s: round(seed_s),
      customers_per_s: Math.round(outcome.result.customers / total_s),
      // Wall time per phase of the job (stage: SQL summaries; fit: models and clusters on
      // samples; score: chunks scored and written; finish: cleanup and stored fit).
      ...Object.fromEntries(Object.entries(outcome.result.phasesMs ?? {}).map(([k, v]) => [`${k}_s`, round(v / 1000)])),
    };
  } finally {
    await pool.end();
    await db.stop();
  }
}
