// WooCommerce REST v3 coupons for the local WooCommerce simulator: POST /coupons (a code is
// unique, case-insensitively: woocommerce_rest_coupon_code_already_exists), GET /coupons?code=,
// GET and DELETE /coupons/<id>, POST /coupons/batch {delete: [...]} (at most 100 objects).
// Requests are authenticated as the simulator does (OAuth 1.0a over http, single-use nonces).
//
// handleWooCoupons(...) is the route handler for woo-sim.ts to mount. Until it does,
// withWooCoupons(sim) puts a front server before a running simulator: coupon routes are
// answered here, every other request is passed through unchanged (same Host, so the OAuth
// signature the client made still verifies at the simulator).
import { timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { oauthSignature, type WooSim } from "./woo-sim";

export interface SimCoupon {
  id: number;
  code: string;
  amount: string;
  discount_type: string;
  date_expires: string | null;
  date_expires_gmt: string | null;
  usage_limit: number | null;
  usage_limit_per_user: number | null;
  usage_count: number;
  individual_use: boolean;
  email_restrictions: string[];
  minimum_amount: string;
  product_ids: number[];
  product_categories: number[];
  free_shipping: boolean;
  description: string;
}

export interface CouponStore {
  coupons: SimCoupon[];
  /** Answer the next n coupon requests with HTTP 503 after doing the work (a lost answer). */
  loseNextAnswers(n: number): void;
}

export function createCouponStore(): CouponStore & { nextId: number; lose: number } {
  const s = { coupons: [] as SimCoupon[], nextId: 9_000, lose: 0, loseNextAnswers(n: number) { s.lose = n; } };
  return s;
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
  res.end(JSON.stringify(body));
}
const error = (res: http.ServerResponse, status: number, code: string, message: string) => send(res, status, { code, message, data: { status } });

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : {};
}

/** OAuth 1.0a as woo-sim.ts checks it; true when the request may proceed. */
function authenticated(req: http.IncomingMessage, url: URL, creds: { consumerKey: string; consumerSecret: string }, nonces: Set<string>, res: http.ServerResponse): boolean {
  const get = (k: string) => url.searchParams.get(k) ?? undefined;
  const fail = (m: string) => (error(res, 401, "woocommerce_rest_authentication_error", m), false);
  if (get("oauth_consumer_key") !== creds.consumerKey) return fail("Consumer key is invalid.");
  const method = get("oauth_signature_method");
  if (method !== "HMAC-SHA256" && method !== "HMAC-SHA1") return fail("Invalid signature - signature method is invalid.");
  const ts = Number(get("oauth_timestamp"));
  if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > 15 * 60) return fail("Invalid timestamp.");
  const expected = oauthSignature(req.method ?? "GET", `http://${req.headers.host}${url.pathname}`, [...new Map(url.searchParams.entries())],
    creds.consumerSecret, method === "HMAC-SHA256" ? "sha256" : "sha1");
  const given = Buffer.from(get("oauth_signature") ?? "");
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) return fail("Invalid signature - provided signature does not match.");
  const nonce = `${get("oauth_nonce")}:${ts}`;
  if (nonces.has(nonce)) return fail("Invalid nonce - nonce has already been used.");
  nonces.add(nonce);
  return true;
}

/**
 * Answers a /wp-json/wc/v3/coupons* request (already authenticated). Returns false when the
 * route is not a coupon route.
 */
