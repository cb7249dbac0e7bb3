// Advances many due enrollments of a shop in one transaction: claim the rows still free
// (FOR UPDATE SKIP LOCKED; a row another worker holds goes to the one-at-a-time path, which
// waits for it), derive each one's due event, ask the pure interpreter, and write the step
// log, assignments, messages (with their idempotency keys) and new states for the whole
// batch in one statement (stepRows, also used by the entry batch). With inline sends the
// messages are decided in the same transaction, from the rows and facts that statement
// returns, and handed to the channel on commit (stepTransaction); timers, and sends that
// must wait for offer codes or webhook calls, are handed out after commit, exactly as
// processEnrollment does for one; the sweeper still covers a crash in between.
import type pg from "pg";
import type { Effect, EnrollmentState, StepContext } from "../../core/journeys/enrollment";
import { conditionIds, nextJourneyStep } from "../../core/journeys/interpret";
import type { Journey } from "../../core/journeys/schema";
import { resolveTimeZone } from "../../core/governance/timezone";
import { Coalescer, DEFAULT_BATCH } from "./coalesce";
import { journeyVersion, raiseAlert } from "./definitions";
import { inlineConditions } from "./effects/conditions";
import { runEnrollmentEffects } from "./effects/run";
import { issueEnrollmentOffers } from "./offer";
import { enqueueSend, enqueueStep } from "./queue";
import {
  decideClock, decideWritten, deliverDecided, sendMessage, sinceFor, unlockMessages, commitWith, writtenSends, writtenSendsColumns,
  type Decided, type SendsToDecide, type WrittenRow,
} from "./send-batch";
import { applyEffects, dueEvent, processEnrollment, TERMINAL, type CustomerRow, type EnrollmentRow, type StepOutcome } from "./step";
import { clock, type JourneyDeps } from "./types";

/** What a committed step leaves to do: its sends, its timer, its offer codes, its webhook calls and merchant emails. */
export interface StepAfter {
  sends: string[];
  wake: { lockVersion: number; at: Date } | null;
  offers: boolean;
  effects: boolean;
}

export interface BatchStep {
  outcome: StepOutcome;
  after: StepAfter | null;
  /** Set when the batch makes this step's sends itself after commit (stepTransaction): wait for it before carrying out the rest. */
  delivered?: Promise<void>;
}

export type StepRow = EnrollmentRow & CustomerRow & { id: string; paused: boolean };
type Row = StepRow;

/** Effects the batch writes set-based; an enrollment with any other effect is written by applyEffects. */
const SET_BASED = new Set<Effect["kind"]>(["record_step", "record_assignment", "send", "schedule_wakeup", "exit"]);

/**
 * The transaction only. Returns a result for every id it claimed; ids it did not get (locked
 * by another worker, or missing) are absent and belong to the one-at-a-time path. One round
 * trip opens the transaction, claims the rows and takes their customers' locks (key order,
 * after the rows, as the send decision took them), so the sends are decided without another.
 */
export async function stepBatch(deps: JourneyDeps, shopId: number, ids: readonly string[]): Promise<Map<string, BatchStep>> {
  const now = clock(deps);
  if (ids.length === 0) return new Map();
  let claimed: StepRow[] = [];
  const begin = async (client: pg.PoolClient) => {
    const res = (await client.query(beginAndClaimSql(shopId, ids))) as unknown as pg.QueryResult<StepRow>[];
    claimed = res[1].rows;
  };
  return stepTransaction(deps, shopId, now, async (client, sends) => {
    const out = new Map<string, BatchStep>();
    await stepRows(client, shopId, claimed, now, out, sends); // the customers are locked (beginAndClaimSql)
    return { value: out, steps: out.values(), customersLocked: true };
  }, { begin });
}

/**
 * The batch's first statement, as one round trip: the transaction opened, its enrollments claimed,
 * then their customers' locks (in key order) before any write to their rows (an update_customer
 * node), in the order consent changes take them (lock, then the customer row): never a deadlock
 * with an opt-out.
 */
