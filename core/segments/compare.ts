// A comparison (schema.ts) applied to one SQL expression of a known field type. The result
// is never NULL: negative operators (neq, not_in, has_none, not_in_window, is_not_set)
// are the exact complement of their positive forms, so customers with unknown values match.
import { assertNever } from "../result";
import type { Comparison, FieldType } from "./schema";
import { and, type Params } from "./sql";

/**
 * How a text column is stored: "lower" / "upper" when every write folds it (core/ingest
 * lower-cases emails and upper-cases country codes), so case-insensitive operators fold only
 * the value, once, instead of calling lower() on every row (the dearest part of a scan).
 */
export type StoredCase = "lower" | "upper" | undefined;

/**
 * `notNull`: the expression is never NULL (a NOT NULL column of the customer row), so a
 * comparison is two-valued already and needs no coalesce under a NOT, which keeps it
 * estimable and cheap.
 */
export function compare(expr: string, type: FieldType, cmp: Comparison, p: Params, stored?: StoredCase, notNull = false): string {
  const not = (positive: Comparison) => `NOT ${p.negate(() => compare(expr, type, positive, p, stored, notNull))}`;
  const truthy = (pred: string) => (notNull ? `(${pred})` : p.truthy(pred));
  // Case-insensitive text: both sides lower-cased, or, for a column stored folded, the value
  // folded the same way.
  const col = stored ? expr : `lower(${expr})`;
  const val = (v: string) => (stored === "lower" ? p.add(v.toLowerCase(), "text") : stored === "upper" ? p.add(v.toUpperCase(), "text") : `lower(${p.add(v, "text")})`);
  switch (cmp.op) {
    case "eq":
      return typeof cmp.value === "number" ? truthy(`${expr} = ${p.add(cmp.value, "numeric")}`) : truthy(`${col} = ${val(cmp.value)}`);
    case "neq":
      return not({ op: "eq", value: cmp.value });
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const sym = { gt: ">", gte: ">=", lt: "<", lte: "<=" }[cmp.op];
      return truthy(`${expr} ${sym} ${p.add(cmp.value, "numeric")}`);
    }
    case "between":
      return truthy(`${expr} BETWEEN ${p.add(cmp.min, "numeric")} AND ${p.add(cmp.max, "numeric")}`);
    case "in": {
      if (type === "number") return truthy(`${expr} = ANY(${p.add(cmp.values.map(Number), "numeric[]")})`);
      // Compared as the enum (validated values), so no per-row cast to text.
      if (type === "consent") return truthy(`${expr} = ANY(${p.add(cmp.values.map(String), '"ConsentState"[]')})`);
      const fold = (v: string | number) => (stored === "upper" ? String(v).toUpperCase() : String(v).toLowerCase());
      return truthy(`${col} = ANY(${p.add(cmp.values.map(fold), "text[]")})`);
    }
    case "not_in":
      return not({ op: "in", values: cmp.values });
    case "contains":
      return truthy(`strpos(${col}, ${val(cmp.value)}) > 0`);
    case "not_contains":
      return not({ op: "contains", value: cmp.value });
    case "starts_with":
      return truthy(`starts_with(${col}, ${val(cmp.value)})`);
    case "ends_with": {
      const v = val(cmp.value);
      return truthy(`right(${col}, char_length(${v})) = ${v}`);
    }
    case "has_any":
      return truthy(`${expr} && ${p.add(cmp.values, "text[]")}`);
    case "has_all":
      return truthy(`${expr} @> ${p.add(cmp.values, "text[]")}`);
    case "has_none":
      return not({ op: "has_any", values: cmp.values });
    case "is_set":
      if (type === "list") return truthy(`cardinality(${expr}) > 0`);
      if (type === "text") return truthy(`${expr} <> ''`);
      return `(${expr} IS NOT NULL)`;
    case "is_not_set":
      return not({ op: "is_set" });
    case "is_true":
      return `(${expr} IS TRUE)`;
    case "is_false":
      return `(${expr} IS NOT TRUE)`;
    case "in_window": {
      // Any bound is false on NULL; an all-time window still needs a value ("has ordered").
      const bounds = p.window(expr, cmp.window);
      return truthy(and(bounds.length ? bounds : [`${expr} IS NOT NULL`]));
    }
    case "not_in_window":
      return not({ op: "in_window", window: cmp.window });
    default:
      return assertNever(cmp, "comparison");
  }
}

/**
 * A comparison on a count of rows matching `fromWhere` ("FROM ... WHERE ..."). "At least
 * one" and "none" become EXISTS / NOT EXISTS, which stop at the first index hit.
 */
export function compareCount(fromWhere: string, cmp: Comparison, p: Params): string {
  const v = "value" in cmp && typeof cmp.value === "number" ? cmp.value : undefined;
  if (v !== undefined) {
    const atLeastOne = (cmp.op === "gte" && v > 0 && v <= 1) || (cmp.op === "gt" && v >= 0 && v < 1);
    const none = (cmp.op === "eq" && v === 0) || (cmp.op === "lt" && v > 0 && v <= 1) || (cmp.op === "lte" && v >= 0 && v < 1);
    if (atLeastOne) return `EXISTS (SELECT 1 ${fromWhere})`;
    if (none) return `NOT EXISTS (SELECT 1 ${fromWhere})`;
  }
  return compare(`(SELECT count(*) ${fromWhere})`, "number", cmp, p);
}
