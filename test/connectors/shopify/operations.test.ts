import { parse, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { ADMIN_API_VERSION } from "../../../connectors/shopify/api-version";
import { OPERATION_FILES, operation } from "../../../connectors/shopify/operations";
import { loadAdminSchema } from "../../../scripts/store-sim/schema";
import { MAX_QUERY_COST, queryCost } from "../../../scripts/store-sim/throttle";
import { bulkShape, deprecatedUsages, parseAndValidate } from "../../../scripts/store-sim/validate";

const schema = loadAdminSchema();

describe("Admin API operations against the 2026-10 schema", () => {
  it("pins 2026-10", () => expect(ADMIN_API_VERSION).toBe("2026-10"));

  it.each(OPERATION_FILES)("%s is valid and uses nothing deprecated", (name) => {
    const r = parseAndValidate(schema, operation(name));
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join("\n"));
    expect(deprecatedUsages(schema, r.document)).toEqual([]);
  });

  it.each(OPERATION_FILES.filter((n) => n.startsWith("bulk-") && !n.includes("operation") && n !== "bulk-run-query"))(
    "%s stays inside the bulk limits (<=5 connections, depth <=2)",
    (name) => {
      const shape = bulkShape(schema, parse(operation(name)));
      expect(shape.connections).toBeGreaterThan(0);
      expect(shape.connections).toBeLessThanOrEqual(5);
      expect(shape.depth).toBeLessThanOrEqual(2);
    },
  );

  it.each(OPERATION_FILES.filter((n) => !/^bulk-(customers|orders|products)$/.test(n)))(
    "%s asks for at most Shopify's single-query cost (1000 points)",
    (name) => {
      const doc = parse(operation(name));
      const op = doc.definitions.find((d) => d.kind === "OperationDefinition")!;
      expect(queryCost(schema, doc, op as OperationDefinitionNode, { first: 250 })).toBeLessThanOrEqual(MAX_QUERY_COST);
    },
  );

  it("catches deprecated usage (Customer.email)", () => {
    const r = parseAndValidate(schema, "{ customer(id: \"gid://shopify/Customer/1\") { email phone } }");
    expect(r.ok).toBe(true);
    if (r.ok) expect(deprecatedUsages(schema, r.document)).toEqual(["Customer.email", "Customer.phone"]);
  });
});
