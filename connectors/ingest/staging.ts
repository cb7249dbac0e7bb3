// Temporary staging tables and the COPY of validated records into them. The tables live as long
// as the session (created once per pooled connection, emptied at every commit: ON COMMIT DELETE
// ROWS truncates them in place), so a batch does not create and drop six tables in the catalog.
import type pg from "pg";
import type { ValidBatch } from "../../core/ingest/batch";
import { copyRows } from "./copy";

// A staged customer's columns: stg_customers holds them, identity resolution's res starts with them.
const CUSTOMER_COLUMN_DEFS = `
  ord int not null, stub boolean not null, source text not null, external_id text not null,
  email text, email_available boolean not null, phone text, phone_available boolean not null,
  first_name text, last_name text, country text, province text, city text, zip text, address1 text,
  timezone text, locale text, tags text[] not null,
  email_consent text, email_consent_at timestamptz, email_consent_source text,
  sms_consent text, sms_consent_at timestamptz, sms_consent_source text,
  source_created_at timestamptz, source_updated_at timestamptz`;

const DDL = `
create temp table if not exists stg_customers (${CUSTOMER_COLUMN_DEFS}
) on commit delete rows;
create temp table if not exists stg_orders (
  ord int not null, source text not null, external_id text not null, customer_external_id text,
  email text, name text, processed_at timestamptz not null, source_timezone text, currency text not null,
  subtotal bigint not null, discounts bigint not null, shipping bigint not null, tax bigint not null,
  total bigint not null, refunded bigint not null, discount_codes text[] not null,
  financial_status text, cancelled_at timestamptz, source_name text, source_updated_at timestamptz
) on commit delete rows;
create temp table if not exists stg_lines (
  ord int not null, pos int not null, external_id text, product_id text, variant_id text, sku text,
  title text not null, vendor text, quantity int not null, price bigint not null, discount bigint not null
) on commit delete rows;
create temp table if not exists stg_products (
  ord int not null, source text not null, external_id text not null, title text not null, vendor text,
  product_type text, collections text[] not null, unit_cost bigint
) on commit delete rows;
-- Identity resolution's working table: one row per identity (stg_customers' columns, then its findings).
create temp table if not exists res (${CUSTOMER_COLUMN_DEFS},
  existing_id bigint, existing_updated timestamptz(3), match_id bigint, matched_by text, gkey text,
  new_id bigint, target bigint, attached boolean
) on commit delete rows;
-- The customers whose consent the batch revokes, locked (customers-sql.ts REVOKING_LOCK).
create temp table if not exists revoking (customer_id bigint not null, email boolean not null, sms boolean not null) on commit delete rows;
-- The orders the upsert wrote.
create temp table if not exists up (id bigint not null, inserted boolean not null, ord int not null) on commit delete rows;
-- Empty already unless a second batch is written in the same transaction.
delete from stg_customers; delete from stg_orders; delete from stg_lines; delete from stg_products; delete from res; delete from up; delete from revoking;
`;

// The names, in order, for COPY (no type above contains a comma).
const CUSTOMER_COLUMNS = CUSTOMER_COLUMN_DEFS.split(",").map((d) => d.trim().split(/\s+/)[0]);
const ORDER_COLUMNS = [
  "ord", "source", "external_id", "customer_external_id", "email", "name", "processed_at", "source_timezone",
  "currency", "subtotal", "discounts", "shipping", "tax", "total", "refunded", "discount_codes",
  "financial_status", "cancelled_at", "source_name", "source_updated_at",
];
const LINE_COLUMNS = [
  "ord", "pos", "external_id", "product_id", "variant_id", "sku", "title", "vendor", "quantity", "price", "discount",
];
const PRODUCT_COLUMNS = ["ord", "source", "external_id", "title", "vendor", "product_type", "collections", "unit_cost"];

function* linesOf(batch: ValidBatch) {
  for (let o = 0; o < batch.orders.length; o++) {
    const lines = batch.orders[o].lines;
    for (let p = 0; p < lines.length; p++) yield { o, p, l: lines[p] };
  }
}

export async function stage(
  client: pg.PoolClient,
  batch: ValidBatch,
  trace?: (step: string, ms: number) => void,
): Promise<void> {
  let t = performance.now();
  const lap = (step: string) => {
    const n = performance.now();
    trace?.(step, n - t);
    t = n;
  };
  await client.query(DDL);
  lap("stage: ddl");
  if (batch.customers.length) {
    await copyRows(client, "stg_customers", CUSTOMER_COLUMNS, batch.customers.entries(), ([i, c]) => [
      i, false, c.source, c.externalId, c.email, c.emailAvailable, c.phone, c.phoneAvailable,
      c.firstName, c.lastName, c.country, c.province, c.city, c.zip, c.address1, c.timezone, c.locale, c.tags,
      c.emailConsent?.state, c.emailConsent?.at, c.emailConsent?.source,
      c.smsConsent?.state, c.smsConsent?.at, c.smsConsent?.source, c.sourceCreatedAt, c.sourceUpdatedAt,
    ]);
    lap("stage: copy customers");
  }
  if (batch.orders.length) {
    await copyRows(client, "stg_orders", ORDER_COLUMNS, batch.orders.entries(), ([i, o]) => [
      i, o.source, o.externalId, o.customerExternalId, o.email, o.name, o.processedAt, o.sourceTimezone,
      o.currency, o.subtotal, o.discounts, o.shipping, o.tax, o.total, o.refunded, o.discountCodes,
      o.financialStatus, o.cancelledAt, o.sourceName, o.sourceUpdatedAt,
    ]);
    lap("stage: copy orders");
    await copyRows(client, "stg_lines", LINE_COLUMNS, linesOf(batch), ({ o, p, l }) => [
      o, p, l.externalId, l.productId, l.variantId, l.sku, l.title, l.vendor, l.quantity, l.price, l.discount,
    ]);
    lap("stage: copy lines");
  }
  if (batch.products.length) {
    await copyRows(client, "stg_products", PRODUCT_COLUMNS, batch.products.entries(), ([i, p]) => [
      i, p.source, p.externalId, p.title, p.vendor, p.productType, p.collections, p.unitCost,
    ]);
  }
  // Statistics on the tables that are joined with the big ones let the planner pick hash joins;
  // lines are only ever joined to the upserted orders, and sampling them costs more than it buys.
  // Only the columns joins and groupings use: statistics on the others cost as much and buy nothing.
  await client.query(
    "analyze stg_customers (source, external_id, email, phone); analyze stg_orders (ord, source, external_id, customer_external_id, email)",
  );
  lap("stage: analyze");
}
