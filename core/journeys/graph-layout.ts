// A journey definition as a drawable graph and back: one graph node per journey node plus one
// for the trigger, one labelled source handle per outcome (next, yes/no, event/timeout, each
// A/B arm), one edge per outcome that points somewhere; and a deterministic layered layout.
// The visual editor (app/components/journeys/JourneyCanvas.tsx) edits drafts through these
// functions, so a draft may be incomplete: unknown node kinds and missing fields are carried
// through untouched. Positions live in the definition's optional `layout` field.
import type { JourneyInput, NodeType } from "./schema";
import { HOLDOUT_DEFAULT_PERCENT } from "./validate";

/** The graph node standing for the trigger; its one outcome leads to startNodeId. */
export const TRIGGER_NODE_ID = "$trigger";
export const START_HANDLE = "start";

export type Position = { x: number; y: number };
type Loose = Record<string, unknown>;
/** A journey node as a draft may hold it: a type, an id, and whatever else. */
export type DraftNode = Loose & { id: string; type: string };
/** A draft journey: any object; the fields the graph needs are read defensively. */
export type DraftJourney = Loose;

export interface Outcome {
  /** The handle id, equal to the outcome name in core/journeys/graph.ts ("next", "yes", "variant:a"). */
  handle: string;
  label: string;
  to: string | undefined;
}

export interface GraphNode {
  id: string;
  /** A node type, or "trigger" for TRIGGER_NODE_ID. */
  kind: NodeType | "trigger" | string;
  position: Position;
  outcomes: Outcome[];
  /** The journey node itself (the trigger's definition for the trigger node). */
  data: Loose;
}

export interface GraphEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
}

export interface JourneyGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** True when positions came from (and should be written back to) the definition's layout. */
  positioned: boolean;
}

export const NODE_KINDS: readonly NodeType[] = [
  "send", "wait", "wait_until_local", "wait_for_event", "condition", "ab_split", "holdout", "offer",
  "update_customer", "webhook", "notify_merchant", "exit",
];

export const NODE_KIND_LABELS: Record<NodeType, string> = {
  send: "Send message",
  wait: "Wait",
  wait_until_local: "Wait until local time",
  wait_for_event: "Wait for event",
  condition: "Branch (condition)",
  ab_split: "A/B split",
  holdout: "Holdout",
  offer: "Offer",
  update_customer: "Update customer",
  webhook: "Webhook",
  notify_merchant: "Notify merchant",
  exit: "Exit",
};

const isObj = (v: unknown): v is Loose => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The draft's nodes that have at least an id and a type. */
export function draftNodes(def: DraftJourney): DraftNode[] {
  const nodes = Array.isArray(def.nodes) ? def.nodes : [];
  return nodes.filter((n): n is DraftNode => isObj(n) && typeof n.id === "string" && typeof n.type === "string");
}

/** The outcomes of a node, in the order core/journeys/graph.ts lists them. */
export function outcomesOf(node: DraftNode): Outcome[] {
  switch (node.type) {
    case "wait":
    case "wait_until_local":
    case "send":
    case "offer":
    case "update_customer":
    case "webhook":
    case "notify_merchant":
      return [{ handle: "next", label: "next", to: str(node.next) }];
    case "holdout":
      // Control customers leave here; only the treatment group goes on.
      return [{ handle: "next", label: "treatment", to: str(node.next) }];
    case "wait_for_event":
      return [{ handle: "onEvent", label: "event", to: str(node.onEvent) }, { handle: "onTimeout", label: "timeout", to: str(node.onTimeout) }];
    case "condition":
      return [{ handle: "yes", label: "true", to: str(node.yes) }, { handle: "no", label: "false", to: str(node.no) }];
    case "ab_split": {
      const variants = Array.isArray(node.variants) ? node.variants.filter(isObj) : [];
      return variants.map((v) => ({ handle: `variant:${String(v.key ?? "")}`, label: `${String(v.key ?? "?")} (${String(v.weight ?? "?")})`, to: str(v.next) }));
    }
    default:
      return [];
  }
}

/** The node with one outcome pointed at `to` (undefined: unconnected). Unknown outcomes change nothing. */
export function setOutcome<N extends DraftNode>(node: N, handle: string, to: string | undefined): N {
  const put = (o: Loose, key: string): Loose => {
    const copy = { ...o };
    if (to === undefined) delete copy[key];
    else copy[key] = to;
    return copy;
  };
  if (handle.startsWith("variant:") && node.type === "ab_split" && Array.isArray(node.variants)) {
    const key = handle.slice("variant:".length);
    return { ...node, variants: node.variants.map((v: unknown) => (isObj(v) && String(v.key ?? "") === key ? put(v, "next") : v)) };
  }
  if (!outcomesOf(node).some((o) => o.handle === handle)) return node;
  return put(node, handle) as N;
}

