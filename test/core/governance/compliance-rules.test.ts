import { describe, expect, it } from "vitest";
import { stateForPhone } from "../../../core/governance/area-codes";
import { SMS_RULES, WEEKDAYS } from "../../../core/governance/compliance-rules";
import { parseHhMm } from "../../../core/governance/local-time";

describe("compliance rules data", () => {
  it.each(SMS_RULES.map((r) => [r.region, r] as const))("%s keeps its source and sane windows", (_region, rule) => {
    expect(rule.source).toMatch(/^https?:\/\//);
    for (const d of WEEKDAYS) {
      const w = rule.days[d];
      if (w) expect(parseHhMm(w[0])).toBeLessThan(parseHhMm(w[1]));
    }
  });

  it("no state window is looser than the federal one", () => {
    const federal = SMS_RULES.find((r) => r.region === "US")!;
    for (const rule of SMS_RULES) for (const d of WEEKDAYS) {
      const w = rule.days[d], f = federal.days[d]!;
      if (w) {
        expect(parseHhMm(w[0])).toBeGreaterThanOrEqual(parseHhMm(f[0]));
        expect(parseHhMm(w[1])).toBeLessThanOrEqual(parseHhMm(f[1]));
      }
    }
  });

  it.each([
    ["+13055550100", "US-FL"], ["+19185550100", "US-OK"], ["+14105550100", "US-MD"], ["+12035550100", "US-CT"],
    ["+12065550100", "US-WA"], ["+17135550100", "US-TX"], ["+12015550100", undefined], ["+442071234567", undefined], ["3055550100", undefined],
  ])("%s -> %s", (phone, want) => {
    expect(stateForPhone(phone)).toBe(want);
    if (want) expect(SMS_RULES.some((r) => r.region === want)).toBe(true);
  });
});
