// Live segment membership (issue 7). The core compiles a tree to one shop-scoped query; this
// shell keeps segment_memberships equal to it and writes one `events` row per change
// (segment_entered / segment_exited, properties {segmentId}) in the same transaction:
// - refreshSegment: full, set-based diff of one segment (insert entered, delete exited);
// - reevaluateCustomer: one customer against every segment of the shop (index lookups);
// - processDueRechecks: customers whose membership may change by the clock alone
//   (segment_rechecks.due_at from nextMembershipChange) are re-evaluated when due.
// Event ids go to `onEvents` after commit (jobs/segments/worker.ts hands them to journeys).
import { createHash } from "node:crypto";
import type pg from "pg";
import { withTransaction } from "../../app/db.server";
import {
  compileSegment,
  compileSegmentsForCustomer,
  isTimeDriven,
  nextMembershipChange,
  segmentNodeSchema,
  timeDrivenEventNames,
  type CustomerTimeFacts,
  type SegmentNode,
} from "../../core/segments";

export type OnSegmentEvents = (shopId: number, eventIds: string[]) => Promise<void>;

export interface MembershipOptions {
  /** Called after commit with the ids of the events written. */
  onEvents?: OnSegmentEvents;
}

export interface ShopSegments {
  timezone: string;
  segments: { id: string; tree: SegmentNode }[];
  resolve: (id: string) => SegmentNode | undefined;
}

type Queryable = pg.Pool | pg.PoolClient;

/** The shop's live (not archived) segments with parsed trees; bad stored trees are skipped. */
export async function loadShopSegments(db: Queryable, shopId: number): Promise<ShopSegments | null> {
  const shop = await db.query<{ timezone: string }>(`select timezone from shops where id = $1`, [shopId]);
  if (!shop.rows[0]) return null;
  const r = await db.query<{ id: string; definition: unknown }>(
    `select id::text, definition from segments where shop_id = $1 and archived_at is null order by id`,
    [shopId],
  );
  const segments: ShopSegments["segments"] = [];
  for (const row of r.rows) {
    const parsed = segmentNodeSchema.safeParse(row.definition);
    if (parsed.success) segments.push({ id: row.id, tree: parsed.data });
  }
  const byId = new Map(segments.map((s) => [s.id, s.tree]));
  return { timezone: shop.rows[0].timezone, segments, resolve: (id) => byId.get(id) };
}

/** One lock per shop: full refreshes and single-customer re-evaluations take turns. */
async function lockShop(client: pg.PoolClient, shopId: number): Promise<void> {
  await client.query(`select pg_advisory_xact_lock(hashtextextended('segments:' || $1::text, 0))`, [shopId]);
}

export interface RefreshResult {
  segmentId: string;
  entered: number;
  exited: number;
  memberCount: number;
  eventIds: string[];
}

/**
 * Full refresh of one segment: one statement computes the members, inserts those who
 * entered, deletes those who left and writes their events; then the count and the day's size.
 */
export async function refreshSegment(
  db: pg.Pool,
  shopId: number,
  segmentId: string,
  now: Date,
  opts: MembershipOptions = {},
): Promise<RefreshResult | null> {
  const result = await withTransaction(db, async (client) => {
    await lockShop(client, shopId);
    const shop = await loadShopSegments(client, shopId);
    const seg = shop?.segments.find((s) => s.id === segmentId);
    if (!shop || !seg) return null;
    const q = compileSegment(seg.tree, { shopId, now, timezone: shop.timezone, resolveSegment: shop.resolve });
    const n = q.values.length;
    const segP = `$${n + 1}::bigint`;
    const nowP = `$${n + 2}::timestamptz`;
    const text = `
      WITH target AS MATERIALIZED (${q.text}),
      entered AS (
        INSERT INTO segment_memberships (shop_id, segment_id, customer_id, entered_at)
        SELECT $1::int, ${segP}, t.id, ${nowP} FROM target t
        ON CONFLICT (shop_id, segment_id, customer_id) DO NOTHING
        RETURNING customer_id),
      exited AS (
        DELETE FROM segment_memberships m
        WHERE m.shop_id = $1::int AND m.segment_id = ${segP}
          AND NOT EXISTS (SELECT 1 FROM target t WHERE t.id = m.customer_id)
        RETURNING customer_id),
      changes AS (
        SELECT customer_id, 'segment_entered' AS name FROM entered
        UNION ALL SELECT customer_id, 'segment_exited' FROM exited),
      written AS (
        INSERT INTO events (shop_id, customer_id, name, occurred_at, properties, source)
        SELECT $1::int, customer_id, name, ${nowP}, jsonb_build_object('segmentId', ${segP}::text), 'segments'
        FROM changes ORDER BY customer_id, name
        RETURNING id, name)
      SELECT (SELECT count(*) FROM target)::int AS member_count,
             (SELECT count(*) FROM written WHERE name = 'segment_entered')::int AS entered,
             (SELECT count(*) FROM written WHERE name = 'segment_exited')::int AS exited,
             coalesce((SELECT array_agg(id::text ORDER BY id) FROM written), '{}') AS event_ids`;
    const r = await client.query<{ member_count: number; entered: number; exited: number; event_ids: string[] }>(text, [
      ...q.values,
      segmentId,
      now.toISOString(),
    ]);
    const row = r.rows[0];
    await recordSize(client, shopId, segmentId, row.member_count, now, shop.timezone);
    return { segmentId, entered: row.entered, exited: row.exited, memberCount: row.member_count, eventIds: row.event_ids };
  });
  if (result?.eventIds.length) await opts.onEvents?.(shopId, result.eventIds);
  return result;
}

