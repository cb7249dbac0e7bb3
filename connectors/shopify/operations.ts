// Every Admin API operation the app sends, read once from graphql/*.graphql (validated against
// the pinned schema in test/connectors/shopify/operations.test.ts).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const OPERATION_FILES = [
  "bulk-customers", "bulk-orders", "bulk-products", "bulk-run-query", "bulk-operation",
  "bulk-operations-running", "shop-info", "customer-by-id", "order-by-id", "segments",
  "customer-email-consent-update", "customer-sms-consent-update", "discount-code-basic-create",
  "discount-redeem-code-bulk-add", "discount-redeem-code-bulk-creation", "protected-fields-probe",
  "customer-segment-members", "shop-counts", "customers-updated-since", "orders-updated-since", "code-discount-by-code", "discount-code-delete", "discount-code-free-shipping-create",
] as const;
export type OperationFile = (typeof OPERATION_FILES)[number];

// Found from this module's own location, never the working directory: beside it when run from
// source (tsx, vitest), else in the nearest ancestor holding connectors/shopify/graphql (the
// server bundle lives in build/server/, below the repository root that ships the .graphql files).
function findGraphqlDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(dir, "graphql");
  if (existsSync(path.join(beside, "shop-info.graphql"))) return beside;
  for (;;) {
    const candidate = path.join(dir, "connectors", "shopify", "graphql");
    if (existsSync(path.join(candidate, "shop-info.graphql"))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`connectors/shopify/graphql not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

let graphqlDir: string | undefined;

const cache = new Map<OperationFile, string>();

export function operation(name: OperationFile): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(path.join((graphqlDir ??= findGraphqlDir()), `${name}.graphql`), "utf8");
    cache.set(name, text);
  }
  return text;
}

export type BulkKind = "customers" | "orders" | "products";

/** The bulk query bodies, one per kind of record (split to stay inside bulk limits). */
export const BULK_QUERIES: Record<BulkKind, string> = {
  get customers() { return operation("bulk-customers"); },
  get orders() { return operation("bulk-orders"); },
  get products() { return operation("bulk-products"); },
};
