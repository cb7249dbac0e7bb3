// One job per event row: enroll the customer in every published journey whose trigger the
// event matches (entry rules from core/journeys/entry.ts; the unique entry number makes a
// repeated trigger enter once), convert enrollments whose goal it reaches (from any node),
// end those whose exit criteria it meets, wake those waiting for it, and on an opt-out take
// the customer out of every active journey on that channel at once.
import type pg from "pg";
import { withTransaction } from "../../app/db.server";
import { newEnrollment } from "../../core/journeys/enrollment";
import { canEnter } from "../../core/journeys/entry";
import { matchingExitCriterion, overtakenByLaterFacts, reachesGoal, type CustomerFact } from "../../core/journeys/exit-match";
import type { Journey, Trigger } from "../../core/journeys/schema";
import { forActiveShop } from "../shop-guard";
import { admitEnrollments, recordEntrySuppressions } from "./admission";
import { journeyVersion } from "./definitions";
import { endJourneysOnChannel } from "./opt-out";
import { processEnrollment } from "./step";
import { stepEnrollment } from "./step-batch";
import { applyEventBatched } from "./events-batch";
import { clock, type JourneyDeps } from "./types";

export interface EventRow {
  customer_id: string | null;
  name: string;
  properties: Record<string, unknown>;
  occurred_at: Date;
}

export type EventOutcome = {
  enrolled: number; converted: number; exited: number; woken: number; optedOut: number;
  /** Handed to the worker's in-process pool (events-batch.ts): the counts are not known to the job. */
  handedOn?: true;
};

export async function handleJourneyEvent(deps: JourneyDeps, shopId: number, eventId: string) {
  if (deps.batch === false) return forActiveShop(deps.db, shopId, () => applyEvent(deps, shopId, eventId));
  return applyEventBatched(deps, shopId, eventId); // checks the shop in the batch's first query
}

export async function applyEvent(deps: JourneyDeps, shopId: number, eventId: string): Promise<EventOutcome> {
  const out: EventOutcome = { enrolled: 0, converted: 0, exited: 0, woken: 0, optedOut: 0 };
  const r = await deps.db.query<EventRow & { handled: boolean }>(
    `select e.customer_id::text, e.name, e.properties, e.occurred_at,
            exists (select 1 from journey_event_receipts r where r.shop_id = e.shop_id and r.event_id = e.id) as handled
     from events e where e.shop_id = $1 and e.id = $2`, [shopId, eventId],
  );
  const ev = r.rows[0];
  if (ev?.handled) return out; // done before (a re-queued job, or the sweeper got there first)
  if (!ev || !ev.customer_id) return markHandled(deps.db, shopId, eventId, out);
  const customerId = ev.customer_id;
  const props = ev.properties ?? {};

  if (ev.name === "consent_changed" && props.state === "unsubscribed" && typeof props.channel === "string") {
    out.optedOut = await removeFromJourneysOnChannel(deps.db, shopId, customerId, props.channel, clock(deps));
  }

  // Enrollments already running: goal, exit criteria, wait-for-event. An entry of this
  // customer still in flight holds their lock: wait it out, so it is among them (entries
  // check the events since their trigger, so one that starts later sees this event).
  await deps.db.query(`select pg_advisory_xact_lock(hashtextextended('cust:' || $1::text || ':' || $2::text, 0))`, [shopId, customerId]);
  const fact = factOf(ev);
  const running = await deps.db.query<{ id: string; journey_id: string; journey_version: number; state: { waitingForEvent: string | null } }>(
    `select id::text, journey_id::text, journey_version, state from enrollments
     where shop_id = $1 and customer_id = $2 and status in ('active', 'waiting')`, [shopId, customerId],
  );
  for (const e of running.rows) {
    const journey = await journeyVersion(deps.db, shopId, e.journey_id, e.journey_version);
    if (!journey) continue;
    if (reachesGoal(journey, fact)) {
      const s = await processEnrollment(deps, shopId, e.id, { kind: "goal_reached" });
      if (s.kind === "stepped") out.converted++;
      continue;
    }
    const criterion = matchingExitCriterion(journey, fact);
    if (criterion) {
      const s = await processEnrollment(deps, shopId, e.id, { kind: "exit_criteria", criterion });
      if (s.kind === "stepped") out.exited++;
      continue;
    }
    if (e.state.waitingForEvent === ev.name) {
      const s = await processEnrollment(deps, shopId, e.id, { kind: "customer_event", name: ev.name, occurredAt: ev.occurred_at, props });
      if (s.kind === "stepped") out.woken++;
    }
  }

  // New entries: every journey the event qualifies the customer for, ranked together.
  const matching = (await publishedJourneys(deps.db, shopId)).filter((j) => triggerMatches(j.journey.trigger, ev));
  for (const enrollmentId of await enrollInJourneys(deps, shopId, matching, customerId, eventId)) {
    out.enrolled++;
    await stepEnrollment(deps, shopId, enrollmentId); // first step inline (batched with other jobs'); the sweeper covers a crash here
  }
  return markHandled(deps.db, shopId, eventId, out);
}

