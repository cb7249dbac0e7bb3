// Segment compiler bench: a generated shop of N customers in a throwaway PostgreSQL; each
// realistic segment compiled vs its hand-written reference SQL (ratio of median times),
// single-customer re-evaluation latency, and the preview query.
//   npm run bench -- segments --size 20000
import pg from "pg";
import { compileSegment, compileSegmentForCustomer, compileSegmentPreview } from "../core/segments/compile";
import { generateShop, REFERENCE_SEGMENTS, rng, withParams } from "../test/core/segments/generated-shop";
import { seedShop } from "../test/core/segments/seed";
import { benchDatabase } from "./lib/services";

const NOW = new Date("2026-07-04T03:30:00Z");
const TZ = "America/Los_Angeles";

async function timed(pool: pg.Pool, q: { text: string; values: unknown[] }): Promise<number> {
  const start = performance.now();
  await pool.query(q);
  return performance.now() - start;
}

async function median(runs: number, f: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await f());
  return xs.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

export async function run(opts: { size?: number }): Promise<Record<string, number | string>> {
  const size = opts.size ?? 20_000;
  const db = await benchDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    const shop = generateShop({ shopId: 1, customers: size, now: NOW, timezone: TZ, seed: 42 });
    // Insert in slices so parameter arrays stay moderate.
    const slice = 10_000;
    for (let i = 0; i < shop.customers.length; i += slice) {
      const ids = new Set(shop.customers.slice(i, i + slice).map((c) => c.id));
      await seedShop(
        pool,
        {
          ...shop,
          customers: shop.customers.slice(i, i + slice),
          orders: shop.orders?.filter((o) => ids.has(o.customerId)),
          events: shop.events?.filter((e) => ids.has(e.customerId)),
          scores: shop.scores?.filter((s) => ids.has(s.customerId)),
          products: i === 0 ? shop.products : [],
        },
        { shopExists: i > 0 },
      );
    }
    await pool.query("ANALYZE");
    const options = { shopId: 1, now: NOW, timezone: TZ };

    let maxRatio = 0;
    let worst = "";
    for (const s of REFERENCE_SEGMENTS) {
      const compiled = compileSegment(s.tree, options);
      const reference = { text: withParams(s.sql), values: [1, NOW.toISOString(), TZ] };
      await timed(pool, compiled); // warm the cache for both
      await timed(pool, reference);
      const ratio = (await median(3, () => timed(pool, compiled))) / Math.max(await median(3, () => timed(pool, reference)), 0.05);
      if (ratio > maxRatio) {
        maxRatio = ratio;
        worst = s.name;
      }
    }

    const r = rng(1);
    const single: number[] = [];
    let slowest = { ms: 0, segment: "" };
    for (let k = 0; k < 300; k++) {
      const s = REFERENCE_SEGMENTS[k % REFERENCE_SEGMENTS.length];
      const customerId = String(10_000_000 + 1 + Math.floor(r() * size));
      const ms = await timed(pool, compileSegmentForCustomer(s.tree, { ...options, customerId }));
      single.push(ms);
      if (ms > slowest.ms) slowest = { ms, segment: s.name };
    }
    single.sort((a, b) => a - b);

    let previewMax = 0;
    for (const s of REFERENCE_SEGMENTS) previewMax = Math.max(previewMax, await timed(pool, compileSegmentPreview(s.tree, options)));

    return {
      customers: size,
      orders: shop.orders?.length ?? 0,
      events: shop.events?.length ?? 0,
      segments: REFERENCE_SEGMENTS.length,
      max_ratio: Number(maxRatio.toFixed(2)),
      worst_segment: worst,
      single_p50_ms: Number(single[Math.floor(single.length * 0.5)].toFixed(2)),
      single_p99_ms: Number(single[Math.floor(single.length * 0.99)].toFixed(2)),
      single_slowest_segment: slowest.segment,
      preview_s: Number((previewMax / 1000).toFixed(3)),
    };
  } finally {
    await pool.end();
    await db.stop();
  }
}
