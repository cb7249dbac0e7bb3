// Small journeys and a simulated clock for interpreter tests.
import { expect } from "vitest";
import { newEnrollment, type Effect, type EnrollmentState, type JourneyEvent, type StepContext } from "../../../core/journeys/enrollment";
import { nextJourneyStep } from "../../../core/journeys/interpret";
import { JourneySchema, type Journey, type JourneyInput } from "../../../core/journeys/schema";

export function journey(nodes: JourneyInput["nodes"], extra: Partial<JourneyInput> = {}): Journey {
  return JourneySchema.parse({
    id: "j1", version: 1, name: "test", trigger: { kind: "order_placed" }, startNodeId: nodes[0].id, nodes, ...extra,
  });
}

/** Runs one enrollment on a simulated clock: timers fire when the clock passes them. */
export class Sim {
  state: EnrollmentState;
  now: Date;
  log: Effect[] = [];
  ctx: StepContext;

  constructor(j: Journey, start: string, opts: { customerId?: string; enrollmentId?: string; timeZone?: string; conditions?: Record<string, boolean> } = {}) {
    this.now = new Date(start);
    this.ctx = { journey: j, timeZone: opts.timeZone ?? "America/New_York", conditions: opts.conditions ?? {} };
    this.state = newEnrollment({ enrollmentId: opts.enrollmentId ?? "e1", customerId: opts.customerId ?? "c1" }, j);
  }

  send(event: JourneyEvent): Effect[] {
    const r = nextJourneyStep(this.state, event, this.now, this.ctx);
    if (!r.ok) throw new Error(`interpreter error ${JSON.stringify(r.error)}`);
    this.state = r.value.state;
    this.log.push(...r.value.effects);
    return r.value.effects;
  }

  /** Moves the clock to `iso`, firing the pending timer on the way if it is due. */
  advanceTo(iso: string): Effect[] {
    const target = new Date(iso).getTime();
    const fired: Effect[] = [];
    while (this.state.wakeAt && Date.parse(this.state.wakeAt) <= target && this.state.status === "waiting") {
      this.now = new Date(this.state.wakeAt);
      fired.push(...this.send({ kind: "timer_fired", dueAt: new Date(this.state.wakeAt) }));
    }
    this.now = new Date(target);
    return fired;
  }

  /** Fires timers until the enrollment ends (bounded). */
  runToEnd(maxTimers = 50): void {
    for (let i = 0; i < maxTimers && this.state.status === "waiting"; i++) this.advanceTo(this.state.wakeAt!);
    expect(this.state.status).not.toBe("waiting");
  }
}

export const sends = (effects: readonly Effect[]) =>
  effects.filter((e): e is Extract<Effect, { kind: "send" }> => e.kind === "send");

export const localClock = (zone: string, at: string | Date) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(at));
