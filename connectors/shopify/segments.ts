// The shop's own Shopify customer segments: the list (`segments`) and each one's members
// (`customerSegmentMembers`, paginated by cursor). Reads only; the caller stores what it gets.
import { err, ok, type Result } from "../../core/result";
import type { AdminGraphql, ClientError } from "./client";
import { operation } from "./operations";

export interface ShopifySegmentInfo { id: string; name: string; query: string }

export type SegmentReadError = { kind: "client"; error: ClientError };

type Page<N> = { nodes?: N[]; edges?: { cursor: string; node: N }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

// 250 keeps each page inside the single-query cost limit (the field allows 1000).
const PAGE = 250;

async function readAll<N>(
  client: AdminGraphql, query: string, field: string, variables: Record<string, unknown>, nodesOf: (p: Page<N>) => N[],
): Promise<Result<N[], SegmentReadError>> {
  const out: N[] = [];
  let after: string | null = null;
  for (;;) {
    const r: Result<{ data: Record<string, Page<N>> }, ClientError> = await client.request<Record<string, Page<N>>>(query, { ...variables, first: PAGE, after });
    if (!r.ok) return err({ kind: "client", error: r.error });
    const page: Page<N> = r.value.data[field];
    out.push(...nodesOf(page));
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return ok(out);
    after = page.pageInfo.endCursor;
  }
}

export function listShopifySegments(client: AdminGraphql): Promise<Result<ShopifySegmentInfo[], SegmentReadError>> {
  return readAll<ShopifySegmentInfo>(client, operation("segments"), "segments", {}, (p) => p.nodes ?? []);
}

/** The members' customer numbers (the numeric tail of the member GID is the customer's id). */
export async function readShopifySegmentMembers(client: AdminGraphql, segmentId: string): Promise<Result<string[], SegmentReadError>> {
  const r = await readAll<{ id: string }>(client, operation("customer-segment-members"), "customerSegmentMembers", { segmentId }, (p) => (p.edges ?? []).map((e) => e.node));
  if (!r.ok) return r;
  return ok(r.value.map((n) => n.id.slice(n.id.lastIndexOf("/") + 1)));
}
