import { describe, expect, it } from "vitest";
import { PRESET_SEGMENTS } from "../../../core/segments/presets";
import type { SegmentNode } from "../../../core/segments/schema";
import { validateSegment } from "../../../core/segments/validate";

const lapsed: SegmentNode = { kind: "orders", metric: "count", window: { kind: "last_days", days: 90 }, cmp: { op: "eq", value: 0 } };
const tagged = (t: string): SegmentNode => ({ kind: "customer", field: "tags", cmp: { op: "has_any", values: [t] } });
const ref = (id: string): SegmentNode => ({ kind: "in_segment", segment_id: id, member: true });
const nest = (depth: number): SegmentNode => (depth <= 1 ? lapsed : { kind: "not", child: nest(depth - 1) });

const others: Record<string, SegmentNode> = {
  "10": { kind: "and", children: [lapsed, ref("11")] },
  "11": { kind: "or", children: [tagged("vip"), ref("12")] },
  "12": { kind: "not", child: ref("10") },
  "20": tagged("x"),
};
const lookupSegment = (id: string) => others[id];

describe("validateSegment rejects invalid trees, naming the node and the problem", () => {
  const cases: { name: string; tree: unknown; opts?: Parameters<typeof validateSegment>[1]; path: string; message: RegExp }[] = [
    {
      name: "unknown customer field",
      tree: { kind: "and", children: [lapsed, { kind: "customer", field: "shoe_size", cmp: { op: "eq", value: "9" } }] },
      path: "root.children[1]",
      message: /unknown customer field 'shoe_size'/,
    },
    {
      name: "unknown score",
      tree: { kind: "score", field: "karma", cmp: { op: "gt", value: 1 } },
      path: "root",
      message: /unknown score 'karma'/,
    },
    {
      name: "unknown order metric",
      tree: { kind: "or", children: [lapsed, { kind: "orders", metric: "median", cmp: { op: "gt", value: 1 } }] },
      path: "root.children[1]",
      message: /unknown order metric 'median'/,
    },
    {
      name: "numeric operator on a text field",
      tree: { kind: "and", children: [lapsed, { kind: "or", children: [tagged("a"), { kind: "customer", field: "email", cmp: { op: "gt", value: 3 } }] }] },
      path: "root.children[1].children[1]",
      message: /operator 'gt' does not apply to customer field 'email' of type text/,
    },
    {
      name: "text operator on tags list",
      tree: { kind: "customer", field: "tags", cmp: { op: "contains", value: "vip" } },
      path: "root",
      message: /operator 'contains' does not apply/,
    },
    {
      name: "string compared with a number field",
      tree: { kind: "score", field: "clv", cmp: { op: "eq", value: "lots" } },
      path: "root",
      message: /compares with a number/,
    },
    {
      name: "a stage by its label rather than its name",
      tree: { kind: "and", children: [lapsed, { kind: "score", field: "stage", cmp: { op: "eq", value: "At risk" } }] },
      path: "root.children[1]",
      message: /unknown stage "At risk" \(known: new, active, loyal, at_risk, dormant, lost, won_back\)/,
    },
    {
      name: "an RFM group that does not exist, among known ones",
      tree: { kind: "not", child: { kind: "score", field: "rfm_group", cmp: { op: "not_in", values: ["at_risk", "big_spenders"] } } },
      path: "root.child",
      message: /unknown rfm group "big_spenders" \(known: champions/,
    },
    {
      name: "unknown consent state",
      tree: { kind: "customer", field: "email_consent", cmp: { op: "in", values: ["maybe"] } },
      path: "root",
      message: /unknown consent state "maybe"/,
    },
    {
      name: "window operator on a number",
      tree: { kind: "score", field: "p_alive", cmp: { op: "in_window", window: { kind: "last_days", days: 3 } } },
      path: "root",
      message: /operator 'in_window' does not apply/,
    },
    {
      name: "between window with min > max",
      tree: { kind: "not", child: { kind: "orders", metric: "count", window: { kind: "between_days_ago", min: 60, max: 30 }, cmp: { op: "gte", value: 1 } } },
      path: "root.child",
      message: /between 60 and 30 days ago is empty/,
    },
    {
      name: "absolute window from after to",
      tree: { kind: "customer", field: "created_at", cmp: { op: "in_window", window: { kind: "absolute", from: "2025-02-01", to: "2025-01-01" } } },
      path: "root",
      message: /from 2025-02-01 is after to 2025-01-01/,
    },
    {
      name: "absolute window on a non-existent date",
      tree: { kind: "customer", field: "created_at", cmp: { op: "in_window", window: { kind: "absolute", from: "2025-02-30" } } },
      path: "root",
      message: /'2025-02-30' is not a calendar date/,
    },
    {
      name: "absolute window with neither end",
      tree: { kind: "customer", field: "created_at", cmp: { op: "in_window", window: { kind: "absolute" } } },
      path: "root",
      message: /needs from, to or both/,
    },
    {
      name: "zero-day window (shape, zod)",
      tree: { kind: "and", children: [{ kind: "orders", metric: "count", window: { kind: "last_days", days: 0 }, cmp: { op: "eq", value: 0 } }] },
      path: "root.children[0].window.days",
      message: /./,
    },
    {
      name: "unknown node kind (shape, zod)",
      tree: { kind: "and", children: [lapsed, { kind: "xor", children: [] }] },
      path: "root.children[1].kind",
      message: /./,
    },
    {
      name: "between with min > max",
      tree: { kind: "orders", metric: "total_spent", cmp: { op: "between", min: 500, max: 100 } },
      path: "root",
      message: /min 500 is greater than max 100/,
    },
    {
      name: "count compared with a window",
      tree: { kind: "engagement", action: "opened", count: { op: "in_window", window: { kind: "last_days", days: 3 } } },
      path: "root",
      message: /does not apply to count/,
    },
    {
      name: "empty property path segment",
      tree: { kind: "event", name: "viewed", filters: [{ property: "a..b", cmp: { op: "eq", value: "x" } }] },
      path: "root.filters[0]",
      message: /empty segment/,
    },
    {
      name: "list operator on an event property",
      tree: { kind: "sequence", first: { source: "event", name: "viewed", filters: [{ property: "p", cmp: { op: "has_any", values: ["x"] } }] }, then: { source: "order" }, within_days: 3 },
      path: "root.first.filters[0]",
      message: /operator 'has_any' does not apply to an event property/,
    },
    {
      name: "nesting deeper than the limit",
      tree: nest(5),
      opts: { maxDepth: 4 },
      path: "root.child.child.child.child",
      message: /deeper than the limit of 4/,
    },
    {
      name: "direct self reference",
      tree: { kind: "and", children: [lapsed, ref("7")] },
      opts: { segmentId: "7" },
      path: "root.children[1]",
      message: /cycle: 7 → 7/,
    },
    {
      name: "cycle through other segments",
      tree: { kind: "or", children: [tagged("a"), ref("11")] },
      opts: { segmentId: "10", lookupSegment },
      path: "root.children[1]",
      message: /cycle: 10 → 11 → 12 → 10/,
    },
    {
      name: "cycle among referenced segments, new segment",
      tree: ref("12"),
      opts: { lookupSegment },
      path: "root",
      message: /cycle: 12 → 10 → 11 → 12/,
    },
    {
      name: "reference to an unknown segment",
      tree: { kind: "not", child: ref("99") },
      opts: { lookupSegment },
      path: "root.child",
      message: /unknown segment 99/,
    },
    {
      name: "non-numeric segment id (shape)",
      tree: ref("abc"),
      path: "root.segment_id",
      message: /numeric id/,
    },
  ];

  it.each(cases)("$name", ({ tree, opts, path, message }) => {
    const r = validateSegment(tree, opts);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const hit = r.error.find((e) => e.path === path);
    expect(hit, JSON.stringify(r.error)).toBeDefined();
    expect(hit!.message).toMatch(message);
  });
});

describe("validateSegment accepts valid trees", () => {
  const valid: { name: string; tree: SegmentNode; opts?: Parameters<typeof validateSegment>[1] }[] = [
    ...PRESET_SEGMENTS.map((p) => ({ name: `preset ${p.key}`, tree: p.tree })),
    { name: "acyclic reference", tree: ref("20"), opts: { segmentId: "21", lookupSegment } },
    // Stored values are compared case-folded; a substring match is the merchant's choice.
    { name: "a stage in capitals", tree: { kind: "score", field: "stage", cmp: { op: "in", values: ["AT_RISK", "Won_Back"] } } },
    { name: "an RFM group by substring", tree: { kind: "score", field: "rfm_group", cmp: { op: "contains", value: "loyal" } } },
    { name: "depth at the limit", tree: nest(4), opts: { maxDepth: 4 } },
    {
      name: "event with numeric property filter",
      tree: { kind: "event", name: "viewed", filters: [{ property: "price.amount", cmp: { op: "gte", value: 10 } }], window: { kind: "last_days", days: 7 }, count: { op: "gte", value: 2 } },
    },
  ];
  it.each(valid)("$name", ({ tree, opts }) => {
    const r = validateSegment(tree, opts);
    expect(r.ok ? [] : r.error).toEqual([]);
  });

  it("fills defaults (window all time, count at least one)", () => {
    const r = validateSegment({ kind: "engagement", action: "clicked" });
    expect(r.ok && r.value).toEqual({ kind: "engagement", action: "clicked", window: { kind: "all_time" }, count: { op: "gte", value: 1 } });
  });
});
