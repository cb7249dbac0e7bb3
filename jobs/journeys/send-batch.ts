// Carries out many messages rows of a shop at once, with the same guarantees as
// processMessage for one (jobs/journeys/send.ts):
//   - each row is worked on under its session advisory lock (taken for the whole batch in one
//     statement; a row another worker holds is "busy", as for one);
//   - the governance decisions run in one transaction holding every customer's advisory lock,
//     taken in key order (so two batches never deadlock), on facts read in one query; two
//     messages of the same customer in one batch are decided one after the other, the second
//     seeing the first as a prior send, exactly as two single sends would;
//   - `sending` is committed before any provider call, and the provider calls of the batch
//     go out together after that commit; a crash leaves rows in `sending`, which reconcile()
//     settles with the provider's record and never resends blindly.
// Rows off the common path (in `sending`, waiting for an offer code, of an ended enrollment,
// deferred and not yet due) go through the one-at-a-time code under the same lock.
import type pg from "pg";
import type { Channel } from "../../core/governance/schema";
import { Coalescer, DEFAULT_BATCH } from "./coalesce";
import { lockCustomers } from "./customer-lock";
import { enqueueSend } from "./queue";
import {
  callChannel, decisionFor, DONE, factsOf, outbound, processMessage, processRead, recordFailure, sendNode,
  type FactsRow, type MessageRow, type SendNode, type SendOutcome,
} from "./send";
import { clock, type JourneyDeps, type OutboundMessage } from "./types";

const MSG_KEY = (id: string, shop = "$1") => `hashtextextended('msg:' || ${shop}::text || ':' || ${id}, 0)`;

type Row = MessageRow & { has_offer: boolean };

const ROW_COLUMNS = `m.id::text, m.idempotency_key, m.customer_id::text, m.journey_id::text, m.enrollment_id::text, m.node_id, m.content_id::text,
              m.channel::text as channel, m.purpose::text as purpose, m.variant, m.recipient, m.provider_message_id, m.status::text as status,
              m.deferred_until, e.journey_version, e.status::text as enrollment_status,
              m.enrollment_id is not null and exists (select 1 from offer_choices c where c.shop_id = m.shop_id and c.enrollment_id = m.enrollment_id) as has_offer`;
const ROW_FROM = `from messages m left join enrollments e on e.shop_id = m.shop_id and e.id = m.enrollment_id
       where m.shop_id = $1::int and m.id = any($2::bigint[])`;

/** Sent as one would be: queued (or deferred and due), of a running enrollment, without an offer code to wait for. */
const isPlain = (m: Row, now: Date) => (m.status === "queued" || (m.status === "deferred" && (!m.deferred_until || m.deferred_until.getTime() <= now.getTime())))
  && m.enrollment_status !== "converted" && m.enrollment_status !== "exited" && !m.has_offer;

/** Releases messages' session locks; false when that failed (the connection must then be closed, not reused). */
export async function unlockMessages(client: pg.PoolClient, shopId: number, ids: readonly string[]): Promise<boolean> {
  if (ids.length === 0) return true;
  return client.query(`select pg_advisory_unlock(${MSG_KEY("x.id")}) from unnest($2::text[]) as x(id)`, [shopId, ids]).then(() => true, () => false);
}

