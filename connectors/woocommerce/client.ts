// REST v3 client over @woocommerce/woocommerce-rest-api: OAuth 1.0a over http, basic auth over
// https (both done by the library), pages of 100 following X-WP-TotalPages.
import WooCommerceRestApiModule from "@woocommerce/woocommerce-rest-api";
import { err, ok, type Result } from "../../core/result";

export interface WooCredentials {
  url: string;
  consumerKey: string;
  consumerSecret: string;
}

export interface WooPage<T> {
  items: T[];
  page: number;
  total: number;
  totalPages: number;
}

export interface WooClient {
  get(endpoint: string, params?: Record<string, string | number>): Promise<{ data: unknown; headers: Record<string, string> }>;
  post(endpoint: string, body: Record<string, unknown>): Promise<{ data: unknown; headers: Record<string, string> }>;
  put(endpoint: string, body: Record<string, unknown>): Promise<{ data: unknown; headers: Record<string, string> }>;
  delete(endpoint: string, params?: Record<string, string | number | boolean>): Promise<{ data: unknown; headers: Record<string, string> }>;
}

/** A WooCommerce error as a value: the store's {code, message, data.status}, or the transport's. */
export interface WooError {
  status?: number;
  code: string;
  message: string;
}

// Node's ESM loader reads the package's CommonJS build, where the class sits on `.default`.
const WooCommerceRestApi = ((WooCommerceRestApiModule as unknown as { default?: unknown }).default ??
  WooCommerceRestApiModule) as typeof WooCommerceRestApiModule;

export function createWooClient(creds: WooCredentials, timeoutMs = 30_000): WooClient {
  const api = new WooCommerceRestApi({ ...creds, version: "wc/v3", timeout: timeoutMs });
  return {
    async get(endpoint, params = {}) {
      const res = await api.get(endpoint, params);
      return { data: res.data, headers: res.headers as Record<string, string> };
    },
    async post(endpoint, body) {
      const res = await api.post(endpoint, body);
      return { data: res.data, headers: res.headers as Record<string, string> };
    },
    async put(endpoint, body) {
      const res = await api.put(endpoint, body);
      return { data: res.data, headers: res.headers as Record<string, string> };
    },
    async delete(endpoint, params = {}) {
      const res = await api.delete(endpoint, params);
      return { data: res.data, headers: res.headers as Record<string, string> };
    },
  };
}

export function toWooError(e: unknown): WooError {
  const r = (e as { response?: { status?: number; data?: { code?: string; message?: string } } }).response;
  if (r) return { status: r.status, code: r.data?.code ?? "http_error", message: r.data?.message ?? `HTTP ${r.status}` };
  return { code: "network_error", message: e instanceof Error ? e.message : String(e) };
}

/** Connect by keys: one authenticated test call proves the URL and keys before they are stored. */
export async function connectWoo(creds: WooCredentials): Promise<Result<{ client: WooClient; currency?: string }, WooError>> {
  const client = createWooClient(creds);
  try {
    const { data } = await client.get("system_status");
    const currency = (data as { settings?: { currency?: string } })?.settings?.currency;
    return ok({ client, currency });
  } catch (e) {
    return err(toWooError(e));
  }
}

/** Every page of a collection, 100 at a time, following the store's page count. */
export async function* wooPages<T>(
  client: WooClient,
  endpoint: "customers" | "orders",
  params: Record<string, string | number> = {},
): AsyncGenerator<WooPage<T>> {
  let page = 1;
  let totalPages = 1;
  do {
    const res = await client.get(endpoint, { ...params, per_page: 100, page, orderby: "id", order: "asc" });
    totalPages = Number(res.headers["x-wp-totalpages"] ?? 1);
    const total = Number(res.headers["x-wp-total"] ?? 0);
    yield { items: res.data as T[], page, total, totalPages };
    page++;
  } while (page <= totalPages);
}

/** The topics Winback subscribes to on connect. */
export const WOO_WEBHOOK_TOPICS = ["customer.created", "customer.updated", "order.created", "order.updated"] as const;

/** Create the webhooks (POST /webhooks) that deliver to `deliveryUrl`, signed with `secret`. */
export async function createWooWebhooks(client: WooClient, deliveryUrl: string, secret: string): Promise<Result<number[], WooError>> {
  const ids: number[] = [];
  try {
    for (const topic of WOO_WEBHOOK_TOPICS) {
      const { data } = await client.post("webhooks", { name: `Winback ${topic}`, topic, delivery_url: deliveryUrl, secret, status: "active" });
      ids.push(Number((data as { id: number }).id));
    }
    return ok(ids);
  } catch (e) {
    return err(toWooError(e));
  }
}

/** Delete webhooks created by an earlier connection; one already gone is not an error. */
export async function deleteWooWebhooks(client: WooClient, ids: number[]): Promise<void> {
  for (const id of ids) {
    try {
      await client.delete(`webhooks/${id}`, { force: true });
    } catch (e) {
      if (toWooError(e).status !== 404) throw e;
    }
  }
}
