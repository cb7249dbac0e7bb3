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
] as const;
export type OperationFile = (typeof OPERATION_FILES)[number];

// Beside this module when run from source (tsx, vitest); from the repository root when this
// module was bundled elsewhere (a server build).
function graphqlDir(): string {
  const here = path.join(path.dirname(fileURLToPath(import.meta.url)), "graphql");
  return existsSync(here) ? here : path.join(process.cwd(), "connectors", "shopify", "graphql");
}

const cache = new Map<OperationFile, string>();

export function operation(name: OperationFile): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(path.join(graphqlDir(), `${name}.graphql`), "utf8");
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
