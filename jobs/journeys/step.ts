// Advances one enrollment: lock its row, derive what is due (or take the event given), ask
// the pure interpreter for the next state and effects, and write them all in the same
// transaction (step log, assignments, messages rows with their idempotency keys, the new
// state and wake_at). Queue work is handed out only after commit; if that is lost, the
// sweeper finds the row by wake_at or messages.status.
import type pg from "pg";
import { withTransaction } from "../../app/db.server";
import type { Effect, EnrollmentState, JourneyEvent, StepContext } from "../../core/journeys/enrollment";
import { conditionIds, nextJourneyStep } from "../../core/journeys/interpret";
import type { Journey } from "../../core/journeys/schema";
import { resolveTimeZone } from "../../core/governance/timezone";
import { journeyVersion, raiseAlert } from "./definitions";
import { inlineConditions } from "./effects/conditions";
import { recordMerchantNotification, recordWebhookCall, runEnrollmentEffects } from "./effects/run";
import { applyUpdateCustomer } from "./effects/update-customer";
import { enqueueSend, enqueueStep } from "./queue";
import { issueEnrollmentOffers, recordOfferChoice } from "./offer";
import { processMessage } from "./send";
import { clock, type JourneyDeps } from "./types";

export type StepOutcome =
  | { kind: "stepped"; status: string; sends: number }
  | { kind: "not_due" | "terminal" | "paused" | "missing" | "unchanged" };

export interface EnrollmentRow {
  journey_id: string;
  journey_version: number;
  customer_id: string;
  status: string;
  state: EnrollmentState;
  lock_version: number;
}

export const TERMINAL = new Set(["completed", "converted", "exited"]);

export async function processEnrollment(
  deps: JourneyDeps, shopId: number, enrollmentId: string, given?: JourneyEvent,
): Promise<StepOutcome> {
  const now = clock(deps);
  const after: { sends: string[]; wake: { lockVersion: number; at: Date } | null; offers?: boolean; effects?: boolean } = { sends: [], wake: null };
  const outcome = await withTransaction(deps.db, async (client) => {
    // The row lock serialises every step of this enrollment; the customer's facts and any
    // pause come along in the same round trip.
    const r = await client.query<EnrollmentRow & CustomerRow & { paused: boolean }>(
      `select e.journey_id::text, e.journey_version, e.customer_id::text, e.status, e.state, e.lock_version,
              c.timezone, c.country, c.province, c.email_consent::text, c.sms_consent::text, s.timezone as shop_tz,
              exists (select 1 from journey_pauses p where p.shop_id = e.shop_id
                and (p.scope = 'shop' or (p.scope = 'journey' and p.target = e.journey_id::text))) as paused
       from enrollments e join shops s on s.id = e.shop_id
       left join customers c on c.shop_id = e.shop_id and c.id = e.customer_id
       where e.shop_id = $1 and e.id = $2 for update of e`, [shopId, enrollmentId],
    );
    const row = r.rows[0];
    if (!row) return { kind: "missing" } as const;
    if (TERMINAL.has(row.status)) return { kind: "terminal" } as const;
    const journey = await journeyVersion(client, shopId, row.journey_id, row.journey_version);
    if (!journey) return { kind: "missing" } as const;
    // Conversions and exits go through a pause; stepping forward does not.
    const forward = !given || given.kind === "customer_event" || given.kind === "timer_fired" || given.kind === "entered";
    if (forward && row.paused) return { kind: "paused" } as const;
    const state = row.state;
    const event = given ?? dueEvent(state, now);
    if (!event) return { kind: "not_due" } as const;

    const ctx = await stepContext(client, shopId, row.customer_id, row, journey);
    Object.assign(ctx.conditions, await inlineConditions(client, shopId, row.customer_id, journey, now, row.shop_tz));
    const result = nextJourneyStep(state, event, now, ctx);
    if (!result.ok) {
      const failed = { ...state, status: "exited" as const, wakeAt: null, waitingForEvent: null, exitReason: null, error: result.error };
      await client.query(
        `update enrollments set status = 'exited', state = $3, wake_at = null, ended_at = $4, lock_version = lock_version + 1
         where shop_id = $1 and id = $2`, [shopId, enrollmentId, JSON.stringify(failed), now],
      );
      await raiseAlert(client, shopId, {
        kind: "journey_error", message: `journey step failed: ${result.error.kind}`,
        details: { enrollmentId, journeyId: row.journey_id, error: result.error }, dedupeKey: `journey_error:${enrollmentId}`,
      });
      return { kind: "stepped", status: "exited", sends: 0 } as const;
    }
    const { state: next, effects } = result.value;
    if (effects.length === 0 && next === state) return { kind: "unchanged" } as const;
    after.sends = await applyEffects(client, shopId, enrollmentId, row, next, effects, now);
    after.offers = effects.some((e) => e.kind === "request_offer_code");
    after.effects = effects.some((e) => e.kind === "call_webhook" || (e.kind === "notify_merchant" && e.email));
    const terminal = TERMINAL.has(next.status);
    const wakeAt = next.status === "waiting" && next.wakeAt ? new Date(next.wakeAt) : null;
    await client.query(
      `update enrollments set status = $3::"EnrollmentStatus", state = $4, wake_at = $5, ended_at = $6, lock_version = lock_version + 1
       where shop_id = $1 and id = $2`,
      [shopId, enrollmentId, next.status, JSON.stringify(next), wakeAt, terminal ? now : null],
    );
    if (wakeAt) after.wake = { lockVersion: row.lock_version + 1, at: wakeAt };
    return { kind: "stepped", status: next.status, sends: after.sends.length } as const;
  });
  const inline = deps.inline ?? true;
  if (after.offers) await issueEnrollmentOffers(deps, shopId, enrollmentId); // codes exist before their sends go
  if (after.effects) await runEnrollmentEffects(deps, shopId, enrollmentId); // webhook calls, merchant emails
  for (const id of after.sends) {
    if (inline) await processMessage(deps, shopId, id);
    else await enqueueSend(deps.qs, shopId, id, undefined, now);
  }
  if (after.wake) {
    if (inline && after.wake.at.getTime() <= clock(deps).getTime()) return processEnrollment(deps, shopId, enrollmentId);
    await enqueueStep(deps.qs, shopId, enrollmentId, after.wake.lockVersion, after.wake.at, now);
  }
  return outcome;
}

