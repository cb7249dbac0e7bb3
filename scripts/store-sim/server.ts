// The store simulator: a local server speaking the Admin GraphQL contract for one generated
// shop. Every request is validated against Shopify's real 2026-10 schema; invalid ones get
// HTTP 200 with an `errors` array, as Shopify answers them. Cost-based throttle (leaky bucket,
// THROTTLED), bulk queries with JSONL result URLs, protected-field withholding, transient
// failures and signed webhook delivery on request.
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { execute, Kind, type DocumentNode, type OperationDefinitionNode } from "graphql";
import { ADMIN_API_VERSION } from "../../connectors/shopify/api-version";
import { runBulkQuery, type BulkResult } from "./bulk";
import type { SimStore } from "./store";
import type { ModelContext, Withhold } from "./model";
import { mutationRoot, queryRoot, type BulkOp, type SimState } from "./resolvers";
import { loadAdminSchema } from "./schema";
import { MAX_QUERY_COST, newBucket, PLAN_RESTORE, queryCost, take, throttleStatus, type Bucket } from "./throttle";
import { simCertificate } from "./tls";
import { bulkShape, parseAndValidate } from "./validate";
import { deliverWebhooks, type DeliveryOptions, type WebhookEvent } from "./webhooks";

export interface StoreSimOptions {
  store: SimStore;
  accessToken: string;
  /** HTTPS with a generated certificate (default when openssl is present). */
  https?: boolean;
  /** Listening port on 127.0.0.1 (default: any free one). */
  port?: number;
  bucket?: { maximumAvailable?: number; restoreRate?: number };
  withhold?: Withhold;
  /**
   * cacheResults: a bulk query already run (or warmed with warmBulk) on this unchanging store
   * completes from its saved result, so a benchmark times the importer, not the simulator's
   * GraphQL execution (Shopify's side of the work).
   */
  bulk?: { runningAfterMs?: number; completeAfterMs?: number; maxConcurrent?: number; cacheResults?: boolean };
  /** Where bulk_operations/finish and store webhooks go. */
  webhooks?: { url: string; secret: string };
}

export interface StoreSim {
  url: string;
  port: number;
  https: boolean;
  cert?: string;
  shop: string;
  state: SimState;
  bucket: Bucket;
  stats: { requests: number; throttled: number; invalid: number; failed: number; downloads: number };
  setWithhold(w: Withhold): void;
  /** Answer the next n GraphQL requests with HTTP 503 (transient outage). */
  failNext(n: number, status?: number): void;
  /** Break off the next n result downloads after `bytes` bytes (a dropped connection). */
  cutDownloads(n: number, bytes: number): void;
  /** Make every result URL expired (Shopify keeps results 7 days). */
  expireResults(): void;
  /** Runs a bulk query now and keeps its result for later operations (needs bulk.cacheResults). */
  warmBulk(query: string, groupObjects: boolean): Promise<void>;
  deliver(events: WebhookEvent[], opts?: Partial<DeliveryOptions>): ReturnType<typeof deliverWebhooks>;
  close(): Promise<void>;
}

