// Published journey versions are immutable, so a process may keep them once read.
import type pg from "pg";
import { JourneySchema, type Journey } from "../../core/journeys/schema";

type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

const cache = new Map<string, Journey>();

export async function journeyVersion(db: Queryable, shopId: number, journeyId: string, version: number): Promise<Journey | null> {
  const key = `${shopId}:${journeyId}:${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const r = await db.query<{ definition: unknown }>(
    `select definition from journey_versions where shop_id = $1 and journey_id = $2 and version = $3`, [shopId, journeyId, version],
  );
  if (!r.rows[0]) return null;
  const journey = JourneySchema.parse(r.rows[0].definition);
  cache.set(key, journey);
  return journey;
}

export interface PauseScope {
  journeyId?: string | null;
  channel?: string | null;
}

/** Is anything in this scope paused (the shop, the journey, or the channel)? */
export async function isPaused(db: Queryable, shopId: number, scope: PauseScope): Promise<boolean> {
  const r = await db.query(
    `select 1 from journey_pauses where shop_id = $1 and (scope = 'shop'
       or (scope = 'journey' and target = $2) or (scope = 'channel' and target = $3)) limit 1`,
    [shopId, scope.journeyId ?? null, scope.channel ?? null],
  );
  return (r.rowCount ?? 0) > 0;
}

/** SQL fragment (for set-based sweeps): no pause covers row alias `e`/`m` of this shop. */
export const NOT_PAUSED_SQL = (alias: string, channelExpr: string | null) => `not exists (
  select 1 from journey_pauses p where p.shop_id = ${alias}.shop_id and (p.scope = 'shop'
    or (p.scope = 'journey' and p.target = ${alias}.journey_id::text)
    ${channelExpr ? `or (p.scope = 'channel' and p.target = ${channelExpr})` : ""}))`;

export async function raiseAlert(
  db: Queryable, shopId: number,
  alert: { kind: string; message: string; details?: Record<string, unknown>; dedupeKey?: string; severity?: string; customerId?: string },
): Promise<void> {
  await db.query(
    // Raising an open alert again is a no-op; raising one the merchant resolved opens it again.
    `insert into alerts (shop_id, kind, severity, message, details, dedupe_key, customer_id) values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (shop_id, dedupe_key) do update
       set resolved_at = null, created_at = now(), message = excluded.message, details = excluded.details, severity = excluded.severity
       where alerts.resolved_at is not null`,
    [shopId, alert.kind, alert.severity ?? "warning", alert.message, JSON.stringify(alert.details ?? {}), alert.dedupeKey ?? null, alert.customerId ?? null],
  );
}
