import { describe, expect, it } from "vitest";
import { newEnrollment } from "../../../core/journeys/enrollment";
import { MAX_NODES_PER_STEP, nextJourneyStep } from "../../../core/journeys/interpret";
import { JourneySchema } from "../../../core/journeys/schema";
import { winBackSeries } from "../../../core/journeys/templates/win-back";
import { journey, localClock, Sim, sends } from "./journey-fixtures";

const DAY = 86_400_000;

describe("wait", () => {
  it.each([
    { amount: 30, unit: "minutes" as const, ms: 30 * 60_000 },
    { amount: 6, unit: "hours" as const, ms: 6 * 3_600_000 },
    { amount: 4, unit: "days" as const, ms: 4 * DAY },
  ])("waits $amount $unit before the next send", ({ amount, unit, ms }) => {
    const j = journey([
      { id: "a", type: "send", channel: "email", contentId: "c-a", purpose: "promotional", next: "w" },
      { id: "w", type: "wait", duration: { amount, unit }, next: "b" },
      { id: "b", type: "send", channel: "email", contentId: "c-b", purpose: "promotional", next: "x" },
      { id: "x", type: "exit" },
    ]);
    const start = "2026-06-01T12:00:00.000Z";
    const sim = new Sim(j, start);
    expect(sends(sim.send({ kind: "entered" })).map((s) => s.contentId)).toEqual(["c-a"]);
    expect(sim.state).toMatchObject({ status: "waiting", currentNodeId: "w", wakeAt: new Date(Date.parse(start) + ms).toISOString() });
    // One minute early: nothing happens.
    expect(sim.advanceTo(new Date(Date.parse(start) + ms - 60_000).toISOString())).toEqual([]);
    // A timer for the wrong instant is stale and ignored.
    expect(sim.send({ kind: "timer_fired", dueAt: new Date(Date.parse(start) + ms - 60_000) })).toEqual([]);
    const fired = sim.advanceTo(new Date(Date.parse(start) + ms).toISOString());
    expect(sends(fired).map((s) => s.contentId)).toEqual(["c-b"]);
    expect(sim.state.status).toBe("completed");
    expect(fired.at(-1)).toEqual({ kind: "exit", status: "completed", reason: { kind: "completed" } });
  });
});

describe("wait_until_local across DST", () => {
  // Expected instants worked out by hand from each zone's rules (US: 2nd Sun Mar / 1st Sun Nov;
  // EU: last Sun Mar / last Sun Oct), not from the code under test.
  it.each([
    { why: "NY spring forward: 09:00 EDT", zone: "America/New_York", enter: "2026-03-07T15:00:00Z", at: "09:00", days: undefined, want: "2026-03-08T13:00:00.000Z" },
    { why: "NY fall back: 09:00 EST", zone: "America/New_York", enter: "2026-10-31T14:00:00Z", at: "09:00", days: undefined, want: "2026-11-01T14:00:00.000Z" },
    { why: "NY time that does not exist (02:30) runs at 03:30 EDT", zone: "America/New_York", enter: "2026-03-07T15:00:00Z", at: "02:30", days: undefined, want: "2026-03-08T07:30:00.000Z" },
    { why: "NY repeated time (01:30) takes the first one", zone: "America/New_York", enter: "2026-10-31T14:00:00Z", at: "01:30", days: undefined, want: "2026-11-01T05:30:00.000Z" },
    { why: "NY Monday only, over the change", zone: "America/New_York", enter: "2026-03-07T15:00:00Z", at: "09:00", days: [1], want: "2026-03-09T13:00:00.000Z" },
    { why: "Berlin spring forward: 09:00 CEST", zone: "Europe/Berlin", enter: "2026-03-28T09:00:00Z", at: "09:00", days: undefined, want: "2026-03-29T07:00:00.000Z" },
    { why: "Berlin fall back: 09:00 CET", zone: "Europe/Berlin", enter: "2026-10-24T08:00:00Z", at: "09:00", days: undefined, want: "2026-10-25T08:00:00.000Z" },
    { why: "exactly at the time: waits a full day", zone: "Europe/Berlin", enter: "2026-03-28T08:00:00Z", at: "09:00", days: undefined, want: "2026-03-29T07:00:00.000Z" },
    { why: "later the same day", zone: "Europe/Berlin", enter: "2026-03-28T06:00:00Z", at: "09:00", days: undefined, want: "2026-03-28T08:00:00.000Z" },
  ])("$why", ({ zone, enter, at, days, want }) => {
    const j = journey([
      { id: "w", type: "wait_until_local", localTime: at, ...(days ? { weekdays: days } : {}), next: "s" },
      { id: "s", type: "send", channel: "email", contentId: "c", purpose: "promotional", next: "x" },
      { id: "x", type: "exit" },
    ]);
    const sim = new Sim(j, enter, { timeZone: zone });
    const effects = sim.send({ kind: "entered" });
    expect(effects).toContainEqual({ kind: "schedule_wakeup", nodeId: "w", visit: 1, at: new Date(want) });
    expect(localClock(zone, want)).toContain(at === "02:30" ? "03:30" : at);
    expect(sends(sim.advanceTo(want))).toHaveLength(1);
  });
});

