// Text for results figures: money from (possibly fractional) minor units, rates as percent,
// intervals as "estimate (95% CI lower to upper)".
import { formatMoney } from "../../lib/money";

export const money = (minor: number, currency: string) => formatMoney(Math.round(minor), currency);

export const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? "—" : `${(x * 100).toFixed(digits)}%`);

/** Percentage points, signed: +3.0 pts. */
export const pts = (x: number, digits = 1) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(digits)} pts`;

export function ptsInterval(i: { estimate: number; lower: number; upper: number }): string {
  return `${pts(i.estimate)} (95% CI ${pts(i.lower)} to ${pts(i.upper)})`;
}

export function moneyInterval(i: { estimate: number; lower: number; upper: number }, currency: string): string {
  return `${money(i.estimate, currency)} (95% CI ${money(i.lower, currency)} to ${money(i.upper, currency)})`;
}

export const roiText = (roi: number | null) =>
  roi === null || !Number.isFinite(roi) ? "—" : `${roi >= 0 ? "" : "−"}${Math.round(Math.abs(roi * 100)).toLocaleString("en-US")}%`;
