import { describe, expect, it } from "vitest";
import { validateBatch } from "../../../core/ingest/batch";
import { CustomerRecordSchema, OrderRecordSchema } from "../../../core/ingest/schema";

describe("record schemas", () => {
  it("normalise a customer: email, E.164 phone in the customer's country, tags, withheld email", () => {
    const c = CustomerRecordSchema.parse({
      source: "shopify", externalId: 42, email: "  Ann@Example.COM ", phone: "020 7946 0958", country: "gb",
      tags: "a, b, a", emailConsent: { state: "SUBSCRIBED", at: "2024-01-01T00:00:00Z" }, sourceUpdatedAt: "2024-02-01T00:00:00Z",
    });
    expect(c).toMatchObject({ externalId: "42", email: "ann@example.com", phone: "+442079460958", country: "GB", tags: ["a", "b"],
      emailConsent: { state: "subscribed", at: new Date("2024-01-01T00:00:00Z") } });
    const withheld = CustomerRecordSchema.parse({ source: "shopify", externalId: "1", email: "x@example.com", emailAvailable: false });
    expect(withheld).toMatchObject({ email: undefined, emailAvailable: false });
  });
  it("normalise an order: minor units by currency, UTC with the zone kept", () => {
    const o = OrderRecordSchema.parse({
      source: "woocommerce", externalId: "9", processedAt: "2024-05-01 08:00", sourceTimezone: "Europe/Paris", currency: "jpy",
      total: "1500", lines: [{ title: "Tea", quantity: "3", price: "500" }],
    });
    expect(o).toMatchObject({ processedAt: new Date("2024-05-01T06:00:00Z"), sourceTimezone: "Europe/Paris", currency: "JPY", total: 1500n, lines: [{ quantity: 3, price: 500n, discount: 0n }] });
  });
  it("name the field of every problem", () => {
    const { batch, rejected } = validateBatch({
      customers: [{ source: "csv", externalId: "1", phone: "12", country: "US" }, { source: "nope", externalId: "" }],
      orders: [{ source: "csv", externalId: "o", processedAt: "2024-01-01T00:00:00Z", currency: "USD", total: "1", lines: [{ title: "", quantity: 1.5, price: "x" }] }],
    });
    expect(batch.customers).toHaveLength(0);
    expect(rejected.map((r) => [r.kind, r.index, r.issues.map((i) => i.field)])).toEqual([
      ["customer", 0, ["phone"]],
      ["customer", 1, ["source", "externalId"]],
      ["order", 0, ["lines.0.title", "lines.0.quantity"]],
    ]);
  });
});
