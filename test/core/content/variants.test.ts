import { describe, expect, it } from "vitest";
import { messageContentSchema } from "../../../core/content/schema";
import { applyVariant, chooseVariant, decideVariantWinner, type VariantResult, type VariantTest } from "../../../core/content/variants";

const v = (key: string, weight = 1) => ({ key, weight });
const test2: VariantTest = { variants: [v("a"), v("b")], metric: "conversions" };

describe("chooseVariant", () => {
  it("is sticky: the same message and customer always get the same variant", () => {
    for (let c = 0; c < 200; c++) {
      const first = chooseVariant(test2, "shop1:42", String(c)).key;
      for (let i = 0; i < 3; i++) expect(chooseVariant(test2, "shop1:42", String(c)).key).toBe(first);
    }
  });

  const CASES: { name: string; test: VariantTest; expected: Record<string, number> }[] = [
    { name: "even split of two", test: test2, expected: { a: 0.5, b: 0.5 } },
    { name: "even split of three", test: { variants: [v("a"), v("b"), v("c")], metric: "clicks" }, expected: { a: 1 / 3, b: 1 / 3, c: 1 / 3 } },
    { name: "weights 3:1", test: { variants: [v("a", 3), v("b", 1)], metric: "opens" }, expected: { a: 0.75, b: 0.25 } },
    { name: "adopted winner takes everyone", test: { ...test2, adopted: { key: "b", by: "auto", at: "2026-12-01T00:00:00.000Z" } }, expected: { a: 0, b: 1 } },
  ];
  it.each(CASES)("$name", ({ test, expected }) => {
    const n = 20_000;
    const counts: Record<string, number> = {};
    for (let c = 0; c < n; c++) {
      const k = chooseVariant(test, "shop1:7", String(c)).key;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const [k, share] of Object.entries(expected)) expect(Math.abs((counts[k] ?? 0) / n - share)).toBeLessThan(0.015);
  });

  it("a different message reshuffles customers (independent tests)", () => {
    let same = 0;
    for (let c = 0; c < 2_000; c++) if (chooseVariant(test2, "m1", String(c)).key === chooseVariant(test2, "m2", String(c)).key) same++;
    expect(same / 2_000).toBeGreaterThan(0.45);
    expect(same / 2_000).toBeLessThan(0.55);
  });
});

describe("applyVariant", () => {
  it("puts the variant's parts in and keeps the rest of the message", () => {
    const content = { channel: "email", purpose: "promotional", subject: "S", preheader: "P", mjml: "<mjml/>", variants: { variants: [], metric: "opens" } };
    expect(applyVariant(content, { key: "b", weight: 1, subject: "S2", preheader: undefined })).toEqual({ channel: "email", purpose: "promotional", subject: "S2", preheader: "P", mjml: "<mjml/>" });
  });
});

describe("variant test schema", () => {
  const base = { channel: "email", purpose: "promotional", subject: "Hi", mjml: "<mjml><mj-body></mj-body></mjml>" };
  const CASES: { name: string; variants: unknown; error: string | null }[] = [
    { name: "two subject lines", variants: { variants: [{ key: "a" }, { key: "b", subject: "Hello" }] }, error: null },
    { name: "only one variant", variants: { variants: [{ key: "a" }] }, error: "at least two variants" },
    { name: "duplicate keys", variants: { variants: [{ key: "a" }, { key: "a" }] }, error: 'variant key "a" is used twice' },
    { name: "adopted key not a variant", variants: { variants: [{ key: "a" }, { key: "b" }], adopted: { key: "c", by: "merchant", at: "2026-12-01T00:00:00.000Z" } }, error: 'adopted variant "c"' },
    { name: "an SMS field on an email variant", variants: { variants: [{ key: "a" }, { key: "b", body: "x" }] }, error: "body" },
  ];
  it.each(CASES)("$name", ({ variants, error }) => {
    const r = messageContentSchema.safeParse({ ...base, variants });
    if (error === null) expect(r.success).toBe(true);
    else expect((r.error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")).toContain(error);
  });
});

describe("decideVariantWinner", () => {
  const r = (key: string, sends: number, conversions: number, clicks = 0, opens = 0): VariantResult => ({ key, sends, opens, clicks, conversions });
  const CASES: { name: string; results: VariantResult[]; metric: "conversions" | "clicks"; expected: string }[] = [
    { name: "too few sends: waits and says how many more", results: [r("a", 40, 2), r("b", 30, 9)], metric: "conversions", expected: "wait:130" },
    { name: "clear winner on conversions", results: [r("a", 5_000, 100), r("b", 5_000, 250)], metric: "conversions", expected: "adopt:b" },
    { name: "control wins when the challenger is clearly worse", results: [r("a", 5_000, 250), r("b", 5_000, 100)], metric: "conversions", expected: "adopt:a" },
    { name: "no difference: waits", results: [r("a", 2_000, 60), r("b", 2_000, 62)], metric: "conversions", expected: "wait" },
    { name: "decides on the chosen metric", results: [r("a", 5_000, 100, 300), r("b", 5_000, 100, 600)], metric: "clicks", expected: "adopt:b" },
  ];
  it.each(CASES)("$name", ({ results, metric, expected }) => {
    const d = decideVariantWinner(results, metric);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const got = d.value.kind === "adopt" ? `adopt:${d.value.winner}` : d.value.kind;
    if (expected.startsWith("wait:")) {
      expect(d.value.kind).toBe("wait");
      expect(d.value.kind === "wait" && d.value.moreSendsNeeded).toBe(Number(expected.slice(5)));
    } else expect(got).toBe(expected);
    if (d.value.kind === "wait") expect(d.value.message).toMatch(/not yet significant/);
  });

  it("refuses impossible figures", () => {
    expect(decideVariantWinner([r("a", 10, 11), r("b", 10, 1)], "conversions").ok).toBe(false);
  });
});

describe("validateContent checks every variant", () => {
  it("names the variant whose Liquid is wrong", async () => {
    const { validateContent } = await import("../../../core/content/validate");
    const base = { channel: "sms", purpose: "promotional", body: "Hi {{ customer.first_name }}" };
    expect((await validateContent({ ...base, variants: { variants: [{ key: "a" }, { key: "b", body: "Yo {{ customer.nickname }}" }] } })).ok).toBe(false);
    const r = await validateContent({ ...base, variants: { variants: [{ key: "a" }, { key: "b", body: "Yo {{ customer.nickname }}" }] } });
    expect(!r.ok && r.error.map((i) => i.part)).toEqual(["variant b: body"]);
    expect((await validateContent({ ...base, variants: { variants: [{ key: "a" }, { key: "b", body: "Hey {{ customer.first_name }}" }] } })).ok).toBe(true);
  });
});
