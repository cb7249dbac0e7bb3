// Web push subscriptions from the storefront opt-in (extensions/winback-push, posted through
// the app proxy to app/routes/apps.winback.push.ts). One row per (shop, endpoint): the
// endpoint is hashed into the key (SHA-256, hex) so the key stays short whatever the push
// service's URL. A browser that subscribes again refreshes its keys; a subscription first
// saved anonymously is tied to the customer once they post while logged in, and never
// loses its customer to a later anonymous post. Subscriptions the push service reports
// gone (404/410, connectors/push/web-push.ts `onGone`) are deleted.
import { createHash } from "node:crypto";
import type pg from "pg";
import { z } from "zod";

export function pushEndpointHash(endpoint: string): string {
  return createHash("sha256").update(endpoint, "utf8").digest("hex");
}

const base64url = (name: string, bytes: number) =>
  z
    .string({ error: (iss) => (iss.input === undefined ? `${name} is required` : `${name} must be a string`) })
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `${name} must be base64url`)
    .refine((s) => Buffer.from(s, "base64url").length === bytes, `${name} must decode to ${bytes} bytes`);

/** The browser's PushSubscription.toJSON(), as the opt-in script posts it. */
export const pushSubscriptionInput = z.object({
  endpoint: z
    .string({ error: (iss) => (iss.input === undefined ? "endpoint is required" : "endpoint must be a string") })
    .max(2048, "endpoint is too long")
    .url("endpoint must be a URL")
    .refine((u) => u.startsWith("https://"), "endpoint must be an https URL"),
  expirationTime: z.number().nullable().optional(),
  keys: z.object(
    {
      // An uncompressed P-256 point (65 bytes) and a 16-byte auth secret (RFC 8291).
      p256dh: base64url("keys.p256dh", 65),
      auth: base64url("keys.auth", 16),
    },
    { error: (iss) => (iss.input === undefined ? "keys is required" : "keys must be an object") },
  ),
});
export type PushSubscriptionInput = z.infer<typeof pushSubscriptionInput>;

/** The first problem with a posted body, naming the field. */
export function parsePushSubscription(body: unknown): { ok: true; value: PushSubscriptionInput } | { ok: false; field: string; message: string } {
  const r = pushSubscriptionInput.safeParse(body);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const field = issue.path.join(".") || "body";
  return { ok: false, field, message: issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}` };
}

/** Our customer id for a Shopify customer id (the app proxy's logged_in_customer_id), following merges. */
export async function customerIdForShopifyCustomer(db: pg.Pool, shopId: number, shopifyCustomerId: string): Promise<string | null> {
  if (!/^\d{1,19}$/.test(shopifyCustomerId)) return null;
  const r = await db.query<{ id: string }>(
    `select coalesce(c.merged_into_id, c.id)::text as id
       from customer_identities i join customers c on c.shop_id = i.shop_id and c.id = i.customer_id
      where i.shop_id = $1 and i.source = 'shopify' and i.external_id = $2
      limit 1`,
    [shopId, shopifyCustomerId],
  );
  return r.rows[0]?.id ?? null;
}

export type SavedPushSubscription = { endpointHash: string; customerId: string | null; created: boolean };

export async function savePushSubscription(db: pg.Pool, shopId: number, sub: PushSubscriptionInput, customerId: string | null): Promise<SavedPushSubscription> {
  const hash = pushEndpointHash(sub.endpoint);
  const r = await db.query<{ customer_id: string | null; created: boolean }>(
    `insert into push_subscriptions (shop_id, endpoint_hash, customer_id, endpoint, p256dh, auth)
     values ($1, $2, $3::bigint, $4, $5, $6)
     on conflict (shop_id, endpoint_hash) do update
        set p256dh = excluded.p256dh,
            auth = excluded.auth,
            endpoint = excluded.endpoint,
            customer_id = coalesce(excluded.customer_id, push_subscriptions.customer_id)
     returning customer_id::text, (xmax = 0) as created`,
    [shopId, hash, customerId, sub.endpoint, sub.keys.p256dh, sub.keys.auth],
  );
  return { endpointHash: hash, customerId: r.rows[0].customer_id, created: r.rows[0].created };
}

/** Deletes one subscription by its endpoint; true when a row went. */
export async function deletePushSubscription(db: pg.Pool, shopId: number, endpoint: string): Promise<boolean> {
  const r = await db.query(`delete from push_subscriptions where shop_id = $1 and endpoint_hash = $2`, [shopId, pushEndpointHash(endpoint)]);
  return (r.rowCount ?? 0) > 0;
}

/** The `onGone` for connectors/push/web-push.ts: the push service said 404/410, so the row goes. */
export function deleteGonePushSubscription(db: pg.Pool, shopId: number): (endpoint: string) => Promise<void> {
  return async (endpoint) => {
    await deletePushSubscription(db, shopId, endpoint);
  };
}

/** The shop's VAPID public key (not secret) for the opt-in script, or null when web push is not set up. */
export async function vapidPublicKey(db: pg.Pool, shopId: number): Promise<string | null> {
  const r = await db.query<{ key: string | null }>(`select config->>'publicKey' as key from provider_credentials where shop_id = $1 and provider = 'webpush'`, [shopId]);
  return r.rows[0]?.key ?? null;
}
