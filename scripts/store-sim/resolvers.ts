// Root fields the simulator answers: the operations in connectors/shopify/graphql, and the
// list fields bulk queries start from. Anything else resolves to null (still schema-valid).
import { GraphQLError } from "graphql";
import type { SimStore } from "./store";
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
  /** The input it was created with (usage limit, once per customer, value, minimum, dates...). */
  input: Record<string, unknown>;
  deleted: boolean;
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

/** The shop's own customer segments, with the rule each one's membership follows. */
const SIM_SEGMENTS: { id: string; name: string; query: string; creationDate: string; lastEditDate: string; members: (s: SimStore) => SimStore["customers"] }[] = [
  {
    id: gid("Segment", 1), name: "Repeat buyers", query: "number_of_orders >= 2", creationDate: "2026-01-01T00:00:00Z", lastEditDate: "2026-01-01T00:00:00Z",
    members: (s) => {
      const orders = new Map<number, number>();
      for (const o of s.orders) if (o.customerId != null) orders.set(o.customerId, (orders.get(o.customerId) ?? 0) + 1);
      return s.customers.filter((c) => (orders.get(c.id) ?? 0) >= 2);
    },
  },
  {
    id: gid("Segment", 2), name: "Email subscribers", query: "customer_email_subscription_status = 'SUBSCRIBED'", creationDate: "2026-01-01T00:00:00Z", lastEditDate: "2026-01-01T00:00:00Z",
    members: (s) => s.customers.filter((c) => c.emailState === "SUBSCRIBED"),
  },
];

/** The part of Shopify's search syntax the app sends: `updated_at:>=X` (also >, <=, <). */
export function searchFilter<T extends { updatedAt: string }>(items: readonly T[], query?: string | null): readonly T[] {
  if (!query) return items;
  const m = /updated_at:(>=|<=|>|<)'?([^'\s]+)'?/.exec(query);
  if (!m) return items;
  const t = Date.parse(m[2]);
  const keep = (x: T) => {
    const u = Date.parse(x.updatedAt);
    return m[1] === ">=" ? u >= t : m[1] === ">" ? u > t : m[1] === "<=" ? u <= t : u < t;
  };
  return items.filter(keep);
}

type ListArgs = { query?: string | null; sortKey?: string; reverse?: boolean };
const sorted = <T extends { id: number; updatedAt: string }>(items: readonly T[], a: ListArgs): T[] => {
  const out = [...searchFilter(items, a.query)];
  if (a.sortKey === "UPDATED_AT") out.sort((x, y) => x.updatedAt.localeCompare(y.updatedAt) || x.id - y.id);
  return out;
};

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
    customers: (args: ListArgs) => connection(sorted(s.customers, args).map((c) => customerNode(c, ctx)), args, ctx),
    orders: (args: ListArgs) => connection(sorted(s.orders, args).map((o) => orderNode(o, ctx)), args, ctx),
    customersCount: (args: ListArgs) => ({ count: searchFilter(s.customers, args.query).length, precision: "EXACT" }),
    ordersCount: (args: ListArgs) => ({ count: searchFilter(s.orders, args.query).length, precision: "EXACT" }),
    codeDiscountNodeByCode: ({ code }: { code: string }) => {
      const d = state.discounts.find((x) => !x.deleted && x.codes.includes(code));
      return d ? { id: gid("DiscountCodeNode", d.id) } : null;
    },
    products: (args: object) => connection(s.products.map((p) => productNode(p, ctx)), args, ctx),
    bulkOperation: ({ id }: { id: string }) => {
      const op = state.bulkOps.find((b) => b.id === idOf(id));
      return op ? bulkOperationNode(op, state) : null;
    },
    bulkOperations: (args: object) =>
      connection(state.bulkOps.filter((b) => OPEN.has(b.status)).reverse().map((b) => bulkOperationNode(b, state)), args, ctx),
    segments: (args: object) => connection(SIM_SEGMENTS.map(({ members: _m, ...seg }) => seg), args, ctx),
    // Members page by up to 1000 (the field's documented maximum); ids are the customers' own numbers.
    customerSegmentMembers: (args: { segmentId?: string | null; first?: number; after?: string }) => {
      const seg = SIM_SEGMENTS.find((x) => x.id === args.segmentId);
      if (!seg) throw new GraphQLError("Segment does not exist", { extensions: { code: "NOT_FOUND" } });
      const members = seg.members(s).map((c) => ({ id: gid("CustomerSegmentMember", c.id) }));
      return connection(members, args, ctx, 1000);
    },
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
  const createDiscount = (input: { code?: string; title?: string }, arg: string) => {
    const code = input.code ?? "";
    if (!code) return { codeDiscountNode: null, userErrors: [{ field: [arg, "code"], message: "Code can't be blank", code: "BLANK" }] };
    if (state.discounts.some((d) => !d.deleted && (d.code === code || d.codes.includes(code)))) {
      return { codeDiscountNode: null, userErrors: [{ field: [arg, "code"], message: "Code must be unique. Please try a different code.", code: "TAKEN" }] };
    }
    const d = { id: 1_000 + state.discounts.length, code, title: input.title ?? code, codes: [code], input: { ...input, kind: arg }, deleted: false };
    state.discounts.push(d);
    return { codeDiscountNode: { id: gid("DiscountCodeNode", d.id) }, userErrors: [] };
  };
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
    discountCodeBasicCreate: ({ basicCodeDiscount }: { basicCodeDiscount: { code?: string; title?: string } }) => createDiscount(basicCodeDiscount, "basicCodeDiscount"),
    discountCodeFreeShippingCreate: ({ freeShippingCodeDiscount }: { freeShippingCodeDiscount: { code?: string; title?: string } }) =>
      createDiscount(freeShippingCodeDiscount, "freeShippingCodeDiscount"),
    discountRedeemCodeBulkAdd: ({ discountId, codes }: { discountId: string; codes: { code: string }[] }) => {
      const d = state.discounts.find((x) => x.id === idOf(discountId) && !x.deleted);
      if (!d) return { bulkCreation: null, userErrors: [{ field: ["discountId"], message: "Discount not found", code: "INVALID" }] };
      if (codes.length > 250) return { bulkCreation: null, userErrors: [{ field: ["codes"], message: "Too many codes (at most 250)", code: "TOO_MANY_ARGUMENTS" }] };
      const taken = new Set(state.discounts.filter((x) => !x.deleted).flatMap((x) => x.codes));
      const failed = codes.map((c) => c.code).filter((c) => taken.has(c));
      d.codes.push(...codes.map((c) => c.code).filter((c) => !taken.has(c)));
      const b = { id: 2_000 + state.bulkCreations.length, discountId: d.id, codes: codes.map((c) => c.code), failed };
      state.bulkCreations.push(b);
      return { bulkCreation: { id: gid("DiscountRedeemCodeBulkCreation", b.id), done: false }, userErrors: [] };
    },
    discountCodeBulkDelete: ({ ids }: { ids?: string[] }) => {
      if (!ids?.length) return { job: null, userErrors: [{ field: ["ids"], message: "Ids can't be blank", code: "BLANK" }] };
      if (ids.length > 250) return { job: null, userErrors: [{ field: ["ids"], message: "Too many ids (at most 250)", code: "TOO_MANY_ARGUMENTS" }] };
      for (const id of ids) {
        const d = state.discounts.find((x) => x.id === idOf(id));
        if (d) d.deleted = true;
      }
      return { job: { id: gid("Job", 3_000 + state.discounts.length), done: false }, userErrors: [] };
    },
  };
}