/** Written last: an event without a receipt is handed back by the sweeper (every part above is idempotent). */
export async function markHandled<T>(db: pg.Pool, shopId: number, eventId: string, out: T): Promise<T> {
  await db.query(`insert into journey_event_receipts (shop_id, event_id) values ($1, $2) on conflict do nothing`, [shopId, eventId]);
  return out;
}

/** Event names the engine reacts to whatever the journeys say; custom names come from triggers. */
export const JOURNEY_EVENT_NAMES = ["segment_entered", "segment_exited", "order_placed", "stage_changed", "consent_changed"] as const;

export function factOf(ev: EventRow): CustomerFact {
  if (ev.name === "order_placed") return { kind: "order_placed" };
  if (ev.name === "stage_changed" && typeof ev.properties?.to === "string") return { kind: "stage_entered", stage: ev.properties.to };
  if (ev.name === "consent_changed" && ev.properties?.state === "unsubscribed") return { kind: "unsubscribed" };
  return { kind: "event", name: ev.name };
}

export function triggerMatches(trigger: Trigger, ev: Pick<EventRow, "name" | "properties">): boolean {
  const p = ev.properties ?? {};
  switch (trigger.kind) {
    case "segment_entered":
      return ev.name === "segment_entered" && String(p.segmentId ?? p.segment_id ?? "") === trigger.segmentId;
    case "segment_exited":
      return ev.name === "segment_exited" && String(p.segmentId ?? p.segment_id ?? "") === trigger.segmentId;
    case "order_placed":
      return ev.name === "order_placed";
    case "lifecycle_stage_changed":
      return ev.name === "stage_changed" && (!trigger.toStage || p.to === trigger.toStage) && (!trigger.fromStage || p.from === trigger.fromStage);
    case "behaviour_event":
    case "custom_event":
      return ev.name === trigger.name;
    default:
      return false; // time-based triggers are scheduled, not event-driven
  }
}

export async function publishedJourneys(db: pg.Pool, shopId: number): Promise<{ id: string; version: number; journey: Journey }[]> {
  const r = await db.query<{ id: string; version: number }>(
    `select j.id::text, j.live_version as version from journeys j where j.shop_id = $1 and j.status = 'published' and j.live_version is not null
       and not exists (select 1 from journey_pauses p where p.shop_id = j.shop_id and (p.scope = 'shop' or (p.scope = 'journey' and p.target = j.id::text)))`, [shopId],
  );
  const out: { id: string; version: number; journey: Journey }[] = [];
  for (const x of r.rows) {
    const journey = await journeyVersion(db, shopId, x.id, x.version); // immutable, cached per process
    if (journey) out.push({ id: x.id, version: x.version, journey });
  }
  return out;
}

/**
 * Enter once: entry rules under a per-customer lock, then the unique entry number. A
 * scheduled (date) trigger passes its occasion: its row in journey_occasions is written in
 * the same transaction, so an occasion enrolls at most once whatever reruns.
 */
export async function enroll(
  deps: JourneyDeps, shopId: number, journeyId: string, version: number, journey: Journey, customerId: string, eventId: string,
  occasion?: string,
): Promise<string | null> {
  const [id] = await enrollInJourneys(deps, shopId, [{ id: journeyId, version, journey }], customerId, eventId, occasion);
  return id ?? null;
}

/**
 * Enters one customer into the journeys one trigger qualifies them for, in one transaction
 * under their lock: each journey's entry rules (core/journeys/entry.ts), then the conflict
 * rules over all of them at once (jobs/journeys/admission.ts), so the higher-priority journey
 * wins whatever order they come in. Each refusal by the conflict rules is recorded as a
 * suppression keyed by (journey, customer, trigger): a redelivered trigger counts once.
 * Returns the new enrollments' ids.
 */
