// Pure translation of Shopify webhook payloads (REST-shaped, snake_case) into ingestion
// records and events. No I/O: verifying the HMAC and recording the delivery happen in the
// route. Each result keeps the payload's updated_at so the caller can drop stale deliveries
// (webhooks arrive late, twice, or out of order).
import { z } from "zod";
import { toMinorUnits } from "../../core/ingest/money";
import type { ConsentState, CustomerRecordInput, OrderRecordInput } from "../../core/ingest/schema";
import { assertNever, err, ok, type Result } from "../../core/result";
import type { Availability } from "./translate";

export const WEBHOOK_TOPICS = [
  "customers/create", "customers/update", "customers/delete",
  "orders/create", "orders/updated", "orders/paid", "orders/cancelled",
  "refunds/create",
  "customers_email_marketing_consent/update", "customers_marketing_consent/update",
] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

export interface Consent { state: ConsentState; at?: string | null; source: string }

export type Translated =
  | { kind: "customer"; record: CustomerRecordInput; updatedAt?: string }
  | { kind: "customer-deleted"; externalId: string }
  | { kind: "order"; record: OrderRecordInput; updatedAt?: string; refunds: RefundSeen[] }
  | { kind: "refund"; orderExternalId: string; refundExternalId: string; amountMinor: bigint; currency?: string; at?: string }
  | { kind: "consent"; customerExternalId: string; channel: "email" | "sms"; consent: Consent; updatedAt?: string | null; address?: string };

/** One refund as an order payload lists it: recorded once, so totals never count it twice. */
export interface RefundSeen { refundExternalId: string; amountMinor: bigint; at?: string }

export interface WebhookContext {
  /** The shop's IANA zone, kept on orders for display. */
  shopTimezone?: string;
  /** Protected fields the app may read; a withheld one is unknown, not absent. */
  available?: Availability;
}

const Id = z.union([z.number(), z.string()]).transform(String);
const Str = z.string().nullish();

const ConsentJson = z.object({
  state: Str,
  opt_in_level: Str,
  consent_updated_at: Str,
  consent_collected_from: Str,
}).nullish();

const Address = z.object({
  address1: Str, city: Str, zip: Str, province_code: Str, country_code: Str,
}).nullish();

const CustomerJson = z.object({
  id: Id,
  email: Str,
  phone: Str,
  first_name: Str,
  last_name: Str,
  locale: Str,
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  created_at: Str,
  updated_at: Str,
  default_address: Address,
  email_marketing_consent: ConsentJson,
  sms_marketing_consent: ConsentJson,
});

const Money = z.union([z.string(), z.number()]).nullish();
const Transaction = z.object({ kind: Str, status: Str, amount: Money, currency: Str });
const RefundJson = z.object({
  id: Id,
  order_id: Id,
  created_at: Str,
  processed_at: Str,
  transactions: z.array(Transaction).default([]),
});

const OrderJson = z.object({
  id: Id,
  name: Str,
  email: Str,
  processed_at: Str,
  created_at: Str,
  updated_at: Str,
  cancelled_at: Str,
  currency: z.string(),
  subtotal_price: Money,
  total_discounts: Money,
  total_shipping_price_set: z.object({ shop_money: z.object({ amount: Money }) }).nullish(),
  total_tax: Money,
  total_price: Money,
  financial_status: Str,
  source_name: Str,
  discount_codes: z.array(z.object({ code: z.string() })).default([]),
  customer: z.object({ id: Id }).nullish(),
  line_items: z.array(z.object({
    id: Id.nullish(),
    product_id: Id.nullish(),
    variant_id: Id.nullish(),
    sku: Str,
    title: z.string(),
    vendor: Str,
    quantity: z.number(),
    price: Money,
    total_discount: Money,
  })).default([]),
  refunds: z.array(RefundJson.partial({ order_id: true })).default([]),
});