function beginAndClaimSql(shopId: number, ids: readonly string[]): string {
  if (!Number.isSafeInteger(shopId)) throw new Error(`shop id ${shopId} is not an integer`);
  for (const id of ids) if (!/^\d{1,19}$/.test(id)) throw new Error(`enrollment id ${JSON.stringify(id)} is not a number`);
  const shop = `(${shopId})::int`;
  return `begin;
    with e as materialized (
      select * from enrollments e where e.shop_id = ${shop} and e.id = any('{${ids.join(",")}}'::bigint[])
      order by e.id for update of e skip locked),
    locked as materialized (
      select pg_advisory_xact_lock(k) from (
        select distinct hashtextextended('cust:' || ${shop}::text || ':' || e.customer_id::text, 0) as k from e order by 1) l)
    select e.id::text, e.journey_id::text, e.journey_version, e.customer_id::text, e.status, e.state, e.lock_version, ${STEP_FACTS}
    from e join shops s on s.id = e.shop_id
    left join customers c on c.shop_id = e.shop_id and c.id = e.customer_id
    cross join (select count(*) from locked) n
    order by e.id`;
}

/**
 * A transaction that steps enrollments (`work`, with stepRows) and, with inline sends,
 * decides the messages those steps wrote in the same transaction (send-batch.ts
 * decideWritten: the customers' locks, taken here unless `work` holds them; `sending`
 * committed with the step) and hands them to the channel right after commit, on the same
 * connection, without holding up the caller (each step's `delivered`). The messages' session
 * locks are held until their outcomes are recorded, so a crash leaves `sending` rows for
 * reconcile, as for any send. A step with offer codes or webhook calls to make first keeps
 * the usual order (its sends go after them, through the send batcher). `begin` opens the
 * transaction (default: a plain begin); the entry batch takes its locks and reads its plan in
 * the same round trip. With inline sends `work` gets `sends`, to hand to stepRows when it holds
 * the customers' locks: the steps write then returns its sends ready to decide (one round trip
 * fewer).
 */
export async function stepTransaction<T>(
  deps: JourneyDeps, shopId: number, now: Date,
  work: (client: pg.PoolClient, sends: SendsToDecide | null) => Promise<{ value: T; steps: Iterable<BatchStep | null>; customersLocked: boolean }>,
  opts: { begin?: (client: pg.PoolClient) => Promise<void> } = {},
): Promise<T> {
  const client = await deps.db.connect();
  let decided: Decided | null = null;
  let done: Awaited<ReturnType<typeof work>>;
  const toDecide: SendsToDecide | null = (deps.inline ?? true) ? { clock: () => decideClock(deps, now), written: null, armed: false } : null;
  try {
    if (opts.begin) await opts.begin(client);
    else await client.query("begin");
    done = await work(client, toDecide);
    if (toDecide) {
      const first = [...done.steps].flatMap((b) => (b?.after && !b.after.offers && !b.after.effects ? b.after.sends : []));
      if (first.length > 0 || (toDecide.written?.rows.length ?? 0) > 0) {
        decided = await decideWritten(deps, client, shopId, first, now, { lockCustomers: !done.customersLocked, written: toDecide.written });
      }
    }
    await commitWith(client, decided?.write ?? null); // the sends' statuses, then the commit
  } catch (e) {
    await client.query("rollback").catch(() => {});
    client.release(decided || toDecide?.armed ? true : undefined); // a connection that may hold message locks is closed, not reused
    throw e;
  }
  if (!decided) {
    client.release();
    return done.value;
  }
  const sends = decided;
  const steps = [...done.steps];
  const delivered = (async () => {
    let clean = false;
    try {
      const outcomes = await deliverDecided(deps, client, shopId, sends);
      // What is settled is not the carry-out's any more; a failed send's backup message is.
      for (const b of steps) {
        if (!b?.after) continue;
        b.after.sends = b.after.sends.flatMap((m) => {
          const o = outcomes.get(m);
          if (!o) return [m];
          return o.kind === "failed" && o.fallbackMessageId ? [o.fallbackMessageId] : [];
        });
      }
      clean = true;
    } finally {
      // A connection that may still hold locks (an error, a failed unlock) is closed, not reused.
      const unlocked = await unlockMessages(client, shopId, sends.held);
      client.release(!(clean && unlocked));
    }
  })();
  delivered.catch(() => {}); // each step's caller awaits it and sees the error; this only keeps it from counting as unhandled
  for (const b of steps) if (b) b.delivered = delivered;
  return done.value;
}