export async function enrollInJourneys(
  deps: JourneyDeps, shopId: number, journeys: readonly { id: string; version: number; journey: Journey }[], customerId: string, eventId: string,
  occasion?: string,
): Promise<string[]> {
  if (journeys.length === 0) return [];
  const now = clock(deps);
  return withTransaction(deps.db, async (client) => {
    await client.query(`select pg_advisory_xact_lock(hashtextextended('cust:' || $1::text || ':' || $2::text, 0))`, [shopId, customerId]);
    const entering: { id: string; version: number; journey: Journey; entry: number }[] = [];
    let segmentIds: Set<string> | null = null;
    // What the customer did since the trigger (an order, an opt-out handled first), read under their lock.
    const later = /^\d+$/.test(eventId) ? (await client.query<EventRow>(
      `select l.customer_id::text, l.name, l.properties, l.occurred_at from events t
       join events l on l.shop_id = t.shop_id and l.customer_id = t.customer_id and l.occurred_at > t.occurred_at
       where t.shop_id = $1 and t.id = $2`, [shopId, eventId])).rows.map(factOf) : [];
    for (const j of journeys) {
      if (occasion !== undefined) {
        const o = await client.query(
          `insert into journey_occasions (shop_id, journey_id, customer_id, occasion) values ($1, $2, $3, $4) on conflict do nothing`,
          [shopId, j.id, customerId, occasion],
        );
        if ((o.rowCount ?? 0) === 0) continue;
      }
      const prev = await client.query<{ entered_at: Date; ended_at: Date | null; trigger: string | null }>(
        `select entered_at, ended_at, state->>'triggerEventId' as trigger from enrollments
         where shop_id = $1 and journey_id = $2 and customer_id = $3`, [shopId, j.id, customerId],
      );
      if (prev.rows.some((p) => p.trigger === eventId)) continue; // this very event already entered
      if (overtakenByLaterFacts(j.journey, later)) continue; // converted or exited since the trigger
      if (j.journey.entry.exclusionSegmentIds.length > 0 && segmentIds === null) {
        const s = await client.query<{ id: string }>(`select segment_id::text as id from segment_memberships where shop_id = $1 and customer_id = $2`, [shopId, customerId]);
        segmentIds = new Set(s.rows.map((x) => x.id));
      }
      const decision = canEnter(j.journey, { previous: prev.rows.map((p) => ({ enteredAt: p.entered_at, endedAt: p.ended_at })), segmentIds: segmentIds ?? new Set() }, now);
      if (decision.allowed) entering.push({ ...j, entry: prev.rows.length + 1 });
    }
    if (entering.length === 0) return [];
    const admission = await admitEnrollments(client, shopId, customerId, entering.map((j) => ({ journeyId: j.id, version: j.version })), now);
    await recordEntrySuppressions(client, shopId, admission.rejected.map((rejection) => ({
      journeyId: rejection.journeyId, version: entering.find((j) => j.id === rejection.journeyId)!.version, customerId, triggerKey: eventId, rejection,
    })));
    const ids: string[] = [];
    for (const j of entering) {
      if (!admission.start.has(j.id)) continue;
      const state = { ...newEnrollment({ enrollmentId: "", customerId }, j.journey), triggerEventId: eventId };
      const ins = await client.query<{ id: string }>(
        `with n as (select nextval(pg_get_serial_sequence('enrollments', 'id')) as id)
         insert into enrollments (shop_id, id, journey_id, journey_version, customer_id, entry_number, status, state, wake_at, entered_at)
         select $1, n.id, $2, $3, $4, $5, 'active', jsonb_set($6::jsonb, '{enrollmentId}', to_jsonb(n.id::text)), $7, $7 from n
         on conflict (shop_id, journey_id, customer_id, entry_number) do nothing returning id::text`,
        [shopId, j.id, j.version, customerId, j.entry, JSON.stringify(state), now],
      );
      if (ins.rows[0]) ids.push(ins.rows[0].id);
    }
    return ids;
  });
}

/**
 * An opt-out on a channel ends, at once and set-based, every active enrollment of the
 * customer in a journey that sends on that channel, and drops their held messages on it.
 * Called for consent_changed events; the suppression shell may call it directly.
 */
export async function removeFromJourneysOnChannel(db: pg.Pool, shopId: number, customerId: string, channel: string, now: Date): Promise<number> {
  return withTransaction(db, (client) => endJourneysOnChannel(client, shopId, [customerId], channel, now));
}
