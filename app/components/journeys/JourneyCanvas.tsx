// The journey as a graph canvas (@xyflow/react), client-only: the route loads this module
// lazily after hydration (its stylesheet comes with the chunk). The draft stays the one source of truth: every gesture (add from the
// palette, drag a node, drag from an outcome handle to a node, delete) becomes a draft edit
// through core/journeys/graph-layout.ts, and the canvas is redrawn from the draft. Problems
// from the publish validation are drawn on the node they name.
import {
  Background, Controls, Handle, MarkerType, Position, ReactFlow, ReactFlowProvider, applyNodeChanges, useReactFlow,
  type Connection, type Edge, type EdgeChange, type Node, type NodeChange, type NodeProps,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { BlockStack, Button, InlineStack, Text } from "@shopify/polaris";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  addNode, applyAutoLayout, connect, freeNodeId, journeyToGraph, LAYER_GAP, newNode, NODE_KIND_LABELS, NODE_KINDS, removeNode,
  TRIGGER_NODE_ID, withPositions, type DraftJourney, type GraphNode, type Outcome,
} from "../../../core/journeys/graph-layout";
import type { NodeType } from "../../../core/journeys/schema";

export type Selection = { kind: "node"; id: string } | { kind: "edge"; id: string } | null;

export interface JourneyCanvasProps {
  draft: DraftJourney;
  /** Problems by graph node id (TRIGGER_NODE_ID for the journey's own). */
  errors: ReadonlyMap<string, string[]>;
  selection: Selection;
  onSelect: (s: Selection) => void;
  onChange: (d: DraftJourney) => void;
  /** Display names for the ids nodes hold (segments, messages, offers). */
  names?: ReadonlyMap<string, string>;
}

type FlowData = { kind: string; title: string; label: string; summary: string; outcomes: Outcome[]; errors: string[] };
type FlowNode = Node<FlowData, "journey">;

const NODE_WIDTH = 210;

const str = (v: unknown) => (typeof v === "string" ? v : "");
const dur = (v: unknown) => {
  const d = v as { amount?: unknown; unit?: unknown } | undefined;
  return d && typeof d === "object" ? `${String(d.amount ?? "?")} ${String(d.unit ?? "")}` : "?";
};

/** One line saying what the node does. */
function summary(g: GraphNode, names: ReadonlyMap<string, string>): string {
  const n = g.data;
  const name = (v: unknown) => (typeof v === "string" ? names.get(v) ?? v : "");
  switch (g.kind) {
    case "trigger": return [str(n.kind).replace(/_/g, " ") || "no trigger yet", name(n.segmentId) || str(n.name)].filter(Boolean).join(": ");
    case "send": return `${str(n.channel)} · ${name(n.contentId) || "no message"}`;
    case "wait": return dur(n.duration);
    case "wait_until_local": return `until ${str(n.localTime)}`;
    case "wait_for_event": return `${str(n.event) || "no event"} or ${dur(n.timeout)}`;
    case "condition": return n.segment ? "custom condition" : name(n.conditionId) || "no condition";
    case "ab_split": return `${Array.isArray(n.variants) ? n.variants.length : 0} variants`;
    case "holdout": return `${String(n.controlPercent ?? "?")}% control`;
    case "offer": return name(n.offerId) || "no offer";
    case "webhook": return str(n.url);
    case "notify_merchant": return str(n.message) || "no message";
    case "update_customer": return `tags +${Array.isArray(n.addTags) ? n.addTags.length : 0} −${Array.isArray(n.removeTags) ? n.removeTags.length : 0}`;
    default: return "";
  }
}

