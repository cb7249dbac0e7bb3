// The Klaviyo connector through the official klaviyo-api client, pointed by basePath at
// scripts/sims/klaviyo-sim.ts, which checks the auth header, the revision header and the
// JSON:API shape and answers Klaviyo's documented errors and batch limits.
import { randomBytes } from "node:crypto";
import { ApiKeySession, ProfilesApi, RetryWithExponentialBackoff } from "klaviyo-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sealSecret } from "../../../core/secrets/seal";
import { createKlaviyoChannel } from "../../../connectors/klaviyo/channel";
import { createKlaviyoClient, klaviyoClientFromSealed, retryDelayMs, type KlaviyoClient } from "../../../connectors/klaviyo/client";
import { klaviyoConsentChanges } from "../../../connectors/klaviyo/consent";
import { pushEvent, WINBACK_METRICS } from "../../../connectors/klaviyo/events";
import { importBatches, segmentListName, syncConsent, syncProfiles, syncSegmentList, type WinbackProfile } from "../../../connectors/klaviyo/sync";
import { startKlaviyoSim, type KlaviyoSim } from "../../../scripts/sims/klaviyo-sim";

let sim: KlaviyoSim;
let client: KlaviyoClient;
const sleeps: number[] = [];
const NOW = new Date("2026-11-23T12:00:00Z");

beforeAll(async () => {
  sim = await startKlaviyoSim();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.profiles.clear();
  sim.lists.clear();
  sim.events.length = 0;
  sim.requests.length = 0;
  sleeps.length = 0;
  client = createKlaviyoClient({ apiKey: sim.apiKey, basePath: sim.baseUrl, retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 } });
});

function person(i: number, over: Partial<WinbackProfile> = {}): WinbackProfile {
  return {
    customerId: String(1000 + i),
    email: `Customer${i}@Example.com`,
    phone: `+1212555${String(i).padStart(4, "0")}`,
    firstName: `First${i}`,
    lastName: "Last",
    city: "Brooklyn",
    country: "US",
    emailConsent: "unknown",
    emailConsentAt: null,
    smsConsent: "unknown",
    smsConsentAt: null,
    properties: { winback_stage: "dormant" },
    ...over,
  };
}

const snapshot = () =>
  JSON.stringify({
    profiles: [...sim.profiles.values()].sort((a, b) => a.id.localeCompare(b.id)),
    lists: [...sim.lists.values()].map((l) => ({ ...l, members: [...l.members].sort() })),
    events: sim.events.length,
  });

describe("the sim holds the official client to Klaviyo's contract", () => {
  it("refuses a wrong key with 401 in Klaviyo's error shape, without retrying", async () => {
    const bad = createKlaviyoClient({ apiKey: "pk_wrong", basePath: sim.baseUrl, retry: { sleep: async (ms) => void sleeps.push(ms) } });
    const r = await syncProfiles(bad, [person(1)]);
    expect(r).toMatchObject({ ok: false, error: { kind: "permanent", status: 401, code: "authentication_failed" } });
    expect(sleeps).toEqual([]);
    expect(sim.profiles.size).toBe(0);
  });

  it("refuses a request without the revision header", async () => {
    const session = new ApiKeySession(sim.apiKey, new RetryWithExponentialBackoff({ numRetries: 0 }));
    session.applyToRequest = (config) => {
      config.headers!.Authorization = `Klaviyo-API-Key ${sim.apiKey}`;
    };
    const api = new ProfilesApi(session);
    api.basePath = sim.baseUrl;
    const e = await api.getProfiles().catch((x: { response: { status: number; data: { errors: Array<{ code: string; source: { pointer: string } }> } } }) => x);
    expect(e.response.status).toBe(400);
    expect(e.response.data.errors[0]).toMatchObject({ code: "invalid", source: { pointer: "/headers/revision" } });
  });

  it("refuses a body that is not the endpoint's JSON:API resource, or not JSON", async () => {
    const wrongType = await client.call("event", () => client.events.createEvent({ data: { type: "profile", attributes: {} } } as never));
    expect(wrongType).toMatchObject({ ok: false, error: { kind: "permanent", status: 409, code: "conflict", pointer: "/data/type" } });
    const noMetric = await client.call("event", () => client.events.createEvent({ data: { type: "event", attributes: { properties: {}, profile: { data: { type: "profile", attributes: { email: "a@b.co" } } } } } } as never));
    expect(noMetric).toMatchObject({ ok: false, error: { status: 400, code: "invalid", pointer: "/data/attributes/metric" } });
    const form = await fetch(`${sim.baseUrl}/api/events`, { method: "POST", headers: { authorization: `Klaviyo-API-Key ${sim.apiKey}`, revision: "2026-07-15", "content-type": "application/x-www-form-urlencoded" }, body: "a=b" });
    expect(form.status).toBe(415);
    expect(((await form.json()) as { errors: Array<{ status: number }> }).errors[0].status).toBe(415);
    expect(sim.events).toHaveLength(0);
  });

  it("answers a batch over Klaviyo's documented limit with 400 naming the field", async () => {
    const r = await client.call("too many", () =>
      client.lists.addProfilesToList("NOPE", { data: Array.from({ length: 1001 }, (_, i) => ({ type: "profile" as const, id: String(i) })) }),
    );
    expect(r).toMatchObject({ ok: false, error: { status: 404 } }); // unknown list is checked first
    const list = await client.call("create", () => client.lists.createList({ data: { type: "list", attributes: { name: "x" } } }));
    expect(list.ok).toBe(true);
    const id = list.ok ? list.value.body.data.id : "";
    const r2 = await client.call("too many", () => client.lists.addProfilesToList(id, { data: Array.from({ length: 1001 }, (_, i) => ({ type: "profile" as const, id: String(i) })) }));
    expect(r2).toMatchObject({ ok: false, error: { kind: "permanent", status: 400, code: "invalid", pointer: "/data" } });
  });
});

