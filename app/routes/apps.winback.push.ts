// The storefront's web push opt-in, through Shopify's app proxy: the shop's storefront
// serves /apps/winback/push and Shopify forwards it here with a signed query string
// (shop, timestamp, logged_in_customer_id, path_prefix, signature). The signature is checked
// by shopify().authenticate.public.appProxy before anything is read or written; a bad one
// is refused (400, nothing written).
//
// GET:  the shop's VAPID public key, for PushManager.subscribe (404 when web push is not set up).
// POST: a PushSubscription (its toJSON()); stored or refreshed for the logged-in customer when
//       the proxy names one, else anonymously. A malformed body gets 400 naming the field.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { pool } from "../db.server";
import { customerIdForShopifyCustomer, parsePushSubscription, savePushSubscription, vapidPublicKey } from "../models/push-subscriptions.server";
import { findShopByDomain } from "../models/shop.server";
import { shopify } from "../shopify.server";

const MAX_BODY_BYTES = 8 * 1024;
const noStore = { "cache-control": "no-store" };

/** Verifies the proxy signature (throws Shopify's 400 when it is wrong) and finds the shop. */
async function proxiedShop(request: Request): Promise<{ shopId: number; params: URLSearchParams } | Response> {
  await shopify().authenticate.public.appProxy(request);
  const params = new URL(request.url).searchParams;
  const shop = await findShopByDomain(params.get("shop") ?? "");
  if (!shop || shop.status !== "installed") return Response.json({ error: "unknown shop" }, { status: 404, headers: noStore });
  return { shopId: shop.id, params };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await proxiedShop(request);
  if (shop instanceof Response) return shop;
  const publicKey = await vapidPublicKey(pool(), shop.shopId);
  if (!publicKey) return Response.json({ error: "web push is not set up for this shop" }, { status: 404, headers: noStore });
  return Response.json({ publicKey }, { headers: { "cache-control": "public, max-age=300" } });
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return Response.json({ error: "method not allowed" }, { status: 405, headers: { allow: "GET, POST" } });
  const shop = await proxiedShop(request);
  if (shop instanceof Response) return shop;

  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) return Response.json({ error: "body is too large", field: "body" }, { status: 413, headers: noStore });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return Response.json({ error: "body must be a JSON push subscription", field: "body" }, { status: 400, headers: noStore });
  }
  const parsed = parsePushSubscription(body);
  if (!parsed.ok) return Response.json({ error: parsed.message, field: parsed.field }, { status: 400, headers: noStore });

  // Shopify sends logged_in_customer_id empty when nobody is logged in.
  const shopifyCustomerId = shop.params.get("logged_in_customer_id") ?? "";
  const customerId = shopifyCustomerId ? await customerIdForShopifyCustomer(pool(), shop.shopId, shopifyCustomerId) : null;
  const saved = await savePushSubscription(pool(), shop.shopId, parsed.value, customerId);
  return Response.json({ ok: true, subscriber: saved.customerId ? "customer" : "anonymous" }, { status: saved.created ? 201 : 200, headers: noStore });
}