/** REST consent states are lower-case; "not_subscribed" covers SMS's never-subscribed. */
export function restConsentState(state: string | null | undefined): ConsentState {
  switch (state) {
    case "subscribed": return "subscribed";
    case "unsubscribed": return "unsubscribed";
    case "pending": return "pending";
    case "not_subscribed":
    case "never_subscribed": return "not_subscribed";
    default: return "unknown"; // invalid, redacted, missing
  }
}

function consent(c: z.infer<typeof ConsentJson>): Consent | null {
  return c ? { state: restConsentState(c.state), at: c.consent_updated_at, source: "shopify" } : null;
}

/** Refunded money in minor units: successful refund transactions only. */
function refunded(refunds: { transactions: z.infer<typeof Transaction>[] }[], currency: string): Result<bigint> {
  let sum = 0n;
  for (const r of refunds) {
    for (const t of r.transactions) {
      if (t.kind !== "refund" || t.status !== "success" || t.amount == null) continue;
      const m = toMinorUnits(t.amount, currency);
      if (!m.ok) return m;
      sum += m.value;
    }
  }
  return ok(sum);
}

function customer(c: z.infer<typeof CustomerJson>, available: Availability): CustomerRecordInput {
  const a = c.default_address;
  return {
    source: "shopify",
    externalId: c.id,
    email: available.email ? c.email : undefined,
    emailAvailable: available.email,
    phone: available.phone ? c.phone : undefined,
    phoneAvailable: available.phone,
    firstName: c.first_name,
    lastName: c.last_name,
    country: a?.country_code,
    province: a?.province_code,
    city: a?.city,
    zip: a?.zip,
    address1: a?.address1,
    locale: c.locale,
    tags: c.tags ?? [],
    emailConsent: available.email ? consent(c.email_marketing_consent) : null,
    smsConsent: available.phone ? consent(c.sms_marketing_consent) : null,
    sourceCreatedAt: c.created_at,
    sourceUpdatedAt: c.updated_at,
  };
}

function order(o: z.infer<typeof OrderJson>, ctx: WebhookContext): Result<OrderRecordInput> {
  const refund = refunded(o.refunds, o.currency);
  if (!refund.ok) return refund;
  return ok({
    source: "shopify",
    externalId: o.id,
    customerExternalId: o.customer?.id,
    email: ctx.available?.email === false ? undefined : o.email,
    name: o.name,
    processedAt: o.processed_at ?? o.created_at ?? "",
    sourceTimezone: ctx.shopTimezone,
    currency: o.currency,
    subtotal: o.subtotal_price,
    discounts: o.total_discounts,
    shipping: o.total_shipping_price_set?.shop_money.amount,
    tax: o.total_tax,
    total: o.total_price ?? "0",
    refunded: refund.value,
    discountCodes: o.discount_codes.map((d) => d.code),
    financialStatus: o.financial_status,
    cancelledAt: o.cancelled_at,
    sourceName: o.source_name,
    sourceUpdatedAt: o.updated_at,
    lines: o.line_items.map((l) => ({
      externalId: l.id,
      productId: l.product_id,
      variantId: l.variant_id,
      sku: l.sku,
      title: l.title,
      vendor: l.vendor,
      quantity: l.quantity,
      price: l.price ?? "0",
      discount: l.total_discount,
    })),
  });
}

