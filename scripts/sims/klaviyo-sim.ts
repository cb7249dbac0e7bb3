// A local stand-in for Klaviyo's REST API (revision 2026-07-15, as klaviyo-api 23 sends),
// for the endpoints Winback uses, following the documented contract closely enough for the
// official client pointed at it with `basePath`:
//   - auth: `Authorization: Klaviyo-API-Key <private key>`; missing -> 401 not_authenticated,
//     wrong -> 401 authentication_failed;
//   - a `revision` header (YYYY-MM-DD, optional .pre/.beta suffix) on every request -> else 400;
//   - JSON:API bodies (`{ data: { type, attributes, relationships } }`), Content-Type
//     application/json or application/vnd.api+json (else 415), `type` checked per endpoint;
//   - errors in Klaviyo's shape `{ errors: [{ id, status, code, title, detail, source: { pointer } }] }`;
//   - documented batch limits: bulk import 10,000 profiles, bulk subscribe 1,000, bulk
//     unsubscribe 100, list add/remove 1,000 per call, page[size] <= 100 (lists: 10);
//   - rate limiting on demand: `throttleNext(n, retryAfterSeconds)` answers 429 (code
//     "throttled") with Retry-After; `failNext(n, status)` simulates an outage.
// Jobs (bulk import, subscribe, unsubscribe) are applied at once and answered 202.
//
// Endpoints: POST /api/profile-bulk-import-jobs, POST /api/profile-subscription-bulk-create-jobs,
// POST /api/profile-subscription-bulk-delete-jobs, POST /api/events, GET /api/profiles
// (filter any/equals on email, phone_number), GET|POST /api/lists (filter equals(name)),
// GET /api/lists/{id}/profiles, POST|DELETE /api/lists/{id}/relationships/profiles.
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type SimConsent = "SUBSCRIBED" | "UNSUBSCRIBED" | "NEVER_SUBSCRIBED";

export type SimProfile = {
  id: string;
  email: string | null;
  phone_number: string | null;
  external_id: string | null;
  first_name: string | null;
  last_name: string | null;
  location: Record<string, unknown> | null;
  properties: Record<string, unknown>;
  subscriptions: { email: SimConsent; sms: SimConsent };
  consentedAt: { email: string | null; sms: string | null };
};

export type SimEvent = { id: string; metric: string; profileId: string; properties: Record<string, unknown>; time: string; uniqueId: string; value: number | null; valueCurrency: string | null };
export type SimList = { id: string; name: string; members: Set<string> };
export type SimRequest = { method: string; path: string; status: number };

export type KlaviyoSim = {
  baseUrl: string;
  apiKey: string;
  profiles: Map<string, SimProfile>;
  lists: Map<string, SimList>;
  events: SimEvent[];
  requests: SimRequest[];
  profileByEmail(email: string): SimProfile | undefined;
  listByName(name: string): SimList | undefined;
  /** The next n requests get 429 with this Retry-After (seconds). */
  throttleNext(n: number, retryAfterSeconds: number): void;
  /** The next n requests get this status (an outage) instead of being processed. */
  failNext(n: number, status: number): void;
  /** Requests that changed something (POST/DELETE answered 2xx). */
  writes(): SimRequest[];
  close(): Promise<void>;
};

export const KLAVIYO_LIMITS = {
  bulkImportProfiles: 10_000,
  bulkSubscribeProfiles: 1_000,
  bulkUnsubscribeProfiles: 100,
  listMembersPerCall: 1_000,
  pageSize: 100,
  listsPageSize: 10,
} as const;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly pointer?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

const invalid = (detail: string, pointer: string) => new ApiError(400, "invalid", "Invalid input.", detail, pointer);