export async function processMessages(deps: JourneyDeps, shopId: number, ids: readonly string[]): Promise<Map<string, SendOutcome>> {
  const out = new Map<string, SendOutcome>();
  if (ids.length === 0) return out;
  const client = await deps.db.connect();
  let held: string[] = [];
  try {
    const l = await client.query<{ id: string; ok: boolean }>(
      `select x.id, pg_try_advisory_lock(${MSG_KEY("x.id")}) as ok from unnest($2::text[]) as x(id)`, [shopId, ids]);
    held = l.rows.filter((x) => x.ok).map((x) => x.id);
    for (const x of l.rows) if (!x.ok) out.set(x.id, { kind: "busy" }); // another worker is on it right now
    if (held.length === 0) return out;
    // Read after the locks: the statuses are current.
    const r = await client.query<Row>(`select ${ROW_COLUMNS} ${ROW_FROM} order by m.id`, [shopId, held]);
    const now = clock(deps);
    const found = new Set(r.rows.map((m) => m.id));
    for (const id of held) if (!found.has(id)) out.set(id, { kind: "missing" });
    const common: { m: Row; node: SendNode | null }[] = [];
    const other: Row[] = [];
    for (const m of r.rows) {
      if (DONE.has(m.status)) { out.set(m.id, { kind: "done" }); continue; }
      if (isPlain(m, now)) common.push({ m, node: await sendNode(client, shopId, m) });
      else other.push(m);
    }
    if (common.length > 0) {
      const { toSend, queueDeferred: later } = await decideBatch(deps, client, shopId, common, now, out);
      await deliverBatch(deps, client, shopId, toSend, out);
      await later(); // the sends do not wait for the queue (a deferred row is the sweeper's too)
    }
    for (const m of other) out.set(m.id, await processRead(deps, client, shopId, m));
    return out;
  } finally {
    client.release(!(await unlockMessages(client, shopId, held))); // a connection that may still hold the locks is closed, not reused
  }
}

interface ToSend { msg: OutboundMessage; key: string; node: SendNode | null }

async function decideBatch(
  deps: JourneyDeps, client: pg.PoolClient, shopId: number, items: { m: Row; node: SendNode | null }[], at: Date, out: Map<string, SendOutcome>,
): Promise<{ toSend: ToSend[]; queueDeferred: () => Promise<void> }> {
  const customers = [...new Set(items.map((i) => i.m.customer_id))];
  await client.query("begin");
  try {
    await lockCustomers(client, shopId, customers);
    // The clock only now, under the locks (see decide in send.ts).
    const now = deps.now ? at : new Date(Math.max(at.getTime(), Date.now()));
    const { toSend, deferred, write } = await decideLocked(deps, client, shopId, items, now, out);
    await commitWith(client, write);
    return { toSend, queueDeferred: () => queueDeferred(deps, shopId, deferred, now) };
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  }
}

type DecideFacts = FactsRow & { customer_id: string; pauses: { scope: string; target: string | null }[] | null };

/** Prior sends count from this instant (the longest cap window there is). */
export const sinceFor = (now: Date) => new Date(now.getTime() - 400 * 86_400_000);

/**
 * What a send decision needs about each customer ($1 shop; `since`: when prior sends count;
 * `exclude`: the messages being decided, left out of the prior sends); the caller adds which
 * customers. `stepped` (id, status): enrollments the same statement updates, whose new status
 * its snapshot cannot see (a data-modifying CTE's writes are invisible to its siblings).
 */
const factsSelect = (since: string, exclude: string | null, stepped: string | null) => `select c.id::text as customer_id, c.email, c.phone, c.timezone, c.country, c.province, c.email_consent::text, c.sms_consent::text,
            s.timezone as shop_tz, s.settings,
            (select endpoint_hash from push_subscriptions p where p.shop_id = c.shop_id and p.customer_id = c.id order by created_at desc limit 1) as push,
            exists (select 1 from suppressions x where x.shop_id = c.shop_id and x.channel = 'email' and x.address = lower(c.email)) as email_suppressed,
            exists (select 1 from suppressions x where x.shop_id = c.shop_id and x.channel = 'sms' and x.address = c.phone) as sms_suppressed,
            (select json_agg(json_build_object('scope', p.scope, 'target', p.target)) from journey_pauses p where p.shop_id = c.shop_id) as pauses,
            (select json_agg(json_build_object('channel', x.channel, 'purpose', x.purpose, 'at', coalesce(x.sent_at, x.queued_at)))
               from messages x where x.shop_id = c.shop_id and x.customer_id = c.id${exclude ? ` and x.id <> all(${exclude})` : ""}
                and x.status in ('sending', 'sent', 'delivered') and coalesce(x.sent_at, x.queued_at) > ${since}) as prior,
            (select json_agg(json_build_object('enrollment_id', e.id::text, 'journey_id', e.journey_id::text, 'stage', v.definition->>'stage'))
               from enrollments e join journey_versions v on v.shop_id = e.shop_id and v.journey_id = e.journey_id and v.version = e.journey_version
               ${stepped ? `left join ${stepped} as u(id, status) on u.id = e.id` : ""}
               where e.shop_id = c.shop_id and e.customer_id = c.id and ${stepped ? "coalesce(u.status, e.status::text)" : "e.status"} in ('active', 'waiting')) as active
     from customers c join shops s on s.id = c.shop_id where c.shop_id = $1::int`;

