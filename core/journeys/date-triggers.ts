// When a date-based trigger fires for one customer: the instant, and an occasion key that
// names the occurrence (a birthday in 2027, the campaign run on 2027-03-14...). The scheduler
// enrolls once per (journey, customer, occasion), so a rerun or an overlapping window is a no-op.
// Pure: the customer's facts, their IANA zone and the window start are passed in.
import { parseHhMm, zonedTimeToUtc, addLocalDays } from "../governance/local-time";
import { assertNever } from "../result";
import { nextCampaignRun } from "./schedule";
import type { Trigger } from "./schema";

export type DateTrigger = Extract<Trigger, { kind: "first_order_anniversary" | "birthday" | "expected_next_order_passed" | "scheduled_campaign" }>;

export const isDateTrigger = (t: Trigger): t is DateTrigger =>
  t.kind === "first_order_anniversary" || t.kind === "birthday" || t.kind === "expected_next_order_passed" || t.kind === "scheduled_campaign";

export interface DateFacts {
  firstOrderAt?: Date | null;
  /** YYYY-MM-DD, a calendar date without zone. */
  birthday?: string | null;
  expectedNextOrderAt?: Date | null;
}

export interface Fire {
  at: Date;
  occasion: string;
}

const DAY_MS = 86_400_000;
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const pad = (n: number) => String(n).padStart(2, "0");

/** The yearly occurrence of month/day at localTime, first at or after `from` and in a year >= minYear. Feb 29 falls on Feb 28 in other years. */
function nextYearly(zone: string, month: number, day: number, localTime: string, from: Date, minYear: number, prefix: string): Fire {
  const minute = parseHhMm(localTime);
  const startYear = Math.max(minYear, addLocalDays(zone, from.getTime(), 0).year - 1);
  for (let y = startYear; ; y++) {
    const d = month === 2 && day === 29 && !isLeap(y) ? 28 : day;
    const at = zonedTimeToUtc(zone, y, month, d, Math.floor(minute / 60), minute % 60);
    if (at >= from.getTime()) return { at: new Date(at), occasion: `${prefix}:${y}` };
  }
}

/** The trigger's first fire for this customer at or after `from`; null when it never fires (missing fact, campaign over). */
export function nextTriggerFire(trigger: DateTrigger, facts: DateFacts, zone: string, from: Date): Fire | null {
  switch (trigger.kind) {
    case "first_order_anniversary": {
      if (!facts.firstOrderAt) return null;
      // The anniversary is of the local date the first order was placed on, from the next year on.
      const first = addLocalDays(zone, facts.firstOrderAt.getTime(), 0);
      return nextYearly(zone, first.month, first.day, trigger.localTime, from, first.year + 1, "anniversary");
    }
    case "birthday": {
      const m = facts.birthday ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(facts.birthday) : null;
      if (!m) return null;
      return nextYearly(zone, Number(m[2]), Number(m[3]), trigger.localTime, from, 0, "birthday");
    }
    case "expected_next_order_passed": {
      if (!facts.expectedNextOrderAt) return null;
      // Elapsed days, like waits; one occasion per predicted date (a new order moves the prediction).
      const at = facts.expectedNextOrderAt.getTime() + trigger.graceDays * DAY_MS;
      return at >= from.getTime() ? { at: new Date(at), occasion: `overdue:${facts.expectedNextOrderAt.toISOString()}` } : null;
    }
    case "scheduled_campaign": {
      const at = nextCampaignRun(trigger.schedule, zone, from);
      if (!at) return null;
      const d = addLocalDays(zone, at.getTime(), 0);
      return { at, occasion: `campaign:${d.year}-${pad(d.month)}-${pad(d.day)}` };
    }
    default:
      return assertNever(trigger, "date trigger");
  }
}

/**
 * The fire inside the window (from, to], if any: what a scheduler tick at `to` enrolls. The
 * end is inclusive so a fire due exactly at a tick is enrolled by that tick, not the next.
 */
export function fireInWindow(trigger: DateTrigger, facts: DateFacts, zone: string, from: Date, to: Date): Fire | null {
  const f = nextTriggerFire(trigger, facts, zone, new Date(from.getTime() + 1));
  return f && f.at.getTime() <= to.getTime() ? f : null;
}
