// Variants inside one message (subject / preheader / body) tested on live traffic. Each
// customer is given one variant, sticky across sends of the same message (a hash of message
// and customer, weighted), until a winner is adopted; then everyone gets the winner. The
// decision uses the always-valid test in core/attribution/ab-test.ts, so looking every night
// does not inflate false winners.
import { createHash } from "node:crypto";
import { z } from "zod";
import { abReport, type AbReport } from "../attribution/ab-test";
import { createRng } from "../random/prng";
import { err, ok, type Result } from "../result";

export const variantKeySchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "variant keys are lowercase letters, digits, - and _ (at most 32)");

const weight = z.number().int().min(1).max(1000).default(1);
const text = (max: number) => z.string().min(1).max(max).optional();

/** Per channel, the parts a variant may replace; what it leaves out comes from the message. */
export const emailVariantSchema = z.object({ key: variantKeySchema, weight, subject: text(500), preheader: z.string().max(500).optional(), mjml: text(200_000) }).strict();
export const smsVariantSchema = z.object({ key: variantKeySchema, weight, body: text(1_600) }).strict();
export const pushVariantSchema = z.object({ key: variantKeySchema, weight, title: text(200), body: text(1_000) }).strict();

export const variantMetricSchema = z.enum(["opens", "clicks", "conversions"]);
export type VariantMetric = z.infer<typeof variantMetricSchema>;

/** Who adopted the winner and on what figures (written once, never edited). */
export const adoptionSchema = z.object({ key: variantKeySchema, by: z.enum(["auto", "merchant"]), at: z.string().datetime() });

const testOf = <T extends z.ZodTypeAny>(variant: T) =>
  z.object({
    variants: z.array(variant).min(2, "a variant test needs at least two variants").max(8),
    /** What "better" means: opens, clicks, or attributed orders per send. */
    metric: variantMetricSchema.default("conversions"),
    adopted: adoptionSchema.optional(),
  }).superRefine((t, ctx) => {
    const keys = (t.variants as { key: string }[]).map((v) => v.key);
    const dup = keys.find((k: string, i: number) => keys.indexOf(k) !== i);
    if (dup) ctx.addIssue({ code: "custom", path: ["variants"], message: `variant key "${dup}" is used twice` });
    if (t.adopted && !keys.includes(t.adopted.key)) ctx.addIssue({ code: "custom", path: ["adopted"], message: `adopted variant "${t.adopted.key}" is not one of the variants` });
  });

export const emailVariantTestSchema = testOf(emailVariantSchema);
export const smsVariantTestSchema = testOf(smsVariantSchema);
export const pushVariantTestSchema = testOf(pushVariantSchema);

type AnyVariant = { key: string; weight: number };
export type VariantTest<V extends AnyVariant = AnyVariant> = { variants: V[]; metric: VariantMetric; adopted?: z.infer<typeof adoptionSchema> };

/** A uniform number in [0, 1) from the message and the customer: the same pair always lands in the same place. */
export function stickyFraction(messageKey: string, customerId: string): number {
  const h = createHash("sha256").update(`variant\u001f${messageKey}\u001f${customerId}`).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

/** The variant a customer gets: the adopted one if any, else a weighted sticky pick. */
export function chooseVariant<V extends AnyVariant>(test: VariantTest<V>, messageKey: string, customerId: string): V {
  if (test.adopted) {
    const adopted = test.variants.find((v) => v.key === test.adopted!.key);
    if (adopted) return adopted;
  }
  const total = test.variants.reduce((s, v) => s + v.weight, 0);
  let point = stickyFraction(messageKey, customerId) * total;
  for (const v of test.variants) {
    if (point < v.weight) return v;
    point -= v.weight;
  }
  return test.variants[test.variants.length - 1];
}

/** The content with the chosen variant's parts put in and the test itself left out. */
export function applyVariant<C extends { variants?: unknown }>(content: C, variant: Record<string, unknown>): Omit<C, "variants"> {
  const { variants: _test, ...rest } = content;
  const parts = Object.fromEntries(Object.entries(variant).filter(([k, v]) => k !== "key" && k !== "weight" && v !== undefined));
  return { ...rest, ...parts } as Omit<C, "variants">;
}

export interface VariantResult {
  key: string;
  sends: number;
  opens: number;
  clicks: number;
  conversions: number;
}

export type VariantDecision =
  | { kind: "adopt"; winner: string; report: AbReport }
  | { kind: "wait"; message: string; moreSendsNeeded: number | null; report: AbReport | null };

export interface DecideOptions {
  alpha?: number;
  /** Below this many sends in any variant the normal approximation is too rough to act on. */
  minSendsPerVariant?: number;
  /** Seed of the probability-best draws, so the same figures always give the same answer. */
  seed?: number;
}

/** Whether the figures name a winner now. Variant order is the test's order; the first is the control. */
export function decideVariantWinner(results: readonly VariantResult[], metric: VariantMetric, opts: DecideOptions = {}): Result<VariantDecision> {
  const minSends = opts.minSendsPerVariant ?? 100;
  if (results.length < 2) return err("a variant test needs at least two variants");
  for (const r of results) {
    if (r[metric] > r.sends) return err(`variant ${r.key} has more ${metric} than sends`);
  }
  const short = results.filter((r) => r.sends < minSends);
  if (short.length > 0) {
    const needed = short.reduce((s, r) => s + (minSends - r.sends), 0);
    return ok({ kind: "wait", message: `not yet significant: each variant needs at least ${minSends} sends, about ${needed} more sends needed`, moreSendsNeeded: needed, report: null });
  }
  const report = abReport(results.map((r) => ({ id: r.key, customers: r.sends, converters: r[metric] })), createRng(opts.seed ?? 1), { alpha: opts.alpha ?? 0.05 });
  if (!report.ok) return report;
  const v = report.value.verdict;
  switch (v.kind) {
    case "significant":
      return ok({ kind: "adopt", winner: v.best, report: report.value });
    case "no_significant_difference": {
      const more = v.moreCustomersNeeded;
      const message = more === null ? "not yet significant; no difference is showing, so more sends may never settle it" : `not yet significant, about ${more} more sends needed`;
      return ok({ kind: "wait", message, moreSendsNeeded: more, report: report.value });
    }
  }
}
