// Bulk queries: run the query over the whole store and write Shopify's JSONL: one line per
// node, nested connection nodes as their own lines carrying __parentId, children right after
// their parent when groupObjects is true (else all parents first, children after).
import { execute, type DocumentNode, type GraphQLSchema } from "graphql";

type Obj = Record<string, unknown>;

const isConnection = (v: unknown): v is { edges?: { node: Obj }[]; nodes?: Obj[] } =>
  !!v && typeof v === "object" && !Array.isArray(v) && ("edges" in v || "nodes" in v) && !("id" in v);

const nodesOf = (c: { edges?: { node: Obj }[]; nodes?: Obj[] }): Obj[] => c.nodes ?? c.edges?.map((e) => e.node) ?? [];

/** Splits one node into its own line and its connection children. */
function flatten(node: Obj, parentId: string | undefined, groupObjects: boolean, out: string[], later: string[]): number {
  const own: Obj = {};
  const children: Obj[][] = [];
  for (const [k, v] of Object.entries(node)) {
    if (isConnection(v)) children.push(nodesOf(v));
    else own[k] = v;
  }
  if (parentId) own.__parentId = parentId;
  (parentId && !groupObjects ? later : out).push(JSON.stringify(own));
  let count = 1;
  for (const list of children) {
    for (const child of list) count += flatten(child, String(node.id), groupObjects, out, later);
  }
  return count;
}

export interface BulkResult { jsonl: string; objectCount: number; rootObjectCount: number; errors: string[] }

export async function runBulkQuery(
  schema: GraphQLSchema, document: DocumentNode, rootValue: Obj, contextValue: unknown, groupObjects: boolean,
): Promise<BulkResult> {
  const result = await execute({ schema, document, rootValue, contextValue });
  const out: string[] = [];
  const later: string[] = [];
  let objectCount = 0;
  let rootObjectCount = 0;
  for (const value of Object.values(result.data ?? {})) {
    if (!isConnection(value)) continue;
    for (const node of nodesOf(value)) {
      rootObjectCount++;
      objectCount += flatten(node, undefined, groupObjects, out, later);
    }
  }
  const lines = out.concat(later);
  return {
    jsonl: lines.length ? lines.join("\n") + "\n" : "",
    objectCount,
    rootObjectCount,
    errors: (result.errors ?? []).map((e) => e.message),
  };
}