function parse<T>(schema: z.ZodType<T>, payload: unknown, topic: string): Result<T> {
  const r = schema.safeParse(payload);
  return r.success ? ok(r.data) : err(`${topic}: ${r.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
}

export const isWebhookTopic = (t: string): t is WebhookTopic => (WEBHOOK_TOPICS as readonly string[]).includes(t);

export function translateWebhook(topic: WebhookTopic, payload: unknown, ctx: WebhookContext = {}): Result<Translated> {
  const available = ctx.available ?? { email: true, phone: true };
  switch (topic) {
    case "customers/create":
    case "customers/update": {
      const c = parse(CustomerJson, payload, topic);
      return c.ok ? ok({ kind: "customer", record: customer(c.value, available), updatedAt: c.value.updated_at ?? undefined }) : c;
    }
    case "customers/delete": {
      const c = parse(z.object({ id: Id }), payload, topic);
      return c.ok ? ok({ kind: "customer-deleted", externalId: c.value.id }) : c;
    }
    case "orders/create":
    case "orders/updated":
    case "orders/paid":
    case "orders/cancelled": {
      const o = parse(OrderJson, payload, topic);
      if (!o.ok) return o;
      const r = order(o.value, ctx);
      if (!r.ok) return r;
      const refunds: RefundSeen[] = [];
      for (const x of o.value.refunds) {
        const m = refunded([x], o.value.currency);
        if (!m.ok) return m;
        refunds.push({ refundExternalId: x.id, amountMinor: m.value, at: x.processed_at ?? x.created_at ?? undefined });
      }
      return ok({ kind: "order", record: r.value, updatedAt: o.value.updated_at ?? undefined, refunds });
    }
    case "refunds/create": {
      const r = parse(RefundJson, payload, topic);
      if (!r.ok) return r;
      const txs = r.value.transactions.filter((t) => t.kind === "refund" && t.status === "success" && t.amount != null);
      const currency = txs[0]?.currency ?? undefined;
      // Minor units need the currency's exponent, which the transactions carry.
      let amountMinor = 0n;
      if (currency) {
        const m = refunded([r.value], currency);
        if (!m.ok) return m;
        amountMinor = m.value;
      } else if (txs.length) return err("refunds/create: transactions carry no currency");
      return ok({
        kind: "refund", orderExternalId: r.value.order_id, refundExternalId: r.value.id,
        amountMinor, currency, at: r.value.processed_at ?? r.value.created_at ?? undefined,
      });
    }
    case "customers_email_marketing_consent/update": {
      const c = parse(z.object({ customer_id: Id, email_address: Str, email_marketing_consent: ConsentJson }), payload, topic);
      if (!c.ok) return c;
      const v = consent(c.value.email_marketing_consent) ?? { state: "unknown" as const, source: "shopify" };
      return ok({
        kind: "consent", customerExternalId: c.value.customer_id, channel: "email", consent: v, updatedAt: v.at,
        ...(c.value.email_address ? { address: c.value.email_address } : {}),
      });
    }
    case "customers_marketing_consent/update": {
      const c = parse(z.object({ id: Id, phone: Str, sms_marketing_consent: ConsentJson }), payload, topic);
      if (!c.ok) return c;
      const v = consent(c.value.sms_marketing_consent) ?? { state: "unknown" as const, source: "shopify" };
      return ok({
        kind: "consent", customerExternalId: c.value.id, channel: "sms", consent: v, updatedAt: v.at,
        ...(c.value.phone ? { address: c.value.phone } : {}),
      });
    }
    default:
      return assertNever(topic, "webhook topic");
  }
}

/**
 * Keeps, per entity, only the newest of a set of translated deliveries (by updatedAt; a later
 * position wins a tie), so duplicates and out-of-order arrivals collapse to the latest state.
 */
export function newestPerEntity(items: readonly Translated[]): Translated[] {
  const keyOf = (t: Translated): string => {
    switch (t.kind) {
      case "customer": return `c:${t.record.externalId}`;
      case "customer-deleted": return `c:${t.externalId}`;
      case "order": return `o:${t.record.externalId}`;
      case "refund": return `r:${t.refundExternalId}`;
      case "consent": return `k:${t.channel}:${t.customerExternalId}`;
      default: return assertNever(t, "translated webhook");
    }
  };
  const time = (t: Translated) => ("updatedAt" in t && t.updatedAt ? Date.parse(t.updatedAt) : -Infinity);
  const best = new Map<string, Translated>();
  for (const t of items) {
    const k = keyOf(t);
    const prev = best.get(k);
    // A delete always wins: nothing after it revives the customer in this set.
    if (!prev || t.kind === "customer-deleted" || (prev.kind !== "customer-deleted" && time(t) >= time(prev))) best.set(k, t);
  }
  return [...best.values()];
}
