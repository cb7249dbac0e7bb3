// Shapes of customer intelligence: settings per shop, per-customer summaries, fitted models.
import { z } from "zod";
import { err, ok, type Result } from "../result";

/** Time unit the models count in. A month is 365.25 / 12 days (the mean Gregorian month). */
export const periodSchema = z.enum(["day", "week", "month"]);
export type Period = z.infer<typeof periodSchema>;

export const PERIOD_DAYS: Record<Period, number> = { day: 1, week: 7, month: 365.25 / 12 };

export const scoringSettingsSchema = z.object({
  /** Dormant when days since last order > k × the customer's expected gap. */
  dormancyK: z.number().positive().default(2),
  /** "At risk" once days since last order exceed this multiple of the expected gap. */
  atRiskK: z.number().positive().default(1.5),
  /** "Lost" once days since last order exceed this multiple of the expected gap. */
  lostK: z.number().positive().default(4),
  /** A stage is held at least this long before another change (anti-flapping). */
  minStageHoldDays: z.number().nonnegative().default(7),
  /** Expected gap for everyone when the shop has no repeat buyers yet to learn a rhythm from. */
  fallbackGapDays: z.number().positive().default(90),
  /** "New" while the first (only) order is younger than this. */
  newCustomerDays: z.number().positive().default(60),
  /** Repeat customers with at least this many orders are "loyal". */
  loyalOrderCount: z.number().int().positive().default(4),
  /** A won-back customer keeps that stage this long after the winning order. */
  wonBackDays: z.number().positive().default(90),
  period: periodSchema.default("week"),
  /** CLV horizon in days. */
  horizonDays: z.number().positive().default(365),
  /** Annual discount rate for CLV (0 = undiscounted). */
  annualDiscountRate: z.number().nonnegative().default(0),
});
export type ScoringSettings = z.infer<typeof scoringSettingsSchema>;
export const defaultScoringSettings = (): ScoringSettings => scoringSettingsSchema.parse({});

export type SettingsError = { field: string; message: string };

/**
 * A shop's settings, checked: the schema, then the stage multiples in order (at risk before
 * dormant before lost), since otherwise a stage can never be reached. Errors name the field.
 */
export function validateScoringSettings(input: unknown): Result<ScoringSettings, SettingsError[]> {
  const parsed = scoringSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) return err(parsed.error.issues.map((i) => ({ field: i.path.join(".") || "settings", message: i.message })));
  const s = parsed.data;
  const errors: SettingsError[] = [];
  if (!(s.atRiskK < s.dormancyK)) errors.push({ field: "atRiskK", message: `must be below the dormancy multiple (${s.dormancyK})` });
  if (!(s.dormancyK < s.lostK)) errors.push({ field: "lostK", message: `must be above the dormancy multiple (${s.dormancyK})` });
  return errors.length ? err(errors) : ok(s);
}

/** One transaction: purchases of one customer on one calendar day (shop time zone), summed. */
export const transactionSchema = z.object({
  customerId: z.string().min(1),
  /** Calendar day, YYYY-MM-DD, in the shop's time zone. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  amount: z.number().finite(),
});
export type Transaction = z.infer<typeof transactionSchema>;

/** The BG/NBD and Gamma-Gamma inputs of one customer; times in periods. */
export interface CustomerSummary {
  customerId: string;
  /** Repeat transactions (transactions after the first). */
  frequency: number;
  /** First to last transaction, periods. */
  recency: number;
  /** First transaction to end of calibration, periods. */
  T: number;
  /** Mean spend of repeat transactions; 0 without repeats. */
  monetary: number;
  /** Day numbers (days since 1970-01-01) of the transactions, ascending. */
  days: number[];
  totalSpend: number;
}

export const bgnbdParamsSchema = z.object({
  r: z.number().positive(),
  alpha: z.number().positive(),
  a: z.number().positive(),
  b: z.number().positive(),
});
export type BgnbdParams = z.infer<typeof bgnbdParamsSchema>;

export const gammaGammaParamsSchema = z.object({
  p: z.number().positive(),
  q: z.number().positive(),
  gamma: z.number().positive(),
});
export type GammaGammaParams = z.infer<typeof gammaGammaParamsSchema>;

export const lifecycleStageSchema = z.enum(["new", "active", "loyal", "at_risk", "dormant", "lost", "won_back"]);
export type LifecycleStage = z.infer<typeof lifecycleStageSchema>;

/** What we remember of a customer's stage between scoring runs; days are day numbers. */
export const stageStateSchema = z.object({
  stage: lifecycleStageSchema,
  sinceDay: z.number(),
  /** Last order day seen when the stage was last evaluated, to notice a new order. */
  lastOrderDay: z.number(),
});
export type StageState = z.infer<typeof stageStateSchema>;

export const confidenceSchema = z.enum(["high", "medium", "low"]);
export type Confidence = z.infer<typeof confidenceSchema>;
