// Segments for the admin: create and update (versioned, audited), archive, list with size,
// trend and member averages, preview of an unsaved tree, the RFM grid and the members CSV.
// Rules live in core/segments; this module reads and writes rows, always for one shop.
// Expected failures (invalid input, unknown segment) are values naming the node.
import type pg from "pg";
import { err, ok, type Result } from "../../core/result";
import {
  compileSegment,
  compileSegmentPreview,
  segmentNodeSchema,
  validateSegment,
  type SegmentNode,
  type ValidationError,
} from "../../core/segments";
import { installPresetSegments } from "../../jobs/segments/presets";
import { withTransaction } from "../db.server";

export { installPresetSegments };

export interface SegmentInput {
  name: unknown;
  definition: unknown;
}

export interface SegmentRow {
  id: string;
  name: string;
  definition: SegmentNode;
  version: number;
  templateKey: string | null;
  memberCount: number;
  refreshedAt: string | null;
  archivedAt: string | null;
}

export interface SegmentListRow extends SegmentRow {
  /** Daily member counts, oldest first (at most 30 days). */
  trend: { day: string; count: number }[];
  /** Average predicted lifetime value of members, minor units; null when none is scored. */
  avgClv: number | null;
  /** Average churn risk (1 - p_alive) of scored members, 0..1. */
  avgChurnRisk: number | null;
}

type Db = pg.Pool | pg.PoolClient;

const SEGMENT_COLUMNS = `id::text, name, definition, version, template_key, member_count, refreshed_at, archived_at`;

function toRow(r: Record<string, unknown>): SegmentRow {
  return {
    id: String(r.id),
    name: String(r.name),
    definition: r.definition as SegmentNode,
    version: Number(r.version),
    templateKey: (r.template_key as string | null) ?? null,
    memberCount: Number(r.member_count),
    refreshedAt: r.refreshed_at ? (r.refreshed_at as Date).toISOString() : null,
    archivedAt: r.archived_at ? (r.archived_at as Date).toISOString() : null,
  };
}

async function shopTrees(db: Db, shopId: number): Promise<Map<string, SegmentNode>> {
  const r = await db.query<{ id: string; definition: unknown }>(`select id::text, definition from segments where shop_id = $1 and archived_at is null`, [shopId]);
  const out = new Map<string, SegmentNode>();
  for (const row of r.rows) {
    const p = segmentNodeSchema.safeParse(row.definition);
    if (p.success) out.set(row.id, p.data);
  }
  return out;
}

/** Validates name and tree; errors name the node (root.children[1].cmp.value) or `name`. */
export async function validateSegmentInput(db: Db, shopId: number, input: SegmentInput, segmentId?: string): Promise<Result<{ name: string; tree: SegmentNode }, ValidationError[]>> {
  const errors: ValidationError[] = [];
  const name = typeof input.name === "string" ? input.name.trim() : "";
  if (!name) errors.push({ path: "name", message: "a segment needs a name" });
  else if (name.length > 200) errors.push({ path: "name", message: "the name is longer than 200 characters" });
  const trees = await shopTrees(db, shopId);
  // References must name a live segment of this shop (lookup), without a cycle.
  const v = validateSegment(input.definition, { segmentId, lookupSegment: (id) => trees.get(id) });
  if (!v.ok) errors.push(...v.error);
  return errors.length || !v.ok ? err(errors) : ok({ name, tree: v.value });
}

async function audit(db: Db, shopId: number, actor: string, action: string, entityId: string, before: unknown, after: unknown) {
  await db.query(`insert into audit_log (shop_id, actor, action, entity, entity_id, before, after) values ($1, $2, $3, 'segment', $4, $5, $6)`, [
    shopId,
    actor,
    action,
    entityId,
    before === null ? null : JSON.stringify(before),
    after === null ? null : JSON.stringify(after),
  ]);
}

export async function createSegment(db: pg.Pool, shopId: number, input: SegmentInput, actor: string): Promise<Result<SegmentRow, ValidationError[]>> {
  const v = await validateSegmentInput(db, shopId, input);
  if (!v.ok) return v;
  const row = await withTransaction(db, async (client) => {
    const r = await client.query(`insert into segments (shop_id, name, definition) values ($1, $2, $3) returning ${SEGMENT_COLUMNS}`, [shopId, v.value.name, JSON.stringify(v.value.tree)]);
    const created = toRow(r.rows[0]);
    await audit(client, shopId, actor, "segment.created", created.id, null, { name: created.name, definition: created.definition, version: created.version });
    return created;
  });
  return ok(row);
}

