// The one governance schema (core/governance/schema.ts): the SMS window's rules live here, so
// the settings API, the form and the engine refuse the same windows with the same words.
import { describe, expect, it } from "vitest";
import { GovernanceSettingsSchema, SmsWindowSchema } from "../../../core/governance/schema";

const issues = (sms: unknown) => {
  const r = GovernanceSettingsSchema.safeParse({ quietHours: { sms } });
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
};

describe("the SMS window", () => {
  it.each([
    { sms: ["08:00", "21:00"] },
    { sms: ["00:00", "23:59"] },
    { sms: ["09:30", "09:31"] },
  ])("accepts $sms", ({ sms }) => {
    expect(issues(sms)).toEqual([]);
    expect(GovernanceSettingsSchema.parse({ quietHours: { sms } }).quietHours.sms).toEqual(sms);
  });

  it.each([
    { why: "a time past midnight", sms: ["08:00", "25:00"], want: [{ path: "quietHours.sms", message: "times must be between 00:00 and 23:59" }] },
    { why: "minutes past 59", sms: ["08:60", "21:00"], want: [{ path: "quietHours.sms", message: "times must be between 00:00 and 23:59" }] },
    { why: "an end before the start", sms: ["21:00", "08:00"], want: [{ path: "quietHours.sms", message: "the window must start before it ends" }] },
    { why: "an empty window", sms: ["10:00", "10:00"], want: [{ path: "quietHours.sms", message: "the window must start before it ends" }] },
  ])("refuses $why, naming the field", ({ sms, want }) => expect(issues(sms)).toEqual(want));

  it("reports a time that is not HH:MM on its own element, and nothing about the order", () => {
    const got = issues(["9am", "20:00"]);
    expect(got.map((i) => i.path)).toEqual(["quietHours.sms.0"]);
  });

  it("the default window is the federal one, and the engine's parse of stored settings applies the same rules", () => {
    expect(GovernanceSettingsSchema.parse({}).quietHours.sms).toEqual(["08:00", "21:00"]);
    expect(() => GovernanceSettingsSchema.parse({ quietHours: { sms: ["21:00", "08:00"] } })).toThrow(/start before it ends/);
    expect(SmsWindowSchema.safeParse(["21:00", "08:00"]).success).toBe(false);
  });
});
