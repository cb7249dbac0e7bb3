// The scheduled side of date triggers (birthday, first-order anniversary, expected next order
// passed, scheduled campaigns). Each tick covers the window (cursor, now] per shop: SQL narrows
// the customers to the few whose date can fall in it (or, for a campaign, groups the segment's
// members by their zone inputs so the pure core is asked once per zone, not per customer), the
// core decides the exact instant, and the fired customers enter in batches (events-batch.ts
// enterOccasions: one transaction per batch, locks in key order, the occasion rows written with
// the enrollments), so a rerun or an overlapping tick never enrolls twice. `batch: false`
// enters one at a time (enroll() then the first step), as the rest of the engine does.
import { fireInWindow, isDateTrigger, type DateFacts, type DateTrigger } from "../../core/journeys/date-triggers";
import { assertNever } from "../../core/result";
import { resolveTimeZone } from "../../core/governance/timezone";
import { forActiveShop } from "../shop-guard";
import { DEFAULT_BATCH } from "./coalesce";
import { enroll, publishedJourneys } from "./events";
import { enterOccasions } from "./events-batch";
import { processEnrollment } from "./step";
import { clock, type JourneyDeps } from "./types";

const DAY_MS = 86_400_000;
/** A first tick looks back this far; a long outage catches up at most a day (older occasions are stale). */
const FIRST_WINDOW_MS = 5 * 60_000;
const MAX_CATCH_UP_MS = DAY_MS;

export type DateTriggerOutcome = { from: Date; to: Date; fired: number; enrolled: number };

interface ZoneInputs { timezone: string | null; country: string | null; province: string | null }

export async function runDateTriggers(deps: JourneyDeps, shopId: number) {
  return forActiveShop(deps.db, shopId, () => tick(deps, shopId));
}

/** Every installed shop (the maintenance schedule calls this every 5 minutes). */
export async function runDateTriggersAllShops(deps: JourneyDeps): Promise<number> {
  const shops = await deps.db.query<{ id: number }>(`select id from shops where status = 'installed' order by id`);
  let enrolled = 0;
  for (const s of shops.rows) {
    const r = await runDateTriggers(deps, s.id);
    if (r.ran) enrolled += r.result.enrolled;
  }
  return enrolled;
}

async function tick(deps: JourneyDeps, shopId: number): Promise<DateTriggerOutcome> {
  const now = clock(deps);
  const c = await deps.db.query<{ ran_to: Date | null; shop_tz: string }>(
    `select k.ran_to, s.timezone as shop_tz from shops s left join journey_trigger_cursors k on k.shop_id = s.id where s.id = $1`, [shopId],
  );
  const shopTz = c.rows[0]?.shop_tz ?? "UTC";
  const from = new Date(Math.max(c.rows[0]?.ran_to?.getTime() ?? now.getTime() - FIRST_WINDOW_MS, now.getTime() - MAX_CATCH_UP_MS));
  const out: DateTriggerOutcome = { from, to: now, fired: 0, enrolled: 0 };
  if (from.getTime() >= now.getTime()) return out;

  for (const j of await publishedJourneys(deps.db, shopId)) {
    const trigger = j.journey.trigger;
    if (!isDateTrigger(trigger)) continue;
    const fires = await firesFor(deps, shopId, shopTz, trigger, from, now);
    out.fired += fires.length;
    if (deps.batch !== false) {
      out.enrolled += await enterOccasions(deps, shopId, j, fires, (deps.batch ?? DEFAULT_BATCH).max);
      continue;
    }
    for (const f of fires) {
      const id = await enroll(deps, shopId, j.id, j.version, j.journey, f.customerId, `occasion:${f.occasion}`, f.occasion);
      if (!id) continue;
      out.enrolled++;
      await processEnrollment(deps, shopId, id); // first step now; the sweeper covers a crash here
    }
  }
  // Moved forward only after the window's enrollments are written; a crash reruns it harmlessly.
  await deps.db.query(
    `insert into journey_trigger_cursors (shop_id, ran_to) values ($1, $2)
     on conflict (shop_id) do update set ran_to = greatest(journey_trigger_cursors.ran_to, excluded.ran_to)`, [shopId, now],
  );
  return out;
}

const zoneOf = (z: ZoneInputs, shopTz: string) =>
  resolveTimeZone(z.timezone ?? undefined, { countryCode: z.country ?? undefined, provinceCode: z.province ?? undefined }, shopTz).zone;

