// Receives a Shopify webhook: the library verifies the HMAC of the raw body (a bad or
// missing signature is answered 401 before anything is written); a good one is recorded
// once per X-Shopify-Event-Id and queued, so the answer leaves well within Shopify's 5 s.
import { pool } from "./db.server";
import { logger } from "./logger.server";
import { shopify } from "./shopify.server";
import { queues } from "../jobs/queues";
import { enqueueWebhookDelivery } from "../jobs/webhooks.queue";

export async function receiveShopifyWebhook(request: Request): Promise<Response> {
  const topicHeader = request.headers.get("x-shopify-topic") ?? "";
  const eventId = request.headers.get("x-shopify-event-id") ?? request.headers.get("x-shopify-webhook-id");
  // Shopify's rule: an unverifiable webhook is answered 401, whatever is missing.
  if (!request.headers.get("x-shopify-hmac-sha256")) return new Response("missing signature", { status: 401 });
  const { shop, payload } = await shopify().authenticate.webhook(request);
  if (!eventId) return new Response("missing X-Shopify-Event-Id", { status: 400 });
  const inserted = await pool().query<{ id: string }>(
    `insert into webhook_deliveries (shop_domain, platform, event_id, topic, payload)
     values ($1, 'shopify', $2, $3, $4)
     on conflict (shop_domain, platform, event_id) do nothing
     returning id::text`,
    [shop, eventId, topicHeader, JSON.stringify(payload ?? {})],
  );
  const id = inserted.rows[0]?.id;
  if (id) await enqueueWebhookDelivery(queues(), id);
  logger.info({ topic: topicHeader, shop, duplicate: !id }, "webhook accepted");
  return new Response(null, { status: 200 });
}
