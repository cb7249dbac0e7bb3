// REST-shaped (snake_case) webhook payloads for the generated store, as Shopify sends them.
import { decimal, type SimCustomer, type SimOrder, type SimRefund, type SimStore } from "./store";
import { gid } from "./model";

const consent = (state: string) => state.toLowerCase();

export function restCustomer(c: SimCustomer) {
  return {
    id: c.id,
    admin_graphql_api_id: gid("Customer", c.id),
    email: c.email,
    phone: c.phone,
    first_name: c.firstName,
    last_name: c.lastName,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    state: "enabled",
    verified_email: true,
    tags: c.tags.join(", "),
    currency: "USD",
    locale: c.locale,
    default_address: {
      customer_id: c.id, address1: c.address1, city: c.city, zip: c.zip,
      province_code: c.province, country_code: c.country, default: true,
    },
    email_marketing_consent: c.email == null ? null : {
      state: consent(c.emailState),
      opt_in_level: c.emailState === "SUBSCRIBED" ? "single_opt_in" : null,
      consent_updated_at: c.emailConsentAt,
    },
    sms_marketing_consent: c.phone == null ? null : {
      state: c.smsState === "NEVER_SUBSCRIBED" ? "not_subscribed" : consent(c.smsState),
      opt_in_level: c.smsState === "SUBSCRIBED" ? "single_opt_in" : null,
      consent_updated_at: c.smsConsentAt,
      consent_collected_from: c.smsConsentAt ? "SHOPIFY" : "OTHER",
    },
  };
}

export function restCustomerDeleted(c: SimCustomer) {
  return { id: c.id, phone: null, addresses: [], tax_exemptions: [], email_marketing_consent: null, sms_marketing_consent: null, admin_graphql_api_id: gid("Customer", c.id) };
}

function restRefund(r: SimRefund, o: SimOrder, store: SimStore) {
  return {
    id: r.id,
    admin_graphql_api_id: gid("Refund", r.id),
    order_id: o.id,
    created_at: r.createdAt,
    processed_at: r.createdAt,
    note: null,
    refund_line_items: [],
    transactions: [{ id: r.id + 1, order_id: o.id, kind: "refund", status: "success", amount: decimal(r.amount, store.shop.exponent), currency: store.shop.currency }],
  };
}

export function restOrder(o: SimOrder, store: SimStore) {
  const money = (m: number) => decimal(m, store.shop.exponent);
  const set = (m: number) => ({ shop_money: { amount: money(m), currency_code: store.shop.currency }, presentment_money: { amount: money(m), currency_code: store.shop.currency } });
  const customer = o.customerId == null ? null : store.customers.find((c) => c.id === o.customerId);
  return {
    id: o.id,
    admin_graphql_api_id: gid("Order", o.id),
    name: o.name,
    email: o.email,
    created_at: o.processedAt,
    processed_at: o.processedAt,
    updated_at: o.updatedAt,
    cancelled_at: o.cancelledAt,
    currency: store.shop.currency,
    subtotal_price: money(o.subtotal),
    total_discounts: money(o.discounts),
    total_shipping_price_set: set(o.shipping),
    total_tax: money(o.tax),
    total_price: money(o.total),
    financial_status: o.financialStatus.toLowerCase(),
    source_name: o.sourceName,
    discount_codes: o.discountCodes.map((code) => ({ code, amount: money(o.discounts), type: "percentage" })),
    customer: customer ? { ...restCustomer(customer) } : null,
    line_items: o.lines.map((l) => ({
      id: l.id, admin_graphql_api_id: gid("LineItem", l.id), product_id: l.productId, variant_id: l.variantId,
      sku: l.sku, title: l.title, vendor: l.vendor, quantity: l.quantity, price: money(l.price), total_discount: money(l.discount),
    })),
    refunds: o.refunds.map((r) => restRefund(r, o, store)),
  };
}

export function restRefundOf(o: SimOrder, r: SimRefund, store: SimStore) {
  return restRefund(r, o, store);
}
