// What an opt-out does to journeys, for any number of customers at once, inside the caller's
// transaction: the single consent paths (events.ts removeFromJourneysOnChannel) and bulk
// imports (connectors/ingest) run the same statements. No other imports, so the ingest path
// can use it without loading the engine.
import type pg from "pg";

/**
 * Ends every active enrollment of these customers in a journey that sends on `channel`,
 * drops their held messages on it and closes the enrollments' open steps. Returns how many
 * enrollments ended.
 */
export async function endJourneysOnChannel(
  client: pg.PoolClient, shopId: number, customerIds: readonly string[], channel: string, now: Date,
): Promise<number> {
  if (customerIds.length === 0) return 0;
  const ended = await client.query(
    `update enrollments e set status = 'exited', wake_at = null, ended_at = $4, lock_version = e.lock_version + 1,
            state = e.state || jsonb_build_object('status', 'exited', 'wakeAt', null, 'waitingForEvent', null,
              'exitReason', jsonb_build_object('kind', 'exit_criteria', 'criterion', jsonb_build_object('kind', 'unsubscribed'), 'channel', $3::text))
     from journey_versions v
     where e.shop_id = $1 and e.customer_id = any($2::bigint[]) and e.status in ('active', 'waiting')
       and v.shop_id = e.shop_id and v.journey_id = e.journey_id and v.version = e.journey_version
       and exists (select 1 from jsonb_array_elements(v.definition->'nodes') n where n->>'type' = 'send' and n->>'channel' = $3::text)`,
    [shopId, customerIds, channel, now],
  );
  await client.query(
    `update messages set status = 'suppressed', reason = jsonb_build_object('kind', 'consent', 'channel', $3::text, 'optedOut', true)
     where shop_id = $1 and customer_id = any($2::bigint[]) and channel = $3::"MessageChannel" and status in ('queued', 'deferred')`,
    [shopId, customerIds, channel],
  );
  await client.query(
    `update journey_steps s set completed_at = $3, outcome = 'opted_out' from enrollments e
     where s.shop_id = $1 and s.completed_at is null and e.shop_id = s.shop_id and e.id = s.enrollment_id
       and e.customer_id = any($2::bigint[]) and e.ended_at = $3`, [shopId, customerIds, now],
  );
  return ended.rowCount ?? 0;
}
