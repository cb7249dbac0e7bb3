// The pure journey interpreter: (state, event, now, ctx) -> (state, effects). It advances
// through instantaneous nodes until a wait or an end. Replaying the same event on the same
// state yields the same effects, with idempotency keys `enrollmentId:nodeId:visit`, so the
// shell can retry freely.
import { nextLocalTime, parseHhMm } from "../governance/local-time";
import { assertNever, err, ok, type Result } from "../result";
import type {
  Effect, EnrollmentState, ExitReason, InterpretError, JourneyEvent, Step, StepContext, TerminalStatus,
} from "./enrollment";
import { nodeIndex } from "./graph";
import { unitInterval } from "./hash";
import { durationMs, type JourneyNode } from "./schema";

/** Guard for unvalidated graphs: no single step may enter more nodes than this. */
export const MAX_NODES_PER_STEP = 500;

const TERMINAL: ReadonlySet<string> = new Set(["completed", "converted", "exited"]);

export function nextJourneyStep(
  state: EnrollmentState, event: JourneyEvent, now: Date, ctx: StepContext,
): Result<Step, InterpretError> {
  const expected = `${state.journeyId}@${state.journeyVersion}`;
  const got = `${ctx.journey.id}@${ctx.journey.version}`;
  if (expected !== got) return err({ kind: "journey_mismatch", expected, got });
  const unchanged = ok({ state, effects: [] });
  if (TERMINAL.has(state.status)) return unchanged;

  switch (event.kind) {
    case "entered":
      if (state.currentNodeId !== null) return unchanged; // already entered: a replay
      return advance(state, ctx.journey.startNodeId, now, ctx, []);
    case "timer_fired": {
      if (state.status !== "waiting" || state.wakeAt !== event.dueAt.toISOString()) return unchanged; // stale timer
      return leaveWait(state, "elapsed", now, ctx);
    }
    case "customer_event": {
      if (state.status !== "waiting" || state.waitingForEvent !== event.name) return unchanged;
      // Race with the timeout is settled by when the event happened, not when it arrived.
      const beforeTimeout = state.wakeAt === null || event.occurredAt.getTime() < Date.parse(state.wakeAt);
      return leaveWait(state, beforeTimeout ? "event" : "elapsed", now, ctx);
    }
    case "goal_reached":
      return ok(finish(state, "converted", { kind: "goal" }, closeOpenStep(state, "goal", now)));
    case "exit_criteria":
      return ok(finish(state, "exited", { kind: "exit_criteria", criterion: event.criterion }, closeOpenStep(state, "exit_criteria", now)));
    default:
      return assertNever(event, "journey event");
  }
}

/** Every condition id the journey asks about, so the shell can compute them up front. */
export function conditionIds(ctx: Pick<StepContext, "journey">): string[] {
  return [...new Set(ctx.journey.nodes.flatMap((n) => (n.type === "condition" ? [n.conditionId] : [])))];
}

/** Leaving early from a wait still closes its step-log row. */
function closeOpenStep(state: EnrollmentState, outcome: string, now: Date): Effect[] {
  if (state.status !== "waiting" || state.currentNodeId === null) return [];
  const nodeId = state.currentNodeId;
  return [{ kind: "record_step", nodeId, visit: state.visits[nodeId] ?? 1, phase: "completed", outcome, at: now }];
}

function leaveWait(state: EnrollmentState, how: "elapsed" | "event", now: Date, ctx: StepContext): Result<Step, InterpretError> {
  const nodeId = state.currentNodeId!;
  const node = nodeIndex(ctx.journey).get(nodeId);
  if (!node) return err({ kind: "unknown_node", nodeId });
  let next: string | undefined;
  let outcome: string;
  switch (node.type) {
    case "wait":
    case "wait_until_local":
      next = node.next; outcome = "elapsed"; break;
    case "wait_for_event":
      next = how === "event" ? node.onEvent : node.onTimeout; outcome = how === "event" ? "event" : "timeout"; break;
    default:
      return err({ kind: "unknown_node", nodeId }); // state says waiting on a node that cannot wait
  }
  const effects: Effect[] = [{ kind: "record_step", nodeId, visit: state.visits[nodeId] ?? 1, phase: "completed", outcome, at: now }];
  const resumed: EnrollmentState = { ...state, status: "active", wakeAt: null, waitingForEvent: null };
  if (next === undefined) return ok(finish(resumed, "completed", { kind: "completed" }, effects));
  return advance(resumed, next, now, ctx, effects);
}

function finish(state: EnrollmentState, status: TerminalStatus, reason: ExitReason, effects: Effect[]): Step {
  return {
    state: { ...state, status, wakeAt: null, waitingForEvent: null, exitReason: reason },
    effects: [...effects, { kind: "exit", status, reason }],
  };
}