describe("wait_for_event race with timeout", () => {
  const j = journey([
    { id: "w", type: "wait_for_event", event: "email_clicked", timeout: { amount: 2, unit: "days" }, onEvent: "yes", onTimeout: "no" },
    { id: "yes", type: "send", channel: "email", contentId: "clicked", purpose: "promotional", next: "x" },
    { id: "no", type: "send", channel: "email", contentId: "timed-out", purpose: "promotional", next: "x" },
    { id: "x", type: "exit" },
  ]);
  const start = "2026-05-01T00:00:00.000Z";
  const deadline = "2026-05-03T00:00:00.000Z";

  it.each([
    { why: "event well before the timeout", occurred: "2026-05-02T00:00:00Z", arrives: "2026-05-02T00:00:01Z", want: "clicked" },
    { why: "event 1 ms before the timeout", occurred: "2026-05-02T23:59:59.999Z", arrives: "2026-05-03T00:00:05Z", want: "clicked" },
    { why: "event at the timeout instant: timeout wins", occurred: deadline, arrives: "2026-05-03T00:00:05Z", want: "timed-out" },
    { why: "event after the timeout but before the timer ran", occurred: "2026-05-03T00:00:01Z", arrives: "2026-05-03T00:00:02Z", want: "timed-out" },
  ])("$why -> $want", ({ occurred, arrives, want }) => {
    const sim = new Sim(j, start);
    sim.send({ kind: "entered" });
    sim.now = new Date(arrives); // the event is delivered before any timer is processed
    const effects = sim.send({ kind: "customer_event", name: "email_clicked", occurredAt: new Date(occurred) });
    expect(sends(effects).map((s) => s.contentId)).toEqual([want]);
    // The timer arriving afterwards is stale: no second branch.
    expect(sim.send({ kind: "timer_fired", dueAt: new Date(deadline) })).toEqual([]);
  });

  it("ignores other events and late events once the timeout has run", () => {
    const sim = new Sim(j, start);
    sim.send({ kind: "entered" });
    expect(sim.send({ kind: "customer_event", name: "email_opened", occurredAt: new Date(start) })).toEqual([]);
    expect(sends(sim.advanceTo(deadline)).map((s) => s.contentId)).toEqual(["timed-out"]);
    expect(sim.send({ kind: "customer_event", name: "email_clicked", occurredAt: new Date(deadline) })).toEqual([]);
  });
});

