// A generated store, seeded and deterministic: customers with their own purchase rhythms,
// orders with lines, discount codes, refunds and cancellations, products in collections.
// Money is integer minor units of the shop currency; times are ISO strings (UTC).

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
  province: string;
  city: string;
  zip: string;
  address1: string;
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
  orders: number;
  products?: number;
  /** The store's "today"; orders fall in the three years before it. */
  now?: Date;
  currency?: string;
  exponent?: number;
}

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Eun-ji", "Femi", "Grace", "Hugo", "Ines", "Jonas", "Kai", "Lena", "Mateo", "Nora", "Omar", "Priya"];
const LAST = ["Smith", "Okafor", "Müller", "García", "Kim", "Rossi", "Dubois", "Nakamura", "Silva", "O'Brien", "Novak", "Haddad"];
const PLACES = [
  { country: "US", province: "NY", city: "New York", zip: "10001", tz: "America/New_York", phone: "+1212555" },
  { country: "US", province: "CA", city: "San Francisco", zip: "94103", tz: "America/Los_Angeles", phone: "+1415555" },
  { country: "CA", province: "ON", city: "Toronto", zip: "M5V 2T6", tz: "America/Toronto", phone: "+1416555" },
  { country: "GB", province: "ENG", city: "London", zip: "SW1A 1AA", tz: "Europe/London", phone: "+44207946" },
  { country: "DE", province: "BE", city: "Berlin", zip: "10115", tz: "Europe/Berlin", phone: "+4930123" },
];
const WORDS = ["Linen", "Wool", "Cedar", "Ceramic", "Copper", "Organic", "Classic", "Everyday", "Travel", "Studio"];
const THINGS = ["Shirt", "Mug", "Candle", "Scarf", "Notebook", "Tote", "Soap", "Blanket", "Teapot", "Socks"];
const VENDORS = ["North & Co", "Atelier Sud", "Kiln House", "Fieldwork"];
const COLLECTIONS = ["Home", "Apparel", "Gifts", "Kitchen", "Bath"];
const CODES = ["WELCOME10", "SPRING15", "VIP20", "FREESHIP"];
const DAY = 86_400_000;

