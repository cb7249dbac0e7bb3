// Root fields the simulator answers: the operations in connectors/shopify/graphql, and the
// list fields bulk queries start from. Anything else resolves to null (still schema-valid).
import type { SimStore } from "./generate";
import { connection, customerNode, gid, idOf, orderNode, productNode, type ModelContext } from "./model";

export interface BulkOp {
  id: number;
  query: string;
  groupObjects: boolean;
  status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELED" | "EXPIRED";
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  jsonl: string | null;
  errorCode: string | null;
  /** When the result URL stops working (7 days after completion at Shopify). */
  urlExpiresAt: number | null;
}

export interface DiscountState {
  id: number;
  code: string;
  title: string;
  codes: string[];
}

export interface SimState {
  store: SimStore;
  bulkOps: BulkOp[];
  discounts: DiscountState[];
  bulkCreations: { id: number; discountId: number; codes: string[]; failed: string[] }[];
  /** Origin the result URLs point at. */
  origin: string;
  maxConcurrentBulk: number;
  startBulk(query: string, groupObjects: boolean): BulkOp | { error: string; code: string };
}

const OPEN = new Set(["CREATED", "RUNNING"]);

export function bulkOperationNode(op: BulkOp, state: SimState) {
  const url = op.status === "COMPLETED" && op.jsonl ? `${state.origin}/bulk-results/${op.id}.jsonl` : null;
  return {
    id: gid("BulkOperation", op.id),
    status: op.status,
    errorCode: op.errorCode,
    createdAt: op.createdAt,
    completedAt: op.completedAt,
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: op.jsonl == null ? null : String(Buffer.byteLength(op.jsonl)),
    url,
    partialDataUrl: null,
    query: op.query,
    type: "QUERY",
  };
}

export function queryRoot(state: SimState, ctx: ModelContext) {
  const s = state.store;
  return {
    shop: () => ({
      id: gid("Shop", 1),
      name: s.shop.name,
      myshopifyDomain: s.shop.domain,
      currencyCode: s.shop.currency,
      ianaTimezone: s.shop.ianaTimezone,
      plan: { publicDisplayName: s.shop.plan, shopifyPlus: s.shop.plan === "Plus" || s.shop.plan === "Enterprise", partnerDevelopment: false },
    }),
    customer: ({ id }: { id: string }) => {
      const c = s.customers.find((x) => x.id === idOf(id));
      return c ? customerNode(c, ctx) : null;
    },
    order: ({ id }: { id: string }) => {
      const o = s.orders.find((x) => x.id === idOf(id));
      return o ? orderNode(o, ctx) : null;
    },
    customers: (args: object) => connection(s.customers.map((c) => customerNode(c, ctx)), args, ctx),
    orders: (args: object) => connection(s.orders.map((o) => orderNode(o, ctx)), args, ctx),
    products: (args: object) => connection(s.products.map((p) => productNode(p, ctx)), args, ctx),
    bulkOperation: ({ id }: { id: string }) => {
      const op = state.bulkOps.find((b) => b.id === idOf(id));
      return op ? bulkOperationNode(op, state) : null;
    },
    bulkOperations: (args: object) =>
      connection(state.bulkOps.filter((b) => OPEN.has(b.status)).reverse().map((b) => bulkOperationNode(b, state)), args, ctx),
    segments: (args: object) => connection([
      { id: gid("Segment", 1), name: "Repeat buyers", query: "number_of_orders >= 2", creationDate: "2026-01-01T00:00:00Z", lastEditDate: "2026-01-01T00:00:00Z" },
      { id: gid("Segment", 2), name: "Email subscribers", query: "customer_email_subscription_status = 'SUBSCRIBED'", creationDate: "2026-01-01T00:00:00Z", lastEditDate: "2026-01-01T00:00:00Z" },
    ], args, ctx),
    discountRedeemCodeBulkCreation: ({ id }: { id: string }) => {
      const b = state.bulkCreations.find((x) => x.id === idOf(id));
      if (!b) return null;
      return {
        id: gid("DiscountRedeemCodeBulkCreation", b.id),
        done: true,
        codesCount: b.codes.length,
        importedCount: b.codes.length - b.failed.length,
        failedCount: b.failed.length,
        createdAt: new Date().toISOString(),
        codes: (args: object) => connection(b.codes.map((code) => ({
          code,
          errors: b.failed.includes(code) ? [{ field: ["code"], message: "Code must be unique", code: "TAKEN" }] : [],
        })), args, ctx),
      };
    },
  };
}

