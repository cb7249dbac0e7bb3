// Journey analytics, set-based over journey_steps, enrollments, messages and assignments:
// per node how many entered, are waiting there, passed, exited or converted there, and
// messages suppressed, and messages held now (deferred), by reason; per journey the totals,
// customers the conflict rules kept from entering (journey_entry_suppressions), by reason;
// conversion by A/B variant.
import type pg from "pg";

export interface NodeStats {
  nodeId: string;
  entered: number;
  waiting: number;
  passed: number;
  exited: number;
  converted: number;
  suppressed: Record<string, number>;
  /** Messages held right now (deferred), by why: quiet hours, a cap, smart sending. Quiet hours defer, never suppress. */
  held: Record<string, number>;
}

export interface VariantStats {
  nodeId: string;
  variant: string;
  enrolled: number;
  converted: number;
  conversionRate: number;
}

export interface JourneyAnalytics {
  totals: { enrolled: number; active: number; waiting: number; completed: number; converted: number; exited: number };
  /**
   * Suppressed at entry, by `kind:reason`: "conflict:lost_priority" (a higher-priority journey
   * the customer qualified for at the same time), "conflict:max_concurrent" (their running
   * journeys filled every slot), "conflict:min_time_in_stage" (in the stage too briefly).
   */
  entry: { suppressed: Record<string, number> };
  nodes: NodeStats[];
  variants: VariantStats[];
}

export async function journeyAnalytics(db: pg.Pool, shopId: number, journeyId: string): Promise<JourneyAnalytics> {
  const totals = await db.query<JourneyAnalytics["totals"]>(
    `select count(*)::int as enrolled,
            count(*) filter (where status = 'active')::int as active,
            count(*) filter (where status = 'waiting')::int as waiting,
            count(*) filter (where status = 'completed')::int as completed,
            count(*) filter (where status = 'converted')::int as converted,
            count(*) filter (where status = 'exited')::int as exited
     from enrollments where shop_id = $1 and journey_id = $2`, [shopId, journeyId],
  );
  const nodes = await db.query<Omit<NodeStats, "suppressed" | "held">>(
    `with steps as (
       select s.node_id, s.enrollment_id, s.completed_at, e.status, e.state->>'currentNodeId' as current_node
       from journey_steps s join enrollments e on e.shop_id = s.shop_id and e.id = s.enrollment_id
       where s.shop_id = $1 and e.journey_id = $2)
     select node_id as "nodeId",
            count(distinct enrollment_id)::int as entered,
            count(distinct enrollment_id) filter (where completed_at is null and status = 'waiting' and current_node = node_id)::int as waiting,
            count(distinct enrollment_id) filter (where completed_at is not null)::int as passed,
            count(distinct enrollment_id) filter (where status = 'exited' and current_node = node_id)::int as exited,
            count(distinct enrollment_id) filter (where status = 'converted' and current_node = node_id)::int as converted
     from steps group by node_id order by node_id`, [shopId, journeyId],
  );
  const stopped = await db.query<{ node_id: string; status: "suppressed" | "deferred"; reason: string; n: number }>(
    `select node_id, status::text as status, coalesce(reason->>'kind', 'unknown') as reason, count(*)::int as n from messages
     where shop_id = $1 and journey_id = $2 and status in ('suppressed', 'deferred') group by 1, 2, 3`, [shopId, journeyId],
  );
  const suppressedAt = new Map<string, Record<string, number>>();
  const heldAt = new Map<string, Record<string, number>>();
  for (const s of stopped.rows) {
    const into = s.status === "suppressed" ? suppressedAt : heldAt;
    const m = into.get(s.node_id) ?? {};
    m[s.reason] = s.n;
    into.set(s.node_id, m);
  }
  const refused = await db.query<{ key: string; n: number }>(
    `select kind || ':' || reason as key, count(*)::int as n from journey_entry_suppressions
     where shop_id = $1 and journey_id = $2 group by kind, reason order by 1`, [shopId, journeyId],
  );
  const variants = await db.query<VariantStats>(
    `select a.node_id as "nodeId", a.value as variant, count(*)::int as enrolled,
            count(*) filter (where e.status = 'converted')::int as converted,
            round(count(*) filter (where e.status = 'converted')::numeric / nullif(count(*), 0), 4)::float8 as "conversionRate"
     from journey_assignments a join enrollments e on e.shop_id = a.shop_id and e.id = a.enrollment_id
     where a.shop_id = $1 and a.journey_id = $2 and a.kind = 'ab_split'
     group by a.node_id, a.value order by a.node_id, a.value`, [shopId, journeyId],
  );
  return {
    totals: totals.rows[0],
    entry: { suppressed: Object.fromEntries(refused.rows.map((r) => [r.key, r.n])) },
    nodes: nodes.rows.map((n) => ({ ...n, suppressed: suppressedAt.get(n.nodeId) ?? {}, held: heldAt.get(n.nodeId) ?? {} })),
    variants: variants.rows.map((v) => ({ ...v, conversionRate: v.conversionRate ?? 0 })),
  };
}
