// Webhook delivery as Shopify does it: POST of the raw JSON body, X-Shopify-Hmac-Sha256 =
// base64(HMAC-SHA256(raw body, app secret)), plus topic, shop, ids, API version and time.
// On request: duplicates (same event id, delivered again) and shuffled order.
import { createHmac, randomUUID } from "node:crypto";

export interface WebhookEvent {
  topic: string;
  payload: unknown;
  /** Stable per event; a duplicate delivery repeats it. */
  eventId?: string;
  triggeredAt?: string;
}

export interface DeliveryOptions {
  /** Where to POST; `{topic}` is replaced by the topic (one route per topic, as the app has). */
  url: string;
  secret: string;
  shop: string;
  apiVersion: string;
  /** Deliver each event this many extra times. */
  duplicates?: number;
  /** Shuffle deliveries with this seed (out-of-order delivery). */
  shuffleSeed?: number;
}

export interface Delivery { status: number; topic: string; eventId: string; webhookId: string }

export function signWebhook(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

export function webhookRequest(e: Required<Pick<WebhookEvent, "topic" | "payload">> & { eventId: string; triggeredAt: string }, o: DeliveryOptions) {
  const body = JSON.stringify(e.payload);
  const webhookId = randomUUID();
  return {
    webhookId,
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": e.topic,
      "x-shopify-shop-domain": o.shop,
      "x-shopify-event-id": e.eventId,
      "x-shopify-webhook-id": webhookId,
      "x-shopify-api-version": o.apiVersion,
      "x-shopify-triggered-at": e.triggeredAt,
      "x-shopify-hmac-sha256": signWebhook(body, o.secret),
    },
  };
}

function shuffle<T>(xs: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => ((a = (a * 1664525 + 1013904223) >>> 0) / 4294967296);
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

export async function deliverWebhooks(events: WebhookEvent[], o: DeliveryOptions): Promise<Delivery[]> {
  let queue = events.flatMap((e) => {
    const full = { topic: e.topic, payload: e.payload, eventId: e.eventId ?? randomUUID(), triggeredAt: e.triggeredAt ?? new Date().toISOString() };
    return Array.from({ length: 1 + (o.duplicates ?? 0) }, () => full);
  });
  if (o.shuffleSeed !== undefined) queue = shuffle(queue, o.shuffleSeed);
  const out: Delivery[] = [];
  for (const e of queue) {
    const req = webhookRequest(e, o);
    const res = await fetch(o.url.replace("{topic}", e.topic), { method: "POST", headers: req.headers, body: req.body });
    await res.arrayBuffer();
    out.push({ status: res.status, topic: e.topic, eventId: e.eventId, webhookId: req.webhookId });
  }
  return out;
}