/** What a step needs besides the enrollment row (aliases: e enrollments, c customers, s shops). */
export const STEP_FACTS = `c.timezone, c.country, c.province, c.email_consent::text, c.sms_consent::text, s.timezone as shop_tz,
              exists (select 1 from journey_pauses p where p.shop_id = e.shop_id
                and (p.scope = 'shop' or (p.scope = 'journey' and p.target = e.journey_id::text))) as paused`;

/**
 * Steps enrollment rows the caller's transaction holds (claimed FOR UPDATE, or inserted by
 * it), writing the whole batch in one statement; a result for every row. With `sends` (the
 * caller holds the rows' customers' locks) that statement also returns the sends it wrote,
 * locked, with their customers' facts (`sends.written`), so they are decided without a read.
 */
export async function stepRows(
  client: pg.PoolClient, shopId: number, rows: readonly StepRow[], now: Date, out: Map<string, BatchStep>, sends: SendsToDecide | null = null,
): Promise<void> {
  // Who is due, and with which journey.
  const due: { row: Row; journey: Journey; state: EnrollmentState; event: NonNullable<ReturnType<typeof dueEvent>> }[] = [];
  for (const row of rows) {
    if (TERMINAL.has(row.status)) { out.set(row.id, { outcome: { kind: "terminal" }, after: null }); continue; }
    const journey = await journeyVersion(client, shopId, row.journey_id, row.journey_version);
    if (!journey) { out.set(row.id, { outcome: { kind: "missing" }, after: null }); continue; }
    if (row.paused) { out.set(row.id, { outcome: { kind: "paused" }, after: null }); continue; }
    const event = dueEvent(row.state, now);
    if (!event) { out.set(row.id, { outcome: { kind: "not_due" }, after: null }); continue; }
    due.push({ row, journey, state: row.state, event });
  }
  if (due.length === 0) return;
  const contexts = await stepContexts(client, shopId, due.map((d) => ({ row: d.row, journey: d.journey })));

  const steps: object[] = [];
  const assignments: object[] = [];
  const messages: { key: string; customer_id: string; journey_id: string; enrollment_id: string; node_id: string; content_id: string | null; channel: string; purpose: string; variant: string }[] = [];
  const updates: { id: string; status: string; state: string; wake_at: string | null; ended_at: string | null }[] = [];
  const sendKeys = new Map<string, string[]>(); // enrollment -> idempotency keys, in effect order
  const pending: { id: string; after: StepAfter; status: string; setBased: boolean }[] = [];
  for (const d of due) {
    const id = d.row.id;
    const ctx = contexts.get(id)!;
    // Condition nodes with an inline segment condition: evaluated for this customer here.
    Object.assign(ctx.conditions, await inlineConditions(client, shopId, d.row.customer_id, d.journey, now, d.row.shop_tz));
    const result = nextJourneyStep(d.state, d.event, now, ctx);
    if (!result.ok) {
      const failed = { ...d.state, status: "exited" as const, wakeAt: null, waitingForEvent: null, exitReason: null, error: result.error };
      updates.push({ id, status: "exited", state: JSON.stringify(failed), wake_at: null, ended_at: now.toISOString() });
      await raiseAlert(client, shopId, {
        kind: "journey_error", message: `journey step failed: ${result.error.kind}`,
        details: { enrollmentId: id, journeyId: d.row.journey_id, error: result.error }, dedupeKey: `journey_error:${id}`,
      });
      out.set(id, { outcome: { kind: "stepped", status: "exited", sends: 0 }, after: null });
      continue;
    }
    const { state: next, effects } = result.value;
    if (effects.length === 0 && next === d.state) { out.set(id, { outcome: { kind: "unchanged" }, after: null }); continue; }
    const after: StepAfter = {
      sends: [], wake: null, offers: effects.some((e) => e.kind === "request_offer_code"),
      effects: effects.some((e) => e.kind === "call_webhook" || (e.kind === "notify_merchant" && e.email)),
    };
    if (effects.every((e) => SET_BASED.has(e.kind))) {
      const abVariants = Object.entries(next.assignments).filter(([, v]) => v !== "control" && v !== "treatment").map(([, v]) => v);
      const keys: string[] = [];
      for (const e of effects) {
        if (e.kind === "record_step") {
          steps.push({ enrollment_id: id, node_id: e.nodeId, visit: e.visit, outcome: e.outcome, at: e.at.toISOString(), done: e.phase === "completed" });
        } else if (e.kind === "record_assignment") {
          assignments.push({ journey_id: d.row.journey_id, node_id: e.nodeId, customer_id: d.row.customer_id, kind: e.assignment, value: e.value, enrollment_id: id });
        } else if (e.kind === "send") {
          keys.push(e.idempotencyKey);
          messages.push({
            key: e.idempotencyKey, customer_id: d.row.customer_id, journey_id: d.row.journey_id, enrollment_id: id, node_id: e.nodeId,
            content_id: /^\d+$/.test(e.contentId) ? e.contentId : null, channel: e.channel, purpose: e.purpose,
            variant: abVariants.length === 1 ? abVariants[0] : "primary",
          });
        }
      }
      sendKeys.set(id, keys);
    } else {
      // Offers, customer updates, merchant notices: the one-at-a-time writer, same transaction.
      after.sends = await applyEffects(client, shopId, id, d.row, next, effects, now);
    }
    const terminal = TERMINAL.has(next.status);
    const wakeAt = next.status === "waiting" && next.wakeAt ? new Date(next.wakeAt) : null;
    updates.push({ id, status: next.status, state: JSON.stringify(next), wake_at: wakeAt?.toISOString() ?? null, ended_at: terminal ? now.toISOString() : null });
    if (wakeAt) after.wake = { lockVersion: d.row.lock_version + 1, at: wakeAt };
    pending.push({ id, after, status: next.status, setBased: effects.every((e) => SET_BASED.has(e.kind)) });
  }

  if (updates.length === 0) return;
  // With inline sends (and the customers' locks held), the statement also returns the sends
  // it writes ready to decide: every send of a set-based step is, unless another step's sends
  // (written by applyEffects, earlier) are decided too; then decideWritten reads them all.
  const decide = sends && !sends.armed && messages.length > 0 && !pending.some((p) => !p.setBased && !p.after.offers && !p.after.effects && p.after.sends.length > 0)
    ? pending.filter((p) => p.setBased && !p.after.offers && !p.after.effects).map((p) => p.id) : null;
  const decideNow = decide ? sends!.clock() : null; // under the customers' locks
  if (decide) sends!.armed = true; // from here the connection may hold message locks
  // The step log, assignments, messages (their idempotency keys written before any provider
  // call; a replay finds the rows) and new states in one statement: one round trip per batch.
  const ins = await client.query<WrittenRow>(`with st as (
       insert into journey_steps (shop_id, enrollment_id, node_id, visit, outcome, entered_at, completed_at)
       select $1, x.enrollment_id, x.node_id, x.visit, x.outcome, x.at, case when x.done then x.at end
       from jsonb_to_recordset($2::jsonb) as x(enrollment_id bigint, node_id text, visit int, outcome text, at timestamptz, done boolean)
       on conflict (shop_id, enrollment_id, node_id, visit) do update set outcome = excluded.outcome, completed_at = excluded.completed_at
       where journey_steps.completed_at is null and excluded.completed_at is not null),
     asg as (
       insert into journey_assignments (shop_id, journey_id, node_id, customer_id, kind, value, enrollment_id, assigned_at)
       select $1, x.journey_id, x.node_id, x.customer_id, x.kind, x.value, x.enrollment_id, $5
       from jsonb_to_recordset($3::jsonb) as x(journey_id bigint, node_id text, customer_id bigint, kind text, value text, enrollment_id bigint)
       on conflict do nothing),
     upd as (
       update enrollments e set status = x.status::"EnrollmentStatus", state = x.state::jsonb, wake_at = x.wake_at, ended_at = x.ended_at,
              lock_version = e.lock_version + 1
       from unnest($6::bigint[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[]) as x(id, status, state, wake_at, ended_at)
       where e.shop_id = $1 and e.id = x.id),
     msg as (insert into messages (shop_id, idempotency_key, customer_id, journey_id, enrollment_id, node_id, content_id, channel, purpose, variant, status, queued_at)
     select $1, x.key, x.customer_id, x.journey_id, x.enrollment_id, x.node_id, x.content_id, x.channel::"MessageChannel", x.purpose::"MessagePurpose", x.variant, 'queued', $5
     from jsonb_to_recordset($4::jsonb) as x(key text, customer_id bigint, journey_id bigint, enrollment_id bigint, node_id text, content_id bigint, channel text, purpose text, variant text)
     on conflict (shop_id, idempotency_key) do nothing returning *)
     select m.id::text, m.idempotency_key as key${decide ? `, ${writtenSendsColumns({ decide: "$12::bigint[]", since: "$11::timestamptz", stepped: "unnest($6::bigint[], $7::text[])" })}` : ""}
     from msg m`,
    [shopId, JSON.stringify(steps), JSON.stringify(assignments), JSON.stringify(messages), now,
      updates.map((u) => u.id), updates.map((u) => u.status), updates.map((u) => u.state), updates.map((u) => u.wake_at), updates.map((u) => u.ended_at),
      ...(decide ? [sinceFor(decideNow!), decide] : [])],
  );
  if (decide) {
    const version = new Map(due.map((d) => [d.row.id, d.row.journey_version]));
    const status = new Map(updates.map((u) => [u.id, u.status]));
    sends!.written = writtenSends(ins.rows, (e) => ({ journey_version: version.get(e)!, status: status.get(e)! }), decideNow!);
  }
  const idOf = new Map(ins.rows.map((x) => [x.key, x.id]));
  for (const p of pending) {
    const keys = sendKeys.get(p.id);
    if (keys) p.after.sends = keys.flatMap((k) => (idOf.has(k) ? [idOf.get(k)!] : []));
  }
  for (const p of pending) out.set(p.id, { outcome: { kind: "stepped", status: p.status, sends: p.after.sends.length }, after: p.after });
}

