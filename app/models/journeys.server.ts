// Journeys as the merchant manages them: drafts, publishing (validated by
// core/journeys/validate.ts into an immutable journey_versions row), restoring an earlier
// version, installing the ready-made templates, and the emergency pause.
import type pg from "pg";
import { JOURNEY_TEMPLATES } from "../../core/journeys/templates";
import { diffDrafts, isUnchanged } from "../../core/journeys/draft-diff";
import { notifyTemplateErrors } from "../../core/journeys/notify";
import { validateJourney, type ValidationError } from "../../core/journeys/validate";
import { err, ok, type Result } from "../../core/result";
import { migrateJourneyEnrollments, type MigrationResult } from "../../jobs/journeys/migrate";
import { pauseJourneys, resumeJourneys, type PauseScopeKind, type ResumePolicy } from "../../jobs/journeys/pause";
import type { JourneyDeps } from "../../jobs/journeys/types";
import { allowsLocalhostWebhooks } from "../config.server";
import { withTransaction } from "../db.server";

export type PublishError = { kind: "not_found" } | { kind: "invalid"; errors: ValidationError[] };

export async function createJourney(db: pg.Pool, shopId: number, input: { name: string; draft: unknown; templateKey?: string }): Promise<string> {
  const r = await db.query<{ id: string }>(
    `insert into journeys (shop_id, name, draft, template_key, updated_at) values ($1, $2, $3, $4, now()) returning id::text`,
    [shopId, input.name, JSON.stringify(input.draft), input.templateKey ?? null],
  );
  return r.rows[0].id;
}

/**
 * Saves the draft and records who changed what in the audit log (the previous draft in
 * `before`, the changed fields and nodes in `after`). A save that changes nothing writes
 * nothing. False when the journey is not this shop's.
 */
export async function updateJourneyDraft(db: pg.Pool, shopId: number, journeyId: string, draft: unknown, actor: string): Promise<boolean> {
  return withTransaction(db, async (client) => {
    const cur = await client.query<{ draft: unknown }>(`select draft from journeys where shop_id = $1 and id = $2 for update`, [shopId, journeyId]);
    if (!cur.rows[0]) return false;
    const changes = diffDrafts(cur.rows[0].draft, draft);
    if (isUnchanged(changes)) return true;
    await client.query(`update journeys set draft = $3, updated_at = now() where shop_id = $1 and id = $2`, [shopId, journeyId, JSON.stringify(draft)]);
    await client.query(
      `insert into audit_log (shop_id, actor, action, entity, entity_id, before, after) values ($1, $2, 'save_draft', 'journey', $3, $4, $5)`,
      [shopId, actor, journeyId, JSON.stringify({ draft: cur.rows[0].draft }), JSON.stringify({ changes })],
    );
    return true;
  });
}

/** Validate the draft and make it the live version. Customers already inside keep theirs. */
export async function publishJourney(db: pg.Pool, shopId: number, journeyId: string, actor: string): Promise<Result<{ version: number }, PublishError>> {
  return withTransaction(db, async (client) => {
    const j = await client.query<{ draft: Record<string, unknown>; name: string; live_version: number | null }>(
      `select draft, name, live_version from journeys where shop_id = $1 and id = $2 for update`, [shopId, journeyId],
    );
    const row = j.rows[0];
    if (!row) return err({ kind: "not_found" as const });
    return writeVersion(client, shopId, journeyId, { ...row.draft, name: row.draft.name ?? row.name }, row.live_version, actor, "publish");
  });
}

/** Make an earlier version live again, as a new version (history stays immutable). */
export async function restoreJourneyVersion(
  db: pg.Pool, shopId: number, journeyId: string, version: number, actor: string,
): Promise<Result<{ version: number }, PublishError>> {
  return withTransaction(db, async (client) => {
    const j = await client.query<{ live_version: number | null }>(`select live_version from journeys where shop_id = $1 and id = $2 for update`, [shopId, journeyId]);
    const v = await client.query<{ definition: Record<string, unknown> }>(
      `select definition from journey_versions where shop_id = $1 and journey_id = $2 and version = $3`, [shopId, journeyId, version],
    );
    if (!j.rows[0] || !v.rows[0]) return err({ kind: "not_found" as const });
    await client.query(`update journeys set draft = $3 where shop_id = $1 and id = $2`, [shopId, journeyId, JSON.stringify(v.rows[0].definition)]);
    return writeVersion(client, shopId, journeyId, v.rows[0].definition, j.rows[0].live_version, actor, "restore", version);
  });
}

