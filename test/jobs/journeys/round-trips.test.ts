// The entry batch's round trips from a trigger event to its first send handed to the channel:
// at a light load the latency is these round trips, so a change that adds one fails here.
// The decisions of a mixed batch (sent, capped, deferred by quiet hours, no consent) must equal
// those of the one-at-a-time path.
import type pg from "pg";
import { describe, expect, it } from "vitest";
import type { JourneyInput } from "../../../core/journeys/schema";
import { enroll, handleJourneyEvent, publishedJourneys } from "../../../jobs/journeys/events";
import { processEnrollment } from "../../../jobs/journeys/step";
import { processEnrollments } from "../../../jobs/journeys/step-batch";
import type { JourneyChannel, JourneyDeps } from "../../../jobs/journeys/types";
import { sinkChannel } from "../../helpers/journey-sink";
import { engineTestServices, insertCustomersInGroup, insertEvents, insertTreatedCustomers, journeyShop, OPEN_GOVERNANCE, publish, TEST_HOLDOUT } from "./fixtures";

const { db, qs, sink } = await engineTestServices("jrt");

const NIGHT = new Date("2026-11-20T08:00:00Z"); // 03:00 in New York: SMS quiet hours
const CAPPED = { ...OPEN_GOVERNANCE, caps: { ...OPEN_GOVERNANCE.caps, email: { max: 1, windowMs: 604_800_000 } } };

/** One line per statement: which connection ran it (or the pool), and its first words. */
const line = (who: string, a: unknown) => `${who} ${(typeof a === "string" ? a : (a as { text: string }).text).trim().replace(/\s+/g, " ").slice(0, 50)}`;

/** A pool whose connections log every statement into `log`, and a channel that logs its calls there too. */
function counted(log: string[]): { db: pg.Pool; channel: JourneyChannel } {
  let n = 0;
  const wrap = (c: pg.PoolClient, who: string) => new Proxy(c, {
    get(t, p) {
      if (p === "query") return (...args: unknown[]) => { log.push(line(who, args[0])); return (t.query as (...x: unknown[]) => unknown)(...args); };
      const v = Reflect.get(t, p, t) as unknown;
      return typeof v === "function" ? (v as (...x: unknown[]) => unknown).bind(t) : v;
    },
  });
  const db = new Proxy(pool, {
    get(t, p) {
      if (p === "connect") return async () => wrap(await t.connect(), `c${++n}`);
      if (p === "query") return (...args: unknown[]) => { log.push(line("pool", args[0])); return (t.query as (...x: unknown[]) => unknown)(...args); };
      const v = Reflect.get(t, p, t) as unknown;
      return typeof v === "function" ? (v as (...x: unknown[]) => unknown).bind(t) : v;
    },
  });
  const sinkCh = sinkChannel(sink.url);
  const channel: JourneyChannel = { ...sinkCh, send: (m, k) => { log.push("PROVIDER CALL"); return sinkCh.send(m, k); } };
  return { db, channel };
}
const pool = db.pool;

function deps(over: Partial<JourneyDeps> = {}, log?: string[]): JourneyDeps {
  const c = log ? counted(log) : { db: pool, channel: sinkChannel(sink.url) };
  return {
    db: c.db, qs, channels: { email: c.channel, sms: c.channel, push: c.channel }, retry: { attempts: 2, backoffMs: 1 }, now: () => NIGHT,
    batch: { max: 100, lanes: 1 }, ...over,
  };
}

/** The entry batch's statements up to its first provider call: the connection that opened with the locks and plan. */
function criticalPath(log: string[]): string[] {
  const first = log.indexOf("PROVIDER CALL");
  expect(first).toBeGreaterThan(0);
  const opener = log.find((l) => /^c\d+ begin; select pg_advisory_xact_lock/.test(l))!;
  const who = opener.split(" ")[0];
  return log.slice(0, first).filter((l) => l.startsWith(`${who} `)).map((l) => l.slice(who.length + 1));
}

/** Today's sequence: begin + locks + plan; admission read; enrollments; steps and sends with their facts; statuses; commit. */
const ENTRY_TO_SEND = ["begin; select pg_advisory_xact_lock", "select (select json_agg(json_build_object('custom", "with x as ( select x.*, nextval(", "with st as ( insert into journey_steps", "update messages m set status = x.status::\"Messa", "commit"];
const expectRoundTrips = (path: string[]) => {
  expect(path).toHaveLength(ENTRY_TO_SEND.length);
  path.forEach((l, i) => expect(l.startsWith(ENTRY_TO_SEND[i]), `${i}: ${l}`).toBe(true));
};

