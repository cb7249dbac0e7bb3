// Nightly scoring end to end: a generated shop of N customers (scripts/demo-data) in a
// throwaway PostgreSQL, then the full score-shop job (SQL summaries, fits, clusters,
// set-based writes, history, run record), as the worker runs it; then the second night on the
// already-scored shop (night2_*), the realistic nightly case.
//   npm run bench -- scoring --size 100000
import { spawnSync } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { rescoreCustomer } from "../jobs/scoring/rescore-customer";
import { runScoreShopJob } from "../jobs/scoring/worker";
import { benchDatabase, peakRssMb } from "./lib/services";

const NOW = new Date("2026-11-01T08:00:00Z");

/** The scoring worker's heap limit in production: the job must fit in it at any shop size. */
export const nodeFlags = ["--max-old-space-size=384"];

/** A run's phases as `<prefix><phase>_s`; the fit phase as `fit_phase_s`, apart from the fits' own `fit_s`. */
function phaseFigures(phasesMs: Record<string, number> | undefined, prefix: string): Record<string, number> {
  return Object.fromEntries(
    Object.entries(phasesMs ?? {}).map(([k, v]) => [`${prefix}${k === "fit" ? "fit_phase" : k}_s`, Math.round(v / 10) / 100]),
  );
}

export async function run(opts: { size?: number }): Promise<Record<string, number>> {
  const size = opts.size ?? 100_000;
  const db = await benchDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // Stopping the server terminates connections pool.end() is still closing: not a failure.
  pool.on("error", () => {});
  try {
    const seedStart = performance.now();
    // The generator holds the whole store in memory: it runs in a process of its own, without
    // the worker's heap limit (peak_rss_mb is then the job's alone).
    const seeded = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "lib/seed-process.ts"), db.url, String(size), "42", "bench-scoring.myshopify.com", NOW.toISOString()],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 },
    );
    if (seeded.status !== 0) throw new Error(`seeding failed (exit ${seeded.status})`);
    const { shopId, orders } = JSON.parse(seeded.stdout.trim().split("\n").pop()!) as { shopId: number; orders: number };
    // The nightly job meets a shop's orders as autovacuum leaves them after an import (hint bits
    // set, visibility map built): vacuumed here, so the run does not pay for the bulk load's
    // first read instead (about 2 s per 100,000 customers on the first pass over fresh rows).
    await pool.query("vacuum (analyze)");
    const seed_s = (performance.now() - seedStart) / 1000;
    const start = performance.now();
    const outcome = await runScoreShopJob(pool, shopId, NOW);
    const total_s = (performance.now() - start) / 1000;
    if (!outcome.ran || !outcome.result.ok) throw new Error(`scoring failed: ${JSON.stringify(outcome)}`);
    const round = (x: number) => Math.round(x * 100) / 100;
    // Single-customer rescoring (what an order webhook does), on 200 customers spread over the shop.
    const sample = (await pool.query<{ id: string }>(
      `select customer_id::text as id from customer_scores where shop_id = $1 order by hashtext(customer_id::text) limit 200`, [shopId])).rows;
    const rescoreMs: number[] = [];
    for (const { id } of sample) {
      const t0 = performance.now();
      const r = await rescoreCustomer(pool, shopId, id, NOW);
      rescoreMs.push(performance.now() - t0);
      if (!r.ok) throw new Error(`rescoring failed: ${r.error}`);
    }
    rescoreMs.sort((a, b) => a - b);
    // The realistic nightly case: the next night rescores the already-scored shop (every row
    // updated, a new day of history, stage events only for the customers who moved).
    const start2 = performance.now();
    const night2 = await runScoreShopJob(pool, shopId, new Date(NOW.getTime() + 86_400_000));
    const night2_s = (performance.now() - start2) / 1000;
    if (!night2.ran || !night2.result.ok) throw new Error(`second-night scoring failed: ${JSON.stringify(night2)}`);
    const pct = (q: number) => round(rescoreMs[Math.min(rescoreMs.length - 1, Math.floor(q * rescoreMs.length))] ?? 0);
    return {
      customers: outcome.result.customers,
      orders,
      total_s: round(total_s),
      fit_s: round(outcome.result.fitMs / 1000),
      peak_rss_mb: peakRssMb(),
      seed_s: round(seed_s),
      customers_per_s: Math.round(outcome.result.customers / total_s),
      rescore_p50_ms: pct(0.5),
      rescore_p99_ms: pct(0.99),
      // Wall time per phase of the job (stage: SQL summaries; fit: models and clusters on
      // samples; score: chunks scored and written; finish: cleanup and stored fit).
      // (The fit phase is `fit_phase_s`: `fit_s` above is the fits alone.)
      ...phaseFigures(outcome.result.phasesMs, ""),
      // The second night (an already-scored shop), with its phases.
      night2_total_s: round(night2_s),
      night2_fit_s: round(night2.result.fitMs / 1000),
      night2_stage_changes: night2.result.stageChanges,
      ...phaseFigures(night2.result.phasesMs, "night2_"),
    };
  } finally {
    await pool.end();
    await db.stop();
  }
}
