// Members of the shop's own Shopify customer segments, copied into shopify_segment_members so
// `shopify_segment` conditions compile to a join. Per shop: the segment list is refreshed, each
// wanted segment's members are read in full (nothing is written if a page fails), then written
// set-based (a staging table, one upsert, one delete), and the Winback segments that reference
// it are recomputed.
import type pg from "pg";
import { withTransaction } from "../../app/db.server";
import type { AdminGraphql } from "../../connectors/shopify/client";
import { listShopifySegments, readShopifySegmentMembers, type SegmentReadError } from "../../connectors/shopify/segments";
import { err, ok, type Result } from "../../core/result";
import { refreshSegment, type MembershipOptions } from "./membership";

export interface ShopifyMembersSyncResult {
  segments: number;
  synced: { segmentId: string; members: number; added: number; removed: number }[];
  /** Winback segments recomputed because they reference a synced Shopify segment. */
  refreshed: string[];
}

export type ShopifyMembersSyncError = SegmentReadError | { kind: "unknown-segment"; segmentId: string };

const STAGE_CHUNK = 50_000;

/** Shopify segment ids the shop's live segments reference. */
export async function referencedShopifySegments(db: pg.Pool, shopId: number): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `select distinct jsonb_path_query(definition, 'strict $.** ? (@.kind == "shopify_segment").segment_id') #>> '{}' as id
       from segments where shop_id = $1 and archived_at is null order by 1`,
    [shopId],
  );
  return r.rows.map((x) => x.id);
}

export async function syncShopifySegmentMembers(
  db: pg.Pool,
  o: { client: AdminGraphql; shopId: number; now: Date; only?: string } & MembershipOptions,
): Promise<Result<ShopifyMembersSyncResult, ShopifyMembersSyncError>> {
  const list = await listShopifySegments(o.client);
  if (!list.ok) return list;
  await db.query(
    `with l as (select * from unnest($2::text[], $3::text[], $4::text[]) as x(id, name, query)),
     up as (insert into shopify_segments (shop_id, id, name, query, synced_at) select $1, id, name, query, $5 from l
            on conflict (shop_id, id) do update set name = excluded.name, query = excluded.query, synced_at = excluded.synced_at)
     delete from shopify_segments s where s.shop_id = $1 and not exists (select 1 from l where l.id = s.id)`,
    [o.shopId, list.value.map((s) => s.id), list.value.map((s) => s.name), list.value.map((s) => s.query), o.now],
  );
  const known = new Set(list.value.map((s) => s.id));
  if (o.only && !known.has(o.only)) return err({ kind: "unknown-segment", segmentId: o.only });
  // A segment deleted in Shopify keeps no members: its conditions then match nobody.
  const wanted = o.only ? [o.only] : await referencedShopifySegments(db, o.shopId);
  const synced: ShopifyMembersSyncResult["synced"] = [];
  for (const segmentId of wanted) {
    const members = known.has(segmentId) ? await readShopifySegmentMembers(o.client, segmentId) : ok<string[]>([]);
    if (!members.ok) return members;
    synced.push({ segmentId, ...(await writeMembers(db, o.shopId, segmentId, members.value, o.now)) });
  }
  const refreshed: string[] = [];
  const touched = new Set(synced.filter((s) => s.added + s.removed > 0 || o.only).map((s) => s.segmentId));
  if (touched.size) {
    const r = await db.query<{ id: string }>(
      `select id::text from segments where shop_id = $1 and archived_at is null
          and exists (select 1 from jsonb_path_query(definition, 'strict $.** ? (@.kind == "shopify_segment").segment_id') x(v) where x.v #>> '{}' = any($2::text[]))
        order by id`,
      [o.shopId, [...touched]],
    );
    for (const { id } of r.rows) if (await refreshSegment(db, o.shopId, id, o.now, o)) refreshed.push(id);
  }
  return ok({ segments: list.value.length, synced, refreshed });
}

/** Staging table, then one upsert and one delete, in one transaction (never half-written). */
async function writeMembers(db: pg.Pool, shopId: number, segmentId: string, externalIds: string[], now: Date) {
  return withTransaction(db, async (c) => {
    await c.query(`create temp table shopify_segment_stage (external_id text not null) on commit drop`);
    for (let i = 0; i < externalIds.length; i += STAGE_CHUNK) {
      await c.query(`insert into shopify_segment_stage select unnest($1::text[])`, [externalIds.slice(i, i + STAGE_CHUNK)]);
    }
    // Members Winback has not imported yet have no customer row: they join on the next sync.
    const r = await c.query<{ members: number; added: number; removed: number }>(
      `with staged as (
         select distinct ci.customer_id from shopify_segment_stage s
           join customer_identities ci on ci.shop_id = $1 and ci.source = 'shopify' and ci.external_id = s.external_id),
       up as (
         insert into shopify_segment_members (shop_id, segment_id, customer_id, synced_at)
         select $1, $2, customer_id, $3 from staged
         on conflict (shop_id, segment_id, customer_id) do update set synced_at = excluded.synced_at
         returning (xmax = 0) as inserted),
       del as (
         delete from shopify_segment_members m where m.shop_id = $1 and m.segment_id = $2
            and not exists (select 1 from staged s where s.customer_id = m.customer_id)
         returning 1)
       select (select count(*) from staged)::int as members,
              (select count(*) from up where inserted)::int as added,
              (select count(*) from del)::int as removed`,
      [shopId, segmentId, now],
    );
    const row = r.rows[0];
    await c.query(`update shopify_segments set members_synced_at = $3, member_count = $4 where shop_id = $1 and id = $2`, [shopId, segmentId, now, row.members]);
    return row;
  });
}