describe("A/B split", () => {
  const split = (weights: number[]) => journey([
    { id: "ab", type: "ab_split", variants: weights.map((w, i) => ({ key: `v${i}`, weight: w, next: `s${i}` })) },
    ...weights.map((_, i) => ({ id: `s${i}`, type: "send" as const, channel: "email" as const, contentId: `c${i}`, purpose: "promotional" as const, next: "x" })),
    { id: "x", type: "exit" },
  ]);

  it("is sticky per customer across enrollments and replays", () => {
    const j = split([50, 50]);
    for (let c = 0; c < 50; c++) {
      const first = new Sim(j, "2026-01-01T00:00:00Z", { customerId: `cust-${c}`, enrollmentId: "e-a" });
      const second = new Sim(j, "2026-07-01T00:00:00Z", { customerId: `cust-${c}`, enrollmentId: "e-b" });
      first.send({ kind: "entered" });
      second.send({ kind: "entered" });
      expect(second.state.assignments.ab).toBe(first.state.assignments.ab);
    }
  });

  it("keeps a stored assignment even if the hash would pick another variant", () => {
    const j = split([1, 1000]);
    const sim = new Sim(j, "2026-01-01T00:00:00Z");
    sim.state = { ...sim.state, assignments: { ab: "v0" } };
    const effects = sim.send({ kind: "entered" });
    expect(sends(effects)[0].contentId).toBe("c0");
    expect(effects.some((e) => e.kind === "record_assignment")).toBe(false);
  });

  it.each([[[50, 50]], [[70, 30]], [[10, 30, 60]]])("splits customers by weights %j", (weights) => {
    const j = split(weights);
    const n = 8000;
    const counts = weights.map(() => 0);
    for (let c = 0; c < n; c++) {
      const sim = new Sim(j, "2026-01-01T00:00:00Z", { customerId: `customer-${c}` });
      const effects = sim.send({ kind: "entered" });
      const rec = effects.find((e) => e.kind === "record_assignment");
      expect(rec).toMatchObject({ assignment: "ab_split" });
      counts[Number(sim.state.assignments.ab.slice(1))]++;
    }
    const total = weights.reduce((a, b) => a + b, 0);
    weights.forEach((w, i) => expect(Math.abs(counts[i] / n - w / total)).toBeLessThan(0.025));
  });
});

describe("holdout", () => {
  it.each([10, 25])("holds out about %i%% and sends them nothing", (percent) => {
    const j = journey([
      { id: "h", type: "holdout", controlPercent: percent, next: "s" },
      { id: "s", type: "send", channel: "email", contentId: "c", purpose: "promotional", next: "x" },
      { id: "x", type: "exit" },
    ]);
    const n = 8000;
    let control = 0;
    for (let c = 0; c < n; c++) {
      const sim = new Sim(j, "2026-01-01T00:00:00Z", { customerId: `k${c}` });
      const effects = sim.send({ kind: "entered" });
      const group = sim.state.assignments.h;
      expect(effects).toContainEqual({ kind: "record_assignment", nodeId: "h", assignment: "holdout", value: group });
      if (group === "control") {
        control++;
        expect(sends(effects)).toEqual([]);
        expect(sim.state).toMatchObject({ status: "exited", exitReason: { kind: "holdout_control" } });
      } else {
        expect(sends(effects)).toHaveLength(1);
      }
    }
    expect(Math.abs(control / n - percent / 100)).toBeLessThan(0.02);
  });
});

describe("goal and exit criteria", () => {
  const j = JourneySchema.parse(winBackSeries);

  it("reaching the goal converts from every waiting node, and later timers do nothing", () => {
    // Walk the series; at each wait, fork a copy that reaches the goal there.
    const sim = new Sim(j, "2026-02-02T15:00:00Z", { conditions: { sms_consented: true }, customerId: "treated-1" });
    sim.send({ kind: "entered" });
    const seen: string[] = [];
    while (sim.state.status === "waiting") {
      const here = sim.state;
      seen.push(here.currentNodeId!);
      const r = nextJourneyStep(here, { kind: "goal_reached" }, sim.now, sim.ctx);
      expect(r.ok && r.value.state.status).toBe("converted");
      if (!r.ok) return;
      expect(r.value.effects.at(-1)).toEqual({ kind: "exit", status: "converted", reason: { kind: "goal" } });
      expect(r.value.effects).toContainEqual(expect.objectContaining({ kind: "record_step", nodeId: here.currentNodeId, phase: "completed", outcome: "goal" }));
      const late = nextJourneyStep(r.value.state, { kind: "timer_fired", dueAt: new Date(here.wakeAt!) }, sim.now, sim.ctx);
      expect(late.ok && late.value.effects).toEqual([]);
      sim.advanceTo(here.wakeAt!);
    }
    expect(seen).toEqual(["wait-4d", "wait-2d", "wait-3d", "morning"]);
  });

  it("exit criteria end the enrollment as exited", () => {
    const sim = new Sim(j, "2026-02-02T15:00:00Z", { customerId: "treated-1" });
    sim.send({ kind: "entered" });
    const effects = sim.send({ kind: "exit_criteria", criterion: { kind: "unsubscribed" } });
    expect(sim.state.status).toBe("exited");
    expect(effects.at(-1)).toEqual({ kind: "exit", status: "exited", reason: { kind: "exit_criteria", criterion: { kind: "unsubscribed" } } });
  });
});

