// Many trigger events of a shop at once, with the same result as applyEvent for each: the
// events and their customers' running enrollments in one query; an event that touches a
// running enrollment (goal, exit criteria, a wait for it) or opts the customer out goes to
// applyEvent as before. The rest enroll in one transaction that holds every customer's
// advisory lock (taken in key order), reads past entries, exclusion segments and the
// conflict rules' inputs set-based, and writes the new enrollments and the events' receipts
// in one statement, then takes their first steps in the same transaction (stepRows): an
// entry costs one transaction, not two, and reaches its first send one hop sooner. What the
// steps leave to do after commit (sends, a due next step) is carried out by the job or
// handed on; a lost carry-out is found by the sweeper (messages.status, wake_at).
// The shop's status (installed or not) and its published journeys come with the first query.
import type pg from "pg";
import { newEnrollment } from "../../core/journeys/enrollment";
import { canEnter } from "../../core/journeys/entry";
import { matchingExitCriterion, overtakenByLaterFacts, reachesGoal } from "../../core/journeys/exit-match";
import type { Journey } from "../../core/journeys/schema";
import { ADMISSION_SELECT, admissionDecision, recordEntrySuppressions, type AdmissionRow, type RefusedEntry } from "./admission";
import { Coalescer, DEFAULT_BATCH } from "./coalesce";
import { journeyVersion } from "./definitions";
import type { ShopJobOutcome } from "../shop-guard";
import { applyEvent, factOf, triggerMatches, type EventOutcome, type EventRow } from "./events";
import type { SendsToDecide } from "./send-batch";
import { continueStep, STEP_FACTS, stepRows, stepTransaction, type BatchStep, type StepRow } from "./step-batch";
import { clock, type JourneyDeps } from "./types";
import { prepared } from "../prepared";

type Row = EventRow & { id: string; handled: boolean; running: { id: string; journey_id: string; journey_version: number; waiting: string | null }[] | null };

interface PrevRow { customer_id: string; journey_id: string; entered_at: string | Date; ended_at: string | Date | null; trigger: string | null }

/** Candidate -> its new enrollment and that enrollment's first step. */
type Entered = Map<Candidate, { enrollmentId: string; step: BatchStep | null }>;

/**
 * One entry to try. `eventId` is the trigger's event id, or for a date trigger its occasion
 * key (`occasion:...`), which has no event: nothing happened "since" it.
 */
interface Candidate { eventId: string; occurredAt: Date; customerId: string; journeyId: string; version: number; journey: Journey }

const isEventId = (id: string) => /^\d+$/.test(id);

const empty = (): EventOutcome => ({ enrolled: 0, converted: 0, exited: 0, woken: 0, optedOut: 0 });

/** What the batch leaves each event's job to do after its transaction. */
type EventPlan =
  | { kind: "inactive"; reason: "shop uninstalled" | "shop unknown" }
  | { kind: "done" } // handled before, or nothing to do (its receipt is written)
  | { kind: "single" } // applyEvent, as one
  | { kind: "entered"; enrollmentId: string; step: BatchStep | null }; // enrolled, first step written with it (receipt written): carry it out

type FirstRow = Partial<Row> & { shop_status: string; published: { id: string; version: number }[] | null };

/**
 * The batch's first statements, as one round trip: the transaction opened, the events' customers'
 * locks (in key order), then the plan read under them. Waiting for the locks waits out entries of
 * these customers still in flight, so the running enrollments read include them: a goal or exit
 * event is never lost to an entry that commits after it was looked at (entries check the events
 * since their trigger).
 */
function beginAndPlanSql(shopId: number, ids: readonly string[]): string {
  if (!Number.isSafeInteger(shopId)) throw new Error(`shop id ${shopId} is not an integer`);
  for (const id of ids) if (!/^\d{1,19}$/.test(id)) throw new Error(`event id ${JSON.stringify(id)} is not a number`);
  const shop = `(${shopId})::int`;
  const events = `'{${ids.join(",")}}'::bigint[]`;
  return `begin;
    select pg_advisory_xact_lock(k) from (
      select distinct hashtextextended('cust:' || ${shop}::text || ':' || e.customer_id::text, 0) as k
      from events e where e.shop_id = ${shop} and e.id = any(${events}) and e.customer_id is not null order by 1) l;
    select s.status::text as shop_status,
            (select json_agg(json_build_object('id', j.id::text, 'version', j.live_version)) from journeys j
              where j.shop_id = s.id and j.status = 'published' and j.live_version is not null
                and not exists (select 1 from journey_pauses p where p.shop_id = j.shop_id and (p.scope = 'shop' or (p.scope = 'journey' and p.target = j.id::text)))) as published,
            e.id::text, e.customer_id::text, e.name, e.properties, e.occurred_at,
            exists (select 1 from journey_event_receipts r where r.shop_id = e.shop_id and r.event_id = e.id) as handled,
            (select json_agg(json_build_object('id', x.id::text, 'journey_id', x.journey_id::text, 'journey_version', x.journey_version,
                                               'waiting', x.state->>'waitingForEvent'))
               from enrollments x where x.shop_id = e.shop_id and x.customer_id = e.customer_id and x.status in ('active', 'waiting')) as running
     from shops s left join events e on e.shop_id = s.id and e.id = any(${events})
     where s.id = ${shop}`;
}

