// A local WooCommerce store speaking REST v3's documented contract, for tests and demos:
// /wp-json/wc/v3/{customers,orders,system_status}, page/per_page (max 100) with X-WP-Total and
// X-WP-TotalPages, modified_after, errors as {code, message, data: {status}}. Over plain http it
// checks the OAuth 1.0a signature (HMAC-SHA256 or -SHA1, consumer secret + "&" as key, 15-minute
// timestamp window, single-use nonces) and refuses bad requests with 401, as WooCommerce does.
// Also: POST /webhooks (topic, delivery_url, secret) and deliveries signed as WooCommerce signs
// them (X-WC-Webhook-Signature = base64 HMAC-SHA256 of the body; -Topic, -Source, -Delivery-ID,
// -Resource, -Event, -ID headers); and the key exchange /wc-auth/v1/authorize, approved at once:
// new keys are POSTed as JSON to callback_url, then the browser is sent to return_url with
// success=1 (or success=0 when the callback fails or `denyAuthorize` is set).
//   npx --no-install tsx scripts/sims/woo-sim.ts [port]
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface WooSimOptions {
  customers?: number;
  orders?: number;
  /** Share of orders placed as guests (customer_id 0). */
  guestShare?: number;
  seed?: number;
  consumerKey?: string;
  consumerSecret?: string;
  /** The store's UTC offset in hours, for the local (non-_gmt) dates. */
  utcOffsetHours?: number;
  port?: number;
  /** The merchant declines the key exchange. */
  denyAuthorize?: boolean;
}

type Json = Record<string, unknown>;

