// A shop's scoring settings: the schema's defaults and bounds, and stage multiples in order.
import { describe, expect, it } from "vitest";
import { defaultScoringSettings, validateScoringSettings } from "../../../core/scoring/schema";

describe("validateScoringSettings", () => {
  it("fills the defaults (k = 2, a 7-day hold, a year's horizon, undiscounted)", () => {
    for (const input of [undefined, null, {}]) {
      const r = validateScoringSettings(input);
      expect(r).toEqual({ ok: true, value: defaultScoringSettings() });
    }
    expect(defaultScoringSettings()).toMatchObject({ dormancyK: 2, atRiskK: 1.5, lostK: 4, minStageHoldDays: 7, horizonDays: 365, annualDiscountRate: 0 });
  });

  it.each([
    { name: "a shop's own k", input: { dormancyK: 3 }, value: { dormancyK: 3, atRiskK: 1.5, lostK: 4 } },
    { name: "no hold at all", input: { minStageHoldDays: 0 }, value: { minStageHoldDays: 0 } },
    { name: "a discount rate and horizon", input: { annualDiscountRate: 0.1, horizonDays: 730 }, value: { annualDiscountRate: 0.1, horizonDays: 730 } },
  ])("accepts $name", ({ input, value }) => {
    const r = validateScoringSettings(input);
    expect(r.ok && r.value).toMatchObject(value);
  });

  it.each([
    { name: "k of zero", input: { dormancyK: 0 }, field: "dormancyK", message: />0/ },
    { name: "a negative hold", input: { minStageHoldDays: -1 }, field: "minStageHoldDays", message: />=0/ },
    { name: "a negative discount rate", input: { annualDiscountRate: -0.05 }, field: "annualDiscountRate", message: />=0/ },
    { name: "k past lost: dormant could never give way to lost", input: { dormancyK: 5 }, field: "lostK", message: "must be above the dormancy multiple (5)" },
    { name: "at risk past k: at risk could never be reached", input: { atRiskK: 2.5 }, field: "atRiskK", message: "must be below the dormancy multiple (2)" },
    { name: "a text k", input: { dormancyK: "2" }, field: "dormancyK", message: /number/ },
  ])("rejects $name, naming the field", ({ input, field, message }) => {
    const r = validateScoringSettings(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((e) => e.field)).toContain(field);
    const mine = r.error.find((e) => e.field === field)!;
    if (typeof message === "string") expect(mine.message).toBe(message);
    else expect(mine.message).toMatch(message);
  });
});
