// The journey <-> graph conversion and the layered layout behind the visual editor: every
// template survives the round trip unchanged, each outcome is its own labelled handle, edits
// keep references consistent, and the layout is deterministic and layered.
import { describe, expect, it } from "vitest";
import { edges as outcomeEdges } from "../../../core/journeys/graph";
import {
  addNode, applyAutoLayout, autoLayout, connect, draftNodes, freeNodeId, graphToJourney, journeyToGraph, LAYER_GAP,
  newNode, NODE_KINDS, outcomesOf, removeNode, replaceNode, START_HANDLE, TRIGGER_NODE_ID, withPositions, type DraftJourney,
} from "../../../core/journeys/graph-layout";
import { JourneySchema, NodeSchema } from "../../../core/journeys/schema";
import { JOURNEY_TEMPLATES } from "../../../core/journeys/templates";
import { HOLDOUT_DEFAULT_PERCENT, validateJourney } from "../../../core/journeys/validate";

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe("journey <-> graph", () => {
  it.each(JOURNEY_TEMPLATES.map((t) => [t.id, t] as const))("round trip of %s is the identity", (_id, template) => {
    const def = clone(template) as DraftJourney;
    const graph = journeyToGraph(def);
    expect(graph.positioned).toBe(false);
    expect(graphToJourney(def, graph)).toStrictEqual(def);
    // With a saved layout the layout survives too, and the graph uses it.
    const laid = applyAutoLayout(def);
    const g2 = journeyToGraph(laid);
    expect(g2.positioned).toBe(true);
    expect(graphToJourney(laid, g2)).toStrictEqual(laid);
    // One edge per connected outcome, plus the trigger's start edge.
    const outcomes = template.nodes.flatMap((n) => outcomeEdges(NodeSchema.parse(n)).filter((e) => e.to !== undefined));
    expect(graph.edges).toHaveLength(outcomes.length + 1);
    expect(graph.edges[0]).toMatchObject({ source: TRIGGER_NODE_ID, target: template.startNodeId });
  });

  it("rebuilds the definition from edges alone", () => {
    for (const t of JOURNEY_TEMPLATES) {
      const def = clone(t) as DraftJourney;
      const graph = journeyToGraph(def);
      // Strip every outcome from the node data: the edges must put them all back.
      const bare = { ...graph, nodes: graph.nodes.map((n) => ({ ...n, data: Object.fromEntries(Object.entries(n.data).filter(([k]) => !["next", "yes", "no", "onEvent", "onTimeout"].includes(k))) })) };
      const back = graphToJourney({ ...def, startNodeId: "" }, bare);
      expect(JourneySchema.parse(back)).toEqual(JourneySchema.parse(def));
    }
  });

  it("gives each outcome its own labelled handle, in the interpreter's order", () => {
    const labels = (n: unknown) => outcomesOf(n as never).map((o) => `${o.handle}=${o.label}`);
    expect(labels({ id: "c", type: "condition", conditionId: "x", yes: "a", no: "b" })).toEqual(["yes=true", "no=false"]);
    expect(labels({ id: "w", type: "wait_for_event", event: "e", timeout: { amount: 1, unit: "days" } })).toEqual(["onEvent=event", "onTimeout=timeout"]);
    expect(labels({ id: "s", type: "ab_split", variants: [{ key: "a", weight: 70 }, { key: "b", weight: 30 }] })).toEqual(["variant:a=a (70)", "variant:b=b (30)"]);
    expect(labels({ id: "h", type: "holdout", controlPercent: 10 })).toEqual(["next=treatment"]);
    expect(labels({ id: "e", type: "exit" })).toEqual([]);
    for (const kind of NODE_KINDS) {
      const n = NodeSchema.parse({ ...newNode(kind, "n"), event: "e", conditionId: "c", offerId: "o" });
      expect(outcomesOf(n as never).map((o) => o.handle)).toEqual(outcomeEdges(n).map((e) => e.outcome));
    }
  });

  it("carries incomplete drafts without losing anything", () => {
    expect(journeyToGraph({}).nodes.map((n) => n.id)).toEqual([TRIGGER_NODE_ID]);
    expect(graphToJourney({}, journeyToGraph({}))).toStrictEqual({});
    const dangling: DraftJourney = { startNodeId: "ghost", nodes: [{ id: "a", type: "wait", next: "nowhere" }, { weird: true }] };
    const g = journeyToGraph(dangling);
    expect(g.edges).toEqual([]);
    expect(graphToJourney(dangling, g)).toStrictEqual(dangling);
  });
});