export interface WooSim {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  customers: Json[];
  orders: Json[];
  requests: { path: string; status: number }[];
  webhooks: { id: number; topic: string; delivery_url: string; secret: string; status: string }[];
  /** Keys issued by the key exchange, besides the configured pair. */
  issuedKeys: Map<string, string>;
  /** POST a signed delivery of `topic` with `payload` to every webhook on it; the responses' statuses. */
  deliver(topic: string, payload: Json, opts?: { deliveryId?: string; secret?: string }): Promise<number[]>;
  close(): Promise<void>;
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const gmt = (ms: number) => new Date(ms).toISOString().slice(0, 19);
const money = (cents: number) => (cents / 100).toFixed(2);

export function generateStore(o: Required<Pick<WooSimOptions, "customers" | "orders" | "guestShare" | "seed" | "utcOffsetHours">>) {
  const r = rng(o.seed);
  const base = Date.UTC(2023, 0, 1);
  const local = (ms: number) => gmt(ms + o.utcOffsetHours * 3600_000);
  const customers: Json[] = [];
  for (let i = 1; i <= o.customers; i++) {
    const created = base + Math.floor(r() * 300) * 86400_000;
    const modified = created + Math.floor(r() * 60) * 86400_000;
    const address = { first_name: `First${i}`, last_name: `Last${i}`, company: "", address_1: `${i} High St`, address_2: "",
      city: "Leeds", state: "", postcode: "LS1 1AA", country: "GB" };
    customers.push({
      id: i, date_created: local(created), date_created_gmt: gmt(created), date_modified: local(modified),
      date_modified_gmt: gmt(modified), email: `customer${i}@example.com`, first_name: `First${i}`,
      last_name: `Last${i}`, role: "customer", username: `customer${i}`,
      billing: { ...address, email: `customer${i}@example.com`, phone: `07700 9${String(i % 100000).padStart(5, "0")}` },
      shipping: address, is_paying_customer: true, avatar_url: "",
    });
  }
  const orders: Json[] = [];
  for (let i = 1; i <= o.orders; i++) {
    const guest = r() < o.guestShare || customers.length === 0;
    const cust = guest ? undefined : customers[Math.floor(r() * customers.length)];
    const email = cust ? (cust.email as string) : `guest${Math.floor(r() * Math.max(1, o.orders / 3))}@example.com`;
    const created = base + Math.floor(r() * 365 * 24) * 3600_000;
    const modified = created + Math.floor(r() * 10) * 86400_000;
    const items = 1 + Math.floor(r() * 3);
    const lines: Json[] = [];
    let subtotal = 0;
    for (let j = 0; j < items; j++) {
      const qty = 1 + Math.floor(r() * 3);
      const unit = 100 + Math.floor(r() * 5000);
      subtotal += qty * unit;
      lines.push({ id: i * 10 + j, name: `Product ${j}`, product_id: 100 + j, variation_id: 0, quantity: qty,
        tax_class: "", subtotal: money(qty * unit), subtotal_tax: "0.00", total: money(qty * unit), total_tax: "0.00",
        sku: `SKU${j}`, price: unit / 100 });
    }
    const shipping = 495;
    const refunded = r() < 0.05 ? Math.min(subtotal, 500) : 0;
    const status = refunded ? "refunded" : r() < 0.03 ? "cancelled" : "completed";
    orders.push({
      id: 1000 + i, parent_id: 0, number: String(1000 + i), status, currency: "GBP", version: "8.0.0",
      date_created: local(created), date_created_gmt: gmt(created), date_modified: local(modified),
      date_modified_gmt: gmt(modified), discount_total: "0.00", discount_tax: "0.00", shipping_total: money(shipping),
      shipping_tax: "0.00", cart_tax: "0.00", total: money(subtotal + shipping), total_tax: "0.00",
      prices_include_tax: false, customer_id: cust ? cust.id : 0, created_via: "checkout",
      billing: { ...((cust?.billing as Json) ?? { first_name: "Guest", last_name: "", country: "GB", phone: "" }), email },
      shipping: {}, payment_method: "stripe", date_paid_gmt: gmt(created), line_items: lines,
      coupon_lines: [], refunds: refunded ? [{ id: i, reason: "", total: `-${money(refunded)}` }] : [],
    });
  }
  return { customers, orders };
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

/** The OAuth 1.0a signature base string and HMAC, per RFC 5849 as WooCommerce checks it. */
export function oauthSignature(method: string, baseUrl: string, params: [string, string][], secret: string, algo: "sha256" | "sha1") {
  const norm = params
    .filter(([k]) => k !== "oauth_signature")
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const base = `${method.toUpperCase()}&${enc(baseUrl)}&${enc(norm)}`;
  return createHmac(algo, `${enc(secret)}&`).update(base).digest("base64");
}

function error(res: http.ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
  res.end(JSON.stringify({ code, message, data: { status } }));
}

export async function startWooSim(opts: WooSimOptions = {}): Promise<WooSim> {
  const consumerKey = opts.consumerKey ?? "ck_sim";
  const consumerSecret = opts.consumerSecret ?? "cs_sim";
  const store = generateStore({
    customers: opts.customers ?? 25, orders: opts.orders ?? 120, guestShare: opts.guestShare ?? 0.3,
    seed: opts.seed ?? 7, utcOffsetHours: opts.utcOffsetHours ?? 1,
  });
  const nonces = new Set<string>();
  const requests: WooSim["requests"] = [];
  const webhooks: WooSim["webhooks"] = [];
  let lastWebhookId = 0;
  const issuedKeys = new Map<string, string>();
  const secretOf = (key: string | undefined) => (key === consumerKey ? consumerSecret : key ? issuedKeys.get(key) : undefined);

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8", ...headers });
      res.end(JSON.stringify(body));
    };
    res.on("finish", () => requests.push({ path: url.pathname + url.search, status: res.statusCode }));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");

    if (url.pathname === "/wc-auth/v1/authorize") return authorize(url, res);

    // Authentication (plain http: OAuth 1.0a in the query string).
    // PHP's $_GET keeps the last of repeated keys; the JS client sends its query twice, and
    // WooCommerce signs over the collapsed set, so the sim does the same.
    const p = [...new Map(url.searchParams.entries())];
    const get = (k: string) => url.searchParams.get(k) ?? undefined;
    const secret = secretOf(get("oauth_consumer_key"));
    if (secret === undefined) {
      return error(res, 401, "woocommerce_rest_authentication_error", "Consumer key is invalid.");
    }
    const method = get("oauth_signature_method");
    if (method !== "HMAC-SHA256" && method !== "HMAC-SHA1") {
      return error(res, 401, "woocommerce_rest_authentication_error", "Invalid signature - signature method is invalid.");
    }
    const ts = Number(get("oauth_timestamp"));
    if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > 15 * 60) {
      return error(res, 401, "woocommerce_rest_authentication_error", "Invalid timestamp.");
    }
    const expected = oauthSignature(req.method ?? "GET", `http://${req.headers.host}${url.pathname}`, p, secret,
      method === "HMAC-SHA256" ? "sha256" : "sha1");
    const given = Buffer.from(get("oauth_signature") ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
      return error(res, 401, "woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match.");
    }
    const nonce = `${get("oauth_nonce")}:${ts}`;
    if (nonces.has(nonce)) {
      return error(res, 401, "woocommerce_rest_authentication_error", "Invalid nonce - nonce has already been used.");
    }
    nonces.add(nonce);

