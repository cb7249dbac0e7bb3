// The simulator's store: Shopify-shaped records (numeric ids, upper-case consent states, line
// items, refunds) built from the one demo generator (scripts/demo-data/generate.ts), so the demo,
// the tests and the benchmarks all see the same seeded, realistic history whichever way it
// reaches the database (seedDemoShop's COPY, or a bulk import through this simulator).
// Money is integer minor units of the shop currency; times are ISO strings (UTC).
import { generateDemoStore, type DemoStore } from "../demo-data/generate";

export interface SimCustomer {
  id: number;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  emailState: "SUBSCRIBED" | "NOT_SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING";
  emailConsentAt: string | null;
  smsState: "SUBSCRIBED" | "NEVER_SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING";
  smsConsentAt: string | null;
  locale: string;
  tags: string[];
  country: string;
  province: string | null;
  city: string;
  zip: string | null;
  address1: string | null;
  timeZone: string;
  createdAt: string;
  updatedAt: string;
}

export interface SimLine {
  id: number;
  productId: number;
  variantId: number;
  sku: string;
  title: string;
  vendor: string;
  quantity: number;
  /** Unit price. */
  price: number;
  /** Total discount on the line. */
  discount: number;
}

export interface SimRefund { id: number; createdAt: string; amount: number }

export interface SimOrder {
  id: number;
  name: string;
  customerId: number | null;
  email: string | null;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  financialStatus: "PAID" | "PARTIALLY_REFUNDED" | "REFUNDED";
  sourceName: string;
  discountCodes: string[];
  lines: SimLine[];
  subtotal: number;
  discounts: number;
  shipping: number;
  tax: number;
  total: number;
  refunded: number;
  refunds: SimRefund[];
}

export interface SimVariant { id: number; sku: string; price: number; unitCost: number }
export interface SimProduct {
  id: number;
  title: string;
  vendor: string;
  productType: string;
  collections: { id: number; title: string }[];
  variants: SimVariant[];
  updatedAt: string;
}

export interface SimShop {
  domain: string;
  name: string;
  currency: string;
  /** Digits after the decimal point in the currency (2 for USD, 0 for JPY). */
  exponent: number;
  ianaTimezone: string;
  plan: "Basic" | "Advanced" | "Plus" | "Enterprise";
}

export interface SimStore {
  shop: SimShop;
  customers: SimCustomer[];
  orders: SimOrder[];
  products: SimProduct[];
}

export interface GenerateOptions {
  seed?: number;
  domain?: string;
  customers: number;
  /** The end of the history ("today"); it spans `years` before it. */
  now?: Date;
  years?: number;
  /** Ignored: order counts follow each customer's rhythm (about four per customer). */
  orders?: number;
  /** Ignored: the demo catalogue has 60 products. */
  products?: number;
}

const DAY = 86_400_000;
export const DEFAULT_SIM_END = new Date("2026-11-01T00:00:00Z");

const iso = (d: Date | number) => new Date(Math.floor(new Date(d).getTime() / 1000) * 1000).toISOString();

/** A seeded demo store as the simulator serves it. */
export function generateStore(o: GenerateOptions): SimStore {
  const end = o.now ?? DEFAULT_SIM_END;
  const demo = generateDemoStore({ seed: o.seed ?? 1, customers: o.customers, end, years: o.years });
  return simStoreFromDemo(demo, { domain: o.domain, end });
}

/** The demo generator's store in Shopify's shape: same external ids, amounts and times. */
export function simStoreFromDemo(demo: DemoStore, o: { domain?: string; end?: Date } = {}): SimStore {
  const end = (o.end ?? DEFAULT_SIM_END).getTime();
  const shop: SimShop = {
    domain: o.domain ?? "winback-sim.myshopify.com",
    name: "Winback Demo Coffee",
    currency: "USD",
    exponent: 2,
    ianaTimezone: "America/New_York",
    plan: "Basic",
  };
  const collections = [...new Set(demo.products.map((p) => p.collection))];
  const products: SimProduct[] = demo.products.map((p) => {
    const id = Number(p.externalId);
    return {
      id, title: p.title, vendor: p.vendor, productType: p.collection,
      collections: [{ id: 500 + collections.indexOf(p.collection), title: p.collection }],
      variants: [{ id: id * 10 + 1, sku: `SKU-${id}`, price: p.price, unitCost: p.unitCost }],
      updatedAt: iso(end - 30 * DAY),
    };
  });
  const customers: SimCustomer[] = demo.customers.map((c) => {
    const at = iso(c.createdAt);
    return {
      id: Number(c.externalId),
      firstName: c.firstName,
      lastName: c.lastName,
      email: c.email,
      phone: c.phone,
      emailState: c.emailConsent === "subscribed" ? "SUBSCRIBED" : c.emailConsent === "unsubscribed" ? "UNSUBSCRIBED" : "NOT_SUBSCRIBED",
      emailConsentAt: at,
      smsState: c.phone && c.smsConsent === "subscribed" ? "SUBSCRIBED" : "NEVER_SUBSCRIBED",
      smsConsentAt: c.phone && c.smsConsent === "subscribed" ? at : null,
      locale: c.country === "DE" ? "de" : "en",
      tags: c.tags,
      country: c.country,
      province: c.province,
      city: c.city,
      zip: null,
      address1: null,
      timeZone: c.timezone,
      createdAt: at,
      updatedAt: at,
    };
  });
  const emailOf = new Map(customers.map((c) => [String(c.id), c.email]));
  const orders: SimOrder[] = demo.orders.map((d) => {
    const id = Number(d.externalId);
    const processed = d.processedAt.getTime();
    const refunds: SimRefund[] = d.refunded > 0
      ? [{ id: id * 10 + 9, createdAt: iso(Math.min(processed + 2 * DAY, end - 1000)), amount: d.refunded }] : [];
    return {
      id,
      name: d.name,
      customerId: Number(d.customerExternalId),
      email: emailOf.get(d.customerExternalId) ?? null,
      processedAt: iso(processed),
      updatedAt: refunds.length ? refunds[0].createdAt : iso(Math.min(processed + 60_000, end - 1000)),
      cancelledAt: d.cancelledAt ? iso(d.cancelledAt) : null,
      financialStatus: d.refunded === 0 ? "PAID" : d.refunded >= d.total ? "REFUNDED" : "PARTIALLY_REFUNDED",
      sourceName: "web",
      discountCodes: d.discountCodes,
      lines: d.lines.map((l, i) => {
        const productId = Number(l.productExternalId);
        return {
          id: id * 10 + i, productId, variantId: productId * 10 + 1, sku: `SKU-${productId}`,
          title: l.title, vendor: l.vendor, quantity: l.quantity, price: l.price, discount: l.discount,
        };
      }),
      subtotal: d.subtotal,
      discounts: d.discounts,
      shipping: d.shipping,
      tax: d.tax,
      total: d.total,
      refunded: d.refunded,
      refunds,
    };
  });
  return { shop, customers, orders, products };
}

/** Minor units as Shopify's decimal string ("12.30"; "1200" when the exponent is 0). */
export function decimal(minor: number, exponent: number): string {
  if (exponent === 0) return String(minor);
  const neg = minor < 0;
  const s = String(Math.abs(minor)).padStart(exponent + 1, "0");
  return `${neg ? "-" : ""}${s.slice(0, -exponent)}.${s.slice(-exponent)}`;
}
