// Admin GraphQL nodes (bulk JSONL lines or single queries) into source-neutral records.
// External ids are Shopify's numeric ids (the gid's tail), the same ids webhooks carry, so
// both paths update the same identity. Money stays Shopify's decimal strings in the shop
// currency; ingestion turns them into minor units.
import type { ConsentState, CustomerRecordInput, OrderRecordInput, ProductRecordInput } from "../../core/ingest/schema";

/** "gid://shopify/Order/123" -> "123" (numbers and plain ids pass through). */
export function numericId(id: string | number | null | undefined): string | undefined {
  if (id == null) return undefined;
  const s = String(id);
  return s.slice(s.lastIndexOf("/") + 1) || undefined;
}

/** "gid://shopify/LineItem/1" -> "LineItem". */
export const gidType = (id: string): string => id.split("/")[3] ?? "";

export function emailConsentState(state: string | null | undefined): ConsentState {
  switch (state) {
    case "SUBSCRIBED": return "subscribed";
    case "UNSUBSCRIBED": return "unsubscribed";
    case "PENDING": return "pending";
    case "NOT_SUBSCRIBED": return "not_subscribed";
    // INVALID (bad address) and REDACTED say nothing about the person's wish.
    default: return "unknown";
  }
}

export function smsConsentState(state: string | null | undefined): ConsentState {
  switch (state) {
    case "SUBSCRIBED": return "subscribed";
    case "UNSUBSCRIBED": return "unsubscribed";
    case "PENDING": return "pending";
    case "NEVER_SUBSCRIBED":
    case "NOT_SUBSCRIBED": return "not_subscribed";
    default: return "unknown";
  }
}

export interface Availability { email: boolean; phone: boolean }

type Amount = { shopMoney?: { amount?: string } } | null | undefined;
const amount = (m: Amount) => m?.shopMoney?.amount ?? undefined;

export interface CustomerNode {
  id: string;
  firstName?: string | null;
  lastName?: string | null;
  locale?: string | null;
  tags?: string[];
  createdAt?: string;
  updatedAt?: string;
  defaultEmailAddress?: { emailAddress?: string | null; marketingState?: string | null; marketingUpdatedAt?: string | null } | null;
  defaultPhoneNumber?: { phoneNumber?: string | null; smsMarketingConsent?: { state?: string | null; updatedAt?: string | null } | null } | null;
  defaultAddress?: { countryCodeV2?: string | null; provinceCode?: string | null; city?: string | null; zip?: string | null; address1?: string | null; timeZone?: string | null } | null;
}

export function customerRecord(n: CustomerNode, available: Availability): CustomerRecordInput {
  const email = n.defaultEmailAddress;
  const phone = n.defaultPhoneNumber;
  const a = n.defaultAddress;
  return {
    source: "shopify",
    externalId: numericId(n.id)!,
    email: available.email ? email?.emailAddress : undefined,
    emailAvailable: available.email,
    phone: available.phone ? phone?.phoneNumber : undefined,
    phoneAvailable: available.phone,
    firstName: n.firstName,
    lastName: n.lastName,
    country: a?.countryCodeV2,
    province: a?.provinceCode,
    city: a?.city,
    zip: a?.zip,
    address1: a?.address1,
    timezone: a?.timeZone,
    locale: n.locale,
    tags: n.tags ?? [],
    // Consent of a withheld channel is unknown, not "not subscribed".
    emailConsent: available.email && email
      ? { state: emailConsentState(email.marketingState), at: email.marketingUpdatedAt, source: "shopify" } : null,
    smsConsent: available.phone && phone
      ? { state: smsConsentState(phone.smsMarketingConsent?.state), at: phone.smsMarketingConsent?.updatedAt, source: "shopify" } : null,
    sourceCreatedAt: n.createdAt,
    sourceUpdatedAt: n.updatedAt,
  };
}

export interface LineItemNode {
  id: string;
  sku?: string | null;
  title: string;
  vendor?: string | null;
  quantity: number;
  product?: { id: string } | null;
  variant?: { id: string } | null;
  originalUnitPriceSet?: Amount;
  totalDiscountSet?: Amount;
}

export interface OrderNode {
  id: string;
  name?: string;
  email?: string | null;
  processedAt: string;
  updatedAt?: string;
  cancelledAt?: string | null;
  currencyCode: string;
  sourceName?: string | null;
  displayFinancialStatus?: string | null;
  discountCodes?: string[];
  customer?: { id: string } | null;
  subtotalPriceSet?: Amount;
  totalDiscountsSet?: Amount;
  totalShippingPriceSet?: Amount;
  totalTaxSet?: Amount;
  totalPriceSet?: Amount;
  totalRefundedSet?: Amount;
}

export function orderRecord(n: OrderNode, lines: readonly LineItemNode[], shopTimezone?: string): OrderRecordInput {
  return {
    source: "shopify",
    externalId: numericId(n.id)!,
    customerExternalId: numericId(n.customer?.id),
    email: n.email,
    name: n.name,
    processedAt: n.processedAt,
    sourceTimezone: shopTimezone,
    currency: n.currencyCode,
    subtotal: amount(n.subtotalPriceSet),
    discounts: amount(n.totalDiscountsSet),
    shipping: amount(n.totalShippingPriceSet),
    tax: amount(n.totalTaxSet),
    total: amount(n.totalPriceSet) ?? "0",
    refunded: amount(n.totalRefundedSet),
    discountCodes: n.discountCodes ?? [],
    financialStatus: n.displayFinancialStatus?.toLowerCase(),
    cancelledAt: n.cancelledAt,
    sourceName: n.sourceName,
    sourceUpdatedAt: n.updatedAt,
    lines: lines.map((l) => ({
      externalId: numericId(l.id),
      productId: numericId(l.product?.id),
      variantId: numericId(l.variant?.id),
      sku: l.sku,
      title: l.title,
      vendor: l.vendor,
      quantity: l.quantity,
      price: amount(l.originalUnitPriceSet) ?? "0",
      discount: amount(l.totalDiscountSet),
    })),
  };
}

export interface ProductNode { id: string; title: string; vendor?: string | null; productType?: string | null }
export interface CollectionNode { id: string; title: string }
export interface VariantNode { id: string; inventoryItem?: { unitCost?: { amount?: string } | null } | null }

export function productRecord(n: ProductNode, children: readonly (CollectionNode | VariantNode)[], currency: string): ProductRecordInput {
  const collections = children.filter((c): c is CollectionNode => gidType(c.id) === "Collection").map((c) => c.title);
  const costs = children
    .filter((c): c is VariantNode => gidType(c.id) === "ProductVariant")
    .map((v) => v.inventoryItem?.unitCost?.amount)
    .filter((x): x is string => x != null);
  return {
    source: "shopify",
    externalId: numericId(n.id)!,
    title: n.title,
    vendor: n.vendor,
    productType: n.productType,
    collections,
    // One cost per product: the first variant's (variants of a product rarely differ much).
    unitCost: costs[0],
    currency,
  };
}
