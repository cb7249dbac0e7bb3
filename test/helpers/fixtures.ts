// Small, explicit shops for tests: two customers with orders, events and scores each.
import type pg from "pg";

export async function insertShop(db: pg.Pool, domain: string): Promise<number> {
  const r = await db.query<{ id: number }>(
    `insert into shops (domain, platform, currency, timezone, updated_at) values ($1, 'shopify', 'USD', 'America/New_York', now()) returning id`,
    [domain],
  );
  return r.rows[0].id;
}

export async function insertCustomerWithHistory(db: pg.Pool, shopId: number, externalId: string, email: string): Promise<string> {
  const c = await db.query<{ id: string }>(
    `insert into customers (shop_id, email, first_name, phone, updated_at) values ($1, $2, 'Test', $3, now()) returning id::text`,
    [shopId, email, `+1212555${externalId.padStart(4, "0").slice(-4)}`],
  );
  const id = c.rows[0].id;
  await db.query(`insert into customer_identities (shop_id, source, external_id, customer_id, email) values ($1, 'shopify', $2, $3, $4)`, [shopId, externalId, id, email]);
  const o = await db.query<{ id: string }>(
    `insert into orders (shop_id, source, external_id, customer_id, processed_at, currency, total, updated_at)
     values ($1, 'shopify', $2, $3, now() - interval '10 days', 'USD', 4200, now()) returning id::text`,
    [shopId, `order-${externalId}`, id],
  );
  await db.query(`insert into order_lines (shop_id, order_id, title, quantity, price) values ($1, $2, 'Beans', 1, 4200)`, [shopId, o.rows[0].id]);
  await db.query(`insert into events (shop_id, customer_id, name, occurred_at) values ($1, $2, 'message_opened', now())`, [shopId, id]);
  await db.query(`insert into customer_scores (shop_id, customer_id, order_count) values ($1, $2, 1)`, [shopId, id]);
  return id;
}

export async function countCustomerRows(db: pg.Pool, shopId: number, customerId: string): Promise<Record<string, number>> {
  const r = await db.query(
    `select
      (select count(*)::int from customers where shop_id = $1 and id = $2) as customers,
      (select count(*)::int from customer_identities where shop_id = $1 and customer_id = $2) as identities,
      (select count(*)::int from orders where shop_id = $1 and customer_id = $2) as orders,
      (select count(*)::int from events where shop_id = $1 and customer_id = $2) as events,
      (select count(*)::int from customer_scores where shop_id = $1 and customer_id = $2) as scores`,
    [shopId, customerId],
  );
  return r.rows[0];
}
