// The edges of a journey graph, shared by validation and the interpreter.
import { assertNever } from "../result";
import { durationMs, type Journey, type JourneyNode } from "./schema";

export interface Edge {
  /** Which outcome of the node this edge is ("next", "yes", "onTimeout", "variant:a"). */
  outcome: string;
  to: string | undefined;
}

export function edges(node: JourneyNode): Edge[] {
  switch (node.type) {
    case "wait":
    case "wait_until_local":
    case "holdout":
    case "send":
    case "offer":
    case "update_customer":
    case "webhook":
    case "notify_merchant":
      return [{ outcome: "next", to: node.next }];
    case "wait_for_event":
      return [{ outcome: "onEvent", to: node.onEvent }, { outcome: "onTimeout", to: node.onTimeout }];
    case "condition":
      return [{ outcome: "yes", to: node.yes }, { outcome: "no", to: node.no }];
    case "ab_split":
      return node.variants.map((v) => ({ outcome: `variant:${v.key}`, to: v.next }));
    case "exit":
      return [];
    default:
      return assertNever(node, "journey node");
  }
}

/** Does entering this node make time pass? (Zero-length waits do not.) */
export function makesTimePass(node: JourneyNode): boolean {
  switch (node.type) {
    case "wait":
      return durationMs(node.duration) > 0;
    case "wait_for_event":
      return durationMs(node.timeout) > 0;
    case "wait_until_local":
      return node.weekdays.length > 0; // always waits until strictly later
    default:
      return false;
  }
}

export function nodeIndex(journey: Journey): Map<string, JourneyNode> {
  return new Map(journey.nodes.map((n) => [n.id, n]));
}