/**
 * The batch in one transaction (stepTransaction): opened together with the events'
 * customers' locks and the plan read under them (one round trip), then the receipts, the new
 * enrollments and their first steps (enrollBatch), whose sends are decided before commit and
 * handed to the channel right after it. Events left to applyEvent run after the commit.
 */
export async function planEvents(deps: JourneyDeps, shopId: number, ids: readonly string[]): Promise<Map<string, EventPlan>> {
  const out = new Map<string, EventPlan>();
  const now = clock(deps);
  let plan: FirstRow[] = [];
  const begin = async (client: pg.PoolClient) => {
    const res = (await client.query(beginAndPlanSql(shopId, ids))) as unknown as pg.QueryResult<FirstRow>[];
    plan = res[2].rows;
  };
  return stepTransaction(deps, shopId, now, async (client, sends) => {
    const entered = await planIn(deps, client, shopId, ids, plan, now, out, sends);
    return { value: out, steps: [...entered.values()].map((e) => e.step), customersLocked: true };
  }, { begin });
}

/** The plan read under the customers' locks -> each event's plan (in `out`); the new entries, stepped, in the same transaction. */
async function planIn(
  deps: JourneyDeps, client: pg.PoolClient, shopId: number, ids: readonly string[], plan: FirstRow[], now: Date, out: Map<string, EventPlan>,
  sends: SendsToDecide | null,
): Promise<Entered> {
  const first = plan[0];
  if (!first || first.shop_status !== "installed") {
    const inactive: EventPlan = { kind: "inactive", reason: first ? "shop uninstalled" : "shop unknown" };
    for (const id of ids) out.set(id, inactive);
    return new Map();
  }
  const rows = new Map(plan.filter((x) => x.id).map((x) => [x.id!, x as FirstRow & Row]));
  const receipts: string[] = [];
  const simple: Row[] = [];
  for (const id of ids) {
    const ev = rows.get(id);
    if (ev?.handled) { out.set(id, { kind: "done" }); continue; }
    if (!ev || !ev.customer_id) { out.set(id, { kind: "done" }); receipts.push(id); continue; }
    const props = ev.properties ?? {};
    if (ev.name === "consent_changed" && props.state === "unsubscribed") { out.set(id, { kind: "single" }); continue; }
    const fact = factOf(ev);
    let touches = false;
    for (const e of ev.running ?? []) {
      const journey = await journeyVersion(deps.db, shopId, e.journey_id, e.journey_version);
      if (journey && (reachesGoal(journey, fact) || matchingExitCriterion(journey, fact) || e.waiting === ev.name)) { touches = true; break; }
    }
    if (touches) out.set(id, { kind: "single" });
    else simple.push(ev);
  }

  // New entries: candidates of a customer met only once in this batch enroll together.
  const candidates: Candidate[] = [];
  if (simple.length > 0) {
    const journeys: { id: string; version: number; journey: Journey }[] = [];
    for (const x of first.published ?? []) {
      const journey = await journeyVersion(deps.db, shopId, x.id, x.version); // immutable, cached per process
      if (journey) journeys.push({ id: x.id, version: x.version, journey });
    }
    for (const ev of simple) {
      for (const j of journeys) {
        if (triggerMatches(j.journey.trigger, ev)) candidates.push({ eventId: ev.id, occurredAt: new Date(ev.occurred_at), customerId: ev.customer_id!, journeyId: j.id, version: j.version, journey: j.journey });
      }
    }
  }
  const perCustomer = new Map<string, number>();
  for (const c of candidates) perCustomer.set(c.customerId, (perCustomer.get(c.customerId) ?? 0) + 1);
  const alone = candidates.filter((c) => perCustomer.get(c.customerId) === 1);
  const mine: string[] = [];
  for (const ev of simple) {
    if ((perCustomer.get(ev.customer_id!) ?? 0) > 1) out.set(ev.id, { kind: "single" });
    else { receipts.push(ev.id); mine.push(ev.id); }
  }
  const enrolled = await enrollBatch(client, deps, shopId, alone, receipts, now, sends);
  const byEvent = new Map([...enrolled].map(([c, e]) => [c.eventId, e])); // an alone candidate is its event's only one
  for (const id of mine) {
    const e = byEvent.get(id);
    out.set(id, e ? { kind: "entered", ...e } : { kind: "done" });
  }
  return enrolled;
}

