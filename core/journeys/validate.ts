// Publish-time validation: a journey may only go live when its graph is sound. Every error
// names the node (null for journey-level problems) and what is wrong. A draft that does not
// match the schema yet still gets its structural problems (missing or dangling outcomes,
// duplicate ids, unreachable nodes) beside the schema's, so an editor can show them all.
import { err, ok, type Result } from "../result";
import { validateSegment } from "../segments/validate";
import { edges, makesTimePass } from "./graph";
import { JourneySchema, type Journey, type JourneyNode, type NodeType } from "./schema";
import { checkWebhookUrl, type UrlPolicy } from "./webhook-url";

export interface ValidateOptions {
  /** Webhooks to localhost are allowed in development and tests only (the shell says which). */
  allowLocalhostWebhooks?: boolean;
}

/**
 * A holdout's control share: at least 5% (below it the lift estimate needs more customers
 * than most shops ever send a journey to), at most 50% (a control group bigger than the
 * treated one withholds more than it measures). New journeys start at 10%.
 */
export const HOLDOUT_MIN_PERCENT = 5;
export const HOLDOUT_MAX_PERCENT = 50;
export const HOLDOUT_DEFAULT_PERCENT = 10;

export interface ValidationError {
  nodeId: string | null;
  message: string;
  /**
   * The field it is about, as a dotted path inside the node (or the journey when nodeId is
   * null): "url", "segment.children.0.field". Absent when it is about the whole node or graph.
   * Editors show the error beside that field.
   */
  field?: string;
}

export function validateJourney(input: unknown, opts: ValidateOptions = {}): Result<Journey, ValidationError[]> {
  const parsed = JourneySchema.safeParse(input);
  if (!parsed.success) {
    const raw = input as { nodes?: { id?: unknown }[] } | null;
    return err(parsed.error.issues.map((i) => {
      const nodeIdx = i.path[0] === "nodes" && typeof i.path[1] === "number" ? i.path[1] : undefined;
      const id = nodeIdx !== undefined ? raw?.nodes?.[nodeIdx]?.id : undefined;
      const nodeId = typeof id === "string" ? id : null;
      const field = (nodeIdx !== undefined && nodeId !== null ? i.path.slice(2) : i.path).join(".");
      return { nodeId, message: `${i.path.join(".")}: ${i.message}`, ...(field !== "" ? { field } : {}) };
    }).concat(draftStructureErrors(input)));
  }
  const errors = graphErrors(parsed.data, { allowLocalhost: opts.allowLocalhostWebhooks ?? false });
  return errors.length > 0 ? err(errors) : ok(parsed.data);
}

function graphErrors(j: Journey, urls: UrlPolicy): ValidationError[] {
  const { errors, byId } = structureErrors(j.nodes, j.startNodeId);
  for (const n of j.nodes) errors.push(...nodeErrors(n, urls));

  // One condition id, one meaning: two nodes may share an inline condition only if it is the same.
  const trees = new Map<string, string>();
  for (const n of j.nodes) {
    if (n.type !== "condition") continue;
    const tree = JSON.stringify(n.segment ?? null);
    const seen = trees.get(n.conditionId);
    if (seen !== undefined && seen !== tree) errors.push({ nodeId: n.id, message: `condition "${n.conditionId}" is defined differently on another node` });
    else trees.set(n.conditionId, tree);
  }

  errors.push(...instantCycleErrors(j.nodes, byId));
  errors.push(...unmeasuredErrors(j.startNodeId, byId));
  return errors;
}

