// Emergency pause per shop, per journey, per channel. While paused nothing in scope is
// stepped or sent (conversions and exits still apply). On resume the waits that expired and
// the sends held during the pause follow the merchant's policy:
//   send_now    carry on at once;
//   skip        drop the held sends (suppressed, reason paused) and carry on from the wait;
//   reschedule  shift the expired waits and held sends by the length of the pause.
import type pg from "pg";
import { withTransaction } from "../../app/db.server";
import { enqueueSend, enqueueStep } from "./queue";
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
  // Fresh job ids: jobs that ran during the pause (and did nothing) are kept as completed.
  const suffix = `-r${now.getTime()}`;
  for (const e of todo.enrollments) await enqueueStep(deps.qs, shopId, e.id, e.lock_version, e.wake_at, now, suffix);
  for (const m of todo.messages) await enqueueSend(deps.qs, shopId, m.id, m.at, now, suffix);
  return { resumed: true, policy: todo.policy, enrollments: todo.enrollments.length, messages: todo.messages.length };
}
