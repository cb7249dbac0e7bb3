// The plain format: customer_id,date,amount with optional email, order_id, currency.
// One row is one order. Without order_id the row's content is its key (the n-th identical
// row gets "#n"), so re-importing the same file changes nothing.
import { col, type CsvFormat, type FormatContext } from "./unit";

export function transactionsFormat(ctx: FormatContext): CsvFormat {
  const seen = new Map<string, number>();
  return {
    required: [["customer_id"], ["date"], ["amount"]],
    push(line, v) {
      const customerId = col(v, "customer_id") ?? "";
      const date = col(v, "date") ?? "";
      const amount = col(v, "amount") ?? "";
      let id = col(v, "order_id");
      if (!id) {
        const key = `${customerId}|${date}|${amount}`;
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        id = n === 1 ? `tx:${key}` : `tx:${key}#${n}`;
      }
      return [{
        lines: [line],
        order: {
          source: "csv",
          externalId: id,
          customerExternalId: customerId,
          email: col(v, "email"),
          processedAt: date,
          sourceTimezone: ctx.timezone,
          currency: col(v, "currency") ?? ctx.currency,
          total: amount,
          subtotal: amount,
          lines: [],
        },
      }];
    },
    flush: () => [],
    pendingFrom: () => undefined,
  };
}
