// What follows an order arriving or changing (a webhook, a reconcile repair): the customer is
// rescored with the shop's current model, re-evaluated against every segment, the order's
// attribution is recomputed, and a new order becomes an `order_placed` event that journeys
// trigger on (and convert on). Each step is its own queued job with a deterministic id, so a
// repeated delivery does each thing once.
import type pg from "pg";
import { enqueueOrderAttribution } from "./attribution/worker";
import { enqueueJourneyEvent } from "./journeys/queue";
import type { QueueSystem } from "./queues";
import { enqueueRescoreCustomer } from "./scoring/worker";
import { enqueueCustomerReevaluation } from "./segments/worker";

const ORDER_TOPICS = new Set(["orders/create", "orders/updated", "orders/paid", "orders/cancelled", "refunds/create"]);

export function isOrderTopic(topic: string): boolean {
  return ORDER_TOPICS.has(topic);
}

const CUSTOMER_TOPICS = new Set(["customers/create", "customers/update", "customers_email_marketing_consent/update", "customers_marketing_consent/update"]);

/** Deliveries that change what we know about a customer (attributes, tags, consent). */
export function isCustomerTopic(topic: string): boolean {
  return CUSTOMER_TOPICS.has(topic);
}

/** The Shopify customer id a customer or consent delivery is about. */
export function customerIdOfPayload(topic: string, payload: Record<string, unknown>): string | null {
  const id = topic.startsWith("customers_") ? payload.customer_id : payload.id;
  return id == null ? null : String(id);
}

/**
 * A customer's record or consent changed: re-evaluate them against every segment now (the
 * issue's "an order, an event, a score, consent"), not at the nightly refresh.
 */
export async function afterCustomerChanged(db: pg.Pool, qs: QueueSystem, shopId: number, externalCustomerId: string): Promise<{ customerId: string | null }> {
  const r = await db.query<{ id: string }>(
    `select coalesce(c.merged_into_id, c.id)::text as id from customer_identities i
     join customers c on c.shop_id = i.shop_id and c.id = i.customer_id
     where i.shop_id = $1 and i.source = 'shopify' and i.external_id = $2`,
    [shopId, externalCustomerId],
  );
  const customerId = r.rows[0]?.id ?? null;
  if (customerId) await enqueueCustomerReevaluation(qs, shopId, customerId);
  return { customerId };
}

/** The Shopify order id a delivery is about: the order itself, or a refund's order. */
export function orderIdOfPayload(topic: string, payload: Record<string, unknown>): string | null {
  const id = topic === "refunds/create" ? payload.order_id : payload.id;
  return id == null ? null : String(id);
}

export async function afterOrderChanged(db: pg.Pool, qs: QueueSystem, shopId: number, externalOrderId: string, isNew: boolean): Promise<{ customerId: string | null }> {
  const r = await db.query<{ id: string; customer_id: string | null; processed_at: Date; updated_at: Date }>(
    `select id::text, customer_id::text, processed_at, updated_at from orders where shop_id = $1 and source = 'shopify' and external_id = $2`,
    [shopId, externalOrderId],
  );
  const order = r.rows[0];
  if (!order) return { customerId: null };
  await enqueueOrderAttribution(qs, shopId, order.id, order.updated_at);
  if (!order.customer_id) return { customerId: null };
  await enqueueRescoreCustomer(qs, shopId, order.customer_id);
  await enqueueCustomerReevaluation(qs, shopId, order.customer_id);
  if (isNew) {
    const ev = await db.query<{ id: string }>(
      `insert into events (shop_id, customer_id, name, occurred_at, properties, source, dedupe_key)
       values ($1, $2, 'order_placed', $3, $4, 'shopify', $5)
       on conflict (shop_id, dedupe_key) do nothing returning id::text`,
      [shopId, order.customer_id, order.processed_at, JSON.stringify({ orderId: order.id }), `order_placed:${order.id}`],
    );
    if (ev.rows[0]) await enqueueJourneyEvent(qs, shopId, ev.rows[0].id);
  }
  return { customerId: order.customer_id };
}