describe("profiles", () => {
  it("imports profiles in bulk jobs and a re-sync changes nothing", async () => {
    const people = Array.from({ length: 25 }, (_, i) => person(i));
    const first = await syncProfiles(client, people);
    expect(first).toEqual({ ok: true, value: { jobs: 1, profiles: 25, skipped: 0 } });
    expect(sim.profiles.size).toBe(25);
    const p = sim.profileByEmail("customer3@example.com")!;
    expect(p).toMatchObject({ phone_number: "+12125550003", first_name: "First3", location: { city: "Brooklyn", country: "US" }, properties: { winback_customer_id: "1003", winback_stage: "dormant" } });
    const before = snapshot();
    expect((await syncProfiles(client, people)).ok).toBe(true);
    expect(snapshot()).toBe(before);
  });

  it("skips customers with neither email nor phone", async () => {
    const r = await syncProfiles(client, [person(1), person(2, { email: null, phone: null })]);
    expect(r).toEqual({ ok: true, value: { jobs: 1, profiles: 1, skipped: 1 } });
  });

  it("splits imports at 10,000 profiles and under 5 MB", () => {
    const many = Array.from({ length: 20_001 }, (_, i) => person(i));
    expect(importBatches(many).map((b) => b.length)).toEqual([10_000, 10_000, 1]);
    const fat = Array.from({ length: 100 }, (_, i) => person(i, { properties: { notes: "x".repeat(90_000) } }));
    const batches = importBatches(fat);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThan(5 * 1024 * 1024);
  });
});