export async function handleWooCoupons(req: http.IncomingMessage, res: http.ServerResponse, route: string, url: URL, store: ReturnType<typeof createCouponStore>): Promise<boolean> {
  if (route !== "coupons" && !route.startsWith("coupons/")) return false;
  const lost = () => store.lose > 0 && (store.lose--, true);
  const norm = (c: string) => c.trim().toLowerCase();
  if (route === "coupons" && req.method === "GET") {
    const code = url.searchParams.get("code");
    const list = code ? store.coupons.filter((c) => norm(c.code) === norm(code)) : store.coupons;
    res.setHeader("x-wp-total", String(list.length));
    res.setHeader("x-wp-totalpages", "1");
    send(res, 200, list);
    return true;
  }
  if (route === "coupons" && req.method === "POST") {
    const b = await readJson(req);
    const code = typeof b.code === "string" ? b.code : "";
    if (!code) return error(res, 400, "woocommerce_rest_empty_coupon_code", "The coupon code cannot be empty."), true;
    if (store.coupons.some((c) => norm(c.code) === norm(code))) {
      return error(res, 400, "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists"), true;
    }
    const c: SimCoupon = {
      id: store.nextId++, code: norm(code), amount: String(b.amount ?? "0"), discount_type: String(b.discount_type ?? "fixed_cart"),
      date_expires: (b.date_expires as string) ?? null, date_expires_gmt: (b.date_expires_gmt as string) ?? null,
      usage_limit: (b.usage_limit as number) ?? null, usage_limit_per_user: (b.usage_limit_per_user as number) ?? null, usage_count: 0,
      individual_use: !!b.individual_use, email_restrictions: ((b.email_restrictions as string[]) ?? []).map((e) => e.toLowerCase()),
      minimum_amount: String(b.minimum_amount ?? ""), product_ids: (b.product_ids as number[]) ?? [], product_categories: (b.product_categories as number[]) ?? [],
      free_shipping: !!b.free_shipping, description: String(b.description ?? ""),
    };
    store.coupons.push(c);
    if (lost()) return error(res, 503, "service_unavailable", "Service Unavailable"), true;
    send(res, 201, c);
    return true;
  }
  if (route === "coupons/batch" && req.method === "POST") {
    const b = await readJson(req);
    const del = ((b.delete as number[]) ?? []).map(Number);
    if (del.length + ((b.create as unknown[]) ?? []).length + ((b.update as unknown[]) ?? []).length > 100) {
      return error(res, 413, "woocommerce_rest_request_entity_too_large", "Unable to accept more than 100 items for this request."), true;
    }
    const deleted = del.map((id) => {
      const i = store.coupons.findIndex((c) => c.id === id);
      if (i < 0) return { id, error: { code: "woocommerce_rest_shop_coupon_invalid_id", message: "Invalid ID.", data: { status: 404 } } };
      return store.coupons.splice(i, 1)[0];
    });
    send(res, 200, { delete: deleted });
    return true;
  }
  const one = route.match(/^coupons\/(\d+)$/);
  if (one) {
    const i = store.coupons.findIndex((c) => c.id === Number(one[1]));
    if (i < 0) return error(res, 404, "woocommerce_rest_shop_coupon_invalid_id", "Invalid ID."), true;
    if (req.method === "GET") return send(res, 200, store.coupons[i]), true;
    if (req.method === "DELETE") {
      if (url.searchParams.get("force") !== "true") return error(res, 501, "woocommerce_rest_trash_not_supported", "Coupons do not support trashing."), true;
      return send(res, 200, store.coupons.splice(i, 1)[0]), true;
    }
  }
  error(res, 404, "rest_no_route", "No route was found matching the URL and request method.");
  return true;
}

export interface WooSimWithCoupons extends WooSim {
  coupons: CouponStore;
}

/** A front for a running WooCommerce simulator that adds the coupon routes. */
export async function withWooCoupons(sim: WooSim): Promise<WooSimWithCoupons> {
  const store = createCouponStore();
  const nonces = new Set<string>();
  const target = new URL(sim.url);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const route = url.pathname.replace(/^\/wp-json\/wc\/v3\/?/, "");
    if (route === "coupons" || route.startsWith("coupons/")) {
      if (!authenticated(req, url, sim, nonces, res)) return;
      handleWooCoupons(req, res, route, url, store).catch((e) => error(res, 500, "internal", String(e)));
      return;
    }
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", (e) => error(res, 502, "bad_gateway", e.message));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    ...sim,
    url: `http://127.0.0.1:${port}`,
    coupons: store,
    close: async () => {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sim.close();
    },
  };
}