describe("idempotency", () => {
  const loop = journey([
    { id: "s", type: "send", channel: "email", contentId: "c", purpose: "promotional", next: "o" },
    { id: "o", type: "offer", offerId: "ladder", ladderStep: 0, next: "w" },
    { id: "w", type: "wait", duration: { amount: 1, unit: "days" }, next: "more" },
    { id: "more", type: "condition", conditionId: "keep_going", yes: "s", no: "x" },
    { id: "x", type: "exit" },
  ]);

  it("replaying the same event on the same state yields the same effects", () => {
    const sim = new Sim(loop, "2026-03-01T10:00:00Z", { conditions: { keep_going: true } });
    const before = sim.state;
    const a = nextJourneyStep(before, { kind: "entered" }, sim.now, sim.ctx);
    const b = nextJourneyStep(before, { kind: "entered" }, sim.now, sim.ctx);
    expect(a).toEqual(b);
    sim.send({ kind: "entered" });
    // A duplicate "entered" after entry is a no-op.
    expect(sim.send({ kind: "entered" })).toEqual([]);
    const waiting = sim.state;
    const due = { kind: "timer_fired" as const, dueAt: new Date(waiting.wakeAt!) };
    const t1 = nextJourneyStep(waiting, due, new Date(waiting.wakeAt!), sim.ctx);
    const t2 = nextJourneyStep(waiting, due, new Date(waiting.wakeAt!), sim.ctx);
    expect(t1).toEqual(t2);
  });

  it("keys are enrollmentId:nodeId:visit and differ on each pass of a loop", () => {
    const sim = new Sim(loop, "2026-03-01T10:00:00Z", { conditions: { keep_going: true }, enrollmentId: "enr-9" });
    sim.send({ kind: "entered" });
    sim.advanceTo("2026-03-03T10:00:00Z");
    const keys = sim.log.flatMap((e) => ("idempotencyKey" in e ? [e.idempotencyKey] : []));
    expect(keys).toEqual(["enr-9:s:1", "enr-9:o:1", "enr-9:s:2", "enr-9:o:2", "enr-9:s:3", "enr-9:o:3"]);
    const steps = sim.log.filter((e) => e.kind === "record_step" && e.phase === "completed").map((e) => e.kind === "record_step" && `${e.nodeId}:${e.visit}`);
    expect(new Set(steps).size).toBe(steps.length);
  });
});

describe("errors are values", () => {
  it("asks for a missing condition instead of guessing", () => {
    const j = journey([
      { id: "c", type: "condition", conditionId: "vip", yes: "x", no: "x" },
      { id: "x", type: "exit" },
    ]);
    const r = nextJourneyStep(newEnrollment({ enrollmentId: "e", customerId: "c" }, j), { kind: "entered" }, new Date(0), { journey: j, timeZone: "UTC", conditions: {} });
    expect(r).toEqual({ ok: false, error: { kind: "missing_condition", nodeId: "c", conditionId: "vip" } });
  });

  it("stops an instantaneous loop in an unvalidated graph", () => {
    const j = journey([
      { id: "a", type: "update_customer", addTags: ["t"], next: "b" },
      { id: "b", type: "notify_merchant", message: "m", next: "a" },
    ]);
    const r = nextJourneyStep(newEnrollment({ enrollmentId: "e", customerId: "c" }, j), { kind: "entered" }, new Date(0), { journey: j, timeZone: "UTC", conditions: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.kind).toBe("step_limit");
    expect(MAX_NODES_PER_STEP).toBeGreaterThan(2);
  });

  it("refuses a state from another journey version", () => {
    const j = journey([{ id: "x", type: "exit" }]);
    const state = newEnrollment({ enrollmentId: "e", customerId: "c" }, { ...j, version: 2 });
    const r = nextJourneyStep(state, { kind: "entered" }, new Date(0), { journey: j, timeZone: "UTC", conditions: {} });
    expect(r).toEqual({ ok: false, error: { kind: "journey_mismatch", expected: "j1@2", got: "j1@1" } });
  });
});
