// Unique single-use WooCommerce coupons through REST v3 (/coupons): one coupon per code, usage
// limit 1, restricted to the customer's email, expiring with the offer. Same idempotency as
// Shopify's codes: the discount_codes row (deterministic code and key from
// core/offers/code-request.ts) is written before the POST; a retry after a crash finds the
// coupon WooCommerce already has (code taken -> GET ?code=) instead of making a second one, and
// a code is only handed out once WooCommerce confirmed it. Expired unused coupons are deleted
// in batches of at most 100 (POST /coupons/batch).
import WooCommerceRestApiModule from "@woocommerce/woocommerce-rest-api";
import type pg from "pg";
import { currencyExponent } from "../../core/ingest/money";
import type { CodeRequest } from "../../core/offers/code-request";
import { err, ok, type Result } from "../../core/result";
import { toWooError, type WooCredentials, type WooError } from "./client";

export interface WooCouponApi {
  get(endpoint: string, params?: Record<string, string | number>): Promise<{ data: unknown }>;
  post(endpoint: string, data: unknown): Promise<{ data: unknown }>;
}

const WooCommerceRestApi = ((WooCommerceRestApiModule as unknown as { default?: unknown }).default ??
  WooCommerceRestApiModule) as typeof WooCommerceRestApiModule;

/** The same REST library the read client uses (OAuth 1.0a over http, basic auth over https). */
export function createWooCouponApi(creds: WooCredentials, timeoutMs = 30_000): WooCouponApi {
  const api = new WooCommerceRestApi({ ...creds, version: "wc/v3", timeout: timeoutMs });
  return {
    get: async (endpoint, params = {}) => ({ data: (await api.get(endpoint, params)).data }),
    post: async (endpoint, data) => ({ data: (await api.post(endpoint, data)).data }),
  };
}

const WOO_BATCH_LIMIT = 100;

function decimal(minor: number, currency: string): string {
  const e = currencyExponent(currency);
  return e === 0 ? String(minor) : (minor / 10 ** e).toFixed(e);
}

/** Wall-clock time in an IANA zone, as WooCommerce's site-local date fields take it. */
function localTime(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

export function couponBody(r: CodeRequest, email: string, currency: string, timeZone: string): Result<Record<string, unknown>, WooError> {
  const o = r.offer;
  const body: Record<string, unknown> = {
    code: r.code,
    description: `Winback ${o.id}`,
    usage_limit: 1,
    usage_limit_per_user: 1,
    individual_use: true,
    email_restrictions: [email],
    date_expires: localTime(r.expiresAt, timeZone),
    date_expires_gmt: r.expiresAt.toISOString().slice(0, 19),
    minimum_amount: r.minimumOrderMinor > 0 ? decimal(r.minimumOrderMinor, currency) : "",
  };
  if (o.kind === "percentage") Object.assign(body, { discount_type: "percent", amount: String(o.percent) });
  else if (o.kind === "fixed_amount") Object.assign(body, { discount_type: "fixed_cart", amount: decimal(o.amountMinor, currency) });
  else Object.assign(body, { discount_type: "fixed_cart", amount: "0", free_shipping: true });
  if (r.scope.kind === "products") body.product_ids = r.scope.productIds.map(Number);
  if (r.scope.kind === "collections") body.product_categories = r.scope.collectionIds.map(Number);
  return ok(body);
}

type Coupon = { id: number; code: string; email_restrictions?: string[] };

/**
 * Makes sure the request's coupon exists at WooCommerce. ok(code) once it does (the code may be
 * sent); an error value otherwise (the code must not be sent).
 */
export async function issueWooCoupon(o: {
  api: WooCouponApi; pool: pg.Pool; shopId: number; offerRowId: string; request: CodeRequest; email: string; messageId?: string;
}): Promise<Result<string, WooError>> {
  const r = o.request;
  const shop = (await o.pool.query<{ currency: string; timezone: string }>(`select currency, timezone from shops where id = $1`, [o.shopId])).rows[0];
  await o.pool.query(
    `insert into discount_codes (shop_id, code, idempotency_key, message_id, customer_id, offer_id, status, issued_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, 'requested', $7, $8) on conflict do nothing`,
    [o.shopId, r.code, r.idempotencyKey, o.messageId ?? null, r.customerId, o.offerRowId, r.issuedAt, r.expiresAt]);
  const row = (await o.pool.query<{ status: string; code: string }>(
    `select status::text as status, code from discount_codes where shop_id = $1 and idempotency_key = $2`, [o.shopId, r.idempotencyKey])).rows[0];
  if (row.status === "created") return ok(row.code);
  if (row.status !== "requested") return err({ code: `code_${row.status}`, message: `the code is ${row.status}` });

  const body = couponBody(r, o.email, shop?.currency ?? "USD", shop?.timezone ?? "UTC");
  if (!body.ok) return body;
  let coupon: Coupon | undefined;
  try {
    coupon = (await o.api.post("coupons", body.value)).data as Coupon;
  } catch (e) {
    const we = toWooError(e);
    if (we.code !== "woocommerce_rest_coupon_code_already_exists") return err(we);
    // Made before a crash: take the existing coupon if it is this customer's.
    try {
      const found = (await o.api.get("coupons", { code: r.code })).data as Coupon[];
      coupon = found.find((c) => c.code.toLowerCase() === r.code.toLowerCase() && (c.email_restrictions ?? []).some((e) => e.toLowerCase() === o.email.toLowerCase()));
    } catch (e2) {
      return err(toWooError(e2));
    }
    if (!coupon) {
      await o.pool.query(`update discount_codes set status = 'failed', error = $3 where shop_id = $1 and code = $2 and status = 'requested'`, [o.shopId, r.code, we.message]);
      return err(we);
    }
  }
  await o.pool.query(
    `update discount_codes set status = 'created', platform_discount_id = $3, error = null where shop_id = $1 and code = $2 and status = 'requested'`,
    [o.shopId, r.code, String(coupon.id)]);
  return ok(r.code);
}

/** Deletes expired unused coupons in batches of at most 100 and marks them expired. */
export async function deleteExpiredWooCoupons(api: WooCouponApi, pool: pg.Pool, shopId: number, now: Date): Promise<Result<{ codes: number }, WooError>> {
  let codes = 0;
  for (;;) {
    const due = await pool.query<{ code: string; platform_discount_id: string }>(
      `select code, platform_discount_id from discount_codes
       where shop_id = $1 and status = 'created' and expires_at < $2 and platform_discount_id is not null
       order by expires_at limit $3`, [shopId, now, WOO_BATCH_LIMIT]);
    if (!due.rowCount) break;
    try {
      await api.post("coupons/batch", { delete: due.rows.map((x) => Number(x.platform_discount_id)) });
    } catch (e) {
      return err(toWooError(e));
    }
    const c = await pool.query(`update discount_codes set status = 'expired' where shop_id = $1 and code = any($2::text[]) and status = 'created'`,
      [shopId, due.rows.map((x) => x.code)]);
    codes += c.rowCount ?? 0;
  }
  const stale = await pool.query(`update discount_codes set status = 'expired' where shop_id = $1 and status = 'requested' and expires_at < $2`, [shopId, now]);
  return ok({ codes: codes + (stale.rowCount ?? 0) });
}
