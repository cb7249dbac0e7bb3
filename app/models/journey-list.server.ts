// What the journey pages read and do beyond publishing: the list with live counts (one grouped
// query), one template installed on demand, a journey's detail (versions with who and how,
// audit trail, pause state, holdout summary), the shop's emergency pauses, and alerts.
import type pg from "pg";
import { JOURNEY_TEMPLATES } from "../../core/journeys/templates";
import { HOLDOUT_DEFAULT_PERCENT } from "../../core/journeys/validate";
import { err, ok, type Result } from "../../core/result";
import type { PauseScopeKind, ResumePolicy } from "../../jobs/journeys/pause";
import { withTransaction } from "../db.server";
import { createJourney } from "./journeys.server";

export type JourneyListStatus = "draft" | "published" | "paused" | "archived";

export interface JourneyListRow {
  id: string;
  name: string;
  status: JourneyListStatus;
  liveVersion: number | null;
  templateKey: string | null;
  updatedAt: Date;
  /** Never published, or the draft was saved after the last publish or restore. */
  draftChanged: boolean;
  inJourney: number;
  waiting: number;
  converted: number;
  enteredLast7Days: number;
}

const DAY_MS = 86_400_000;

/** A journey is shown paused while a journey-scope pause row exists (that is what the engine obeys). */
export async function listJourneys(db: pg.Pool, shopId: number, now: Date): Promise<JourneyListRow[]> {
  const r = await db.query<JourneyListRow>(
    `with counts as (
       select journey_id,
              count(*) filter (where status in ('active', 'waiting'))::int as in_journey,
              count(*) filter (where status = 'waiting')::int as waiting,
              count(*) filter (where status = 'converted')::int as converted,
              count(*) filter (where entered_at >= $2)::int as entered_7d
       from enrollments where shop_id = $1 group by journey_id)
     select j.id::text as id, j.name, j.live_version as "liveVersion", j.template_key as "templateKey", j.updated_at as "updatedAt",
            case when j.status = 'archived' then 'archived'
                 when p.target is not null or j.status = 'paused' then 'paused'
                 when j.live_version is null then 'draft' else 'published' end as status,
            coalesce(c.in_journey, 0) as "inJourney", coalesce(c.waiting, 0) as waiting,
            coalesce(c.converted, 0) as converted, coalesce(c.entered_7d, 0) as "enteredLast7Days",
            coalesce(j.updated_at > v.published_at, true) as "draftChanged"
     from journeys j
     left join counts c on c.journey_id = j.id
     left join journey_versions v on v.shop_id = j.shop_id and v.journey_id = j.id and v.version = j.live_version
     left join journey_pauses p on p.shop_id = j.shop_id and p.scope = 'journey' and p.target = j.id::text
     where j.shop_id = $1 and j.status <> 'archived'
     order by j.created_at desc, j.id desc`,
    [shopId, new Date(now.getTime() - 7 * DAY_MS)],
  );
  return r.rows;
}

/**
 * The skeleton a new journey starts from; the editor fills in the rest. It starts with the
 * default holdout, so the marketing steps the merchant adds after it publish (every journey
 * keeps a holdout).
 */
export const BLANK_JOURNEY = {
  id: "draft", version: 1, name: "Untitled journey",
  trigger: { kind: "order_placed" }, startNodeId: "holdout",
  nodes: [{ id: "holdout", type: "holdout", controlPercent: HOLDOUT_DEFAULT_PERCENT, next: "end" }, { id: "end", type: "exit" }],
  goal: { kind: "order_placed" },
} as const;

export function createBlankJourney(db: pg.Pool, shopId: number): Promise<string> {
  return createJourney(db, shopId, { name: BLANK_JOURNEY.name, draft: BLANK_JOURNEY });
}

export type InstallTemplateError = { kind: "unknown_template" } | { kind: "already_installed"; journeyId: string };

/** Install one ready-made journey as a draft; a shop holds each template at most once. */
export async function installJourneyTemplate(db: pg.Pool, shopId: number, templateKey: string): Promise<Result<{ journeyId: string }, InstallTemplateError>> {
  const t = JOURNEY_TEMPLATES.find((x) => x.id === templateKey);
  if (!t) return err({ kind: "unknown_template" });
  const r = await db.query<{ id: string }>(
    `insert into journeys (shop_id, name, draft, template_key, updated_at) values ($1, $2, $3, $4, now())
     on conflict (shop_id, template_key) do nothing returning id::text`, [shopId, t.name, JSON.stringify(t), t.id],
  );
  if (r.rows[0]) return ok({ journeyId: r.rows[0].id });
  const existing = await db.query<{ id: string }>(`select id::text from journeys where shop_id = $1 and template_key = $2`, [shopId, t.id]);
  return err({ kind: "already_installed", journeyId: existing.rows[0].id });
}

