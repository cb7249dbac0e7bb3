import { describe, expect, it } from "vitest";
import { currencyExponent, toMinorUnits } from "../../../core/ingest/money";

describe("toMinorUnits", () => {
  it("shifts decimal text exactly by the currency's exponent", () => {
    expect(toMinorUnits("12.30", "USD")).toEqual({ ok: true, value: 1230n });
    expect(toMinorUnits("0.1", "EUR")).toEqual({ ok: true, value: 10n });
    expect(toMinorUnits("1,234.5", "GBP")).toEqual({ ok: true, value: 123450n });
    expect(toMinorUnits("-5.05", "USD")).toEqual({ ok: true, value: -505n });
    expect(toMinorUnits("1200", "JPY")).toEqual({ ok: true, value: 1200n });
    expect(toMinorUnits("1.234", "KWD")).toEqual({ ok: true, value: 1234n });
    expect(toMinorUnits("90071992547409.93", "USD")).toEqual({ ok: true, value: 9007199254740993n });
  });
  it("takes JS numbers by their shortest text, never by float arithmetic", () => {
    expect(toMinorUnits(0.1 + 0.2, "USD").ok).toBe(false); // 0.30000000000000004: not money
    expect(toMinorUnits(19.99, "USD")).toEqual({ ok: true, value: 1999n });
    expect(toMinorUnits(7n, "USD")).toEqual({ ok: true, value: 7n });
  });
  it("refuses what is not an amount, or more precision than the currency has", () => {
    expect(toMinorUnits("12.345", "USD")).toEqual({ ok: false, error: 'more than 2 decimals for USD: "12.345"' });
    expect(toMinorUnits("12.300", "USD")).toEqual({ ok: true, value: 1230n });
    expect(toMinorUnits("1.5", "JPY").ok).toBe(false);
    expect(toMinorUnits("abc", "USD").ok).toBe(false);
    expect(toMinorUnits("1.2.3", "USD").ok).toBe(false);
    expect(toMinorUnits(".", "USD").ok).toBe(false);
    expect(currencyExponent("usd")).toBe(2);
  });
  it("reads two-decimal text the same way whatever the currency asked before", () => {
    expect(toMinorUnits("12.30", "JPY").ok).toBe(false);
    expect(toMinorUnits("12.30", "USD")).toEqual({ ok: true, value: 1230n });
    expect(toMinorUnits("12.30", "KWD")).toEqual({ ok: true, value: 12300n });
    expect(toMinorUnits("-0.00", "usd")).toEqual({ ok: true, value: 0n });
    expect(toMinorUnits(" 1.25", "EUR")).toEqual({ ok: true, value: 125n });
    expect(toMinorUnits("+1.25", "EUR")).toEqual({ ok: true, value: 125n });
    expect(currencyExponent("jpy")).toBe(0);
    expect(currencyExponent("JPY")).toBe(0);
    expect(currencyExponent("usd")).toBe(2);
  });
});
