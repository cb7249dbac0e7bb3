// The one write path every connector uses: validate, COPY into staging, set-based upserts,
// all inside one transaction so a batch is all-or-nothing in the database.
import type pg from "pg";
import { validateBatch, type RawBatch, type Rejection, type ValidBatch } from "../../core/ingest/batch";
import { endJourneysOnChannel } from "../../jobs/journeys/opt-out";
import { CUSTOMER_COUNTS, CUSTOMER_STEPS, REVOKED, REVOKED_EVENTS, REVOKING_LOCK } from "./customers-sql";
import { LINES_DELETE_STEPS, ORDER_COUNTS, ORDER_LINES_INSERT, ORDER_UPSERT, PRODUCT_UPSERT } from "./orders-sql";
import { stage } from "./staging";

export interface IngestOptions {
  now: Date;
  /** Who is writing, for the audit log of merges. */
  actor?: string;
  /** Called with each step's duration, for profiling. */
  trace?: (step: string, ms: number) => void;
}

export interface IngestReport {
  customers: { created: number; attached: number; updated: number };
  orders: { inserted: number; updated: number; lines: number };
  products: { inserted: number; updated: number };
  /** Records that failed validation: not written, the rest of the batch was. */
  rejected: Rejection[];
}

/**
 * Write already-validated records with `client`, inside a transaction the caller owns
 * (one call per transaction: the staging tables are dropped at commit).
 */
export async function writeBatch(
  client: pg.PoolClient,
  shopId: number,
  batch: ValidBatch,
  opts: IngestOptions,
): Promise<Omit<IngestReport, "rejected">> {
  // Traced steps are named "<phase>: <step>" (phases: stage, identity, upsert), so a profile
  // can sum them by phase.
  await stage(client, batch, opts.trace);
  // One writer per shop at a time where identities may be made: identity resolution reads then
  // writes customers, and two concurrent batches must not both create the same person. A batch
  // of orders whose customers are all known creates no one, so it runs beside others (the
  // orders of a bulk import, after its customers).
  const tLock = performance.now();
  const known = await client.query<{ ok: boolean }>(ONLY_KNOWN_CUSTOMERS, [shopId]);
  if (!known.rows[0].ok) await client.query("select pg_advisory_xact_lock($1::int, $2::int)", [0x57b4, shopId]);
  opts.trace?.("identity: lock", performance.now() - tLock);
  const params = [shopId, opts.now, opts.actor ?? "ingest"];
  const run = async (phase: string, sql: string) => {
    const t = performance.now();
    const r = await client.query(sql, paramsFor(sql, params));
    opts.trace?.(`${phase}: ${sql.trim().slice(0, 60).replace(/\s+/g, " ")}`, performance.now() - t);
    return r;
  };
  // When every order's customer is already known and no customer record came, identity
  // resolution has nothing to do (each stub would find its identity, and stubs never update):
  // skip it. This is the common case of a bulk import's orders, batch after batch.
  let c = { created: 0, attached: 0, updated_candidates: 0 };
  if (!known.rows[0].ok) {
    let revoking = 0;
    for (const sql of CUSTOMER_STEPS) {
      const r = await run("identity", sql);
      if (sql === REVOKING_LOCK) revoking = r.rowCount ?? 0;
    }
    c = (await client.query(CUSTOMER_COUNTS)).rows[0];
    // An opt-out by import ends the customer's journeys on that channel and is recorded as a
    // consent_changed event, as one made in Winback is, here under the locks REVOKING_LOCK
    // took, in the same transaction.
    if (revoking > 0) {
      const t = performance.now();
      const r = (await client.query<{ email: string[]; sms: string[] }>(REVOKED, [shopId])).rows[0];
      await endJourneysOnChannel(client, shopId, r.email, "email", opts.now);
      await endJourneysOnChannel(client, shopId, r.sms, "sms", opts.now);
      if (r.email.length + r.sms.length > 0) await client.query(REVOKED_EVENTS, [...params, r.email, r.sms]);
      opts.trace?.("identity: opt-outs end journeys", performance.now() - t);
    }
  }
  const o = { inserted: 0, updated: 0, lines: 0 };
  if (batch.orders.length) {
    await run("upsert", ORDER_UPSERT);
    Object.assign(o, (await client.query(ORDER_COUNTS)).rows[0]);
    // A batch of new orders only (a first import) has no old lines to delete.
    if (o.updated > 0) for (const sql of LINES_DELETE_STEPS) await run("upsert", sql);
    o.lines = (await run("upsert", ORDER_LINES_INSERT)).rowCount ?? 0;
  }
  const p = batch.products.length ? (await run("upsert", PRODUCT_UPSERT)).rows[0] : { inserted: 0, updated: 0 };
  return {
    customers: { created: c.created, attached: c.attached, updated: c.updated_candidates },
    orders: { inserted: o.inserted, updated: o.updated, lines: o.lines },
    products: { inserted: p.inserted, updated: p.updated },
  };
}

const ONLY_KNOWN_CUSTOMERS = `select not exists (select 1 from stg_customers) and not exists (
   select 1 from stg_orders o cross join lateral (select coalesce(o.customer_external_id, 'guest:' || o.email) as key) k
   where k.key is not null and not exists (
     select 1 from customer_identities i where i.shop_id = $1 and i.source = o.source::"Platform" and i.external_id = k.key)) as ok`;

// pg refuses parameters a statement does not use; pass only $1..$n up to the highest used.
function paramsFor(sql: string, params: unknown[]): unknown[] {
  let max = 0;
  for (const m of sql.matchAll(/\$(\d+)/g)) max = Math.max(max, Number(m[1]));
  return params.slice(0, max);
}

/** Validate and write one batch atomically. Invalid records are reported, the rest written. */
export async function ingestBatch(
  pool: pg.Pool,
  shopId: number,
  raw: RawBatch,
  opts: IngestOptions,
): Promise<IngestReport> {
  const t0 = performance.now();
  const validated = validateBatch(raw);
  opts.trace?.("validate", performance.now() - t0);
  return ingestValidated(pool, shopId, validated, opts);
}

/** Write one batch validated earlier (validateBatch) atomically; its rejections are passed through. */
export async function ingestValidated(
  pool: pg.Pool,
  shopId: number,
  { batch, rejected }: { batch: ValidBatch; rejected: Rejection[] },
  opts: IngestOptions,
): Promise<IngestReport> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    // A lost last batch after a crash is re-ingested idempotently; not waiting for the WAL flush is worth it here.
    await client.query("set local synchronous_commit = off");
    const report = await writeBatch(client, shopId, batch, opts);
    const t = performance.now();
    await client.query("commit");
    opts.trace?.("commit", performance.now() - t);
    return { ...report, rejected };
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
