// Moving a running enrollment to a newer version of its journey, on the merchant's request
// (customers otherwise finish on the version they entered). Pure: (state, from, to, node
// map) -> the new state, or why the enrollment stays where it is.
//
// A customer waiting at a node moves to the node of the same id in the new version (or the
// node the merchant mapped it to), which must be a node of the same kind: the wait already
// scheduled keeps its time, a wait for an event listens for the new version's event. A
// customer waiting at a node that the new version lacks (and nobody mapped) stays on the
// old version and finishes there.
import type { EnrollmentState } from "./enrollment";
import type { Journey } from "./schema";

export type KeepReason = "terminal" | "not_newer" | "node_removed" | "node_changed_kind" | "in_step";

export type MigrationDecision =
  | { kind: "migrate"; state: EnrollmentState; movedFrom: string | null; movedTo: string | null }
  | { kind: "keep"; reason: KeepReason; nodeId?: string };

const TERMINAL = new Set(["completed", "converted", "exited"]);

export function migrateEnrollment(
  state: EnrollmentState, from: Journey, to: Journey, nodeMap: Readonly<Record<string, string>> = {},
): MigrationDecision {
  if (TERMINAL.has(state.status)) return { kind: "keep", reason: "terminal" };
  if (to.id !== from.id || to.version <= state.journeyVersion) return { kind: "keep", reason: "not_newer" };
  // Not started yet: it starts on the new version.
  if (state.currentNodeId === null) return { kind: "migrate", state: { ...state, journeyVersion: to.version }, movedFrom: null, movedTo: null };
  // Only a waiting enrollment rests at a node; an active one is inside a step.
  if (state.status !== "waiting") return { kind: "keep", reason: "in_step", nodeId: state.currentNodeId };
  const at = state.currentNodeId;
  const old = from.nodes.find((n) => n.id === at);
  const targetId = Object.hasOwn(nodeMap, at) ? nodeMap[at] : at;
  const target = to.nodes.find((n) => n.id === targetId);
  if (!target) return { kind: "keep", reason: "node_removed", nodeId: at };
  if (!old || old.type !== target.type) return { kind: "keep", reason: "node_changed_kind", nodeId: at };
  const visits = { ...state.visits };
  // A different node is a new visit of it (its own step-log row and idempotency keys).
  if (targetId !== at) visits[targetId] = (visits[targetId] ?? 0) + 1;
  const waitingForEvent = target.type === "wait_for_event" ? target.event : null;
  return {
    kind: "migrate",
    state: { ...state, journeyVersion: to.version, currentNodeId: targetId, visits, waitingForEvent },
    movedFrom: at, movedTo: targetId,
  };
}