function advance(
  start: EnrollmentState, firstNodeId: string, now: Date, ctx: StepContext, effects: Effect[],
): Result<Step, InterpretError> {
  const byId = nodeIndex(ctx.journey);
  let state: EnrollmentState = { ...start, visits: { ...start.visits }, assignments: { ...start.assignments } };
  let nodeId: string | undefined = firstNodeId;
  for (let entered = 0; nodeId !== undefined; entered++) {
    if (entered >= MAX_NODES_PER_STEP) return err({ kind: "step_limit", nodeId });
    const node: JourneyNode | undefined = byId.get(nodeId);
    if (!node) return err({ kind: "unknown_node", nodeId });
    const visit = (state.visits[node.id] ?? 0) + 1;
    state.visits[node.id] = visit;
    state.currentNodeId = node.id;
    const key = `${state.enrollmentId}:${node.id}:${visit}`;
    const step = (outcome: string | null): Effect => ({ kind: "record_step", nodeId: node.id, visit, phase: "completed", outcome, at: now });
    const wait = (at: number, event: string | null): Step => {
      state = { ...state, status: "waiting", wakeAt: new Date(at).toISOString(), waitingForEvent: event };
      effects.push(
        { kind: "record_step", nodeId: node.id, visit, phase: "entered", outcome: null, at: now },
        { kind: "schedule_wakeup", nodeId: node.id, visit, at: new Date(at) },
      );
      return { state, effects };
    };

    switch (node.type) {
      case "wait":
        return ok(wait(now.getTime() + durationMs(node.duration), null));
      case "wait_until_local": {
        const at = nextLocalTime(ctx.timeZone, now.getTime(), parseHhMm(node.localTime), node.weekdays);
        if (at === null) return err({ kind: "no_local_time", nodeId: node.id });
        return ok(wait(at, null));
      }
      case "wait_for_event":
        return ok(wait(now.getTime() + durationMs(node.timeout), node.event));
      case "condition": {
        const value = ctx.conditions[node.conditionId];
        if (value === undefined) return err({ kind: "missing_condition", nodeId: node.id, conditionId: node.conditionId });
        effects.push(step(value ? "yes" : "no"));
        nodeId = value ? node.yes : node.no;
        break;
      }
      case "ab_split": {
        const variant = pickVariant(node, state);
        if (!variant) return err({ kind: "unknown_node", nodeId: node.id }); // no variants: unvalidated graph
        if (state.assignments[node.id] !== variant.key) {
          state.assignments[node.id] = variant.key;
          effects.push({ kind: "record_assignment", nodeId: node.id, assignment: "ab_split", value: variant.key });
        }
        effects.push(step(`variant:${variant.key}`));
        nodeId = variant.next;
        break;
      }
      case "holdout": {
        const group = state.assignments[node.id] ?? holdoutGroup(state.journeyId, node.id, state.customerId, node.controlPercent);
        if (state.assignments[node.id] !== group) {
          state.assignments[node.id] = group;
          effects.push({ kind: "record_assignment", nodeId: node.id, assignment: "holdout", value: group });
        }
        effects.push(step(group));
        if (group === "control") return ok(finish(state, "exited", { kind: "holdout_control" }, effects));
        nodeId = node.next;
        break;
      }
      case "send":
        effects.push({
          kind: "send", idempotencyKey: key, nodeId: node.id, channel: node.channel, contentId: node.contentId,
          purpose: node.purpose, whenCapped: node.whenCapped,
          ...(node.fallbackChannel ? { fallbackChannel: node.fallbackChannel } : {}),
        }, step(null));
        nodeId = node.next;
        break;
      case "offer":
        effects.push({
          kind: "request_offer_code", idempotencyKey: key, nodeId: node.id, offerId: node.offerId,
          ...(node.ladderStep !== undefined ? { ladderStep: node.ladderStep } : {}),
        }, step(null));
        nodeId = node.next;
        break;
      case "update_customer":
        effects.push({
          kind: "update_customer", idempotencyKey: key, nodeId: node.id, addTags: node.addTags,
          removeTags: node.removeTags, properties: node.properties,
        }, step(null));
        nodeId = node.next;
        break;
      case "webhook":
        effects.push({ kind: "call_webhook", idempotencyKey: key, nodeId: node.id, url: node.url, fields: [...node.fields] }, step(null));
        nodeId = node.next;
        break;
      case "notify_merchant":
        effects.push({
          kind: "notify_merchant", idempotencyKey: key, nodeId: node.id, message: node.message, email: node.email,
          ...(node.subject !== undefined ? { subject: node.subject } : {}),
        }, step(null));
        nodeId = node.next;
        break;
      case "exit":
        effects.push(step(null));
        return ok(finish(state, "completed", { kind: "completed" }, effects));
      default:
        return assertNever(node, "journey node");
    }
  }
  // A missing next id ends the journey (validate() rejects such graphs before publish).
  return ok(finish(state, "completed", { kind: "completed" }, effects));
}

/** Sticky: a stored assignment wins; otherwise a weighted pick from a hash of the customer. */
function pickVariant(node: Extract<JourneyNode, { type: "ab_split" }>, state: EnrollmentState) {
  const stored = node.variants.find((v) => v.key === state.assignments[node.id]);
  if (stored) return stored;
  const total = node.variants.reduce((sum, v) => sum + Math.max(0, v.weight), 0);
  if (total <= 0) return node.variants[0];
  let point = unitInterval(`ab:${state.journeyId}:${node.id}:${state.customerId}`) * total;
  for (const v of node.variants) {
    point -= Math.max(0, v.weight);
    if (point < 0) return v;
  }
  return node.variants[node.variants.length - 1];
}

/** The sticky holdout group of a customer at a holdout node: the same inputs, the same group. */
export function holdoutGroup(journeyId: string, nodeId: string, customerId: string, controlPercent: number): "control" | "treatment" {
  return unitInterval(`holdout:${journeyId}:${nodeId}:${customerId}`) * 100 < controlPercent ? "control" : "treatment";
}
