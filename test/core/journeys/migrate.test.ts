// Moving running enrollments to a newer version, table-driven on a simulated clock: where
// each customer lands, what keeps them on their version, and that after the move the new
// version's graph is what runs (its new send goes, under the new node's key).
import { describe, expect, it } from "vitest";
import { migrateEnrollment } from "../../../core/journeys/migrate";
import type { JourneyInput } from "../../../core/journeys/schema";
import { journey, Sim, sends } from "./journey-fixtures";

const v1Nodes: JourneyInput["nodes"] = [
  { id: "s1", type: "send", channel: "email", contentId: "hello", purpose: "promotional", next: "w1" },
  { id: "w1", type: "wait", duration: { amount: 2, unit: "days" }, next: "ev" },
  { id: "ev", type: "wait_for_event", event: "clicked", timeout: { amount: 1, unit: "days" }, onEvent: "x", onTimeout: "x" },
  { id: "x", type: "exit" },
];
// v2: a new send after w1, the event wait listens for "opened", and w1's kind changes in v3.
const v2Nodes: JourneyInput["nodes"] = [
  { id: "s1", type: "send", channel: "email", contentId: "hello", purpose: "promotional", next: "w1" },
  { id: "w1", type: "wait", duration: { amount: 3, unit: "days" }, next: "s2" },
  { id: "s2", type: "send", channel: "email", contentId: "reminder", purpose: "promotional", next: "ev" },
  { id: "ev", type: "wait_for_event", event: "opened", timeout: { amount: 1, unit: "days" }, onEvent: "x", onTimeout: "x" },
  { id: "x", type: "exit" },
];
const v1 = journey(v1Nodes);
const v2 = journey(v2Nodes, { version: 2 });
const v3NoW1 = journey([
  { id: "s1", type: "send", channel: "email", contentId: "hello", purpose: "promotional", next: "w9" },
  { id: "w9", type: "wait", duration: { amount: 1, unit: "days" }, next: "x" },
  { id: "w1", type: "wait_until_local", localTime: "09:00", next: "x" }, // same id, another kind
  { id: "x", type: "exit" },
], { version: 3 });
const v3Gone = journey([
  { id: "s1", type: "send", channel: "email", contentId: "hello", purpose: "promotional", next: "w9" },
  { id: "w9", type: "wait", duration: { amount: 1, unit: "days" }, next: "x" },
  { id: "x", type: "exit" },
], { version: 3 });

const START = "2026-03-01T12:00:00Z";
const waitingAtW1 = () => {
  const sim = new Sim(v1, START);
  sim.send({ kind: "entered" });
  return sim;
};

describe("migrateEnrollment", () => {
  it.each([
    { why: "waiting at a node the new version keeps", to: v2, map: {}, want: { kind: "migrate", movedTo: "w1" } },
    { why: "waiting at a node the new version removed", to: v3Gone, map: {}, want: { kind: "keep", reason: "node_removed", nodeId: "w1" } },
    { why: "removed, but the merchant mapped it", to: v3Gone, map: { w1: "w9" }, want: { kind: "migrate", movedTo: "w9" } },
    { why: "the node's id is kept but it is another kind of node", to: v3NoW1, map: {}, want: { kind: "keep", reason: "node_changed_kind", nodeId: "w1" } },
    { why: "mapped onto a node of another kind", to: v3Gone, map: { w1: "s1" }, want: { kind: "keep", reason: "node_changed_kind" } },
    { why: "an older version is not a migration", to: v1, map: {}, want: { kind: "keep", reason: "not_newer" } },
  ])("$why", ({ to, map, want }) => {
    const sim = waitingAtW1();
    expect(migrateEnrollment(sim.state, v1, to, map as Record<string, string>)).toMatchObject(want);
  });

  it("keeps the scheduled wake time, moves the version, and the new graph runs from there", () => {
    const sim = waitingAtW1();
    const wakeAt = sim.state.wakeAt;
    const d = migrateEnrollment(sim.state, v1, v2);
    if (d.kind !== "migrate") throw new Error("expected a move");
    expect(d.state).toMatchObject({ journeyVersion: 2, currentNodeId: "w1", wakeAt, status: "waiting" });
    sim.state = d.state;
    sim.ctx = { ...sim.ctx, journey: v2 };
    const fired = sim.advanceTo("2026-03-03T12:00:00Z"); // v1's 2 days, not v2's 3
    expect(sends(fired).map((s) => [s.contentId, s.idempotencyKey])).toEqual([["reminder", "e1:s2:1"]]);
    expect(sim.state).toMatchObject({ currentNodeId: "ev", waitingForEvent: "opened" });
  });

  it("a customer waiting for an event listens for the new version's event", () => {
    const sim = waitingAtW1();
    sim.advanceTo("2026-03-03T12:00:00Z");
    expect(sim.state.waitingForEvent).toBe("clicked");
    const d = migrateEnrollment(sim.state, v1, v2);
    expect(d).toMatchObject({ kind: "migrate", state: { waitingForEvent: "opened", currentNodeId: "ev" } });
  });

  it("a mapped move is a new visit of the target node; finished and not-yet-started enrollments", () => {
    const sim = waitingAtW1();
    const d = migrateEnrollment(sim.state, v1, v3Gone, { w1: "w9" });
    expect(d).toMatchObject({ kind: "migrate", movedFrom: "w1", movedTo: "w9", state: { visits: { s1: 1, w1: 1, w9: 1 }, currentNodeId: "w9" } });
    const fresh = new Sim(v1, START);
    expect(migrateEnrollment(fresh.state, v1, v2)).toMatchObject({ kind: "migrate", state: { journeyVersion: 2, currentNodeId: null } });
    sim.send({ kind: "goal_reached" });
    expect(migrateEnrollment(sim.state, v1, v2)).toEqual({ kind: "keep", reason: "terminal" });
  });
});