const triggerOutcome = (def: DraftJourney): Outcome => {
  const start = str(def.startNodeId);
  return { handle: START_HANDLE, label: "start", to: start === "" ? undefined : start };
};

/** The definition as a graph. Positions come from its layout, else from autoLayout. */
export function journeyToGraph(def: DraftJourney): JourneyGraph {
  const nodes = draftNodes(def);
  const saved = isObj(def.layout) ? (def.layout as Record<string, unknown>) : undefined;
  const auto = autoLayout(def);
  const positionOf = (id: string): Position => {
    const p = saved?.[id];
    return isObj(p) && typeof p.x === "number" && typeof p.y === "number" ? { x: p.x, y: p.y } : auto[id];
  };
  const ids = new Set(nodes.map((n) => n.id));
  const graphNodes: GraphNode[] = [
    { id: TRIGGER_NODE_ID, kind: "trigger", position: positionOf(TRIGGER_NODE_ID), outcomes: [triggerOutcome(def)], data: isObj(def.trigger) ? def.trigger : {} },
    ...nodes.map((n) => ({ id: n.id, kind: n.type, position: positionOf(n.id), outcomes: outcomesOf(n), data: n })),
  ];
  const edges: GraphEdge[] = [];
  for (const g of graphNodes) {
    for (const o of g.outcomes) {
      if (o.to !== undefined && ids.has(o.to)) edges.push({ id: edgeId(g.id, o.handle), source: g.id, sourceHandle: o.handle, target: o.to });
    }
  }
  return { nodes: graphNodes, edges, positioned: saved !== undefined };
}

export const edgeId = (source: string, handle: string) => `${source}->${handle}`;

/**
 * The graph as a definition over `base` (the journey's other fields): node data in graph
 * order, every outcome taken from the edges (an outcome whose edge pointed at a node the
 * graph does not hold keeps its value, so an incomplete draft loses nothing), and the
 * positions as layout when the graph is positioned.
 */
export function graphToJourney(base: DraftJourney, graph: JourneyGraph): DraftJourney {
  const ids = new Set(graph.nodes.filter((n) => n.id !== TRIGGER_NODE_ID).map((n) => n.id));
  const byHandle = new Map(graph.edges.map((e) => [edgeId(e.source, e.sourceHandle), e.target]));
  const target = (source: string, o: Outcome): string | undefined => {
    const drawn = byHandle.get(edgeId(source, o.handle));
    if (drawn !== undefined) return drawn;
    // Not drawn: a dangling reference (to a node not on the graph) is the draft's own business.
    return o.to !== undefined && !ids.has(o.to) ? o.to : undefined;
  };
  const out: DraftJourney = { ...base };
  const nodes: Loose[] = [];
  for (const g of graph.nodes) {
    if (g.id === TRIGGER_NODE_ID) {
      const start = target(g.id, triggerOutcome(base));
      if (start !== undefined) out.startNodeId = start;
      else if (str(base.startNodeId) === "") out.startNodeId = "";
      else delete out.startNodeId;
      continue;
    }
    let node = g.data as DraftNode;
    for (const o of outcomesOf(node)) node = setOutcome(node, o.handle, target(g.id, o));
    nodes.push(node);
  }
  if (Array.isArray(base.nodes) || nodes.length > 0) out.nodes = [...nodes, ...nonGraphNodes(base)];
  if (graph.positioned) out.layout = Object.fromEntries(graph.nodes.map((n) => [n.id, { x: n.position.x, y: n.position.y }]));
  else delete out.layout;
  return out;
}

/** Entries of a draft's nodes array the graph cannot show (no id or type): kept as they are. */
function nonGraphNodes(def: DraftJourney): unknown[] {
  return Array.isArray(def.nodes) ? def.nodes.filter((n) => !(isObj(n) && typeof n.id === "string" && typeof n.type === "string")) : [];
}

// ---- editing operations on a draft (what the canvas does) ----

/** A fresh node of a kind, with the schema's fields filled by defaults the merchant then edits. */
export function newNode(kind: NodeType, id: string): DraftNode {
  switch (kind) {
    case "wait": return { id, type: kind, duration: { amount: 1, unit: "days" } };
    case "wait_until_local": return { id, type: kind, localTime: "10:00", weekdays: [0, 1, 2, 3, 4, 5, 6] };
    case "wait_for_event": return { id, type: kind, event: "", timeout: { amount: 3, unit: "days" } };
    case "condition": return { id, type: kind, conditionId: "" };
    case "ab_split": return { id, type: kind, variants: [{ key: "a", weight: 50 }, { key: "b", weight: 50 }] };
    case "holdout": return { id, type: kind, controlPercent: HOLDOUT_DEFAULT_PERCENT };
    case "send": return { id, type: kind, channel: "email", contentId: "", purpose: "promotional", whenCapped: "wait" };
    case "offer": return { id, type: kind, offerId: "" };
    case "update_customer": return { id, type: kind, addTags: [], removeTags: [], properties: {} };
    case "webhook": return { id, type: kind, url: "https://" };
    case "notify_merchant": return { id, type: kind, message: "" };
    case "exit": return { id, type: kind };
  }
}

