// Emergency pause per shop, per journey, per channel. While paused nothing in scope is
// stepped or sent (conversions and exits still apply). On resume the waits that expired and
// the sends held during the pause follow the merchant's policy:
//   send_now    carry on at once;
//   skip        drop the held sends (suppressed, reason paused), and for waits that expired
//               during the pause drop the sends that came due with them: the enrollment
//               steps on (updates, webhooks, the next wait) but those messages are
//               suppressed (reason paused, policy skip);
//   reschedule  shift the expired waits and held sends by the length of the pause.
import type pg from "pg";
import { withTransaction } from "../../app/db.server";
import type { QueueSystem } from "../queues";
import { enqueueSend, enqueueStep, type JourneyJob } from "./queue";
import { processEnrollment } from "./step";
import { clock, type JourneyDeps } from "./types";

export type PauseScopeKind = "shop" | "journey" | "channel";
export type ResumePolicy = "send_now" | "skip" | "reschedule";

export async function pauseJourneys(
  db: pg.Pool, shopId: number, scope: PauseScopeKind, target: string, opts: { policy?: ResumePolicy; actor?: string; now?: Date } = {},
): Promise<void> {
  await db.query(
    `insert into journey_pauses (shop_id, scope, target, policy, paused_at, paused_by) values ($1, $2, $3, $4, $5, $6)
     on conflict (shop_id, scope, target) do update set policy = excluded.policy`,
    [shopId, scope, scope === "shop" ? "" : target, opts.policy ?? "send_now", opts.now ?? new Date(), opts.actor ?? null],
  );
  await db.query(
    `insert into audit_log (shop_id, actor, action, entity, entity_id, after) values ($1, $2, 'pause', 'journey_pause', $3, $4)`,
    [shopId, opts.actor ?? "system", `${scope}:${target}`, JSON.stringify({ policy: opts.policy ?? "send_now" })],
  );
}

export interface ResumeResult {
  resumed: boolean;
  policy: ResumePolicy;
  enrollments: number;
  messages: number;
}

