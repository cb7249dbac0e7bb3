// The generated store as GraphQL-shaped objects (graphql-js's default resolver reads plain
// properties and calls functions with (args, context)). Protected fields throw, so execution
// answers null for the field plus an `errors` entry with its path, as Shopify does.
import { GraphQLError } from "graphql";
import { decimal, type SimCustomer, type SimOrder, type SimProduct, type SimStore } from "./store";

export interface Withhold {
  /** Customer email (defaultEmailAddress) and Order.email. */
  email?: boolean;
  /** Customer phone (defaultPhoneNumber). */
  phone?: boolean;
}

export interface ModelContext {
  store: SimStore;
  withhold: Withhold;
  /** Bulk runs ignore page sizes and return every node. */
  bulk: boolean;
}

export const gid = (type: string, id: number | string) => `gid://shopify/${type}/${id}`;
export const idOf = (g: string): number => Number(g.slice(g.lastIndexOf("/") + 1));

function denied(object: string): never {
  throw new GraphQLError(
    `This app is not approved to access the ${object} object. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.`,
    { extensions: { code: "ACCESS_DENIED" } },
  );
}

interface PageArgs { first?: number; last?: number; after?: string; before?: string; reverse?: boolean }

/** A connection page as Shopify answers it; `maxPage` is the field's documented page limit. */
export function connection<T>(all: readonly T[], args: PageArgs, ctx: ModelContext, maxPage = 250) {
  // Outside bulk queries Shopify refuses an unbounded connection.
  if (!ctx.bulk && args.first == null && args.last == null) {
    throw new GraphQLError("you must provide one of first or last", { extensions: { code: "BAD_REQUEST" } });
  }
  const items = args.reverse ? [...all].reverse() : all;
  let start = 0;
  if (args.after) start = Number(Buffer.from(args.after, "base64url").toString()) + 1;
  const size = ctx.bulk ? items.length : Math.min(maxPage, args.first ?? args.last ?? 0);
  const slice = items.slice(start, start + size);
  const cursor = (i: number) => Buffer.from(String(start + i)).toString("base64url");
  return {
    edges: slice.map((node, i) => ({ node, cursor: cursor(i) })),
    nodes: slice,
    pageInfo: {
      hasNextPage: start + size < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length ? cursor(0) : null,
      endCursor: slice.length ? cursor(slice.length - 1) : null,
    },
  };
}

export function money(minor: number, store: SimStore) {
  const m = { amount: decimal(minor, store.shop.exponent), currencyCode: store.shop.currency };
  return { shopMoney: m, presentmentMoney: m };
}

export function customerNode(c: SimCustomer, ctx: ModelContext) {
  return {
    __typename: "Customer",
    id: gid("Customer", c.id),
    legacyResourceId: String(c.id),
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: `${c.firstName} ${c.lastName}`,
    locale: c.locale,
    tags: c.tags,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    defaultEmailAddress: () => {
      if (ctx.withhold.email) denied("Customer");
      return c.email == null ? null : {
        emailAddress: c.email,
        marketingState: c.emailState,
        marketingUpdatedAt: c.emailConsentAt,
        marketingOptInLevel: c.emailState === "SUBSCRIBED" ? "SINGLE_OPT_IN" : null,
      };
    },
    defaultPhoneNumber: () => {
      if (ctx.withhold.phone) denied("Customer");
      return c.phone == null ? null : {
        phoneNumber: c.phone,
        smsMarketingConsent: {
          state: c.smsState,
          updatedAt: c.smsConsentAt,
          collectedFrom: c.smsConsentAt ? "SHOPIFY" : null,
          optInLevel: c.smsState === "SUBSCRIBED" ? "SINGLE_OPT_IN" : null,
        },
      };
    },
    defaultAddress: {
      id: gid("MailingAddress", c.id),
      countryCodeV2: c.country,
      provinceCode: c.province,
      city: c.city,
      zip: c.zip,
      address1: c.address1,
      timeZone: c.timeZone,
      firstName: c.firstName,
      lastName: c.lastName,
    },
  };
}

export function orderNode(o: SimOrder, ctx: ModelContext) {
  const s = ctx.store;
  return {
    __typename: "Order",
    id: gid("Order", o.id),
    legacyResourceId: String(o.id),
    name: o.name,
    email: () => (ctx.withhold.email ? denied("Order") : o.email),
    processedAt: o.processedAt,
    createdAt: o.processedAt,
    updatedAt: o.updatedAt,
    cancelledAt: o.cancelledAt,
    currencyCode: s.shop.currency,
    sourceName: o.sourceName,
    displayFinancialStatus: o.financialStatus,
    discountCodes: o.discountCodes,
    customer: o.customerId == null ? null : { __typename: "Customer", id: gid("Customer", o.customerId) },
    subtotalPriceSet: money(o.subtotal, s),
    totalDiscountsSet: money(o.discounts, s),
    totalShippingPriceSet: money(o.shipping, s),
    totalTaxSet: money(o.tax, s),
    totalPriceSet: money(o.total, s),
    totalRefundedSet: money(o.refunded, s),
    refunds: o.refunds.map((r) => ({ id: gid("Refund", r.id), createdAt: r.createdAt, totalRefundedSet: money(r.amount, s) })),
    lineItems: (args: PageArgs) => connection(o.lines.map((l) => ({
      id: gid("LineItem", l.id),
      sku: l.sku,
      title: l.title,
      vendor: l.vendor,
      quantity: l.quantity,
      product: { id: gid("Product", l.productId) },
      variant: { id: gid("ProductVariant", l.variantId) },
      originalUnitPriceSet: money(l.price, s),
      totalDiscountSet: money(l.discount, s),
    })), args, ctx),
  };
}

export function productNode(p: SimProduct, ctx: ModelContext) {
  const s = ctx.store;
  return {
    __typename: "Product",
    id: gid("Product", p.id),
    title: p.title,
    vendor: p.vendor,
    productType: p.productType,
    updatedAt: p.updatedAt,
    collections: (args: PageArgs) => connection(p.collections.map((c) => ({ id: gid("Collection", c.id), title: c.title })), args, ctx),
    variants: (args: PageArgs) => connection(p.variants.map((v) => ({
      id: gid("ProductVariant", v.id),
      sku: v.sku,
      inventoryItem: { id: gid("InventoryItem", v.id), unitCost: { amount: decimal(v.unitCost, s.shop.exponent), currencyCode: s.shop.currency } },
    })), args, ctx),
  };
}
