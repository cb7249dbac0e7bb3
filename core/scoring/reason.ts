// One plain sentence per customer saying why they are scored as they are.
import type { Confidence } from "./schema";
import type { Dormancy } from "./dormancy";

export interface ReasonFacts {
  orderCount: number;
  dormancy: Dormancy;
  pAlive: number | null;
  confidence: Confidence;
}

const days = (n: number) => `${Math.round(n)} day${Math.round(n) === 1 ? "" : "s"}`;

export function explainScore({ orderCount, dormancy, pAlive, confidence }: ReasonFacts): string {
  const parts = [
    dormancy.gapSource === "own"
      ? `typically ordered every ${days(dormancy.expectedGapDays)}`
      : `${orderCount === 1 ? "one order so far" : `${orderCount} orders`}; customers here typically reorder after ${days(dormancy.expectedGapDays)}`,
    `${days(dormancy.daysSinceLastOrder)} since the last order`,
  ];
  if (dormancy.daysOverdue > 0) parts.push(`${days(dormancy.daysOverdue)} overdue`);
  if (pAlive !== null) {
    parts.push(`${Math.round(pAlive * 100)}% likely to still be active${confidence === "low" ? " (rough: little shop history)" : ""}`);
  }
  return parts.join("; ");
}
