import { describe, expect, it } from "vitest";
import { canEnter, type EntryHistory } from "../../../core/journeys/entry";
import { reachesGoal, matchingExitCriterion } from "../../../core/journeys/exit-match";
import { nextCampaignRun } from "../../../core/journeys/schedule";
import { EntryRulesSchema } from "../../../core/journeys/schema";

const DAY = 86_400_000;
const now = new Date("2026-05-20T12:00:00Z");
const ended = (daysAgo: number) => ({ enteredAt: new Date(now.getTime() - (daysAgo + 10) * DAY), endedAt: new Date(now.getTime() - daysAgo * DAY) });

describe("canEnter", () => {
  const rules = (r: object) => ({ entry: EntryRulesSchema.parse(r) });
  const h = (previous: EntryHistory["previous"], segments: string[] = []): EntryHistory => ({ previous, segmentIds: new Set(segments) });
  it.each([
    { why: "first time", entry: {}, history: h([]), want: { allowed: true } },
    { why: "in an exclusion segment", entry: { exclusionSegmentIds: ["vip"] }, history: h([], ["vip"]), want: { allowed: false, reason: "excluded_segment", segmentId: "vip" } },
    { why: "still enrolled", entry: { reentry: true }, history: h([{ enteredAt: now, endedAt: null }]), want: { allowed: false, reason: "already_enrolled" } },
    { why: "re-entry off", entry: {}, history: h([ended(100)]), want: { allowed: false, reason: "reentry_not_allowed" } },
    { why: "max entries reached", entry: { reentry: true, maxEntriesPerCustomer: 2 }, history: h([ended(100), ended(50)]), want: { allowed: false, reason: "max_entries" } },
    { why: "inside cooldown", entry: { reentry: true, reentryCooldown: { amount: 30, unit: "days" } }, history: h([ended(29)]), want: { allowed: false, reason: "cooldown", until: new Date(now.getTime() + DAY) } },
    { why: "cooldown just over", entry: { reentry: true, reentryCooldown: { amount: 30, unit: "days" } }, history: h([ended(30)]), want: { allowed: true } },
  ])("$why", ({ entry, history, want }) => expect(canEnter(rules(entry), history, now)).toEqual(want));
});

describe("nextCampaignRun (each customer's local time)", () => {
  it.each([
    { why: "once, New York", s: { kind: "once" as const, date: "2026-11-27", localTime: "09:00" }, zone: "America/New_York", from: "2026-11-01T00:00:00Z", want: "2026-11-27T14:00:00.000Z" },
    { why: "once, Berlin, same campaign", s: { kind: "once" as const, date: "2026-11-27", localTime: "09:00" }, zone: "Europe/Berlin", from: "2026-11-01T00:00:00Z", want: "2026-11-27T08:00:00.000Z" },
    { why: "once, already past", s: { kind: "once" as const, date: "2026-11-27", localTime: "09:00" }, zone: "Europe/Berlin", from: "2026-11-27T08:00:01Z", want: null },
    { why: "recurring Mondays over NY spring forward", s: { kind: "recurring" as const, weekdays: [1], localTime: "10:00" }, zone: "America/New_York", from: "2026-03-03T00:00:00Z", want: "2026-03-09T14:00:00.000Z" },
    { why: "recurring, at the instant itself", s: { kind: "recurring" as const, weekdays: [1], localTime: "10:00" }, zone: "America/New_York", from: "2026-03-09T14:00:00Z", want: "2026-03-09T14:00:00.000Z" },
    { why: "recurring, waits for start date", s: { kind: "recurring" as const, weekdays: [1, 4], localTime: "10:00", startDate: "2026-03-19" }, zone: "America/New_York", from: "2026-03-03T00:00:00Z", want: "2026-03-19T14:00:00.000Z" },
    { why: "recurring, after end date", s: { kind: "recurring" as const, weekdays: [1], localTime: "10:00", endDate: "2026-03-08" }, zone: "America/New_York", from: "2026-03-03T00:00:00Z", want: null },
  ])("$why", ({ s, zone, from, want }) => {
    expect(nextCampaignRun(s, zone, new Date(from))).toEqual(want === null ? null : new Date(want));
  });
});

describe("goal and exit matching", () => {
  const j = { goal: { kind: "order_placed" as const }, exitCriteria: [{ kind: "unsubscribed" as const }, { kind: "entered_stage" as const, stage: "at_risk" }] };
  it.each([
    { fact: { kind: "order_placed" as const }, goal: true, exit: undefined },
    { fact: { kind: "unsubscribed" as const }, goal: false, exit: { kind: "unsubscribed" } },
    { fact: { kind: "stage_entered" as const, stage: "at_risk" }, goal: false, exit: { kind: "entered_stage", stage: "at_risk" } },
    { fact: { kind: "stage_entered" as const, stage: "loyal" }, goal: false, exit: undefined },
    { fact: { kind: "event" as const, name: "order_placed" }, goal: false, exit: undefined },
  ])("$fact.kind", ({ fact, goal, exit }) => {
    expect(reachesGoal(j, fact)).toBe(goal);
    expect(matchingExitCriterion(j, fact)).toEqual(exit);
  });
});
