import { describe, expect, it } from "vitest";
import { admitJourneys, conflictSuppression, journeyBusinessValue, sendBlockedBy, type AdmissionInput, type AdmissionRejection } from "../../../core/governance/conflicts";

const now = new Date("2026-04-10T12:00:00Z");
const DAY = 86_400_000;

describe("admitJourneys", () => {
  const base: AdmissionInput = { candidates: [], active: [], maxConcurrent: 2, minTimeInStageMs: DAY };
  it.each([
    {
      why: "stage priority beats business value",
      input: { candidates: [{ journeyId: "loyal-vip", stage: "loyal", businessValue: 90_000 }, { journeyId: "winback", stage: "at_risk", businessValue: 1_000 }, { journeyId: "newbie", stage: "new", businessValue: 5_000 }] },
      want: { start: ["winback", "newbie"], preempt: [], rejected: [{ journeyId: "loyal-vip", reason: "lost_priority", by: ["winback", "newbie"] }] },
    },
    {
      why: "business value breaks ties within a stage",
      input: { maxConcurrent: 1, candidates: [{ journeyId: "a", stage: "dormant", businessValue: 100 }, { journeyId: "b", stage: "dormant", businessValue: 500 }] },
      want: { start: ["b"], preempt: [], rejected: [{ journeyId: "a", reason: "lost_priority", by: ["b"] }] },
    },
    {
      why: "running journeys that outrank it fill every slot: the concurrent-journey cap",
      input: { maxConcurrent: 1, active: [{ enrollmentId: "e1", journeyId: "winback", stage: "at_risk", businessValue: 0 }], candidates: [{ journeyId: "post", stage: "active", businessValue: 0 }] },
      want: { start: [], preempt: [], rejected: [{ journeyId: "post", reason: "max_concurrent", by: ["winback"] }] },
    },
    {
      why: "one slot left to two new journeys: the lower one lost priority, not the cap",
      input: { active: [{ enrollmentId: "e1", journeyId: "winback", stage: "at_risk", businessValue: 0 }], candidates: [{ journeyId: "post", stage: "active", businessValue: 0 }, { journeyId: "newbie", stage: "new", businessValue: 0 }] },
      want: { start: ["newbie"], preempt: [], rejected: [{ journeyId: "post", reason: "lost_priority", by: ["newbie"] }] },
    },
    {
      why: "a higher-priority journey displaces a lower active one",
      input: { maxConcurrent: 1, active: [{ enrollmentId: "e1", journeyId: "post", stage: "active", businessValue: 0 }], candidates: [{ journeyId: "winback", stage: "at_risk", businessValue: 0 }] },
      want: { start: ["winback"], preempt: ["e1"], rejected: [] },
    },
    {
      why: "already in the journey",
      input: { active: [{ enrollmentId: "e1", journeyId: "winback", stage: "at_risk", businessValue: 0 }], candidates: [{ journeyId: "winback", stage: "at_risk", businessValue: 0 }] },
      want: { start: [], preempt: [], rejected: [{ journeyId: "winback", reason: "already_active" }] },
    },
    {
      why: "stage entered 23 h ago is too recent",
      input: { customerStage: { stage: "at_risk", since: new Date(now.getTime() - 23 * 3_600_000) }, candidates: [{ journeyId: "winback", stage: "at_risk", businessValue: 0 }] },
      want: { start: [], preempt: [], rejected: [{ journeyId: "winback", reason: "stage_too_recent", stage: "at_risk", until: new Date(now.getTime() + 3_600_000) }] },
    },
    {
      why: "stage entered exactly 24 h ago is old enough",
      input: { customerStage: { stage: "at_risk", since: new Date(now.getTime() - DAY) }, candidates: [{ journeyId: "winback", stage: "at_risk", businessValue: 0 }] },
      want: { start: ["winback"], preempt: [], rejected: [] },
    },
  ])("$why", ({ input, want }) => expect(admitJourneys({ ...base, ...input }, now)).toEqual(want));
});

describe("conflictSuppression", () => {
  it.each([
    { r: { journeyId: "a", reason: "lost_priority", by: ["b"] }, want: { kind: "conflict", reason: "lost_priority", detail: { by: ["b"] } } },
    { r: { journeyId: "a", reason: "max_concurrent", by: ["b", "c"] }, want: { kind: "conflict", reason: "max_concurrent", detail: { by: ["b", "c"] } } },
    {
      r: { journeyId: "a", reason: "stage_too_recent", stage: "dormant", until: new Date("2026-04-11T00:00:00Z") },
      want: { kind: "conflict", reason: "min_time_in_stage", detail: { stage: "dormant", until: "2026-04-11T00:00:00.000Z" } },
    },
    { r: { journeyId: "a", reason: "already_active" }, want: null },
  ] as const)("$r.reason", ({ r, want }) => expect(conflictSuppression(r as AdmissionRejection)).toEqual(want));
});

describe("sendBlockedBy", () => {
  const active = [
    { enrollmentId: "e-low", journeyId: "loyal", stage: "loyal", businessValue: 0 },
    { enrollmentId: "e-top", journeyId: "winback", stage: "at_risk", businessValue: 0 },
    { enrollmentId: "e-mid", journeyId: "second", stage: "one_time", businessValue: 0 },
  ];
  it.each([
    { id: "e-top", max: 1, want: null },
    { id: "e-mid", max: 1, want: "winback" },
    { id: "e-mid", max: 2, want: null },
    { id: "e-low", max: 2, want: "winback" },
  ])("$id with max $max", ({ id, max, want }) => expect(sendBlockedBy(id, active, max)).toBe(want));
});

describe("journeyBusinessValue", () => {
  it.each([
    { why: "measured: attributed revenue per enrolled customer", v: { attributedMinor: 125_000, enrolled: 100, priorityValue: 9_999 }, want: { value: 1_250, source: "measured" } },
    { why: "too few enrollments: the merchant's priority value", v: { attributedMinor: 125_000, enrolled: 10, priorityValue: 700 }, want: { value: 700, source: "priority" } },
    { why: "no data and no priority", v: { attributedMinor: 0, enrolled: 0 }, want: { value: 0, source: "none" } },
    { why: "a measured zero beats a high guess", v: { attributedMinor: 0, enrolled: 60, priorityValue: 5_000 }, want: { value: 0, source: "measured" } },
  ])("$why", ({ v, want }) => {
    expect(journeyBusinessValue(v)).toEqual(want);
  });

  it("measured value ranks journeys within a stage, stage still first", () => {
    const worth = (id: string, stage: string, attributedMinor: number, enrolled: number, priorityValue?: number) =>
      ({ journeyId: id, stage, businessValue: journeyBusinessValue({ attributedMinor, enrolled, ...(priorityValue !== undefined ? { priorityValue } : {}) }).value });
    const out = admitJourneys({
      candidates: [worth("guess", "dormant", 0, 5, 4_000), worth("proven", "dormant", 600_000, 100), worth("loyal", "loyal", 9_000_000, 100)],
      active: [], maxConcurrent: 1, minTimeInStageMs: 0,
    }, now);
    expect(out.start).toEqual(["proven"]);
  });
});