    const route = url.pathname.replace(/^\/wp-json\/wc\/v3\/?/, "");
    if (req.method === "POST" && route === "webhooks") {
      let body: Json;
      try {
        body = JSON.parse(rawBody || "{}");
      } catch {
        return error(res, 400, "rest_invalid_json", "Invalid JSON body passed.");
      }
      if (typeof body.topic !== "string" || !/^(customer|order|product|coupon)\.(created|updated|deleted|restored)$/.test(body.topic)) {
        return error(res, 400, "rest_invalid_param", "Invalid parameter(s): topic");
      }
      if (typeof body.delivery_url !== "string" || !/^https?:\/\//.test(body.delivery_url)) {
        return error(res, 400, "rest_invalid_param", "Invalid parameter(s): delivery_url");
      }
      const hook = { id: ++lastWebhookId, topic: body.topic, delivery_url: body.delivery_url,
        secret: typeof body.secret === "string" ? body.secret : "", status: typeof body.status === "string" ? body.status : "active" };
      webhooks.push(hook);
      return send(201, { ...hook, name: body.name ?? "", resource: hook.topic.split(".")[0], event: hook.topic.split(".")[1] });
    }
    const del = /^webhooks\/(\d+)$/.exec(route);
    if (req.method === "DELETE" && del) {
      const i = webhooks.findIndex((w) => w.id === Number(del[1]));
      if (i < 0) return error(res, 404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
      if (get("force") !== "true") return error(res, 501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.");
      const [gone] = webhooks.splice(i, 1);
      return send(200, gone);
    }
    // Updating a customer (PUT, or POST as WordPress also routes it): meta_data entries replace
    // those of the same key, other fields are set as given, date_modified moves on.
    const customerRoute = /^customers\/(\d+)$/.exec(route);
    if ((req.method === "PUT" || req.method === "POST") && customerRoute) {
      const c = store.customers.find((x) => x.id === Number(customerRoute[1]));
      if (!c) return error(res, 400, "woocommerce_rest_invalid_id", "Invalid resource ID.");
      let body: Json;
      try {
        body = JSON.parse(rawBody || "{}");
      } catch {
        return error(res, 400, "rest_invalid_json", "Invalid JSON body passed.");
      }
      if (body.meta_data !== undefined && (!Array.isArray(body.meta_data) || body.meta_data.some((m: Json) => typeof m?.key !== "string"))) {
        return error(res, 400, "rest_invalid_param", "Invalid parameter(s): meta_data");
      }
      const { meta_data: meta, id: _id, ...fields } = body as Json & { meta_data?: Json[] };
      Object.assign(c, fields);
      const current: Json[] = Array.isArray(c.meta_data) ? c.meta_data : [];
      for (const m of meta ?? []) {
        const hit = current.find((x) => x.key === m.key);
        if (hit) hit.value = m.value;
        else current.push({ id: current.length + 1, key: m.key, value: m.value });
      }
      c.meta_data = current;
      const now = Date.now();
      c.date_modified_gmt = gmt(now);
      c.date_modified = gmt(now + (opts.utcOffsetHours ?? 1) * 3600_000);
      return send(200, c);
    }
    if (req.method !== "GET") return error(res, 404, "rest_no_route", "No route was found matching the URL and request method.");
    if (route === "system_status") {
      return send(200, { environment: { site_url: `http://${req.headers.host}`, version: "8.0.0" },
        settings: { currency: "GBP", timezone: `UTC+${opts.utcOffsetHours ?? 1}` } });
    }
    const list = route === "customers" ? store.customers : route === "orders" ? store.orders : undefined;
    if (!list) return error(res, 404, "rest_no_route", "No route was found matching the URL and request method.");
    const perPage = Number(get("per_page") ?? 10);
    const page = Number(get("page") ?? 1);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
      return error(res, 400, "rest_invalid_param", "Invalid parameter(s): per_page");
    }
    if (!Number.isInteger(page) || page < 1) return error(res, 400, "rest_invalid_param", "Invalid parameter(s): page");
    const after = get("modified_after");
    // modified_after is in the site's zone unless dates_are_gmt=true.
    const afterGmt = after === undefined ? undefined
      : get("dates_are_gmt") === "true" ? after
      : gmt(Date.parse(after + "Z") - (opts.utcOffsetHours ?? 1) * 3600_000);
    const matching = afterGmt === undefined ? list : list.filter((x) => (x.date_modified_gmt as string) > afterGmt);
    const total = matching.length;
    const totalPages = Math.ceil(total / perPage);
    return send(200, matching.slice((page - 1) * perPage, page * perPage), {
      "x-wp-total": String(total), "x-wp-totalpages": String(totalPages),
    });
  });
  /** The key exchange, approved at once (or declined with denyAuthorize). */
  async function authorize(url: URL, res: http.ServerResponse) {
    const q = (k: string) => url.searchParams.get(k) ?? "";
    const returnUrl = q("return_url");
    const callbackUrl = q("callback_url");
    if (!q("app_name") || !q("user_id") || !returnUrl || !callbackUrl || !["read", "write", "read_write"].includes(q("scope"))) {
      return error(res, 400, "woocommerce_rest_invalid_request", "Invalid or missing parameters.");
    }
    const back = (success: boolean) => {
      const to = new URL(returnUrl);
      to.searchParams.set("success", success ? "1" : "0");
      to.searchParams.set("user_id", q("user_id"));
      res.writeHead(302, { location: to.toString() });
      res.end();
    };
    if (opts.denyAuthorize) return back(false);
    const key = `ck_${randomBytes(20).toString("hex")}`;
    const secret = `cs_${randomBytes(20).toString("hex")}`;
    // As WooCommerce does: the keys exist before the callback (the app may test them there)
    // and are revoked when the callback fails.
    issuedKeys.set(key, secret);
    try {
      const r = await fetch(callbackUrl, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ key_id: issuedKeys.size + 1, user_id: q("user_id"), consumer_key: key, consumer_secret: secret, key_permissions: q("scope") }),
      });
      if (!r.ok) {
        issuedKeys.delete(key);
        return back(false);
      }
    } catch {
      issuedKeys.delete(key);
      return back(false);
    }
    return back(true);
  }

  const self = `http://127.0.0.1`;
  async function deliver(topic: string, payload: Json, o: { deliveryId?: string; secret?: string } = {}): Promise<number[]> {
    const body = JSON.stringify(payload);
    const statuses: number[] = [];
    for (const h of webhooks.filter((w) => w.topic === topic && w.status === "active")) {
      const sig = createHmac("sha256", o.secret ?? h.secret).update(body).digest("base64");
      const r = await fetch(h.delivery_url, {
        method: "POST",
        headers: {
          "content-type": "application/json", "user-agent": "WooCommerce/8.0.0 Hookshot (WordPress/6.4)",
          "x-wc-webhook-source": `${self}:${port}/`, "x-wc-webhook-topic": topic, "x-wc-webhook-resource": topic.split(".")[0],
          "x-wc-webhook-event": topic.split(".")[1], "x-wc-webhook-signature": sig, "x-wc-webhook-id": String(h.id),
          "x-wc-webhook-delivery-id": o.deliveryId ?? randomUUID(),
        },
        body,
      });
      statuses.push(r.status);
    }
    return statuses;
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, consumerKey, consumerSecret, ...store, requests, webhooks, issuedKeys, deliver,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startWooSim({ port: Number(process.argv[2] ?? 8089) }).then((s) => {
    console.log(`woo-sim at ${s.url} key=${s.consumerKey} secret=${s.consumerSecret}`);
  });
}
