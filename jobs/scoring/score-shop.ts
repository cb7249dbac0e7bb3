// Score every customer of a shop, in bounded memory:
//   1. stage (stage-summaries.ts): each customer's history reduced in SQL to the facts the
//      models need, the shop's median gap and RFM cut values, into temp tables of the reading
//      connection (one transaction); each customer's category mix on a writer meanwhile;
//   2. fit: BG/NBD + Gamma-Gamma on a seeded sample of the staged facts, k-means on another;
//      the sample is also read straight from the orders on a writer connection (fit-sample.ts),
//      so JavaScript fits the models while PostgreSQL stages, kept when the staged sample agrees;
//   3. score: keyset-paged chunks of customers scored by the pure core functions and written
//      with COPY + one set-based statement per chunk (upsert, history, stage-change events).
//      Chunks go round-robin to up to WRITERS writer connections (each one transaction), so
//      PostgreSQL writes on several cores while the reader pages and JavaScript computes;
//   4. finish: the writers commit, then customers with nothing left to score are dropped and
//      the fit stored, and the reading transaction commits.
// Every run is recorded in scoring_runs (written at start, marked succeeded only at the very
// end, or failed with the error), and the fit is kept in shop_model_fits for single-customer
// rescoring. A run that fails after a writer committed leaves some customers rescored and the
// run marked failed; a rerun rewrites them to the same values (the history row of the day is
// overwritten, stage events are only recorded on a change), so runs stay safe to repeat.
import type pg from "pg";
import { setImmediate as yieldToIo } from "node:timers/promises";
import { from as copyFrom } from "pg-copy-streams";
import { cell } from "../../connectors/ingest/copy";
import { err, ok, type Result } from "../../core/result";
import { categoryFeatures, CUSTOMER_FEATURES, nearestCentre } from "../../core/scoring/clusters";
import { scoreFromCuts } from "../../core/scoring/rfm";
import { PERIOD_DAYS, type ScoringSettings } from "../../core/scoring/schema";
import type { ShopContext } from "../../core/scoring/score-customer";
import { fitShopModels, type ShopModels } from "../../core/scoring/shop-models";
import { summaryFromFacts } from "../../core/scoring/summary";
import { CLUSTER_SAMPLE, fitClusterModel, type ClusterModel } from "./cluster-large";
import { dayToIso, expectedNextOrderAt, scoreInput, type CustomerScoringInput } from "./score-row";
import { writeShopFit } from "./shop-fit";
import {
  analyzeSummaries, COL, copyCategoryMix, MAX_CATEGORIES, pageQuery, readClusterSample, readFitSample, readShopValues, stageCategoryMix,
  stageSummaries,
  type FitSampleRow, type StagedShop,
} from "./stage-summaries";
import { CHUNK_COLUMNS, CHUNK_TABLE, DROP_UNSCORED, UNSCORED, WRITE_CHUNK } from "./write-scores";
import { holdShopAgainstErasure } from "./erasure-lock";
import { readEarlyFitSample, sameFitSample } from "./fit-sample";

/**
 * Per sort or hash, on every connection of the job (the reader's summaries, a writer's category
 * mix and early fit sample): a whole shop's orders and lines then group in memory instead of
 * spilling to disk.
 */
const WORK_MEM = "64MB";

/** Customers per chunk: bounds memory (a chunk's rows and its COPY text) whatever the shop's size. */
export const SCORE_CHUNK = 5_000;

export interface ScoreShopReport {
  customers: number;
  confidence: string | null;
  modelReason: string | null;
  stageChanges: number;
  clusters: { k: number; descriptions: string[] } | null;
  bgnbd: { r: number; alpha: number; a: number; b: number } | null;
  runId: string | null;
  /** Time spent fitting the models (BG/NBD, Gamma-Gamma) and clusters, ms (JavaScript only). */
  fitMs: number;
  /** Wall time per phase, ms: stage (SQL summaries), fit, score (chunks scored and written), finish. */
  phasesMs: Record<string, number>;
}

export interface ScoreShopOptions {
  /** Customers per chunk (SCORE_CHUNK by default); results do not depend on it. */
  chunkSize?: number;
}

