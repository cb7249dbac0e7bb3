// Condition nodes with an inline segment condition: evaluated for the one customer when the
// step runs (compileSegmentForCustomer: index lookups only, in the step's transaction), so
// any condition the segment builder knows can branch a journey without a saved segment.
// A reference to another segment inside the tree reads its materialised membership.
import type pg from "pg";
import type { Journey } from "../../../core/journeys/schema";
import { compileSegmentForCustomer } from "../../../core/segments/compile";

export async function inlineConditions(
  client: pg.PoolClient, shopId: number, customerId: string, journey: Journey, now: Date, shopTimeZone: string,
): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const n of journey.nodes) {
    if (n.type !== "condition" || !n.segment || n.conditionId in out) continue;
    const q = compileSegmentForCustomer(n.segment, { shopId, now, timezone: shopTimeZone, customerId });
    const r = await client.query(q.text, q.values);
    out[n.conditionId] = (r.rowCount ?? 0) > 0;
  }
  return out;
}
