// The shop's governance settings (core/governance/schema.ts): frequency caps, smart sending,
// the shop's SMS window and the conflict rules, stored in shops.settings.governance. Reading
// fills the product defaults in; saving validates with the same schema the engine parses
// (shapes and rules alike: the SMS window's "start before end" is the schema's),
// writes only the governance key (the rest of the settings are other concepts') and records
// who changed what in the audit log.
import type pg from "pg";
import { GovernanceSettingsSchema, type GovernanceSettings } from "../../core/governance/schema";
import { err, ok, type Result } from "../../core/result";
import { withTransaction } from "../db.server";
import { recentAudit } from "./audit.server";

export interface GovernanceProblem {
  /** Dotted path in the settings: "caps.email.max", "quietHours.sms". */
  path: string;
  message: string;
}

const stored = (settings: unknown): unknown => (settings as { governance?: unknown } | null)?.governance ?? {};

/** The settings the engine applies to this shop: what was saved, defaults for the rest. */
export async function shopGovernance(db: pg.Pool, shopId: number): Promise<GovernanceSettings> {
  const r = await db.query<{ settings: unknown }>(`select settings from shops where id = $1`, [shopId]);
  const parsed = GovernanceSettingsSchema.safeParse(stored(r.rows[0]?.settings));
  // What the engine would refuse to parse is not applied by it either: show the defaults.
  return parsed.success ? parsed.data : GovernanceSettingsSchema.parse({});
}

export async function saveGovernance(
  db: pg.Pool, shopId: number, input: unknown, actor: string,
): Promise<Result<GovernanceSettings, GovernanceProblem[]>> {
  const parsed = GovernanceSettingsSchema.safeParse(input);
  // Every rule, the SMS window's included, is the schema's: the engine parses the same.
  if (!parsed.success) return err(parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
  return withTransaction(db, async (client) => {
    const cur = await client.query<{ settings: unknown }>(`select settings from shops where id = $1 for update`, [shopId]);
    if (!cur.rows[0]) return err([{ path: "", message: "shop not found" }]);
    const before = stored(cur.rows[0].settings);
    await client.query(
      `update shops set settings = jsonb_set(coalesce(settings, '{}'::jsonb), '{governance}', $2::jsonb) where id = $1`,
      [shopId, JSON.stringify(parsed.data)],
    );
    await client.query(
      `insert into audit_log (shop_id, actor, action, entity, entity_id, before, after) values ($1, $2, 'update', 'governance', null, $3, $4)`,
      [shopId, actor, JSON.stringify(before), JSON.stringify(parsed.data)],
    );
    return ok(parsed.data);
  });
}

const SECTIONS = ["caps", "smartSendingMs", "quietHours", "conflicts"] as const;

/** The latest saves: who, when, and which sections of the effective settings they changed. */
export async function governanceHistory(db: pg.Pool, shopId: number, limit = 5): Promise<{ when: string; actor: string; changed: string[] }[]> {
  const effective = (v: unknown) => { const p = GovernanceSettingsSchema.safeParse(v ?? {}); return p.success ? p.data : null; };
  return (await recentAudit(db, shopId, "governance", limit)).map((a) => {
    const before = effective(a.before), after = effective(a.after);
    const changed = SECTIONS.filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]));
    return { when: a.when, actor: a.actor, changed };
  });
}
