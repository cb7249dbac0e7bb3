// The shop's Klaviyo client: the official klaviyo-api classes authenticated with the shop's
// private key (sealed in provider_credentials, core/secrets/seal.ts), every class pointed at
// `basePath` (Klaviyo's https://a.klaviyo.com unless a test or the demo points it at
// scripts/sims/klaviyo-sim.ts). The library's own retry is switched off; `call` retries
// instead: 429 after Retry-After (plus jitter), 5xx and network errors with exponential
// backoff and full jitter, a bounded number of times. Other 4xx are returned at once.
import { ApiKeySession, EventsApi, ListsApi, ProfilesApi, RetryWithExponentialBackoff } from "klaviyo-api";
import { err, ok, type Result } from "../../core/result";
import { openSecret } from "../../core/secrets/seal";

export const KLAVIYO_BASE_URL = "https://a.klaviyo.com";

export type KlaviyoError = {
  kind: "transient" | "permanent";
  /** HTTP status, 0 for a network error. */
  status: number;
  /** Klaviyo's error code (`throttled`, `invalid`, `not_found`, ...) when it sent one. */
  code?: string;
  message: string;
  /** Where in the request Klaviyo found the problem (JSON pointer). */
  pointer?: string;
};

export type RetryPolicy = {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected for tests; defaults to setTimeout and Math.random. */
  sleep: (ms: number) => Promise<void>;
  random: () => number;
};

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  random: Math.random,
};

export type KlaviyoClient = {
  profiles: ProfilesApi;
  events: EventsApi;
  lists: ListsApi;
  /** Runs one API call with the retry policy; expected failures come back as values. */
  call<T>(label: string, fn: () => Promise<T>): Promise<Result<T, KlaviyoError>>;
};

export type KlaviyoClientOptions = { apiKey: string; basePath?: string; retry?: Partial<RetryPolicy> };

type AxiosLikeError = Error & { code?: string; response?: { status: number; headers?: Record<string, unknown>; data?: unknown } };

export function classifyKlaviyoError(e: unknown): KlaviyoError & { retryAfterMs?: number } {
  const x = e as AxiosLikeError;
  const res = x?.response;
  if (!res) return { kind: "transient", status: 0, code: x?.code, message: x?.message ?? String(e) };
  const first = (res.data as { errors?: Array<{ code?: string; detail?: string; title?: string; source?: { pointer?: string } }> } | undefined)?.errors?.[0];
  const status = res.status;
  const transient = status === 429 || status === 408 || status >= 500;
  const retryAfterRaw = res.headers?.["retry-after"];
  const retryAfterSec = typeof retryAfterRaw === "string" || typeof retryAfterRaw === "number" ? Number(retryAfterRaw) : NaN;
  return {
    kind: transient ? "transient" : "permanent",
    status,
    code: first?.code,
    message: first?.detail ?? first?.title ?? `Klaviyo answered ${status}`,
    pointer: first?.source?.pointer,
    ...(Number.isFinite(retryAfterSec) && retryAfterSec >= 0 ? { retryAfterMs: retryAfterSec * 1000 } : {}),
  };
}

/** How long to wait before attempt `attempt + 1` (attempt counts from 1). */
export function retryDelayMs(policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs" | "random">, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) {
    // Klaviyo's window resets after Retry-After; spread the callers a little past it.
    return Math.min(policy.maxDelayMs, retryAfterMs + Math.floor(policy.random() * Math.max(250, retryAfterMs * 0.1)));
  }
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * cap); // full jitter
}

export function createKlaviyoClient(opts: KlaviyoClientOptions): KlaviyoClient {
  // numRetries 0: the library throws the first failure to us.
  const session = new ApiKeySession(opts.apiKey, new RetryWithExponentialBackoff({ numRetries: 0 }));
  const profiles = new ProfilesApi(session);
  const events = new EventsApi(session);
  const lists = new ListsApi(session);
  const basePath = (opts.basePath ?? KLAVIYO_BASE_URL).replace(/\/$/, "");
  for (const api of [profiles, events, lists]) api.basePath = basePath;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };

  return {
    profiles,
    events,
    lists,
    async call<T>(label: string, fn: () => Promise<T>): Promise<Result<T, KlaviyoError>> {
      for (let attempt = 1; ; attempt++) {
        try {
          return ok(await fn());
        } catch (e) {
          const failure = classifyKlaviyoError(e);
          if (failure.kind === "permanent" || attempt >= policy.maxAttempts) {
            const { retryAfterMs: _r, ...rest } = failure;
            return err({ ...rest, message: `${label}: ${rest.message}` });
          }
          await policy.sleep(retryDelayMs(policy, attempt, failure.retryAfterMs));
        }
      }
    },
  };
}

/**
 * The client for a shop from its provider_credentials row (provider 'klaviyo'): the sealed
 * secret is JSON `{"privateKey":"pk_..."}` (as the settings form seals it) or the bare key.
 */
export function klaviyoClientFromSealed(sealedSecret: string, encryptionKey: Buffer, opts: Omit<KlaviyoClientOptions, "apiKey"> = {}): Result<KlaviyoClient, string> {
  const opened = openSecret(sealedSecret, encryptionKey);
  if (!opened.ok) return err(opened.error);
  let apiKey = opened.value.trim();
  if (apiKey.startsWith("{")) {
    try {
      apiKey = String((JSON.parse(apiKey) as { privateKey?: unknown }).privateKey ?? "");
    } catch {
      return err("the sealed Klaviyo secret is not valid JSON");
    }
  }
  if (!/^pk_\w+$/.test(apiKey)) return err("the Klaviyo private key must start with pk_");
  return ok(createKlaviyoClient({ ...opts, apiKey }));
}