/** A new version: version + 1, with the before and after in the audit log. */
export async function updateSegment(db: pg.Pool, shopId: number, segmentId: string, input: SegmentInput, actor: string): Promise<Result<SegmentRow, ValidationError[]>> {
  if (!/^\d{1,18}$/.test(segmentId)) return err([{ path: "id", message: "no such segment" }]);
  const v = await validateSegmentInput(db, shopId, input, segmentId);
  if (!v.ok) return v;
  const out = await withTransaction(db, async (client) => {
    const before = await client.query(`select ${SEGMENT_COLUMNS} from segments where shop_id = $1 and id = $2 and archived_at is null for update`, [shopId, segmentId]);
    if (!before.rows[0]) return null;
    const r = await client.query(
      `update segments set name = $3, definition = $4, version = version + 1, updated_at = now() where shop_id = $1 and id = $2 returning ${SEGMENT_COLUMNS}`,
      [shopId, segmentId, v.value.name, JSON.stringify(v.value.tree)],
    );
    const b = toRow(before.rows[0]);
    const a = toRow(r.rows[0]);
    await audit(client, shopId, actor, "segment.updated", segmentId, { name: b.name, definition: b.definition, version: b.version }, { name: a.name, definition: a.definition, version: a.version });
    return a;
  });
  return out ? ok(out) : err([{ path: "id", message: "no such segment" }]);
}

/** Archived segments stop being evaluated; their memberships and rechecks are removed. */
export async function archiveSegment(db: pg.Pool, shopId: number, segmentId: string, actor: string): Promise<boolean> {
  if (!/^\d{1,18}$/.test(segmentId)) return false;
  return withTransaction(db, async (client) => {
    const r = await client.query(`update segments set archived_at = now() where shop_id = $1 and id = $2 and archived_at is null returning ${SEGMENT_COLUMNS}`, [shopId, segmentId]);
    if (!r.rows[0]) return false;
    await client.query(`delete from segment_memberships where shop_id = $1 and segment_id = $2`, [shopId, segmentId]);
    await client.query(`delete from segment_rechecks where shop_id = $1 and segment_id = $2`, [shopId, segmentId]);
    await audit(client, shopId, actor, "segment.archived", segmentId, { archivedAt: null }, { archivedAt: toRow(r.rows[0]).archivedAt });
    return true;
  });
}

export async function getSegment(db: Db, shopId: number, segmentId: string): Promise<SegmentRow | null> {
  if (!/^\d{1,18}$/.test(segmentId)) return null;
  const r = await db.query(`select ${SEGMENT_COLUMNS} from segments where shop_id = $1 and id = $2`, [shopId, segmentId]);
  return r.rows[0] ? toRow(r.rows[0]) : null;
}

/** Live segments with size, 30-day trend, and members' average CLV and churn risk. */
export async function listSegments(db: Db, shopId: number): Promise<SegmentListRow[]> {
  const r = await db.query(
    `select ${SEGMENT_COLUMNS.split(", ").map((c) => (c === "id::text" ? "g.id::text" : `g.${c}`)).join(", ")},
       a.avg_clv, a.avg_churn,
       coalesce((select json_agg(json_build_object('day', z.day, 'count', z.member_count) order by z.day)
                 from segment_sizes z where z.shop_id = g.shop_id and z.segment_id = g.id and z.day > current_date - 30), '[]') as trend
     from segments g
     left join lateral (
       select avg(s.clv)::float8 as avg_clv, avg(1 - s.p_alive)::float8 as avg_churn
       from segment_memberships m join customer_scores s on s.shop_id = m.shop_id and s.customer_id = m.customer_id
       where m.shop_id = g.shop_id and m.segment_id = g.id) a on true
     where g.shop_id = $1 and g.archived_at is null
     order by g.template_key is null desc, g.id`,
    [shopId],
  );
  return r.rows.map((x) => ({
    ...toRow(x),
    trend: (x.trend as { day: string; count: number }[]).map((t) => ({ day: String(t.day).slice(0, 10), count: Number(t.count) })),
    avgClv: x.avg_clv === null ? null : Math.round(Number(x.avg_clv)),
    avgChurnRisk: x.avg_churn === null ? null : Number(x.avg_churn),
  }));
}

export interface SegmentPreview {
  total: number;
  reach: { email: number; sms: number };
  sample: { id: string; email: string | null; name: string | null }[];
}

/** Count, sample and reach per channel of an unsaved tree, evaluated now. */
export async function previewSegment(db: Db, shopId: number, definition: unknown, now: Date, opts: { segmentId?: string; sampleSize?: number } = {}): Promise<Result<SegmentPreview, ValidationError[]>> {
  const trees = await shopTrees(db, shopId);
  const v = validateSegment(definition, { segmentId: opts.segmentId, lookupSegment: (id) => trees.get(id) });
  if (!v.ok) return v;
  const tz = await shopTimezone(db, shopId);
  const q = compileSegmentPreview(v.value, { shopId, now, timezone: tz, resolveSegment: (id) => trees.get(id), sampleSize: opts.sampleSize ?? 10 });
  const r = await db.query<{ total: number; email_reach: number; sms_reach: number; sample: string[] }>(q);
  const row = r.rows[0];
  const people = row.sample.length
    ? await db.query<{ id: string; email: string | null; name: string | null }>(
        `select id::text, email, nullif(trim(concat_ws(' ', first_name, last_name)), '') as name from customers where shop_id = $1 and id = any($2::bigint[]) order by id`,
        [shopId, row.sample],
      )
    : { rows: [] };
  return ok({ total: row.total, reach: { email: row.email_reach, sms: row.sms_reach }, sample: people.rows });
}

