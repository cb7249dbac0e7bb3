import { describe, expect, it } from "vitest";
import { fireInWindow, nextTriggerFire, type DateFacts, type DateTrigger } from "../../../core/journeys/date-triggers";

const T = (iso: string) => new Date(iso);

describe("nextTriggerFire", () => {
  const rows: { name: string; trigger: DateTrigger; facts: DateFacts; zone: string; from: string; at: string | null; occasion?: string }[] = [
    // New York: EST (-05) before 2027-03-14 02:00, EDT (-04) after; back to EST on 2027-11-07.
    { name: "birthday before spring DST", trigger: { kind: "birthday", localTime: "09:00" }, facts: { birthday: "1990-03-13" }, zone: "America/New_York",
      from: "2027-01-01T00:00:00Z", at: "2027-03-13T14:00:00.000Z", occasion: "birthday:2027" },
    { name: "birthday on the spring DST day keeps 09:00 local", trigger: { kind: "birthday", localTime: "09:00" }, facts: { birthday: "1990-03-14" }, zone: "America/New_York",
      from: "2027-01-01T00:00:00Z", at: "2027-03-14T13:00:00.000Z", occasion: "birthday:2027" },
    { name: "02:30 in the spring gap lands just past the jump", trigger: { kind: "birthday", localTime: "02:30" }, facts: { birthday: "1990-03-14" }, zone: "America/New_York",
      from: "2027-01-01T00:00:00Z", at: "2027-03-14T07:30:00.000Z" },
    { name: "01:30 on the November overlap fires once, the earlier instant", trigger: { kind: "birthday", localTime: "01:30" }, facts: { birthday: "1990-11-07" }, zone: "America/New_York",
      from: "2027-06-01T00:00:00Z", at: "2027-11-07T05:30:00.000Z" },
    { name: "birthday after November DST", trigger: { kind: "birthday", localTime: "09:00" }, facts: { birthday: "1990-11-08" }, zone: "America/New_York",
      from: "2027-06-01T00:00:00Z", at: "2027-11-08T14:00:00.000Z" },
    { name: "birthday already passed this year goes to next year", trigger: { kind: "birthday", localTime: "09:00" }, facts: { birthday: "1990-03-13" }, zone: "America/New_York",
      from: "2027-03-13T14:00:00.001Z", at: "2028-03-13T13:00:00.000Z", occasion: "birthday:2028" },
    { name: "Feb 29 birthday on Feb 28 in a common year", trigger: { kind: "birthday", localTime: "10:00" }, facts: { birthday: "2000-02-29" }, zone: "Europe/London",
      from: "2027-01-01T00:00:00Z", at: "2027-02-28T10:00:00.000Z" },
    { name: "no birthday, no fire", trigger: { kind: "birthday", localTime: "10:00" }, facts: {}, zone: "UTC", from: "2027-01-01T00:00:00Z", at: null },
    { name: "anniversary of the local order date (late evening in LA is the next day in UTC)", trigger: { kind: "first_order_anniversary", localTime: "10:00" },
      facts: { firstOrderAt: T("2025-06-02T05:00:00Z") }, zone: "America/Los_Angeles", from: "2025-06-03T00:00:00Z", at: "2026-06-01T17:00:00.000Z", occasion: "anniversary:2026" },
    { name: "no anniversary in the first order's own year", trigger: { kind: "first_order_anniversary", localTime: "10:00" },
      facts: { firstOrderAt: T("2026-01-10T12:00:00Z") }, zone: "UTC", from: "2026-01-01T00:00:00Z", at: "2027-01-10T10:00:00.000Z", occasion: "anniversary:2027" },
    { name: "expected next order passed by grace days", trigger: { kind: "expected_next_order_passed", graceDays: 7 },
      facts: { expectedNextOrderAt: T("2027-03-10T00:00:00Z") }, zone: "America/New_York", from: "2027-03-01T00:00:00Z", at: "2027-03-17T00:00:00.000Z",
      occasion: "overdue:2027-03-10T00:00:00.000Z" },
    { name: "expected next order long past: nothing new", trigger: { kind: "expected_next_order_passed", graceDays: 7 },
      facts: { expectedNextOrderAt: T("2027-01-10T00:00:00Z") }, zone: "UTC", from: "2027-03-01T00:00:00Z", at: null },
    { name: "recurring campaign, Mondays 10:00, across the spring change", trigger: { kind: "scheduled_campaign", segmentId: "1", schedule: { kind: "recurring", weekdays: [1], localTime: "10:00" } },
      facts: {}, zone: "America/New_York", from: "2027-03-09T00:00:00Z", at: "2027-03-15T14:00:00.000Z", occasion: "campaign:2027-03-15" },
    { name: "once campaign in Sydney is a different instant", trigger: { kind: "scheduled_campaign", segmentId: "1", schedule: { kind: "once", date: "2027-03-15", localTime: "10:00" } },
      facts: {}, zone: "Australia/Sydney", from: "2027-03-01T00:00:00Z", at: "2027-03-14T23:00:00.000Z", occasion: "campaign:2027-03-15" },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const f = nextTriggerFire(r.trigger, r.facts, r.zone, T(r.from));
      expect(f?.at.toISOString() ?? null).toBe(r.at);
      if (r.occasion) expect(f?.occasion).toBe(r.occasion);
    });
  }
});

describe("fireInWindow on a 5-minute simulated clock", () => {
  it("fires exactly once across consecutive windows spanning the November change, at local 09:00 each side", () => {
    const trigger: DateTrigger = { kind: "scheduled_campaign", segmentId: "1", schedule: { kind: "recurring", weekdays: [0, 1, 2, 3, 4, 5, 6], localTime: "09:00" } };
    const fires: string[] = [];
    const start = T("2027-11-05T00:00:00Z").getTime();
    for (let t = start; t < start + 4 * 86_400_000; t += 300_000) {
      const f = fireInWindow(trigger, {}, "America/New_York", new Date(t), new Date(t + 300_000));
      if (f) fires.push(`${f.occasion}@${f.at.toISOString()}`);
    }
    expect(fires).toEqual([
      "campaign:2027-11-05@2027-11-05T13:00:00.000Z", "campaign:2027-11-06@2027-11-06T13:00:00.000Z",
      "campaign:2027-11-07@2027-11-07T14:00:00.000Z", "campaign:2027-11-08@2027-11-08T14:00:00.000Z",
    ]);
  });

  it("customers in different zones get the campaign at their own local time", () => {
    const trigger: DateTrigger = { kind: "scheduled_campaign", segmentId: "1", schedule: { kind: "once", date: "2027-03-15", localTime: "10:00" } };
    const from = T("2027-03-14T00:00:00Z"), to = T("2027-03-16T12:00:00Z");
    const at = (zone: string) => fireInWindow(trigger, {}, zone, from, to)?.at.toISOString();
    expect(at("America/New_York")).toBe("2027-03-15T14:00:00.000Z");
    expect(at("Europe/Berlin")).toBe("2027-03-15T09:00:00.000Z");
    expect(at("Asia/Tokyo")).toBe("2027-03-15T01:00:00.000Z");
  });
});