export interface JourneyDetail {
  id: string;
  name: string;
  status: JourneyListStatus;
  liveVersion: number | null;
  templateKey: string | null;
  draft: unknown;
  createdAt: Date;
  updatedAt: Date;
  pause: { pausedAt: Date; pausedBy: string | null; policy: ResumePolicy; expiredWaits: number } | null;
  /** A shop-wide pause also stops this journey. */
  shopPaused: boolean;
  /** Never published, or the draft was saved after the last publish or restore. */
  draftChanged: boolean;
  /** The live version's definition (null while a draft only). */
  live: unknown;
}

export async function getJourneyDetail(db: pg.Pool, shopId: number, journeyId: string, now: Date): Promise<JourneyDetail | null> {
  if (!/^\d{1,18}$/.test(journeyId)) return null;
  const r = await db.query<Omit<JourneyDetail, "pause"> & { paused_at: Date | null; paused_by: string | null; policy: ResumePolicy | null; expired_waits: number }>(
    `select j.id::text as id, j.name, j.live_version as "liveVersion", j.template_key as "templateKey", j.draft,
            j.created_at as "createdAt", j.updated_at as "updatedAt",
            case when j.status = 'archived' then 'archived'
                 when p.target is not null or j.status = 'paused' then 'paused'
                 when j.live_version is null then 'draft' else 'published' end as status,
            p.paused_at, p.paused_by, p.policy,
            exists (select 1 from journey_pauses s where s.shop_id = j.shop_id and s.scope = 'shop') as "shopPaused",
            -- publish and restore stamp updated_at in their own transaction (same now()).
            coalesce(j.updated_at > v.published_at, true) as "draftChanged", v.definition as live,
            -- Waits that came due while paused: what the resume policy decides about.
            case when p.paused_at is null then 0 else (
              select count(*)::int from enrollments e where e.shop_id = j.shop_id and e.journey_id = j.id
                and e.status = 'waiting' and e.wake_at >= p.paused_at and e.wake_at <= $3) end as expired_waits
     from journeys j
     left join journey_pauses p on p.shop_id = j.shop_id and p.scope = 'journey' and p.target = j.id::text
     left join journey_versions v on v.shop_id = j.shop_id and v.journey_id = j.id and v.version = j.live_version
     where j.shop_id = $1 and j.id = $2`,
    [shopId, journeyId, now],
  );
  const row = r.rows[0];
  if (!row) return null;
  const { paused_at, paused_by, policy, expired_waits, ...rest } = row;
  return { ...rest, pause: paused_at ? { pausedAt: paused_at, pausedBy: paused_by, policy: policy ?? "send_now", expiredWaits: expired_waits } : null };
}

export interface VersionRow {
  version: number;
  publishedAt: Date;
  publishedBy: string | null;
  /** publish | restore (from the audit log); restoredFrom for a restore. */
  action: string;
  restoredFrom: number | null;
}

/** Version history, newest first, with the action each version came from. */
export async function listVersionHistory(db: pg.Pool, shopId: number, journeyId: string): Promise<VersionRow[]> {
  const r = await db.query<VersionRow>(
    `select v.version, v.published_at as "publishedAt", v.published_by as "publishedBy",
            coalesce(a.action, 'publish') as action, (a.after->>'restoredFrom')::int as "restoredFrom"
     from journey_versions v
     left join lateral (
       select action, after from audit_log l
       where l.shop_id = v.shop_id and l.entity = 'journey' and l.entity_id = v.journey_id::text
         and l.action in ('publish', 'restore') and (l.after->>'liveVersion')::int = v.version
       order by l.id desc limit 1) a on true
     where v.shop_id = $1 and v.journey_id = $2
     order by v.version desc`,
    [shopId, journeyId],
  );
  return r.rows;
}

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  details: string;
}