export async function writeVersion(
  client: pg.PoolClient, shopId: number, journeyId: string, draft: Record<string, unknown>, before: number | null,
  actor: string, action: "publish" | "restore", restoredFrom?: number,
): Promise<Result<{ version: number }, PublishError>> {
  const max = await client.query<{ v: number }>(`select coalesce(max(version), 0)::int as v from journey_versions where shop_id = $1 and journey_id = $2`, [shopId, journeyId]);
  const version = max.rows[0].v + 1;
  // The definition names its row: the interpreter checks enrollments against id@version.
  const validated = validateJourney({ ...draft, id: journeyId, version }, { allowLocalhostWebhooks: allowsLocalhostWebhooks() });
  if (!validated.ok) return err({ kind: "invalid" as const, errors: validated.error });
  const templates = notifyTemplateErrors(validated.value);
  if (templates.length > 0) return err({ kind: "invalid" as const, errors: templates });
  await client.query(
    `insert into journey_versions (shop_id, journey_id, version, definition, published_by) values ($1, $2, $3, $4, $5)`,
    [shopId, journeyId, version, JSON.stringify(validated.value), actor],
  );
  await client.query(
    `update journeys set live_version = $3, status = 'published', updated_at = now() where shop_id = $1 and id = $2`, [shopId, journeyId, version],
  );
  await client.query(
    `insert into audit_log (shop_id, actor, action, entity, entity_id, before, after) values ($1, $2, $3, 'journey', $4, $5, $6)`,
    [shopId, actor, action, journeyId, JSON.stringify({ liveVersion: before }), JSON.stringify({ liveVersion: version, ...(restoredFrom ? { restoredFrom } : {}) })],
  );
  return ok({ version });
}

/** Install the ready-made journeys as drafts (once per shop; a repeat installs nothing). */
export async function installJourneyTemplates(db: pg.Pool, shopId: number): Promise<number> {
  let installed = 0;
  for (const t of JOURNEY_TEMPLATES) {
    const r = await db.query(
      `insert into journeys (shop_id, name, draft, template_key, updated_at) values ($1, $2, $3, $4, now())
       on conflict (shop_id, template_key) do nothing`, [shopId, t.name, JSON.stringify(t), t.id],
    );
    installed += r.rowCount ?? 0;
  }
  return installed;
}

export async function listJourneyVersions(db: pg.Pool, shopId: number, journeyId: string) {
  const r = await db.query<{ version: number; published_at: Date; published_by: string | null }>(
    `select version, published_at, published_by from journey_versions where shop_id = $1 and journey_id = $2 order by version`, [shopId, journeyId],
  );
  return r.rows;
}

export function pause(db: pg.Pool, shopId: number, scope: PauseScopeKind, target: string, opts: { policy?: ResumePolicy; actor?: string } = {}) {
  return pauseJourneys(db, shopId, scope, target, opts);
}

export function resume(deps: JourneyDeps, shopId: number, scope: PauseScopeKind, target: string, opts: { policy?: ResumePolicy; actor?: string } = {}) {
  return resumeJourneys(deps, shopId, scope, target, opts);
}

/** Customers still running on a version older than the live one. */
export async function runningOnOlderVersions(db: pg.Pool, shopId: number, journeyId: string): Promise<number> {
  const r = await db.query<{ n: number }>(
    `select count(*)::int as n from enrollments e join journeys j on j.shop_id = e.shop_id and j.id = e.journey_id
     where e.shop_id = $1 and e.journey_id = $2 and e.status in ('active', 'waiting') and e.journey_version < j.live_version`, [shopId, journeyId],
  );
  return r.rows[0]?.n ?? 0;
}

/** The merchant's request: move running customers to the live version (jobs/journeys/migrate.ts). */
export function migrateToLiveVersion(
  db: pg.Pool, shopId: number, journeyId: string, actor: string, nodeMap?: Record<string, string>,
): Promise<MigrationResult | null> {
  return migrateJourneyEnrollments({ db }, shopId, journeyId, { actor, ...(nodeMap ? { nodeMap } : {}) });
}