async function shopTimezone(db: Db, shopId: number): Promise<string> {
  const r = await db.query<{ timezone: string }>(`select timezone from shops where id = $1`, [shopId]);
  return r.rows[0]?.timezone ?? "UTC";
}

// ---- RFM grid ---------------------------------------------------------------------------

/** Column of the grid: the average of F and M rounded half up, 1..5. */
export function rfmColumnOf(frequency: number, monetary: number): number {
  return Math.floor((frequency + monetary + 1) / 2);
}

/** The tree of one grid cell: recency score r and round-half-up((F + M) / 2) = fm. */
export function rfmCellTree(r: number, fm: number): SegmentNode {
  const pairs: SegmentNode[] = [];
  for (let f = 1; f <= 5; f++)
    for (let m = 1; m <= 5; m++)
      if (rfmColumnOf(f, m) === fm)
        pairs.push({
          kind: "and",
          children: [
            { kind: "score", field: "frequency_score", cmp: { op: "eq", value: f } },
            { kind: "score", field: "monetary_score", cmp: { op: "eq", value: m } },
          ],
        });
  return { kind: "and", children: [{ kind: "score", field: "recency_score", cmp: { op: "eq", value: r } }, { kind: "or", children: pairs }] };
}

export interface RfmGrid {
  /** cells[r - 1][fm - 1] = customers with recency score r and F/M average fm. */
  cells: number[][];
  unscored: number;
}

export async function rfmGrid(db: Db, shopId: number): Promise<RfmGrid> {
  const r = await db.query<{ r: number; fm: number; n: number }>(
    `select s.recency_score as r, ((s.frequency_score + s.monetary_score + 1) / 2)::int as fm, count(*)::int as n
     from customer_scores s join customers c on c.shop_id = s.shop_id and c.id = s.customer_id and c.merged_into_id is null
     where s.shop_id = $1 and s.recency_score between 1 and 5 and s.frequency_score between 1 and 5 and s.monetary_score between 1 and 5
     group by 1, 2`,
    [shopId],
  );
  const cells = Array.from({ length: 5 }, () => Array.from({ length: 5 }, () => 0));
  for (const x of r.rows) if (x.r >= 1 && x.r <= 5 && x.fm >= 1 && x.fm <= 5) cells[x.r - 1][x.fm - 1] = x.n;
  const total = await db.query<{ n: number }>(`select count(*)::int as n from customers where shop_id = $1 and merged_into_id is null`, [shopId]);
  const scored = cells.flat().reduce((a, b) => a + b, 0);
  return { cells, unscored: total.rows[0].n - scored };
}

// ---- members CSV ------------------------------------------------------------------------

function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  // Spreadsheet formula injection: a leading =, +, - or @ is neutralised.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const CSV_HEADER = ["customer_id", "email", "first_name", "last_name", "country", "entered_at", "rfm_group", "stage", "clv", "churn_risk"];

/**
 * The members as CSV, streamed in pages of 1000 (keyset on customer id): memory stays flat
 * however large the segment. Null when the segment does not exist in this shop.
 */
export async function segmentMembersCsv(db: pg.Pool, shopId: number, segmentId: string): Promise<ReadableStream<Uint8Array> | null> {
  const seg = await getSegment(db, shopId, segmentId);
  if (!seg) return null;
  const enc = new TextEncoder();
  let after = "0";
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(enc.encode(CSV_HEADER.join(",") + "\n"));
        return;
      }
      const r = await db.query(
        `select m.customer_id::text as id, c.email, c.first_name, c.last_name, c.country, m.entered_at, s.rfm_group, s.stage, s.clv::text as clv,
                case when s.p_alive is null then null else round((1 - s.p_alive)::numeric, 4) end as churn
         from segment_memberships m
         join customers c on c.shop_id = m.shop_id and c.id = m.customer_id
         left join customer_scores s on s.shop_id = m.shop_id and s.customer_id = m.customer_id
         where m.shop_id = $1 and m.segment_id = $2 and m.customer_id > $3
         order by m.customer_id limit 1000`,
        [shopId, segmentId, after],
      );
      if (!r.rows.length) return controller.close();
      after = r.rows[r.rows.length - 1].id;
      const text = r.rows
        .map((x) => [x.id, x.email, x.first_name, x.last_name, x.country, (x.entered_at as Date).toISOString(), x.rfm_group, x.stage, x.clv, x.churn].map(csvField).join(","))
        .join("\n");
      controller.enqueue(enc.encode(text + "\n"));
    },
  });
}

/** Members' ids as the compiled query sees them now (for tests and one-off checks). */
export async function currentMembers(db: Db, shopId: number, tree: SegmentNode, now: Date): Promise<string[]> {
  const trees = await shopTrees(db, shopId);
  const q = compileSegment(tree, { shopId, now, timezone: await shopTimezone(db, shopId), resolveSegment: (id) => trees.get(id) });
  return (await db.query<{ id: string }>(q)).rows.map((x) => String(x.id));
}