/** Everything done to this journey: publishes, restores, its pauses and resumes. */
export async function journeyAuditTrail(db: pg.Pool, shopId: number, journeyId: string, limit = 50): Promise<AuditRow[]> {
  const r = await db.query<{ id: string; at: Date; actor: string; action: string; after: unknown }>(
    `select id::text, at, actor, action, after from audit_log
     where shop_id = $1 and ((entity = 'journey' and entity_id = $2) or (entity = 'journey_pause' and entity_id = 'journey:' || $2))
     order by audit_log.id desc limit $3`,
    [shopId, journeyId, limit],
  );
  return r.rows.map((x) => ({ id: x.id, at: x.at, actor: x.actor, action: x.action, details: describeAudit(x.after) }));
}

/** The audit row's `after` in words: "live version 3, restored from v1", "policy send now, paused 12 min". */
function describeAudit(after: unknown): string {
  if (!after || typeof after !== "object") return "";
  return Object.entries(after as Record<string, unknown>).map(([k, v]) => {
    switch (k) {
      case "liveVersion": return v === null ? "no live version" : `live version ${String(v)}`;
      case "restoredFrom": return `restored from v${String(v)}`;
      case "policy": return `policy ${String(v).replace(/_/g, " ")}`;
      case "pausedMs": return `paused ${Math.round(Number(v) / 60_000)} min`;
      case "changes": return describeDraftChanges(v);
      default: return `${k} ${typeof v === "object" ? JSON.stringify(v) : String(v)}`;
    }
  }).join(", ");
}

/** A draft save's changes (core/journeys/draft-diff.ts) in words: "changed name, trigger; added send-2". */
function describeDraftChanges(v: unknown): string {
  const c = (v ?? {}) as Partial<Record<"fields" | "nodesAdded" | "nodesRemoved" | "nodesChanged", string[]>>;
  const parts: string[] = [];
  const add = (label: string, xs: string[] | undefined) => { if (xs && xs.length > 0) parts.push(`${label} ${xs.join(", ")}`); };
  add("changed", c.fields);
  add("added", c.nodesAdded);
  add("removed", c.nodesRemoved);
  add("edited", c.nodesChanged);
  return parts.join("; ");
}

export interface HoldoutGroup {
  group: string;
  customers: number;
  converted: number;
  conversionRate: number;
}

/** Holdout control vs treated: customers assigned and how many of their enrollments converted. */
export async function holdoutSummary(db: pg.Pool, shopId: number, journeyId: string): Promise<HoldoutGroup[]> {
  // Control customers exit at the holdout, so "converted" for them is an order placed after
  // assignment; treated ones count the journey's own conversion or such an order.
  const r = await db.query<HoldoutGroup>(
    `select a.value as "group", count(distinct a.customer_id)::int as customers,
            count(distinct a.customer_id) filter (where e.status = 'converted' or exists (
              select 1 from orders o where o.shop_id = a.shop_id and o.customer_id = a.customer_id and o.processed_at >= a.assigned_at))::int as converted,
            0::float8 as "conversionRate"
     from journey_assignments a
     left join enrollments e on e.shop_id = a.shop_id and e.id = a.enrollment_id
     where a.shop_id = $1 and a.journey_id = $2 and a.kind = 'holdout'
     group by a.value order by a.value`,
    [shopId, journeyId],
  );
  return r.rows.map((g) => ({ ...g, conversionRate: g.customers ? g.converted / g.customers : 0 }));
}

export interface TimeInJourney {
  ended: number;
  avgHours: number | null;
  medianHours: number | null;
}

/**
 * How long finished customers spent in the journey. The holdout's control group is left out:
 * it leaves at the holdout at once, and would pull the figures towards zero by its share.
 */
export async function timeInJourney(db: pg.Pool, shopId: number, journeyId: string): Promise<TimeInJourney> {
  const r = await db.query<TimeInJourney>(
    `select count(*)::int as ended,
            (avg(extract(epoch from ended_at - entered_at)) / 3600)::float8 as "avgHours",
            (percentile_cont(0.5) within group (order by extract(epoch from ended_at - entered_at)) / 3600)::float8 as "medianHours"
     from enrollments where shop_id = $1 and journey_id = $2 and ended_at is not null
       and state->'exitReason'->>'kind' is distinct from 'holdout_control'`,
    [shopId, journeyId],
  );
  return r.rows[0];
}

// ----- Emergency pauses (shop- and channel-wide; journey pauses live on the journey page).

