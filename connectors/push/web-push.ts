// Web push provider (VAPID, RFC 8292) through the web-push package. A 404 or 410 from the
// push service means the browser dropped the subscription: we hand it to `onGone` so the
// shell deletes it, and report a permanent failure.
import type { Agent } from "node:https";
import webpush from "web-push";
import type { Channel, PushMessage, SendFailure, SendReceipt } from "../../core/content/channel";
import { err, ok, type Result } from "../../core/result";

export type VapidKeys = { subject: string; publicKey: string; privateKey: string };

export type WebPushConfig = {
  vapid: VapidKeys;
  onGone: (endpoint: string) => Promise<void>;
  timeoutMs?: number;
  /** For tests against a local push service with a self-signed certificate. */
  agent?: Agent;
};

type PushError = Error & { statusCode?: number; code?: string };

export function classifyPushError(e: PushError): SendFailure & { gone: boolean } {
  const status = e.statusCode;
  if (typeof status !== "number") return { kind: "transient", code: e.code, message: e.message, gone: false };
  const gone = status === 404 || status === 410;
  const transient = status === 429 || status >= 500;
  return { kind: transient ? "transient" : "permanent", code: gone ? "gone" : String(status), message: e.message, gone };
}

export function createWebPushChannel(config: WebPushConfig): Channel<PushMessage> {
  return {
    async send(message: PushMessage, idempotencyKey: string): Promise<Result<SendReceipt, SendFailure>> {
      const payload = JSON.stringify({ title: message.title, body: message.body, icon: message.icon, link: message.link, tag: idempotencyKey });
      try {
        const res = await webpush.sendNotification(message.subscription, payload, {
          vapidDetails: config.vapid,
          TTL: message.ttlSeconds ?? 86_400,
          urgency: "normal",
          timeout: config.timeoutMs ?? 15_000,
          ...(config.agent ? { agent: config.agent } : {}),
        });
        // Push services return the message resource in Location; fall back to the key.
        const location = res.headers?.location;
        return ok({ providerMessageId: typeof location === "string" && location ? location : idempotencyKey });
      } catch (e) {
        const failure = classifyPushError(e as PushError);
        if (failure.gone) await config.onGone(message.subscription.endpoint);
        const { gone: _gone, ...rest } = failure;
        return err(rest);
      }
    },
  };
}
