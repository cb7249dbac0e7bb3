// POST /webhooks/twilio/inbound?shop=<domain>: replies to the shop's number. Verified with
// X-Twilio-Signature against the public URL (403 and nothing written otherwise), classified
// by core/tracking/sms-inbound.ts, stored in inbound_messages once per MessageSid, and an
// opt-out or opt-in applies at once (consent, suppression, consent_changed). The answer is
// TwiML: our reply, or an empty <Response/> when Twilio already answers its own keywords.
import type { ActionFunctionArgs } from "@remix-run/node";
import { handleInbound, verifyTwilioWebhook } from "../../connectors/sms/twilio";
import { pool } from "../db.server";
import { readTwilioWebhook } from "../models/channels.server";
import { changeConsent } from "../models/consent.server";

const twiml = (xml: string) => new Response(xml, { status: 200, headers: { "content-type": "text/xml; charset=utf-8" } });

export async function action({ request }: ActionFunctionArgs) {
  const hook = await readTwilioWebhook(request);
  if (!hook.ok) return hook.response;
  const { shop, settings, signed } = hook.value;
  // Nothing is read about the sender before Twilio's signature is known to be good.
  if (!verifyTwilioWebhook(settings.authToken, signed)) return new Response("bad signature", { status: 403 });
  const params = signed.params;
  const from = params.From ?? "";

  const known = await pool().query<{ id: string; sms_consent: string; suppressed: boolean }>(
    `select c.id::text, c.sms_consent::text,
            exists (select 1 from suppressions s where s.shop_id = c.shop_id and s.channel = 'sms' and s.address = c.phone) as suppressed
       from customers c where c.shop_id = $1 and c.phone = $2 and c.merged_into_id is null order by c.id limit 1`,
    [shop.id, from],
  );
  const customer = known.rows[0];
  const optedOut = customer ? customer.sms_consent === "unsubscribed" || customer.suppressed : (await pool().query(`select 1 from suppressions where shop_id = $1 and channel = 'sms' and address = $2`, [shop.id, from])).rowCount! > 0;

  const result = handleInbound(
    settings.authToken,
    signed,
    { shopName: shop.name ?? shop.domain, helpContact: `${shop.name ?? shop.domain} support`, currentlyOptedOut: optedOut, providerAutoReplies: settings.autoReplies },
  );
  if (!result.ok) return new Response(result.error, { status: result.error === "bad signature" ? 403 : 400 });
  const r = result.value;
  const now = new Date();
  const inserted = await pool().query(
    `insert into inbound_messages (shop_id, provider, provider_message_id, customer_id, from_address, to_address, body, classification, received_at)
     values ($1, 'twilio', $2, $3, $4, $5, $6, $7, $8)
     on conflict (shop_id, provider, provider_message_id) do nothing`,
    [shop.id, r.providerMessageId, customer?.id ?? null, r.from, r.to, params.Body ?? "", r.classification.kind, now],
  );
  // A redelivered webhook (same MessageSid) changes nothing twice.
  if ((inserted.rowCount ?? 0) > 0 && r.consent) {
    await changeConsent({
      shopId: shop.id,
      channel: "sms",
      state: r.consent.action === "revoke" ? "unsubscribed" : "subscribed",
      ...(customer ? { customerId: customer.id } : {}),
      address: r.from,
      reason: r.consent.basis === "free_form" ? "sms_free_form" : "sms_keyword",
      source: r.consent.basis === "free_form" ? "sms_free_form" : "sms_keyword",
      evidence: r.consent.evidence.slice(0, 500),
      at: now,
    });
  }
  return twiml(r.twiml);
}
