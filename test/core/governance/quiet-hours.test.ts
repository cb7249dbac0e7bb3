import { describe, expect, it } from "vitest";
import { applicableRegions, checkQuietHours, checkStateDailyLimit, type Recipient } from "../../../core/governance/quiet-hours";
import { DEFAULT_GOVERNANCE, GovernanceSettingsSchema } from "../../../core/governance/schema";
import { resolveTimeZone } from "../../../core/governance/timezone";

const NY = "America/New_York";
const FL_PHONE = "+13055550100"; // 305: Miami
const TX_PHONE = "+12145550100"; // 214: Dallas
const NJ_PHONE = "+12015550100"; // 201: New Jersey, no state rule

describe("applicableRegions", () => {
  it.each([
    { r: { zone: NY, phone: FL_PHONE }, want: ["US", "US-FL"] },
    { r: { zone: NY, phone: NJ_PHONE, address: { countryCode: "US", provinceCode: "ct" } }, want: ["US", "US-CT"] },
    { r: { zone: NY, phone: FL_PHONE, address: { countryCode: "US", provinceCode: "TX" } }, want: ["US", "US-FL", "US-TX"] },
    { r: { zone: "Europe/Berlin", phone: "+4915112345678", address: { countryCode: "DE" } }, want: [] },
  ])("$want", ({ r, want }) => expect(applicableRegions(r as Recipient).sort()).toEqual(want));
});

describe("checkQuietHours", () => {
  it.each([
    // Federal 08:00-21:00, window is [start, end).
    { why: "NJ 20:59 EDT allowed", r: { zone: NY, phone: NJ_PHONE }, now: "2026-07-02T00:59:00Z", next: null },
    { why: "NJ 21:00 EDT deferred to 08:00", r: { zone: NY, phone: NJ_PHONE }, now: "2026-07-02T01:00:00Z", next: "2026-07-02T12:00:00.000Z" },
    { why: "NJ 07:59 EDT deferred one minute", r: { zone: NY, phone: NJ_PHONE }, now: "2026-07-02T11:59:00Z", next: "2026-07-02T12:00:00.000Z" },
    // Florida ends at 20:00.
    { why: "FL area code 20:00 deferred", r: { zone: NY, phone: FL_PHONE }, now: "2026-07-02T00:00:00Z", next: "2026-07-02T12:00:00.000Z" },
    { why: "FL area code 19:59 allowed", r: { zone: NY, phone: FL_PHONE }, now: "2026-07-01T23:59:00Z", next: null },
    { why: "FL by address only (NJ number)", r: { zone: NY, phone: NJ_PHONE, address: { countryCode: "US", provinceCode: "FL" } }, now: "2026-07-02T00:30:00Z", next: "2026-07-02T12:00:00.000Z" },
    // Connecticut starts at 09:00.
    { why: "CT 08:30 deferred to 09:00", r: { zone: NY, address: { countryCode: "US", provinceCode: "CT" }, phone: NJ_PHONE }, now: "2026-07-02T12:30:00Z", next: "2026-07-02T13:00:00.000Z" },
    // Texas: 09:00 Mon-Sat, 12:00 Sunday; enforced in Central as well.
    { why: "TX Sunday 10:00 CDT deferred to 12:00", r: { zone: "America/Chicago", phone: TX_PHONE }, now: "2026-07-05T15:00:00Z", next: "2026-07-05T17:00:00.000Z" },
    { why: "TX Saturday 10:00 CDT allowed", r: { zone: "America/Chicago", phone: TX_PHONE }, now: "2026-07-04T15:00:00Z", next: null },
    { why: "TX number in NY, 09:30 EDT = 08:30 CDT waits for Central 09:00", r: { zone: NY, phone: TX_PHONE }, now: "2026-07-01T13:30:00Z", next: "2026-07-01T14:00:00.000Z" },
    { why: "TX Saturday 20:30 defers past Sunday morning to Sunday noon", r: { zone: "America/Chicago", phone: TX_PHONE }, now: "2026-07-05T02:00:00Z", next: "2026-07-05T17:00:00.000Z" },
    // DST edges in the recipient's zone.
    { why: "NY 07:30 EDT on spring-forward Sunday -> 08:00 EDT", r: { zone: NY, phone: NJ_PHONE }, now: "2026-03-08T11:30:00Z", next: "2026-03-08T12:00:00.000Z" },
    { why: "NY Saturday 22:00 EST before spring forward -> Sunday 08:00 EDT", r: { zone: NY, phone: NJ_PHONE }, now: "2026-03-08T03:00:00Z", next: "2026-03-08T12:00:00.000Z" },
    { why: "NY Saturday 22:00 EDT before fall back -> Sunday 08:00 EST", r: { zone: NY, phone: NJ_PHONE }, now: "2026-11-01T02:00:00Z", next: "2026-11-01T13:00:00.000Z" },
    { why: "NY 08:00 EST after fall back allowed", r: { zone: NY, phone: NJ_PHONE }, now: "2026-11-01T13:00:00Z", next: null },
    { why: "NY 07:00 EST after fall back (= 08:00 EDT the day before would be wrong)", r: { zone: NY, phone: NJ_PHONE }, now: "2026-11-01T12:00:00Z", next: "2026-11-01T13:00:00.000Z" },
    // Outside the US: only the shop's window.
    { why: "Berlin 07:00 CEST -> 08:00", r: { zone: "Europe/Berlin", phone: "+4915112345678" }, now: "2026-07-01T05:00:00Z", next: "2026-07-01T06:00:00.000Z" },
  ])("$why", ({ r, now, next }) => {
    const d = checkQuietHours(r as Recipient, DEFAULT_GOVERNANCE, new Date(now));
    if (next === null) expect(d).toEqual({ allowed: true });
    else expect(d).toMatchObject({ allowed: false, nextAllowedAt: new Date(next) });
  });

  it("Alabama's Sunday ban applies only when call-chart states are on", () => {
    const r: Recipient = { zone: "America/Chicago", phone: "+12055550100" }; // 205: Birmingham
    const sunday10 = new Date("2026-07-05T15:00:00Z");
    expect(checkQuietHours(r, DEFAULT_GOVERNANCE, sunday10)).toMatchObject({ allowed: false, nextAllowedAt: new Date("2026-07-06T13:00:00Z") });
    const relaxed = GovernanceSettingsSchema.parse({ quietHours: { applyCallChartStates: false } });
    expect(checkQuietHours(r, relaxed, sunday10)).toEqual({ allowed: true });
  });

  it("a shop window can only narrow the legal one", () => {
    const shop = GovernanceSettingsSchema.parse({ quietHours: { sms: ["06:00", "23:00"] } });
    expect(checkQuietHours({ zone: NY, phone: NJ_PHONE }, shop, new Date("2026-07-02T11:00:00Z"))).toMatchObject({ allowed: false }); // 07:00
    const narrow = GovernanceSettingsSchema.parse({ quietHours: { sms: ["10:00", "18:00"] } });
    expect(checkQuietHours({ zone: NY, phone: NJ_PHONE }, narrow, new Date("2026-07-02T13:00:00Z"))).toMatchObject({ nextAllowedAt: new Date("2026-07-02T14:00:00Z") });
  });
});