/** Ids, start, outcomes and reachability: what needs only each node's id, type and outcomes. */
function structureErrors(nodes: readonly JourneyNode[], startNodeId: string | undefined): { errors: ValidationError[]; byId: Map<string, JourneyNode> } {
  const errors: ValidationError[] = [];
  const byId = new Map<string, JourneyNode>();
  for (const n of nodes) {
    if (byId.has(n.id)) errors.push({ nodeId: n.id, message: "duplicate node id" });
    else byId.set(n.id, n);
  }
  if (startNodeId !== undefined && !byId.has(startNodeId)) errors.push({ nodeId: startNodeId, message: "start node does not exist" });

  for (const n of nodes) {
    for (const e of edges(n)) {
      if (e.to === undefined) errors.push({ nodeId: n.id, message: `missing next for outcome "${e.outcome}"` });
      else if (!byId.has(e.to)) errors.push({ nodeId: n.id, message: `outcome "${e.outcome}" points to missing node "${e.to}"` });
    }
  }
  if (startNodeId !== undefined) {
    const reachable = reachableFrom(startNodeId, byId);
    for (const n of byId.values()) {
      if (!reachable.has(n.id)) errors.push({ nodeId: n.id, message: "unreachable from the start node" });
    }
  }
  return { errors, byId };
}

const NODE_TYPES: Record<NodeType, true> = {
  wait: true, wait_until_local: true, wait_for_event: true, condition: true, ab_split: true, holdout: true, send: true,
  offer: true, update_customer: true, webhook: true, notify_merchant: true, exit: true,
};

/**
 * The structural problems of a draft the schema refused: over the nodes that have an id and
 * a known type (their outcome fields read as they stand, each kept only if it is a string).
 */
function draftStructureErrors(input: unknown): ValidationError[] {
  if (typeof input !== "object" || input === null) return [];
  const raw = input as { nodes?: unknown; startNodeId?: unknown };
  if (!Array.isArray(raw.nodes)) return [];
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const nodes: JourneyNode[] = [];
  for (const n of raw.nodes as unknown[]) {
    if (typeof n !== "object" || n === null) continue;
    const o = n as Record<string, unknown>;
    if (typeof o.id !== "string" || o.id === "" || typeof o.type !== "string" || !(o.type in NODE_TYPES)) continue;
    const variants = Array.isArray(o.variants)
      ? o.variants.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null).map((v) => ({ key: String(v.key ?? ""), weight: 1, next: str(v.next) }))
      : [];
    // Only what edges() reads: the outcome fields (and variants) of the node's kind.
    nodes.push({ id: o.id, type: o.type, next: str(o.next), onEvent: str(o.onEvent), onTimeout: str(o.onTimeout), yes: str(o.yes), no: str(o.no), variants } as unknown as JourneyNode);
  }
  return structureErrors(nodes, str(raw.startNodeId)).errors;
}

/** Does this node market to the customer (what a holdout's control group must not get)? */
function isMarketing(n: JourneyNode): boolean {
  return (n.type === "send" && n.purpose === "promotional") || n.type === "offer";
}

/**
 * Every journey keeps a holdout: each promotional send or offer must lie behind a holdout on
 * every path from the start, so its control group gets nothing and lift can be measured.
 * Walks the graph from the start without entering holdouts; a marketing node reached that
 * way is unmeasured. Journeys that only inform (receipts, surveys) need no holdout.
 */
function unmeasuredErrors(start: string, byId: Map<string, JourneyNode>): ValidationError[] {
  const seen = new Set<string>();
  const stack = byId.has(start) ? [start] : [];
  const errors: ValidationError[] = [];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const n = byId.get(id)!;
    if (n.type === "holdout") continue;
    if (isMarketing(n)) {
      errors.push({ nodeId: n.id, message: `${n.type === "offer" ? "offer" : "promotional send"} is reached without passing a holdout: every journey keeps a control group (${HOLDOUT_MIN_PERCENT}-${HOLDOUT_MAX_PERCENT}%, ${HOLDOUT_DEFAULT_PERCENT}% by default) before its first marketing step, to measure lift` });
      continue;
    }
    for (const e of edges(n)) if (e.to !== undefined && byId.has(e.to)) stack.push(e.to);
  }
  return errors;
}