/**
 * Enter once, for many (event, journey, customer) with distinct customers, in the caller's
 * transaction, which holds the customers' locks: candidate -> new enrollment id and its first
 * step, taken in the same transaction (the new rows are this transaction's own), so an entry
 * costs no second transaction and no second hop. With inline sends, the first step's messages
 * are decided in it too and handed to the channel right after commit on the same connection
 * (step-batch.ts stepTransaction).
 */
async function enrollBatch(
  client: pg.PoolClient, deps: JourneyDeps, shopId: number, cands: Candidate[], receipts: string[], now: Date, sends: SendsToDecide | null,
): Promise<Entered> {
  const writeReceipts = async (db: Pick<pg.Pool, "query">) => {
    if (receipts.length === 0) return;
    await db.query(`insert into journey_event_receipts (shop_id, event_id) select $1, x from unnest($2::bigint[]) x on conflict do nothing`, [shopId, receipts]);
  };
  if (cands.length === 0) {
    await writeReceipts(client);
    return new Map();
  }
  return enrollIn(client);

  async function enrollIn(client: pg.PoolClient): Promise<Entered> {
    const customers = cands.map((c) => c.customerId); // their locks are the caller's (planEvents)
    // Past entries and the conflict rules' inputs (for every candidate), in one round trip.
    const reads = await client.query<{
      prev: PrevRow[] | null; admission: (Omit<AdmissionRow, "stage_since"> & { stage_since: string | null })[] | null;
      later: { customer_id: string; name: string; properties: Record<string, unknown>; occurred_at: string }[] | null;
    }>({
      ...prepared(`select (select json_agg(json_build_object('customer_id', e.customer_id::text, 'journey_id', e.journey_id::text, 'entered_at', e.entered_at,
                                                 'ended_at', e.ended_at, 'trigger', e.state->>'triggerEventId'))
                 from enrollments e join unnest($2::bigint[], $3::bigint[]) as x(customer_id, journey_id) on e.customer_id = x.customer_id and e.journey_id = x.journey_id
                 where e.shop_id = $1) as prev,
              (select json_agg(a) from (
                 with ranked as (
                   select x.customer_id, x.journey_id, x.version, null::bigint as enrollment_id
                   from unnest($2::bigint[], $3::bigint[], $4::int[]) as x(customer_id, journey_id, version)
                   union all
                   select e.customer_id, e.journey_id, e.journey_version, e.id from enrollments e
                   where e.shop_id = $1 and e.customer_id = any($2::bigint[]) and e.status in ('active', 'waiting'))
                 ${ADMISSION_SELECT}) a) as admission,
              (select json_agg(json_build_object('customer_id', e.customer_id::text, 'name', e.name, 'properties', e.properties, 'occurred_at', e.occurred_at))
                 from events e where e.shop_id = $1 and e.customer_id = any($2::bigint[]) and e.occurred_at > $5) as later`),
      values: [shopId, customers, cands.map((c) => c.journeyId), cands.map((c) => c.version), since(cands)],
    });
    // Events of these customers since their triggers (an order, an opt-out handled first): read under their locks.
    const laterOf = (c: Candidate) => !isEventId(c.eventId) ? [] : (reads.rows[0].later ?? [])
      .filter((x) => x.customer_id === c.customerId && new Date(x.occurred_at).getTime() > c.occurredAt.getTime())
      .map((x) => factOf({ customer_id: x.customer_id, name: x.name, properties: x.properties, occurred_at: new Date(x.occurred_at) }));
    const prev = { rows: (reads.rows[0].prev ?? []).map((p) => ({ ...p, entered_at: new Date(p.entered_at), ended_at: p.ended_at === null ? null : new Date(p.ended_at) })) };
    const prevOf = new Map<string, typeof prev.rows>();
    for (const p of prev.rows) prevOf.set(`${p.customer_id}:${p.journey_id}`, [...(prevOf.get(`${p.customer_id}:${p.journey_id}`) ?? []), p]);
    const excluding = cands.filter((c) => c.journey.entry.exclusionSegmentIds.length > 0).map((c) => c.customerId);
    const segmentsOf = new Map<string, Set<string>>();
    if (excluding.length > 0) {
      const s = await client.query<{ customer_id: string; id: string }>(
        `select customer_id::text, segment_id::text as id from segment_memberships where shop_id = $1 and customer_id = any($2::bigint[])`, [shopId, excluding]);
      for (const x of s.rows) segmentsOf.set(x.customer_id, (segmentsOf.get(x.customer_id) ?? new Set()).add(x.id));
    }
    const entering: (Candidate & { entry: number })[] = [];
    for (const c of cands) {
      const previous = prevOf.get(`${c.customerId}:${c.journeyId}`) ?? [];
      if (previous.some((p) => p.trigger === c.eventId)) continue; // this very event already entered
      if (overtakenByLaterFacts(c.journey, laterOf(c))) continue; // converted or exited since the trigger
      const decision = canEnter(c.journey, { previous: previous.map((p) => ({ enteredAt: p.entered_at, endedAt: p.ended_at })), segmentIds: segmentsOf.get(c.customerId) ?? new Set() }, now);
      if (decision.allowed) entering.push({ ...c, entry: previous.length + 1 });
    }
    if (entering.length === 0) { await writeReceipts(client); return new Map(); }
    const a = { rows: (reads.rows[0].admission ?? []).map((x) => ({ ...x, stage_since: x.stage_since === null ? null : new Date(x.stage_since) })) };
    const rowsOf = new Map<string, AdmissionRow[]>();
    for (const x of a.rows) rowsOf.set(x.customer_id, [...(rowsOf.get(x.customer_id) ?? []), x]);
    const admitted: typeof entering = [];
    const refused: RefusedEntry[] = [];
    for (const c of entering) {
      const d = admissionDecision(rowsOf.get(c.customerId) ?? [], c.journeyId, now);
      if (d.ok) admitted.push(c);
      else refused.push({ journeyId: c.journeyId, version: c.version, customerId: c.customerId, triggerKey: c.eventId, rejection: d.error });
    }
    await recordEntrySuppressions(client, shopId, refused); // conflict suppressions, with the receipts' transaction
    if (admitted.length === 0) { await writeReceipts(client); return new Map(); }
    const ins = await client.query<StepRow>({ ...prepared(`with x as (
         select x.*, nextval(pg_get_serial_sequence('enrollments', 'id')) as id
         from jsonb_to_recordset($2::jsonb) as x(journey_id bigint, version int, customer_id bigint, entry_number int, state jsonb)),
       ins as (insert into enrollments (shop_id, id, journey_id, journey_version, customer_id, entry_number, status, state, wake_at, entered_at)
       select $1, x.id, x.journey_id, x.version, x.customer_id, x.entry_number, 'active', jsonb_set(x.state, '{enrollmentId}', to_jsonb(x.id::text)), $3, $3 from x
       on conflict (shop_id, journey_id, customer_id, entry_number) do nothing returning *),
       receipts as (insert into journey_event_receipts (shop_id, event_id) select $1, x from unnest($4::bigint[]) x on conflict do nothing)
       select e.id::text, e.journey_id::text, e.journey_version, e.customer_id::text, e.status, e.state, e.lock_version, ${STEP_FACTS}
       from ins e join shops s on s.id = e.shop_id left join customers c on c.shop_id = e.shop_id and c.id = e.customer_id
       order by e.id`),
      values: [shopId, JSON.stringify(admitted.map((c) => ({
        journey_id: c.journeyId, version: c.version, customer_id: c.customerId, entry_number: c.entry,
        state: { ...newEnrollment({ enrollmentId: "", customerId: c.customerId }, c.journey), triggerEventId: c.eventId },
      }))), now, receipts],
    });
    const steps = new Map<string, BatchStep>();
    await stepRows(client, shopId, ins.rows, now, steps, sends); // the customers' locks are the caller's
    const candOf = new Map(admitted.map((c) => [c.customerId, c])); // distinct customers
    return new Map(ins.rows.map((x) => [candOf.get(x.customer_id)!, { enrollmentId: x.id, step: steps.get(x.id) ?? null }]));
  }
}

