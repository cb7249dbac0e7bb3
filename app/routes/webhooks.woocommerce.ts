// POST /webhooks/woocommerce: a connected WooCommerce store's webhook. The store is found by
// X-WC-Webhook-Source; X-WC-Webhook-Signature (base64 HMAC-SHA256 of the raw body with the
// secret given at connect) is checked before anything is parsed or written: bad or missing is
// 401. A good delivery is recorded once per X-WC-Webhook-Delivery-ID (webhook_deliveries,
// platform woocommerce) and queued; the imports worker applies it through ingestion, which
// keeps the newest version of a record whatever order deliveries arrive in.
import type { ActionFunctionArgs } from "@remix-run/node";
import { verifyWooWebhook } from "../../connectors/woocommerce/webhook";
import { enqueueWooDelivery } from "../../jobs/imports/queue";
import { queues } from "../../jobs/queues";
import { appConfig } from "../config.server";
import { pool } from "../db.server";
import { logger } from "../logger.server";
import { findWooConnectionBySource } from "../models/store-connections.server";

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
  const raw = Buffer.from(await request.arrayBuffer());
  const topic = request.headers.get("x-wc-webhook-topic");
  // WooCommerce pings the delivery URL when a webhook is created: form-encoded webhook_id, unsigned.
  if (!topic && /^webhook_id=\d+$/.test(raw.toString("utf8").trim())) return new Response(null, { status: 200 });
  const source = request.headers.get("x-wc-webhook-source") ?? "";
  const conn = source ? await findWooConnectionBySource(pool(), appConfig().encryptionKey, source) : undefined;
  if (!conn || !verifyWooWebhook(raw, request.headers.get("x-wc-webhook-signature") ?? undefined, conn.webhookSecret)) {
    return new Response("invalid signature", { status: 401 });
  }
  const deliveryId = request.headers.get("x-wc-webhook-delivery-id");
  if (!deliveryId || !topic) return new Response("missing X-WC-Webhook-Delivery-ID or X-WC-Webhook-Topic", { status: 400 });
  let payload: unknown;
  try {
    payload = JSON.parse(raw.toString("utf8"));
  } catch {
    return new Response("body is not JSON", { status: 400 });
  }
  const inserted = await pool().query<{ id: string }>(
    `insert into webhook_deliveries (shop_domain, platform, event_id, topic, payload)
     values ($1, 'woocommerce', $2, $3, $4)
     on conflict (shop_domain, platform, event_id) do nothing
     returning id::text`,
    [conn.shopDomain, deliveryId, topic, JSON.stringify(payload)],
  );
  const id = inserted.rows[0]?.id;
  if (id) await enqueueWooDelivery(queues(), id);
  logger.info({ topic, shopId: conn.shopId, duplicate: !id }, "woocommerce webhook accepted");
  return new Response(null, { status: 200 });
}
