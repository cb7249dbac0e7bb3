// Writes a generated demo store into PostgreSQL as one shop, with COPY (the data set is
// ~20k customers and ~80k orders; row-by-row inserts would take minutes).
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { withTransaction } from "../../app/db.server";
import { generateDemoStore, type DemoStore } from "./generate";

export const DEMO_SHOP_DOMAIN = "winback-demo.myshopify.com";
export const DEMO_SEED = 20_261_123;

export interface SeedResult {
  shopId: number;
  customers: number;
  orders: number;
  created: boolean;
}

/** Seeds the demo shop once; a second call finds it and returns its counts. */
export async function seedDemoShop(db: pg.Pool, opts: { now: Date; customers?: number; seed?: number; domain?: string }): Promise<SeedResult> {
  // Test and production data stay apart (Shopify's protected customer data rules).
  if (process.env.NODE_ENV === "production") throw new Error("the demo seeder refuses to run when NODE_ENV=production");
  const domain = opts.domain ?? DEMO_SHOP_DOMAIN;
  const existing = await db.query<{ id: number }>(`select id from shops where domain = $1`, [domain]);
  if (existing.rows[0]) {
    const shopId = existing.rows[0].id;
    const c = await db.query<{ customers: number; orders: number }>(
      `select (select count(*)::int from customers where shop_id = $1) as customers, (select count(*)::int from orders where shop_id = $1) as orders`,
      [shopId],
    );
    return { shopId, ...c.rows[0], created: false };
  }
  // The history ends at the start of today, so the demo always looks current.
  const end = new Date(Date.UTC(opts.now.getUTCFullYear(), opts.now.getUTCMonth(), opts.now.getUTCDate()));
  const store = generateDemoStore({ seed: opts.seed ?? DEMO_SEED, customers: opts.customers ?? 20_000, end });
  return withTransaction(db, async (client) => {
    const org = await client.query<{ id: number }>(`insert into organisations (name, kind) values ('Winback demo', 'merchant') returning id`);
    const shop = await client.query<{ id: number }>(
      `insert into shops (organisation_id, domain, platform, name, currency, timezone, plan, status, last_import_at, settings, updated_at)
       values ($1, $2, 'shopify', 'Winback Demo Coffee', 'USD', 'America/New_York', 'basic', 'installed', $3, '{}', now()) returning id`,
      [org.rows[0].id, domain, opts.now],
    );
    const shopId = shop.rows[0].id;
    await writeStore(client, shopId, store);
    return { shopId, customers: store.customers.length, orders: store.orders.length, created: true };
  });
}

async function reserveIds(client: pg.PoolClient, table: string, count: number): Promise<number> {
  // Take `count` ids from the table's sequence in one step.
  const r = await client.query<{ first: string }>(
    `select setval(pg_get_serial_sequence($1, 'id'), nextval(pg_get_serial_sequence($1, 'id')) + $2 - 1) - $2 + 1 as first`,
    [table, count],
  );
  return Number(r.rows[0].first);
}

function copyText(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `{${value.map((v) => `"${String(v).replace(/["\\]/g, "\\$&")}"`).join(",")}}`.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
  return String(value).replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

async function copyRows(client: pg.PoolClient, table: string, columns: string[], rows: Iterable<unknown[]>): Promise<void> {
  const sql = `copy ${table} (${columns.join(", ")}) from stdin`;
  function* lines() {
    let buf = "";
    for (const row of rows) {
      buf += row.map(copyText).join("\t") + "\n";
      if (buf.length > 1 << 16) {
        yield buf;
        buf = "";
      }
    }
    if (buf) yield buf;
  }
  await pipeline(Readable.from(lines()), client.query(copyFrom(sql)));
}

async function writeStore(client: pg.PoolClient, shopId: number, store: DemoStore): Promise<void> {
  const firstCustomer = await reserveIds(client, "customers", store.customers.length);
  const customerId = new Map<string, number>();
  store.customers.forEach((c, i) => customerId.set(c.externalId, firstCustomer + i));
  await copyRows(
    client,
    "customers",
    ["shop_id", "id", "email", "phone", "first_name", "last_name", "country", "province", "city", "timezone", "tags", "email_consent", "email_consent_at", "email_consent_source", "sms_consent", "sms_consent_at", "sms_consent_source", "source_created_at", "created_at", "updated_at"],
    store.customers.map((c) => [shopId, customerId.get(c.externalId), c.email, c.phone, c.firstName, c.lastName, c.country, c.province, c.city, c.timezone, c.tags, c.emailConsent, c.createdAt, "demo", c.smsConsent, c.smsConsent === "subscribed" ? c.createdAt : null, "demo", c.createdAt, c.createdAt, c.createdAt]),
  );
  await copyRows(
    client,
    "customer_identities",
    ["shop_id", "source", "external_id", "customer_id", "email", "phone", "source_updated_at"],
    store.customers.map((c) => [shopId, "shopify", c.externalId, customerId.get(c.externalId), c.email, c.phone, c.createdAt]),
  );
  await copyRows(
    client,
    "products",
    ["shop_id", "source", "external_id", "title", "vendor", "product_type", "collections", "unit_cost", "updated_at"],
    store.products.map((p) => [shopId, "shopify", p.externalId, p.title, p.vendor, p.collection, [p.collection], p.unitCost, new Date(0)]),
  );
  const firstOrder = await reserveIds(client, "orders", store.orders.length);
  await copyRows(
    client,
    "orders",
    ["shop_id", "id", "source", "external_id", "customer_id", "name", "processed_at", "currency", "subtotal", "discounts", "shipping", "tax", "total", "refunded", "discount_codes", "financial_status", "cancelled_at", "source_name", "source_updated_at", "created_at", "updated_at"],
    store.orders.map((o, i) => [shopId, firstOrder + i, "shopify", o.externalId, customerId.get(o.customerExternalId), o.name, o.processedAt, "USD", o.subtotal, o.discounts, o.shipping, o.tax, o.total, o.refunded, o.discountCodes, o.refunded === o.total ? "refunded" : o.refunded > 0 ? "partially_refunded" : "paid", o.cancelledAt, "web", o.processedAt, o.processedAt, o.processedAt]),
  );
  const lineCount = store.orders.reduce((n, o) => n + o.lines.length, 0);
  const firstLine = await reserveIds(client, "order_lines", lineCount);
  let lineId = firstLine;
  await copyRows(
    client,
    "order_lines",
    ["shop_id", "id", "order_id", "product_id", "title", "vendor", "quantity", "price", "discount"],
    (function* () {
      for (let i = 0; i < store.orders.length; i++) {
        for (const l of store.orders[i].lines) yield [shopId, lineId++, firstOrder + i, l.productExternalId, l.title, l.vendor, l.quantity, l.price, l.discount];
      }
    })(),
  );
}
