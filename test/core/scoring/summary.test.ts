import { describe, expect, it } from "vitest";
import { PERIOD_DAYS } from "../../../core/scoring/schema";
import { customerFacts, dayNumber, summariseTransactions, summaryFromDays, summaryFromFacts } from "../../../core/scoring/summary";

const tx = (customerId: string, day: string, amount: number) => ({ customerId, day, amount });

describe("summariseTransactions", () => {
  it("merges same-day purchases, ignores later ones and measures in periods", () => {
    const result = summariseTransactions(
      [
        tx("a", "2024-01-01", 10),
        tx("a", "2024-01-01", 5), // same day: one transaction of 15
        tx("a", "2024-01-15", 20),
        tx("a", "2024-01-29", 40),
        tx("a", "2024-03-01", 99), // after calibration end
        tx("b", "2024-01-22", 7),
      ],
      "2024-02-05",
      PERIOD_DAYS.week,
    );
    expect(result.ok && result.value).toEqual([
      { customerId: "a", frequency: 2, recency: 4, T: 5, monetary: 30, days: [19723, 19737, 19751], totalSpend: 75 },
      { customerId: "b", frequency: 0, recency: 0, T: 2, monetary: 0, days: [19744], totalSpend: 7 },
    ]);
  });
  it.each([
    ["day", 28],
    ["week", 4],
    ["month", 28 / (365.25 / 12)],
  ] as const)("expresses 28 days as %s periods", (period, expected) => {
    const r = summariseTransactions([tx("a", "2024-02-01", 1), tx("a", "2024-02-29", 1)], "2024-02-29", PERIOD_DAYS[period]);
    expect(r.ok && r.value[0].recency).toBeCloseTo(expected, 12);
  });
  it.each(["2024-02-30", "2024-13-01", "24-01-01", "yesterday"])("rejects the date %s", (day) => {
    expect(dayNumber(day)).toBeNull();
    expect(summariseTransactions([tx("a", day, 1)], "2024-12-31", 7).ok).toBe(false);
  });
});

describe("customerFacts", () => {
  it("carries everything the summary needs, so facts computed in SQL summarise identically", () => {
    const days = [100, 103, 110, 140];
    const spends = [10, 25, 5, 60];
    const facts = customerFacts(days, spends);
    expect(facts).toEqual({ transactions: 4, firstDay: 100, lastDay: 140, repeatSpend: 90, totalSpend: 100, ownMedianGap: 7 });
    expect(summaryFromFacts("a", facts, 150, PERIOD_DAYS.week)).toEqual({ ...summaryFromDays("a", days, spends, 150, PERIOD_DAYS.week), days: [] });
    expect(customerFacts([5], [30]).ownMedianGap).toBeNull();
  });
});
