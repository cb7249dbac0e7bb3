// Checks an operation the way the simulator must: valid against the real schema, and (for our
// own operations) no deprecated field or argument, and bulk queries inside Shopify's limits.
import {
  getNamedType, isObjectType, parse, TypeInfo, validate, visit, visitWithTypeInfo,
  type DocumentNode, type GraphQLError, type GraphQLSchema, type SelectionSetNode,
} from "graphql";

export function parseAndValidate(schema: GraphQLSchema, source: string):
  { ok: true; document: DocumentNode } | { ok: false; errors: GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (e) {
    return { ok: false, errors: [e as GraphQLError] };
  }
  const errors = validate(schema, document);
  return errors.length ? { ok: false, errors: [...errors] } : { ok: true, document };
}

/** Every deprecated field or argument the document uses, as "Type.field" / "Type.field(arg)". */
export function deprecatedUsages(schema: GraphQLSchema, document: DocumentNode): string[] {
  const found: string[] = [];
  const info = new TypeInfo(schema);
  visit(document, visitWithTypeInfo(info, {
    Field() {
      const def = info.getFieldDef();
      const parent = info.getParentType();
      if (def?.deprecationReason) found.push(`${parent?.name}.${def.name}`);
    },
    Argument() {
      const arg = info.getArgument();
      const def = info.getFieldDef();
      if (arg?.deprecationReason) found.push(`${def?.name}(${arg.name})`);
    },
  }));
  return found;
}

export interface BulkShape {
  connections: number;
  /** Deepest nesting of a connection inside another (the root connection is depth 0). */
  depth: number;
}

/** Counts connections (fields returning a *Connection type) and their nesting in a bulk query. */
export function bulkShape(schema: GraphQLSchema, document: DocumentNode): BulkShape {
  let connections = 0;
  let depth = 0;
  const walk = (set: SelectionSetNode | undefined, typeName: string, level: number) => {
    if (!set) return;
    const type = schema.getType(typeName);
    if (!isObjectType(type)) return;
    for (const sel of set.selections) {
      if (sel.kind !== "Field") continue;
      const field = type.getFields()[sel.name.value];
      if (!field) continue;
      const named = getNamedType(field.type).name;
      const isConn = named.endsWith("Connection");
      if (isConn) {
        connections++;
        depth = Math.max(depth, level + 1);
      }
      walk(sel.selectionSet, named, isConn ? level + 1 : level);
    }
  };
  for (const def of document.definitions) {
    if (def.kind === "OperationDefinition") walk(def.selectionSet, schema.getQueryType()!.name, -1);
  }
  return { connections, depth };
}