/** The facts ($3 the messages being decided, $4 since when prior sends count). */
const FACTS_SELECT = factsSelect("$4", "$3::bigint[]", null);

/**
 * The decisions, inside a transaction that holds every customer's lock: facts in one query
 * (or as the caller read them, under the same locks), then each message in id order; the
 * statuses are one statement (`write`), which the caller runs before its commit. Deferred ones
 * are queued by the caller after commit.
 */
async function decideLocked(
  deps: JourneyDeps, client: pg.PoolClient, shopId: number, items: { m: Row; node: SendNode | null }[], now: Date, out: Map<string, SendOutcome>,
  read?: DecideFacts[],
): Promise<{ toSend: ToSend[]; deferred: { id: string; until: Date }[]; write: pg.QueryConfig | null }> {
  const toSend: ToSend[] = [];
  const deferred: { id: string; until: Date }[] = [];
  const r: DecideFacts[] = read ?? (await client.query<DecideFacts>(
    `${FACTS_SELECT} and c.id = any($2::bigint[])`, [shopId, [...new Set(items.map((i) => i.m.customer_id))], items.map((i) => i.m.id), sinceFor(now)],
  )).rows;
  const rows = new Map(r.map((c) => [c.customer_id, c]));
  const facts = new Map(r.map((c) => [c.customer_id, factsOf(c)]));
  const updates: { id: string; status: string; channel?: string; recipient?: string; provider?: string | null; deferred_until?: string; reason?: unknown }[] = [];
  for (const { m, node } of items) { // in id order: one customer's messages one after the other
    const c = rows.get(m.customer_id);
    const f = facts.get(m.customer_id);
    if (!c || !f) {
      updates.push({ id: m.id, status: "suppressed", reason: { kind: "customer_missing" } });
      out.set(m.id, { kind: "suppressed", reason: { kind: "customer_missing" } });
      continue;
    }
    const paused = (c.pauses ?? []).some((p) => p.scope === "shop" || (p.scope === "journey" && m.journey_id !== null && p.target === m.journey_id)
      || (p.scope === "channel" && p.target === m.channel));
    if (paused) { out.set(m.id, { kind: "paused" }); continue; }
    const { decision, channel } = decisionFor(m, node, f, now);
    switch (decision.kind) {
      case "send_now": {
        const recipient = f.addresses[channel]!;
        updates.push({ id: m.id, status: "sending", channel, recipient, provider: deps.channels[channel]?.provider ?? null });
        // The next message of this customer in the batch sees this one, as it would once committed.
        f.prior.push({ channel, purpose: m.purpose, at: now });
        toSend.push({ msg: outbound(shopId, { ...m, variant: channel !== m.channel ? "fallback" : m.variant }, node, channel as Channel, recipient), key: m.idempotency_key, node });
        break;
      }
      case "defer_until":
        updates.push({ id: m.id, status: "deferred", deferred_until: decision.at.toISOString(), reason: decision.reason });
        deferred.push({ id: m.id, until: decision.at });
        out.set(m.id, { kind: "deferred", until: decision.at, reason: decision.reason });
        break;
      case "skip":
      case "fallback": // a fallback that was itself blocked
        updates.push({ id: m.id, status: "suppressed", reason: decision.reason });
        out.set(m.id, { kind: "suppressed", reason: decision.reason });
        break;
    }
  }
  // The statuses in one parameterised statement, which the caller runs just before its commit
  // (commitWith). The JSON carries customer data (recipients), so it is never spliced into SQL.
  const write: pg.QueryConfig | null = updates.length === 0 ? null : {
    text: `update messages m set
         status = x.status::"MessageStatus",
         channel = case when x.status = 'sending' then x.channel::"MessageChannel" else m.channel end,
         recipient = case when x.status = 'sending' then x.recipient else m.recipient end,
         provider = case when x.status = 'sending' then x.provider else m.provider end,
         attempts = case when x.status = 'sending' then m.attempts + 1 else m.attempts end,
         sent_at = case when x.status = 'sending' then $3 else m.sent_at end,
         variant = case when x.status = 'sending' and x.channel <> m.channel::text then 'fallback' else m.variant end,
         deferred_until = case when x.status = 'deferred' then x.deferred_until else m.deferred_until end,
         reason = case when x.status in ('deferred', 'suppressed') then x.reason else m.reason end
       from jsonb_to_recordset($2::jsonb) as x(id bigint, status text, channel text, recipient text, provider text, deferred_until timestamptz, reason jsonb)
       where m.shop_id = $1 and m.id = any($4::bigint[]) and m.id = x.id`, // the id list lets the planner use the key (it cannot count the json's rows)
    values: [shopId, JSON.stringify(updates), now, updates.map((u) => u.id)],
  };
  // A test's moment inside the transaction, its locks held, before the statuses and the commit go.
  if (write) await deps.hooks?.beforeSendCommit?.(shopId, updates.map((u) => u.id));
  return { toSend, deferred, write };
}

