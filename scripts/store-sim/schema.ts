// Shopify's own Admin GraphQL schema for the pinned version, from its introspection result.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, type GraphQLSchema } from "graphql";

export const SCHEMA_PATH = new URL("../../../shared/data/shopify/admin_2026-10.json.gz", import.meta.url);

let cached: GraphQLSchema | undefined;

export function loadAdminSchema(): GraphQLSchema {
  if (!cached) {
    const json = JSON.parse(gunzipSync(readFileSync(SCHEMA_PATH)).toString("utf8"));
    cached = buildClientSchema(json.data);
  }
  return cached;
}