export async function scoreShop(
  pool: pg.Pool,
  shopId: number,
  now: Date,
  settings: ScoringSettings,
  opts: ScoreShopOptions = {},
): Promise<Result<ScoreShopReport>> {
  const shop = await pool.query(`select 1 from shops where id = $1`, [shopId]);
  if (shop.rowCount === 0) return err(`shop ${shopId} not found`);
  const started = performance.now();
  const run = await pool.query<{ id: string }>(
    `insert into scoring_runs (shop_id, as_of, started_at, status) values ($1, $2, now(), 'running') returning id::text`,
    [shopId, now],
  );
  const runId = run.rows[0].id;
  try {
    const report = await scoreAndWrite(pool, shopId, now, settings, opts.chunkSize ?? SCORE_CHUNK);
    await pool.query(
      `update scoring_runs set finished_at = now(), status = 'succeeded', customers_scored = $3, parameters = $4, log_likelihood = $5,
         duration_ms = $6 where shop_id = $1 and id = $2`,
      [
        shopId, runId, report.customers,
        JSON.stringify({ period: settings.period, bgnbd: report.bgnbd, gammaGamma: report.gammaGamma, confidence: report.confidence }),
        report.logLikelihood, Math.round(performance.now() - started),
      ],
    );
    return ok({
      customers: report.customers, confidence: report.confidence, modelReason: report.modelReason, stageChanges: report.stageChanges,
      clusters: report.clusters, bgnbd: report.bgnbd, runId, fitMs: report.fitMs, phasesMs: report.phasesMs,
    });
  } catch (e) {
    await pool.query(
      `update scoring_runs set finished_at = now(), status = 'failed', error = $3, duration_ms = $4 where shop_id = $1 and id = $2`,
      [shopId, runId, e instanceof Error ? e.message : String(e), Math.round(performance.now() - started)],
    );
    throw e;
  }
}

