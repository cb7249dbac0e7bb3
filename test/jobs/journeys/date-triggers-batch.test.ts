// Date triggers entering many customers at once (jobs/journeys/events-batch.ts enterOccasions),
// against real PostgreSQL: the batched tick gives the same entries, refusals (exclusion
// segment, the concurrent-journey cap) and first steps as one at a time; two overlapping ticks
// enroll nobody twice; and the statements a tick issues grow with its batches, not its customers.
import type pg from "pg";
import { describe, expect, it } from "vitest";
import type { JourneyInput } from "../../../core/journeys/schema";
import { runDateTriggers } from "../../../jobs/journeys/date-triggers";
import { handleJourneyEvent } from "../../../jobs/journeys/events";
import type { JourneyDeps } from "../../../jobs/journeys/types";
import { engineTestServices, insertCustomers, insertEvents, journeyShop, OPEN_GOVERNANCE, publish } from "./fixtures";

const { db, qs } = await engineTestServices("jdatebatch");
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];

const FIRE = new Date("2027-03-14T13:00:00Z"); // 09:00 EDT: the birthday journey's hour in New York
const BEFORE = new Date("2027-03-14T12:55:00Z");
const BATCH = { max: 100, lanes: 3 };

const birthdayJourney = (exclusionSegmentIds: string[] = []): JourneyInput => ({
  id: "d", version: 1, name: "Birthday", trigger: { kind: "birthday", localTime: "09:00" }, startNodeId: "c",
  entry: { exclusionSegmentIds, reentry: false },
  nodes: [
    { id: "c", type: "condition", conditionId: "email_consented", yes: "end", no: "end" },
    { id: "end", type: "exit" },
  ],
});