/** The first free id of the form `<kind>-<n>`. */
export function freeNodeId(def: DraftJourney, kind: string): string {
  const taken = new Set(draftNodes(def).map((n) => n.id));
  const stem = kind.replace(/_/g, "-");
  for (let i = 1; ; i++) if (!taken.has(`${stem}-${i}`)) return `${stem}-${i}`;
}

/** Adds a node at a position; the first node of an empty journey becomes its start. */
export function addNode(def: DraftJourney, node: DraftNode, position: Position): DraftJourney {
  const had = draftNodes(def).length > 0;
  const out = withPositions(def, { [node.id]: position });
  out.nodes = [...(Array.isArray(def.nodes) ? def.nodes : []), node];
  if (!had && !str(def.startNodeId)) out.startNodeId = node.id;
  return out;
}

/** Points one outcome (or the trigger's start) at a node, or disconnects it (to undefined). */
export function connect(def: DraftJourney, source: string, handle: string, to: string | undefined): DraftJourney {
  if (source === TRIGGER_NODE_ID) {
    const out = { ...def };
    if (to === undefined) delete out.startNodeId;
    else out.startNodeId = to;
    return out;
  }
  return mapNode(def, source, (n) => setOutcome(n, handle, to));
}

/** Removes a node, every outcome that pointed at it, and its position. */
export function removeNode(def: DraftJourney, id: string): DraftJourney {
  if (id === TRIGGER_NODE_ID) return def;
  const out: DraftJourney = { ...def };
  out.nodes = (Array.isArray(def.nodes) ? def.nodes : []).filter((n) => !(isObj(n) && n.id === id)).map((n) => {
    if (!(isObj(n) && typeof n.id === "string" && typeof n.type === "string")) return n;
    let node = n as DraftNode;
    for (const o of outcomesOf(node)) if (o.to === id) node = setOutcome(node, o.handle, undefined);
    return node;
  });
  if (def.startNodeId === id) delete out.startNodeId;
  if (isObj(def.layout)) {
    const layout = { ...(def.layout as Loose) };
    delete layout[id];
    out.layout = layout;
  }
  return out;
}

/** Replaces one node (renaming it renames every reference and its position). */
export function replaceNode(def: DraftJourney, id: string, next: DraftNode): DraftJourney {
  let out = mapNode(def, id, () => next);
  if (next.id !== id) {
    out = { ...out, nodes: draftNodesOrRaw(out).map((n) => {
      if (!(isObj(n) && typeof n.id === "string" && typeof n.type === "string")) return n;
      let node = n as DraftNode;
      for (const o of outcomesOf(node)) if (o.to === id) node = setOutcome(node, o.handle, next.id);
      return node;
    }) };
    if (out.startNodeId === id) out.startNodeId = next.id;
    if (isObj(out.layout) && (out.layout as Loose)[id] !== undefined) {
      const layout = { ...(out.layout as Loose) };
      layout[next.id] = layout[id];
      delete layout[id];
      out.layout = layout;
    }
  }
  return out;
}

const draftNodesOrRaw = (def: DraftJourney): unknown[] => (Array.isArray(def.nodes) ? def.nodes : []);

function mapNode(def: DraftJourney, id: string, f: (n: DraftNode) => DraftNode): DraftJourney {
  return { ...def, nodes: draftNodesOrRaw(def).map((n) => (isObj(n) && n.id === id && typeof n.type === "string" ? f(n as DraftNode) : n)) };
}

/** The draft with these positions saved (every other node keeps its laid-out place). */
export function withPositions(def: DraftJourney, moved: Record<string, Position>): DraftJourney {
  const current = journeyToGraph(def);
  const layout: Record<string, Position> = Object.fromEntries(current.nodes.map((n) => [n.id, n.position]));
  for (const [id, p] of Object.entries(moved)) layout[id] = { x: Math.round(p.x), y: Math.round(p.y) };
  return { ...def, layout };
}

/** The draft re-laid out from scratch (positions saved). */
export function applyAutoLayout(def: DraftJourney): DraftJourney {
  return { ...def, layout: autoLayout(def) };
}

// ---- layout ----

export const LAYER_GAP = 150;
export const COLUMN_GAP = 260;

/**
 * A layered layout, top to bottom: the trigger on layer 0; each node one layer below its
 * deepest predecessor once edges that close a loop (found by depth-first search from the
 * trigger, outcomes in order) are set aside; nodes nothing reaches start their own trees
 * after. An edge that skips layers holds a place in each layer it crosses. Within a layer
 * nodes are ordered by where their predecessors stand (ties in depth-first order), centred on
 * x = 0. Deterministic: the same definition always gives the same positions.
 */