const holdout = (next: string) => ({ id: TEST_HOLDOUT.nodeId, type: "holdout" as const, controlPercent: TEST_HOLDOUT.controlPercent, next });
const simple = (trigger: string): JourneyInput => ({
  id: "d", version: 1, name: `simple ${trigger}`, trigger: { kind: "custom_event", name: trigger }, startNodeId: TEST_HOLDOUT.nodeId,
  nodes: [holdout("s"), { id: "s", type: "send", channel: "email", contentId: "s", purpose: "promotional", next: "end" }, { id: "end", type: "exit" }],
});
/** Two emails in one step (the second capped by the first), or an SMS without email consent. */
const mixed = (trigger: string): JourneyInput => ({
  id: "d", version: 1, name: `mixed ${trigger}`, trigger: { kind: "custom_event", name: trigger }, startNodeId: TEST_HOLDOUT.nodeId,
  nodes: [
    holdout("ok"),
    { id: "ok", type: "condition", conditionId: "email_consented", yes: "e1", no: "s1" },
    { id: "e1", type: "send", channel: "email", contentId: "e1", purpose: "promotional", next: "e2" },
    { id: "e2", type: "send", channel: "email", contentId: "e2", purpose: "promotional", next: "end" },
    { id: "s1", type: "send", channel: "sms", contentId: "s1", purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
});

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[];

/** A shop with the mix: sent, capped (an email an hour ago), quiet hours (SMS at night), no consent, a holdout's control. */
async function mixedShop(domain: string, trigger: string) {
  const shopId = await journeyShop(pool, domain, CAPPED);
  const j = await publish(pool, shopId, mixed(trigger));
  const plain = await insertTreatedCustomers(pool, shopId, j, 2);
  const smsOnly = await insertTreatedCustomers(pool, shopId, j, 2, { emailConsent: "unsubscribed", smsConsent: "subscribed" });
  const noConsent = await insertTreatedCustomers(pool, shopId, j, 2, { emailConsent: "unsubscribed" });
  const capped = await insertTreatedCustomers(pool, shopId, j, 2);
  const control = await insertCustomersInGroup(pool, shopId, j, "control", 1);
  await pool.query(
    `insert into messages (shop_id, idempotency_key, customer_id, channel, purpose, variant, status, queued_at, sent_at)
     select $1, 'prior-' || c, c, 'email', 'promotional', 'primary', 'sent', $3::timestamptz - interval '1 hour', $3::timestamptz - interval '1 hour'
     from unnest($2::bigint[]) c`, [shopId, capped, NIGHT]);
  const customers = [...plain, ...smsOnly, ...noConsent, ...capped, ...control];
  return { shopId, customers, events: await insertEvents(pool, shopId, customers, trigger) };
}

/** The decisions, by the customer's position in the mix. */
async function decisions(shopId: number, customers: string[]) {
  const m = await q<{ customer_id: string; node_id: string; channel: string; status: string; reason: string | null; deferred_until: Date | null; attempts: number; recipient: boolean }>(
    `select customer_id::text, node_id, channel::text, status::text, reason->>'kind' as reason, deferred_until, attempts, recipient is not null as recipient
     from messages where shop_id = $1 and node_id is not null`, [shopId]);
  const e = await q<{ customer_id: string; status: string; node: string | null }>(
    `select customer_id::text, status::text, state->>'currentNodeId' as node from enrollments where shop_id = $1`, [shopId]);
  const norm = (rows: { customer_id: string }[]) => rows.map((r) => JSON.stringify({ ...r, customer_id: customers.indexOf(r.customer_id) })).sort();
  return { messages: norm(m), enrollments: norm(e) };
}

describe("entry batch round trips", () => {
  it("reaches a trigger's first send in six round trips", async () => {
    const shopId = await journeyShop(pool, "rt-simple.myshopify.com");
    const customers = await insertTreatedCustomers(pool, shopId, await publish(pool, shopId, simple("rt1")), 2);
    // A worker has the journey in its process cache: warm it.
    const [e0] = await insertEvents(pool, shopId, [customers[0]], "rt1");
    await handleJourneyEvent(deps(), shopId, e0);
    const log: string[] = [];
    const [e1] = await insertEvents(pool, shopId, [customers[1]], "rt1");
    await handleJourneyEvent(deps({}, log), shopId, e1);
    expectRoundTrips(criticalPath(log));
    const sent = await q(`select 1 from messages where shop_id = $1 and status = 'sent'`, [shopId]);
    expect(sent).toHaveLength(2);
  });

  it("decides a mixed batch in the same round trips, as one at a time does", async () => {
    const one = await mixedShop("rt-one.myshopify.com", "rt2");
    const many = await mixedShop("rt-many.myshopify.com", "rt3");
    for (const e of one.events) await handleJourneyEvent(deps({ batch: false }), one.shopId, e);
    const log: string[] = [];
    const batched = deps({}, log);
    await Promise.all(many.events.map((e) => handleJourneyEvent(batched, many.shopId, e)));
    // One batch took every event.
    expect(log.filter((l) => / begin; select pg_advisory_xact_lock/.test(l))).toHaveLength(1);
    expectRoundTrips(criticalPath(log));
    const a = await decisions(one.shopId, one.customers);
    expect(await decisions(many.shopId, many.customers)).toEqual(a);
    const kinds = new Set(a.messages.map((m) => { const x = JSON.parse(m) as { status: string; reason: string | null }; return `${x.status}:${x.reason}`; }));
    expect(kinds).toEqual(new Set(["sent:null", "deferred:cap", "deferred:quiet_hours", "suppressed:consent"]));
    expect(a.enrollments).toContain(JSON.stringify({ customer_id: 8, status: "exited", node: "h" })); // the holdout's control: nothing sent
  });

  it("sees the step's own enrollment status in the facts its write returns (concurrency cap at send time)", async () => {
    // The customer is in an at-risk journey and in an unstaged one whose step sends and ends,
    // and the cap has since dropped to 1: after the step the unstaged journey is no longer
    // active, so its send goes (the steps write cannot see its own update: stepped statuses).
    const setUp = async (domain: string, trigger: string) => {
      const shopId = await journeyShop(pool, domain);
      const staged: JourneyInput = { ...simple(`${trigger}-0`), stage: "at_risk", nodes: [holdout("w"), { id: "w", type: "wait", duration: { amount: 7, unit: "days" }, next: "end" }, { id: "end", type: "exit" }] };
      const ids = [await publish(pool, shopId, staged), await publish(pool, shopId, simple(trigger))];
      const [c] = await insertTreatedCustomers(pool, shopId, ids, 1);
      const journeys = await publishedJourneys(pool, shopId);
      const single = deps({ batch: false });
      const enrollments: string[] = [];
      for (const [k, id] of ids.entries()) {
        const j = journeys.find((x) => x.id === id)!;
        const [e] = await insertEvents(pool, shopId, [c], k === 0 ? `${trigger}-0` : trigger);
        enrollments.push((await enroll(single, shopId, j.id, j.version, j.journey, c, e))!);
      }
      await pool.query(`update shops set settings = jsonb_set(settings, '{governance,conflicts,maxConcurrentJourneys}', '1') where id = $1`, [shopId]);
      return { shopId, customers: [c], unstaged: enrollments[1] };
    };
    const one = await setUp("rt-cap-one.myshopify.com", "rt4");
    const many = await setUp("rt-cap-many.myshopify.com", "rt5");
    await processEnrollment(deps({ batch: false }), one.shopId, one.unstaged);
    const log: string[] = [];
    await processEnrollments(deps({}, log), many.shopId, [many.unstaged]);
    expect(log.some((l) => l.includes("with m as materialized"))).toBe(false); // decided from the write's own facts
    const a = await decisions(one.shopId, one.customers);
    expect(a.messages).toHaveLength(1);
    expect(JSON.parse(a.messages[0])).toMatchObject({ status: "sent" });
    expect(await decisions(many.shopId, many.customers)).toEqual(a);
  });

  it("decides with its own read when a step written one at a time (applyEffects) sends in the same batch", async () => {
    const shopId = await journeyShop(pool, "rt-mixed-writers.myshopify.com");
    const noticed: JourneyInput = {
      ...simple("rt6"), name: "noticed rt6",
      nodes: [holdout("tell"), { id: "tell", type: "notify_merchant", message: "back", email: false, next: "s" },
        { id: "s", type: "send", channel: "email", contentId: "s", purpose: "promotional", next: "end" }, { id: "end", type: "exit" }],
    };
    const ids = [await publish(pool, shopId, noticed), await publish(pool, shopId, simple("rt7"))];
    const [a, b] = await insertTreatedCustomers(pool, shopId, ids, 2);
    const events = [...await insertEvents(pool, shopId, [a], "rt6"), ...await insertEvents(pool, shopId, [b], "rt7")];
    const log: string[] = [];
    const batched = deps({}, log);
    await Promise.all(events.map((e) => handleJourneyEvent(batched, shopId, e)));
    expect(log.filter((l) => / begin; select pg_advisory_xact_lock/.test(l))).toHaveLength(1);
    expect(log.some((l) => l.includes("with m as materialized"))).toBe(true);
    const m = await q<{ customer_id: string; status: string }>(`select customer_id::text, status::text from messages where shop_id = $1 order by customer_id`, [shopId]);
    expect(m).toEqual([{ customer_id: a, status: "sent" }, { customer_id: b, status: "sent" }].sort((x, y) => Number(x.customer_id) - Number(y.customer_id)));
  });
});
