import { describe, expect, it } from "vitest";
import type { JourneyInput } from "../../../core/journeys/schema";
import { validateJourney } from "../../../core/journeys/validate";
import { JOURNEY_TEMPLATES } from "../../../core/journeys/templates";

const base = (nodes: unknown[], start = "a"): unknown => ({
  id: "j", version: 1, name: "t", trigger: { kind: "segment_entered", segmentId: "s" }, startNodeId: start, nodes,
});
const exit = { id: "x", type: "exit" };
const send = (id: string, next: string, contentId = "c") => ({ id, type: "send", channel: "email", contentId, purpose: "promotional", next });

describe("validateJourney", () => {
  it.each([
    { why: "unreachable node", nodes: [send("a", "x"), send("orphan", "x"), exit], nodeId: "orphan", msg: /unreachable/ },
    { why: "dangling next id", nodes: [send("a", "nowhere"), exit], nodeId: "a", msg: /missing node "nowhere"/ },
    { why: "duplicate id", nodes: [send("a", "x"), send("a", "x"), exit], nodeId: "a", msg: /duplicate node id/ },
    { why: "missing start node", nodes: [send("b", "x"), exit], nodeId: "a", msg: /start node/ },
    { why: "send without content", nodes: [send("a", "x", "  "), exit], nodeId: "a", msg: /no content/ },
    { why: "condition without a no branch", nodes: [{ id: "a", type: "condition", conditionId: "c", yes: "x" }, exit], nodeId: "a", msg: /outcome "no"/ },
    { why: "wait for event without a timeout branch", nodes: [{ id: "a", type: "wait_for_event", event: "e", timeout: { amount: 1, unit: "days" }, onEvent: "x" }, exit], nodeId: "a", msg: /outcome "onTimeout"/ },
    { why: "variant without next", nodes: [{ id: "a", type: "ab_split", variants: [{ key: "p", weight: 1, next: "x" }, { key: "q", weight: 1 }] }, exit], nodeId: "a", msg: /variant:q/ },
    { why: "cycle without a wait", nodes: [send("a", "b"), { id: "b", type: "condition", conditionId: "c", yes: "a", no: "x" }, exit], nodeId: "a", msg: /cycle without a wait: a -> b/ },
    { why: "zero wait on a loop", nodes: [send("a", "w"), { id: "w", type: "wait", duration: { amount: 0, unit: "hours" }, next: "b" }, { id: "b", type: "condition", conditionId: "c", yes: "a", no: "x" }, exit], nodeId: "w", msg: /zero wait on a loop/ },
    { why: "zero timeout on a loop", nodes: [{ id: "a", type: "wait_for_event", event: "e", timeout: { amount: 0, unit: "days" }, onEvent: "x", onTimeout: "a" }, exit], nodeId: "a", msg: /zero wait on a loop/ },
    { why: "a single variant", nodes: [{ id: "a", type: "ab_split", variants: [{ key: "p", weight: 1, next: "x" }] }, exit], nodeId: "a", msg: /at least two variants/ },
    { why: "zero weight", nodes: [{ id: "a", type: "ab_split", variants: [{ key: "p", weight: 0, next: "x" }, { key: "q", weight: 1, next: "x" }] }, exit], nodeId: "a", msg: /weight must be a positive integer/ },
    { why: "fractional weight", nodes: [{ id: "a", type: "ab_split", variants: [{ key: "p", weight: 0.5, next: "x" }, { key: "q", weight: 1, next: "x" }] }, exit], nodeId: "a", msg: /positive integer/ },
    { why: "duplicate variant keys", nodes: [{ id: "a", type: "ab_split", variants: [{ key: "p", weight: 1, next: "x" }, { key: "p", weight: 1, next: "x" }] }, exit], nodeId: "a", msg: /duplicate variant key/ },
    { why: "holdout of 100%", nodes: [{ id: "a", type: "holdout", controlPercent: 100, next: "x" }, exit], nodeId: "a", msg: /control share/ },
    { why: "holdout below the 5% floor", nodes: [{ id: "a", type: "holdout", controlPercent: 4.9, next: "x" }, exit], nodeId: "a", msg: /control share must be between 5% and 50%/ },
    { why: "holdout over 50%", nodes: [{ id: "a", type: "holdout", controlPercent: 51, next: "x" }, exit], nodeId: "a", msg: /control share/ },
    { why: "a promotional send with no holdout", nodes: [send("a", "x"), exit], nodeId: "a", msg: /promotional send is reached without passing a holdout/ },
    { why: "an offer with no holdout", nodes: [{ id: "a", type: "offer", offerId: "o", next: "x" }, exit], nodeId: "a", msg: /offer is reached without passing a holdout/ },
    { why: "a holdout on one branch only", nodes: [
      { id: "a", type: "condition", conditionId: "c", yes: "h", no: "p" }, { id: "h", type: "holdout", controlPercent: 10, next: "x" }, send("p", "x"), exit,
    ], nodeId: "p", msg: /without passing a holdout/ },
    { why: "no weekdays", nodes: [{ id: "a", type: "wait_until_local", localTime: "09:00", weekdays: [], next: "x" }, exit], nodeId: "a", msg: /weekday/ },
    { why: "plain-http webhook", nodes: [{ id: "a", type: "webhook", url: "http://example.com/hook", next: "x" }, exit], nodeId: "a", msg: /https/, field: "url" },
    { why: "a notification without a message", nodes: [{ id: "a", type: "notify_merchant", message: "  ", next: "x" }, exit], nodeId: "a", msg: /no message/, field: "message" },
    { why: "an inline condition the segment rules refuse", nodes: [
      { id: "a", type: "condition", conditionId: "c1", segment: { kind: "and", children: [{ kind: "customer", field: "shoe_size", cmp: { op: "eq", value: "9" } }] }, yes: "x", no: "x" }, exit,
    ], nodeId: "a", msg: /^condition root\.children\[0\]/, field: "segment" },
    { why: "an inline condition of the wrong shape (schema)", nodes: [
      { id: "a", type: "condition", conditionId: "c1", segment: { kind: "and", children: [] }, yes: "x", no: "x" }, exit,
    ], nodeId: "a", msg: /^nodes\.0\.segment\.children/, field: "segment.children" },
    { why: "bad local time (schema)", nodes: [{ id: "a", type: "wait_until_local", localTime: "25:00", next: "x" }, exit], nodeId: "a", msg: /HH:MM/, field: "localTime" },
  ] as { why: string; nodes: unknown[]; nodeId: string; msg: RegExp; field?: string }[])("rejects $why", ({ nodes, nodeId, msg, field }) => {
    const r = validateJourney(base(nodes));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // The field, when the error is about one, is named so an editor can show it there.
    expect(r.error).toContainEqual({ nodeId, message: expect.stringMatching(msg), ...(field ? { field } : {}) });
  });

  it("reports a refused draft's structural problems beside the schema's", () => {
    const r = validateJourney(base([
      { id: "a", type: "condition", conditionId: "", yes: "b", no: "x" },
      { id: "b", type: "send", channel: "email", contentId: "", purpose: "promotional" },
      { id: "c", type: "ab_split", variants: [{ key: "p", weight: 1, next: "ghost" }, { key: "q", weight: 1, next: "x" }] },
      exit, { id: "odd", type: "teleport" }, "junk",
    ]));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toContainEqual({ nodeId: "a", message: expect.stringMatching(/^nodes\.0\.conditionId/), field: "conditionId" });
    expect(r.error).toContainEqual({ nodeId: "b", message: 'missing next for outcome "next"' });
    expect(r.error).toContainEqual({ nodeId: "c", message: 'outcome "variant:p" points to missing node "ghost"' });
    expect(r.error).toContainEqual({ nodeId: "c", message: "unreachable from the start node" });
    expect(r.error.filter((e) => e.nodeId === "x" || e.message === "start node does not exist")).toEqual([]);
  });

  it("accepts a loop that waits", () => {
    const r = validateJourney(base([
      { id: "h", type: "holdout", controlPercent: 10, next: "a" }, send("a", "w"), { id: "w", type: "wait", duration: { amount: 1, unit: "days" }, next: "b" },
      { id: "b", type: "condition", conditionId: "c", yes: "a", no: "x" }, exit,
    ], "h"));
    expect(r).toMatchObject({ ok: true });
  });

  it("a journey that only informs needs no holdout; marketing after a holdout on every path is measured", () => {
    const inform = { id: "i", type: "send", channel: "email", contentId: "receipt", purpose: "transactional", next: "x" };
    expect(validateJourney(base([inform, exit], "i"))).toMatchObject({ ok: true });
    expect(validateJourney(base([
      { id: "h", type: "holdout", controlPercent: 5, next: "c" },
      { id: "c", type: "condition", conditionId: "c", yes: "o", no: "p" },
      { id: "o", type: "offer", offerId: "o", next: "p" }, send("p", "x"), exit,
    ], "h"))).toMatchObject({ ok: true });
  });

  it.each(JOURNEY_TEMPLATES.map((t) => [t.name, t] as [string, JourneyInput]))("template %s is valid", (_name, t) => {
    const r = validateJourney(t);
    expect(r.ok ? [] : r.error).toEqual([]);
  });

  it("templates have unique ids", () => {
    expect(new Set(JOURNEY_TEMPLATES.map((t) => t.id)).size).toBe(JOURNEY_TEMPLATES.length);
  });
});