export function autoLayout(def: DraftJourney): Record<string, Position> {
  const nodes = draftNodes(def);
  const byId = new Map<string, DraftNode>();
  for (const n of nodes) if (!byId.has(n.id)) byId.set(n.id, n);
  const succ = (id: string): string[] => {
    if (id === TRIGGER_NODE_ID) {
      const s = triggerOutcome(def).to;
      return s !== undefined && byId.has(s) ? [s] : [];
    }
    const n = byId.get(id);
    return n ? outcomesOf(n).map((o) => o.to).filter((t): t is string => t !== undefined && byId.has(t)) : [];
  };

  // Depth-first (iterative): preorder and the edges that point back into the current path.
  const order = new Map<string, number>();
  const back = new Set<string>();
  const onPath = new Set<string>();
  const visit = (root: string) => {
    if (order.has(root)) return;
    const stack: { id: string; next: string[]; i: number }[] = [];
    const open = (id: string) => { order.set(id, order.size); onPath.add(id); stack.push({ id, next: succ(id), i: 0 }); };
    open(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.i < top.next.length) {
        const w = top.next[top.i++];
        if (onPath.has(w)) back.add(`${top.id}\u0000${w}`);
        else if (!order.has(w)) open(w);
        continue;
      }
      onPath.delete(top.id);
      stack.pop();
    }
  };
  visit(TRIGGER_NODE_ID);
  for (const id of byId.keys()) visit(id);

  // Longest path over the forward edges, in topological order (Kahn, ties by preorder).
  const all = [...order.keys()].sort((a, b) => order.get(a)! - order.get(b)!);
  const forward = (id: string) => succ(id).filter((w) => !back.has(`${id}\u0000${w}`));
  const indeg = new Map(all.map((id) => [id, 0]));
  for (const id of all) for (const w of new Set(forward(id))) indeg.set(w, indeg.get(w)! + 1);
  const layer = new Map<string, number>(all.map((id) => [id, id === TRIGGER_NODE_ID ? 0 : 1]));
  const ready = all.filter((id) => indeg.get(id) === 0);
  while (ready.length > 0) {
    ready.sort((a, b) => order.get(a)! - order.get(b)!);
    const id = ready.shift()!;
    for (const w of new Set(forward(id))) {
      layer.set(w, Math.max(layer.get(w)!, layer.get(id)! + 1));
      indeg.set(w, indeg.get(w)! - 1);
      if (indeg.get(w) === 0) ready.push(w);
    }
  }

  // An edge that skips layers gets a placeholder in each layer it crosses, so it has a
  // column of its own instead of running under the nodes between.
  const rank = new Map<string, number>(all.map((id) => [id, order.get(id)!]));
  const preds = new Map<string, string[]>();
  const addPred = (w: string, v: string) => preds.set(w, [...(preds.get(w) ?? []), v]);
  const layers = new Map<number, string[]>();
  const place = (id: string, l: number) => layers.set(l, [...(layers.get(l) ?? []), id]);
  for (const id of all) place(id, layer.get(id)!);
  for (const id of all) {
    for (const w of new Set(forward(id))) {
      let from = id;
      for (let l = layer.get(id)! + 1; l < layer.get(w)!; l++) {
        const dummy = `\u0000${id}\u0000${w}\u0000${l}`;
        rank.set(dummy, order.get(w)!);
        place(dummy, l);
        addPred(dummy, from);
        from = dummy;
      }
      addPred(w, from);
    }
  }

  // One sweep down: each layer ordered by the mean place of what leads into it (ties: depth-first order).
  const index = new Map<string, number>();
  const out: Record<string, Position> = {};
  for (const l of [...layers.keys()].sort((a, b) => a - b)) {
    const ids = layers.get(l)!;
    const bary = (id: string) => {
      // Every predecessor sits in an earlier layer, already placed.
      const ps = (preds.get(id) ?? []).filter((p) => index.has(p));
      return ps.length === 0 ? Number.POSITIVE_INFINITY : ps.reduce((sum, p) => sum + index.get(p)!, 0) / ps.length;
    };
    const keyed = ids.map((id) => ({ id, b: bary(id), r: rank.get(id)! }));
    keyed.sort((a, b) => (a.b === b.b ? a.r - b.r : a.b < b.b ? -1 : 1));
    keyed.forEach(({ id }, i) => {
      index.set(id, i - (keyed.length - 1) / 2);
      if (!id.startsWith("\u0000")) out[id] = { x: Math.round((i - (keyed.length - 1) / 2) * COLUMN_GAP), y: l * LAYER_GAP };
    });
  }
  return out;
}