/** The conditions of every due enrollment: consents from the row, push and segments in one query each. */
async function stepContexts(client: pg.PoolClient, shopId: number, items: { row: Row; journey: Journey }[]): Promise<Map<string, StepContext>> {
  const idsOf = new Map<Journey, string[]>();
  for (const { journey } of items) if (!idsOf.has(journey)) idsOf.set(journey, conditionIds({ journey }));
  const needPush = items.filter((i) => idsOf.get(i.journey)!.includes("push_consented")).map((i) => i.row.customer_id);
  const segmentIds = [...new Set([...idsOf.values()].flat().filter((id) => !id.endsWith("_consented") && /^\d+$/.test(id)))];
  const needSegments = items.filter((i) => idsOf.get(i.journey)!.some((id) => !id.endsWith("_consented"))).map((i) => i.row.customer_id);
  const push = new Set<string>();
  if (needPush.length > 0) {
    const p = await client.query<{ customer_id: string }>(
      `select distinct customer_id::text from push_subscriptions where shop_id = $1 and customer_id = any($2::bigint[])`, [shopId, needPush]);
    for (const x of p.rows) push.add(x.customer_id);
  }
  const member = new Set<string>();
  if (needSegments.length > 0 && segmentIds.length > 0) {
    const m = await client.query<{ customer_id: string; id: string }>(
      `select customer_id::text, segment_id::text as id from segment_memberships
       where shop_id = $1 and customer_id = any($2::bigint[]) and segment_id = any($3::bigint[])`, [shopId, needSegments, segmentIds]);
    for (const x of m.rows) member.add(`${x.customer_id}:${x.id}`);
  }
  const out = new Map<string, StepContext>();
  for (const { row, journey } of items) {
    const timeZone = resolveTimeZone(row.timezone ?? undefined, { countryCode: row.country ?? undefined, provinceCode: row.province ?? undefined }, row.shop_tz).zone;
    const conditions: Record<string, boolean> = {};
    for (const id of idsOf.get(journey)!) {
      if (id === "email_consented") conditions[id] = row.email_consent === "subscribed";
      else if (id === "sms_consented") conditions[id] = row.sms_consent === "subscribed";
      else if (id === "push_consented") conditions[id] = push.has(row.customer_id);
      else conditions[id] = member.has(`${row.customer_id}:${id}`);
    }
    out.set(row.id, { journey, timeZone, conditions });
  }
  return out;
}

