// What a draft save changed (core/journeys/draft-diff.ts), as the audit log records it.
import { describe, expect, it } from "vitest";
import { diffDrafts, isUnchanged } from "../../../core/journeys/draft-diff";

const base = {
  name: "J", trigger: { kind: "order_placed" }, startNodeId: "a",
  nodes: [{ id: "a", type: "wait", duration: { amount: 1, unit: "days" }, next: "b" }, { id: "b", type: "exit" }],
  layout: { a: { x: 0, y: 0 } },
};

describe("diffDrafts", () => {
  it.each([
    ["nothing", base, { fields: [], nodesAdded: [], nodesRemoved: [], nodesChanged: [] }],
    ["key order only", { layout: base.layout, nodes: base.nodes.map((n) => Object.fromEntries(Object.entries(n).reverse())), startNodeId: "a", trigger: base.trigger, name: "J" },
      { fields: [], nodesAdded: [], nodesRemoved: [], nodesChanged: [] }],
    ["a journey field", { ...base, trigger: { kind: "custom_event", name: "x" } }, { fields: ["trigger"], nodesAdded: [], nodesRemoved: [], nodesChanged: [] }],
    ["a field removed", { ...base, layout: undefined }, { fields: ["layout"], nodesAdded: [], nodesRemoved: [], nodesChanged: [] }],
    ["a node edited, one added", { ...base, nodes: [{ ...base.nodes[0], duration: { amount: 2, unit: "days" } }, base.nodes[1], { id: "c", type: "exit" }] },
      { fields: [], nodesAdded: ["c"], nodesRemoved: [], nodesChanged: ["a"] }],
    ["a node renamed", { ...base, startNodeId: "first", nodes: [{ ...base.nodes[0], id: "first" }, base.nodes[1]] },
      { fields: ["startNodeId"], nodesAdded: ["first"], nodesRemoved: ["a"], nodesChanged: [] }],
  ])("%s", (_name, after, want) => {
    expect(diffDrafts(base, after)).toEqual(want);
  });

  it("copes with drafts that are not journeys yet: a node without an id is still counted", () => {
    expect(diffDrafts(null, { nodes: [{ type: "exit" }] })).toEqual({ fields: [], nodesAdded: ["#0"], nodesRemoved: [], nodesChanged: [] });
    expect(diffDrafts({}, { name: "x" })).toEqual({ fields: ["name"], nodesAdded: [], nodesRemoved: [], nodesChanged: [] });
    expect(isUnchanged(diffDrafts(base, JSON.parse(JSON.stringify(base))))).toBe(true);
    expect(isUnchanged(diffDrafts(base, { ...base, name: "K" }))).toBe(false);
  });
});