/** UTC month-days two days either side of the window: every zone's local date (and a local first-order date) is within them. */
function monthDaysAround(from: Date, to: Date): string[] {
  const out = new Set<string>();
  for (let t = from.getTime() - 2 * DAY_MS; t <= to.getTime() + 2 * DAY_MS; t += DAY_MS) out.add(new Date(t).toISOString().slice(5, 10));
  out.add(new Date(to.getTime() + 2 * DAY_MS).toISOString().slice(5, 10));
  if (out.has("02-28")) out.add("02-29"); // Feb 29 dates fall on Feb 28 in common years
  return [...out];
}

async function firesFor(
  deps: JourneyDeps, shopId: number, shopTz: string, trigger: DateTrigger, from: Date, to: Date,
): Promise<{ customerId: string; occasion: string }[]> {
  type Row = ZoneInputs & { id: string; birthday: string | null; first_order_at: Date | null; expected_next_order_at: Date | null };
  const perCustomer = (rows: Row[]) => rows.flatMap((r) => {
    const facts: DateFacts = { birthday: r.birthday, firstOrderAt: r.first_order_at, expectedNextOrderAt: r.expected_next_order_at };
    const f = fireInWindow(trigger, facts, zoneOf(r, shopTz), from, to);
    return f ? [{ customerId: r.id, occasion: f.occasion }] : [];
  });
  const cols = `c.id::text, c.timezone, c.country, c.province`;
  switch (trigger.kind) {
    case "birthday": {
      const r = await deps.db.query<Row>(
        `select ${cols}, to_char(c.birthday, 'YYYY-MM-DD') as birthday, null as first_order_at, null as expected_next_order_at
         from customers c where c.shop_id = $1 and c.merged_into_id is null and c.birthday is not null and to_char(c.birthday, 'MM-DD') = any($2::text[])`,
        [shopId, monthDaysAround(from, to)],
      );
      return perCustomer(r.rows);
    }
    case "first_order_anniversary": {
      const r = await deps.db.query<Row>(
        `select ${cols}, null as birthday, s.first_order_at, null as expected_next_order_at
         from customer_scores s join customers c on c.shop_id = s.shop_id and c.id = s.customer_id
         where s.shop_id = $1 and c.merged_into_id is null and s.first_order_at is not null
           and to_char(s.first_order_at at time zone 'UTC', 'MM-DD') = any($2::text[]) and s.first_order_at < $3`,
        [shopId, monthDaysAround(from, to), new Date(to.getTime() - 300 * DAY_MS)],
      );
      return perCustomer(r.rows);
    }
    case "expected_next_order_passed": {
      const r = await deps.db.query<Row>(
        `select ${cols}, null as birthday, null as first_order_at, s.expected_next_order_at
         from customer_scores s join customers c on c.shop_id = s.shop_id and c.id = s.customer_id
         where s.shop_id = $1 and c.merged_into_id is null
           and s.expected_next_order_at + make_interval(days => $2) > $3 and s.expected_next_order_at + make_interval(days => $2) <= $4`,
        [shopId, trigger.graceDays, from, to],
      );
      return perCustomer(r.rows);
    }
    case "scheduled_campaign": {
      if (!/^\d+$/.test(trigger.segmentId)) return [];
      // One core call per distinct zone input, then the firing groups' members in one query.
      const groups = await deps.db.query<ZoneInputs>(
        `select distinct c.timezone, c.country, c.province from segment_memberships m
         join customers c on c.shop_id = m.shop_id and c.id = m.customer_id
         where m.shop_id = $1 and m.segment_id = $2 and c.merged_into_id is null`, [shopId, trigger.segmentId],
      );
      const firing: (ZoneInputs & { occasion: string })[] = [];
      for (const g of groups.rows) {
        const f = fireInWindow(trigger, {}, zoneOf(g, shopTz), from, to);
        if (f) firing.push({ ...g, occasion: f.occasion });
      }
      if (firing.length === 0) return [];
      const r = await deps.db.query<{ id: string; occasion: string }>(
        `select c.id::text, f.occasion from segment_memberships m
         join customers c on c.shop_id = m.shop_id and c.id = m.customer_id
         join jsonb_to_recordset($3::jsonb) as f(timezone text, country text, province text, occasion text)
           on c.timezone is not distinct from f.timezone and c.country is not distinct from f.country and c.province is not distinct from f.province
         where m.shop_id = $1 and m.segment_id = $2 and c.merged_into_id is null order by c.id`,
        [shopId, trigger.segmentId, JSON.stringify(firing)],
      );
      return r.rows.map((x) => ({ customerId: x.id, occasion: x.occasion }));
    }
    default:
      return assertNever(trigger, "date trigger");
  }
}

