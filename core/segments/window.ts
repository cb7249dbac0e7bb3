// Time windows as ranges of shop-local day offsets (0 = today, 1 = yesterday, -1 = tomorrow),
// the one form both the SQL compiler and the next-change computation reason about.
import { assertNever } from "../result";
import type { TimeWindow } from "./schema";

/** Inclusive offsets; null = unbounded on that side. */
export type RelativeRange = { kind: "relative"; minOffset: number | null; maxOffset: number | null };
/** Inclusive shop-local calendar dates (YYYY-MM-DD); undefined = open. */
export type AbsoluteRange = { kind: "absolute"; from?: string; to?: string };
export type DayRange = RelativeRange | AbsoluteRange | { kind: "all_time" };

export function dayRange(w: TimeWindow): DayRange {
  switch (w.kind) {
    case "all_time":
      return { kind: "all_time" };
    case "last_days":
      return { kind: "relative", minOffset: 0, maxOffset: w.days - 1 };
    case "between_days_ago":
      return { kind: "relative", minOffset: w.min, maxOffset: w.max };
    case "older_than_days":
      return { kind: "relative", minOffset: w.days, maxOffset: null };
    case "next_days":
      return { kind: "relative", minOffset: -(w.days - 1), maxOffset: 0 };
    case "absolute":
      return { kind: "absolute", from: w.from, to: w.to };
    default:
      return assertNever(w, "time window");
  }
}

/** True when the window depends on the evaluation time. */
export function isRelative(w: TimeWindow): boolean {
  return dayRange(w).kind === "relative";
}