export interface PauseRow {
  scope: PauseScopeKind;
  target: string;
  /** The journey's name for a journey pause. */
  label: string;
  policy: ResumePolicy;
  pausedAt: Date;
  pausedBy: string | null;
}

export async function listPauses(db: pg.Pool, shopId: number): Promise<PauseRow[]> {
  const r = await db.query<PauseRow>(
    `select p.scope, p.target, p.policy, p.paused_at as "pausedAt", p.paused_by as "pausedBy",
            case p.scope when 'shop' then 'All journeys and channels'
                         when 'channel' then p.target
                         else coalesce(j.name, 'Journey ' || p.target) end as label
     from journey_pauses p
     left join journeys j on p.scope = 'journey' and j.shop_id = p.shop_id and j.id::text = p.target
     where p.shop_id = $1
     order by case p.scope when 'shop' then 0 when 'channel' then 1 else 2 end, p.target`,
    [shopId],
  );
  return r.rows;
}

// ----- Alerts.

export interface AlertRow {
  id: string;
  kind: string;
  severity: string;
  message: string;
  details: Record<string, unknown>;
  createdAt: Date;
  resolvedAt: Date | null;
}

/** Open alerts, worst first; then the latest resolved ones for context. */
export async function listAlerts(db: pg.Pool, shopId: number, opts: { resolvedLimit?: number } = {}): Promise<{ open: AlertRow[]; resolved: AlertRow[] }> {
  const cols = `id::text, kind, severity, message, details, created_at as "createdAt", resolved_at as "resolvedAt"`;
  const [open, resolved] = await Promise.all([
    db.query<AlertRow>(
      `select ${cols} from alerts where shop_id = $1 and resolved_at is null
       order by case severity when 'critical' then 0 when 'error' then 1 when 'warning' then 2 else 3 end, created_at desc, alerts.id desc limit 500`,
      [shopId],
    ),
    db.query<AlertRow>(
      `select ${cols} from alerts where shop_id = $1 and resolved_at is not null order by resolved_at desc, alerts.id desc limit $2`,
      [shopId, opts.resolvedLimit ?? 20],
    ),
  ]);
  return { open: open.rows, resolved: resolved.rows };
}

export interface AlertSummary {
  open: number;
  bySeverity: Record<string, number>;
  latest: { message: string; severity: string; createdAt: Date } | null;
}

/** For the banner: how many are open, by severity, and the newest worst one. */
export async function alertSummary(db: pg.Pool, shopId: number): Promise<AlertSummary> {
  const r = await db.query<{ severity: string; n: number; latest_message: string; latest_at: Date }>(
    `select severity, count(*)::int as n,
            (array_agg(message order by created_at desc, id desc))[1] as latest_message, max(created_at) as latest_at
     from alerts where shop_id = $1 and resolved_at is null group by severity
     order by case severity when 'critical' then 0 when 'error' then 1 when 'warning' then 2 else 3 end`,
    [shopId],
  );
  const bySeverity = Object.fromEntries(r.rows.map((x) => [x.severity, x.n]));
  const worst = r.rows[0];
  return {
    open: r.rows.reduce((s, x) => s + x.n, 0),
    bySeverity,
    latest: worst ? { message: worst.latest_message, severity: worst.severity, createdAt: worst.latest_at } : null,
  };
}

/** Resolve open alerts (ids given, or all open ones); returns how many were resolved. */
export async function resolveAlerts(db: pg.Pool, shopId: number, ids: readonly string[] | "all", actor: string, now: Date): Promise<number> {
  if (ids !== "all" && (ids.length === 0 || ids.some((id) => !/^\d{1,18}$/.test(id)))) return 0;
  return withTransaction(db, async (client) => {
    const r = await client.query<{ id: string }>(
      ids === "all"
        ? `update alerts set resolved_at = $2 where shop_id = $1 and resolved_at is null returning id::text`
        : `update alerts set resolved_at = $2 where shop_id = $1 and resolved_at is null and id = any($3::bigint[]) returning id::text`,
      ids === "all" ? [shopId, now] : [shopId, now, ids],
    );
    if (r.rows.length) {
      await client.query(
        `insert into audit_log (shop_id, actor, action, entity, entity_id, after) values ($1, $2, 'resolve', 'alert', $3, $4)`,
        [shopId, actor, ids === "all" ? "all" : ids.join(","), JSON.stringify({ resolved: r.rows.map((x) => x.id) })],
      );
    }
    return r.rows.length;
  });
}
