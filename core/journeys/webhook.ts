// The "call a webhook" node, pure parts: which URLs may be called (checked on publish and
// again, after DNS, at call time), the JSON body (only the customer fields the merchant
// chose), the HMAC-SHA256 signature, how a response is classified and the retry backoff.
import { createHmac } from "node:crypto";
import { WEBHOOK_CUSTOMER_FIELDS, type WebhookCustomerField } from "./webhook-url";

export { blockedAddress, checkWebhookUrl, WEBHOOK_CUSTOMER_FIELDS, type UrlPolicy, type WebhookCustomerField } from "./webhook-url";

export interface WebhookBodyInput {
  idempotencyKey: string;
  occurredAt: Date;
  journey: { id: string; version: number; name: string };
  node: { id: string; label?: string };
  enrollmentId: string;
  customerId: string;
  fields: readonly WebhookCustomerField[];
  /** The customer's row; only the chosen fields are read from it. */
  customer: Partial<Record<WebhookCustomerField, unknown>>;
}

/** The JSON body: ids always; of the customer, the id and exactly the fields chosen. */
export function webhookBody(input: WebhookBodyInput): Record<string, unknown> {
  const customer: Record<string, unknown> = { id: input.customerId };
  for (const f of input.fields) {
    if (!(WEBHOOK_CUSTOMER_FIELDS as readonly string[]).includes(f)) continue;
    const v = input.customer[f];
    customer[f] = v === undefined ? null : v;
  }
  return {
    id: input.idempotencyKey,
    type: "journey.webhook",
    occurred_at: input.occurredAt.toISOString(),
    journey: { id: input.journey.id, version: input.journey.version, name: input.journey.name },
    node: { id: input.node.id, ...(input.node.label ? { label: input.node.label } : {}) },
    enrollment_id: input.enrollmentId,
    customer,
  };
}

export const SIGNATURE_HEADER = "x-winback-signature";
export const IDEMPOTENCY_HEADER = "idempotency-key";

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the shop's secret. The
 * receiver recomputes it over the raw body and rejects old timestamps (replays).
 */
export function signWebhook(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const mac = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${mac}`;
}

export type CallOutcome =
  | { kind: "status"; status: number }
  | { kind: "timeout" }
  | { kind: "network"; message: string }
  | { kind: "blocked"; message: string };

/** What an attempt's outcome means: done, try again later, or never again. */
export function classifyCall(o: CallOutcome): "succeeded" | "retry" | "permanent" {
  switch (o.kind) {
    case "status":
      if (o.status >= 200 && o.status < 300) return "succeeded";
      if (o.status >= 500 || o.status === 408 || o.status === 429) return "retry";
      return "permanent";
    case "timeout":
    case "network":
      return "retry";
    case "blocked":
      return "permanent";
  }
}

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 30_000, maxMs: 3_600_000 };

/** After failed attempt n (1-based): when to try again, or null when it gives up. */
export function nextAttemptAt(attempt: number, now: Date, policy: RetryPolicy = DEFAULT_RETRY): Date | null {
  if (attempt >= policy.maxAttempts) return null;
  const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return new Date(now.getTime() + delay);
}
