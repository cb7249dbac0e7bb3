// Rejects invalid segment trees with messages that name the node (root.children[2].child)
// and what is wrong: shape (zod), unknown fields, operators that do not fit the field's
// type, bad windows, reference cycles through other segments, nesting too deep.
import { err, ok, type Result } from "../result";
import { dayOfIsoDate } from "./local-day";
import {
  CONSENT_STATES,
  CUSTOMER_FIELDS,
  OPERATORS_BY_TYPE,
  ORDER_METRICS,
  SCORE_FIELDS,
  SCORE_VALUES,
  segmentNodeSchema,
  type Comparison,
  type FieldType,
  type PropertyFilter,
  type SegmentNode,
  type Step,
  type TimeWindow,
} from "./schema";

export type ValidationError = { path: string; message: string };

export interface ValidateOptions {
  /** Deepest allowed group nesting; the root is depth 1. */
  maxDepth?: number;
  maxNodes?: number;
  /** The id of the segment being validated, when it is stored: a reference to it is a cycle. */
  segmentId?: string;
  /** Other segments' trees by id; without it references are not followed. */
  lookupSegment?: (id: string) => SegmentNode | undefined;
}

export const DEFAULT_MAX_DEPTH = 8;
export const DEFAULT_MAX_NODES = 200;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "root";
  for (const k of path) out += typeof k === "number" ? `[${k}]` : `.${String(k)}`;
  return out;
}

