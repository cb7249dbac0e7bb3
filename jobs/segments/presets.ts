// Ready-made segments (core/segments/presets.ts) as rows of one shop, keyed by template_key:
// installing twice changes nothing, and a merchant's edits or archiving are kept.
import type pg from "pg";
import { PRESET_SEGMENTS } from "../../core/segments";

/** Returns the ids of the rows created now (empty when all were there already). */
export async function installPresetSegments(db: pg.Pool | pg.PoolClient, shopId: number): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `insert into segments (shop_id, name, definition, template_key)
     select $1, u.name, u.definition, u.key from unnest($2::text[], $3::jsonb[], $4::text[]) as u(name, definition, key)
     on conflict (shop_id, template_key) do nothing
     returning id::text`,
    [shopId, PRESET_SEGMENTS.map((p) => p.name), PRESET_SEGMENTS.map((p) => JSON.stringify(p.tree)), PRESET_SEGMENTS.map((p) => p.key)],
  );
  return r.rows.map((x) => x.id);
}