describe("consent", () => {
  it("maps our consent states onto Klaviyo's subscription jobs", () => {
    const at = new Date("2025-01-01T00:00:00Z");
    const c = (emailConsent: string, smsConsent: string) =>
      klaviyoConsentChanges({ email: "a@b.co", phone: "+12125550000", emailConsent: emailConsent as never, emailConsentAt: at, smsConsent: smsConsent as never, smsConsentAt: null }, NOW);
    expect(c("subscribed", "unsubscribed")).toEqual([
      { channel: "email", action: "subscribe", consentedAt: at },
      { channel: "sms", action: "unsubscribe", consentedAt: null },
    ]);
    for (const state of ["pending", "not_subscribed", "unknown"]) expect(c(state, state)).toEqual([]);
    expect(klaviyoConsentChanges({ email: null, phone: null, emailConsent: "subscribed", emailConsentAt: at, smsConsent: "subscribed", smsConsentAt: at }, NOW)).toEqual([]);
  });

  it("subscribes and unsubscribes through bulk jobs within 1,000 / 100 per job, idempotently", async () => {
    const people = [
      ...Array.from({ length: 1200 }, (_, i) => person(i, { emailConsent: "subscribed", emailConsentAt: new Date("2025-05-01T00:00:00Z") })),
      ...Array.from({ length: 150 }, (_, i) => person(5000 + i, { emailConsent: "unsubscribed", smsConsent: "unsubscribed" })),
      person(9000, { smsConsent: "subscribed" }), // no consent time: a live subscribe
      person(9001, { emailConsent: "pending" }),
    ];
    const r = await syncConsent(client, people, NOW);
    expect(r).toEqual({ ok: true, value: { subscribeJobs: 3, unsubscribeJobs: 2, subscribed: 1201, unsubscribed: 150 } });
    expect(sim.profileByEmail("customer7@example.com")!.subscriptions).toEqual({ email: "SUBSCRIBED", sms: "NEVER_SUBSCRIBED" });
    expect(sim.profileByEmail("customer7@example.com")!.consentedAt.email).toBe("2025-05-01T00:00:00.000Z");
    expect(sim.profileByEmail("customer5003@example.com")!.subscriptions).toEqual({ email: "UNSUBSCRIBED", sms: "UNSUBSCRIBED" });
    expect(sim.profileByEmail("customer9000@example.com")).toBeUndefined(); // sms-only job identifies by phone
    expect([...sim.profiles.values()].find((p) => p.phone_number === "+12125559000")!.subscriptions.sms).toBe("SUBSCRIBED");
    expect(sim.profileByEmail("customer9001@example.com")).toBeUndefined();
    const before = snapshot();
    expect((await syncConsent(client, people, NOW)).ok).toBe(true);
    expect(snapshot()).toBe(before);
  });
});

describe("segment lists", () => {
  const segment = { id: "42", name: "Lapsed VIPs" };

  it("creates one list per segment, adds and removes members in batches, and an unchanged segment makes no writes", async () => {
    const people = Array.from({ length: 1500 }, (_, i) => person(i));
    expect((await syncProfiles(client, people)).ok).toBe(true);
    const members = people.slice(0, 1200).map((p) => ({ email: p.email, phone: p.phone }));
    const first = await syncSegmentList(client, segment, [...members, { email: "nobody@example.com" }]);
    expect(first).toMatchObject({ ok: true, value: { added: 1200, removed: 0, unchanged: 0, notInKlaviyo: 1 } });
    const list = sim.listByName(segmentListName(segment))!;
    expect(list.members.size).toBe(1200);
    const adds = sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("/relationships/profiles"));
    expect(adds).toHaveLength(2); // 1,000 + 200

    // Members leave and join.
    const next = people.slice(300, 1500).map((p) => ({ email: p.email }));
    const second = await syncSegmentList(client, segment, next);
    expect(second).toMatchObject({ ok: true, value: { added: 300, removed: 300, unchanged: 900, notInKlaviyo: 0 } });
    expect(list.members.size).toBe(1200);
    expect(list.members.has(sim.profileByEmail("customer0@example.com")!.id)).toBe(false);
    expect(list.members.has(sim.profileByEmail("customer1499@example.com")!.id)).toBe(true);

    // Re-sync: nothing written, not even a list.
    const writesBefore = sim.writes().length;
    const third = await syncSegmentList(client, segment, next);
    expect(third).toMatchObject({ ok: true, value: { added: 0, removed: 0, unchanged: 1200 } });
    expect(sim.writes().length).toBe(writesBefore);
    expect(sim.lists.size).toBe(1);
  });
});