export function validateSegment(input: unknown, opts: ValidateOptions = {}): Result<SegmentNode, ValidationError[]> {
  const parsed = segmentNodeSchema.safeParse(input);
  if (!parsed.success) {
    return err(parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  }
  const errors: ValidationError[] = [];
  const v = new Checker(errors, opts);
  v.node(parsed.data, "root", 1);
  return errors.length ? err(errors) : ok(parsed.data);
}

/** Property filters accept scalar comparisons only. */
const PROPERTY_OPERATORS = new Set(["eq", "neq", "in", "not_in", "gt", "gte", "lt", "lte", "between", "contains", "not_contains", "starts_with", "ends_with", "is_set", "is_not_set", "is_true", "is_false"]);

class Checker {
  private nodes = 0;
  constructor(
    private errors: ValidationError[],
    private opts: ValidateOptions,
  ) {}

  private fail(path: string, message: string) {
    this.errors.push({ path, message });
  }

  node(n: SegmentNode, path: string, depth: number): void {
    const maxDepth = this.opts.maxDepth ?? DEFAULT_MAX_DEPTH;
    if (depth > maxDepth) return this.fail(path, `nesting is deeper than the limit of ${maxDepth}`);
    if (++this.nodes === (this.opts.maxNodes ?? DEFAULT_MAX_NODES) + 1) {
      this.fail(path, `more than ${this.opts.maxNodes ?? DEFAULT_MAX_NODES} nodes`);
    }
    switch (n.kind) {
      case "and":
      case "or":
        n.children.forEach((c, i) => this.node(c, `${path}.children[${i}]`, depth + 1));
        return;
      case "not":
        return this.node(n.child, `${path}.child`, depth + 1);
      case "customer":
        return this.field(path, "customer field", CUSTOMER_FIELDS, n.field, n.cmp);
      case "score":
        this.field(path, "score", SCORE_FIELDS, n.field, n.cmp);
        return this.knownValues(path, n.field, n.cmp);
      case "orders":
        this.window(path, n.window);
        return this.field(path, "order metric", ORDER_METRICS, n.metric, n.cmp);
      case "discount_codes":
      case "purchased":
        return this.window(path, n.window);
      case "engagement":
        this.window(path, n.window);
        return this.count(path, n.count);
      case "event":
        this.window(path, n.window);
        this.filters(path, n.filters);
        return this.count(path, n.count);
      case "sequence":
        this.window(path, n.window);
        this.step(`${path}.first`, n.first);
        return this.step(`${path}.then`, n.then);
      case "consecutive_days":
        this.window(path, n.window);
        return this.step(`${path}.step`, n.step);
      case "reordered_after_first":
      case "shopify_segment":
      case "journey":
        return;
      case "in_segment":
        return this.reference(path, n.segment_id);
      default: {
        const never: never = n;
        return this.fail(path, `unknown node ${JSON.stringify(never)}`);
      }
    }
  }

  private field(path: string, what: string, catalogue: Record<string, FieldType>, name: string, cmp: Comparison) {
    const type = Object.hasOwn(catalogue, name) ? catalogue[name] : undefined;
    if (!type) return this.fail(path, `unknown ${what} '${name}' (known: ${Object.keys(catalogue).join(", ")})`);
    this.comparison(path, `${what} '${name}'`, type, cmp);
  }

  private comparison(path: string, subject: string, type: FieldType, cmp: Comparison) {
    if (!OPERATORS_BY_TYPE[type].includes(cmp.op)) {
      return this.fail(path, `operator '${cmp.op}' does not apply to ${subject} of type ${type} (allowed: ${OPERATORS_BY_TYPE[type].join(", ")})`);
    }
    const wantNumber = type === "number";
    switch (cmp.op) {
      case "eq":
      case "neq":
        if (wantNumber !== (typeof cmp.value === "number")) {
          this.fail(path, `${subject} compares with a ${wantNumber ? "number" : "string"}, got ${JSON.stringify(cmp.value)}`);
        }
        return;
      case "in":
      case "not_in":
        for (const v of cmp.values) {
          if (wantNumber !== (typeof v === "number")) {
            return this.fail(path, `${subject} compares with ${wantNumber ? "numbers" : "strings"}, got ${JSON.stringify(v)}`);
          }
          if (type === "consent" && !(CONSENT_STATES as readonly unknown[]).includes(v)) {
            return this.fail(path, `unknown consent state ${JSON.stringify(v)} (known: ${CONSENT_STATES.join(", ")})`);
          }
        }
        return;
      case "between":
        if (cmp.min > cmp.max) this.fail(path, `between: min ${cmp.min} is greater than max ${cmp.max}`);
        return;
      case "in_window":
      case "not_in_window":
        return this.window(path, cmp.window);
      default:
        return;
    }
  }

  private knownValues(path: string, field: string, cmp: Comparison) {
    const known = Object.hasOwn(SCORE_VALUES, field) ? SCORE_VALUES[field as keyof typeof SCORE_VALUES] : undefined;
    if (!known) return;
    const values = cmp.op === "eq" || cmp.op === "neq" ? [cmp.value] : cmp.op === "in" || cmp.op === "not_in" ? cmp.values : [];
    // The compiler compares these case-folded, so "AT_RISK" is the same group.
    const unknown = values.find((v) => typeof v === "string" && !known.includes(v.toLowerCase()));
    if (unknown !== undefined) this.fail(path, `unknown ${field.replace("_", " ")} ${JSON.stringify(unknown)} (known: ${known.join(", ")})`);
  }

  private count(path: string, cmp: Comparison) {
    this.comparison(path, "count", "number", cmp);
  }

  private filters(path: string, filters: PropertyFilter[]) {
    filters.forEach((f, i) => {
      const p = `${path}.filters[${i}]`;
      if (f.property.split(".").some((s) => s === "")) this.fail(p, `property path '${f.property}' has an empty segment`);
      if (!PROPERTY_OPERATORS.has(f.cmp.op)) this.fail(p, `operator '${f.cmp.op}' does not apply to an event property`);
      if (f.cmp.op === "between" && f.cmp.min > f.cmp.max) this.fail(p, `between: min ${f.cmp.min} is greater than max ${f.cmp.max}`);
    });
  }

  private step(path: string, s: Step) {
    if (s.source === "event") this.filters(path, s.filters);
  }

  private window(path: string, w: TimeWindow) {
    switch (w.kind) {
      case "between_days_ago":
        if (w.min > w.max) this.fail(path, `window: between ${w.min} and ${w.max} days ago is empty (min > max)`);
        return;
      case "absolute": {
        if (!w.from && !w.to) return this.fail(path, "window: an absolute window needs from, to or both");
        for (const d of [w.from, w.to]) {
          if (d && new Date(dayOfIsoDate(d) * 86_400_000).toISOString().slice(0, 10) !== d) {
            return this.fail(path, `window: '${d}' is not a calendar date`);
          }
        }
        if (w.from && w.to && w.from > w.to) this.fail(path, `window: from ${w.from} is after to ${w.to}`);
        return;
      }
      default:
        return;
    }
  }

  private reference(path: string, id: string) {
    if (id === this.opts.segmentId) return this.fail(path, `segment reference cycle: ${id} → ${id}`);
    const lookup = this.opts.lookupSegment;
    if (!lookup) return;
    if (!lookup(id)) return this.fail(path, `references unknown segment ${id}`);
    const start = this.opts.segmentId === undefined ? [] : [this.opts.segmentId];
    const cycle = findCycle(id, start, lookup, new Set());
    if (cycle) this.fail(path, `segment reference cycle: ${cycle.join(" → ")}`);
  }
}

function referencedSegments(n: SegmentNode, out: string[] = []): string[] {
  if (n.kind === "and" || n.kind === "or") n.children.forEach((c) => referencedSegments(c, out));
  else if (n.kind === "not") referencedSegments(n.child, out);
  else if (n.kind === "in_segment") out.push(n.segment_id);
  return out;
}

/** Depth-first walk of references; returns the first cycle as a list of ids. */
function findCycle(id: string, stack: string[], lookup: (id: string) => SegmentNode | undefined, done: Set<string>): string[] | undefined {
  const at = stack.indexOf(id);
  if (at >= 0) return [...stack.slice(at), id];
  if (done.has(id)) return undefined;
  const tree = lookup(id);
  if (tree) {
    for (const ref of referencedSegments(tree)) {
      const c = findCycle(ref, [...stack, id], lookup, done);
      if (c) return c;
    }
  }
  done.add(id);
  return undefined;
}
