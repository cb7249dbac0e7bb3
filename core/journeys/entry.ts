// May this customer enter the journey now? Exclusion segments, re-entry, cooldown and a cap
// on entries. Segment membership and past enrollments are supplied by the caller.
import { durationMs, type Journey } from "./schema";

export interface EntryHistory {
  /** Earlier enrollments of this customer in this journey (any version). */
  previous: readonly { enteredAt: Date; endedAt: Date | null }[];
  /** Segment ids the customer is in right now. */
  segmentIds: ReadonlySet<string>;
}

export type EntryDecision =
  | { allowed: true }
  | { allowed: false; reason: "excluded_segment"; segmentId: string }
  | { allowed: false; reason: "already_enrolled" | "reentry_not_allowed" | "max_entries" }
  | { allowed: false; reason: "cooldown"; until: Date };

export function canEnter(journey: Pick<Journey, "entry">, history: EntryHistory, now: Date): EntryDecision {
  const { entry } = journey;
  const excluded = entry.exclusionSegmentIds.find((id) => history.segmentIds.has(id));
  if (excluded) return { allowed: false, reason: "excluded_segment", segmentId: excluded };
  if (history.previous.some((p) => p.endedAt === null)) return { allowed: false, reason: "already_enrolled" };
  if (history.previous.length === 0) return { allowed: true };
  if (!entry.reentry) return { allowed: false, reason: "reentry_not_allowed" };
  if (entry.maxEntriesPerCustomer !== undefined && history.previous.length >= entry.maxEntriesPerCustomer) {
    return { allowed: false, reason: "max_entries" };
  }
  if (entry.reentryCooldown) {
    // Cooldown runs from the end of the last enrollment, so a long journey does not eat it.
    const lastEnd = Math.max(...history.previous.map((p) => p.endedAt!.getTime()));
    const until = lastEnd + durationMs(entry.reentryCooldown);
    if (now.getTime() < until) return { allowed: false, reason: "cooldown", until: new Date(until) };
  }
  return { allowed: true };
}
