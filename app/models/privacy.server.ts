// What Shopify's mandatory compliance webhooks ask of us: export everything held about a
// customer, erase a customer, erase a shop. Erasure walks every table that carries the
// shop (and the customer) rather than a hand-kept list, so a table added later is covered.
import pg from "pg";
import { lockShopForErasure } from "../../jobs/scoring/erasure-lock";
import { withTransaction } from "../db.server";

const quoteIdent = (name: string) => pg.escapeIdentifier(name);

interface ShopScopedTable {
  table: string;
  hasCustomerId: boolean;
}

async function shopScopedTables(client: pg.PoolClient | pg.Pool): Promise<ShopScopedTable[]> {
  const r = await client.query<{ table_name: string; has_customer: boolean }>(`
    select c.table_name, bool_or(c2.column_name is not null) as has_customer
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    left join information_schema.columns c2
      on c2.table_schema = c.table_schema and c2.table_name = c.table_name and c2.column_name = 'customer_id'
    where c.table_schema = 'public' and c.column_name = 'shop_id'
    group by c.table_name`);
  return r.rows.map((row) => ({ table: row.table_name, hasCustomerId: row.has_customer }));
}

export interface CustomerLocator {
  externalId?: string | null;
  email?: string | null;
  phone?: string | null;
}

/**
 * Customer ids in the shop for the person named: by the platform's customer id when we
 * hold it, else by email, else by phone. The narrowest match wins, so a phone number shared
 * by two people never takes the other one with it.
 */
export async function findCustomerIds(db: pg.Pool | pg.PoolClient, shopId: number, who: CustomerLocator): Promise<string[]> {
  const attempts: [string, unknown][] = [];
  if (who.externalId) attempts.push([`select customer_id::text as id from customer_identities where shop_id = $1 and external_id = $2`, who.externalId]);
  if (who.email) attempts.push([`select id::text from customers where shop_id = $1 and email = lower($2)`, who.email]);
  if (who.phone) attempts.push([`select id::text from customers where shop_id = $1 and phone = $2`, who.phone]);
  for (const [sql, value] of attempts) {
    const r = await db.query<{ id: string }>(sql, [shopId, value]);
    if (r.rows.length > 0) return [...new Set(r.rows.map((row) => row.id))];
  }
  return [];
}

// Orders are kept for the shop's revenue figures only when Shopify does not name them;
// their link to the person goes. Everything else about the person is deleted.
export function redactCustomer(db: pg.Pool, shopId: number, who: CustomerLocator, ordersToRedact: string[]): Promise<{ customers: number }> {
  return withTransaction(db, async (client) => {
    // After any running scoring of the shop: scores, history and events have no foreign key
    // to customers, so they are deleted here explicitly with the rest (jobs/scoring/erasure-lock.ts).
    await lockShopForErasure(client, shopId);
    const ids = await findCustomerIds(client, shopId, who);
    if (ordersToRedact.length > 0) {
      await client.query(`delete from order_lines where shop_id = $1 and order_id in (select id from orders where shop_id = $1 and external_id = any($2::text[]))`, [shopId, ordersToRedact]);
      await client.query(`delete from orders where shop_id = $1 and external_id = any($2::text[])`, [shopId, ordersToRedact]);
    }
    if (ids.length > 0) {
      await client.query(`update orders set customer_id = null where shop_id = $1 and customer_id = any($2::bigint[])`, [shopId, ids]);
      for (const t of await shopScopedTables(client)) {
        if (!t.hasCustomerId || t.table === "orders") continue;
        await client.query(`delete from ${quoteIdent(t.table)} where shop_id = $1 and customer_id = any($2::bigint[])`, [shopId, ids]);
      }
      await client.query(`delete from audit_log where shop_id = $1 and entity = 'customer' and entity_id = any($2::text[])`, [shopId, ids]);
      await client.query(`delete from customers where shop_id = $1 and id = any($2::bigint[])`, [shopId, ids]);
    }
    return { customers: ids.length };
  });
}

/** Everything held about the shop goes, sessions included; the shop row is kept as a tombstone. */
export function redactShop(db: pg.Pool, shopId: number, domain: string): Promise<void> {
  return withTransaction(db, async (client) => {
    await lockShopForErasure(client, shopId);
    // Children before parents: a table whose rows others reference is emptied last.
    const tables = (await shopScopedTables(client)).map((t) => t.table);
    const order = ["order_lines", "customer_identities", "customer_scores", "events", "orders"];
    tables.sort((a, b) => rank(a, order) - rank(b, order));
    for (const t of tables) {
      if (t === "customers") continue;
      await client.query(`delete from ${quoteIdent(t)} where shop_id = $1`, [shopId]);
    }
    await client.query(`delete from customers where shop_id = $1`, [shopId]);
    await client.query(`delete from sessions where shop = $1`, [domain]);
    await client.query(`delete from webhook_deliveries where shop_domain = $1`, [domain]);
    await client.query(`update shops set status = 'uninstalled', uninstalled_at = coalesce(uninstalled_at, now()), settings = '{}' where id = $1`, [shopId]);
  });
}

function rank(table: string, order: string[]): number {
  const i = order.indexOf(table);
  return i === -1 ? order.length : i;
}

/** A JSON export of everything held about the customer, for the merchant to hand over. */
export async function exportCustomerData(db: pg.Pool, shopId: number, who: CustomerLocator): Promise<Record<string, unknown>> {
  const ids = await findCustomerIds(db, shopId, who);
  const out: Record<string, unknown> = { customers: [] as unknown[] };
  if (ids.length === 0) return out;
  out.customers = (await db.query(`select * from customers where shop_id = $1 and id = any($2::bigint[])`, [shopId, ids])).rows;
  for (const t of await shopScopedTables(db)) {
    if (!t.hasCustomerId) continue;
    out[t.table] = (await db.query(`select * from ${quoteIdent(t.table)} where shop_id = $1 and customer_id = any($2::bigint[])`, [shopId, ids])).rows;
  }
  out.order_lines = (
    await db.query(`select l.* from order_lines l join orders o on o.shop_id = l.shop_id and o.id = l.order_id where o.shop_id = $1 and o.customer_id = any($2::bigint[])`, [shopId, ids])
  ).rows;
  return JSON.parse(JSON.stringify(out, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}
