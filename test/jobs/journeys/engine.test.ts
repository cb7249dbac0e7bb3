// The journey engine's shell against real PostgreSQL (queue on the PostgreSQL backend, jobs
// only enqueued here: the tests call the engine directly, on a controlled clock).
import { describe, expect, it } from "vitest";
import type { JourneyInput } from "../../../core/journeys/schema";
import { handleJourneyEvent } from "../../../jobs/journeys/events";
import { pauseJourneys, resumeJourneys } from "../../../jobs/journeys/pause";
import { processMessage } from "../../../jobs/journeys/send";
import { processEnrollment } from "../../../jobs/journeys/step";
import { sweepJourneys } from "../../../jobs/journeys/sweeper";
import type { JourneyDeps } from "../../../jobs/journeys/types";
import { sinkChannel } from "../../helpers/journey-sink";
import { engineTestServices, insertCustomers, insertEvents, insertTreatedCustomers, journeyShop, OPEN_GOVERNANCE, publish, TEST_HOLDOUT, twoSendJourney } from "./fixtures";

const { db, qs, sink } = await engineTestServices("jeng");

function deps(over: Partial<JourneyDeps> = {}): JourneyDeps {
  const ch = sinkChannel(sink.url);
  return { db: db.pool, qs, channels: { email: ch, sms: ch, push: ch }, retry: { attempts: 2, backoffMs: 1 }, ...over };
}

const sentTo = (customerId: string) => [...sink.bodies.values()].filter((m) => m.customerId === customerId);
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];

async function trigger(d: JourneyDeps, shopId: number, customers: string[], name: string, props: object = {}) {
  for (const e of await insertEvents(db.pool, shopId, customers, name, props)) await handleJourneyEvent(d, shopId, e);
}

describe("triggers, steps and sends", () => {
  it("enrolls once per trigger, writes the step log and sends each message once", async () => {
    const shopId = await journeyShop(db.pool, "eng1.myshopify.com");
    const journeyId = await publish(db.pool, shopId, twoSendJourney("t1"));
    const [c] = await insertTreatedCustomers(db.pool, shopId, journeyId, 1);
    const d = deps();
    const [eventId] = await insertEvents(db.pool, shopId, [c], "t1");
    await handleJourneyEvent(d, shopId, eventId);
    await handleJourneyEvent(d, shopId, eventId); // the same event again (a retried job)
    const enrollments = await q<{ status: string; entry_number: number }>(`select status, entry_number from enrollments where shop_id = $1 and journey_id = $2`, [shopId, journeyId]);
    expect(enrollments).toEqual([{ status: "completed", entry_number: 1 }]);
    expect(sentTo(c).map((m) => m.nodeId).sort()).toEqual(["a", "b"]);
    const steps = await q<{ node_id: string; outcome: string | null; done: boolean }>(
      `select node_id, outcome, completed_at is not null as done from journey_steps where shop_id = $1 order by entered_at, node_id`, [shopId]);
    expect(steps.map((s) => [s.node_id, s.done])).toEqual(expect.arrayContaining([["h", true], ["a", true], ["w", true], ["b", true], ["end", true]]));
    const receipts = await q(`select 1 from journey_event_receipts where shop_id = $1 and event_id = $2`, [shopId, eventId]);
    expect(receipts).toHaveLength(1);
  });

  it("converts on the goal from a waiting node and sends nothing more", async () => {
    const shopId = await journeyShop(db.pool, "eng2.myshopify.com");
    const journeyId = await publish(db.pool, shopId, twoSendJourney("t2", 60));
    const [c] = await insertTreatedCustomers(db.pool, shopId, journeyId, 1);
    const d = deps();
    await trigger(d, shopId, [c], "t2");
    await trigger(d, shopId, [c], "order_placed");
    const [e] = await q<{ status: string; node: string }>(`select status, state->>'currentNodeId' as node from enrollments where shop_id = $1`, [shopId]);
    expect(e).toEqual({ status: "converted", node: "w" });
    expect(sentTo(c).map((m) => m.nodeId)).toEqual(["a"]);
  });
});