describe("editing a draft", () => {
  it("adds nodes, connects outcomes, renames and deletes with references kept consistent", () => {
    let d: DraftJourney = { name: "x", trigger: { kind: "order_placed" } };
    const c = newNode("condition", freeNodeId(d, "condition"));
    expect(c.id).toBe("condition-1");
    d = addNode(d, c, { x: 0, y: 150 });
    expect(d.startNodeId).toBe("condition-1");
    d = addNode(d, newNode("exit", "end"), { x: 0, y: 300 });
    d = addNode(d, newNode("send", "mail"), { x: 200, y: 300 });
    expect(d.startNodeId).toBe("condition-1");
    d = connect(d, "condition-1", "yes", "mail");
    d = connect(d, "condition-1", "no", "end");
    d = connect(d, "mail", "next", "end");
    d = replaceNode(d, "condition-1", { ...(draftNodes(d)[0]), id: "vip", conditionId: "email_consented" });
    expect(d.startNodeId).toBe("vip");
    // Informational: a promotional send would also need a holdout before it (tested in validate.test.ts).
    d = replaceNode(d, "mail", { ...draftNodes(d)[2], contentId: "hello", purpose: "informational" });
    const v = validateJourney({ ...d, id: "j", version: 1 });
    expect(v.ok).toBe(true);
    expect(journeyToGraph(d).edges.map((e) => `${e.source}.${e.sourceHandle}->${e.target}`)).toEqual([
      `${TRIGGER_NODE_ID}.start->vip`, "vip.yes->mail", "vip.no->end", "mail.next->end",
    ]);
    expect((d.layout as Record<string, unknown>).vip).toEqual({ x: 0, y: 150 });

    d = removeNode(d, "mail");
    expect(draftNodes(d).map((n) => n.id)).toEqual(["vip", "end"]);
    expect(draftNodes(d)[0]).not.toHaveProperty("yes");
    expect(d.layout).not.toHaveProperty("mail");
    d = connect(d, "vip", "no", undefined);
    expect(draftNodes(d)[0]).not.toHaveProperty("no");
    d = withPositions(d, { end: { x: 12.4, y: 99.6 } });
    expect((d.layout as Record<string, unknown>).end).toEqual({ x: 12, y: 100 });
  });

  it("every new node has the schema's shape; what the merchant must choose is named on the node", () => {
    const mustChoose: Record<string, string> = { wait_for_event: "event", condition: "conditionId", offer: "offerId" };
    for (const kind of NODE_KINDS) {
      const parsed = NodeSchema.safeParse(newNode(kind, "n"));
      if (!mustChoose[kind]) { expect(parsed.success).toBe(true); continue; }
      expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual([mustChoose[kind]]);
      const v = validateJourney({ id: "j", version: 1, name: "j", trigger: { kind: "order_placed" }, startNodeId: "n", nodes: [{ ...newNode(kind, "n") }] });
      expect(v.ok ? [] : v.error.map((e) => e.nodeId)).toContain("n");
    }
  });

  it("a new holdout starts at the default control share, and a palette node never replaces an existing start", () => {
    expect(newNode("holdout", "h")).toEqual({ id: "h", type: "holdout", controlPercent: HOLDOUT_DEFAULT_PERCENT });
    // A new journey's draft starts at its default holdout; nodes added after it leave the start alone.
    const blank: DraftJourney = {
      name: "New", trigger: { kind: "order_placed" }, startNodeId: "holdout",
      nodes: [{ id: "holdout", type: "holdout", controlPercent: HOLDOUT_DEFAULT_PERCENT, next: "end" }, { id: "end", type: "exit" }],
    };
    let d = addNode(blank, newNode("send", freeNodeId(blank, "send")), { x: 0, y: 300 });
    expect(d.startNodeId).toBe("holdout");
    expect(journeyToGraph(d).edges.map((e) => e.id)).toEqual([`${TRIGGER_NODE_ID}->start`, "holdout->next"]);
    // The merchant puts the send behind the holdout's treatment outcome: it then publishes.
    d = connect(d, "holdout", "next", "send-1");
    d = connect(d, "send-1", "next", "end");
    d = replaceNode(d, "send-1", { ...draftNodes(d)[2], contentId: "welcome-back" });
    expect(validateJourney({ id: "j", version: 1, ...d }).ok).toBe(true);
    // Without the holdout in front it is refused, on the send.
    const bare = validateJourney({ id: "j", version: 1, ...connect(d, TRIGGER_NODE_ID, START_HANDLE, "send-1") });
    expect(bare.ok).toBe(false);
    if (!bare.ok) expect(bare.error.filter((e) => e.message.includes("without passing a holdout")).map((e) => e.nodeId)).toEqual(["send-1"]);
  });
});