async function scoreAndWrite(pool: pg.Pool, shopId: number, now: Date, settings: ScoringSettings, chunkSize: number) {
  if (!(chunkSize >= 1)) throw new Error(`chunk size must be at least 1, got ${chunkSize}`);
  const phasesMs: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const t = performance.now();
    phasesMs[name] = Math.round(t - mark);
    mark = t;
  };
  const client = await pool.connect();
  let firstError: unknown = null;
  const onError = (e: unknown) => void (firstError ??= e);
  const reader = serialQueue(onError);
  let writers: ChunkWriter[] = [];
  try {
    await client.query("begin");
    // The job is rerunnable from the orders: a crash losing its last commits costs nothing.
    await client.query("set local synchronous_commit = off");
    // Sorts and hashes over a whole shop's orders: let them stay in memory (per operation).
    await client.query(`set local work_mem = '${WORK_MEM}'`);
    // No erasure of the shop's customers until everything this run writes has committed.
    await holdShopAgainstErasure(client, shopId);
    writers = await openWriters(pool, client, reader, onError);
    const periodDays = PERIOD_DAYS[settings.period];
    let fitMs = 0;
    const timed = <T>(fit: () => T): T => {
      const t = performance.now();
      const out = fit();
      fitMs += performance.now() - t;
      return out;
    };
    // While this connection stages the shop, a writer reads the fit sample from the orders and
    // JavaScript fits the models on it (fit-sample.ts); kept only if the staged sample agrees.
    const w0 = writers[0];
    const early = w0.own
      ? w0.queue.run(async () => {
          const today = await shopToday(w0.client, shopId, now);
          const rows = today === null ? [] : await readEarlyFitSample(w0.client, shopId, now, shopId, FIT_SAMPLE);
          return { today, rows, models: today === null || !rows.length ? null : timed(() => fitSampleModels(rows, today, periodDays)) };
        })
      : null;
    early?.catch(() => {});
    // The category mix reads the orders and lines, not the summaries: another writer stages it
    // meanwhile (the reader itself when it has no writer of its own) and it is copied across.
    const mixer = writers.find((w) => w.own && w !== w0) ?? (w0.own ? w0 : null);
    const mixPending = mixer ? mixer.queue.run(() => stageCategoryMix(mixer.client, shopId, now)) : null;
    mixPending?.catch(() => {});
    const summaries = await stageSummaries(client, shopId, now);
    if (!summaries) throw new Error(`shop ${shopId} vanished during scoring`);
    phase("stage");
    // PostgreSQL computes the shop's median gap and RFM cuts, then the statistics, while
    // JavaScript fits the models (unless fitted already) and then the clusters (neither fit
    // needs what runs beside it).
    const fitPending = summaries.customers ? readFitSample(client, shopId, FIT_SAMPLE) : Promise.resolve([]);
    fitPending.catch(() => {});
    const valuesPending = readShopValues(client, summaries.customers);
    valuesPending.catch(() => {});
    // Sent once the shop values are in, not beside them: node-postgres deprecates a second
    // statement queued behind a running one.
    const unscoredPending = valuesPending.then(() => client.query<{ id: string }>(UNSCORED, [shopId]));
    unscoredPending.catch(() => {});
    const fitRows = await fitPending;
    const fitted = early ? await early : null;
    const models = summaries.customers
      ? withSampleReason(
          fitted && fitted.today === summaries.todayDay && sameFitSample(fitted.rows, fitRows) ? fitted.models : timed(() => fitSampleModels(fitRows, summaries.todayDay, periodDays)),
          summaries.customers,
        )
      : null;
    const values = await valuesPending;
    const categories = mixer ? await mixPending! : await stageCategoryMix(client, shopId, now);
    if (mixer && categories.length) await mixer.queue.run(() => copyCategoryMix(mixer.client, client));
    const staged: StagedShop = { ...summaries, ...values, categories };
    const shopMedianGapDays = staged.shopMedianGap ?? settings.fallbackGapDays;
    const clusterRows = staged.customers
      ? await readClusterSample(client, shopId + 1, CLUSTER_SAMPLE, staged.todayDay, shopMedianGapDays, staged.categories.length)
      : [];
    const analyzed = analyzeSummaries(client, staged.categories.length > 0);
    analyzed.catch(() => {});
    const clusterFeatures = [...CUSTOMER_FEATURES, ...categoryFeatures(staged.categories)];
    const clusters = staged.customers ? timed(() => fitClusterModel(clusterRows, clusterFeatures, shopId)) : null;
    await analyzed;
    phase("fit");

    const ctx: ShopContext = { models, settings, shopMedianGapDays };
    const stageChanges = staged.customers
      ? await scoreChunks(client, reader, writers, () => firstError, shopId, now, staged, ctx, settings, clusters, chunkSize)
      : 0;
    await closeWriters(writers, true);
    phase("score");
    const unscored = (await unscoredPending).rows.map((r) => r.id);
    if (unscored.length) await client.query(DROP_UNSCORED, [shopId, unscored]);
    if (models) {
      const stored = clusters && {
        k: clusters.k, centres: clusters.centres, mean: clusters.mean, sd: clusters.sd, silhouette: clusters.silhouette,
        descriptions: clusters.descriptions, sampled: clusters.sampled,
        ...(staged.categories.length ? { categories: staged.categories } : {}),
      };
      await writeShopFit(client, shopId, { models, shopMedianGapDays, rfmCuts: staged.rfmCuts, settings, fittedAt: now }, stored);
    }
    await client.query("commit");
    phase("finish");
    return {
      customers: staged.customers,
      confidence: models?.confidence ?? null,
      modelReason: models?.reason ?? "no orders yet",
      stageChanges,
      clusters: clusters ? { k: clusters.k, descriptions: clusters.descriptions } : null,
      bgnbd: models?.bgnbd.params ?? null,
      gammaGamma: models?.gammaGamma.params ?? null,
      logLikelihood: models?.bgnbd.logLikelihood ?? null,
      fitMs,
      phasesMs,
    };
  } catch (e) {
    // Nothing may still be running on a connection when it rolls back.
    await Promise.all([reader.idle(), ...writers.map((w) => w.queue.idle())]);
    await closeWriters(writers, false).catch(() => {});
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/** The shop's calendar day number now (as stageSummaries computes it); null when the shop is gone. */
async function shopToday(client: pg.PoolClient, shopId: number, now: Date): Promise<number | null> {
  const r = await client.query<{ today: number }>(
    `select ($2::timestamptz at time zone timezone)::date - date '1970-01-01' as today from shops where id = $1`, [shopId, now]);
  return r.rows[0]?.today ?? null;
}

/**
 * The fits cost time in proportion to distinct (x, t_x, T) histories, which at shop scale is
 * nearly one per customer; parameter estimates settle long before (CDNOW's published fit is
 * 2,357 customers). Above FIT_SAMPLE customers the models are fitted on a seeded uniform
 * sample of that size (same shop, same sample every night) and the reason says so; every
 * customer is still scored with them.
 */
export const FIT_SAMPLE = 5_000;

function fitSampleModels(rows: readonly FitSampleRow[], todayDay: number, periodDays: number): ShopModels | null {
  const summaries = rows.map((r) =>
    summaryFromFacts("", {
      transactions: r.transactions, firstDay: r.first_day, lastDay: r.last_day, repeatSpend: r.repeat_spend, totalSpend: r.total_spent,
      ownMedianGap: null,
    }, todayDay, periodDays),
  );
  return fitShopModels(summaries, periodDays);
}

/** Above FIT_SAMPLE customers the reason says the models were fitted on a sample. */
function withSampleReason(models: ShopModels | null, customers: number): ShopModels | null {
  if (!models || customers <= FIT_SAMPLE) return models;
  const n = customers.toLocaleString("en-US");
  return { ...models, reason: `${models.reason} (a random sample of ${FIT_SAMPLE.toLocaleString("en-US")} of the shop's ${n} customers)` };
}

// Yield to the event loop this often while computing a chunk, so queued COPY data and
// statements reach PostgreSQL while JavaScript works.
const YIELD_EVERY = 500;

/**
 * Connections that write chunks beside the reading one. Writing (three tables, their indexes
 * and foreign keys) is most of a run's database work and one backend does it on one core; two
 * writers keep a 2-core machine's cores busy while the reader pages and JavaScript scores.
 */
export const WRITERS = 2;

/**
 * Runs statements one at a time on a connection (pg wants no overlapping queries), each
 * starting as soon as the last ends. A failure aborts that connection's transaction, so
 * everything after it fails too; the first error is kept for the caller to throw.
 */
function serialQueue(onError: (e: unknown) => void) {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const p = chain.then(task);
      chain = p.catch(onError);
      return p;
    },
    /** Settles once nothing is running on the connection any more. */
    idle: () => chain,
  };
}

