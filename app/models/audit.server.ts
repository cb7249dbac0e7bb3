// The audit log as a settings page shows it: the latest entries about one concept of the
// shop (who, when, what), newest first, with times in the shop's zone.
import type pg from "pg";
import { formatInstant } from "../lib/dates";

export interface AuditEntry {
  when: string;
  actor: string;
  action: string;
  before: unknown;
  after: unknown;
}

export async function recentAudit(db: pg.Pool, shopId: number, entity: string, limit = 10): Promise<AuditEntry[]> {
  const r = await db.query<{ at: Date; actor: string; action: string; before: unknown; after: unknown; timezone: string }>(
    `select a.at, a.actor, a.action, a.before, a.after, s.timezone from audit_log a join shops s on s.id = a.shop_id
     where a.shop_id = $1 and a.entity = $2 order by a.id desc limit $3`, [shopId, entity, limit]);
  return r.rows.map((x) => ({ when: formatInstant(x.at, x.timezone), actor: x.actor, action: x.action, before: x.before, after: x.after }));
}
