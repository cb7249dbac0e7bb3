// Set-based order, line and product upserts over the staging tables. $1 shop id, $2 now.
// An order is written when new, or when its source_updated_at is newer than the stored one
// (or none is stored) and something differs; its lines are then replaced. An older update,
// or the same batch again, changes nothing.

const ORDER_COLS = [
  "customer_id", "name", "processed_at", "source_timezone", "currency", "subtotal", "discounts", "shipping",
  "tax", "total", "refunded", "discount_codes", "financial_status", "cancelled_at", "source_name", "source_updated_at",
];

/** The lines of every order written (new or changed); its row count is the report's line count. */
export const ORDER_LINES_INSERT = `insert into order_lines (shop_id, order_id, external_id, product_id, variant_id, sku, title, vendor, quantity, price, discount)
   select $1, up.id, l.external_id, l.product_id, l.variant_id, l.sku, l.title, l.vendor, l.quantity, l.price, l.discount
   from stg_lines l join up on up.ord = l.ord
   order by up.id, l.pos`;

/** New and changed orders into orders; what it wrote into up (id, inserted, ord). */
export const ORDER_UPSERT = `with od as (
     select distinct on (source, external_id) * from stg_orders
     order by source, external_id, source_updated_at desc nulls last, ord desc
   ), ins as (
     insert into orders (shop_id, source, external_id, ${ORDER_COLS.join(", ")}, created_at, updated_at)
     select $1, o.source::"Platform", o.external_id, coalesce(c.merged_into_id, c.id), o.name, o.processed_at,
            o.source_timezone, o.currency, o.subtotal, o.discounts, o.shipping, o.tax, o.total, o.refunded,
            o.discount_codes, o.financial_status, o.cancelled_at, o.source_name, o.source_updated_at, $2, $2
     from od o
     left join customer_identities i on i.shop_id = $1 and i.source = o.source::"Platform"
       and i.external_id = coalesce(o.customer_external_id, 'guest:' || o.email)
     left join customers c on c.shop_id = $1 and c.id = i.customer_id
     on conflict (shop_id, source, external_id) do update set
       ${ORDER_COLS.map((k) => `${k} = excluded.${k}`).join(", ")}, updated_at = excluded.updated_at
     where (orders.source_updated_at is null or excluded.source_updated_at > orders.source_updated_at)
       and (${ORDER_COLS.map((k) => `orders.${k}`).join(", ")})
           is distinct from (${ORDER_COLS.map((k) => `excluded.${k}`).join(", ")})
     returning id, source, external_id, (xmax = 0) as inserted
   )
   insert into up select ins.id, ins.inserted, od.ord
   from ins join od on od.source::"Platform" = ins.source and od.external_id = ins.external_id`;

/**
 * Only when some order was updated (not inserted): its old lines go, before all are written again.
 * Row counts for the planner first: the delete must probe order_lines by order, never hash the
 * shop's every line because it guessed wrong about how many orders changed.
 */
export const LINES_DELETE_STEPS: string[] = [
  `analyze up`,
  `delete from order_lines l using up where l.shop_id = $1 and l.order_id = up.id and not up.inserted`,
];

export const ORDER_STEPS: string[] = [ORDER_UPSERT, ...LINES_DELETE_STEPS, ORDER_LINES_INSERT];

export const ORDER_COUNTS = `select
   count(*) filter (where inserted)::int as inserted,
   count(*) filter (where not inserted)::int as updated
 from up`;

const PRODUCT_COLS = ["title", "vendor", "product_type", "collections", "unit_cost"];

export const PRODUCT_UPSERT = `with ins as (
   insert into products (shop_id, source, external_id, ${PRODUCT_COLS.join(", ")}, updated_at)
   select distinct on (source, external_id) $1, source::"Platform", external_id, ${PRODUCT_COLS.join(", ")}, $2
   from stg_products order by source, external_id, ord desc
   on conflict (shop_id, source, external_id) do update set
     ${PRODUCT_COLS.map((k) => `${k} = excluded.${k}`).join(", ")}, updated_at = excluded.updated_at
   where (${PRODUCT_COLS.map((k) => `products.${k}`).join(", ")})
         is distinct from (${PRODUCT_COLS.map((k) => `excluded.${k}`).join(", ")})
   returning (xmax = 0) as inserted)
 select (count(*) filter (where inserted))::int as inserted, (count(*) filter (where not inserted))::int as updated from ins`;
