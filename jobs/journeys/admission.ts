// Conflict rules at enrollment: the customer's active journeys and the candidate ranked by
// lifecycle stage, then measured value (attributed revenue per enrolled customer, else the
// merchant's priority value); the concurrent-journey cap and the minimum time in the stage
// (from the stored scores) are enforced before the enrollment row is written. Outranked
// active enrollments are not ended here: the send-time check (sendBlockedBy) holds them.
import type pg from "pg";
import { admitJourneys, journeyBusinessValue, type AdmissionRejection } from "../../core/governance/conflicts";
import { GovernanceSettingsSchema } from "../../core/governance/schema";

interface RankRow { journey_id: string; enrollment_id: string | null; stage: string | null; priority_value: string | null; enrolled: string | null; attributed: string | null }

export async function admitEnrollment(
  client: pg.PoolClient, shopId: number, journeyId: string, version: number, customerId: string, now: Date,
): Promise<{ ok: true } | { ok: false; error: AdmissionRejection }> {
  // The candidate and every active enrollment, with each journey's value inputs, in one query.
  const r = await client.query<AdmissionRow>(
    `with ranked as (
       select $2::bigint as customer_id, $3::bigint as journey_id, $4::int as version, null::bigint as enrollment_id
       union all
       select e.customer_id, e.journey_id, e.journey_version, e.id from enrollments e
       where e.shop_id = $1 and e.customer_id = $2 and e.status in ('active', 'waiting'))
     ${ADMISSION_SELECT}`,
    [shopId, customerId, journeyId, version],
  );
  return admissionDecision(r.rows, journeyId, now);
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
  const r = { rows };
  if (r.rows.length === 0) return { ok: true };
  const settings = GovernanceSettingsSchema.parse((r.rows[0].settings as { governance?: unknown } | null)?.governance ?? {});
  const rank = (x: RankRow) => ({
    journeyId: x.journey_id,
    ...(x.stage ? { stage: x.stage } : {}),
    businessValue: journeyBusinessValue({
      attributedMinor: Number(x.attributed), enrolled: Number(x.enrolled),
      ...(x.priority_value !== null ? { priorityValue: Number(x.priority_value) } : {}),
    }).value,
  });
  const candidate = r.rows.find((x) => x.enrollment_id === null);
  if (!candidate) return { ok: true };
  const { customer_stage, stage_since } = r.rows[0];
  const decision = admitJourneys({
    candidates: [rank(candidate)],
    active: r.rows.filter((x) => x.enrollment_id !== null).map((x) => ({ ...rank(x), enrollmentId: x.enrollment_id! })),
    ...(customer_stage && stage_since ? { customerStage: { stage: customer_stage, since: stage_since } } : {}),
    maxConcurrent: settings.conflicts.maxConcurrentJourneys,
    minTimeInStageMs: settings.conflicts.minTimeInStageMs,
  }, now);
  const rejected = decision.rejected.find((x) => x.journeyId === journeyId);
  return rejected ? { ok: false, error: rejected } : { ok: true };
}
