// A realistic, reproducible store history for the demo and the benchmarks. Each customer
// buys at a personal rhythm (gamma-distributed mean gap) and may lapse after any purchase
// (BG/NBD-style dropout), so the history holds loyal regulars, one-time buyers and
// customers who drifted away, as a real store's does. Same seed and end date, same data.
import { createRng, gamma as gammaRate, type Rng } from "../../core/random";

/** Gamma by shape and scale (mean = shape × scale), the form the rhythms below read best in. */
const gamma = (rand: Rng, shape: number, scale: number) => gammaRate(rand, shape, 1 / scale);

export interface DemoOptions {
  seed: number;
  customers: number;
  /** The end of the history (exclusive); the history spans `years` before it. */
  end: Date;
  years?: number;
}

export interface DemoProduct {
  externalId: string;
  title: string;
  vendor: string;
  collection: string;
  price: number; // minor units
  unitCost: number;
}

export interface DemoCustomer {
  externalId: string;
  email: string;
  phone: string | null;
  firstName: string;
  lastName: string;
  country: string;
  province: string | null;
  city: string;
  timezone: string;
  emailConsent: "subscribed" | "not_subscribed" | "unsubscribed";
  smsConsent: "subscribed" | "not_subscribed";
  createdAt: Date;
  tags: string[];
}

export interface DemoOrderLine {
  productExternalId: string;
  title: string;
  vendor: string;
  quantity: number;
  price: number;
  discount: number;
}

export interface DemoOrder {
  externalId: string;
  name: string;
  customerExternalId: string;
  processedAt: Date;
  subtotal: number;
  discounts: number;
  shipping: number;
  tax: number;
  total: number;
  refunded: number;
  discountCodes: string[];
  cancelledAt: Date | null;
  lines: DemoOrderLine[];
}

export interface DemoStore {
  products: DemoProduct[];
  customers: DemoCustomer[];
  orders: DemoOrder[];
}

const FIRST = ["Ava", "Liam", "Mia", "Noah", "Emma", "Lucas", "Sofia", "Leo", "Chloe", "Ethan", "Zoe", "Mateo", "Isla", "Omar", "Priya", "Kenji", "Amara", "Jonas", "Elena", "Malik", "Hana", "Diego", "Freya", "Tomas"];
const LAST = ["Smith", "Garcia", "Chen", "Müller", "Okafor", "Rossi", "Nguyen", "Silva", "Kowalski", "Haddad", "Johansson", "Patel", "Kim", "Dubois", "Murphy", "Tanaka", "Novak", "Costa"];
const PLACES = [
  { country: "US", province: "NY", city: "New York", timezone: "America/New_York", weight: 22, dial: "212" },
  { country: "US", province: "FL", city: "Miami", timezone: "America/New_York", weight: 10, dial: "305" },
  { country: "US", province: "TX", city: "Austin", timezone: "America/Chicago", weight: 10, dial: "512" },
  { country: "US", province: "CA", city: "Los Angeles", timezone: "America/Los_Angeles", weight: 16, dial: "213" },
  { country: "US", province: "IL", city: "Chicago", timezone: "America/Chicago", weight: 8, dial: "312" },
  { country: "CA", province: "ON", city: "Toronto", timezone: "America/Toronto", weight: 10, dial: "416" },
  { country: "GB", province: null, city: "London", timezone: "Europe/London", weight: 12, dial: "" },
  { country: "DE", province: null, city: "Berlin", timezone: "Europe/Berlin", weight: 7, dial: "" },
  { country: "AU", province: "NSW", city: "Sydney", timezone: "Australia/Sydney", weight: 5, dial: "" },
] as const;
const COLLECTIONS = [
  { name: "Coffee", vendor: "Roastery Co", base: 1800 },
  { name: "Tea", vendor: "Leaf & Co", base: 1400 },
  { name: "Brewing gear", vendor: "Brewlab", base: 4500 },
  { name: "Mugs", vendor: "Clayworks", base: 2200 },
  { name: "Snacks", vendor: "Good Crumbs", base: 900 },
  { name: "Gift boxes", vendor: "Roastery Co", base: 6500 },
];

const DAY = 86_400_000;

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function weighted<T extends { weight: number }>(rand: () => number, items: readonly T[]): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let r = rand() * total;
  for (const i of items) {
    r -= i.weight;
    if (r <= 0) return i;
  }
  return items[items.length - 1];
}