describe("governance", () => {
  it("enforces a cap atomically when two workers send to the same customer at once", async () => {
    const governance = { ...OPEN_GOVERNANCE, caps: { ...OPEN_GOVERNANCE.caps, email: { max: 1, windowMs: 604_800_000 } } };
    const shopId = await journeyShop(db.pool, "eng3.myshopify.com", governance);
    const one = (id: string): JourneyInput => ({
      id: "d", version: 1, name: `one ${id}`, trigger: { kind: "custom_event", name: "t3" }, startNodeId: "h",
      nodes: [{ id: "h", type: "holdout", controlPercent: TEST_HOLDOUT.controlPercent, next: "s" },
        { id: "s", type: "send", channel: "email", contentId: id, purpose: "promotional", next: "end" }, { id: "end", type: "exit" }],
    });
    const x = await publish(db.pool, shopId, one("x"));
    const y = await publish(db.pool, shopId, one("y"));
    const [c] = await insertTreatedCustomers(db.pool, shopId, [x, y], 1);
    const d = deps({ inline: false });
    await trigger(d, shopId, [c], "t3");
    const ids = (await q<{ id: string }>(`select id::text from messages where shop_id = $1`, [shopId])).map((r) => r.id);
    expect(ids).toHaveLength(2);
    await Promise.all(ids.map((id) => processMessage(deps(), shopId, id)));
    const rows = await q<{ status: string; deferred: boolean; reason: string | null }>(
      `select status::text, deferred_until is not null as deferred, reason->>'kind' as reason from messages where shop_id = $1 order by status`, [shopId]);
    expect(rows).toEqual([{ status: "deferred", deferred: true, reason: "cap" }, { status: "sent", deferred: false, reason: null }]);
  });

  it("defers an SMS in quiet hours (never drops it) and sends it when the window opens", async () => {
    const shopId = await journeyShop(db.pool, "eng4.myshopify.com");
    const journeyId = await publish(db.pool, shopId, {
      id: "d", version: 1, name: "sms", trigger: { kind: "custom_event", name: "t4" }, startNodeId: "h",
      nodes: [{ id: "h", type: "holdout", controlPercent: TEST_HOLDOUT.controlPercent, next: "s" },
        { id: "s", type: "send", channel: "sms", contentId: "x", purpose: "promotional", next: "end" }, { id: "end", type: "exit" }],
    });
    const [c] = await insertTreatedCustomers(db.pool, shopId, journeyId, 1, { smsConsent: "subscribed" });
    const night = new Date("2026-11-20T08:00:00Z"); // 03:00 in New York
    await trigger(deps({ now: () => night }), shopId, [c], "t4");
    const [m] = await q<{ id: string; status: string; deferred_until: Date; reason: string }>(
      `select id::text, status::text, deferred_until, reason->>'kind' as reason from messages where shop_id = $1`, [shopId]);
    expect(m.status).toBe("deferred");
    expect(m.reason).toBe("quiet_hours");
    expect(m.deferred_until.getTime()).toBeGreaterThan(night.getTime());
    expect(await processMessage(deps({ now: () => night }), shopId, m.id)).toEqual({ kind: "not_due" });
    const outcome = await processMessage(deps({ now: () => m.deferred_until }), shopId, m.id);
    expect(outcome.kind).toBe("sent");
    expect(sentTo(c)).toHaveLength(1);
  });

  it("falls back to the node's backup channel without email consent, and skips when there is none", async () => {
    const shopId = await journeyShop(db.pool, "eng5.myshopify.com");
    const [withSms] = await insertCustomers(db.pool, shopId, 1, { emailConsent: "unsubscribed", smsConsent: "subscribed", timezone: "UTC", province: "", phonePrefix: "+4477" });
    const [nothing] = await insertCustomers(db.pool, shopId, 1, { emailConsent: "unsubscribed" });
    await publish(db.pool, shopId, {
      id: "d", version: 1, name: "fb", trigger: { kind: "custom_event", name: "t5" }, startNodeId: "s",
      nodes: [{ id: "s", type: "send", channel: "email", fallbackChannel: "sms", contentId: "x", purpose: "informational", next: "end" }, { id: "end", type: "exit" }],
    });
    const noon = new Date("2026-11-20T12:00:00Z");
    await trigger(deps({ now: () => noon }), shopId, [withSms, nothing], "t5");
    const rows = await q<{ customer_id: string; channel: string; status: string; variant: string; reason: string | null }>(
      `select customer_id::text, channel::text, status::text, variant, reason->>'kind' as reason from messages where shop_id = $1 order by customer_id`, [shopId]);
    expect(rows).toEqual([
      { customer_id: withSms, channel: "sms", status: "sent", variant: "fallback", reason: null },
      { customer_id: nothing, channel: "email", status: "suppressed", variant: "primary", reason: "consent" },
    ]);
  });

  it("an opt-out mid-journey removes the customer from every active journey on that channel", async () => {
    const shopId = await journeyShop(db.pool, "eng6.myshopify.com");
    const first = await publish(db.pool, shopId, twoSendJourney("t6", 60));
    const second = await publish(db.pool, shopId, { ...twoSendJourney("t6", 120), name: "second" });
    const [c] = await insertTreatedCustomers(db.pool, shopId, [first, second], 1);
    const d = deps();
    await trigger(d, shopId, [c], "t6");
    expect(await q(`select 1 from enrollments where shop_id = $1 and status = 'waiting'`, [shopId])).toHaveLength(2);
    await db.pool.query(`update customers set email_consent = 'unsubscribed' where shop_id = $1 and id = $2`, [shopId, c]);
    await trigger(d, shopId, [c], "consent_changed", { channel: "email", state: "unsubscribed" });
    const rows = await q<{ status: string; wake_at: Date | null }>(`select status::text, wake_at from enrollments where shop_id = $1`, [shopId]);
    expect(rows).toEqual([{ status: "exited", wake_at: null }, { status: "exited", wake_at: null }]);
    const swept = await sweepJourneys(d, { graceMs: 0 });
    expect(swept.enrollments).toBe(0);
  });
});

