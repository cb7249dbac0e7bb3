import { describe, expect, it } from "vitest";
import { CustomerRecordSchema, OrderRecordSchema } from "../../../core/ingest/schema";
import { newestPerEntity, translateWebhook, type Translated } from "../../../connectors/shopify/webhook-translate";
import { generateStore, restCustomer, restCustomerDeleted, restOrder, restRefundOf } from "../../../scripts/store-sim";

const store = generateStore({ seed: 21, customers: 100 });
const refundedOrder = store.orders.find((o) => o.refunds.length && o.customerId != null)!;
const discounted = store.orders.find((o) => o.discountCodes.length && o.discounts > 0)!;
const withBoth = store.customers.find((c) => c.email && c.phone)!;

function value<T>(r: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe("webhook translation", () => {
  it("translates customers/create into a record ingestion accepts, keeping updated_at", () => {
    const t = value(translateWebhook("customers/create", restCustomer(withBoth)));
    if (t.kind !== "customer") throw new Error(t.kind);
    expect(t.updatedAt).toBe(withBoth.updatedAt);
    const rec = CustomerRecordSchema.parse(t.record);
    expect(rec).toMatchObject({
      externalId: String(withBoth.id), email: withBoth.email, emailAvailable: true, phone: withBoth.phone,
      country: withBoth.country, emailConsent: { state: withBoth.emailState.toLowerCase() },
    });
  });

  it("marks a withheld email unavailable", () => {
    const t = value(translateWebhook("customers/update", restCustomer(withBoth), { available: { email: false, phone: true } }));
    if (t.kind !== "customer") throw new Error(t.kind);
    const rec = CustomerRecordSchema.parse(t.record);
    expect(rec.email).toBeUndefined();
    expect(rec.emailAvailable).toBe(false);
    expect(rec.emailConsent).toBeUndefined();
  });

  it("translates orders with lines, discount codes and refunds, exact in minor units", () => {
    for (const [topic, o] of [["orders/create", discounted], ["orders/updated", refundedOrder]] as const) {
      const t = value(translateWebhook(topic, restOrder(o, store), { shopTimezone: "America/New_York" }));
      if (t.kind !== "order") throw new Error(t.kind);
      const rec = OrderRecordSchema.parse(t.record);
      expect(rec).toMatchObject({
        externalId: String(o.id), total: BigInt(o.total), subtotal: BigInt(o.subtotal), tax: BigInt(o.tax),
        shipping: BigInt(o.shipping), discounts: BigInt(o.discounts), refunded: BigInt(o.refunded),
        discountCodes: o.discountCodes, sourceTimezone: "America/New_York",
      });
      expect(rec.lines.map((l) => [l.quantity, l.price, l.discount])).toEqual(o.lines.map((l) => [l.quantity, BigInt(l.price), BigInt(l.discount)]));
      expect(t.updatedAt).toBe(o.updatedAt);
    }
  });

  it("translates refunds, deletes and consent updates", () => {
    const r = value(translateWebhook("refunds/create", restRefundOf(refundedOrder, refundedOrder.refunds[0], store)));
    expect(r).toMatchObject({ kind: "refund", orderExternalId: String(refundedOrder.id), amountMinor: BigInt(refundedOrder.refunds[0].amount), currency: "USD" });
    expect(value(translateWebhook("customers/delete", restCustomerDeleted(withBoth)))).toEqual({ kind: "customer-deleted", externalId: String(withBoth.id) });
    const email = value(translateWebhook("customers_email_marketing_consent/update", {
      customer_id: 7, email_address: "a@b.co", email_marketing_consent: { state: "unsubscribed", opt_in_level: null, consent_updated_at: "2026-11-02T10:00:00Z" },
    }));
    expect(email).toEqual({ kind: "consent", customerExternalId: "7", channel: "email", consent: { state: "unsubscribed", at: "2026-11-02T10:00:00Z", source: "shopify" }, updatedAt: "2026-11-02T10:00:00Z", address: "a@b.co" });
    const sms = value(translateWebhook("customers_marketing_consent/update", {
      id: 7, phone: "+12125550123", sms_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2026-11-03T10:00:00Z", consent_collected_from: "OTHER" },
    }));
    expect(sms).toMatchObject({ channel: "sms", consent: { state: "subscribed" } });
  });

  it("rejects a malformed payload as a value", () => {
    const r = translateWebhook("orders/paid", { id: 1 });
    expect(r.ok).toBe(false);
  });

  it("collapses duplicates and out-of-order deliveries to the newest state", () => {
    const older = { ...restCustomer(withBoth), first_name: "Old", updated_at: "2026-01-01T00:00:00Z" };
    const newer = { ...restCustomer(withBoth), first_name: "New", updated_at: "2026-02-01T00:00:00Z" };
    const items: Translated[] = [newer, older, newer].map((p) => value(translateWebhook("customers/update", p)));
    const kept = newestPerEntity(items);
    expect(kept).toHaveLength(1);
    expect(kept[0].kind === "customer" && kept[0].record.firstName).toBe("New");
  });
});
