// Journey health, checked on a schedule (the maintenance queue's "journey-health"): counts
// per node, channel and journey in set-based queries, the decisions in
// core/journeys/health.ts, alerts raised through raiseAlert (an open alert is not raised
// twice; one the merchant resolved reopens while the problem lasts).
import type pg from "pg";
import {
  channelFailureAlerts, conversionAlert, DEFAULT_HEALTH, dropOffAlerts, type HealthAlert, type HealthThresholds, type NodeDropOff,
} from "../../core/journeys/health";
import { journeyVersion, raiseAlert } from "./definitions";

export async function checkJourneyHealth(db: pg.Pool, shopId: number, now: Date, t: HealthThresholds = DEFAULT_HEALTH): Promise<HealthAlert[]> {
  const recentFrom = new Date(now.getTime() - t.recentMs);
  const baselineFrom = new Date(recentFrom.getTime() - t.baselineMs);
  const journeys = await db.query<{ id: string; name: string; live_version: number }>(
    `select id::text, name, live_version from journeys where shop_id = $1 and status = 'published' and live_version is not null`, [shopId],
  );
  const alerts: HealthAlert[] = [];
  if (journeys.rows.length > 0) {
    // Of the customers who reached a node in a window, how many left the journey there
    // (exited, not as a holdout control).
    const drops = await db.query<{ journey_id: string; node_id: string; re: number; rx: number; be: number; bx: number }>(
      `select e.journey_id::text, s.node_id,
              count(*) filter (where s.entered_at > $3)::int as re,
              count(*) filter (where s.entered_at > $3 and e.status = 'exited' and e.state->>'currentNodeId' = s.node_id
                                 and e.state->'exitReason'->>'kind' is distinct from 'holdout_control')::int as rx,
              count(*) filter (where s.entered_at <= $3)::int as be,
              count(*) filter (where s.entered_at <= $3 and e.status = 'exited' and e.state->>'currentNodeId' = s.node_id
                                 and e.state->'exitReason'->>'kind' is distinct from 'holdout_control')::int as bx
       from journey_steps s join enrollments e on e.shop_id = s.shop_id and e.id = s.enrollment_id
       where s.shop_id = $1 and s.visit = 1 and s.entered_at > $2 and s.entered_at <= $4
       group by 1, 2`, [shopId, baselineFrom, recentFrom, now],
    );
    const finished = await db.query<{ journey_id: string; total: number; converted: number }>(
      `select journey_id::text, count(*)::int as total, count(*) filter (where status = 'converted')::int as converted
       from enrollments where shop_id = $1 and ended_at > $2 and ended_at <= $3
         and state->'exitReason'->>'kind' is distinct from 'holdout_control'
       group by 1`, [shopId, new Date(now.getTime() - t.conversionWindowMs), now],
    );
    for (const j of journeys.rows) {
      const nodes: NodeDropOff[] = drops.rows.filter((d) => d.journey_id === j.id)
        .map((d) => ({ nodeId: d.node_id, recent: { entered: d.re, exited: d.rx }, baseline: { entered: d.be, exited: d.bx } }));
      alerts.push(...dropOffAlerts({ id: j.id, name: j.name }, nodes, t));
      const def = await journeyVersion(db, shopId, j.id, j.live_version);
      const f = finished.rows.find((x) => x.journey_id === j.id) ?? { total: 0, converted: 0 };
      const low = def ? conversionAlert({ id: j.id, name: j.name, ...(def.alerts ? { alerts: def.alerts } : {}) }, f, t) : null;
      if (low) alerts.push(low);
    }
  }
  const channels = await db.query<{ channel: string; attempted: number; failed: number }>(
    `select channel::text, count(*) filter (where status in ('sent', 'delivered', 'failed'))::int as attempted,
            count(*) filter (where status = 'failed')::int as failed
     from messages where shop_id = $1 and coalesce(sent_at, queued_at) > $2 and coalesce(sent_at, queued_at) <= $3
     group by 1`, [shopId, recentFrom, now],
  );
  alerts.push(...channelFailureAlerts(channels.rows, t));
  for (const a of alerts) await raiseAlert(db, shopId, a);
  return alerts;
}

export async function checkJourneyHealthAllShops(db: pg.Pool, now = new Date()): Promise<number> {
  const shops = await db.query<{ id: number }>(`select id from shops where status = 'installed' order by id`);
  let raised = 0;
  for (const s of shops.rows) raised += (await checkJourneyHealth(db, s.id, now)).length;
  return raised;
}
