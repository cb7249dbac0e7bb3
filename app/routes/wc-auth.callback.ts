// POST /wc-auth/callback: WooCommerce's key exchange posts the new keys here as JSON
// {key_id, user_id, consumer_key, consumer_secret, key_permissions}. user_id is the one-time
// token the connect page sent; the keys are checked with a test call, sealed and saved, the
// webhooks created and a first sync queued. A non-2xx answer makes the store refuse the
// exchange (and send the merchant back with success=0).
import type { ActionFunctionArgs } from "@remix-run/node";
import { appConfig } from "../config.server";
import { pool } from "../db.server";
import { logger } from "../logger.server";
import { startWooImport } from "../models/imports.server";
import { completeWooKeyExchange } from "../models/store-connections.server";
import { queues } from "../../jobs/queues";

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
  let body: Record<string, unknown>;
  try {
    const text = await request.text();
    body = request.headers.get("content-type")?.includes("application/x-www-form-urlencoded")
      ? Object.fromEntries(new URLSearchParams(text)) : JSON.parse(text);
  } catch {
    return Response.json({ error: "body must be JSON" }, { status: 400 });
  }
  const appUrl = appConfig().SHOPIFY_APP_URL.replace(/\/+$/, "");
  const r = await completeWooKeyExchange(pool(), appConfig().encryptionKey, body,
    { webhookUrl: `${appUrl}/webhooks/woocommerce`, now: new Date() });
  if (!r.ok) {
    logger.warn({ reason: r.error }, "woocommerce key exchange refused");
    return Response.json({ error: r.error }, { status: 400 });
  }
  await startWooImport(pool(), queues(), r.value.shopId);
  return Response.json({ ok: true });
}