export function generateDemoStore(opts: DemoOptions): DemoStore {
  const rand = createRng(opts.seed);
  const end = opts.end.getTime();
  const start = end - (opts.years ?? 3) * 365 * DAY;

  const products: DemoProduct[] = [];
  COLLECTIONS.forEach((col, ci) => {
    for (let i = 0; i < 10; i++) {
      const price = Math.round((col.base * (0.6 + rand() * 0.9)) / 50) * 50 - 1;
      products.push({ externalId: String(7_000_000 + ci * 100 + i), title: `${col.name} no. ${i + 1}`, vendor: col.vendor, collection: col.name, price, unitCost: Math.round(price * (0.35 + rand() * 0.2)) });
    }
  });

  const customers: DemoCustomer[] = [];
  const orders: DemoOrder[] = [];
  let orderNumber = 1000;
  for (let c = 0; c < opts.customers; c++) {
    const first = pick(rand, FIRST);
    const last = pick(rand, LAST);
    const place = weighted(rand, PLACES);
    const externalId = String(6_000_000_000 + c);
    const createdAt = new Date(start + rand() * (end - start - 7 * DAY));
    // One number per person: identity resolution merges customers who share a phone, so
    // random numbers that collide would fuse strangers into one customer.
    const phone = place.dial && rand() < 0.55 ? `+1${place.dial}${230 + Math.floor(c / 10_000)}${String(c % 10_000).padStart(4, "0")}` : null;
    const emailConsentRoll = rand();
    customers.push({
      externalId,
      email: `${first}.${last}.${c}@example.com`.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, ""),
      phone,
      firstName: first,
      lastName: last,
      country: place.country,
      province: place.province,
      city: place.city,
      timezone: place.timezone,
      emailConsent: emailConsentRoll < 0.62 ? "subscribed" : emailConsentRoll < 0.9 ? "not_subscribed" : "unsubscribed",
      smsConsent: phone && rand() < 0.45 ? "subscribed" : "not_subscribed",
      createdAt,
      tags: rand() < 0.08 ? ["wholesale"] : rand() < 0.15 ? ["newsletter"] : [],
    });

    // Personal rhythm and lapse: mean gap around 80 days with wide spread; a chance of
    // dropping out after each order (heterogeneous, like BG/NBD's beta-distributed p).
    const meanGapDays = gamma(rand, 1.6, 50);
    const dropout = Math.min(0.95, gamma(rand, 1.1, 0.33));
    const favourite = pick(rand, COLLECTIONS).name;
    const basketScale = 0.7 + gamma(rand, 3, 0.15);
    let t = createdAt.getTime();
    for (;;) {
      orders.push(makeOrder(rand, products, externalId, new Date(t), favourite, basketScale, ++orderNumber, end));
      if (rand() < dropout) break;
      t += Math.max(1, gamma(rand, 2, meanGapDays / 2)) * DAY;
      if (t >= end) break;
    }
  }
  return { products, customers, orders };
}

function makeOrder(rand: () => number, products: DemoProduct[], customerExternalId: string, at: Date, favourite: string, basketScale: number, n: number, end: number): DemoOrder {
  const lineCount = 1 + Math.floor(rand() * rand() * 4 * basketScale);
  const lines: DemoOrderLine[] = [];
  for (let i = 0; i < lineCount; i++) {
    const pool = rand() < 0.7 ? products.filter((p) => p.collection === favourite) : products;
    const p = pick(rand, pool);
    lines.push({ productExternalId: p.externalId, title: p.title, vendor: p.vendor, quantity: 1 + Math.floor(rand() * rand() * 3), price: p.price, discount: 0 });
  }
  const subtotal = lines.reduce((s, l) => s + l.price * l.quantity, 0);
  const coded = rand() < 0.14;
  const discounts = coded ? Math.round(subtotal * 0.1) : 0;
  if (coded) lines[0].discount = discounts;
  const shipping = subtotal - discounts >= 5000 ? 0 : 595;
  const tax = Math.round((subtotal - discounts) * 0.08);
  const total = subtotal - discounts + shipping + tax;
  const cancelled = rand() < 0.01;
  const refunded = !cancelled && rand() < 0.03 ? (rand() < 0.5 ? total : Math.round(total * 0.4)) : 0;
  return {
    externalId: String(5_000_000_000 + n),
    name: `#${n}`,
    customerExternalId,
    processedAt: at,
    subtotal,
    discounts,
    shipping,
    tax,
    total,
    refunded,
    discountCodes: coded ? [pick(rand, ["WELCOME10", "SPRING10", "VIP10", "COMEBACK10"])] : [],
    cancelledAt: cancelled ? new Date(Math.min(at.getTime() + 3_600_000, end - 1)) : null,
    lines,
  };
}
