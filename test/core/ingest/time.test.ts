import { describe, expect, it } from "vitest";
import { exactOffsetMinutes, parseInstant, zoneOffsetMinutes } from "../../../core/ingest/time";

describe("parseInstant", () => {
  it("reads offsets and keeps them as the source zone", () => {
    expect(parseInstant("2024-01-05 10:00:00 -0500")).toEqual({ ok: true, value: { at: new Date("2024-01-05T15:00:00Z"), zone: "-05:00" } });
    expect(parseInstant("2024-07-01T10:00:00.5+05:30")).toEqual({ ok: true, value: { at: new Date("2024-07-01T04:30:00.500Z"), zone: "+05:30" } });
    expect(parseInstant("2024-07-01T10:00:00Z")).toEqual({ ok: true, value: { at: new Date("2024-07-01T10:00:00Z"), zone: "Z" } });
  });
  it("reads bare times in the given IANA zone, across DST", () => {
    expect(parseInstant("2024-01-15 09:00", "America/New_York")).toEqual({ ok: true, value: { at: new Date("2024-01-15T14:00:00Z"), zone: "America/New_York" } });
    expect(parseInstant("2024-07-15", "America/New_York")).toEqual({ ok: true, value: { at: new Date("2024-07-15T04:00:00Z"), zone: "America/New_York" } });
    expect(parseInstant("2024-03-31 12:00", "Europe/Berlin").ok && parseInstant("2024-03-31 12:00", "Europe/Berlin")).toMatchObject({ value: { at: new Date("2024-03-31T10:00:00Z") } });
  });
  it("refuses guesses: no zone, impossible dates, unknown formats", () => {
    expect(parseInstant("2024-01-05 10:00")).toEqual({ ok: false, error: 'date/time "2024-01-05 10:00" has no time zone' });
    expect(parseInstant("2023-02-29", "UTC").ok).toBe(false);
    expect(parseInstant("05/01/2024", "UTC").ok).toBe(false);
    expect(parseInstant("2024-01-05", "Mars/Olympus").ok).toBe(false);
  });
});

describe("zoneOffsetMinutes", () => {
  it("agrees with the exact offset every 7 minutes across DST days, half-hour zones and odd transitions", () => {
    const cases: [string, string][] = [
      ["America/New_York", "2024-03-10"], ["America/New_York", "2024-11-03"], ["Europe/Berlin", "2024-03-31"],
      ["Australia/Lord_Howe", "2024-04-07"], ["Australia/Lord_Howe", "2024-10-06"], ["Asia/Kathmandu", "1986-01-01"],
      ["America/Sao_Paulo", "2018-11-04"], ["Europe/London", "2024-06-01"],
    ];
    for (const [zone, day] of cases) {
      const start = Date.parse(`${day}T00:00:00Z`) - 86_400_000;
      for (let t = start; t < start + 3 * 86_400_000; t += 7 * 60_000) {
        expect([zone, t, zoneOffsetMinutes(zone, t)]).toEqual([zone, t, exactOffsetMinutes(zone, t)]);
      }
    }
  });
});