/** Where to read "later" events from: the earliest trigger event's time; none for occasions alone. */
function since(cands: readonly Candidate[]): Date | null {
  const times = cands.filter((c) => isEventId(c.eventId)).map((c) => c.occurredAt.getTime());
  return times.length > 0 ? new Date(Math.min(...times)) : null;
}

/** The customers a date trigger fired for in one journey, each with its occasion. */
export interface Occasion { customerId: string; occasion: string }

/**
 * Date-trigger entries (date-triggers.ts) for one journey, in batches of at most `size`
 * customers, each batch one transaction as an event batch: the customers' locks (key order)
 * and their occasion rows in one statement, then for the customers whose occasion is new
 * (a rerun or an overlapping tick finds the rest written) the entry rules, conflict
 * suppressions, enrollments and first steps set-based (enrollBatch), sends decided in it when
 * inline. The occasion row commits with the enrollment, or alone when the rules refuse it, as
 * enroll() does for one. Returns how many entered.
 */
export async function enterOccasions(
  deps: JourneyDeps, shopId: number, j: { id: string; version: number; journey: Journey }, fired: readonly Occasion[], size: number,
): Promise<number> {
  let enrolled = 0;
  for (let i = 0; i < fired.length; i += size) {
    const chunk = fired.slice(i, i + size);
    const now = clock(deps);
    const entered = await stepTransaction(deps, shopId, now, async (client, sends) => {
      const fresh = await client.query<{ customer_id: string; occasion: string }>(
        `with l as materialized (
           select pg_advisory_xact_lock(k) from (
             select distinct hashtextextended('cust:' || $1::int::text || ':' || c::text, 0) as k from unnest($3::bigint[]) c order by 1) x)
         insert into journey_occasions (shop_id, journey_id, customer_id, occasion)
         select $1::int, $2::bigint, f.customer_id, f.occasion from unnest($3::bigint[], $4::text[]) as f(customer_id, occasion)
         cross join (select count(*) from l) n
         on conflict do nothing returning customer_id::text, occasion`,
        [shopId, j.id, chunk.map((f) => f.customerId), chunk.map((f) => f.occasion)],
      );
      const cands: Candidate[] = fresh.rows.map((f) => ({
        eventId: `occasion:${f.occasion}`, occurredAt: now, customerId: f.customer_id, journeyId: j.id, version: j.version, journey: j.journey,
      }));
      const e = await enrollBatch(client, deps, shopId, cands, [], now, sends);
      return { value: [...e.values()], steps: [...e.values()].map((x) => x.step), customersLocked: true };
    });
    // What the first steps left to do (sends, a due next step): committed, so the sweeper covers a crash here.
    await Promise.all(entered.map((x) => continueStep(deps, shopId, x.enrollmentId, x.step)));
    enrolled += entered.length;
  }
  return enrolled;
}