/** What the passing of time alone makes due: the first entry, or an expired wait. */
export function dueEvent(state: EnrollmentState, now: Date): JourneyEvent | null {
  if (state.status === "active" && state.currentNodeId === null) return { kind: "entered" };
  if (state.status === "waiting" && state.wakeAt && Date.parse(state.wakeAt) <= now.getTime()) {
    return { kind: "timer_fired", dueAt: new Date(state.wakeAt) };
  }
  return null;
}

/**
 * Conditions the journey asks about: `<channel>_consented` is the customer's consent on
 * that channel; any other id is a segment id, true when the customer is a member now.
 */
export interface CustomerRow {
  timezone: string | null; country: string | null; province: string | null; email_consent: string | null; sms_consent: string | null; shop_tz: string;
}

async function stepContext(client: pg.PoolClient, shopId: number, customerId: string, cust: CustomerRow, journey: Journey): Promise<StepContext> {
  const timeZone = resolveTimeZone(cust.timezone ?? undefined, { countryCode: cust.country ?? undefined, provinceCode: cust.province ?? undefined }, cust.shop_tz).zone;
  const ids = conditionIds({ journey });
  const conditions: Record<string, boolean> = {};
  const segmentIds = ids.filter((id) => !id.endsWith("_consented"));
  for (const id of ids) {
    if (id === "email_consented") conditions[id] = cust.email_consent === "subscribed";
    else if (id === "sms_consented") conditions[id] = cust.sms_consent === "subscribed";
    else if (id === "push_consented") {
      const p = await client.query(`select 1 from push_subscriptions where shop_id = $1 and customer_id = $2 limit 1`, [shopId, customerId]);
      conditions[id] = (p.rowCount ?? 0) > 0;
    }
  }
  if (segmentIds.length > 0) {
    const numeric = segmentIds.filter((s) => /^\d+$/.test(s));
    const m = numeric.length === 0 ? { rows: [] as { id: string }[] } : await client.query<{ id: string }>(
      `select segment_id::text as id from segment_memberships where shop_id = $1 and customer_id = $2 and segment_id = any($3::bigint[])`,
      [shopId, customerId, numeric],
    );
    const member = new Set(m.rows.map((x) => x.id));
    for (const id of segmentIds) conditions[id] = member.has(id);
  }
  return { journey, timeZone, conditions };
}

