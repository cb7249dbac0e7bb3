// Settings > Scoring: the shop's own dormancy multiple k, stage multiples, minimum time in a
// stage, and the lifetime-value horizon and discount rate (shops.settings.scoring). The form
// speaks the merchant's units (months, percent); the stored settings are the core schema's.
import type pg from "pg";
import { err, ok, type Result } from "../../core/result";
import { validateScoringSettings, type ScoringSettings, type SettingsError } from "../../core/scoring/schema";
import { shopScoringSettings } from "../../jobs/scoring/worker";

/** The form's fields, each mapped to a stored setting and back. */
export const SCORING_FORM_FIELDS = ["dormancyK", "atRiskK", "lostK", "minStageHoldDays", "horizonMonths", "discountPercent"] as const;
export type ScoringFormField = (typeof SCORING_FORM_FIELDS)[number];
export type ScoringForm = Record<ScoringFormField, string>;

const DAYS_PER_MONTH = 365.25 / 12;

export function scoringForm(s: ScoringSettings): ScoringForm {
  return {
    dormancyK: String(s.dormancyK),
    atRiskK: String(s.atRiskK),
    lostK: String(s.lostK),
    minStageHoldDays: String(s.minStageHoldDays),
    horizonMonths: String(Math.round((s.horizonDays / DAYS_PER_MONTH) * 10) / 10),
    discountPercent: String(Math.round(s.annualDiscountRate * 100 * 100) / 100),
  };
}

/** Stored setting -> form field, so errors from the core land on the field the merchant typed in. */
const FORM_FIELD_OF: Record<string, ScoringFormField> = {
  dormancyK: "dormancyK",
  atRiskK: "atRiskK",
  lostK: "lostK",
  minStageHoldDays: "minStageHoldDays",
  horizonDays: "horizonMonths",
  annualDiscountRate: "discountPercent",
};

export async function readScoringSettings(db: pg.Pool, shopId: number): Promise<ScoringSettings> {
  return shopScoringSettings(db, shopId);
}

/** Validates the form against the shop's current settings and stores it; errors name the form field. */
export async function saveScoringSettings(db: pg.Pool, shopId: number, form: Partial<Record<string, string>>): Promise<Result<ScoringSettings, SettingsError[]>> {
  const errors: SettingsError[] = [];
  const num = (field: ScoringFormField): number => {
    const raw = (form[field] ?? "").trim();
    const v = raw === "" ? NaN : Number(raw);
    if (!Number.isFinite(v)) errors.push({ field, message: "Enter a number" });
    return v;
  };
  const current = await readScoringSettings(db, shopId);
  const candidate = {
    ...current,
    dormancyK: num("dormancyK"),
    atRiskK: num("atRiskK"),
    lostK: num("lostK"),
    minStageHoldDays: num("minStageHoldDays"),
    horizonDays: Math.round(num("horizonMonths") * DAYS_PER_MONTH),
    annualDiscountRate: num("discountPercent") / 100,
  };
  if (errors.length) return err(errors);
  const checked = validateScoringSettings(candidate);
  if (!checked.ok) return err(checked.error.map((e) => ({ field: FORM_FIELD_OF[e.field] ?? e.field, message: e.message })));
  await db.query(`update shops set settings = jsonb_set(settings, '{scoring}', $2::jsonb), updated_at = now() where id = $1`, [shopId, JSON.stringify(checked.value)]);
  return ok(checked.value);
}