const planners = new WeakMap<JourneyDeps, Coalescer<EventPlan>>();

/**
 * One event through this process's batcher (see planEvents); same outcome as forActiveShop +
 * applyEvent. In a worker the whole event is handed on (deps.background): the job's slot is
 * free at once, so under a backlog many events wait together and the entry batches fill
 * instead of being capped by the worker's concurrency. An event has no receipt until its
 * batch commits, so one lost with the process is found by the sweeper.
 */
export async function applyEventBatched(deps: JourneyDeps, shopId: number, eventId: string): Promise<ShopJobOutcome<EventOutcome>> {
  if (!deps.background) return planAndCarry(deps, shopId, eventId);
  await deps.background.run(() => planAndCarry(deps, shopId, eventId));
  return { ran: true, result: { ...empty(), handedOn: true } };
}

async function planAndCarry(deps: JourneyDeps, shopId: number, eventId: string): Promise<ShopJobOutcome<EventOutcome>> {
  let c = planners.get(deps);
  if (!c) {
    c = new Coalescer<EventPlan>((shop, ids) => planEvents(deps, shop, ids), deps.batch || DEFAULT_BATCH);
    planners.set(deps, c);
  }
  const plan = await c.submit(shopId, eventId);
  if (plan.kind === "inactive") return { ran: false, reason: plan.reason };
  if (plan.kind === "done") return { ran: true, result: empty() };
  if (plan.kind === "single") return { ran: true, result: await applyEvent(deps, shopId, eventId) };
  // What the first step left to do (its sends, the next step when already due); the step is
  // committed, so the sweeper covers a crash here.
  await continueStep(deps, shopId, plan.enrollmentId, plan.step);
  return { ran: true, result: { ...empty(), enrolled: 1 } };
}
