// WooCommerce webhook authenticity: X-WC-Webhook-Signature is base64(HMAC-SHA256(raw body, secret)).
// Pure: verify against the raw bytes as received, before any JSON parsing.
import { createHmac, timingSafeEqual } from "node:crypto";

export function wooWebhookSignature(rawBody: Buffer | string, secret: string): string {
  return createHmac("sha256", secret).update(rawBody).digest("base64");
}

export function verifyWooWebhook(rawBody: Buffer | string, signatureHeader: string | undefined, secret: string): boolean {
  if (!signatureHeader || !secret) return false;
  const expected = Buffer.from(wooWebhookSignature(rawBody, secret));
  const given = Buffer.from(signatureHeader.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
