// Consent write-back to Shopify: customerEmailMarketingConsentUpdate and
// customerSmsMarketingConsentUpdate (graphql/customer-*-consent-update.graphql). Shopify
// accepts only SUBSCRIBED, UNSUBSCRIBED and PENDING as the new state, the customer must
// already have the email/phone, and consentUpdatedAt is when the customer actually changed
// their mind (not when we got round to telling Shopify).
import { err, ok, type Result } from "../../core/result";
import type { AdminGraphql } from "./client";
import { operation } from "./operations";

export type ShopifyMarketingState = "SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING";
export type ShopifyOptInLevel = "SINGLE_OPT_IN" | "CONFIRMED_OPT_IN" | "UNKNOWN";

export type ShopifyConsentCustomer = { externalId: string; email: string | null; phone: string | null };

type UserError = { field?: string[] | null; message: string; code?: string | null };

export function consentInput(
  customer: ShopifyConsentCustomer,
  channel: "email" | "sms",
  state: "subscribed" | "unsubscribed" | "pending",
  at: Date,
  optInLevel: ShopifyOptInLevel = "SINGLE_OPT_IN",
): Result<Record<string, unknown>> {
  if (channel === "email" && !customer.email) return err("the customer has no email address in Shopify");
  if (channel === "sms" && !customer.phone) return err("the customer has no phone number in Shopify");
  const consent = { marketingState: state.toUpperCase() as ShopifyMarketingState, marketingOptInLevel: optInLevel, consentUpdatedAt: at.toISOString() };
  const customerId = customer.externalId.startsWith("gid://") ? customer.externalId : `gid://shopify/Customer/${customer.externalId}`;
  return ok(channel === "email" ? { customerId, emailMarketingConsent: consent } : { customerId, smsMarketingConsent: consent });
}

export async function writeConsentToShopify(
  gql: AdminGraphql,
  customer: ShopifyConsentCustomer,
  channel: "email" | "sms",
  state: "subscribed" | "unsubscribed" | "pending",
  at: Date,
  optInLevel?: ShopifyOptInLevel,
): Promise<Result<{ customerId: string }>> {
  const input = consentInput(customer, channel, state, at, optInLevel);
  if (!input.ok) return input;
  const op = channel === "email" ? "customer-email-consent-update" : "customer-sms-consent-update";
  const field = channel === "email" ? "customerEmailMarketingConsentUpdate" : "customerSmsMarketingConsentUpdate";
  const r = await gql.request<Record<string, { customer: { id: string } | null; userErrors: UserError[] } | null>>(operation(op), { input: input.value });
  if (!r.ok) {
    const e = r.error;
    return err(e.kind === "graphql" ? e.errors.map((x) => x.message).join("; ") : e.kind === "http" ? `HTTP ${e.status}: ${e.message}` : `gave up after ${e.attempts} attempts: ${e.last}`);
  }
  const payload = r.value.data[field];
  if (!payload) return err(`${field} returned nothing`);
  if (payload.userErrors.length) return err(payload.userErrors.map((u) => `${u.field?.join(".") ?? ""} ${u.message}`.trim()).join("; "));
  if (!payload.customer) return err(`${field} returned no customer`);
  return ok({ customerId: payload.customer.id });
}
