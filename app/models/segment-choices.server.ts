// What the segment builder offers to pick from the shop itself: its journeys, its own Shopify
// customer segments (synced into shopify_segments by jobs/segments/shopify-members.ts) and its
// behavioural clusters (from the latest scoring fit).
import type pg from "pg";
import type { BuilderChoices } from "../components/segments/more-kinds";
import { shopClusters } from "./customers.server";

export async function builderChoices(db: pg.Pool, shopId: number): Promise<BuilderChoices> {
  const [shopify, journeys, clusters] = await Promise.all([
    db.query<{ id: string; name: string }>(`select id, name from shopify_segments where shop_id = $1 order by name, id`, [shopId]),
    db.query<{ id: string; name: string }>(`select id::text, name from journeys where shop_id = $1 order by name, id`, [shopId]),
    shopClusters(db, shopId),
  ]);
  return { shopifySegments: shopify.rows, journeys: journeys.rows, clusters };
}

/** The Shopify segments one saved segment references (their members are synced on demand). */
export async function shopifySegmentsOf(db: pg.Pool, shopId: number, segmentId: string): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `select distinct jsonb_path_query(definition, 'strict $.** ? (@.kind == "shopify_segment").segment_id') #>> '{}' as id
       from segments where shop_id = $1 and id = $2`,
    [shopId, segmentId],
  );
  return r.rows.map((x) => x.id);
}
