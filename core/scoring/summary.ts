// Transactions -> per-customer (frequency, recency, T, monetary), the models' inputs.
import { err, ok, type Result } from "../result";
import { interOrderGaps, median } from "./dormancy";
import type { CustomerSummary, Transaction } from "./schema";

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a YYYY-MM-DD calendar date; null when it is not a real date. */
export function dayNumber(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2021-02-30 over to March; reject rather than guess.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return Math.round(ms / MS_PER_DAY);
}

export function dayString(dayNum: number): string {
  return new Date(dayNum * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * Summarise each customer's history up to and including `calibrationEndDay`. Purchases on the
 * same calendar day are one transaction (spend summed); later purchases are ignored.
 */
export function summariseTransactions(
  transactions: readonly Transaction[],
  calibrationEndDay: string,
  periodDays: number,
): Result<CustomerSummary[]> {
  const end = dayNumber(calibrationEndDay);
  if (end === null) return err(`calibration end "${calibrationEndDay}" is not a YYYY-MM-DD date`);
  const byCustomer = new Map<string, Map<number, number>>();
  for (const t of transactions) {
    const d = dayNumber(t.day);
    if (d === null) return err(`customer ${t.customerId}: "${t.day}" is not a YYYY-MM-DD date`);
    if (d > end) continue;
    let days = byCustomer.get(t.customerId);
    if (!days) byCustomer.set(t.customerId, (days = new Map()));
    days.set(d, (days.get(d) ?? 0) + t.amount);
  }
  const out: CustomerSummary[] = [];
  for (const [customerId, dayMap] of byCustomer) {
    const days = [...dayMap.keys()].sort((p, q) => p - q);
    out.push(summaryFromDays(customerId, days, days.map((d) => dayMap.get(d)!), end, periodDays));
  }
  return ok(out);
}

/**
 * What the models need of one customer's history, without the history itself: the job
 * computes these per customer in SQL (jobs/scoring/stage-summaries.ts), single-customer
 * rescoring from the days with `customerFacts`; both then score through the same functions.
 */
export interface CustomerFacts {
  /** Transactions (calendar days with a kept order). */
  transactions: number;
  firstDay: number;
  lastDay: number;
  /** Spend of every transaction after the first. */
  repeatSpend: number;
  totalSpend: number;
  /** Median gap in days between consecutive transactions; null with one transaction. */
  ownMedianGap: number | null;
}

/** Facts from ascending transaction days and their spends. */
export function customerFacts(days: readonly number[], spends: readonly number[]): CustomerFacts {
  let repeatSpend = 0;
  for (let i = 1; i < spends.length; i++) repeatSpend += spends[i];
  let totalSpend = 0;
  for (const v of spends) totalSpend += v;
  return {
    transactions: days.length, firstDay: days[0], lastDay: days[days.length - 1], repeatSpend, totalSpend,
    ownMedianGap: median(interOrderGaps(days)),
  };
}

/** The models' summary from facts; `days` is left empty (the models do not read it). */
export function summaryFromFacts(customerId: string, f: CustomerFacts, endDay: number, periodDays: number): CustomerSummary {
  const frequency = f.transactions - 1;
  return {
    customerId,
    frequency,
    recency: (f.lastDay - f.firstDay) / periodDays,
    T: (endDay - f.firstDay) / periodDays,
    monetary: frequency > 0 ? f.repeatSpend / frequency : 0,
    days: [],
    totalSpend: f.totalSpend,
  };
}

/** Summary of one customer from ascending transaction days and their spends. */
export function summaryFromDays(
  customerId: string,
  days: number[],
  spends: number[],
  endDay: number,
  periodDays: number,
): CustomerSummary {
  const first = days[0];
  const last = days[days.length - 1];
  const frequency = days.length - 1;
  const repeatSpend = spends.slice(1).reduce((s, v) => s + v, 0);
  return {
    customerId,
    frequency,
    recency: (last - first) / periodDays,
    T: (endDay - first) / periodDays,
    monetary: frequency > 0 ? repeatSpend / frequency : 0,
    days,
    totalSpend: spends.reduce((s, v) => s + v, 0),
  };
}