/** After commit: offer codes first, then the sends, then the timer (or the next step when already due). */
async function carryOut(deps: JourneyDeps, shopId: number, id: string, after: StepAfter, step: (id: string) => Promise<StepOutcome>): Promise<StepOutcome | null> {
  const inline = deps.inline ?? true;
  const now = clock(deps);
  if (after.offers) await issueEnrollmentOffers(deps, shopId, id); // codes exist before their sends go
  if (after.effects) await runEnrollmentEffects(deps, shopId, id); // webhook calls, merchant emails
  if (inline) await Promise.all(after.sends.map((m) => sendMessage(deps, shopId, m)));
  else for (const m of after.sends) await enqueueSend(deps.qs, shopId, m, undefined, now);
  if (after.wake) {
    if (inline && after.wake.at.getTime() <= clock(deps).getTime()) return step(id);
    await enqueueStep(deps.qs, shopId, id, after.wake.lockVersion, after.wake.at, now);
  }
  return null;
}

/** Many enrollments at once (the sweeper): one batch, then each one's sends and timers. */
export async function processEnrollments(deps: JourneyDeps, shopId: number, ids: readonly string[]): Promise<Map<string, StepOutcome>> {
  if (deps.batch === false) {
    const single = new Map<string, StepOutcome>();
    for (const id of ids) single.set(id, await processEnrollment(deps, shopId, id));
    return single;
  }
  const results = await stepBatch(deps, shopId, ids);
  const out = new Map<string, StepOutcome>();
  await Promise.all(ids.map(async (id) => {
    out.set(id, await continueStep(deps, shopId, id, results.get(id) ?? null));
  }));
  return out;
}

