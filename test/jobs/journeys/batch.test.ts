// The batch path (jobs/journeys/step-batch.ts, send-batch.ts, events-batch.ts) against the
// one-at-a-time path: the same customers and journeys in two shops, one processed enrollment
// by enrollment with batching off, the other in batches; every enrollment, step-log row,
// assignment and message must come out the same. The mix hits a frequency cap (a prior send,
// and two sends of one customer in one batch), quiet hours (SMS at night) and missing consent.
import { describe, expect, it } from "vitest";
import type { JourneyInput } from "../../../core/journeys/schema";
import { enroll, handleJourneyEvent, publishedJourneys } from "../../../jobs/journeys/events";
import { processMessages } from "../../../jobs/journeys/send-batch";
import { processEnrollment } from "../../../jobs/journeys/step";
import { processEnrollments } from "../../../jobs/journeys/step-batch";
import type { JourneyDeps } from "../../../jobs/journeys/types";
import { sinkChannel } from "../../helpers/journey-sink";
import { engineTestServices, insertEvents, insertTreatedCustomers, journeyShop, OPEN_GOVERNANCE, publish, TEST_HOLDOUT } from "./fixtures";

const { db, qs, sink } = await engineTestServices("jbatch");

const NIGHT = new Date("2026-11-20T08:00:00Z"); // 03:00 in New York: SMS quiet hours
const CAPPED = { ...OPEN_GOVERNANCE, caps: { ...OPEN_GOVERNANCE.caps, email: { max: 1, windowMs: 604_800_000 } } };

function deps(over: Partial<JourneyDeps> = {}): JourneyDeps {
  const ch = sinkChannel(sink.url);
  return { db: db.pool, qs, channels: { email: ch, sms: ch, push: ch }, retry: { attempts: 2, backoffMs: 1 }, now: () => NIGHT, ...over };
}

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];

/** Waits (at most 10 s) until no message of the shop is still being handed to its channel. */
async function noSendInFlight(shopId: number): Promise<void> {
  for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
    const busy = await q(`select 1 from messages where shop_id = $1 and status in ('queued', 'sending') limit 1`, [shopId]);
    if (busy.length === 0) return;
  }
}

