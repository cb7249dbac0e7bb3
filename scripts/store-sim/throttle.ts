// Shopify's cost-based throttle: a leaky bucket per shop, and a query-cost estimate from the
// selection (objects 1, scalars 0, connections 2 + page size x the node cost, mutations 10).
import {
  getNamedType, isLeafType, isObjectType, isInterfaceType, Kind,
  type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode, type ValueNode,
} from "graphql";

export interface Bucket {
  maximumAvailable: number;
  restoreRate: number;
  currentlyAvailable: number;
  at: number;
}

/** Shopify refuses a single query whose requested cost is above this (MAX_COST_EXCEEDED). */
export const MAX_QUERY_COST = 1000;

/** Restore rates by plan, points per second (bucket = 20 s of restore). */
export const PLAN_RESTORE = { Basic: 100, Advanced: 200, Plus: 1000, Enterprise: 2000 } as const;

export function newBucket(restoreRate: number, maximumAvailable = restoreRate * 20, now = Date.now()): Bucket {
  return { maximumAvailable, restoreRate, currentlyAvailable: maximumAvailable, at: now };
}

export function refill(b: Bucket, now: number): void {
  b.currentlyAvailable = Math.min(b.maximumAvailable, b.currentlyAvailable + ((now - b.at) / 1000) * b.restoreRate);
  b.at = now;
}

/** Takes `cost` points if available; false means THROTTLED. */
export function take(b: Bucket, cost: number, now: number): boolean {
  refill(b, now);
  if (cost > b.currentlyAvailable) return false;
  b.currentlyAvailable -= cost;
  return true;
}

export function throttleStatus(b: Bucket) {
  return {
    maximumAvailable: b.maximumAvailable,
    currentlyAvailable: Math.floor(b.currentlyAvailable),
    restoreRate: b.restoreRate,
  };
}

function argInt(v: ValueNode | undefined, vars: Record<string, unknown>): number | undefined {
  if (!v) return undefined;
  if (v.kind === Kind.INT) return Number(v.value);
  if (v.kind === Kind.VARIABLE) {
    const x = vars[v.name.value];
    return typeof x === "number" ? x : undefined;
  }
  return undefined;
}

export function queryCost(schema: GraphQLSchema, doc: DocumentNode, op: OperationDefinitionNode, vars: Record<string, unknown>): number {
  const fragments = new Map(doc.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const cost = (set: SelectionSetNode | undefined, typeName: string): number => {
    if (!set) return 0;
    const type = schema.getType(typeName);
    if (!isObjectType(type) && !isInterfaceType(type)) return 0;
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) total += cost(sel.selectionSet, sel.typeCondition?.name.value ?? typeName);
      else if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(sel.name.value);
        if (f) total += cost(f.selectionSet, f.typeCondition.name.value);
      } else {
        const field = type.getFields()[sel.name.value];
        if (!field) continue;
        const named = getNamedType(field.type);
        if (isLeafType(named)) continue;
        const inner = cost(sel.selectionSet, named.name);
        if (named.name.endsWith("Connection")) {
          const args = new Map(sel.arguments?.map((a) => [a.name.value, a.value]));
          const n = argInt(args.get("first"), vars) ?? argInt(args.get("last"), vars) ?? 1;
          total += 2 + n * Math.max(1, inner - 1);
        } else total += 1 + inner;
      }
    }
    return total;
  };
  if (op.operation === "mutation") return 10;
  return Math.max(1, cost(op.selectionSet, schema.getQueryType()!.name));
}
