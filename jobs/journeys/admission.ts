// Conflict rules at enrollment: the customer's active journeys and the candidate ranked by
// lifecycle stage, then measured value (attributed revenue per enrolled customer, else the
// merchant's priority value); the concurrent-journey cap and the minimum time in the stage
// (from the stored scores) are enforced before the enrollment row is written, and every
// refusal is recorded as a conflict suppression (journey_entry_suppressions) in the same
// transaction. Outranked active enrollments are not ended here: the send-time check
// (sendBlockedBy) holds them.
import type pg from "pg";
import { admitJourneys, conflictSuppression, journeyBusinessValue, type AdmissionRejection } from "../../core/governance/conflicts";
import { GovernanceSettingsSchema } from "../../core/governance/schema";

interface RankRow { journey_id: string; enrollment_id: string | null; stage: string | null; priority_value: string | null; enrolled: string | null; attributed: string | null }

/**
 * The conflict rules for every journey one trigger qualifies a customer for, ranked together
 * (so the higher-priority one enters whatever order they are looked at in): which may start,
 * and why each other one may not.
 */
export async function admitEnrollments(
  client: pg.PoolClient, shopId: number, customerId: string, candidates: readonly { journeyId: string; version: number }[], now: Date,
): Promise<{ start: Set<string>; rejected: AdmissionRejection[] }> {
  if (candidates.length === 0) return { start: new Set(), rejected: [] };
  // The candidates and every active enrollment, with each journey's value inputs, in one query.
  const r = await client.query<AdmissionRow>(
    `with ranked as (
       select $2::bigint as customer_id, x.journey_id, x.version, null::bigint as enrollment_id
       from unnest($3::bigint[], $4::int[]) as x(journey_id, version)
       union all
       select e.customer_id, e.journey_id, e.journey_version, e.id from enrollments e
       where e.shop_id = $1 and e.customer_id = $2 and e.status in ('active', 'waiting'))
     ${ADMISSION_SELECT}`,
    [shopId, customerId, candidates.map((c) => c.journeyId), candidates.map((c) => c.version)],
  );
  return admissionDecisions(r.rows, now);
}

/** One entry the conflict rules refused, to record (recordEntrySuppressions). */
export interface RefusedEntry {
  journeyId: string;
  version: number;
  customerId: string;
  /** The trigger's event id, or `occasion:...`: with journey and customer, the row's unique key. */
  triggerKey: string;
  rejection: AdmissionRejection;
}

/**
 * Writes the conflict refusals as suppressions (journey_entry_suppressions), in the caller's
 * transaction: one row per (journey, customer, trigger), so a redelivered trigger counts once.
 */
export async function recordEntrySuppressions(client: Pick<pg.PoolClient, "query">, shopId: number, refused: readonly RefusedEntry[]): Promise<void> {
  const rows = refused.flatMap((r) => {
    const s = conflictSuppression(r.rejection);
    return s ? [{ journey_id: r.journeyId, version: r.version, customer_id: r.customerId, trigger_key: r.triggerKey, kind: s.kind, reason: s.reason, detail: s.detail }] : [];
  });
  if (rows.length === 0) return;
  await client.query(
    `insert into journey_entry_suppressions (shop_id, journey_id, customer_id, trigger_key, journey_version, kind, reason, detail)
     select $1, x.journey_id, x.customer_id, x.trigger_key, x.version, x.kind, x.reason, x.detail
     from jsonb_to_recordset($2::jsonb) as x(journey_id bigint, customer_id bigint, trigger_key text, version int, kind text, reason text, detail jsonb)
     on conflict (shop_id, journey_id, customer_id, trigger_key) do nothing`,
    [shopId, JSON.stringify(rows)],
  );
}

export type AdmissionRow = RankRow & { customer_id: string; settings: Record<string, unknown> | null; customer_stage: string | null; stage_since: Date | null };

/**
 * The rows of CTE `ranked` (customer_id, journey_id, version, enrollment_id: null for the
 * candidate) with each journey's value inputs. A journey's value only orders several
 * journeys competing for one customer's slots, so the counts are read only when the customer
 * has another active enrollment (they are costly on a large journey).
 */
export const ADMISSION_SELECT = `
     select x.customer_id::text, x.journey_id::text, x.enrollment_id::text, v.definition->>'stage' as stage, v.definition->>'priorityValue' as priority_value,
            case when count(*) over (partition by x.customer_id) > 1 then
              (select count(*) from enrollments n where n.shop_id = $1 and n.journey_id = x.journey_id)::text end as enrolled,
            case when count(*) over (partition by x.customer_id) > 1 then
              (select coalesce(sum(a.credited_minor), 0) from attributions a join messages m on m.shop_id = a.shop_id and m.id = a.message_id
                 where a.shop_id = $1 and a.status = 'active' and m.journey_id = x.journey_id)::text end as attributed,
            s.settings, cs.stage as customer_stage, cs.stage_since
     from ranked x
     join journey_versions v on v.shop_id = $1 and v.journey_id = x.journey_id and v.version = x.version
     join shops s on s.id = $1
     left join customer_scores cs on cs.shop_id = $1 and cs.customer_id = x.customer_id`;

/** The conflict rules for one candidate, on its customer's rows of ADMISSION_SELECT. */
export function admissionDecision(rows: AdmissionRow[], journeyId: string, now: Date): { ok: true } | { ok: false; error: AdmissionRejection } {
  const rejected = admissionDecisions(rows, now).rejected.find((x) => x.journeyId === journeyId);
  return rejected ? { ok: false, error: rejected } : { ok: true };
}

/** The conflict rules for every candidate (enrollment_id null) of one customer's rows of ADMISSION_SELECT. */
function admissionDecisions(rows: AdmissionRow[], now: Date): { start: Set<string>; rejected: AdmissionRejection[] } {
  const r = { rows };
  const candidates = r.rows.filter((x) => x.enrollment_id === null);
  if (candidates.length === 0) return { start: new Set(), rejected: [] };
  const settings = GovernanceSettingsSchema.parse((r.rows[0].settings as { governance?: unknown } | null)?.governance ?? {});
  const rank = (x: RankRow) => ({
    journeyId: x.journey_id,
    ...(x.stage ? { stage: x.stage } : {}),
    businessValue: journeyBusinessValue({
      attributedMinor: Number(x.attributed), enrolled: Number(x.enrolled),
      ...(x.priority_value !== null ? { priorityValue: Number(x.priority_value) } : {}),
    }).value,
  });
  const { customer_stage, stage_since } = r.rows[0];
  const decision = admitJourneys({
    candidates: candidates.map(rank),
    active: r.rows.filter((x) => x.enrollment_id !== null).map((x) => ({ ...rank(x), enrollmentId: x.enrollment_id! })),
    ...(customer_stage && stage_since ? { customerStage: { stage: customer_stage, since: stage_since } } : {}),
    maxConcurrent: settings.conflicts.maxConcurrentJourneys,
    minTimeInStageMs: settings.conflicts.minTimeInStageMs,
  }, now);
  return { start: new Set(decision.start), rejected: decision.rejected };
}
