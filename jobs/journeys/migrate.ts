// The merchant's "move customers to the new version": every running enrollment of the journey
// on an older version is moved by core/journeys/migrate.ts under its row lock (the same lock
// every step takes, so a step and a move never interleave). The wait already scheduled keeps
// its wake_at, so queued step jobs and the sweeper carry on unchanged; a move to another node
// closes the old node's step-log row ("migrated") and opens the new one. One audit entry.
import type pg from "pg";
import { withTransaction } from "../../app/db.server";
import type { EnrollmentState } from "../../core/journeys/enrollment";
import { migrateEnrollment, type KeepReason } from "../../core/journeys/migrate";
import { journeyVersion } from "./definitions";
import { clock, type JourneyDeps } from "./types";

export interface MigrationResult {
  toVersion: number;
  migrated: number;
  kept: Partial<Record<KeepReason, number>>;
}

export async function migrateJourneyEnrollments(
  deps: Pick<JourneyDeps, "db" | "now">, shopId: number, journeyId: string,
  opts: { toVersion?: number; nodeMap?: Record<string, string>; actor?: string } = {},
): Promise<MigrationResult | null> {
  const now = clock(deps);
  const j = await deps.db.query<{ live_version: number | null }>(`select live_version from journeys where shop_id = $1 and id = $2`, [shopId, journeyId]);
  const toVersion = opts.toVersion ?? j.rows[0]?.live_version ?? null;
  if (toVersion === null) return null;
  const to = await journeyVersion(deps.db, shopId, journeyId, toVersion);
  if (!to) return null;
  const ids = await deps.db.query<{ id: string }>(
    `select id::text from enrollments where shop_id = $1 and journey_id = $2 and journey_version < $3 and status in ('active', 'waiting') order by id`,
    [shopId, journeyId, toVersion],
  );
  const result: MigrationResult = { toVersion, migrated: 0, kept: {} };
  for (const { id } of ids.rows) {
    const moved = await withTransaction(deps.db, (client) => migrateOne(client, shopId, id, to, opts.nodeMap ?? {}, now));
    if (moved === true) result.migrated++;
    else if (moved) result.kept[moved] = (result.kept[moved] ?? 0) + 1;
  }
  await deps.db.query(
    `insert into audit_log (shop_id, actor, action, entity, entity_id, after) values ($1, $2, 'migrate', 'journey', $3, $4)`,
    [shopId, opts.actor ?? "system", journeyId, JSON.stringify({ ...result, ...(opts.nodeMap ? { nodeMap: opts.nodeMap } : {}) })],
  );
  return result;
}

async function migrateOne(
  client: pg.PoolClient, shopId: number, id: string, to: NonNullable<Awaited<ReturnType<typeof journeyVersion>>>,
  nodeMap: Record<string, string>, now: Date,
): Promise<true | KeepReason | null> {
  const r = await client.query<{ journey_id: string; journey_version: number; state: EnrollmentState }>(
    `select journey_id::text, journey_version, state from enrollments where shop_id = $1 and id = $2 for update`, [shopId, id],
  );
  const row = r.rows[0];
  if (!row) return null;
  const from = await journeyVersion(client, shopId, row.journey_id, row.journey_version);
  if (!from) return "node_removed";
  const d = migrateEnrollment(row.state, from, to, nodeMap);
  if (d.kind === "keep") return d.reason;
  await client.query(
    `update enrollments set journey_version = $3, state = $4, lock_version = lock_version + 1 where shop_id = $1 and id = $2`,
    [shopId, id, to.version, JSON.stringify(d.state)],
  );
  if (d.movedFrom && d.movedTo && d.movedFrom !== d.movedTo) {
    await client.query(
      `update journey_steps set completed_at = $5, outcome = 'migrated'
       where shop_id = $1 and enrollment_id = $2 and node_id = $3 and visit = $4 and completed_at is null`,
      [shopId, id, d.movedFrom, row.state.visits[d.movedFrom] ?? 1, now],
    );
    await client.query(
      `insert into journey_steps (shop_id, enrollment_id, node_id, visit, entered_at) values ($1, $2, $3, $4, $5) on conflict do nothing`,
      [shopId, id, d.movedTo, d.state.visits[d.movedTo], now],
    );
  }
  return true;
}