async function recordSize(client: pg.PoolClient, shopId: number, segmentId: string, count: number, now: Date, timezone: string) {
  await client.query(`update segments set member_count = $3, refreshed_at = $4 where shop_id = $1 and id = $2`, [shopId, segmentId, count, now]);
  await client.query(
    `insert into segment_sizes (shop_id, segment_id, day, member_count) values ($1, $2, ($4::timestamptz at time zone $5)::date, $3)
     on conflict (shop_id, segment_id, day) do update set member_count = excluded.member_count`,
    [shopId, segmentId, count, now, timezone],
  );
}

/** Every live segment of the shop, then the clock-driven rechecks of all its customers. */
export async function refreshShopSegments(db: pg.Pool, shopId: number, now: Date, opts: MembershipOptions = {}): Promise<RefreshResult[]> {
  const shop = await loadShopSegments(db, shopId);
  if (!shop) return [];
  const out: RefreshResult[] = [];
  for (const s of shop.segments) {
    const r = await refreshSegment(db, shopId, s.id, now, opts);
    if (r) out.push(r);
  }
  await scheduleRechecks(db, shopId, now);
  return out;
}

export interface ReevaluateResult {
  entered: string[];
  exited: string[];
  eventIds: string[];
}

/**
 * One customer against every live segment of the shop: one query answers all segments
 * (index lookups on the customer), the diff is written with its events, and the customer's
 * next clock-driven change is scheduled. Call it whenever something about the customer changes.
 */
export async function reevaluateCustomer(
  db: pg.Pool,
  shopId: number,
  customerId: string | bigint,
  now: Date,
  opts: MembershipOptions = {},
): Promise<ReevaluateResult> {
  const cid = String(customerId);
  const result = await withTransaction(db, async (client) => {
    await lockShop(client, shopId);
    const shop = await loadShopSegments(client, shopId);
    if (!shop) return { entered: [], exited: [], eventIds: [] };
    const members = await customerSegments(client, shopId, cid, now, shop);
    const current = await client.query<{ segment_id: string }>(
      `select segment_id::text from segment_memberships where shop_id = $1 and customer_id = $2`,
      [shopId, cid],
    );
    const live = new Set(shop.segments.map((s) => s.id));
    const had = new Set(current.rows.map((r) => r.segment_id).filter((id) => live.has(id)));
    const entered = [...members].filter((id) => !had.has(id));
    const exited = [...had].filter((id) => !members.has(id));
    const eventIds = await writeCustomerChanges(client, shopId, cid, entered, exited, now);
    await scheduleRechecksWith(client, shopId, now, shop, [cid]);
    return { entered, exited, eventIds };
  });
  if (result.eventIds.length) await opts.onEvents?.(shopId, result.eventIds);
  return result;
}

/**
 * The ids of the segments the customer belongs to now: one statement for all segments, the
 * customer's row read once. Re-evaluation runs the same statement text for every customer of
 * the shop (ids and times are parameters), and planning it cost several times its
 * execution, so it runs as a prepared statement of the connection (see prepared()).
 */