describe("auto-layout", () => {
  it("is deterministic and puts every node below what leads to it", () => {
    for (const t of JOURNEY_TEMPLATES) {
      const def = clone(t) as DraftJourney;
      const a = autoLayout(def);
      expect(autoLayout(clone(def))).toEqual(a);
      expect(Object.keys(a).sort()).toEqual([TRIGGER_NODE_ID, ...t.nodes.map((n) => n.id)].sort());
      expect(a[TRIGGER_NODE_ID].y).toBe(0);
      const seen = new Set<string>();
      for (const p of Object.values(a)) {
        const key = `${p.x},${p.y}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
      for (const n of t.nodes) {
        for (const e of outcomeEdges(NodeSchema.parse(n))) if (e.to) expect(a[e.to].y).toBeGreaterThan(a[n.id].y);
      }
    }
  });

  it("gives an edge that skips a layer its own column", () => {
    // The canvas test's journey: the branch's false outcome skips the message's layer.
    const def: DraftJourney = {
      startNodeId: "c",
      nodes: [
        { id: "c", type: "condition", conditionId: "x", yes: "s", no: "e" },
        { id: "s", type: "send", channel: "email", contentId: "m", purpose: "promotional", next: "e" },
        { id: "e", type: "exit" },
      ],
    };
    const p = autoLayout(def);
    expect([p.c.y, p.s.y, p.e.y]).toEqual([LAYER_GAP, 2 * LAYER_GAP, 3 * LAYER_GAP]);
    expect(p.s.x).toBeLessThan(p.c.x); // the false edge runs to the right of the message
    expect(p.e.x).toBe(p.c.x);
  });

  it("lays a branch side by side and handles loops and islands", () => {
    const def: DraftJourney = {
      startNodeId: "c",
      nodes: [
        { id: "c", type: "condition", conditionId: "x", yes: "a", no: "b" },
        { id: "a", type: "wait", duration: { amount: 1, unit: "days" }, next: "c" },
        { id: "b", type: "exit" },
        { id: "island", type: "exit" },
      ],
    };
    const p = autoLayout(def);
    expect(p.c.y).toBe(LAYER_GAP);
    expect(p.a.y).toBe(2 * LAYER_GAP);
    expect(p.b.y).toBe(2 * LAYER_GAP);
    expect(p.a.x).toBeLessThan(p.b.x);
    expect(p.island.y).toBe(LAYER_GAP);
  });
});
