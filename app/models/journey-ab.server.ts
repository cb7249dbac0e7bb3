// Adopting an A/B winner in one click: the live version minus the split (core/journeys/
// adopt-variant.ts) is published as a new version and becomes the draft, and the audit log
// records which variant won on what figures. Only the report's significant winner may be
// adopted unless the merchant forces it; customers already inside keep their version.
import type pg from "pg";
import type { AbVerdict } from "../../core/attribution/ab-test";
import { adoptVariant, type AdoptVariantError } from "../../core/journeys/adopt-variant";
import { JourneySchema } from "../../core/journeys/schema";
import type { ValidationError } from "../../core/journeys/validate";
import { err, ok, type Result } from "../../core/result";
import { withTransaction } from "../db.server";
import { writeVersion } from "./journeys.server";
import { buildResultsReport, type AbPanel } from "./results.server";

export type AdoptWinnerError =
  | { kind: "not_found"; message: string }
  | { kind: "not_live"; message: string }
  | { kind: "not_winner"; message: string }
  | { kind: "adopt"; message: string; error: AdoptVariantError }
  | { kind: "invalid"; message: string; errors: ValidationError[] };

export interface AdoptWinnerOptions {
  /** The merchant adopts this variant although the report names no significant winner for it. */
  force?: boolean;
  /** When the A/B figures are read (the Results page's window ends here). */
  now?: Date;
}

/** Is `variantKey` the variant the A/B report calls the significant winner? */
export function isSignificantWinner(verdict: AbVerdict, variantKey: string): boolean {
  switch (verdict.kind) {
    case "significant":
      return verdict.best === variantKey;
    case "no_significant_difference":
      return false;
  }
}

export async function adoptAbWinner(
  db: pg.Pool, shopId: number, journeyId: string, nodeId: string, variantKey: string, actor: string, opts: AdoptWinnerOptions = {},
): Promise<Result<{ version: number; forced: boolean }, AdoptWinnerError>> {
  const force = opts.force ?? false;
  // The same figures the Results page shows, so the merchant adopts what they saw.
  const report = await buildResultsReport(db, shopId, { now: opts.now ?? new Date() });
  const panel = report.abTests.find((t) => t.journeyId === journeyId && t.nodeId === nodeId) ?? null;

  return withTransaction(db, async (client) => {
    const j = await client.query<{ live_version: number | null }>(
      `select live_version from journeys where shop_id = $1 and id = $2 for update`, [shopId, journeyId],
    );
    if (!j.rows[0]) return err({ kind: "not_found" as const, message: `journey ${journeyId} not found` });
    const liveVersion = j.rows[0].live_version;
    if (liveVersion === null) return err({ kind: "not_live" as const, message: `journey ${journeyId} has no live version to change` });
    const v = await client.query<{ definition: unknown }>(
      `select definition from journey_versions where shop_id = $1 and journey_id = $2 and version = $3`, [shopId, journeyId, liveVersion],
    );
    // Live definitions passed validation when published; one that no longer parses is a bug.
    const live = JourneySchema.parse(v.rows[0]?.definition);

    const adopted = adoptVariant(live, nodeId, variantKey);
    if (!adopted.ok) return err({ kind: "adopt" as const, message: adopted.error.message, error: adopted.error });
    const winner = panel !== null && isSignificantWinner(panel.verdict, variantKey);
    if (!winner && !force) {
      const why = panel === null ? "the A/B split has no assigned customers in the report window" : panel.verdict.message;
      return err({ kind: "not_winner" as const, message: `Variant "${variantKey}" is not the significant winner of split "${nodeId}": ${why}` });
    }

    const written = await writeVersion(client, shopId, journeyId, adopted.value, liveVersion, actor, "publish");
    if (!written.ok) {
      // writeVersion validates before writing anything, so nothing is stored on this path.
      const errors = written.error.kind === "invalid" ? written.error.errors : [];
      return err({ kind: "invalid" as const, message: "the journey without the split does not validate", errors });
    }
    const version = written.value.version;
    await client.query(`update journeys set draft = $3 where shop_id = $1 and id = $2`, [shopId, journeyId, JSON.stringify({ ...adopted.value, version })]);
    await client.query(
      `insert into audit_log (shop_id, actor, action, entity, entity_id, before, after) values ($1, $2, 'journey.adopt_variant', 'journey', $3, $4, $5)`,
      [
        shopId, actor, journeyId,
        // Before: the split as it was; after: the variant adopted and the figures it won on.
        JSON.stringify({ liveVersion, node: nodeId, split: live.nodes.find((n) => n.id === nodeId) }),
        JSON.stringify({
          liveVersion: version, node: nodeId, variant: variantKey,
          // Forced only when the merchant overrode the report; adopting the winner is not.
          forced: !winner,
          verdict: panel?.verdict.kind ?? "no_data",
          stats: abStats(panel),
        }),
      ],
    );
    return ok({ version, forced: !winner });
  });
}

function abStats(panel: AbPanel | null) {
  return panel?.variants.map((v) => ({
    id: v.id, customers: v.customers, converters: v.converters, rate: v.rate,
    probabilityBest: v.probabilityBest, alwaysValidP: v.alwaysValidP, significant: v.significant,
  })) ?? null;
}

/** "journeyId:nodeId" of every A/B split in a live version: the splits that can still be adopted. */
export async function liveSplits(db: pg.Pool, shopId: number): Promise<string[]> {
  const r = await db.query<{ key: string }>(
    `select j.id::text || ':' || (n->>'id') as key
     from journeys j
     join journey_versions v on v.shop_id = j.shop_id and v.journey_id = j.id and v.version = j.live_version
     cross join lateral jsonb_array_elements(v.definition->'nodes') n
     where j.shop_id = $1 and n->>'type' = 'ab_split'`,
    [shopId],
  );
  return r.rows.map((x) => x.key);
}