const steppers = new WeakMap<JourneyDeps, Coalescer<BatchStep | null>>();

/**
 * One enrollment, advanced by time (its entry or an expired wait), through this process's
 * batcher: concurrent jobs' steps share a transaction. Same outcome as processEnrollment.
 */
export async function stepEnrollment(deps: JourneyDeps, shopId: number, id: string): Promise<StepOutcome> {
  if (deps.batch === false) return processEnrollment(deps, shopId, id);
  let c = steppers.get(deps);
  if (!c) {
    c = new Coalescer<BatchStep | null>(async (shop, ids) => {
      const r = await stepBatch(deps, shop, ids);
      return new Map(ids.map((x) => [x, r.get(x) ?? null]));
    }, deps.batch ?? DEFAULT_BATCH);
    steppers.set(deps, c);
  }
  return continueStep(deps, shopId, id, await c.submit(shopId, id));
}

/** After a batch step committed: its sends and timer, or the one-at-a-time path for a row the batch did not get. */
export async function continueStep(deps: JourneyDeps, shopId: number, id: string, b: BatchStep | null): Promise<StepOutcome> {
  if (!b) return processEnrollment(deps, shopId, id); // another worker holds the row: wait for it
  await b.delivered; // the sends the batch made itself after its commit
  const chained = b.after ? await carryOut(deps, shopId, id, b.after, (x) => stepEnrollment(deps, shopId, x)) : null;
  return chained ?? b.outcome;
}
