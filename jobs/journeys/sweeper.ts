// The queue is not the source of truth. Every so often the sweeper takes what PostgreSQL
// says is overdue — enrollments whose wake_at passed, messages queued or deferred and due,
// messages left in `sending` — and does the work itself. Each piece is idempotent under its
// own lock (row lock for enrollments, advisory lock for messages), so racing a live job, or
// another sweeper, costs a no-op and never a second send. Paused scopes and uninstalled
// shops are left alone.
import { NOT_PAUSED_SQL } from "./definitions";
import { handleJourneyEvent, JOURNEY_EVENT_NAMES } from "./events";
import { processEffect } from "./effects/run";
import { processMessage } from "./send";
import { processEnrollment } from "./step";
import { processEnrollments } from "./step-batch";
import { processMessages } from "./send-batch";
import type { JourneyDeps } from "./types";

export interface SweepResult {
  events: number;
  enrollments: number;
  messages: number;
  effects: number;
}

export async function sweepJourneys(deps: JourneyDeps, opts: { graceMs?: number; limit?: number; concurrency?: number } = {}): Promise<SweepResult> {
  const grace = opts.graceMs ?? 60_000;
  const limit = opts.limit ?? 200;
  const enrollments = await deps.db.query<{ shop_id: number; id: string }>(
    `select e.shop_id, e.id::text from enrollments e join shops s on s.id = e.shop_id and s.status = 'installed'
     where e.wake_at <= now() - make_interval(secs => $1::float8 / 1000) and e.status in ('active', 'waiting') and ${NOT_PAUSED_SQL("e", null)}
     order by e.wake_at limit $2`, [grace, limit],
  );
  const messages = await deps.db.query<{ shop_id: number; id: string }>(
    `select m.shop_id, m.id::text from messages m join shops s on s.id = m.shop_id and s.status = 'installed'
     where ((m.status = 'queued' and m.queued_at <= now() - make_interval(secs => $1::float8 / 1000))
         or (m.status = 'deferred' and m.deferred_until <= now() - make_interval(secs => $1::float8 / 1000))
         or m.status = 'sending')
       and ${NOT_PAUSED_SQL("m", "m.channel::text")}
     order by m.id limit $2`, [grace, limit],
  );
  // Webhook calls and merchant emails: due (first try or retry), or left `calling` by a crash.
  const effects = await deps.db.query<{ shop_id: number; id: string }>(
    `select f.shop_id, f.id::text from journey_effects f join shops s on s.id = f.shop_id and s.status = 'installed'
     where ((f.status in ('queued', 'retrying') and f.next_attempt_at <= now() - make_interval(secs => $1::float8 / 1000)) or f.status = 'calling')
       and ${NOT_PAUSED_SQL("f", null)}
     order by f.id limit $2`, [grace, limit],
  );
  // Recent journey-relevant events without a receipt: their job was lost or is stuck, or
  // still waits in a backlog. Newest first, so that in a backlog the sweep and the queue
  // (oldest first) work from opposite ends instead of racing for the same events.
  const events = await deps.db.query<{ shop_id: number; id: string }>(
    `select e.shop_id, e.id::text from shops s cross join lateral (
       select e.shop_id, e.id from events e
       where e.shop_id = s.id and e.occurred_at > now() - interval '1 day' and e.created_at <= now() - make_interval(secs => $1::float8 / 1000)
         and (e.name = any($3::text[]) or e.name in (
           select v.definition->'trigger'->>'name' from journeys j
           join journey_versions v on v.shop_id = j.shop_id and v.journey_id = j.id and v.version = j.live_version
           where j.shop_id = s.id and j.status = 'published'))
         and not exists (select 1 from journey_event_receipts r where r.shop_id = e.shop_id and r.event_id = e.id)
       order by e.id desc limit $2) e
     where s.status = 'installed' limit $2`, [grace, limit, [...JOURNEY_EVENT_NAMES]],
  );
  // Enrollments and messages go in batches per shop (one transaction each); with batching
  // off, one at a time.
  const batched = deps.batch !== false;
  const work: (() => Promise<unknown>)[] = [
    ...events.rows.map((r) => () => handleJourneyEvent(deps, r.shop_id, r.id)),
    ...(batched
      ? chunksByShop(enrollments.rows).map(([shopId, ids]) => () => processEnrollments(deps, shopId, ids))
      : enrollments.rows.map((r) => () => processEnrollment(deps, r.shop_id, r.id))),
    ...(batched
      ? chunksByShop(messages.rows).map(([shopId, ids]) => async () => {
        for (const outcome of (await processMessages(deps, shopId, ids)).values()) {
          if (outcome.kind === "failed" && outcome.fallbackMessageId) await processMessage(deps, shopId, outcome.fallbackMessageId);
        }
      })
      : messages.rows.map((r) => () => processMessage(deps, r.shop_id, r.id))),
    ...effects.rows.map((r) => () => processEffect(deps, r.shop_id, r.id)),
  ];
  await runPool(work, opts.concurrency ?? 4, deps);
  return { events: events.rows.length, enrollments: enrollments.rows.length, messages: messages.rows.length, effects: effects.rows.length };
}

async function runPool(work: (() => Promise<unknown>)[], concurrency: number, deps: JourneyDeps): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, work.length) }, async () => {
    while (next < work.length) {
      const job = work[next++];
      try {
        await job();
      } catch (e) {
        deps.logger?.error({ err: e }, "journey sweep item failed; the next sweep retries it");
      }
    }
  });
  await Promise.all(lanes);
}

const SWEEP_BATCH = 50;

function chunksByShop(rows: { shop_id: number; id: string }[]): [number, string[]][] {
  const byShop = new Map<number, string[]>();
  for (const r of rows) byShop.set(r.shop_id, [...(byShop.get(r.shop_id) ?? []), r.id]);
  const out: [number, string[]][] = [];
  for (const [shopId, ids] of byShop) for (let i = 0; i < ids.length; i += SWEEP_BATCH) out.push([shopId, ids.slice(i, i + SWEEP_BATCH)]);
  return out;
}
