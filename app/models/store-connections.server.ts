// A WooCommerce store's connection: its URL and REST keys (sealed with WINBACK_ENCRYPTION_KEY),
// the secret its webhooks are signed with, and the key exchange (/wc-auth/v1/authorize) that
// fills them in. One connection per shop and platform; every query is scoped by shop.
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { openSecret, sealSecret } from "../../core/secrets/seal";
import { err, ok, type Result } from "../../core/result";
import { connectWoo, createWooWebhooks, deleteWooWebhooks, toWooError, type WooCredentials } from "../../connectors/woocommerce/client";

export interface WooConnection extends WooCredentials {
  shopId: number;
  webhookSecret: string;
}

interface Sealed {
  consumerKey: string;
  consumerSecret: string;
  webhookSecret: string;
}

/** The site's host, as shops.domain stores it for WooCommerce. */
export function wooDomainOf(url: string): string {
  return new URL(url).host.toLowerCase();
}

/** Normalise what the merchant typed: scheme kept (default https), no trailing slash. */
export function normaliseStoreUrl(input: string): Result<string> {
  const t = input.trim();
  try {
    const u = new URL(/^https?:\/\//i.test(t) ? t : `https://${t}`);
    return ok(`${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`);
  } catch {
    return err(`"${input}" is not a store URL`);
  }
}

/**
 * Validate the keys with one authenticated call, create the webhooks, then store everything
 * sealed. Nothing is stored when the store refuses the keys.
 */
export async function connectWooStore(
  db: pg.Pool, key: Buffer, shopId: number,
  creds: WooCredentials, opts: { webhookUrl: string; now: Date },
): Promise<Result<{ currency?: string; webhookIds: number[] }>> {
  const url = normaliseStoreUrl(creds.url);
  if (!url.ok) return url;
  const connected = await connectWoo({ ...creds, url: url.value });
  if (!connected.ok) {
    const e = connected.error;
    const why = e.status === 401 ? "the store refused these keys (check the consumer key and secret, with read/write access)"
      : e.code === "network_error" ? `the store could not be reached: ${e.message}` : e.message;
    await db.query(`update store_connections set status = 'failed', error = $3 where shop_id = $1 and platform = $2 and status <> 'connected'`,
      [shopId, "woocommerce", why]);
    return err(`Could not connect: ${why}`);
  }
  // A reconnect replaces the webhooks the last connection made (their secret is being replaced).
  const previous = (await db.query(
    `select webhook_ids from store_connections where shop_id = $1 and platform = 'woocommerce' and status = 'connected'`, [shopId])).rows[0];
  if (previous && Array.isArray(previous.webhook_ids) && previous.webhook_ids.length) {
    try {
      await deleteWooWebhooks(connected.value.client, previous.webhook_ids as number[]);
    } catch (e) {
      return err(`Connected, but removing the old webhooks failed: ${toWooError(e).message}`);
    }
  }
  const webhookSecret = randomBytes(24).toString("base64url");
  const hooks = await createWooWebhooks(connected.value.client, opts.webhookUrl, webhookSecret);
  if (!hooks.ok) return err(`Connected, but creating webhooks failed: ${hooks.error.message}`);
  const sealed: Sealed = { consumerKey: creds.consumerKey, consumerSecret: creds.consumerSecret, webhookSecret };
  await db.query(
    `insert into store_connections (shop_id, platform, url, status, sealed_secret, webhook_ids, exchange_token, error, connected_at)
     values ($1, 'woocommerce', $2, 'connected', $3, $4, null, null, $5)
     on conflict (shop_id, platform) do update set url = excluded.url, status = 'connected', sealed_secret = excluded.sealed_secret,
       webhook_ids = excluded.webhook_ids, exchange_token = null, error = null, connected_at = excluded.connected_at`,
    [shopId, url.value, sealSecret(JSON.stringify(sealed), key), JSON.stringify(hooks.value), opts.now],
  );
  return ok({ currency: connected.value.currency, webhookIds: hooks.value });
}

export async function loadWooConnection(db: pg.Pool, key: Buffer, shopId: number): Promise<WooConnection | undefined> {
  const row = (await db.query(
    `select url, sealed_secret from store_connections where shop_id = $1 and platform = 'woocommerce' and status = 'connected'`,
    [shopId])).rows[0];
  if (!row?.sealed_secret) return undefined;
  const opened = openSecret(row.sealed_secret, key);
  if (!opened.ok) return undefined;
  const s = JSON.parse(opened.value) as Sealed;
  return { shopId, url: row.url, ...s };
}

export async function wooConnectionStatus(db: pg.Pool, shopId: number): Promise<{ url: string; status: string; error: string | null } | undefined> {
  return (await db.query(`select url, status, error from store_connections where shop_id = $1 and platform = 'woocommerce'`, [shopId])).rows[0];
}

/** The connected shop whose store sends webhooks from `source` (X-WC-Webhook-Source), with its domain. */
export async function findWooConnectionBySource(
  db: pg.Pool, key: Buffer, source: string,
): Promise<(WooConnection & { shopDomain: string }) | undefined> {
  let host: string;
  try {
    host = wooDomainOf(source);
  } catch {
    return undefined;
  }
  // url is stored normalised (scheme://host[/path]), so its host part compares as text.
  const row = (await db.query(
    `select c.shop_id, s.domain from store_connections c join shops s on s.id = c.shop_id
     where c.platform = 'woocommerce' and c.status = 'connected'
       and lower(split_part(split_part(c.url, '://', 2), '/', 1)) = $1`, [host])).rows[0] as { shop_id: number; domain: string } | undefined;
  if (!row) return undefined;
  const conn = await loadWooConnection(db, key, row.shop_id);
  return conn && { ...conn, shopDomain: row.domain };
}

/** Start the key exchange: a one-time token that the callback must bring back as user_id. */
export async function startWooKeyExchange(db: pg.Pool, shopId: number, storeUrl: string): Promise<Result<{ token: string; url: string }>> {
  const url = normaliseStoreUrl(storeUrl);
  if (!url.ok) return url;
  const token = randomBytes(18).toString("base64url");
  await db.query(
    `insert into store_connections (shop_id, platform, url, status, exchange_token)
     values ($1, 'woocommerce', $2, 'pending', $3)
     on conflict (shop_id, platform) do update set url = excluded.url, exchange_token = excluded.exchange_token,
       status = case when store_connections.status = 'connected' then store_connections.status else 'pending' end, error = null`,
    [shopId, url.value, token]);
  return ok({ token, url: url.value });
}

/** The authorize URL the merchant is sent to (WooCommerce's documented /wc-auth/v1/authorize). */
export function wooAuthorizeUrl(storeUrl: string, o: { appName: string; token: string; returnUrl: string; callbackUrl: string }): string {
  const q = new URLSearchParams({ app_name: o.appName, scope: "read_write", user_id: o.token, return_url: o.returnUrl, callback_url: o.callbackUrl });
  return `${storeUrl}/wc-auth/v1/authorize?${q}`;
}

/** The store POSTed the keys to the callback: find the pending connection by its token and connect. */
export async function completeWooKeyExchange(
  db: pg.Pool, key: Buffer,
  body: { user_id?: unknown; consumer_key?: unknown; consumer_secret?: unknown },
  opts: { webhookUrl: string; now: Date },
): Promise<Result<{ shopId: number }>> {
  if (typeof body.user_id !== "string" || typeof body.consumer_key !== "string" || typeof body.consumer_secret !== "string") {
    return err("user_id, consumer_key and consumer_secret are required");
  }
  const row = (await db.query(
    `select shop_id, url from store_connections where platform = 'woocommerce' and exchange_token = $1`, [body.user_id])).rows[0];
  if (!row) return err("unknown or used key exchange");
  const r = await connectWooStore(db, key, row.shop_id,
    { url: row.url, consumerKey: body.consumer_key, consumerSecret: body.consumer_secret }, opts);
  if (!r.ok) return r;
  return ok({ shopId: row.shop_id });
}
