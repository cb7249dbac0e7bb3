// Shopify admin order export: one row per line item, order fields on the first row of each
// order, rows of one order adjacent and sharing "Name". Times look like "2024-01-05 10:00:00 -0500".
import type { OrderRecordInput } from "../../../core/ingest/schema";
import { col, type CsvFormat, type CsvUnit, type FormatContext } from "./unit";

function line(v: Record<string, string>) {
  return {
    title: col(v, "Lineitem name") ?? "",
    quantity: col(v, "Lineitem quantity") ?? "",
    price: col(v, "Lineitem price") ?? "",
    discount: col(v, "Lineitem discount"),
    sku: col(v, "Lineitem sku"),
    vendor: col(v, "Vendor"),
  };
}

export function shopifyOrdersFormat(ctx: FormatContext): CsvFormat {
  let current: { name: string; unit: CsvUnit & { order: OrderRecordInput } } | undefined;

  function start(lineNo: number, name: string, v: Record<string, string>) {
    const at = col(v, "Created at", "Paid at") ?? "";
    current = {
      name,
      unit: {
        lines: [lineNo],
        order: {
          source: "csv",
          externalId: col(v, "Id") ?? name,
          name,
          email: col(v, "Email"),
          processedAt: at,
          // Exports carry an offset, which is kept; a bare time is read in the shop's zone.
          sourceTimezone: /(Z|[+-]\d{2}:?\d{2})$/.test(at) ? undefined : ctx.timezone,
          currency: col(v, "Currency") ?? ctx.currency,
          subtotal: col(v, "Subtotal"),
          shipping: col(v, "Shipping"),
          tax: col(v, "Taxes"),
          total: col(v, "Total") ?? "",
          discounts: col(v, "Discount Amount"),
          refunded: col(v, "Refunded Amount"),
          discountCodes: col(v, "Discount Code"),
          financialStatus: col(v, "Financial Status"),
          cancelledAt: col(v, "Cancelled at"),
          sourceName: col(v, "Source"),
          lines: [line(v)],
        },
      },
    };
  }

  return {
    required: [["Name"], ["Lineitem name"], ["Lineitem quantity"], ["Lineitem price"]],
    push(lineNo, v) {
      const name = col(v, "Name") ?? "";
      if (current && current.name === name) {
        current.unit.lines.push(lineNo);
        current.unit.order.lines!.push(line(v));
        return [];
      }
      const done = current ? [current.unit] : [];
      start(lineNo, name, v);
      return done;
    },
    flush() {
      const done = current ? [current.unit] : [];
      current = undefined;
      return done;
    },
    pendingFrom: () => current?.unit.lines[0],
  };
}
