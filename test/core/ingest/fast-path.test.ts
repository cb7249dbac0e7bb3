// The fast validation path must give exactly what the zod schemas give: the same record for a
// valid input, and "ask the schema" (undefined) for every input the schema rejects.
import { describe, expect, it } from "vitest";
import { CustomerRecordSchema, OrderRecordSchema, parseCustomerFast, parseOrderFast } from "../../../core/ingest/schema";

const customers: unknown[] = [
  { source: "shopify", externalId: 42, email: "  Ann@Example.COM ", phone: "020 7946 0958", country: "gb", tags: "a, b, a",
    emailConsent: { state: " SUBSCRIBED", at: "2024-01-01T00:00:00Z", extra: 1 }, sourceUpdatedAt: "2024-02-01T00:00:00Z", unknownKey: "x" },
  { source: "csv", externalId: "1", email: "x@example.com", emailAvailable: false, smsConsent: null, timezone: "Europe/Paris", sourceCreatedAt: "2024-01-01 10:00" },
  { source: "csv", externalId: "1", phone: "12", country: "US" },
  { source: "nope", externalId: "" },
  { source: "csv", externalId: "2", emailConsent: { state: "maybe" } },
  { source: "csv", externalId: "3", email: "not-an-email" },
  { source: "csv", externalId: "4", sourceCreatedAt: "2024-01-01 10:00" },
  { source: "csv", externalId: "5", country: "GBR" },
  { source: "csv", externalId: 5.5 },
  [1, 2],
  null,
];
const orders: unknown[] = [
  { source: "woocommerce", externalId: "9", processedAt: "2024-05-01 08:00", sourceTimezone: "Europe/Paris", currency: "jpy",
    total: "1500", discountCodes: ["A", "A"], lines: [{ title: "Tea", quantity: "3", price: "500", extra: true }] },
  { source: "shopify", externalId: 7n, customerExternalId: 3, processedAt: new Date("2024-01-01T00:00:00Z"), currency: "USD", total: 12.3,
    subtotal: 1230n, refunded: null, financialStatus: "PAID", lines: [] },
  { source: "csv", externalId: "o", processedAt: "2024-01-01T00:00:00Z", currency: "USD", total: "1", lines: [{ title: "", quantity: 1.5, price: "x" }] },
  { source: "csv", externalId: "o", processedAt: "2024-01-01", currency: "USD", total: "1" },
  { source: "csv", externalId: "o", processedAt: "2024-01-01T00:00:00Z", currency: "USD", total: "1.234" },
  { source: "csv", externalId: "o", processedAt: "2024-01-01T00:00:00Z", currency: "US", total: "1" },
  { source: "csv", externalId: "o", processedAt: "2024-01-01T00:00:00Z", currency: "USD", total: "1", lines: "x" },
  { source: "csv", externalId: "o", processedAt: "2024-01-01T00:00:00Z", currency: "USD", total: "1", email: "bad@" },
];

describe("fast validation path", () => {
  it.each(customers.map((c, i) => [i, c]))("customer %i: same as the schema", (_, raw) => {
    const z = CustomerRecordSchema.safeParse(raw);
    const fast = parseCustomerFast(raw);
    if (z.success) expect(fast).toEqual(z.data);
    else expect(fast).toBeUndefined();
  });
  it.each(orders.map((o, i) => [i, o]))("order %i: same as the schema", (_, raw) => {
    const z = OrderRecordSchema.safeParse(raw);
    const fast = parseOrderFast(raw);
    if (z.success) expect(fast).toEqual(z.data);
    else expect(fast).toBeUndefined();
  });
});