function nodeErrors(n: JourneyNode, urls: UrlPolicy): ValidationError[] {
  const out: ValidationError[] = [];
  const bad = (message: string, field?: string) => out.push({ nodeId: n.id, message, ...(field ? { field } : {}) });
  switch (n.type) {
    case "send":
      if (n.contentId.trim() === "") bad("send has no content");
      if (n.fallbackChannel === n.channel) bad("fallback channel is the same as the channel");
      break;
    case "ab_split": {
      if (n.variants.length < 2) bad("A/B split needs at least two variants");
      const keys = new Set<string>();
      for (const v of n.variants) {
        if (!Number.isInteger(v.weight) || v.weight <= 0) bad(`variant "${v.key}" weight must be a positive integer`);
        if (keys.has(v.key)) bad(`duplicate variant key "${v.key}"`);
        keys.add(v.key);
      }
      break;
    }
    case "holdout":
      if (!(n.controlPercent >= HOLDOUT_MIN_PERCENT && n.controlPercent <= HOLDOUT_MAX_PERCENT)) {
        bad(`control share must be between ${HOLDOUT_MIN_PERCENT}% and ${HOLDOUT_MAX_PERCENT}% (a smaller control group cannot measure lift)`);
      }
      break;
    case "wait_until_local":
      if (n.weekdays.length === 0) bad("wait until local time needs at least one weekday");
      break;
    case "webhook": {
      const u = checkWebhookUrl(n.url, urls);
      if (!u.ok) bad(u.error, "url");
      break;
    }
    case "notify_merchant": {
      // The Liquid itself is checked on the server (core/journeys/notify.ts) when publishing.
      if (n.message.trim() === "") bad("notification has no message", "message");
      break;
    }
    case "condition":
      if (n.segment) {
        const v = validateSegment(n.segment);
        if (!v.ok) for (const e of v.error) bad(`condition ${e.path}: ${e.message}`, "segment");
      }
      break;
    case "wait":
    case "wait_for_event":
    case "offer":
    case "update_customer":
    case "exit":
      break;
  }
  return out;
}

function reachableFrom(start: string, byId: Map<string, JourneyNode>): Set<string> {
  const seen = new Set<string>();
  const stack = byId.has(start) ? [start] : [];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of edges(byId.get(id)!)) if (e.to !== undefined && byId.has(e.to)) stack.push(e.to);
  }
  return seen;
}

/**
 * Cycles the interpreter could run round without time passing. Edges out of nodes that make
 * time pass are cut; any strongly connected component left with a cycle is instantaneous.
 */
function instantCycleErrors(nodes: readonly JourneyNode[], byId: Map<string, JourneyNode>): ValidationError[] {
  const succ = (id: string): string[] => {
    const n = byId.get(id)!;
    if (makesTimePass(n)) return [];
    return edges(n).map((e) => e.to).filter((to): to is string => to !== undefined && byId.has(to));
  };
  const errors: ValidationError[] = [];
  for (const scc of stronglyConnected([...byId.keys()], succ)) {
    const cyclic = scc.length > 1 || succ(scc[0]).includes(scc[0]);
    if (!cyclic) continue;
    const ordered = nodes.map((n) => n.id).filter((id) => scc.includes(id));
    const zeroWaits = ordered.filter((id) => {
      const t = byId.get(id)!.type;
      return t === "wait" || t === "wait_for_event";
    });
    if (zeroWaits.length > 0) {
      for (const id of zeroWaits) errors.push({ nodeId: id, message: `zero wait on a loop (${ordered.join(" -> ")})` });
    } else {
      errors.push({ nodeId: ordered[0], message: `cycle without a wait: ${ordered.join(" -> ")}` });
    }
  }
  return errors;
}

/** Tarjan's algorithm, iterative so deep graphs cannot overflow the stack. */
function stronglyConnected(ids: readonly string[], succ: (id: string) => string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>(), low = new Map<string, number>();
  const onStack = new Set<string>(), stack: string[] = [], out: string[][] = [];
  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; next: string[]; i: number }[] = [];
    const open = (id: string) => {
      index.set(id, counter); low.set(id, counter); counter++;
      stack.push(id); onStack.add(id);
      work.push({ id, next: succ(id), i: 0 });
    };
    open(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      if (top.i < top.next.length) {
        const w = top.next[top.i++];
        if (!index.has(w)) open(w);
        else if (onStack.has(w)) low.set(top.id, Math.min(low.get(top.id)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].id;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.id)!));
      }
      if (low.get(top.id) === index.get(top.id)) {
        const comp: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); comp.push(w); } while (w !== top.id);
        out.push(comp);
      }
    }
  }
  return out;
}