/** A transaction's last write (the decided statuses, if any), then its commit. */
export async function commitWith(client: pg.PoolClient, write: pg.QueryConfig | null): Promise<void> {
  if (write) await client.query(write);
  await client.query("commit");
}

/** What decideWritten settled inside the writer's transaction, for deliverDecided after its commit. */
export interface Decided {
  /** Messages whose session lock this connection holds (release with unlockMessages). */
  held: string[];
  toSend: ToSend[];
  deferred: { id: string; until: Date }[];
  /** The statuses decided, written just before the writer's commit (commitWith). */
  write: pg.QueryConfig | null;
  /** Outcomes so far; a held message without one is left for the usual path. */
  outcomes: Map<string, SendOutcome>;
  now: Date;
}

/** The clock for send decisions, read under the customers' locks (see decide in send.ts). */
export const decideClock = (deps: JourneyDeps, at: Date): Date => (deps.now ? at : new Date(Math.max(at.getTime(), Date.now())));

/**
 * The sends a steps write (step-batch.ts stepRows) inserted and returned ready to decide, so
 * decideWritten needs no read of its own: the rows, each one's session lock taken, and their
 * customers' facts, read by that statement under the customer locks its transaction holds.
 */
export interface WrittenSends { rows: Row[]; facts: DecideFacts[]; now: Date }

/** What stepTransaction asks of its steps write (inline sends, customers locked): `clock` is read just before it. */
export interface SendsToDecide { clock: () => Date; written: WrittenSends | null; armed: boolean }

/**
 * The select list a steps write adds over its inserted messages (`m`, the insert's RETURNING
 * rows; `decide` the enrollments whose sends are decided in its transaction): the row, its
 * session lock and its customer's facts. The statement sees neither its own inserts (queued:
 * prior sends leave them out anyway) nor its enrollment updates (`stepped`, given explicitly);
 * what the row needs of its enrollment the caller adds (writtenSends).
 */