const holdout = (next: string) => ({ id: TEST_HOLDOUT.nodeId, type: "holdout" as const, controlPercent: TEST_HOLDOUT.controlPercent, next });
const main = (trigger: string): JourneyInput => ({
  id: "d", version: 1, name: `main ${trigger}`, trigger: { kind: "custom_event", name: trigger }, startNodeId: TEST_HOLDOUT.nodeId,
  nodes: [
    holdout("ok"),
    { id: "ok", type: "condition", conditionId: "email_consented", yes: "split", no: "s1" },
    { id: "split", type: "ab_split", variants: [{ key: "a", weight: 1, next: "e1" }, { key: "b", weight: 1, next: "e1" }] },
    { id: "e1", type: "send", channel: "email", contentId: "e1", purpose: "promotional", next: "e2" },
    { id: "e2", type: "send", channel: "email", contentId: "e2", purpose: "promotional", next: "w" },
    { id: "w", type: "wait", duration: { amount: 0, unit: "minutes" }, next: "e3" },
    { id: "e3", type: "send", channel: "email", contentId: "e3", purpose: "promotional", next: "end" },
    { id: "s1", type: "send", channel: "sms", contentId: "s1", purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
});
const second = (trigger: string): JourneyInput => ({
  id: "d", version: 1, name: `second ${trigger}`, trigger: { kind: "custom_event", name: `${trigger}-2` }, startNodeId: TEST_HOLDOUT.nodeId,
  nodes: [holdout("x"), { id: "x", type: "send", channel: "email", contentId: "x", purpose: "promotional", next: "end" }, { id: "end", type: "exit" }],
});

/**
 * Both journeys published, and the mix of customers they treat (so two shops compare like
 * for like): plain, SMS-only, no consent, and capped by an email sent an hour earlier.
 */
async function mixedCustomers(shopId: number, trigger: string) {
  const ids = [await publish(db.pool, shopId, main(trigger)), await publish(db.pool, shopId, second(trigger))];
  const plain = await insertTreatedCustomers(db.pool, shopId, ids, 4);
  const smsOnly = await insertTreatedCustomers(db.pool, shopId, ids, 2, { emailConsent: "unsubscribed", smsConsent: "subscribed" });
  const noConsent = await insertTreatedCustomers(db.pool, shopId, ids, 2, { emailConsent: "unsubscribed" });
  const capped = await insertTreatedCustomers(db.pool, shopId, ids, 2);
  await db.pool.query(
    `insert into messages (shop_id, idempotency_key, customer_id, channel, purpose, variant, status, queued_at, sent_at)
     select $1, 'prior-' || c, c, 'email', 'promotional', 'primary', 'sent', $3::timestamptz - interval '1 hour', $3::timestamptz - interval '1 hour'
     from unnest($2::bigint[]) c`, [shopId, capped, NIGHT]);
  const customers = [...plain, ...smsOnly, ...noConsent, ...capped];
  return { plain, customers };
}

/** A shop with the mix; returns its customers (in a fixed order) and enrollments written but not yet stepped. */
async function setUp(domain: string, trigger: string) {
  const shopId = await journeyShop(db.pool, domain, CAPPED);
  const { plain, customers } = await mixedCustomers(shopId, trigger);
  const journeys = await publishedJourneys(db.pool, shopId);
  const d = deps({ batch: false });
  const enrollmentIds: string[] = [];
  const events = await insertEvents(db.pool, shopId, customers, trigger);
  const j1 = journeys.find((j) => j.journey.name.startsWith("main"))!;
  for (let i = 0; i < customers.length; i++) enrollmentIds.push((await enroll(d, shopId, j1.id, j1.version, j1.journey, customers[i], events[i]))!);
  // Two customers are also in the second journey: two email sends at once against a cap of 1.
  const j2 = journeys.find((j) => j.journey.name.startsWith("second"))!;
  const events2 = await insertEvents(db.pool, shopId, [plain[0], plain[1]], `${trigger}-2`);
  for (let i = 0; i < 2; i++) enrollmentIds.push((await enroll(d, shopId, j2.id, j2.version, j2.journey, plain[i], events2[i]))!);
  return { shopId, customers, enrollmentIds };
}

/** The same mix, but only the customers and their trigger events: the engine enrolls them. */
async function setUpEvents(domain: string, trigger: string) {
  const shopId = await journeyShop(db.pool, domain, CAPPED);
  const { plain, customers } = await mixedCustomers(shopId, trigger);
  return { shopId, customers, first: await insertEvents(db.pool, shopId, customers, trigger), second: await insertEvents(db.pool, shopId, [plain[0], plain[1]], `${trigger}-2`) };
}

/** Everything the engine wrote for a shop, with ids replaced by the customer's position. */
async function snapshot(shopId: number, customers: string[]) {
  const pos = (id: string) => customers.indexOf(id);
  const enrollments = await q<{ customer_id: string; journey: string; status: string; node: string | null; wake_at: Date | null; ended: boolean; assignments: unknown }>(
    `select e.customer_id::text, j.name as journey, e.status::text, e.state->>'currentNodeId' as node, e.wake_at, e.ended_at is not null as ended,
            e.state->'assignments' as assignments
     from enrollments e join journeys j on j.shop_id = e.shop_id and j.id = e.journey_id where e.shop_id = $1`, [shopId]);
  const steps = await q<{ customer_id: string; journey: string; node_id: string; visit: number; outcome: string | null; done: boolean }>(
    `select e.customer_id::text, j.name as journey, s.node_id, s.visit, s.outcome, s.completed_at is not null as done
     from journey_steps s join enrollments e on e.shop_id = s.shop_id and e.id = s.enrollment_id join journeys j on j.shop_id = e.shop_id and j.id = e.journey_id
     where s.shop_id = $1`, [shopId]);
  const assignments = await q<{ customer_id: string; node_id: string; kind: string; value: string }>(
    `select customer_id::text, node_id, kind, value from journey_assignments where shop_id = $1`, [shopId]);
  const messages = await q<{ customer_id: string; node_id: string | null; channel: string; status: string; variant: string | null; reason: string | null; deferred_until: Date | null; attempts: number; recipient: string | null }>(
    `select customer_id::text, node_id, channel::text, status::text, variant, reason->>'kind' as reason, deferred_until, attempts,
            case when recipient is null then null else 'set' end as recipient
     from messages where shop_id = $1 and node_id is not null`, [shopId]);
  const norm = <T extends { customer_id: string }>(rows: T[]) =>
    rows.map((r) => JSON.stringify({ ...r, customer_id: pos(r.customer_id) })
      .replaceAll(/(main|second) [^"]*/g, "$1")
      // The A/B variant hashes the journey and customer ids, which differ between the shops.
      .replaceAll(/"(variant|value|split)":"[ab]"/g, '"$1":"a|b"').replaceAll(/variant:[ab]"/g, 'variant:a|b"')).sort();
  return { enrollments: norm(enrollments), steps: norm(steps), assignments: norm(assignments), messages: norm(messages) };
}

describe("batch path", () => {
  it("gives the same enrollments, steps, assignments and messages as one at a time (caps, quiet hours, consent)", async () => {
    const one = await setUp("batch-one.myshopify.com", "bt1");
    const many = await setUp("batch-many.myshopify.com", "bt2");
    const single = deps({ batch: false });
    for (const id of one.enrollmentIds) await processEnrollment(single, one.shopId, id);
    const batched = deps({ batch: { max: 100, lanes: 2 } });
    const outcomes = await processEnrollments(batched, many.shopId, many.enrollmentIds);
    expect([...outcomes.values()].every((o) => o.kind === "stepped")).toBe(true);

    const a = await snapshot(one.shopId, one.customers);
    const b = await snapshot(many.shopId, many.customers);
    expect(b).toEqual(a);
    // The mix did what it was meant to: sends, cap deferrals, quiet hours, consent.
    const kinds = new Set(a.messages.map((m) => { const x = JSON.parse(m) as { status: string; reason: string | null }; return `${x.status}:${x.reason}`; }));
    expect(kinds).toEqual(new Set(["sent:null", "deferred:cap", "deferred:quiet_hours", "suppressed:consent"]));
    // A cap of 1: no customer has more than one email sent.
    const sentEmails = new Map<number, number>();
    for (const m of b.messages) {
      const x = JSON.parse(m) as { customer_id: number; channel: string; status: string };
      if (x.channel === "email" && x.status === "sent") sentEmails.set(x.customer_id, (sentEmails.get(x.customer_id) ?? 0) + 1);
    }
    expect(Math.max(...sentEmails.values())).toBe(1);
  });

  it("enrolls and takes the first step of trigger events in one batch with the same result as one at a time", async () => {
    const one = await setUpEvents("batch-ev-one.myshopify.com", "bt3");
    const many = await setUpEvents("batch-ev-many.myshopify.com", "bt4");
    const single = deps({ batch: false });
    for (const e of [...one.first, ...one.second]) await handleJourneyEvent(single, one.shopId, e);
    // Concurrent jobs, so the events coalesce: enrollments and their first steps in shared transactions.
    const batched = deps({ batch: { max: 100, lanes: 2 } });
    await Promise.all(many.first.map((e) => handleJourneyEvent(batched, many.shopId, e)));
    await Promise.all(many.second.map((e) => handleJourneyEvent(batched, many.shopId, e)));
    const a = await snapshot(one.shopId, one.customers);
    expect(a.messages.length).toBeGreaterThan(0);
    expect(await snapshot(many.shopId, many.customers)).toEqual(a);
  });

  it("keeps a cap of 1 atomic when concurrent batches send to the same customers", async () => {
    const shopId = await journeyShop(db.pool, "batch-race.myshopify.com", CAPPED);
    const one = (id: string): JourneyInput => ({
      id: "d", version: 1, name: `one ${id}`, trigger: { kind: "custom_event", name: "race" }, startNodeId: TEST_HOLDOUT.nodeId,
      nodes: [holdout("s"), { id: "s", type: "send", channel: "email", contentId: id, purpose: "promotional", next: "end" }, { id: "end", type: "exit" }],
    });
    const ids = [await publish(db.pool, shopId, one("x")), await publish(db.pool, shopId, one("y"))];
    const customers = await insertTreatedCustomers(db.pool, shopId, ids, 20);
    const queued = deps({ inline: false, now: undefined });
    for (const e of await insertEvents(db.pool, shopId, customers, "race")) await handleJourneyEvent(queued, shopId, e);
    const msgs = await q<{ id: string; customer_id: string; content: string }>(
      `select m.id::text, m.customer_id::text, j.name as content from messages m join journeys j on j.shop_id = m.shop_id and j.id = m.journey_id
       where m.shop_id = $1 order by m.id`, [shopId]);
    expect(msgs).toHaveLength(40);
    // Each customer's two messages in two different batches, run at once by two "workers".
    const x = msgs.filter((m) => m.content === "one x").map((m) => m.id);
    const y = msgs.filter((m) => m.content === "one y").map((m) => m.id).reverse();
    await Promise.all([processMessages(deps({ now: undefined }), shopId, x), processMessages(deps({ now: undefined }), shopId, y)]);
    const rows = await q<{ customer_id: string; sent: number; deferred: number }>(
      `select customer_id::text, count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status = 'deferred' and reason->>'kind' = 'cap')::int as deferred
       from messages where shop_id = $1 group by 1`, [shopId]);
    expect(rows).toHaveLength(20);
    for (const r of rows) expect({ sent: r.sent, deferred: r.deferred }).toEqual({ sent: 1, deferred: 1 });
  });

  it("enrolls a batch of trigger events once each, as one at a time does, and a repeated event changes nothing", async () => {
    const shopId = await journeyShop(db.pool, "batch-events.myshopify.com");
    const customers = await insertTreatedCustomers(db.pool, shopId, await publish(db.pool, shopId, main("bev")), 30);
    const batched = deps({ now: undefined, batch: { max: 10, lanes: 2 } });
    const events = await insertEvents(db.pool, shopId, customers, "bev");
    await Promise.all([...events, ...events.slice(0, 10)].map((e) => handleJourneyEvent(batched, shopId, e)));
    const enrollments = await q<{ status: string; n: number }>(`select status::text, count(*)::int as n from enrollments where shop_id = $1 group by 1`, [shopId]);
    expect(enrollments).toEqual([{ status: "completed", n: 30 }]);
    const receipts = await q(`select 1 from journey_event_receipts where shop_id = $1`, [shopId]);
    expect(receipts).toHaveLength(30);
    // Open governance: all three emails of every customer sent. The last sends are handed to
    // the channel after their step commits, so their outcomes may land just after the events return.
    await noSendInFlight(shopId);
    const sent = await q<{ n: number }>(`select count(*)::int as n from messages where shop_id = $1 and status = 'sent'`, [shopId]);
    expect(sent[0].n).toBe(90);
  });
});