export async function resumeJourneys(
  deps: JourneyDeps, shopId: number, scope: PauseScopeKind, target: string, opts: { policy?: ResumePolicy; actor?: string } = {},
): Promise<ResumeResult> {
  const now = clock(deps);
  const t = scope === "shop" ? "" : target;
  let skipped: string[] = [];
  const todo = await withTransaction(deps.db, async (client) => {
    const del = await client.query<{ paused_at: Date; policy: ResumePolicy }>(
      `delete from journey_pauses where shop_id = $1 and scope = $2 and target = $3 returning paused_at, policy`, [shopId, scope, t],
    );
    const row = del.rows[0];
    if (!row) return null;
    const policy = opts.policy ?? row.policy;
    const shiftMs = Math.max(0, now.getTime() - row.paused_at.getTime());
    // Scope filters for enrollments (e) and messages (m).
    const eScope = scope === "journey" ? `and e.journey_id::text = $2` : scope === "channel" ? `and $2::text is null` : `and $2::text = $2::text`;
    const mScope = scope === "journey" ? `and m.journey_id::text = $2` : scope === "channel" ? `and m.channel::text = $2` : `and $2::text = $2::text`;
    if (policy === "reschedule") {
      await client.query(
        `update enrollments e set wake_at = e.wake_at + make_interval(secs => $3::float8 / 1000),
                state = jsonb_set(e.state, '{wakeAt}', to_jsonb(to_char((e.wake_at + make_interval(secs => $3::float8 / 1000)) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
         where e.shop_id = $1 and e.status = 'waiting' and e.wake_at >= $4 and e.wake_at <= $5 ${eScope}`,
        [shopId, t, shiftMs, row.paused_at, now],
      );
      await client.query(
        `update messages m set status = 'deferred', deferred_until = coalesce(m.deferred_until, m.queued_at) + make_interval(secs => $3::float8 / 1000),
                reason = jsonb_build_object('kind', 'paused', 'policy', 'reschedule')
         where m.shop_id = $1 and m.status in ('queued', 'deferred') and coalesce(m.deferred_until, m.queued_at) <= $4 ${mScope}`,
        [shopId, t, shiftMs, now],
      );
    } else if (policy === "skip") {
      await client.query(
        `update messages m set status = 'suppressed', reason = jsonb_build_object('kind', 'paused', 'policy', 'skip')
         where m.shop_id = $1 and m.status in ('queued', 'deferred') and coalesce(m.deferred_until, m.queued_at) <= $3 ${mScope}`,
        [shopId, t, now],
      );
      // Waits that expired during the pause are stepped below with their sends dropped. Their
      // wake_at is leased forward meanwhile so the sweeper leaves them to us; if this process
      // dies first, the lease runs out and they carry on as with send_now (never lost).
      if (scope !== "channel") {
        const expired = await client.query<{ id: string }>(
          `update enrollments e set wake_at = $5::timestamptz + interval '10 minutes'
           where e.shop_id = $1 and e.status = 'waiting' and e.wake_at >= $3 and e.wake_at <= $4 ${eScope} returning e.id::text`,
          [shopId, t, row.paused_at, now, now],
        );
        skipped = expired.rows.map((x) => x.id);
      }
    }
    await client.query(
      `insert into audit_log (shop_id, actor, action, entity, entity_id, after) values ($1, $2, 'resume', 'journey_pause', $3, $4)`,
      [shopId, opts.actor ?? "system", `${scope}:${t}`, JSON.stringify({ policy, pausedMs: shiftMs })],
    );
    const enrollments = await client.query<{ id: string; lock_version: number; wake_at: Date }>(
      `select e.id::text, e.lock_version, e.wake_at from enrollments e where e.shop_id = $1 and e.status in ('active', 'waiting') and e.wake_at is not null ${eScope}`, [shopId, t],
    );
    const messages = await client.query<{ id: string; at: Date }>(
      `select m.id::text, coalesce(m.deferred_until, m.queued_at) as at from messages m where m.shop_id = $1 and m.status in ('queued', 'deferred') ${mScope}`, [shopId, t],
    );
    return { policy, enrollments: enrollments.rows, messages: messages.rows };
  });
  if (!todo) return { resumed: false, policy: opts.policy ?? "send_now", enrollments: 0, messages: 0 };
  if (skipped.length > 0) await stepSkippingSends(deps, shopId, skipped, now);
  // Fresh job ids: jobs that ran during the pause (and did nothing) are kept as completed.
  const suffix = `-r${now.getTime()}`;
  for (const e of todo.enrollments) await enqueueStep(deps.qs, shopId, e.id, e.lock_version, e.wake_at, now, suffix);
  for (const m of todo.messages) await enqueueSend(deps.qs, shopId, m.id, m.at, now, suffix);
  return { resumed: true, policy: todo.policy, enrollments: todo.enrollments.length, messages: todo.messages.length };
}

/**
 * Steps each enrollment on from its expired wait with its new sends handed to nobody (the
 * queue drops send jobs, nothing runs inline), then suppresses those sends.
 */
async function stepSkippingSends(deps: JourneyDeps, shopId: number, enrollmentIds: string[], now: Date): Promise<void> {
  const quiet: JourneyDeps = { ...deps, inline: false, qs: withoutSendJobs(deps.qs) };
  for (const id of enrollmentIds) {
    await processEnrollment(quiet, shopId, id);
    await deps.db.query(
      `update messages set status = 'suppressed', reason = jsonb_build_object('kind', 'paused', 'policy', 'skip', 'expiredWait', true)
       where shop_id = $1 and enrollment_id = $2 and status = 'queued' and queued_at >= $3`, [shopId, id, now],
    );
  }
}

function withoutSendJobs(qs: QueueSystem): QueueSystem {
  return new Proxy(qs, {
    get(target, prop, receiver) {
      if (prop !== "queue") return Reflect.get(target, prop, receiver);
      return (name: string) => {
        const q = target.queue<JourneyJob>(name);
        return new Proxy(q, {
          get(qt, p, r) {
            if (p === "add") {
              return (n: string, data: JourneyJob, o?: unknown) => (data?.kind === "send" ? Promise.resolve(undefined) : (qt.add as (...a: unknown[]) => unknown)(n, data, o));
            }
            const v = Reflect.get(qt, p, r) as unknown;
            return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(qt) : v;
          },
        });
      };
    },
  });
}