function JourneyNodeView({ id, data, selected }: NodeProps<FlowNode>) {
  const invalid = data.errors.length > 0;
  const n = data.outcomes.length;
  return (
    <div data-editor-node={id} data-node-kind={data.kind} data-node-state={invalid ? "invalid" : "valid"}
      style={{
        width: NODE_WIDTH, boxSizing: "border-box", background: data.kind === "trigger" ? "#f1f8f5" : "#fff", borderRadius: 10,
        border: `2px solid ${invalid ? "#c70a24" : selected ? "#005bd3" : "#c9cccf"}`, padding: "8px 10px", paddingBottom: n > 0 ? 22 : 8,
        fontSize: 12, lineHeight: 1.35, position: "relative", boxShadow: selected ? "0 0 0 3px rgba(0,91,211,.2)" : undefined,
      }}>
      {data.kind !== "trigger" && <Handle type="target" position={Position.Top} id="in" />}
      <div style={{ fontWeight: 650 }}>{data.title}</div>
      {data.label && <div data-node-label style={{ fontStyle: "italic" }}>{data.label}</div>}
      <div style={{ color: "#616161" }}>{id === TRIGGER_NODE_ID ? "" : id}</div>
      {data.summary && <div style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>{data.summary}</div>}
      {invalid && (
        <ul data-node-errors style={{ margin: "4px 0 0", paddingLeft: 14, color: "#c70a24" }}>
          {data.errors.slice(0, 2).map((e, i) => <li key={i}>{e}</li>)}
          {data.errors.length > 2 && <li>{`${data.errors.length - 2} more (see the form)`}</li>}
        </ul>
      )}
      {data.outcomes.map((o, i) => {
        const left = `${((i + 1) / (n + 1)) * 100}%`;
        return (
          <div key={o.handle}>
            <span data-outcome-label={o.handle} style={{ position: "absolute", bottom: 4, left, transform: "translateX(-50%)", fontSize: 10, color: "#4a4a4a", whiteSpace: "nowrap" }}>{o.label}</span>
            <Handle type="source" position={Position.Bottom} id={o.handle} style={{ left, width: 12, height: 12, background: "#005bd3" }} />
          </div>
        );
      })}
    </div>
  );
}

const NODE_TYPES = { journey: JourneyNodeView };

function toFlowNodes(
  draft: DraftJourney, errors: ReadonlyMap<string, string[]>, selection: Selection, names: ReadonlyMap<string, string>, prev: readonly FlowNode[],
): FlowNode[] {
  const before = new Map(prev.map((n) => [n.id, n]));
  return journeyToGraph(draft).nodes.map((g) => ({
    ...before.get(g.id),
    id: g.id,
    type: "journey" as const,
    position: g.position,
    deletable: g.id !== TRIGGER_NODE_ID,
    selected: selection?.kind === "node" && selection.id === g.id,
    data: {
      kind: g.kind,
      title: g.kind === "trigger" ? "Trigger" : NODE_KIND_LABELS[g.kind as NodeType] ?? g.kind,
      label: g.kind !== "trigger" && typeof g.data.label === "string" ? g.data.label : "",
      summary: summary(g, names),
      outcomes: g.outcomes,
      errors: errors.get(g.id) ?? [],
    },
  }));
}

const NO_NAMES: ReadonlyMap<string, string> = new Map();