/** Root records per slice of a bulk query's execution. */
const BULK_SLICE = 2_000;

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
};

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startStoreSim(o: StoreSimOptions): Promise<StoreSim> {
  // Generated customers stay out of production (Shopify's protected customer data rules).
  if (process.env.NODE_ENV === "production") throw new Error("the store simulator refuses to run when NODE_ENV=production");
  const schema = loadAdminSchema();
  const cert = o.https === false ? undefined : simCertificate();
  const useHttps = !!cert;
  let withhold: Withhold = { ...o.withhold };
  const restore = o.bucket?.restoreRate ?? PLAN_RESTORE[o.store.shop.plan];
  const bucket = newBucket(restore, o.bucket?.maximumAvailable ?? restore * 20);
  const stats = { requests: 0, throttled: 0, invalid: 0, failed: 0, downloads: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let failing = 0;
  const cut = { remaining: 0, bytes: 0 };
  let failStatus = 503;
  let nextBulkId = 1;
  let closed = false;
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => { timers.delete(t); f(); }, ms);
    timers.add(t);
  };
  const ctx = (bulk: boolean): ModelContext => ({ store: o.store, withhold, bulk });
  const bulkCache = new Map<string, BulkResult>();

  /** Runs a bulk query over the store (or takes the cached result); null when stopped midway. */
  async function bulkResult(query: string, document: DocumentNode, groupObjects: boolean, stopped: () => boolean): Promise<BulkResult | null> {
    const key = `${groupObjects}\n${query}`;
    const cached = o.bulk?.cacheResults ? bulkCache.get(key) : undefined;
    if (cached) return cached;
    // In slices of the store, yielding between them: a 20,000-customer demo store stays
    // responsive and its result tree never has to exist all at once.
    const parts: string[] = [];
    const total: BulkResult = { jsonl: "", objectCount: 0, rootObjectCount: 0, errors: [] };
    const store = o.store;
    const size = Math.max(store.customers.length, store.orders.length, store.products.length);
    for (let at = 0; at < size || at === 0; at += BULK_SLICE) {
      const slice = {
        ...store,
        customers: store.customers.slice(at, at + BULK_SLICE),
        orders: store.orders.slice(at, at + BULK_SLICE),
        products: store.products.slice(at, at + BULK_SLICE),
      };
      const r = await runBulkQuery(schema, document, queryRoot({ ...state, store: slice }, { ...ctx(true), store: slice }), undefined, groupObjects);
      parts.push(r.jsonl);
      total.objectCount += r.objectCount;
      total.rootObjectCount += r.rootObjectCount;
      await new Promise((resolve) => setImmediate(resolve));
      if (stopped()) return null;
    }
    total.jsonl = parts.join("");
    if (o.bulk?.cacheResults) bulkCache.set(key, total);
    return total;
  }

  const state: SimState = {
    store: o.store,
    bulkOps: [],
    discounts: [],
    bulkCreations: [],
    origin: "",
    maxConcurrentBulk: o.bulk?.maxConcurrent ?? 5,
    startBulk(query, groupObjects) {
      const parsed = parseAndValidate(schema, query);
      if (!parsed.ok) return { error: `Invalid bulk query: ${parsed.errors[0].message}`, code: "INVALID" };
      const shape = bulkShape(schema, parsed.document);
      if (shape.connections === 0) return { error: "Bulk queries must contain at least one connection.", code: "INVALID" };
      if (shape.connections > 5) return { error: "Queries that contain more than 5 connections are not supported.", code: "INVALID" };
      if (shape.depth > 2) return { error: "Queries that contain a connection nesting depth greater than 2 are not supported.", code: "INVALID" };
      const open = state.bulkOps.filter((b) => b.status === "CREATED" || b.status === "RUNNING").length;
      if (open >= state.maxConcurrentBulk) {
        return { error: `A maximum of ${state.maxConcurrentBulk} bulk query operations can run at the same time for this app and shop.`, code: "LIMIT_REACHED" };
      }
      const op: BulkOp = {
        id: nextBulkId++, query, groupObjects, status: "CREATED", createdAt: new Date().toISOString(),
        completedAt: null, objectCount: 0, rootObjectCount: 0, jsonl: null, errorCode: null, urlExpiresAt: null,
      };
      state.bulkOps.push(op);
      const runningAfter = o.bulk?.runningAfterMs ?? 20;
      later(runningAfter, () => {
        if (op.status !== "CREATED") return;
        op.status = "RUNNING";
        later(Math.max(0, (o.bulk?.completeAfterMs ?? 100) - runningAfter), async () => {
          const r = await bulkResult(query, parsed.document, groupObjects, () => closed || op.status !== "RUNNING");
          if (!r) return;
          op.objectCount = r.objectCount;
          op.rootObjectCount = r.rootObjectCount;
          op.jsonl = r.jsonl;
          op.status = "COMPLETED";
          op.completedAt = new Date().toISOString();
          op.urlExpiresAt = Date.now() + 7 * 86_400_000;
          if (o.webhooks) {
            await sim.deliver([{ topic: "bulk_operations/finish", payload: {
              admin_graphql_api_id: `gid://shopify/BulkOperation/${op.id}`, completed_at: op.completedAt,
              created_at: op.createdAt, error_code: null, status: "completed", type: "query",
            } }]).catch(() => undefined);
          }
        });
      });
      return op;
    },
  };

  async function graphql(req: http.IncomingMessage, res: http.ServerResponse) {
    stats.requests++;
    if (failing > 0) {
      failing--;
      stats.failed++;
      return json(res, failStatus, { errors: "Service Unavailable" });
    }
    if (req.headers["x-shopify-access-token"] !== o.accessToken) {
      return json(res, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    }
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return json(res, 400, { errors: { query: "Required parameter missing or invalid" } });
    }
    if (typeof body.query !== "string") return json(res, 400, { errors: { query: "Required parameter missing or invalid" } });
    const parsed = parseAndValidate(schema, body.query);
    if (!parsed.ok) {
      stats.invalid++;
      return json(res, 200, { errors: parsed.errors.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })) });
    }
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    const ops = parsed.document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const op = typeof body.operationName === "string" ? ops.find((d) => d.name?.value === body.operationName) : ops[0];
    if (!op) return json(res, 200, { errors: [{ message: "No operation named " + String(body.operationName) }] });
    const cost = queryCost(schema, parsed.document, op, variables);
    if (cost > MAX_QUERY_COST) {
      return json(res, 200, {
        errors: [{ message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`, extensions: { code: "MAX_COST_EXCEEDED", cost, maxCost: MAX_QUERY_COST } }],
      });
    }
    if (!take(bucket, cost, Date.now())) {
      stats.throttled++;
      return json(res, 200, {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: throttleStatus(bucket) } },
      });
    }
    const c = ctx(false);
    const rootValue = op.operation === "mutation" ? mutationRoot(state, c) : queryRoot(state, c);
    const result = await execute({ schema, document: parsed.document, rootValue, contextValue: c, variableValues: variables, operationName: op.name?.value });
    const out: Record<string, unknown> = { data: result.data ?? null };
    if (result.errors?.length) {
      out.errors = result.errors.map((e) => ({ message: e.message, locations: e.locations, path: e.path, extensions: e.extensions }));
    }
    out.extensions = { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: throttleStatus(bucket) } };
    json(res, 200, out);
  }

  function download(id: number, res: http.ServerResponse) {
    const op = state.bulkOps.find((b) => b.id === id);
    if (!op || op.jsonl == null) return json(res, 404, { error: "NoSuchKey" });
    if (op.urlExpiresAt !== null && Date.now() > op.urlExpiresAt) {
      res.writeHead(400, { "content-type": "application/xml" });
      return res.end("<?xml version='1.0' encoding='UTF-8'?><Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>");
    }
    stats.downloads++;
    res.writeHead(200, { "content-type": "application/jsonl", "content-length": String(Buffer.byteLength(op.jsonl)) });
    // Sent in chunks, as a large object store response arrives.
    const buf = Buffer.from(op.jsonl);
    const limit = cut.remaining > 0 && buf.length > cut.bytes ? (cut.remaining--, cut.bytes) : Infinity;
    let at = 0;
    const pump = () => {
      while (at < buf.length) {
        if (at >= limit) return void res.destroy();
        const more = res.write(buf.subarray(at, at + 65_536));
        at += 65_536;
        if (!more) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://sim");
    const host = String(req.headers["x-store-sim-shop"] ?? req.headers.host ?? "").replace(/:\d+$/, "");
    const gql = url.pathname.match(/^\/admin\/api\/([^/]+)\/graphql\.json$/);
    const bulk = url.pathname.match(/^\/bulk-results\/(\d+)\.jsonl$/);
    const run = async () => {
      if (req.method === "POST" && gql) {
        if (host !== o.store.shop.domain) return json(res, 404, { errors: "Not Found" });
        if (gql[1] !== ADMIN_API_VERSION) return json(res, 404, { errors: "Not Found" });
        return graphql(req, res);
      }
      if (req.method === "GET" && bulk) return download(Number(bulk[1]), res);
      json(res, 404, { errors: "Not Found" });
    };
    run().catch((e) => {
      if (!res.headersSent) json(res, 500, { errors: String(e) });
      else res.destroy();
    });
  };

  const server = cert ? https.createServer({ key: cert.key, cert: cert.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `${useHttps ? "https" : "http"}://127.0.0.1:${port}`;
  state.origin = url;

  const sim: StoreSim = {
    url, port, https: useHttps, cert: cert?.cert, shop: o.store.shop.domain, state, bucket, stats,
    setWithhold: (w) => { withhold = { ...w }; },
    failNext: (n, status = 503) => { failing = n; failStatus = status; },
    cutDownloads: (n, bytes) => { cut.remaining = n; cut.bytes = bytes; },
    expireResults: () => { for (const b of state.bulkOps) if (b.urlExpiresAt !== null) b.urlExpiresAt = Date.now() - 1; },
    warmBulk: async (query, groupObjects) => {
      if (!o.bulk?.cacheResults) throw new Error("store-sim: warmBulk needs bulk.cacheResults");
      const parsed = parseAndValidate(schema, query);
      if (!parsed.ok) throw new Error(`store-sim: invalid bulk query: ${parsed.errors[0].message}`);
      await bulkResult(query, parsed.document, groupObjects, () => closed);
    },
    deliver: (events, opts = {}) => {
      if (!o.webhooks && !opts.url) throw new Error("store-sim: no webhook url configured");
      return deliverWebhooks(events, {
        url: opts.url ?? o.webhooks!.url, secret: opts.secret ?? o.webhooks!.secret,
        shop: o.store.shop.domain, apiVersion: ADMIN_API_VERSION, ...opts,
      });
    },
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sim;
}


