import { describe, expect, it } from "vitest";
import { attributionSettingsFrom, DEFAULT_WINDOWS } from "../../../core/attribution/schema";

describe("attribution settings from shops.settings", () => {
  it.each([
    ["no settings", {}, DEFAULT_WINDOWS.clickWindowMs, DEFAULT_WINDOWS.openWindowMs, 0.5],
    ["null", null, DEFAULT_WINDOWS.clickWindowMs, DEFAULT_WINDOWS.openWindowMs, 0.5],
    ["own windows", { attribution: { clickWindowMs: 7_200_000, openWindowMs: 3_600_000 } }, 7_200_000, 3_600_000, 0.5],
    ["own margin", { attribution: { marginRate: 0.35 } }, DEFAULT_WINDOWS.clickWindowMs, DEFAULT_WINDOWS.openWindowMs, 0.35],
    ["an invalid value falls back to the defaults", { attribution: { clickWindowMs: -5 } }, DEFAULT_WINDOWS.clickWindowMs, DEFAULT_WINDOWS.openWindowMs, 0.5],
  ])("%s", (_name, settings, click, open, margin) => {
    const s = attributionSettingsFrom(settings);
    expect([s.clickWindowMs, s.openWindowMs, s.marginRate]).toEqual([click, open, margin]);
    expect(s.messageCostPerThousandMinor).toEqual({ email: 100, sms: 1000, push: 0 });
  });
});