describe("events and the Klaviyo channel", () => {
  it("pushes Winback events with properties, once per unique id", async () => {
    const e = {
      metric: WINBACK_METRICS.dormant,
      profile: { email: "ana@example.com" },
      properties: { days_since_last_order: 120, expected_gap_days: 45 },
      uniqueId: "dormant:1:1001:2026-11-23",
      time: NOW,
    };
    expect(await pushEvent(client, e)).toEqual({ ok: true, value: undefined });
    expect(await pushEvent(client, e)).toEqual({ ok: true, value: undefined });
    expect(sim.events).toHaveLength(1);
    expect(sim.events[0]).toMatchObject({ metric: "Winback Dormant", properties: { days_since_last_order: 120 }, uniqueId: e.uniqueId, time: NOW.toISOString() });
  });

  it("sends by pushing the flow's trigger event; a retry after a 429 waits Retry-After with jitter and is still one event", async () => {
    const channel = createKlaviyoChannel(client, { now: () => NOW });
    sim.throttleNext(2, 3);
    const r = await channel.send(
      { purpose: "promotional", metric: WINBACK_METRICS.offerIssued, profile: { email: "bo@example.com", phone: "+12125550099" }, properties: { code: "COMEBACK10", percent_off: 10 }, value: { minor: 1250, currency: "USD" } },
      "msg-77",
    );
    expect(r).toEqual({ ok: true, value: { providerMessageId: "klaviyo-event:msg-77" } });
    expect(sleeps).toHaveLength(2);
    for (const ms of sleeps) expect(ms).toBeGreaterThanOrEqual(3000);
    expect(sim.events).toHaveLength(1);
    expect(sim.events[0]).toMatchObject({ metric: "Winback Offer Issued", value: 12.5, valueCurrency: "USD", properties: { code: "COMEBACK10", purpose: "promotional" } });
    // The same key again (a journey retry) is not a second event.
    await channel.send({ purpose: "promotional", metric: WINBACK_METRICS.offerIssued, profile: { email: "bo@example.com" }, properties: { code: "COMEBACK10" } }, "msg-77");
    expect(sim.events).toHaveLength(1);
  });

  it("reports an outage that outlasts the retries as transient, and a bad request as permanent", async () => {
    const channel = createKlaviyoChannel(client, { now: () => NOW });
    sim.failNext(10, 503);
    const down = await channel.send({ purpose: "promotional", metric: "Winback Offer Issued", profile: { email: "cy@example.com" }, properties: {} }, "k1");
    expect(down).toMatchObject({ ok: false, error: { kind: "transient", code: "error" } });
    expect(sleeps).toHaveLength(4); // 5 attempts
    sim.failNext(0, 503);
    const bad = await channel.send({ purpose: "promotional", metric: "Winback Offer Issued", profile: { email: "not-an-email" }, properties: {} }, "k2");
    expect(bad).toMatchObject({ ok: false, error: { kind: "permanent", code: "invalid" } });
    const none = await channel.send({ purpose: "promotional", metric: "Winback Offer Issued", profile: {}, properties: {} }, "k3");
    expect(none).toMatchObject({ ok: false, error: { kind: "permanent", code: "no_identifier" } });
  });
});

describe("client", () => {
  it("is built from the shop's sealed private key", async () => {
    const key = randomBytes(32);
    const made = klaviyoClientFromSealed(sealSecret(JSON.stringify({ privateKey: sim.apiKey }), key), key, { basePath: sim.baseUrl });
    expect(made.ok).toBe(true);
    if (made.ok) expect((await syncProfiles(made.value, [person(1)])).ok).toBe(true);
    expect(klaviyoClientFromSealed(sealSecret(sim.apiKey, key), key).ok).toBe(true);
    expect(klaviyoClientFromSealed(sealSecret("not-a-key", key), key)).toEqual({ ok: false, error: "the Klaviyo private key must start with pk_" });
    expect(klaviyoClientFromSealed(sealSecret(sim.apiKey, key), randomBytes(32)).ok).toBe(false);
  });

  it("backs off exponentially with full jitter, capped, and honours Retry-After", () => {
    const p = { baseDelayMs: 500, maxDelayMs: 60_000 };
    expect(retryDelayMs({ ...p, random: () => 0.999 }, 1)).toBe(499);
    expect(retryDelayMs({ ...p, random: () => 0.999 }, 4)).toBe(3996);
    expect(retryDelayMs({ ...p, random: () => 0.999 }, 20)).toBeLessThanOrEqual(60_000);
    expect(retryDelayMs({ ...p, random: () => 0 }, 3)).toBe(0);
    expect(retryDelayMs({ ...p, random: () => 0 }, 1, 2000)).toBe(2000);
    expect(retryDelayMs({ ...p, random: () => 0.5 }, 1, 2000)).toBe(2125);
  });
});