function Canvas({ draft, errors, selection, onSelect, onChange, names = NO_NAMES }: JourneyCanvasProps) {
  const flow = useReactFlow<FlowNode, Edge>();
  const wrapper = useRef<HTMLDivElement>(null);
  const [nodes, setNodes] = useState<FlowNode[]>(() => toFlowNodes(draft, errors, selection, names, []));
  useEffect(() => setNodes((prev) => toFlowNodes(draft, errors, selection, names, prev)), [draft, errors, selection, names]);

  const graph = useMemo(() => journeyToGraph(draft), [draft]);
  const edges: Edge[] = useMemo(() => graph.edges.map((e) => {
    const from = graph.nodes.find((n) => n.id === e.source);
    const outcome = from?.outcomes.find((o) => o.handle === e.sourceHandle);
    return {
      id: e.id, source: e.source, sourceHandle: e.sourceHandle, target: e.target, targetHandle: "in",
      label: from && from.outcomes.length > 1 ? outcome?.label : undefined,
      selected: selection?.kind === "edge" && selection.id === e.id,
      markerEnd: { type: MarkerType.ArrowClosed },
    };
  }), [graph, selection]);

  // On opening, fit the first layers so a long journey starts readable at its trigger;
  // "Fit to screen" shows all of it.
  const [initialView] = useState(() => {
    const top = Math.min(...graph.nodes.map((n) => n.position.y));
    return { padding: 0.15, maxZoom: 1, nodes: graph.nodes.filter((n) => n.position.y <= top + 4 * LAYER_GAP).map((n) => ({ id: n.id })) };
  });

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type !== "remove" && c.type !== "select"), ns));
  }, []);
  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    for (const c of changes) if (c.type === "select" && c.selected) onSelect({ kind: "edge", id: c.id });
  }, [onSelect]);

  const deleteSelection = useCallback((nodeIds: string[], edgeIds: string[]) => {
    let d = draft;
    for (const id of edgeIds) {
      const e = graph.edges.find((x) => x.id === id);
      if (e) d = connect(d, e.source, e.sourceHandle, undefined);
    }
    for (const id of nodeIds) d = removeNode(d, id);
    if (d !== draft) { onChange(d); onSelect(null); }
  }, [draft, graph, onChange, onSelect]);

  /** A free spot near the middle of what is on screen, so a new node lands where it is seen. */
  const freeSpot = (): { x: number; y: number } => {
    const r = wrapper.current?.getBoundingClientRect();
    const c = r ? flow.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 3 }) : { x: 0, y: 0 };
    const spot = { x: Math.round(c.x - NODE_WIDTH / 2), y: Math.round(c.y) };
    const taken = graph.nodes.map((n) => n.position);
    for (let i = 0; i < 40 && taken.some((p) => Math.abs(p.x - spot.x) < NODE_WIDTH + 20 && Math.abs(p.y - spot.y) < 110); i++) {
      if (i % 3 === 2) { spot.x -= 2 * (NODE_WIDTH + 30); spot.y += 120; } else spot.x += NODE_WIDTH + 30;
    }
    return spot;
  };

  const add = (kind: NodeType) => {
    const id = freeNodeId(draft, kind);
    onChange(addNode(draft, newNode(kind, id), freeSpot()));
    onSelect({ kind: "node", id });
  };

  const selectedDeletable = selection !== null && !(selection.kind === "node" && selection.id === TRIGGER_NODE_ID);
  return (
    <BlockStack gap="200">
      <div data-palette>
        <InlineStack gap="100" wrap>
          <Text as="span" variant="bodySm" tone="subdued">Add:</Text>
          {NODE_KINDS.map((k) => (
            <Button key={k} size="slim" onClick={() => add(k)} accessibilityLabel={`Add ${NODE_KIND_LABELS[k]}`}>{NODE_KIND_LABELS[k]}</Button>
          ))}
        </InlineStack>
      </div>
      <InlineStack gap="200">
        <Button size="slim" onClick={() => { onChange(applyAutoLayout(draft)); requestAnimationFrame(() => requestAnimationFrame(() => void flow.fitView({ padding: 0.15 }))); }}>Auto-layout</Button>
        <Button size="slim" onClick={() => void flow.fitView({ padding: 0.15 })}>Fit to screen</Button>
        <Button size="slim" tone="critical" disabled={!selectedDeletable}
          onClick={() => selection && deleteSelection(selection.kind === "node" ? [selection.id] : [], selection.kind === "edge" ? [selection.id] : [])}>
          {selection?.kind === "edge" ? "Delete connection" : "Delete node"}
        </Button>
      </InlineStack>
      <div ref={wrapper} data-journey-canvas style={{ height: 680, border: "1px solid #e3e3e3", borderRadius: 8, background: "#fafafa" }}>
        <ReactFlow<FlowNode, Edge>
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={(c: Connection) => { onChange(connect(draft, c.source, c.sourceHandle ?? "next", c.target)); onSelect({ kind: "node", id: c.source }); }}
          isValidConnection={(c) => c.target !== TRIGGER_NODE_ID}
          onNodeClick={(_, n) => onSelect({ kind: "node", id: n.id })}
          onEdgeClick={(_, e) => onSelect({ kind: "edge", id: e.id })}
          onPaneClick={() => onSelect(null)}
          onNodeDragStop={(_, _n, moved) => onChange(withPositions(draft, Object.fromEntries(moved.map((m) => [m.id, m.position]))))}
          onDelete={({ nodes: ns, edges: es }) => deleteSelection(ns.map((n) => n.id), es.map((e) => e.id))}
          deleteKeyCode={["Backspace", "Delete"]}
          fitView
          fitViewOptions={initialView}
          minZoom={0.2}
        >
          <Background />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
    </BlockStack>
  );
}

export default function JourneyCanvas(props: JourneyCanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}
