// Applies a recorded webhook delivery. Each topic's effect is idempotent, so a job that is
// retried or recovered by the sweeper does no harm the second time.
import type pg from "pg";
import { exportCustomerData, redactCustomer, redactShop } from "../app/models/privacy.server";
import { applyShopifyWebhook } from "./shopify-sync/apply-webhook";

export type DeliveryOutcome = { applied: true; topic: string } | { applied: false; reason: string };

interface DeliveryRow {
  id: string;
  shop_domain: string;
  topic: string;
  payload: Record<string, unknown>;
  processed_at: Date | null;
}

export async function processWebhookDelivery(db: pg.Pool, deliveryId: string): Promise<DeliveryOutcome> {
  const r = await db.query<DeliveryRow>(`select id::text, shop_domain, topic, payload, processed_at from webhook_deliveries where id = $1`, [deliveryId]);
  const delivery = r.rows[0];
  if (!delivery) return { applied: false, reason: "delivery not found" };
  if (delivery.processed_at) return { applied: false, reason: "already processed" };
  const shop = (await db.query<{ id: number; status: string }>(`select id, status from shops where domain = $1`, [delivery.shop_domain])).rows[0];
  const outcome = await applyTopic(db, delivery, shop);
  await db.query(`update webhook_deliveries set processed_at = now(), error = $2 where id = $1`, [deliveryId, outcome.applied ? null : outcome.reason]);
  return outcome;
}

async function applyTopic(db: pg.Pool, d: DeliveryRow, shop: { id: number; status: string } | undefined): Promise<DeliveryOutcome> {
  const p = d.payload as Record<string, any>;
  switch (d.topic) {
    case "app/uninstalled":
      // The token is already revoked: drop sessions and mark the shop, so every later job
      // for it stops before calling anything.
      await db.query(`delete from sessions where shop = $1`, [d.shop_domain]);
      await db.query(`update shops set status = 'uninstalled', uninstalled_at = now() where domain = $1`, [d.shop_domain]);
      return { applied: true, topic: d.topic };
    case "app/scopes_update": {
      const current = Array.isArray(p.current) ? p.current.join(",") : null;
      await db.query(`update sessions set scope = $2 where shop = $1`, [d.shop_domain, current]);
      return { applied: true, topic: d.topic };
    }
    case "customers/data_request": {
      if (!shop) return { applied: false, reason: "unknown shop" };
      const who = { externalId: p.customer?.id != null ? String(p.customer.id) : null, email: p.customer?.email ?? null, phone: p.customer?.phone ?? null };
      const data = await exportCustomerData(db, shop.id, who);
      await db.query(
        `insert into data_requests (shop_id, external_customer_id, email, phone, completed_at, export) values ($1, $2, $3, $4, now(), $5)`,
        [shop.id, who.externalId, who.email, who.phone, JSON.stringify({ requestId: p.data_request?.id ?? null, ordersRequested: p.orders_requested ?? [], data })],
      );
      return { applied: true, topic: d.topic };
    }
    case "customers/redact": {
      if (!shop) return { applied: false, reason: "unknown shop" };
      const who = { externalId: p.customer?.id != null ? String(p.customer.id) : null, email: p.customer?.email ?? null, phone: p.customer?.phone ?? null };
      const orders = Array.isArray(p.orders_to_redact) ? p.orders_to_redact.map(String) : [];
      await redactCustomer(db, shop.id, who, orders);
      return { applied: true, topic: d.topic };
    }
    case "shop/redact":
      if (!shop) return { applied: false, reason: "unknown shop" };
      await redactShop(db, shop.id, d.shop_domain);
      return { applied: true, topic: d.topic };
    // Live sync: translated and applied in jobs/shopify-sync (newer-wins, idempotent).
    case "customers/create":
    case "customers/update":
    case "customers/delete":
    case "orders/create":
    case "orders/updated":
    case "orders/paid":
    case "orders/cancelled":
    case "refunds/create":
    case "customers_email_marketing_consent/update":
    case "customers_marketing_consent/update":
    case "bulk_operations/finish": {
      if (!shop) return { applied: false, reason: "unknown shop" };
      const out = await applyShopifyWebhook(db, shop.id, d.topic, d.payload);
      return out.applied ? { applied: true, topic: d.topic } : out;
    }
    default:
      return { applied: false, reason: `no handler for topic ${d.topic}` };
  }
}