export async function customerSegments(client: pg.PoolClient, shopId: number, customerId: string, now: Date, shop: ShopSegments): Promise<Set<string>> {
  if (!shop.segments.length) return new Set();
  const q = compileSegmentsForCustomer(shop.segments, { shopId, now, timezone: shop.timezone, resolveSegment: shop.resolve, customerId });
  const r = await client.query<{ segment_ids: string[] }>(prepared(client, q));
  return new Set(r.rows[0]?.segment_ids ?? []);
}

/**
 * Each prepared statement holds about a megabyte of plans in its server process, for the
 * life of the connection: a connection prepares at most this many distinct texts (one per
 * shop's set of segments, in the order they come) and runs any further ones unnamed.
 */
const PREPARED_PER_CONNECTION = 16;
const preparedNames = new WeakMap<pg.PoolClient, Set<string>>();

/** `q` under a name derived from its text, so the connection parses and plans it once. */
function prepared(client: pg.PoolClient, q: { text: string; values: unknown[] }): pg.QueryConfig {
  const name = `segments_${createHash("sha256").update(q.text).digest("base64url").slice(0, 32)}`;
  let names = preparedNames.get(client);
  if (!names) preparedNames.set(client, (names = new Set()));
  if (!names.has(name)) {
    if (names.size >= PREPARED_PER_CONNECTION) return q;
    names.add(name);
  }
  return { name, text: q.text, values: q.values };
}

async function writeCustomerChanges(
  client: pg.PoolClient,
  shopId: number,
  customerId: string,
  entered: string[],
  exited: string[],
  now: Date,
): Promise<string[]> {
  if (!entered.length && !exited.length) return [];
  const r = await client.query<{ id: string }>(
    `WITH ins AS (
       INSERT INTO segment_memberships (shop_id, segment_id, customer_id, entered_at)
       SELECT $1, s, $2, $5 FROM unnest($3::bigint[]) s
       ON CONFLICT DO NOTHING RETURNING segment_id, 'segment_entered' AS name),
     del AS (
       DELETE FROM segment_memberships WHERE shop_id = $1 AND customer_id = $2 AND segment_id = ANY($4::bigint[])
       RETURNING segment_id, 'segment_exited' AS name)
     INSERT INTO events (shop_id, customer_id, name, occurred_at, properties, source)
     SELECT $1, $2, name, $5, jsonb_build_object('segmentId', segment_id::text), 'segments'
     FROM (SELECT * FROM ins UNION ALL SELECT * FROM del) x ORDER BY segment_id, name
     RETURNING id::text`,
    [shopId, customerId, entered, exited, now],
  );
  return r.rows.map((x) => x.id);
}

/**
 * Writes segment_rechecks for the given customers (all of the shop's when omitted): for each
 * clock-driven segment, the earliest instant its membership could change; rows with no such
 * instant are removed. Facts are read in batches, one statement per batch.
 */