describe("failures and crashes", () => {
  it("retries a failing channel, then falls back to the backup channel, logs and alerts", async () => {
    const shopId = await journeyShop(db.pool, "eng7.myshopify.com");
    const [c] = await insertCustomers(db.pool, shopId, 1, { smsConsent: "subscribed", timezone: "UTC", province: "", phonePrefix: "+4477" });
    await publish(db.pool, shopId, {
      id: "d", version: 1, name: "fail", trigger: { kind: "custom_event", name: "t7" }, startNodeId: "s",
      nodes: [{ id: "s", type: "send", channel: "email", fallbackChannel: "sms", contentId: "x", purpose: "informational", next: "end" }, { id: "end", type: "exit" }],
    });
    sink.failNext(2, "transient", "email"); // both attempts fail
    await trigger(deps({ now: () => new Date("2026-11-20T12:00:00Z") }), shopId, [c], "t7");
    const rows = await q<{ channel: string; status: string; attempts: number; error_kind: string | null }>(
      `select channel::text, status::text, attempts, error_kind from messages where shop_id = $1 order by id`, [shopId]);
    expect(rows).toEqual([
      { channel: "email", status: "failed", attempts: 1, error_kind: "transient" },
      { channel: "sms", status: "sent", attempts: 1, error_kind: null },
    ]);
    const alerts = await q<{ kind: string }>(`select kind from alerts where shop_id = $1`, [shopId]);
    expect(alerts.map((a) => a.kind)).toEqual(["channel_failure"]);
    expect(sentTo(c).map((m) => m.channel)).toEqual(["sms"]);
  });

  it("reconciles a send left in `sending` by a crash: provider record, resend if absent, review if unknowable", async () => {
    const shopId = await journeyShop(db.pool, "eng8.myshopify.com");
    const journeyId = await publish(db.pool, shopId, twoSendJourney("t8", 60));
    const cs = await insertTreatedCustomers(db.pool, shopId, journeyId, 3);
    await trigger(deps({ inline: false }), shopId, cs, "t8");
    const msgs = await q<{ id: string; key: string; customer_id: string }>(
      `select id::text, idempotency_key as key, customer_id::text from messages where shop_id = $1 order by customer_id`, [shopId]);
    // All three "crashed" mid-send; the provider got only the first.
    await db.pool.query(`update messages set status = 'sending', attempts = 1 where shop_id = $1`, [shopId]);
    const ch = sinkChannel(sink.url);
    await ch.send({ ...sentShape(shopId, msgs[0].id, msgs[0].customer_id) }, msgs[0].key);
    const withLookup = deps();
    expect(await processMessage(withLookup, shopId, msgs[0].id)).toMatchObject({ kind: "sent", reconciled: true });
    expect(await processMessage(withLookup, shopId, msgs[1].id)).toMatchObject({ kind: "sent" });
    const blind = sinkChannel(sink.url, "sink", { lookup: false });
    expect(await processMessage(deps({ channels: { email: blind } }), shopId, msgs[2].id)).toEqual({ kind: "needs_review" });
    expect(sink.counts.get(msgs[0].key)).toBe(1);
    expect(sink.counts.get(msgs[1].key)).toBe(1);
    expect(sink.counts.has(msgs[2].key)).toBe(false);
    const review = await q<{ status: string; error_kind: string }>(`select status::text, error_kind from messages where shop_id = $1 and id = $2`, [shopId, msgs[2].id]);
    expect(review).toEqual([{ status: "failed", error_kind: "needs_review" }]);
    expect(await q(`select 1 from alerts where shop_id = $1 and kind = 'send_needs_review'`, [shopId])).toHaveLength(1);
  });

  it("the sweeper recovers events, steps and sends the queue lost", async () => {
    const shopId = await journeyShop(db.pool, "eng9.myshopify.com");
    const journeyId = await publish(db.pool, shopId, twoSendJourney("t9"));
    const cs = await insertTreatedCustomers(db.pool, shopId, journeyId, 5);
    await insertEvents(db.pool, shopId, cs, "t9"); // recorded, never queued
    const d = deps();
    const swept = await sweepJourneys(d, { graceMs: 0 });
    expect(swept.events).toBe(5);
    for (const c of cs) expect(sentTo(c)).toHaveLength(2);
    expect(await q(`select 1 from enrollments where shop_id = $1 and status = 'completed'`, [shopId])).toHaveLength(5);
  });
});