function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  res.writeHead(status, { "content-type": "application/vnd.api+json", ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: http.ServerResponse, e: ApiError) {
  send(res, e.status, { errors: [{ id: randomUUID(), status: e.status, code: e.code, title: e.title, detail: e.detail, source: { pointer: e.pointer ?? "/data/" }, links: {}, meta: {} }] }, e.headers);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function resource(body: unknown, type: string): { attributes: Obj; relationships: Obj } {
  if (!isObj(body) || !isObj(body.data)) throw invalid("The request body must be a JSON:API document with a `data` object.", "/data");
  if (body.data.type !== type) throw new ApiError(409, "conflict", "Conflict.", `Expected resource type '${type}', got '${String(body.data.type)}'.`, "/data/type");
  if (!isObj(body.data.attributes)) throw invalid("`attributes` is required.", "/data/attributes");
  return { attributes: body.data.attributes, relationships: isObj(body.data.relationships) ? body.data.relationships : {} };
}

function dataArray(v: unknown, pointer: string, max: number, what: string): Obj[] {
  if (!isObj(v) || !Array.isArray(v.data)) throw invalid(`${what} must be {"data": [...]}.`, pointer);
  if (v.data.length === 0) throw invalid(`At least one ${what} is required.`, `${pointer}/data`);
  if (v.data.length > max) throw invalid(`A maximum of ${max} ${what} may be provided per request; got ${v.data.length}.`, `${pointer}/data`);
  return v.data.map((d, i) => {
    if (!isObj(d)) throw invalid("Each item must be an object.", `${pointer}/data/${i}`);
    return d;
  });
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A Klaviyo filter: `equals(field,"v")` or `any(field,["a","b"])`. */
function parseFilter(raw: string | null): { op: string; field: string; values: string[] } | null {
  if (!raw) return null;
  const m = /^(equals|any|contains)\((\w+),(.*)\)$/s.exec(raw);
  if (!m) throw invalid(`Invalid filter: ${raw}`, "/filter");
  let value: unknown;
  try {
    value = JSON.parse(m[3]);
  } catch {
    throw invalid(`Invalid filter value: ${m[3]}`, "/filter");
  }
  const values = Array.isArray(value) ? value : [value];
  if (m[1] === "any" && !Array.isArray(value)) throw invalid("`any` takes a list.", "/filter");
  if (!values.every((v) => typeof v === "string")) throw invalid("Filter values must be strings.", "/filter");
  return { op: m[1], field: m[2], values: values as string[] };
}

export async function startKlaviyoSim(opts: { apiKey?: string } = {}): Promise<KlaviyoSim> {
  const apiKey = opts.apiKey ?? `pk_${randomBytes(16).toString("hex")}`;
  const profiles = new Map<string, SimProfile>();
  const lists = new Map<string, SimList>();
  const events: SimEvent[] = [];
  const requests: SimRequest[] = [];
  const eventKeys = new Set<string>();
  let throttle = { n: 0, retryAfter: 1 };
  let outage = { n: 0, status: 503 };

  const newId = () => randomBytes(13).toString("base64url").replace(/[-_]/g, "A").slice(0, 26).toUpperCase();
  const byEmail = (email: string) => [...profiles.values()].find((p) => p.email === email.toLowerCase());
  const byPhone = (phone: string) => [...profiles.values()].find((p) => p.phone_number === phone);

  /** Klaviyo's identity resolution, simplified: email first, then phone, else a new profile. */
  function findOrCreate(attrs: Obj, pointer: string): SimProfile {
    const email = str(attrs.email)?.toLowerCase() ?? null;
    const phone = str(attrs.phone_number);
    const externalId = str(attrs.external_id);
    if (!email && !phone && !externalId) throw invalid("One of `email`, `phone_number` or `external_id` is required.", pointer);
    if (email && !EMAIL.test(email)) throw invalid(`Invalid email address: ${email}`, `${pointer}/email`);
    if (phone && !E164.test(phone)) throw invalid(`Invalid phone number format (expected E.164): ${phone}`, `${pointer}/phone_number`);
    const found = (email && byEmail(email)) || (phone && byPhone(phone)) || (externalId && [...profiles.values()].find((p) => p.external_id === externalId));
    if (found) {
      if (email) found.email = email;
      if (phone) found.phone_number = phone;
      return found;
    }
    const p: SimProfile = {
      id: newId(),
      email,
      phone_number: phone,
      external_id: externalId,
      first_name: null,
      last_name: null,
      location: null,
      properties: {},
      subscriptions: { email: "NEVER_SUBSCRIBED", sms: "NEVER_SUBSCRIBED" },
      consentedAt: { email: null, sms: null },
    };
    profiles.set(p.id, p);
    return p;
  }

  function upsertProfile(attrs: Obj, pointer: string): SimProfile {
    const p = findOrCreate(attrs, pointer);
    // A field left out is kept; null clears it (documented for profile upserts).
    for (const k of ["external_id", "first_name", "last_name"] as const) if (k in attrs) p[k] = str(attrs[k]);
    if ("location" in attrs) p.location = isObj(attrs.location) ? { ...(p.location ?? {}), ...attrs.location } : null;
    if (isObj(attrs.properties)) p.properties = { ...p.properties, ...attrs.properties };
    return p;
  }

  const profileJson = (p: SimProfile) => ({
    type: "profile",
    id: p.id,
    attributes: { email: p.email, phone_number: p.phone_number, external_id: p.external_id, first_name: p.first_name, last_name: p.last_name, location: p.location, properties: p.properties },
    links: { self: `/api/profiles/${p.id}/` },
  });

  function page<T>(items: T[], url: URL, max: number, path: string): { data: T[]; links: Obj } {
    const size = Number(url.searchParams.get("page[size]") ?? String(Math.min(20, max)));
    if (!Number.isInteger(size) || size < 1 || size > max) throw invalid(`page[size] must be between 1 and ${max}.`, "/page[size]");
    const start = Number(url.searchParams.get("page[cursor]") ?? "0") || 0;
    const next = start + size < items.length ? `${base}${path}?page[cursor]=${start + size}&page[size]=${size}` : null;
    return { data: items.slice(start, start + size), links: { self: `${base}${path}`, next, prev: null } };
  }

  function listFor(id: string): SimList {
    const l = lists.get(id);
    if (!l) throw new ApiError(404, "not_found", "Not found.", `A list with id ${id} does not exist.`, "/data/id");
    return l;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string, url: URL): Promise<number> {
    // Auth and revision come first, as on Klaviyo.
    const auth = req.headers.authorization ?? "";
    if (!auth) throw new ApiError(401, "not_authenticated", "Authentication credentials were not provided.", "Missing `Authorization` header.", "/data/");
    const m = /^Klaviyo-API-Key (\S+)$/.exec(auth);
    if (!m || m[1] !== apiKey) throw new ApiError(401, "authentication_failed", "Incorrect authentication credentials.", "The private API key is missing or invalid.", "/data/");
    const revision = req.headers.revision;
    if (typeof revision !== "string" || !/^\d{4}-\d{2}-\d{2}(\.(pre|beta))?$/.test(revision)) {
      throw new ApiError(400, "invalid", "Invalid input.", "A valid `revision` header (YYYY-MM-DD) is required.", "/headers/revision");
    }
    let body: unknown = undefined;
    if (req.method === "POST" || req.method === "PATCH" || req.method === "DELETE") {
      const ct = (req.headers["content-type"] ?? "").split(";")[0].trim();
      if (ct !== "application/json" && ct !== "application/vnd.api+json") throw new ApiError(415, "unsupported_media_type", "Unsupported media type.", `Unsupported media type "${ct}" in request.`, "/data/");
      try {
        body = JSON.parse(rawBody);
      } catch {
        throw new ApiError(400, "parse_error", "Malformed request.", "JSON parse error.", "/data/");
      }
    }

    const path = url.pathname.replace(/\/$/, "");
    const method = req.method ?? "GET";

    if (method === "POST" && path === "/api/profile-bulk-import-jobs") {
      const { attributes, relationships } = resource(body, "profile-bulk-import-job");
      const items = dataArray(attributes.profiles, "/data/attributes/profiles", KLAVIYO_LIMITS.bulkImportProfiles, "profiles");
      if (rawBody.length > 5 * 1024 * 1024) throw new ApiError(413, "request_too_large", "Request too large.", "The maximum payload size is 5MB.", "/data/");
      const listIds = isObj(relationships.lists) && Array.isArray(relationships.lists.data) ? (relationships.lists.data as Obj[]).map((l) => String(l.id)) : [];
      for (const id of listIds) listFor(id);
      // Validate everything before applying anything.
      items.forEach((p, i) => {
        if (p.type !== "profile") throw new ApiError(409, "conflict", "Conflict.", "Expected resource type 'profile'.", `/data/attributes/profiles/data/${i}/type`);
        if (!isObj(p.attributes)) throw invalid("`attributes` is required.", `/data/attributes/profiles/data/${i}/attributes`);
      });
      const imported = items.map((p, i) => upsertProfile(p.attributes as Obj, `/data/attributes/profiles/data/${i}/attributes`));
      for (const id of listIds) for (const p of imported) listFor(id).members.add(p.id);
      const now = new Date().toISOString();
      send(res, 202, {
        data: {
          type: "profile-bulk-import-job",
          id: newId(),
          attributes: { status: "complete", created_at: now, total_count: items.length, completed_count: items.length, failed_count: 0, completed_at: now, expires_at: null, started_at: now },
          links: { self: `${base}/api/profile-bulk-import-jobs/x/` },
        },
      });
      return 202;
    }

    if (method === "POST" && (path === "/api/profile-subscription-bulk-create-jobs" || path === "/api/profile-subscription-bulk-delete-jobs")) {
      const subscribe = path.endsWith("create-jobs");
      const { attributes, relationships } = resource(body, subscribe ? "profile-subscription-bulk-create-job" : "profile-subscription-bulk-delete-job");
      const items = dataArray(attributes.profiles, "/data/attributes/profiles", subscribe ? KLAVIYO_LIMITS.bulkSubscribeProfiles : KLAVIYO_LIMITS.bulkUnsubscribeProfiles, "profiles");
      const listId = isObj(relationships.list) && isObj(relationships.list.data) ? String(relationships.list.data.id) : null;
      if (listId) listFor(listId);
      const historical = attributes.historical_import === true;
      const changes = items.map((p, i) => {
        const pointer = `/data/attributes/profiles/data/${i}`;
        if (p.type !== "profile") throw new ApiError(409, "conflict", "Conflict.", "Expected resource type 'profile'.", `${pointer}/type`);
        const a = isObj(p.attributes) ? p.attributes : {};
        if (!isObj(a.subscriptions)) throw invalid("`subscriptions` is required.", `${pointer}/attributes/subscriptions`);
        const subs = a.subscriptions;
        const channels: Array<{ channel: "email" | "sms"; consentedAt: string | null }> = [];
        for (const channel of ["email", "sms"] as const) {
          const c = subs[channel];
          if (c === undefined) continue;
          if (!isObj(c) || !isObj(c.marketing)) throw invalid(`subscriptions.${channel}.marketing is required.`, `${pointer}/attributes/subscriptions/${channel}`);
          const want = subscribe ? "SUBSCRIBED" : "UNSUBSCRIBED";
          if (c.marketing.consent !== want) throw invalid(`subscriptions.${channel}.marketing.consent must be "${want}".`, `${pointer}/attributes/subscriptions/${channel}/marketing/consent`);
          if (channel === "email" && !str(a.email)) throw invalid("`email` is required to change email consent.", `${pointer}/attributes/email`);
          if (channel === "sms" && !str(a.phone_number)) throw invalid("`phone_number` is required to change SMS consent.", `${pointer}/attributes/phone_number`);
          const consentedAt = str(c.marketing.consented_at);
          if (subscribe && historical) {
            if (!consentedAt) throw invalid("`consented_at` is required when `historical_import` is true.", `${pointer}/attributes/subscriptions/${channel}/marketing/consented_at`);
            if (Date.parse(consentedAt) > Date.now()) throw invalid("`consented_at` must be in the past.", `${pointer}/attributes/subscriptions/${channel}/marketing/consented_at`);
          }
          channels.push({ channel, consentedAt });
        }
        if (!channels.length) throw invalid("At least one channel is required in `subscriptions`.", `${pointer}/attributes/subscriptions`);
        return { attrs: a, channels, pointer };
      });
      for (const { attrs, channels, pointer } of changes) {
        const p = findOrCreate({ email: attrs.email, phone_number: attrs.phone_number }, `${pointer}/attributes`);
        for (const { channel, consentedAt } of channels) {
          p.subscriptions[channel] = subscribe ? "SUBSCRIBED" : "UNSUBSCRIBED";
          p.consentedAt[channel] = subscribe ? (consentedAt ?? p.consentedAt[channel] ?? new Date().toISOString()) : p.consentedAt[channel];
        }
        if (listId) (subscribe ? listFor(listId).members.add(p.id) : listFor(listId).members.delete(p.id));
      }
      send(res, 202);
      return 202;
    }

    if (method === "POST" && path === "/api/events") {
      const { attributes } = resource(body, "event");
      if (!isObj(attributes.properties)) throw invalid("`properties` is required.", "/data/attributes/properties");
      const metric = isObj(attributes.metric) && isObj(attributes.metric.data) ? attributes.metric.data : null;
      if (!metric || metric.type !== "metric" || !isObj(metric.attributes) || !str(metric.attributes.name)) throw invalid("metric.data with type 'metric' and a `name` is required.", "/data/attributes/metric");
      const prof = isObj(attributes.profile) && isObj(attributes.profile.data) ? attributes.profile.data : null;
      if (!prof || prof.type !== "profile" || !isObj(prof.attributes)) throw invalid("profile.data with type 'profile' is required.", "/data/attributes/profile");
      const time = str(attributes.time) ?? new Date().toISOString();
      if (Number.isNaN(Date.parse(time))) throw invalid("`time` must be an ISO 8601 datetime.", "/data/attributes/time");
      if (Object.keys(attributes.properties).length > 400) throw invalid("Too many event properties.", "/data/attributes/properties");
      const profile = upsertProfile(prof.attributes, "/data/attributes/profile/data/attributes");
      const name = str(metric.attributes.name)!;
      const uniqueId = str(attributes.unique_id) ?? randomUUID();
      // Klaviyo keeps one event per (metric, profile, unique_id): a retried event is not doubled.
      const key = `${name}\u0000${profile.id}\u0000${uniqueId}`;
      if (!eventKeys.has(key)) {
        eventKeys.add(key);
        events.push({ id: newId(), metric: name, profileId: profile.id, properties: attributes.properties, time, uniqueId, value: typeof attributes.value === "number" ? attributes.value : null, valueCurrency: str(attributes.value_currency) });
      }
      send(res, 202);
      return 202;
    }

    if (method === "GET" && path === "/api/profiles") {
      const f = parseFilter(url.searchParams.get("filter"));
      let items = [...profiles.values()];
      if (f) {
        if (!["email", "phone_number", "external_id", "id"].includes(f.field) || f.op === "contains") throw invalid(`Filter on ${f.field} with ${f.op} is not supported.`, "/filter");
        if (f.values.length > 100) throw invalid("`any` accepts at most 100 values.", "/filter");
        const wanted = new Set(f.field === "email" ? f.values.map((v) => v.toLowerCase()) : f.values);
        items = items.filter((p) => wanted.has(String((p as unknown as Obj)[f.field] ?? "")));
      }
      send(res, 200, page(items.map(profileJson), url, KLAVIYO_LIMITS.pageSize, path));
      return 200;
    }

    if (path === "/api/lists" && method === "GET") {
      const f = parseFilter(url.searchParams.get("filter"));
      let items = [...lists.values()];
      if (f) {
        if (f.field !== "name" && f.field !== "id") throw invalid(`Filter on ${f.field} is not supported.`, "/filter");
        items = items.filter((l) => (f.field === "name" ? f.values.includes(l.name) : f.values.includes(l.id)));
      }
      send(res, 200, page(items.map((l) => ({ type: "list", id: l.id, attributes: { name: l.name, opt_in_process: "single_opt_in" } })), url, KLAVIYO_LIMITS.listsPageSize, path));
      return 200;
    }
    if (path === "/api/lists" && method === "POST") {
      const { attributes } = resource(body, "list");
      const name = str(attributes.name);
      if (!name) throw invalid("`name` is required.", "/data/attributes/name");
      const l: SimList = { id: randomBytes(4).toString("hex").slice(0, 6).toUpperCase(), name, members: new Set() };
      lists.set(l.id, l);
      send(res, 201, { data: { type: "list", id: l.id, attributes: { name, opt_in_process: "single_opt_in" } } });
      return 201;
    }
    const listProfiles = /^\/api\/lists\/([^/]+)\/profiles$/.exec(path);
    if (listProfiles && method === "GET") {
      const l = listFor(listProfiles[1]);
      const items = [...l.members].map((id) => profiles.get(id)!).filter(Boolean);
      send(res, 200, page(items.map(profileJson), url, KLAVIYO_LIMITS.pageSize, path));
      return 200;
    }
    const rel = /^\/api\/lists\/([^/]+)\/relationships\/profiles$/.exec(path);
    if (rel && (method === "POST" || method === "DELETE")) {
      const l = listFor(rel[1]);
      const items = dataArray(body, "", KLAVIYO_LIMITS.listMembersPerCall, "profiles");
      const ids = items.map((d, i) => {
        if (d.type !== "profile") throw new ApiError(409, "conflict", "Conflict.", "Expected resource type 'profile'.", `/data/${i}/type`);
        const id = str(d.id);
        if (!id || !profiles.has(id)) throw new ApiError(404, "not_found", "Not found.", `A profile with id ${String(d.id)} does not exist.`, `/data/${i}/id`);
        return id;
      });
      for (const id of ids) (method === "POST" ? l.members.add(id) : l.members.delete(id));
      send(res, 204);
      return 204;
    }
    throw new ApiError(404, "not_found", "Not found.", `No route for ${method} ${path}.`, "/");
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", base);
      const record = (status: number) => requests.push({ method: req.method ?? "GET", path: url.pathname, status });
      if (throttle.n > 0) {
        throttle.n -= 1;
        const e = new ApiError(429, "throttled", "Request was throttled.", `Request was throttled. Expected available in ${throttle.retryAfter} seconds.`, "/data/", { "retry-after": String(throttle.retryAfter) });
        record(429);
        return sendError(res, e);
      }
      if (outage.n > 0) {
        outage.n -= 1;
        record(outage.status);
        return sendError(res, new ApiError(outage.status, "error", "A server error occurred.", "Service unavailable.", "/data/"));
      }
      handle(req, res, Buffer.concat(chunks).toString("utf8"), url)
        .then((status) => record(status))
        .catch((e: unknown) => {
          const err = e instanceof ApiError ? e : new ApiError(500, "error", "A server error occurred.", String(e), "/data/");
          record(err.status);
          sendError(res, err);
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: base,
    apiKey,
    profiles,
    lists,
    events,
    requests,
    profileByEmail: (email) => byEmail(email),
    listByName: (name) => [...lists.values()].find((l) => l.name === name),
    throttleNext(n, retryAfterSeconds) {
      throttle = { n, retryAfter: retryAfterSeconds };
    },
    failNext(n, status) {
      outage = { n, status };
    },
    writes: () => requests.filter((r) => (r.method === "POST" || r.method === "DELETE") && r.status < 300),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
