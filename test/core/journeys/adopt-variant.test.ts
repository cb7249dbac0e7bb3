import { describe, expect, it } from "vitest";
import { adoptVariant } from "../../../core/journeys/adopt-variant";
import { edges } from "../../../core/journeys/graph";
import type { JourneyInput } from "../../../core/journeys/schema";
import { validateJourney } from "../../../core/journeys/validate";
import { journey } from "./journey-fixtures";

type Nodes = JourneyInput["nodes"];
// Informational sends: pruning does not depend on purpose, and these graphs need no holdout.
const send = (id: string, next: string) => ({ id, type: "send" as const, channel: "email" as const, contentId: id, purpose: "informational" as const, next });
const wait = (id: string, next: string) => ({ id, type: "wait" as const, duration: { amount: 1, unit: "days" as const }, next });
const split = (id: string, branches: Record<string, string>) => ({
  id, type: "ab_split" as const, variants: Object.entries(branches).map(([key, next]) => ({ key, weight: 1, next })),
});
const exit = { id: "x", type: "exit" as const };

describe("adoptVariant", () => {
  it.each<{ why: string; nodes: Nodes; start?: string; node: string; variant: string; expectStart: string; expectNodes: string[]; check?: (nodes: Nodes) => void }>([
    {
      why: "split at the start: the chosen branch becomes the start",
      nodes: [split("s", { a: "sa", b: "sb" }), send("sa", "x"), send("sb", "x"), exit],
      node: "s", variant: "b", expectStart: "sb", expectNodes: ["sb", "x"],
    },
    {
      why: "split in the middle: the condition now leads to the winner; a node both branches share is kept",
      nodes: [
        { id: "c", type: "condition", conditionId: "consented", yes: "s", no: "x" },
        split("s", { a: "sa", b: "sb" }), send("sa", "w"), send("sb", "w"), wait("w", "last"), send("last", "x"), exit,
      ],
      node: "s", variant: "a", expectStart: "c", expectNodes: ["c", "sa", "w", "last", "x"],
      check: (nodes) => expect(nodes.find((n) => n.id === "c")).toMatchObject({ yes: "sa", no: "x" }),
    },
    {
      why: "the losing branch's own steps are pruned",
      nodes: [
        send("first", "s"), split("s", { a: "sa", b: "sb" }), send("sa", "x"),
        send("sb", "wb"), wait("wb", "sb2"), send("sb2", "x"), exit,
      ],
      node: "s", variant: "a", expectStart: "first", expectNodes: ["first", "sa", "x"],
      check: (nodes) => expect(nodes.find((n) => n.id === "first")).toMatchObject({ next: "sa" }),
    },
    {
      why: "a losing-branch step still reached from elsewhere is kept",
      nodes: [
        { id: "c", type: "condition", conditionId: "vip", yes: "s", no: "sb" },
        split("s", { a: "sa", b: "sb" }), send("sa", "x"), send("sb", "x"), exit,
      ],
      node: "s", variant: "a", expectStart: "c", expectNodes: ["c", "sa", "sb", "x"],
    },
    {
      why: "every kind of pointer to the split is moved: onEvent, onTimeout, another split's variants",
      nodes: [
        { id: "e", type: "wait_for_event", event: "clicked", timeout: { amount: 2, unit: "days" }, onEvent: "outer", onTimeout: "s" },
        split("outer", { p: "s", q: "s" }),
        split("s", { a: "sa", b: "sb", c: "sc" }), send("sa", "x"), send("sb", "x"), send("sc", "x"), exit,
      ],
      node: "s", variant: "c", expectStart: "e", expectNodes: ["e", "outer", "sc", "x"],
      check: (nodes) => {
        expect(nodes.find((n) => n.id === "e")).toMatchObject({ onEvent: "outer", onTimeout: "sc" });
        expect(nodes.find((n) => n.id === "outer")).toMatchObject({ variants: [{ key: "p", next: "sc" }, { key: "q", next: "sc" }] });
      },
    },
    {
      why: "a loop back through the split (after a wait) is rewired to the winner",
      nodes: [split("s", { a: "sa", b: "sb" }), send("sa", "w"), wait("w", "s"), send("sb", "x"), exit],
      node: "s", variant: "a", expectStart: "sa", expectNodes: ["sa", "w"],
      check: (nodes) => expect(nodes.find((n) => n.id === "w")).toMatchObject({ next: "sa" }),
    },
  ])("$why", ({ nodes, start, node, variant, expectStart, expectNodes, check }) => {
    const before = journey(nodes, start ? { startNodeId: start } : {});
    expect(validateJourney(before).ok).toBe(true);
    const snapshot = structuredClone(before);
    const r = adoptVariant(before, node, variant);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.startNodeId).toBe(expectStart);
    expect(r.value.nodes.map((n) => n.id)).toEqual(expectNodes);
    // Nothing points at the removed split any more, and the result is publishable.
    expect(r.value.nodes.flatMap((n) => edges(n).map((e) => e.to))).not.toContain(node);
    const valid = validateJourney(r.value);
    expect(valid.ok ? [] : valid.error).toEqual([]);
    // Everything but the graph is carried over; the input is left as it was.
    expect({ ...r.value, nodes: [], startNodeId: "" }).toEqual({ ...before, nodes: [], startNodeId: "" });
    expect(before).toEqual(snapshot);
    check?.(r.value.nodes);
  });

  const base = journey([send("first", "s"), split("s", { a: "sa", b: "sb" }), send("sa", "x"), send("sb", "x"), exit]);
  // Drafts may leave a variant unfinished; there is nothing to adopt there.
  const draftWithGap = journey([
    { id: "s", type: "ab_split", variants: [{ key: "a", weight: 1, next: "sa" }, { key: "b", weight: 1 }] }, send("sa", "x"), exit,
  ]);
  it.each([
    { why: "unknown node", j: base, node: "nope", variant: "a", kind: "unknown_node", msg: /no node "nope"/ },
    { why: "not an A/B split", j: base, node: "first", variant: "a", kind: "not_ab_split", msg: /"first" is a send step/ },
    { why: "unknown variant", j: base, node: "s", variant: "z", kind: "unknown_variant", msg: /no variant "z" \(it has "a", "b"\)/ },
    { why: "variant leading nowhere", j: draftWithGap, node: "s", variant: "b", kind: "variant_without_next", msg: /does not lead to a step/ },
  ])("refuses: $why", ({ j, node, variant, kind, msg }) => {
    const r = adoptVariant(j, node, variant);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe(kind);
    expect(r.error.message).toMatch(msg);
  });
});