export async function scheduleRechecks(db: pg.Pool, shopId: number, now: Date, customerIds?: string[]): Promise<number> {
  const shop = await loadShopSegments(db, shopId);
  if (!shop) return 0;
  const client = await db.connect();
  try {
    if (customerIds) return await scheduleRechecksWith(client, shopId, now, shop, customerIds);
    let written = 0;
    let after = "0";
    for (;;) {
      const r = await client.query<{ id: string }>(
        `select id::text from customers where shop_id = $1 and merged_into_id is null and id > $2 order by id limit 5000`,
        [shopId, after],
      );
      if (!r.rows.length) break;
      await client.query("begin");
      written += await scheduleRechecksWith(client, shopId, now, shop, r.rows.map((x) => x.id));
      await client.query("commit");
      after = r.rows[r.rows.length - 1].id;
    }
    return written;
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

async function scheduleRechecksWith(client: Queryable, shopId: number, now: Date, shop: ShopSegments, customerIds: string[]): Promise<number> {
  const timed = shop.segments.filter((s) => isTimeDriven(s.tree, shop.resolve));
  await client.query(
    `delete from segment_rechecks where shop_id = $1 and customer_id = any($2::bigint[])${timed.length ? ` and not (segment_id = any($3::bigint[]))` : ""}`,
    timed.length ? [shopId, customerIds, timed.map((s) => s.id)] : [shopId, customerIds],
  );
  if (!timed.length || !customerIds.length) return 0;
  const names = [...new Set(timed.flatMap((s) => timeDrivenEventNames(s.tree, shop.resolve)))];
  const facts = await client.query<{ id: string; created_at: Date | null; expected: Date | null; orders: Date[] | null; events: { name: string; at: string }[] | null }>(
    `select c.id::text, coalesce(c.source_created_at, c.created_at) as created_at, s.expected_next_order_at as expected,
       (select array_agg(o.processed_at) from orders o where o.shop_id = $1 and o.customer_id = c.id and o.cancelled_at is null) as orders,
       case when cardinality($3::text[]) > 0 then
         (select json_agg(json_build_object('name', e.name, 'at', e.occurred_at)) from events e
          where e.shop_id = $1 and e.customer_id = c.id and e.name = any($3::text[])) end as events
     from customers c left join customer_scores s on s.shop_id = c.shop_id and s.customer_id = c.id
     where c.shop_id = $1 and c.id = any($2::bigint[]) and c.merged_into_id is null`,
    [shopId, customerIds, names],
  );
  const seg: string[] = [];
  const cust: string[] = [];
  const due: string[] = [];
  const none: { seg: string; cust: string }[] = [];
  for (const f of facts.rows) {
    const tf: CustomerTimeFacts = {
      createdAt: f.created_at,
      orders: f.orders ?? [],
      events: (f.events ?? []).map((e) => ({ name: e.name, occurredAt: new Date(e.at) })),
      expectedNextOrderAt: f.expected,
    };
    for (const s of timed) {
      const next = nextMembershipChange(s.tree, tf, { now, timezone: shop.timezone, resolveSegment: shop.resolve });
      if (next.at) {
        seg.push(s.id);
        cust.push(f.id);
        due.push(next.at.toISOString());
      } else none.push({ seg: s.id, cust: f.id });
    }
  }
  if (none.length) {
    await client.query(
      `delete from segment_rechecks r using unnest($2::bigint[], $3::bigint[]) u(seg, cust)
       where r.shop_id = $1 and r.segment_id = u.seg and r.customer_id = u.cust`,
      [shopId, none.map((x) => x.seg), none.map((x) => x.cust)],
    );
  }
  if (seg.length) {
    await client.query(
      `insert into segment_rechecks (shop_id, segment_id, customer_id, due_at)
       select $1, u.seg, u.cust, u.due from unnest($2::bigint[], $3::bigint[], $4::timestamptz[]) u(seg, cust, due)
       on conflict (shop_id, segment_id, customer_id) do update set due_at = excluded.due_at`,
      [shopId, seg, cust, due],
    );
  }
  return seg.length;
}

/**
 * The every-minute job: takes due rechecks (skipping rows another worker holds), and
 * re-evaluates those customers only. Rechecks of uninstalled shops are dropped.
 */
/**
 * Asks for one customer's re-evaluation against every segment at the next recheck run (the
 * maintenance schedule, every minute), for writers without a queue at hand (consent changes,
 * engagement from tracking links). A recheck due now is enough: processing re-evaluates the
 * customer against all segments and schedules their clock-driven rechecks afresh.
 */
export async function requestReevaluation(db: Pick<pg.Pool, "query">, shopId: number, customerId: string | bigint, now: Date): Promise<void> {
  await db.query(
    `insert into segment_rechecks (shop_id, segment_id, customer_id, due_at)
     select $1, s.id, $2, $3 from segments s where s.shop_id = $1 and s.archived_at is null order by s.id limit 1
     on conflict (shop_id, segment_id, customer_id) do update set due_at = least(segment_rechecks.due_at, excluded.due_at)`,
    [shopId, String(customerId), now],
  );
}

export async function processDueRechecks(db: pg.Pool, now: Date, opts: MembershipOptions & { limit?: number } = {}): Promise<{ customers: number; events: number }> {
  const taken = await db.query<{ shop_id: number; customer_id: string }>(
    `with due as (
       select shop_id, segment_id, customer_id from segment_rechecks where due_at <= $1
       order by due_at limit $2 for update skip locked),
     gone as (
       delete from segment_rechecks r using due
       where r.shop_id = due.shop_id and r.segment_id = due.segment_id and r.customer_id = due.customer_id
       returning r.shop_id, r.customer_id)
     select distinct g.shop_id, g.customer_id::text from gone g join shops s on s.id = g.shop_id and s.status = 'installed'
     order by 1, 2`,
    [now, opts.limit ?? 2000],
  );
  let events = 0;
  for (const row of taken.rows) {
    const r = await reevaluateCustomer(db, row.shop_id, row.customer_id, now, opts);
    events += r.eventIds.length;
  }
  return { customers: taken.rows.length, events };
}
