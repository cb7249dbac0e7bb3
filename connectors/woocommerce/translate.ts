// WooCommerce REST v3 JSON → source-neutral records. Dates use the *_gmt fields (UTC without a
// suffix); the store's offset is kept from the local twin. Guest orders (customer_id 0) carry
// only the billing email, which ingestion matches.
import type { CustomerRecordInput, OrderRecordInput } from "../../core/ingest/schema";
import { toMinorUnits } from "../../core/ingest/money";

type Address = { first_name?: string; last_name?: string; address_1?: string; city?: string; state?: string; postcode?: string; country?: string; email?: string; phone?: string };

export interface WooCustomer {
  id: number;
  email?: string;
  first_name?: string;
  last_name?: string;
  date_created_gmt?: string | null;
  date_modified_gmt?: string | null;
  billing?: Address;
}

export interface WooOrder {
  id: number;
  number?: string;
  status?: string;
  currency: string;
  customer_id: number;
  created_via?: string;
  date_created?: string | null;
  date_created_gmt?: string | null;
  date_modified_gmt?: string | null;
  date_paid_gmt?: string | null;
  discount_total?: string;
  shipping_total?: string;
  total_tax?: string;
  total: string;
  billing?: Address;
  line_items?: { id: number; name: string; product_id?: number; variation_id?: number; sku?: string; quantity: number; subtotal: string; total: string }[];
  coupon_lines?: { code: string }[];
  refunds?: { total: string }[];
}

const utc = (s: string | null | undefined) => (s ? `${s}Z` : undefined);

/** "+01:00" from a local/GMT pair of the same instant. */
function offsetOf(local?: string | null, gmt?: string | null): string | undefined {
  if (!local || !gmt) return undefined;
  const minutes = Math.round((Date.parse(local + "Z") - Date.parse(gmt + "Z")) / 60000);
  if (!Number.isFinite(minutes)) return undefined;
  const a = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

/** Sum decimal strings exactly; an unreadable one leaves the field for the schema to reject. */
function sum(values: string[], currency: string): bigint | string {
  let total = 0n;
  for (const v of values) {
    const r = toMinorUnits(v, currency);
    if (!r.ok) return v;
    total += r.value;
  }
  return total;
}

export function wooCustomerToRecord(c: WooCustomer): CustomerRecordInput {
  const b = c.billing ?? {};
  return {
    source: "woocommerce",
    externalId: String(c.id),
    email: c.email || b.email,
    phone: b.phone,
    firstName: c.first_name || b.first_name,
    lastName: c.last_name || b.last_name,
    country: b.country,
    province: b.state,
    city: b.city,
    zip: b.postcode,
    address1: b.address_1,
    sourceCreatedAt: utc(c.date_created_gmt),
    sourceUpdatedAt: utc(c.date_modified_gmt),
  };
}

export function wooOrderToRecord(o: WooOrder): OrderRecordInput {
  const cur = o.currency;
  const lines = o.line_items ?? [];
  const minor = (v: string) => toMinorUnits(v, cur);
  return {
    source: "woocommerce",
    externalId: String(o.id),
    customerExternalId: o.customer_id ? String(o.customer_id) : undefined,
    email: o.billing?.email,
    name: o.number ? `#${o.number}` : undefined,
    processedAt: utc(o.date_paid_gmt) ?? utc(o.date_created_gmt) ?? "",
    // The store's offset at that moment, kept for display.
    sourceTimezone: offsetOf(o.date_created, o.date_created_gmt),
    currency: cur,
    subtotal: sum(lines.map((l) => l.subtotal), cur),
    discounts: o.discount_total,
    shipping: o.shipping_total,
    tax: o.total_tax,
    total: o.total,
    refunded: sum((o.refunds ?? []).map((r) => r.total.replace(/^-/, "")), cur),
    discountCodes: (o.coupon_lines ?? []).map((c) => c.code),
    financialStatus: o.status,
    cancelledAt: o.status === "cancelled" ? utc(o.date_modified_gmt) : undefined,
    sourceName: o.created_via,
    sourceUpdatedAt: utc(o.date_modified_gmt),
    lines: lines.map((l) => {
      const sub = minor(l.subtotal);
      const tot = minor(l.total);
      const qty = BigInt(Math.max(1, l.quantity));
      return {
        externalId: String(l.id),
        productId: l.product_id ? String(l.product_id) : undefined,
        variantId: l.variation_id ? String(l.variation_id) : undefined,
        sku: l.sku,
        title: l.name,
        quantity: l.quantity,
        // Unit price before discounts, from the exact line subtotal.
        price: sub.ok ? sub.value / qty : l.subtotal,
        discount: sub.ok && tot.ok ? sub.value - tot.value : "0",
      };
    }),
  };
}