interface ChunkWriter {
  client: pg.PoolClient;
  /** A connection of its own (its own transaction), or the reader's. */
  own: boolean;
  queue: ReturnType<typeof serialQueue>;
  closed?: boolean;
}

/** Up to WRITERS extra connections, as many as the pool can spare now; none: the reader writes. */
async function openWriters(pool: pg.Pool, reader: pg.PoolClient, readerQueue: ChunkWriter["queue"], onError: (e: unknown) => void): Promise<ChunkWriter[]> {
  const spare = Math.min(WRITERS, (pool.options.max ?? 10) - (pool.totalCount - pool.idleCount));
  const writers: ChunkWriter[] = [];
  try {
    for (let i = 0; i < spare; i++) {
      const client = await pool.connect();
      writers.push({ client, own: true, queue: serialQueue(onError) });
      await client.query("begin");
      await client.query("set local synchronous_commit = off");
      await client.query(`set local work_mem = '${WORK_MEM}'`);
      await client.query(CHUNK_TABLE);
    }
  } catch (e) {
    await closeWriters(writers, false);
    throw e;
  }
  if (!writers.length) {
    await reader.query(CHUNK_TABLE);
    writers.push({ client: reader, own: false, queue: readerQueue });
  }
  return writers;
}

/**
 * Commits (or rolls back) the writers' own transactions and returns their connections, each
 * once. After a failed commit the rest roll back; a connection in an unknown state is closed
 * rather than returned to the pool.
 */
async function closeWriters(writers: ChunkWriter[], commit: boolean): Promise<void> {
  let failure: unknown = null;
  for (const w of writers) {
    if (!w.own || w.closed) continue;
    w.closed = true;
    try {
      await w.client.query(commit && failure === null ? "commit" : "rollback");
      w.client.release();
    } catch (e) {
      failure ??= e;
      w.client.release(true);
    }
  }
  if (failure !== null) throw failure;
}

/** Scores the staged customers chunk by chunk and hands each chunk to a writer; the caller commits them. */
async function scoreChunks(
  client: pg.PoolClient,
  reader: ReturnType<typeof serialQueue>,
  writers: ChunkWriter[],
  failure: () => unknown,
  shopId: number,
  now: Date,
  staged: StagedShop,
  ctx: ShopContext,
  settings: ScoringSettings,
  clusters: ClusterModel | null,
  chunkSize: number,
): Promise<number> {
  const historyDay = dayToIso(staged.todayDay);
  const page = pageQuery(staged.categories.length);
  const read = (afterId: string) =>
    reader.run(() => client.query<unknown[]>({ text: page, values: [afterId, chunkSize, shopId, staged.timezone], rowMode: "array" }));
  const writeChunk = (w: ChunkWriter, text: string, chunk: number) => {
    void w.queue
      .run(
        () =>
          new Promise<void>((resolve, reject) => {
            const copy = w.client.query(copyFrom(`copy scoring_result (${CHUNK_COLUMNS.join(", ")}) from stdin`));
            copy.on("finish", resolve);
            copy.on("error", reject);
            copy.end(text);
          }),
      )
      .catch(() => {});
    void w.queue.run(() => w.client.query(WRITE_CHUNK, [shopId, now, historyDay, chunk])).catch(() => {});
  };
  let stageChanges = 0;
  let chunk = 0;
  try {
    let page = await read("0");
    while (page.rows.length) {
      const rows = page.rows;
      const next = rows.length === chunkSize ? read(rows[rows.length - 1][COL.id] as string) : null;
      next?.catch(() => {});
      const lines: string[] = [];
      const tag = `${++chunk}\t`;
      for (let i = 0; i < rows.length; i++) {
        const { line, changed } = scoreLine(rows[i], staged, ctx, settings, clusters, now);
        lines.push(tag, line);
        if (changed) stageChanges++;
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToIo();
      }
      if (failure()) break;
      // Round-robin; a writer still busy with its last chunk makes JavaScript wait rather
      // than pile up COPY text in memory.
      const w = writers[(chunk - 1) % writers.length];
      await w.queue.idle();
      writeChunk(w, lines.join(""), chunk);
      if (!next) break;
      page = await next;
    }
  } finally {
    // Nothing may still be running on a connection when it commits or rolls back.
    await Promise.all([reader.idle(), ...writers.map((w) => w.queue.idle())]);
  }
  if (failure()) throw failure();
  return stageChanges;
}