export async function applyEffects(
  client: pg.PoolClient, shopId: number, enrollmentId: string, row: EnrollmentRow, next: EnrollmentState, effects: Effect[], now: Date,
): Promise<string[]> {
  const sends: string[] = [];
  const abVariants = Object.entries(next.assignments).filter(([, v]) => v !== "control" && v !== "treatment").map(([, v]) => v);
  // The step log in one statement: a row per (enrollment, node, visit); an "entered" row is
  // opened once, a "completed" one closes it (or is written whole for instant nodes).
  const steps = effects.filter((e): e is Extract<Effect, { kind: "record_step" }> => e.kind === "record_step");
  if (steps.length > 0) {
    await client.query(
      `insert into journey_steps (shop_id, enrollment_id, node_id, visit, outcome, entered_at, completed_at)
       select $1, $2, x.node_id, x.visit, x.outcome, x.at, case when x.done then x.at end
       from jsonb_to_recordset($3::jsonb) as x(node_id text, visit int, outcome text, at timestamptz, done boolean)
       on conflict (shop_id, enrollment_id, node_id, visit) do update set outcome = excluded.outcome, completed_at = excluded.completed_at
       where journey_steps.completed_at is null and excluded.completed_at is not null`,
      [shopId, enrollmentId, JSON.stringify(steps.map((e) => ({ node_id: e.nodeId, visit: e.visit, outcome: e.outcome, at: e.at.toISOString(), done: e.phase === "completed" })))],
    );
  }
  for (const e of effects) {
    switch (e.kind) {
      case "record_step":
        break;
      case "record_assignment":
        await client.query(
          `insert into journey_assignments (shop_id, journey_id, node_id, customer_id, kind, value, enrollment_id, assigned_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing`,
          [shopId, row.journey_id, e.nodeId, row.customer_id, e.assignment, e.value, enrollmentId, now],
        );
        break;
      case "send": {
        // The idempotency key is written before any provider call; a replay finds the row.
        const ins = await client.query<{ id: string }>(
          `insert into messages (shop_id, idempotency_key, customer_id, journey_id, enrollment_id, node_id, content_id, channel, purpose, variant, status, queued_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8::"MessageChannel", $9::"MessagePurpose", $10, 'queued', $11)
           on conflict (shop_id, idempotency_key) do nothing returning id::text`,
          [shopId, e.idempotencyKey, row.customer_id, row.journey_id, enrollmentId, e.nodeId, /^\d+$/.test(e.contentId) ? e.contentId : null,
            e.channel, e.purpose, abVariants.length === 1 ? abVariants[0] : "primary", now],
        );
        if (ins.rows[0]) sends.push(ins.rows[0].id);
        break;
      }
      case "update_customer":
        await applyUpdateCustomer(client, shopId, row.customer_id, e);
        break;
      case "notify_merchant":
        await recordMerchantNotification(client, shopId, owner(enrollmentId, row), e, now);
        break;
      case "request_offer_code":
        await recordOfferChoice(client, shopId, { id: enrollmentId, journeyId: row.journey_id, customerId: row.customer_id }, e, now);
        break;
      case "call_webhook":
        await recordWebhookCall(client, shopId, owner(enrollmentId, row), e, now);
        break;
      case "schedule_wakeup":
      case "exit":
        break; // carried by the state (wake_at, status) written with it
    }
  }
  return sends;
}

const owner = (enrollmentId: string, row: EnrollmentRow) =>
  ({ enrollmentId, journeyId: row.journey_id, journeyVersion: row.journey_version, customerId: row.customer_id });