export function generateStore(opts: GenerateOptions): SimStore {
  const r = rng(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const now = (opts.now ?? new Date("2026-11-01T00:00:00Z")).getTime();
  const iso = (t: number) => new Date(Math.floor(t / 1000) * 1000).toISOString();
  const unit = 10 ** (opts.exponent ?? 2);

  const shop: SimShop = {
    domain: opts.domain ?? "winback-sim.myshopify.com",
    name: "Winback Sim Store",
    currency: opts.currency ?? "USD",
    exponent: opts.exponent ?? 2,
    ianaTimezone: "America/New_York",
    plan: "Basic",
  };

  const nProducts = opts.products ?? 40;
  const products: SimProduct[] = [];
  let variantId = 40_000_000;
  for (let i = 0; i < nProducts; i++) {
    const id = 8_000_000 + i;
    const price = int(8, 120) * unit - (r() < 0.5 ? Math.floor(unit / 100) : 0);
    const variants: SimVariant[] = [];
    for (let v = 0; v < int(1, 3); v++) {
      variants.push({ id: ++variantId, sku: `SKU-${id}-${v}`, price, unitCost: Math.round(price * (0.3 + r() * 0.3)) });
    }
    const cols = new Set([pick(COLLECTIONS), ...(r() < 0.4 ? [pick(COLLECTIONS)] : [])]);
    products.push({
      id,
      title: `${pick(WORDS)} ${pick(THINGS)} ${i + 1}`,
      vendor: pick(VENDORS),
      productType: pick(THINGS),
      collections: [...cols].map((t) => ({ id: 500 + COLLECTIONS.indexOf(t), title: t })),
      variants,
      updatedAt: iso(now - int(1, 300) * DAY),
    });
  }

  // Each customer has a rhythm: a typical gap between purchases and an appetite (weight).
  const customers: SimCustomer[] = [];
  const rhythm: { gapDays: number; weight: number; firstAt: number }[] = [];
  for (let i = 0; i < opts.customers; i++) {
    const id = 6_000_000 + i;
    const place = pick(PLACES);
    const first = pick(FIRST);
    const last = pick(LAST);
    const created = now - int(30, 1100) * DAY - int(0, DAY);
    const hasEmail = r() < 0.96;
    const hasPhone = r() < 0.55;
    const emailState = !hasEmail ? "NOT_SUBSCRIBED" : r() < 0.6 ? "SUBSCRIBED" : r() < 0.8 ? "NOT_SUBSCRIBED" : "UNSUBSCRIBED";
    const smsState = !hasPhone ? "NEVER_SUBSCRIBED" : r() < 0.4 ? "SUBSCRIBED" : "NEVER_SUBSCRIBED";
    customers.push({
      id,
      firstName: first,
      lastName: last,
      email: hasEmail ? `${first}.${last}.${id}@example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, "") : null,
      phone: hasPhone ? `${place.phone}${String(1000 + (i % 9000)).padStart(4, "0")}` : null,
      emailState,
      emailConsentAt: emailState === "NOT_SUBSCRIBED" ? null : iso(created + DAY),
      smsState,
      smsConsentAt: smsState === "SUBSCRIBED" ? iso(created + 2 * DAY) : null,
      locale: place.country === "DE" ? "de" : place.country === "CA" && r() < 0.3 ? "fr" : "en",
      tags: r() < 0.2 ? ["vip"] : r() < 0.1 ? ["wholesale", "newsletter"] : [],
      country: place.country,
      province: place.province,
      city: place.city,
      zip: place.zip,
      address1: `${int(1, 999)} ${pick(WORDS)} Street`,
      timeZone: place.tz,
      createdAt: iso(created),
      updatedAt: iso(Math.min(now, created + int(1, 400) * DAY)),
    });
    rhythm.push({ gapDays: 15 + r() * 180, weight: 0.2 + r() ** 3 * 6, firstAt: created });
  }

  // Share the orders out by appetite, then date each customer's orders by their rhythm.
  const counts = new Array(customers.length).fill(0);
  const totalWeight = rhythm.reduce((s, x) => s + x.weight, 0);
  const cumulative: number[] = [];
  rhythm.reduce((s, x, i) => (cumulative[i] = s + x.weight), 0);
  const guestShare = customers.length ? 0.03 : 1;
  const slots: (number | null)[] = [];
  for (let i = 0; i < opts.orders; i++) {
    if (r() < guestShare) { slots.push(null); continue; }
    const x = r() * totalWeight;
    let lo = 0, hi = cumulative.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cumulative[mid] < x) lo = mid + 1; else hi = mid; }
    counts[lo]++;
    slots.push(lo);
  }
  const nextAt = rhythm.map((x) => x.firstAt + r() * 10 * DAY);

  const orders: SimOrder[] = [];
  let lineId = 90_000_000;
  let refundId = 70_000_000;
  for (let i = 0; i < slots.length; i++) {
    const ci = slots[i];
    const id = 5_000_000 + i;
    let at: number;
    if (ci === null) at = now - int(1, 1000) * DAY;
    else {
      at = Math.min(now - 3_600_000, nextAt[ci]);
      nextAt[ci] += rhythm[ci].gapDays * DAY * (0.3 - Math.log(1 - r() * 0.95));
    }
    const lines: SimLine[] = [];
    for (let l = 0; l < int(1, 4); l++) {
      const p = pick(products);
      const v = pick(p.variants);
      const quantity = int(1, 3);
      lines.push({ id: ++lineId, productId: p.id, variantId: v.id, sku: v.sku, title: p.title, vendor: p.vendor, quantity, price: v.price, discount: 0 });
    }
    const code = r() < 0.18 ? pick(CODES) : null;
    if (code && code !== "FREESHIP") {
      const pct = code === "WELCOME10" ? 10 : code === "SPRING15" ? 15 : 20;
      for (const l of lines) l.discount = Math.floor((l.price * l.quantity * pct) / 100);
    }
    const gross = lines.reduce((s, l) => s + l.price * l.quantity, 0);
    const discounts = lines.reduce((s, l) => s + l.discount, 0);
    const subtotal = gross - discounts;
    const shipping = code === "FREESHIP" || subtotal > 100 * unit ? 0 : 6 * unit - Math.floor(unit / 100);
    const tax = Math.round(subtotal * 0.08);
    const total = subtotal + shipping + tax;
    const cancelled = r() < 0.02;
    const refunds: SimRefund[] = [];
    if (cancelled) refunds.push({ id: ++refundId, createdAt: iso(at + DAY), amount: total });
    else if (r() < 0.08) refunds.push({ id: ++refundId, createdAt: iso(at + int(2, 20) * DAY), amount: Math.max(1, Math.floor(total * (0.2 + r() * 0.5))) });
    const refunded = refunds.reduce((s, x) => s + x.amount, 0);
    const c = ci === null ? null : customers[ci];
    orders.push({
      id,
      name: `#${1001 + i}`,
      customerId: c?.id ?? null,
      email: c ? c.email : `guest${i}@example.org`,
      processedAt: iso(at),
      updatedAt: iso(refunds.length ? Date.parse(refunds[0].createdAt) : at + 60_000),
      cancelledAt: cancelled ? iso(at + DAY) : null,
      financialStatus: refunded === 0 ? "PAID" : refunded >= total ? "REFUNDED" : "PARTIALLY_REFUNDED",
      sourceName: r() < 0.9 ? "web" : "pos",
      discountCodes: code ? [code] : [],
      lines, subtotal, discounts, shipping, tax, total, refunded, refunds,
    });
  }
  return { shop, customers, orders, products };
}

/** Minor units as Shopify's decimal string ("12.30"; "1200" when the exponent is 0). */
export function decimal(minor: number, exponent: number): string {
  if (exponent === 0) return String(minor);
  const neg = minor < 0;
  const s = String(Math.abs(minor)).padStart(exponent + 1, "0");
  return `${neg ? "-" : ""}${s.slice(0, -exponent)}.${s.slice(-exponent)}`;
}