describe("emergency pause", () => {
  it("holds a journey; on resume expired waits follow the policy (reschedule shifts them, send_now goes)", async () => {
    const shopId = await journeyShop(db.pool, "eng10.myshopify.com");
    const journeyId = await publish(db.pool, shopId, twoSendJourney("t10", 1));
    const [c1, c2] = await insertTreatedCustomers(db.pool, shopId, journeyId, 2);
    let now = new Date("2026-11-20T15:00:00Z");
    const d = deps({ now: () => now, inline: false });
    await trigger(d, shopId, [c1, c2], "t10");
    const enrollments = await q<{ id: string; customer_id: string }>(`select id::text, customer_id::text from enrollments where shop_id = $1 order by customer_id`, [shopId]);
    for (const m of await q<{ id: string }>(`select id::text from messages where shop_id = $1`, [shopId])) await processMessage(d, shopId, m.id);
    await pauseJourneys(db.pool, shopId, "journey", journeyId, { policy: "reschedule", now });
    now = new Date("2026-11-20T15:10:00Z"); // the 1-minute waits expired during the pause
    expect(await processEnrollment(d, shopId, enrollments[0].id)).toEqual({ kind: "paused" });
    const r = await resumeJourneys(d, shopId, "journey", journeyId);
    expect(r).toMatchObject({ resumed: true, policy: "reschedule" });
    const [w] = await q<{ wake_at: Date; state_wake: string }>(`select wake_at, state->>'wakeAt' as state_wake from enrollments where shop_id = $1 and id = $2`, [shopId, enrollments[0].id]);
    expect(w.wake_at.toISOString()).toBe("2026-11-20T15:11:00.000Z");
    expect(w.state_wake).toBe("2026-11-20T15:11:00.000Z");
    expect(await processEnrollment(d, shopId, enrollments[0].id)).toEqual({ kind: "not_due" });
    now = new Date("2026-11-20T15:11:00Z");
    expect(await processEnrollment(d, shopId, enrollments[0].id)).toMatchObject({ kind: "stepped", status: "completed" });
    // A channel pause holds the send; resume with skip drops it.
    await pauseJourneys(db.pool, shopId, "channel", "email", { now });
    await processEnrollment(d, shopId, enrollments[1].id);
    const held = await q<{ id: string }>(`select id::text from messages where shop_id = $1 and customer_id = $2 and node_id = 'b'`, [shopId, enrollments[1].customer_id]);
    expect(await processMessage(d, shopId, held[0].id)).toEqual({ kind: "paused" });
    await resumeJourneys(d, shopId, "channel", "email", { policy: "skip" });
    const [skipped] = await q<{ status: string; reason: string }>(`select status::text, reason->>'kind' as reason from messages where shop_id = $1 and id = $2`, [shopId, held[0].id]);
    expect(skipped).toEqual({ status: "suppressed", reason: "paused" });
  });
});

function sentShape(shopId: number, messageId: string, customerId: string) {
  return { shopId, messageId, customerId, channel: "email" as const, purpose: "promotional" as const, contentId: "first", recipient: "x@example.com", journeyId: null, nodeId: "a", variant: null };
}
