// Shopify's own Admin GraphQL schema for the pinned version, from its introspection result.
// Shopify publishes it inside the npm package @shopify/dev-mcp (dist/data/admin_<version>.json.gz).
// In this workspace a copy sits in ../shared; on any other machine the tarball is fetched once
// with `npm pack` (no install, no dependencies) and the file cached under .cache/.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { buildClientSchema, type GraphQLSchema } from "graphql";
import { ADMIN_API_VERSION } from "../../connectors/shopify/api-version";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const FILE = `admin_${ADMIN_API_VERSION}.json.gz`;
const PACKAGE = "@shopify/dev-mcp@1.16.0";

export function adminSchemaPath(): string {
  const candidates = [
    process.env.SHOPIFY_ADMIN_SCHEMA,
    path.resolve(ROOT, "..", "shared", "data", "shopify", FILE),
    path.join(ROOT, ".cache", "shopify", FILE),
  ].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  return fetchFromNpm(path.join(ROOT, ".cache", "shopify"));
}

function fetchFromNpm(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const pack = spawnSync("npm", ["pack", PACKAGE, "--silent", "--pack-destination", dir], { encoding: "utf8" });
  if (pack.status !== 0) throw new Error(`could not fetch Shopify's Admin schema (${PACKAGE}) with npm pack: ${pack.stderr}`);
  const tarball = path.join(dir, pack.stdout.trim().split("\n").pop()!);
  const untar = spawnSync("tar", ["-xzf", tarball, "-C", dir, "--strip-components=3", `package/dist/data/${FILE}`], { encoding: "utf8" });
  const out = path.join(dir, FILE);
  if (untar.status !== 0 || !existsSync(out)) throw new Error(`${PACKAGE} has no dist/data/${FILE}: ${untar.stderr}`);
  return out;
}

let cached: GraphQLSchema | undefined;

export function loadAdminSchema(): GraphQLSchema {
  if (!cached) {
    const json = JSON.parse(gunzipSync(readFileSync(adminSchemaPath())).toString("utf8"));
    cached = buildClientSchema(json.data);
  }
  return cached;
}