/** A pool whose statements (its own and its clients') are counted. */
function counting(pool: pg.Pool): { db: pg.Pool; count: () => number } {
  let n = 0;
  const wrap = <T extends object>(target: T, extra: Record<string, unknown> = {}): T => new Proxy(target, {
    get(t, p) {
      if (p === "query") return (...a: unknown[]) => { n++; return (t as unknown as pg.Pool).query(...(a as [string])); };
      if (p in extra) return extra[p as string];
      const v = Reflect.get(t, p, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  const db = wrap(pool, { connect: async () => wrap(await pool.connect()) });
  return { db, count: () => n };
}

/** A shop of n customers whose birthday fires at FIRE, the journey published, the cursor just before. */
async function birthdayShop(domain: string, n: number, governance: unknown = OPEN_GOVERNANCE, exclusion = false) {
  const shopId = await journeyShop(db.pool, domain, governance);
  const customers = await insertCustomers(db.pool, shopId, n, { timezone: "America/New_York" });
  await db.pool.query(`update customers set birthday = '1990-03-14' where shop_id = $1`, [shopId]);
  let excluded: string[] = [];
  let segmentId: string | null = null;
  if (exclusion) {
    segmentId = (await q<{ id: string }>(`insert into segments (shop_id, name, definition, updated_at) values ($1, 'No', '{}', now()) returning id::text`, [shopId]))[0].id;
    excluded = customers.slice(0, 20);
    await db.pool.query(`insert into segment_memberships (shop_id, segment_id, customer_id) select $1, $2, unnest($3::bigint[])`, [shopId, segmentId, excluded]);
  }
  const journeyId = await publish(db.pool, shopId, birthdayJourney(segmentId ? [segmentId] : []));
  await db.pool.query(`insert into journey_trigger_cursors (shop_id, ran_to) values ($1, $2)`, [shopId, BEFORE]);
  return { shopId, customers, journeyId, excluded };
}

const deps = (over: Partial<JourneyDeps> = {}): JourneyDeps => ({ db: db.pool, qs, channels: {}, now: () => FIRE, inline: false, batch: BATCH, ...over });

/** Per customer (by position): their birthday enrollments' status and steps, their suppressions, their occasions. */
async function outcome(shopId: number, journeyId: string, customers: readonly string[]) {
  const rows = await q<{ customer_id: string; enrollments: string[]; steps: number; suppressions: string[]; occasions: number }>(
    `select c::text as customer_id,
            array(select e.status::text || ':' || e.entry_number from enrollments e where e.shop_id = $1 and e.journey_id = $2 and e.customer_id = c order by e.id) as enrollments,
            (select count(*)::int from journey_steps s join enrollments e on e.shop_id = s.shop_id and e.id = s.enrollment_id
              where s.shop_id = $1 and e.journey_id = $2 and e.customer_id = c) as steps,
            array(select x.reason || ':' || x.trigger_key from journey_entry_suppressions x where x.shop_id = $1 and x.journey_id = $2 and x.customer_id = c order by x.reason) as suppressions,
            (select count(*)::int from journey_occasions o where o.shop_id = $1 and o.journey_id = $2 and o.customer_id = c) as occasions
     from unnest($3::bigint[]) c`, [shopId, journeyId, customers]);
  const by = new Map(rows.map((r) => [r.customer_id, r]));
  return customers.map((c) => { const { customer_id: _, ...r } = by.get(c)!; return r; });
}

describe("date triggers in batches", () => {
  it("enter 500 customers once each, with the same entries, refusals and first steps as one at a time", async () => {
    const busyJourney: JourneyInput = {
      id: "d", version: 1, name: "Busy", trigger: { kind: "custom_event", name: "busy" }, startNodeId: "w", priorityValue: 1_000_000, // outranks the birthday
      nodes: [{ id: "w", type: "wait", duration: { amount: 7, unit: "days" }, next: "end" }, { id: "end", type: "exit" }],
    };
    const capped = { ...OPEN_GOVERNANCE, conflicts: { maxConcurrentJourneys: 1, minTimeInStageMs: 0 } };
    const run = async (domain: string, over: Partial<JourneyDeps>) => {
      const s = await birthdayShop(domain, 500, capped, true);
      // 30 customers already in another journey: the cap of one concurrent journey applies.
      await publish(db.pool, s.shopId, busyJourney);
      const busy = s.customers.slice(20, 50);
      for (const ev of await insertEvents(db.pool, s.shopId, busy, "busy")) await handleJourneyEvent(deps({ now: () => BEFORE, batch: false }), s.shopId, ev);
      expect(await q(`select count(*)::int as n from enrollments where shop_id = $1 and status in ('active', 'waiting')`, [s.shopId])).toEqual([{ n: 30 }]);
      const r = await runDateTriggers(deps(over), s.shopId);
      expect(r).toMatchObject({ ran: true, result: { fired: 500 } });
      return { ...s, busy, result: r.ran ? r.result : null, out: await outcome(s.shopId, s.journeyId, s.customers) };
    };
    const batched = await run("datebatch-a.myshopify.com", {});
    const single = await run("datebatch-b.myshopify.com", { batch: false });

    expect(batched.out).toEqual(single.out);
    expect(batched.result!.enrolled).toBe(single.result!.enrolled);
    // What that is: every occasion recorded once; the excluded never enter; the busy are refused by the cap, recorded once; the rest enter once and take their first step.
    const occasion = "occasion:birthday:2027";
    batched.out.forEach((o, i) => {
      expect(o.occasions).toBe(1);
      if (i < 20) expect(o).toMatchObject({ enrollments: [], suppressions: [] });
      else if (i < 50) expect(o).toMatchObject({ enrollments: [], suppressions: [`max_concurrent:${occasion}`] });
      else {
        expect(o.enrollments).toHaveLength(1);
        expect(o.enrollments[0]).toMatch(/^(completed|exited):1$/);
        expect(o.steps).toBeGreaterThan(0);
      }
    });
    expect(batched.result!.enrolled).toBe(450);

    // The same window again (a crash that lost the cursor): nobody enters twice, no refusal counts twice.
    await db.pool.query(`update journey_trigger_cursors set ran_to = $2 where shop_id = $1`, [batched.shopId, BEFORE]);
    expect(await runDateTriggers(deps(), batched.shopId)).toMatchObject({ ran: true, result: { fired: 500, enrolled: 0 } });
    expect(await outcome(batched.shopId, batched.journeyId, batched.customers)).toEqual(batched.out);
  });

  it("two overlapping ticks enroll nobody twice", async () => {
    const s = await birthdayShop("datebatch-overlap.myshopify.com", 500);
    const [a, b] = await Promise.all([runDateTriggers(deps(), s.shopId), runDateTriggers(deps(), s.shopId)]);
    const enrolled = [a, b].map((r) => (r.ran ? r.result.enrolled : -1));
    expect(enrolled[0] + enrolled[1]).toBe(500);
    const [n] = await q<{ enrollments: number; customers: number; occasions: number }>(
      `select count(*)::int as enrollments, count(distinct customer_id)::int as customers,
              (select count(*)::int from journey_occasions where shop_id = $1) as occasions
       from enrollments where shop_id = $1`, [s.shopId]);
    expect(n).toEqual({ enrollments: 500, customers: 500, occasions: 500 });
  });

  it("issues statements per batch, not per customer", async () => {
    const statements = async (domain: string, n: number, batch: { max: number; lanes: number }) => {
      const s = await birthdayShop(domain, n);
      const c = counting(db.pool);
      const r = await runDateTriggers(deps({ db: c.db, batch }), s.shopId);
      expect(r).toMatchObject({ ran: true, result: { fired: n, enrolled: n } });
      return c.count();
    };
    const one100 = await statements("datebatch-s1.myshopify.com", 100, BATCH); // one batch
    const one500 = await statements("datebatch-s2.myshopify.com", 500, { max: 500, lanes: 3 }); // one batch of 500
    const five500 = await statements("datebatch-s3.myshopify.com", 500, BATCH); // five batches
    const perBatch = (five500 - one100) / 4;
    expect(one500).toBe(one100); // five times the customers in one batch: the same statements
    expect(Number.isInteger(perBatch)).toBe(true);
    expect(perBatch).toBeGreaterThan(0);
    expect(five500).toBeLessThan(100); // one at a time would be several per customer
  });
});
