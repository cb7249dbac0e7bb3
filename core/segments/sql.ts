// Parameter collection and fixed SQL identifiers for the segment compiler. User values only
// ever become $n placeholders; every identifier comes from the constant maps below.
import { assertNever } from "../result";
import type { TimeWindow } from "./schema";
import { dayRange } from "./window";

/** Tables the compiler reads (prisma/schema.prisma). */
export const TABLES = {
  customers: "customers",
  orders: "orders",
  orderLines: "order_lines",
  products: "products",
  events: "events",
  scores: "customer_scores",
  segmentMemberships: "segment_memberships",
  shopifySegmentMembers: "shopify_segment_members",
  enrollments: "enrollments",
} as const;

export type Cast = "int" | "bigint" | "numeric" | "text" | "text[]" | "numeric[]" | "date" | "timestamptz" | '"ConsentState"[]';

export class Params {
  readonly values: unknown[];
  private nowRef?: string;
  private tzRef?: string;
  private aliasCounter = 0;

  constructor(
    shopId: number,
    private now: Date,
    private timezone: string,
  ) {
    this.values = [shopId];
  }

  /** How many NOTs enclose what is being compiled now (see truthy). */
  private negations = 0;

  /** Compiles `work` under a NOT: its comparisons must then be two-valued. */
  negate<T>(work: () => T): T {
    this.negations++;
    try {
      return work();
    } finally {
      this.negations--;
    }
  }

  /**
   * A comparison as a WHERE-ready predicate. Under a NOT it must be two-valued (a NULL is
   * false, so the NOT includes unknowns); outside any NOT, AND/OR are monotone and WHERE
   * rejects NULL like false, so the bare comparison gives the same rows and stays strict:
   * the planner can then push it into a scan and turn the scores LEFT JOIN into an inner join.
   */
  truthy(pred: string): string {
    return this.negations > 0 ? truthy(pred) : `(${pred})`;
  }

  /** $1 is always the shop id: every table access filters on it. */
  get shop(): string {
    return "$1::int";
  }

  add(value: unknown, cast: Cast): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }

  /** Evaluation time and shop zone become parameters only when a condition needs them. */
  get nowSql(): string {
    return (this.nowRef ??= this.add(this.now.toISOString(), "timestamptz"));
  }
  get tzSql(): string {
    return (this.tzRef ??= this.add(this.timezone, "text"));
  }

  /** A fresh table alias, so nested subqueries never shadow each other. */
  alias(prefix: string): string {
    return `${prefix}${++this.aliasCounter}`;
  }

  /** Shop-local today as a date. */
  private get today(): string {
    return `(${this.nowSql} AT TIME ZONE ${this.tzSql})::date`;
  }

  /** The first instant of the shop-local day `offset` days before today. */
  dayStart(offset: number): string {
    return `((${this.today} - ${this.add(offset, "int")})::timestamp AT TIME ZONE ${this.tzSql})`;
  }

  /** The first instant of a shop-local calendar date, plus `plusDays`. */
  dateStart(isoDate: string, plusDays = 0): string {
    const d = this.add(isoDate, "date");
    return `((${plusDays ? `${d} + ${plusDays}` : d})::timestamp AT TIME ZONE ${this.tzSql})`;
  }

  /** `t` moved by `days` shop-local calendar days (DST-safe, independent of the session zone). */
  plusLocalDays(t: string, days: number): string {
    return `((${t} AT TIME ZONE ${this.tzSql}) + make_interval(days => ${this.add(days, "int")})) AT TIME ZONE ${this.tzSql}`;
  }

  /**
   * `t` is at most `days` shop-local calendar days after `from`. A plain interval bound first
   * (two days wider than any offset change, so it never drops a row) is cheap, usable as an
   * index range, and spares most rows the two time zone conversions of the exact bound.
   */
  withinLocalDays(t: string, from: string, days: number): string[] {
    return [`${t} <= ${from} + make_interval(hours => ${this.add(24 * (days + 2), "int")})`, `${t} <= ${this.plusLocalDays(from, days)}`];
  }

  /** Conjuncts restricting a timestamptz column to a window; empty for all time. */
  window(col: string, w: TimeWindow): string[] {
    const r = dayRange(w);
    switch (r.kind) {
      case "all_time":
        return [];
      case "relative": {
        const out: string[] = [];
        if (r.maxOffset !== null) out.push(`${col} >= ${this.dayStart(r.maxOffset)}`);
        if (r.minOffset !== null) out.push(`${col} < ${this.dayStart(r.minOffset - 1)}`);
        return out;
      }
      case "absolute": {
        const out: string[] = [];
        if (r.from) out.push(`${col} >= ${this.dateStart(r.from)}`);
        if (r.to) out.push(`${col} < ${this.dateStart(r.to, 1)}`);
        return out;
      }
      default:
        return assertNever(r, "day range");
    }
  }
}

export function and(parts: string[]): string {
  return parts.length === 0 ? "true" : parts.length === 1 ? parts[0] : `(${parts.join(" AND ")})`;
}

/** Two-valued logic: a comparison on a NULL is false, so NOT groups include unknowns. */
export function truthy(p: string): string {
  return `coalesce(${p}, false)`;
}
