// Conflict rules at enrollment: the customer's active journeys and the candidate ranked by
// lifecycle stage, then measured value (attributed revenue per enrolled customer, else the
// merchant's priority value); the concurrent-journey cap and the minimum time in the stage
// (from the stored scores) are enforced before the enrollment row is written. Outranked
// active enrollments are not ended here: the send-time check (sendBlockedBy) holds them.
import type pg from "pg";
import { admitJourneys, journeyBusinessValue, type AdmissionRejection } from "../../core/governance/conflicts";
import { GovernanceSettingsSchema } from "../../core/governance/schema";

interface RankRow { journey_id: string; enrollment_id: string | null; stage: string | null; priority_value: string | null; enrolled: string; attributed: string }

export async function admitEnrollment(
  client: pg.PoolClient, shopId: number, journeyId: string, version: number, customerId: string, now: Date,
): Promise<{ ok: true } | { ok: false; error: AdmissionRejection }> {
  // The candidate and every active enrollment, with each journey's value inputs, in one query.
  const r = await client.query<RankRow & { settings: Record<string, unknown> | null; customer_stage: string | null; stage_since: Date | null }>(
    `with ranked as (
       select $3::bigint as journey_id, $4::int as version, null::bigint as enrollment_id
       union all
       select e.journey_id, e.journey_version, e.id from enrollments e
       where e.shop_id = $1 and e.customer_id = $2 and e.status in ('active', 'waiting'))
     select x.journey_id::text, x.enrollment_id::text, v.definition->>'stage' as stage, v.definition->>'priorityValue' as priority_value,
            (select count(*) from enrollments n where n.shop_id = $1 and n.journey_id = x.journey_id)::text as enrolled,
            (select coalesce(sum(a.credited_minor), 0) from attributions a join messages m on m.shop_id = a.shop_id and m.id = a.message_id
               where a.shop_id = $1 and a.status = 'active' and m.journey_id = x.journey_id)::text as attributed,
            s.settings, cs.stage as customer_stage, cs.stage_since
     from ranked x
     join journey_versions v on v.shop_id = $1 and v.journey_id = x.journey_id and v.version = x.version
     join shops s on s.id = $1
     left join customer_scores cs on cs.shop_id = $1 and cs.customer_id = $2`,
    [shopId, customerId, journeyId, version],
  );
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
