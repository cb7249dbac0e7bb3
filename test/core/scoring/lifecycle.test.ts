import { describe, expect, it } from "vitest";
import { assessDormancy, shopMedianGap } from "../../../core/scoring/dormancy";
import { nextStage, rawStage, type StageFacts } from "../../../core/scoring/lifecycle";
import { defaultScoringSettings, type LifecycleStage, type StageState } from "../../../core/scoring/schema";

const settings = defaultScoringSettings(); // k=2, at risk 1.5, lost 4, hold 7 days, new 60 days, loyal 4 orders

describe("assessDormancy", () => {
  it.each([
    // days, today, shop gap, k -> expected gap, source, since, overdue, dormant
    [[0, 40, 82], 82 + 97, 30, 2, 41, "own", 97, 56, true],
    [[0, 40, 82], 82 + 60, 30, 2, 41, "own", 60, 19, false],
    [[0, 40, 82], 82 + 60, 30, 1.2, 41, "own", 60, 19, true],
    [[100], 150, 30, 2, 30, "shop", 50, 20, false],
    [[100], 161, 30, 2, 30, "shop", 61, 31, true],
    [[0, 10, 11, 100], 110, 30, 2, 10, "own", 10, 0, false], // median of 10, 1, 89
  ])("%o at day %d", (days, today, shopGap, k, gap, source, since, overdue, dormant) => {
    expect(assessDormancy(days, today, shopGap, k)).toEqual({
      expectedGapDays: gap, gapSource: source, daysSinceLastOrder: since, daysOverdue: overdue, dormant,
    });
  });
  it("shop median gap pools every customer's gaps; null without repeat buyers", () => {
    expect(shopMedianGap([[0, 10, 30], [5], [0, 50]])).toBe(20);
    expect(shopMedianGap([[1], [2]])).toBeNull();
  });
});

describe("rawStage", () => {
  it.each([
    [{ orderCount: 1, lastOrderDay: 0, expectedGapDays: 30 }, 10, "new"],
    [{ orderCount: 2, lastOrderDay: 0, expectedGapDays: 30 }, 10, "active"],
    [{ orderCount: 5, lastOrderDay: 0, expectedGapDays: 30 }, 10, "loyal"],
    [{ orderCount: 5, lastOrderDay: 0, expectedGapDays: 30 }, 50, "at_risk"],
    [{ orderCount: 5, lastOrderDay: 0, expectedGapDays: 30 }, 61, "dormant"],
    [{ orderCount: 5, lastOrderDay: 0, expectedGapDays: 30 }, 121, "lost"],
    [{ orderCount: 1, lastOrderDay: 0, expectedGapDays: 30 }, 70, "dormant"],
    [{ orderCount: 1, lastOrderDay: 0, expectedGapDays: 200 }, 60, "new"],
    [{ orderCount: 1, lastOrderDay: 0, expectedGapDays: 200 }, 150, "active"], // past the new window, within rhythm
  ] as const)("%o at day %d -> %s", (facts, today, stage) => expect(rawStage(facts, today, settings)).toBe(stage));
});

/** Run a customer through a simulated clock, one evaluation a day. */
function simulate(orderDays: number[], gap: number, lastDay: number, s = settings) {
  let state: StageState | null = null;
  const events: { day: number; from: LifecycleStage | null; to: LifecycleStage }[] = [];
  for (let day = orderDays[0]; day <= lastDay; day++) {
    const past = orderDays.filter((d) => d <= day);
    const facts: StageFacts = { orderCount: past.length, lastOrderDay: past[past.length - 1], expectedGapDays: gap };
    const decision = nextStage(state, facts, day, s);
    if (decision.event) events.push({ day: decision.event.atDay, from: decision.event.from, to: decision.event.to });
    state = decision.state;
  }
  return { events, state: state! };
}

describe("nextStage on a simulated clock", () => {
  it("walks a regular customer through at risk, dormant, won back and back to active", () => {
    const { events } = simulate([0, 30, 60, 200, 230, 260, 290, 320], 30, 340);
    expect(events.map((e) => [e.day, e.to])).toEqual([
      [0, "new"],
      [30, "active"],
      [106, "at_risk"], // 60 + 1.5×30 = 105, so day 106 is the first day past it
      [121, "dormant"], // > 60 + 2×30
      [181, "lost"], // > 60 + 4×30
      [200, "won_back"], // the lapsed customer ordered again
      [291, "loyal"], // won_back lasts 90 days, then 7 orders make them loyal
    ]);
  });
  it("a customer who goes quiet becomes lost", () => {
    const { events, state } = simulate([0, 30], 30, 200);
    expect(events.map((e) => e.to)).toEqual(["new", "active", "at_risk", "dormant", "lost"]);
    expect(events.every((e, i) => i === 0 || e.from === events[i - 1].to)).toBe(true);
    expect(state.stage).toBe("lost");
    expect(state.sinceDay).toBe(30 + 4 * 30 + 1);
  });
  it("holds a stage for the minimum time instead of flapping", () => {
    // Expected gap flips between 20 and 40 every other day (e.g. refits), so the raw stage flips
    // between at_risk and active daily around day 45 after the last order.
    const hold = { ...settings, minStageHoldDays: 7 };
    let state: StageState | null = { stage: "active", sinceDay: 0, lastOrderDay: 0 };
    const changes: number[] = [];
    for (let day = 31; day <= 60; day++) {
      const facts = { orderCount: 3, lastOrderDay: 0, expectedGapDays: day % 2 ? 20 : 40 };
      const d = nextStage(state, facts, day, hold);
      if (d.changed) changes.push(day);
      state = d.state;
    }
    // Without hold it would change every day; with it, changes are at least 7 days apart.
    expect(changes.length).toBeGreaterThan(0);
    for (let i = 1; i < changes.length; i++) expect(changes[i] - changes[i - 1]).toBeGreaterThanOrEqual(7);
    const noHold = { ...settings, minStageHoldDays: 0 };
    let free: StageState | null = { stage: "active", sinceDay: 0, lastOrderDay: 0 };
    let freeChanges = 0;
    for (let day = 31; day <= 60; day++) {
      const d = nextStage(free, { orderCount: 3, lastOrderDay: 0, expectedGapDays: day % 2 ? 20 : 40 }, day, noHold);
      if (d.changed) freeChanges++;
      free = d.state;
    }
    expect(freeChanges).toBeGreaterThan(changes.length * 3);
  });
  it("a winning order bypasses the hold", () => {
    const previous: StageState = { stage: "dormant", sinceDay: 100, lastOrderDay: 10 };
    const d = nextStage(previous, { orderCount: 3, lastOrderDay: 102, expectedGapDays: 30 }, 102, settings);
    expect(d).toMatchObject({ changed: true, state: { stage: "won_back", sinceDay: 102 } });
  });
});
