// Admin GraphQL through the official @shopify/shopify-api client, with Shopify's cost-based
// throttle honoured (wait for points before a query and after THROTTLED) and transient
// failures (5xx, 429, network) retried with jittered backoff. Protected customer data: a 200
// with data and ACCESS_DENIED errors is a success carrying the errors, so callers can mark the
// withheld fields unavailable.
import "@shopify/shopify-api/adapters/node";
import {
  GraphqlQueryError, HttpInternalError, HttpRequestError, HttpResponseError, HttpThrottlingError,
  LogSeverity, Session, shopifyApi, type Shopify,
} from "@shopify/shopify-api";
import { err, ok, type Result } from "../../core/result";
import { ADMIN_API_VERSION } from "./api-version";
import { backoff, waitFor, type ThrottleSnapshot, type ThrottleStatus } from "./throttle";

export interface ShopSession { shop: string; accessToken: string }

export interface GraphqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [k: string]: unknown };
}

export interface GraphqlResponse<T> {
  data: T;
  /** Non-fatal errors that came with data, e.g. ACCESS_DENIED on protected fields. */
  errors: GraphqlError[];
  cost?: { requestedQueryCost?: number; actualQueryCost?: number | null; throttleStatus?: ThrottleStatus };
}

export type ClientError =
  | { kind: "graphql"; errors: GraphqlError[] }
  | { kind: "http"; status: number; message: string }
  | { kind: "retries-exhausted"; attempts: number; last: string };

export interface AdminGraphql {
  shop: string;
  request<T>(query: string, variables?: Record<string, unknown>): Promise<Result<GraphqlResponse<T>, ClientError>>;
}

export interface ClientOptions {
  /** An app's configured shopifyApi instance; a minimal one is made otherwise. */
  api?: Shopify;
  maxRetries?: number;
  /** Give up waiting for throttle points after this many THROTTLED answers in a row. */
  maxThrottled?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  onWait?: (why: "throttle" | "transient", ms: number) => void;
}

let defaultApi: Shopify | undefined;

/** Admin requests only need the session's token; the app key is not sent. */
function minimalApi(): Shopify {
  defaultApi ??= shopifyApi({
    apiKey: "winback-connector",
    apiSecretKey: "not-used-for-admin-graphql",
    hostName: "localhost",
    apiVersion: ADMIN_API_VERSION,
    isEmbeddedApp: false,
    logger: { level: LogSeverity.Error },
  });
  return defaultApi;
}

const sleeper = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Body = { data?: unknown; errors?: { graphQLErrors?: GraphqlError[] }; extensions?: { cost?: GraphqlResponse<unknown>["cost"] } };

export function createAdminGraphql(session: ShopSession, o: ClientOptions = {}): AdminGraphql {
  const api = o.api ?? minimalApi();
  const s = new Session({ id: `offline_${session.shop}`, shop: session.shop, state: "", isOnline: false, accessToken: session.accessToken });
  const client = new api.clients.Graphql({ session: s });
  const sleep = o.sleep ?? sleeper;
  const random = o.random ?? Math.random;
  const now = o.now ?? Date.now;
  const maxRetries = o.maxRetries ?? 6;
  const maxThrottled = o.maxThrottled ?? 50;
  let bucket: ThrottleSnapshot | undefined;
  // Last cost seen per query text, to wait before sending rather than be refused.
  const costs = new Map<string, number>();

  const remember = (cost: GraphqlResponse<unknown>["cost"]) => {
    if (cost?.throttleStatus) bucket = { ...cost.throttleStatus, at: now() };
  };

  async function request<T>(query: string, variables?: Record<string, unknown>): Promise<Result<GraphqlResponse<T>, ClientError>> {
    let transient = 0;
    let throttled = 0;
    let last = "";
    for (;;) {
      const expected = costs.get(query);
      if (bucket && expected !== undefined) {
        const ms = waitFor(bucket, expected, now());
        if (ms > 0) { o.onWait?.("throttle", ms); await sleep(ms); }
      }
      let body: Body;
      try {
        const res = await client.request(query, { variables });
        body = res as Body;
      } catch (e) {
        if (e instanceof GraphqlQueryError) {
          body = e.body as Body;
        } else if (e instanceof HttpInternalError || e instanceof HttpThrottlingError || e instanceof HttpRequestError) {
          last = e.message.split("\n")[0];
          if (transient >= maxRetries) return err({ kind: "retries-exhausted", attempts: transient + 1, last });
          const retryAfter = e instanceof HttpThrottlingError ? (e.response.retryAfter ?? 0) * 1000 : 0;
          const ms = Math.max(retryAfter, backoff(transient++, random()));
          o.onWait?.("transient", ms);
          await sleep(ms);
          continue;
        } else if (e instanceof HttpResponseError) {
          return err({ kind: "http", status: e.response.code, message: e.message.split("\n")[0] });
        } else {
          throw e;
        }
      }
      const cost = body.extensions?.cost;
      remember(cost);
      if (cost?.requestedQueryCost) costs.set(query, cost.requestedQueryCost);
      const errors = body.errors?.graphQLErrors ?? [];
      if (errors.some((x) => x.extensions?.code === "THROTTLED")) {
        if (throttled++ >= maxThrottled) return err({ kind: "retries-exhausted", attempts: throttled, last: "THROTTLED" });
        const need = cost?.requestedQueryCost ?? expected ?? 50;
        const ms = bucket ? Math.max(50, waitFor(bucket, need, now())) : backoff(throttled, random(), 500);
        o.onWait?.("throttle", ms);
        await sleep(ms);
        continue;
      }
      if (body.data == null) return err({ kind: "graphql", errors });
      return ok({ data: body.data as T, errors, cost });
    }
  }

  return { shop: session.shop, request };
}

/** Fields withheld for protected customer data: the last path segment of ACCESS_DENIED errors. */
export function withheldFields(errors: readonly GraphqlError[]): Set<string> {
  const out = new Set<string>();
  for (const e of errors) {
    if (e.extensions?.code !== "ACCESS_DENIED" || !e.path?.length) continue;
    out.add(String(e.path[e.path.length - 1]));
  }
  return out;
}