// Room for the category shares too; nearestCentre reads as many as the fit has features.
const features = new Float64Array(CUSTOMER_FEATURES.length + MAX_CATEGORIES);
const money = (v: number | null) => (v === null ? "\\N" : String(Math.round(v)));
const num = (v: number | null) => (v === null ? "\\N" : String(v));

/** One customer's COPY line for scoring_result, from a PAGE row. */
function scoreLine(
  row: unknown[],
  staged: StagedShop,
  ctx: ShopContext,
  settings: ScoringSettings,
  clusters: ClusterModel | null,
  now: Date,
): { line: string; changed: boolean } {
  const today = staged.todayDay;
  const lastDay = row[COL.lastDay] as number;
  const orderCount = row[COL.orderCount] as number;
  const totalSpent = row[COL.totalSpent] as number;
  const input: CustomerScoringInput = {
    facts: {
      transactions: row[COL.transactions] as number,
      firstDay: row[COL.firstDay] as number,
      lastDay,
      repeatSpend: row[COL.repeatSpend] as number,
      totalSpend: totalSpent,
      ownMedianGap: row[COL.ownGap] as number | null,
    },
    rfm: {
      recency: scoreFromCuts(lastDay, staged.rfmCuts.recency),
      frequency: scoreFromCuts(orderCount, staged.rfmCuts.frequency),
      monetary: scoreFromCuts(totalSpent, staged.rfmCuts.monetary),
    },
    previousStage: row[COL.prevStage] as string | null,
    previousStageSinceDay: row[COL.prevSinceDay] as number | null,
    previousLastOrderDay: row[COL.prevLastDay] as number | null,
  };
  const { prediction: p, decision, rfmGroup } = scoreInput(input, today, ctx, settings);
  let clusterId = "\\N";
  if (clusters) {
    features[0] = p.dormancy.daysSinceLastOrder;
    features[1] = orderCount;
    features[2] = totalSpent;
    features[3] = today - input.facts.firstDay;
    features[4] = p.dormancy.expectedGapDays;
    features[5] = totalSpent / orderCount;
    features[6] = row[COL.discountedShare] as number;
    for (let j = CUSTOMER_FEATURES.length; j < clusters.mean.length; j++) features[j] = row[COL.firstShare + j - CUSTOMER_FEATURES.length] as number;
    clusterId = String(nearestCentre(features, clusters.centres, clusters.mean, clusters.sd));
  }
  const next = expectedNextOrderAt(p, today, now);
  const changed = decision.changed;
  // The stage holds since the run (\N: the write statement's instant) when it changed or was
  // never recorded, else since before.
  const prevSince = row[COL.prevStageSinceMs] as string | null;
  const stageSince = changed || prevSince === null ? "\\N" : prevSince;
  const line =
    row[COL.id] + "\t" + input.rfm.recency + "\t" + input.rfm.frequency + "\t" + input.rfm.monetary + "\t" + rfmGroup + "\t" +
    orderCount + "\t" + totalSpent + "\t" + row[COL.firstOrderMs] + "\t" + row[COL.lastOrderMs] + "\t" +
    p.dormancy.expectedGapDays + "\t" + p.dormancy.daysOverdue + "\t" + (p.dormancy.dormant ? "t" : "f") + "\t" +
    decision.state.stage + "\t" + stageSince + "\t" + (changed ? "t" : "f") + "\t" + (decision.event?.from ?? "\\N") + "\t" +
    num(p.pAlive) + "\t" + num(p.expectedPurchases) + "\t" + (next ? next.toISOString() : "\\N") + "\t" + money(p.clv) + "\t" +
    clusterId + "\t" + p.confidence + "\t" + cell(p.reason) + "\t" + money(p.expectedSpendPerOrder) + "\n";
  return { line, changed };
}
