// Builds a webhook request exactly as Shopify sends it: the raw JSON body signed with the
// app secret (X-Shopify-Hmac-Sha256, base64 HMAC-SHA256), and Shopify's headers.
import { getHmac } from "@shopify/shopify-api/test-helpers";
import { randomUUID } from "node:crypto";
import { TEST_API_SECRET } from "./app-env";

export function shopifyWebhookRequest(opts: {
  path: string;
  topic: string;
  shop: string;
  payload: unknown;
  eventId?: string;
  secret?: string;
  hmac?: string | null;
}): Request {
  const body = JSON.stringify(opts.payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-shopify-topic": opts.topic,
    "x-shopify-shop-domain": opts.shop,
    "x-shopify-api-version": "2026-10",
    "x-shopify-webhook-id": randomUUID(),
    "x-shopify-event-id": opts.eventId ?? randomUUID(),
    "x-shopify-triggered-at": new Date().toISOString(),
  };
  const hmac = opts.hmac === undefined ? getHmac(body, opts.secret ?? TEST_API_SECRET) : opts.hmac;
  if (hmac !== null) headers["x-shopify-hmac-sha256"] = hmac;
  return new Request(`https://winback.test${opts.path}`, { method: "POST", headers, body });
}