export const writtenSendsColumns = (p: { decide: string; since: string; stepped: string }) =>
  `m.customer_id::text, m.journey_id::text, m.enrollment_id::text, m.node_id, m.content_id::text,
   m.channel::text as channel, m.purpose::text as purpose, m.variant, m.recipient, m.provider_message_id, m.status::text as status, m.deferred_until,
   exists (select 1 from offer_choices c where c.shop_id = m.shop_id and c.enrollment_id = m.enrollment_id) as has_offer,
   case when m.enrollment_id = any(${p.decide}) then pg_advisory_lock(${MSG_KEY("m.id::text", "m.shop_id")})::text end as locked,
   (select row_to_json(f) from (${factsSelect(p.since, null, p.stepped)} and c.id = m.customer_id) f where m.enrollment_id = any(${p.decide})) as facts`;

export type WrittenRow = { id: string; key: string; locked: string | null; facts: DecideFacts | null }
  & Omit<Row, "id" | "idempotency_key" | "journey_version" | "enrollment_status">;

/** The locked rows of a steps write, in id order, with their enrollments' versions and new statuses. */
export function writtenSends(rows: readonly WrittenRow[], enrollment: (id: string) => { journey_version: number; status: string }, now: Date): WrittenSends {
  const facts = new Map<string, DecideFacts>();
  const out: Row[] = [];
  for (const x of rows) {
    if (x.locked === null) continue;
    const { key, locked: _l, facts: f, ...m } = x;
    if (f) facts.set(f.customer_id, f);
    const e = enrollment(m.enrollment_id!);
    out.push({ ...m, idempotency_key: key, journey_version: e.journey_version, enrollment_status: e.status });
  }
  out.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
  return { rows: out, facts: [...facts.values()], now };
}

/**
 * Messages the caller's open transaction has just written, for customers whose locks it
 * already holds (the entry batch): each one's session lock (free: nobody else knows the ids
 * yet), the same decisions as a send batch, `sending` written in that transaction. After it
 * commits, deliverDecided makes the provider calls on the same connection, so a first send
 * needs no transaction of its own. `written`: the rows and facts as the steps write returned
 * them (their locks taken), which must be exactly `ids`; without it they are read here.
 */
export async function decideWritten(
  deps: JourneyDeps, client: pg.PoolClient, shopId: number, ids: readonly string[], at: Date,
  opts: { lockCustomers: boolean; written?: WrittenSends | null },
): Promise<Decided> {
  const decided: Decided = { held: [], toSend: [], deferred: [], write: null, outcomes: new Map(), now: at };
  let rows: Row[];
  let facts: DecideFacts[];
  if (opts.written) {
    const w = opts.written;
    decided.held = w.rows.map((m) => m.id);
    const mine = new Set(decided.held);
    // Locks and facts were taken for exactly these sends, under the customers' locks.
    if (opts.lockCustomers || mine.size !== ids.length || ids.some((id) => !mine.has(id))) throw new Error("the steps write returned other sends than the batch decides");
    decided.now = w.now;
    rows = w.rows;
    facts = w.facts;
  } else {
    if (ids.length === 0) return decided;
    if (opts.lockCustomers) {
      // The messages' customers (this transaction's own rows; a message never changes customer), in key order.
      await client.query(`select pg_advisory_xact_lock(k) from (
           select distinct hashtextextended('cust:' || $1::int::text || ':' || m.customer_id::text, 0) as k
           from messages m where m.shop_id = $1::int and m.id = any($2::bigint[]) order by 1) l`, [shopId, ids]);
    }
    decided.now = decideClock(deps, at);
    // The rows (with each one's session lock) and their customers' facts in one round trip. The
    // rows and the enrollments they belong to are this transaction's own: current already.
    const r = await client.query<{ rows: (Omit<Row, "deferred_until"> & { deferred_until: string | null })[] | null; facts: DecideFacts[] | null }>(`with m as materialized (select ${ROW_COLUMNS}, pg_advisory_lock(${MSG_KEY("m.id::text")})::text as locked ${ROW_FROM})
       select (select json_agg(m order by m.id::bigint) from m) as rows,
              (select json_agg(f) from (${FACTS_SELECT} and c.id = any(array(select distinct m.customer_id::bigint from m))) f) as facts`,
      [shopId, ids, ids, sinceFor(decided.now)]);
    rows = (r.rows[0].rows ?? []).map((m) => ({ ...m, deferred_until: m.deferred_until === null ? null : new Date(m.deferred_until) }));
    decided.held = rows.map((m) => m.id);
    facts = r.rows[0].facts ?? [];
  }
  const common: { m: Row; node: SendNode | null }[] = [];
  for (const m of rows) if (isPlain(m, at)) common.push({ m, node: await sendNode(client, shopId, m) });
  if (common.length === 0) return decided;
  Object.assign(decided, await decideLocked(deps, client, shopId, common, decided.now, decided.outcomes, facts));
  return decided;
}

