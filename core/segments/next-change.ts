// When could a customer's membership change by the passage of time alone? Relative windows
// move at shop-local midnights, so each timestamp a condition looks at enters and leaves a
// window at a computable instant. The shell schedules a single-customer re-evaluation at
// the earliest such instant instead of rescanning the shop.
//
// Covered: relative windows (last_days, between_days_ago, older_than_days, next_days) on
// customer created date; order windows and first/last order date comparisons, discount
// codes and purchases (from the customer's order times); expected next order date;
// engagement, behaviour events, sequences and consecutive days (from event times when given);
// references to other segments when their trees are given. The answer is conservative: the
// instant is when some condition's input crosses a window edge, which may leave membership
// unchanged (a cheap extra re-evaluation), but membership never changes earlier.
// Not covered (complete = false): event-based windows without `events` facts, references
// without trees. Not time-driven here: stored scores other than the expected next order
// date (they change when scoring runs), Shopify segments and journeys (they change by events).
import { assertNever } from "../result";
import { ENGAGEMENT_EVENT_NAMES, ORDER_METRICS, SCORE_FIELDS, type Comparison, type SegmentNode, type Step, type TimeWindow } from "./schema";
import { localDay, startOfLocalDay } from "./local-day";
import { dayRange, isRelative } from "./window";

export interface CustomerTimeFacts {
  /** source_created_at, or created_at when the store did not say (as the SQL reads it). */
  createdAt?: Date | null;
  /** processed_at of the customer's non-cancelled orders. */
  orders?: readonly Date[];
  /** The customer's events (name and time); needed for event-based windows. */
  events?: readonly { name: string; occurredAt: Date }[];
  expectedNextOrderAt?: Date | null;
}

export interface NextChangeOptions {
  now: Date;
  timezone: string;
  resolveSegment?: (id: string) => SegmentNode | undefined;
}

export type NextChange = {
  /** Earliest instant after now at which membership could change; null = never by time. */
  at: Date | null;
  /** False when part of the tree is time-dependent but its facts were not given. */
  complete: boolean;
};

export function nextMembershipChange(tree: SegmentNode, facts: CustomerTimeFacts, opts: NextChangeOptions): NextChange {
  const now = opts.now.getTime();
  let best: number | null = null;
  let complete = true;

  /** Instants at which `t` enters or leaves the window, as seen from a moving today. */
  const crossing = (t: Date | null | undefined, w: TimeWindow) => {
    if (!t) return;
    const r = dayRange(w);
    if (r.kind !== "relative") return;
    const d = localDay(t, opts.timezone);
    for (const edge of [r.minOffset === null ? null : d + r.minOffset, r.maxOffset === null ? null : d + r.maxOffset + 1]) {
      if (edge === null) continue;
      const at = startOfLocalDay(edge, opts.timezone).getTime();
      if (at > now && (best === null || at < best)) best = at;
    }
  };
  const cmpWindow = (cmp: Comparison): TimeWindow | undefined =>
    cmp.op === "in_window" || cmp.op === "not_in_window" ? cmp.window : undefined;
  const eventsNamed = (name: string | undefined, w: TimeWindow) => {
    if (!isRelative(w)) return;
    if (!facts.events) {
      complete = false;
      return;
    }
    for (const e of facts.events) if (name === undefined || e.name === name) crossing(e.occurredAt, w);
  };
  const orders = facts.orders ?? [];
  const ordersIn = (w: TimeWindow) => {
    if (isRelative(w)) for (const t of orders) crossing(t, w);
  };
  const stepTimes = (s: Step, w: TimeWindow) => {
    switch (s.source) {
      case "event":
        return eventsNamed(s.name, w);
      case "order":
        return ordersIn(w);
      default:
        return assertNever(s, "step");
    }
  };
  const seen: string[] = [];

  const visit = (n: SegmentNode): void => {
    switch (n.kind) {
      case "and":
      case "or":
        return n.children.forEach(visit);
      case "not":
        return visit(n.child);
      case "customer": {
        const w = cmpWindow(n.cmp);
        if (n.field === "created_at" && w) crossing(facts.createdAt, w);
        return;
      }
      case "score": {
        const w = cmpWindow(n.cmp);
        if (n.field === "expected_next_order_at" && w && Object.hasOwn(SCORE_FIELDS, n.field)) crossing(facts.expectedNextOrderAt, w);
        return;
      }
      case "orders": {
        ordersIn(n.window);
        const w = cmpWindow(n.cmp);
        if (w && ORDER_METRICS[n.metric as keyof typeof ORDER_METRICS] === "date") {
          // First/last order inside the (possibly moving) order window, as of now.
          const inWindow = orders.filter((t) => inDayRange(t, n.window, opts));
          if (inWindow.length) {
            const ms = inWindow.map((t) => t.getTime());
            crossing(new Date(n.metric === "first_order_at" ? Math.min(...ms) : Math.max(...ms)), w);
          }
        }
        return;
      }
      case "discount_codes":
      case "purchased":
        return ordersIn(n.window);
      case "engagement":
        return eventsNamed(ENGAGEMENT_EVENT_NAMES[n.action], n.window);
      case "event":
        return eventsNamed(n.name, n.window);
      case "sequence":
        // Only the first step is windowed; the second is relative to it.
        return stepTimes(n.first, n.window);
      case "consecutive_days":
        return stepTimes(n.step, n.window);
      case "in_segment": {
        const other = opts.resolveSegment?.(n.segment_id);
        if (!other || seen.includes(n.segment_id)) {
          if (!other) complete = false;
          return;
        }
        seen.push(n.segment_id);
        return visit(other);
      }
      case "reordered_after_first":
      case "shopify_segment":
      case "journey":
        return;
      default:
        return assertNever(n, "segment node");
    }
  };
  visit(tree);
  return { at: best === null ? null : new Date(best), complete };
}

/** Whether `t` lies in the window as evaluated at opts.now (mirror of the SQL bounds). */
export function inDayRange(t: Date, w: TimeWindow, opts: { now: Date; timezone: string }): boolean {
  const r = dayRange(w);
  switch (r.kind) {
    case "all_time":
      return true;
    case "relative": {
      const offset = localDay(opts.now, opts.timezone) - localDay(t, opts.timezone);
      return (r.minOffset === null || offset >= r.minOffset) && (r.maxOffset === null || offset <= r.maxOffset);
    }
    case "absolute": {
      const d = new Date(localDay(t, opts.timezone) * 86_400_000).toISOString().slice(0, 10);
      return (!r.from || d >= r.from) && (!r.to || d <= r.to);
    }
    default:
      return assertNever(r, "day range");
  }
}
