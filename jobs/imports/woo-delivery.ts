// Apply a recorded WooCommerce webhook delivery through the ingestion path. Ingestion keeps the
// newest version (source_updated_at = date_modified_gmt), so deliveries arriving out of order,
// or twice, leave the newest state.
import type pg from "pg";
import { ingestBatch } from "../../connectors/ingest/ingest";
import { wooCustomerToRecord, wooOrderToRecord, type WooCustomer, type WooOrder } from "../../connectors/woocommerce/translate";

export type WooDeliveryOutcome = { applied: true; topic: string; rejected: number } | { applied: false; reason: string };

export async function applyWooDelivery(db: pg.Pool, deliveryId: string, now: Date): Promise<WooDeliveryOutcome> {
  const d = (await db.query(
    `select shop_domain, topic, payload, processed_at from webhook_deliveries where id = $1 and platform = 'woocommerce'`, [deliveryId])).rows[0];
  if (!d) return { applied: false, reason: "delivery not found" };
  if (d.processed_at) return { applied: false, reason: "already processed" };
  const shop = (await db.query(`select id, status from shops where domain = $1`, [d.shop_domain])).rows[0];
  let outcome: WooDeliveryOutcome;
  if (!shop || shop.status !== "installed") outcome = { applied: false, reason: "unknown or inactive shop" };
  else if (d.topic === "order.created" || d.topic === "order.updated") {
    const r = await ingestBatch(db, shop.id, { orders: [wooOrderToRecord(d.payload as WooOrder)] }, { now, actor: "woocommerce:webhook" });
    outcome = { applied: true, topic: d.topic, rejected: r.rejected.length };
  } else if (d.topic === "customer.created" || d.topic === "customer.updated") {
    const r = await ingestBatch(db, shop.id, { customers: [wooCustomerToRecord(d.payload as WooCustomer)] }, { now, actor: "woocommerce:webhook" });
    outcome = { applied: true, topic: d.topic, rejected: r.rejected.length };
  } else outcome = { applied: false, reason: `no handler for topic ${d.topic}` };
  await db.query(`update webhook_deliveries set processed_at = $2, error = $3 where id = $1`,
    [deliveryId, now, outcome.applied ? (outcome.rejected ? "rejected by validation" : null) : outcome.reason]);
  return outcome;
}
