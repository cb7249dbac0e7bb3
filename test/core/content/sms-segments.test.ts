import { describe, expect, it } from "vitest";
import { countSegments, detectEncoding } from "../../../core/content/sms-segments";

describe("SMS encoding", () => {
  it.each([
    ["plain ASCII", "Hello there, 20% off!", "GSM-7"],
    ["GSM accented letters", "Café für Ñoño à Åre", "GSM-7"],
    ["GSM Greek capitals", "ΔΦΓΛΩΠΨΣΘΞ", "GSM-7"],
    ["extension chars", "Price: 10€ [now] {x} ~ | ^ \\", "GSM-7"],
    ["curly apostrophe", "Don’t miss it", "UCS-2"],
    ["emoji", "Sale 🎉", "UCS-2"],
    ["lowercase greek", "αβγ", "UCS-2"],
    ["accent outside GSM", "Olá amigo", "UCS-2"],
  ])("%s", (_name, body, encoding) => {
    expect(detectEncoding(body).encoding).toBe(encoding);
  });

  it("names the characters that forced UCS-2", () => {
    expect(detectEncoding("Don’t go 🎉").nonGsmChars).toEqual(["’", "🎉"]);
  });
});

describe("SMS segments", () => {
  it.each([
    ["empty", "", "GSM-7", 0, 0],
    ["160 GSM chars fit one", "a".repeat(160), "GSM-7", 160, 1],
    ["161 GSM chars need two", "a".repeat(161), "GSM-7", 161, 2],
    ["306 GSM chars fit two", "a".repeat(306), "GSM-7", 306, 2],
    ["307 GSM chars need three", "a".repeat(307), "GSM-7", 307, 3],
    ["80 euro signs are 160 septets", "€".repeat(80), "GSM-7", 160, 1],
    ["81 euro signs spill over", "€".repeat(81), "GSM-7", 162, 2],
    // 152 septets then an escape pair: the pair cannot be split, so it starts segment two.
    ["escape pair not split across segments", "a".repeat(152) + "€" + "a".repeat(152), "GSM-7", 306, 3],
    ["70 UCS-2 chars fit one", "é".repeat(69) + "’", "UCS-2", 70, 1],
    ["71 UCS-2 chars need two", "ó".repeat(71), "UCS-2", 71, 2],
    ["134 UCS-2 chars fit two", "ó".repeat(134), "UCS-2", 134, 2],
    ["135 UCS-2 chars need three", "ó".repeat(135), "UCS-2", 135, 3],
    ["emoji count as two units", "🎉".repeat(35), "UCS-2", 70, 1],
    ["surrogate pair not split", "ó".repeat(66) + "🎉" + "ó".repeat(10), "UCS-2", 78, 2],
    ["surrogate pair pushed to next segment", "ó".repeat(66) + "🎉" + "ó".repeat(66), "UCS-2", 134, 3],
  ])("%s", (_name, body, encoding, units, segments) => {
    const c = countSegments(body);
    expect({ encoding: c.encoding, units: c.units, segments: c.segments }).toEqual({ encoding, units, segments });
  });
});
