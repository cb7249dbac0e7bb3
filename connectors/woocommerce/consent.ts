// Consent written back to a WooCommerce store. WooCommerce has no marketing-consent field of its
// own, so the customer's meta carries it (PUT /customers/<id> with meta_data; WooCommerce
// replaces a meta entry of the same key): the state, the real time of the change and its
// source, per channel. Keys without a leading underscore, which WordPress would treat as
// protected and keep out of the REST API.
import { err, ok, type Result } from "../../core/result";
import { toWooError, type WooClient, type WooError } from "./client";

export type WooConsentChannel = "email" | "sms";

/** The meta entries that record one consent change on the customer. */
export function consentMeta(channel: WooConsentChannel, state: "subscribed" | "unsubscribed", at: Date, source: string) {
  const prefix = `winback_${channel}_marketing_consent`;
  return [
    { key: prefix, value: state },
    { key: `${prefix}_at`, value: at.toISOString() },
    { key: `${prefix}_source`, value: source },
  ];
}

export async function writeConsentToWoo(
  client: WooClient, customerExternalId: string, channel: WooConsentChannel, state: "subscribed" | "unsubscribed", at: Date, source: string,
): Promise<Result<{ customerId: string }, WooError>> {
  if (!/^[1-9]\d*$/.test(customerExternalId)) return err({ code: "invalid_customer", message: `not a WooCommerce customer id: ${customerExternalId}` });
  try {
    await client.put(`customers/${customerExternalId}`, { meta_data: consentMeta(channel, state, at, source) });
    return ok({ customerId: customerExternalId });
  } catch (e) {
    return err(toWooError(e));
  }
}