describe("checkStateDailyLimit (Florida: 3 per 24 h)", () => {
  const fl: Recipient = { zone: NY, phone: FL_PHONE };
  const now = new Date("2026-07-02T16:00:00Z");
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
  it.each([
    { prior: [1, 2], want: null },
    { prior: [1, 2, 3], want: hoursAgo(3).getTime() + 86_400_000 },
    { prior: [1, 2, 24], want: null }, // exactly 24 h ago has aged out
    { prior: [1, 2, 23.99, 30], want: hoursAgo(23.99).getTime() + 86_400_000 },
  ])("prior sends $prior h ago", ({ prior, want }) => {
    const d = checkStateDailyLimit(fl, prior.map(hoursAgo), DEFAULT_GOVERNANCE, now);
    if (want === null) expect(d).toEqual({ allowed: true });
    else expect(d).toEqual({ allowed: false, region: "US-FL", max: 3, nextAllowedAt: new Date(want) });
  });

  it("does not limit a state without a daily cap", () => {
    const d = checkStateDailyLimit({ zone: NY, phone: NJ_PHONE }, [hoursAgo(1), hoursAgo(2), hoursAgo(3), hoursAgo(4)], DEFAULT_GOVERNANCE, now);
    expect(d).toEqual({ allowed: true });
  });
});

describe("resolveTimeZone", () => {
  it.each([
    { customer: "Europe/Berlin", address: { countryCode: "US", provinceCode: "CA" }, want: { zone: "Europe/Berlin", source: "customer" } },
    { customer: "Not/AZone", address: { countryCode: "US", provinceCode: "CA" }, want: { zone: "America/Los_Angeles", source: "address" } },
    { customer: undefined, address: { countryCode: "de" }, want: { zone: "Europe/Berlin", source: "address" } },
    { customer: undefined, address: { countryCode: "ZZ" }, want: { zone: NY, source: "shop" } },
    { customer: undefined, address: undefined, want: { zone: NY, source: "shop" } },
  ])("$want.source -> $want.zone", ({ customer, address, want }) => {
    expect(resolveTimeZone(customer, address, NY)).toEqual(want);
  });
});
