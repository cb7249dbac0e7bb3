// Klaviyo as a channel: Winback does not render or send the message; it pushes the event
// that triggers the merchant's Klaviyo flow ("Winback Offer Issued" with the code, the
// customer's dormancy, ...), and Klaviyo sends. The idempotency key is the event's
// unique_id, so a retried send is still one event and one flow entry.
import type { Channel, SendFailure, SendReceipt } from "../../core/content/channel";
import type { Purpose } from "../../core/content/schema";
import { err, ok, type Result } from "../../core/result";
import type { KlaviyoClient } from "./client";
import { pushEvent, type KlaviyoProfileRef } from "./events";

export type KlaviyoFlowMessage = {
  purpose: Purpose;
  /** The metric the merchant's flow is triggered by, e.g. WINBACK_METRICS.offerIssued. */
  metric: string;
  profile: KlaviyoProfileRef;
  properties: Record<string, unknown>;
  value?: { minor: number; currency: string; exponent?: number };
};

export function createKlaviyoChannel(client: KlaviyoClient, opts: { now?: () => Date } = {}): Channel<KlaviyoFlowMessage> {
  const now = opts.now ?? (() => new Date());
  return {
    async send(message, idempotencyKey): Promise<Result<SendReceipt, SendFailure>> {
      const r = await pushEvent(client, {
        metric: message.metric,
        profile: message.profile,
        properties: { ...message.properties, purpose: message.purpose, winback_message_key: idempotencyKey },
        uniqueId: idempotencyKey,
        time: now(),
        value: message.value,
      });
      if (!r.ok) return err({ kind: r.error.kind, code: r.error.code ?? String(r.error.status), message: r.error.message });
      return ok({ providerMessageId: `klaviyo-event:${idempotencyKey}` });
    },
  };
}
