// Adopting an A/B winner: the split goes away and everyone follows the chosen variant's branch.
// Whatever pointed at the split (the start, any node's outcome) now points where the variant
// led; nodes only the losing branches reached are pruned. The caller publishes the result as a
// new version, so customers already inside keep the version they entered.
import { assertNever, err, ok, type Result } from "../result";
import { edges } from "./graph";
import type { Journey, JourneyNode } from "./schema";

export type AdoptVariantError =
  | { kind: "unknown_node"; nodeId: string; message: string }
  | { kind: "not_ab_split"; nodeId: string; message: string }
  | { kind: "unknown_variant"; nodeId: string; variantKey: string; message: string }
  | { kind: "variant_without_next"; nodeId: string; variantKey: string; message: string };

export function adoptVariant(journey: Journey, nodeId: string, variantKey: string): Result<Journey, AdoptVariantError> {
  const split = journey.nodes.find((n) => n.id === nodeId);
  if (!split) return err({ kind: "unknown_node", nodeId, message: `the journey has no node "${nodeId}"` });
  if (split.type !== "ab_split") {
    return err({ kind: "not_ab_split", nodeId, message: `node "${nodeId}" is a ${split.type} step, not an A/B split` });
  }
  const variant = split.variants.find((v) => v.key === variantKey);
  if (!variant) {
    const known = split.variants.map((v) => `"${v.key}"`).join(", ");
    return err({ kind: "unknown_variant", nodeId, variantKey, message: `A/B split "${nodeId}" has no variant "${variantKey}" (it has ${known})` });
  }
  // A variant leading nowhere (or back into the split itself) leaves nothing to adopt.
  const target = variant.next;
  if (target === undefined || target === nodeId) {
    return err({ kind: "variant_without_next", nodeId, variantKey, message: `variant "${variantKey}" of A/B split "${nodeId}" does not lead to a step` });
  }

  const startNodeId = journey.startNodeId === nodeId ? target : journey.startNodeId;
  const rewired = journey.nodes.filter((n) => n.id !== nodeId).map((n) => retarget(n, nodeId, target));
  const byId = new Map(rewired.map((n) => [n.id, n]));
  const reachable = new Set<string>();
  const stack = [startNodeId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    const node = byId.get(id);
    if (!node || reachable.has(id)) continue;
    reachable.add(id);
    for (const e of edges(node)) if (e.to !== undefined) stack.push(e.to);
  }
  return ok({ ...journey, startNodeId, nodes: rewired.filter((n) => reachable.has(n.id)) });
}

/** The node with every outcome that pointed at `from` pointing at `to` instead. */
function retarget(node: JourneyNode, from: string, to: string): JourneyNode {
  const swap = (id: string | undefined) => (id === from ? to : id);
  switch (node.type) {
    case "wait":
    case "wait_until_local":
    case "holdout":
    case "send":
    case "offer":
    case "update_customer":
    case "webhook":
    case "notify_merchant":
      return { ...node, next: swap(node.next) };
    case "wait_for_event":
      return { ...node, onEvent: swap(node.onEvent), onTimeout: swap(node.onTimeout) };
    case "condition":
      return { ...node, yes: swap(node.yes), no: swap(node.no) };
    case "ab_split":
      return { ...node, variants: node.variants.map((v) => ({ ...v, next: swap(v.next) })) };
    case "exit":
      return node;
    default:
      return assertNever(node, "journey node");
  }
}
