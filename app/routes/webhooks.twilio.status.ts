// POST /webhooks/twilio/status?shop=<domain>: Twilio's delivery status callbacks. The
// X-Twilio-Signature is checked (twilio.validateRequest) against the public URL Twilio
// called, with the shop's auth token, before anything is believed; a bad one gets 403 and
// writes nothing. A good one moves messages.status (delivered_at / failed_at) and records
// message_delivered or message_bounced once.
import type { ActionFunctionArgs } from "@remix-run/node";
import { parseStatusCallback } from "../../connectors/sms/twilio";
import { pool } from "../db.server";
import { readTwilioWebhook } from "../models/channels.server";
import { recordDeliveryProblem } from "../models/consent.server";
import { recordEngagement, updateOutboxStatus } from "../models/outbox.server";

export async function action({ request }: ActionFunctionArgs) {
  const hook = await readTwilioWebhook(request);
  if (!hook.ok) return hook.response;
  const { shop, settings, signed } = hook.value;
  const update = parseStatusCallback(settings.authToken, signed);
  if (!update.ok) return new Response(update.error, { status: update.error === "bad signature" ? 403 : 400 });

  const { providerMessageId, status, providerStatus, errorCode } = update.value;
  const now = new Date();
  await updateOutboxStatus(shop.id, "twilio", providerMessageId, providerStatus);
  if (status === "pending") return new Response(null, { status: 204 });
  // Only forward moves: a late "sent" never overwrites "delivered"; a final state is kept.
  const r = await pool().query<{ id: string; customer_id: string; recipient: string | null }>(
    `update messages set
        status = $4::"MessageStatus",
        delivered_at = case when $4 = 'delivered' then coalesce(delivered_at, $5) else delivered_at end,
        failed_at = case when $4 = 'failed' then coalesce(failed_at, $5) else failed_at end,
        error_kind = case when $4 = 'failed' then 'provider' else error_kind end,
        error_message = case when $4 = 'failed' then $6 else error_message end
      where shop_id = $1 and provider = $2 and provider_message_id = $3
        and status not in ('delivered', 'failed', 'suppressed')
        and not ($4 = 'sent' and status = 'sent')
      returning id::text, customer_id::text, recipient`,
    [shop.id, "twilio", providerMessageId, status, now, errorCode ? `Twilio ${providerStatus} (error ${errorCode})` : `Twilio ${providerStatus}`],
  );
  const m = r.rows[0];
  if (m && (status === "delivered" || status === "failed")) {
    const message = { id: m.id, customerId: m.customer_id, channel: "sms" as const, recipient: m.recipient, status };
    await recordEngagement({ shopId: shop.id, message, name: status === "delivered" ? "message_delivered" : "message_bounced", at: now, dedupeKey: `${status}:${m.id}`, extra: errorCode ? { errorCode } : {} });
    // Twilio 21610 (the number replied STOP at carrier level) and 30003-30006 (unreachable or landline) are permanent.
    if (status === "failed" && m.recipient && errorCode && ["21610", "30005", "30006"].includes(errorCode)) {
      await recordDeliveryProblem({ shopId: shop.id, channel: "sms", address: m.recipient, kind: "hard_bounce", source: `twilio_${errorCode}`, messageId: m.id, at: now });
    }
  }
  return new Response(null, { status: 204 });
}