export { lockCustomers };

/**
 * After the writer's commit: the provider calls and their outcomes, then the deferred sends
 * queued. The sends never wait for the queue (an add on the PostgreSQL backend costs more than
 * the send); a deferred row whose job is lost is the sweeper's (status, deferred_until).
 * The caller releases the locks.
 */
export async function deliverDecided(deps: JourneyDeps, client: pg.PoolClient, shopId: number, d: Decided): Promise<Map<string, SendOutcome>> {
  await deliverBatch(deps, client, shopId, d.toSend, d.outcomes);
  await queueDeferred(deps, shopId, d.deferred, d.now);
  return d.outcomes;
}

/** Deferred messages' jobs (deterministic ids: a repeat is the same job), added together. */
async function queueDeferred(deps: JourneyDeps, shopId: number, deferred: readonly { id: string; until: Date }[], now: Date): Promise<void> {
  await Promise.all(deferred.map((x) => enqueueSend(deps.qs, shopId, x.id, x.until, now, `-${x.until.getTime()}`)));
}

/** The provider calls of the batch together, then the outcomes in one statement (failures one by one). */
async function deliverBatch(deps: JourneyDeps, client: pg.PoolClient, shopId: number, items: ToSend[], out: Map<string, SendOutcome>): Promise<void> {
  if (items.length === 0) return;
  const results = await Promise.all(items.map((i) => callChannel(deps, shopId, i.msg, i.key)));
  const sent: { id: string; pid: string }[] = [];
  results.forEach((res, k) => { if (res.ok) sent.push({ id: items[k].msg.messageId, pid: res.providerMessageId }); });
  if (sent.length > 0) {
    await client.query(`update messages m set status = 'sent', provider_message_id = x.pid, error_kind = null, error_message = null
       from unnest($2::bigint[], $3::text[]) as x(id, pid) where m.shop_id = $1 and m.id = x.id`,
      [shopId, sent.map((s) => s.id), sent.map((s) => s.pid)],
    );
    for (const s of sent) out.set(s.id, { kind: "sent", providerMessageId: s.pid });
  }
  for (let k = 0; k < items.length; k++) {
    const res = results[k];
    if (!res.ok) out.set(items[k].msg.messageId, await recordFailure(deps, client, shopId, items[k].msg, items[k].key, items[k].node, res.failure));
  }
}

const senders = new WeakMap<JourneyDeps, Coalescer<SendOutcome>>();

/**
 * One message through this process's batcher: concurrent jobs' sends share the lock, decide
 * and status statements. Same outcome as processMessage, including the backup channel's send.
 */
export async function sendMessage(deps: JourneyDeps, shopId: number, messageId: string): Promise<SendOutcome> {
  if (deps.batch === false) return processMessage(deps, shopId, messageId);
  let c = senders.get(deps);
  if (!c) {
    c = new Coalescer<SendOutcome>((shop, ids) => processMessages(deps, shop, ids), deps.batch ?? DEFAULT_BATCH);
    senders.set(deps, c);
  }
  const outcome = await c.submit(shopId, messageId);
  if (outcome.kind === "failed" && outcome.fallbackMessageId) {
    // The backup channel's message is its own row, key and lock.
    if (deps.inline ?? true) await sendMessage(deps, shopId, outcome.fallbackMessageId);
    else await enqueueSend(deps.qs, shopId, outcome.fallbackMessageId);
  }
  return outcome;
}