type Consent = { marketingState: string; consentUpdatedAt?: string | null };

export function mutationRoot(state: SimState, ctx: ModelContext) {
  const s = state.store;
  const findCustomer = (id: string) => s.customers.find((x) => x.id === idOf(id));
  const notFound = { customer: null, userErrors: [{ field: ["input", "customerId"], message: "Customer not found", code: "INVALID" }] };
  return {
    bulkOperationRunQuery: ({ query, groupObjects }: { query: string; groupObjects: boolean }) => {
      const r = state.startBulk(query, groupObjects);
      if ("error" in r) return { bulkOperation: null, userErrors: [{ field: ["query"], message: r.error, code: r.code }] };
      return { bulkOperation: bulkOperationNode(r, state), userErrors: [] };
    },
    customerEmailMarketingConsentUpdate: ({ input }: { input: { customerId: string; emailMarketingConsent: Consent } }) => {
      const c = findCustomer(input.customerId);
      if (!c) return notFound;
      if (!c.email) return { customer: null, userErrors: [{ field: ["input", "customerId"], message: "Customer must have an email address", code: "INVALID" }] };
      c.emailState = input.emailMarketingConsent.marketingState as typeof c.emailState;
      c.emailConsentAt = input.emailMarketingConsent.consentUpdatedAt ?? new Date().toISOString();
      c.updatedAt = new Date().toISOString();
      return { customer: customerNode(c, ctx), userErrors: [] };
    },
    customerSmsMarketingConsentUpdate: ({ input }: { input: { customerId: string; smsMarketingConsent: Consent } }) => {
      const c = findCustomer(input.customerId);
      if (!c) return notFound;
      if (!c.phone) return { customer: null, userErrors: [{ field: ["input", "customerId"], message: "Customer must have a phone number", code: "INVALID" }] };
      c.smsState = (input.smsMarketingConsent.marketingState === "NOT_SUBSCRIBED" ? "NEVER_SUBSCRIBED" : input.smsMarketingConsent.marketingState) as typeof c.smsState;
      c.smsConsentAt = input.smsMarketingConsent.consentUpdatedAt ?? new Date().toISOString();
      c.updatedAt = new Date().toISOString();
      return { customer: customerNode(c, ctx), userErrors: [] };
    },
    discountCodeBasicCreate: ({ basicCodeDiscount }: { basicCodeDiscount: { code?: string; title?: string } }) => {
      const code = basicCodeDiscount.code ?? "";
      if (!code) return { codeDiscountNode: null, userErrors: [{ field: ["basicCodeDiscount", "code"], message: "Code can't be blank", code: "BLANK" }] };
      if (state.discounts.some((d) => d.code === code || d.codes.includes(code))) {
        return { codeDiscountNode: null, userErrors: [{ field: ["basicCodeDiscount", "code"], message: "Code must be unique. Please try a different code.", code: "TAKEN" }] };
      }
      const d = { id: 1_000 + state.discounts.length, code, title: basicCodeDiscount.title ?? code, codes: [code] };
      state.discounts.push(d);
      return { codeDiscountNode: { id: gid("DiscountCodeNode", d.id) }, userErrors: [] };
    },
    discountRedeemCodeBulkAdd: ({ discountId, codes }: { discountId: string; codes: { code: string }[] }) => {
      const d = state.discounts.find((x) => x.id === idOf(discountId));
      if (!d) return { bulkCreation: null, userErrors: [{ field: ["discountId"], message: "Discount not found", code: "INVALID" }] };
      if (codes.length > 250) return { bulkCreation: null, userErrors: [{ field: ["codes"], message: "Too many codes (at most 250)", code: "TOO_MANY_ARGUMENTS" }] };
      const taken = new Set(state.discounts.flatMap((x) => x.codes));
      const failed = codes.map((c) => c.code).filter((c) => taken.has(c));
      d.codes.push(...codes.map((c) => c.code).filter((c) => !taken.has(c)));
      const b = { id: 2_000 + state.bulkCreations.length, discountId: d.id, codes: codes.map((c) => c.code), failed };
      state.bulkCreations.push(b);
      return { bulkCreation: { id: gid("DiscountRedeemCodeBulkCreation", b.id), done: false }, userErrors: [] };
    },
  };
}

