// Applies one recorded Shopify live-sync webhook to the shop's data. Translation is the
// connector's (connectors/shopify/webhook-translate.ts); customers and orders go through the
// one write path (ingestBatch: newer source_updated_at wins, so a late or repeated delivery
// changes nothing); deletes, refunds and consent — which ingestion does not take — are small
// set-based statements here, each newer-wins or idempotent. Everything runs through
// forActiveShop: nothing is written for an uninstalled shop.
import type pg from "pg";
import { assertNever } from "../../core/result";
import { ingestBatch } from "../../connectors/ingest/ingest";
import {
  isWebhookTopic, translateWebhook, type RefundSeen, type Translated,
} from "../../connectors/shopify/webhook-translate";
import { forActiveShop } from "../shop-guard";
import { applyCustomerDeleted, applyConsent, recordRefunds, settleRefunded } from "./sync-sql";

export const SHOPIFY_SYNC_TOPICS = [
  "customers/create", "customers/update", "customers/delete",
  "orders/create", "orders/updated", "orders/paid", "orders/cancelled",
  "refunds/create",
  "customers_email_marketing_consent/update", "customers_marketing_consent/update",
  "bulk_operations/finish",
] as const;

export type SyncOutcome = { applied: true; topic: string; effect: string } | { applied: false; reason: string };

export async function applyShopifyWebhook(db: pg.Pool, shopId: number, topic: string, payload: unknown, now = new Date()): Promise<SyncOutcome> {
  const run = await forActiveShop(db, shopId, async (): Promise<SyncOutcome> => {
    // The delivery row itself is what a waiting bulk import looks for (bulkFinishedFor).
    if (topic === "bulk_operations/finish") return { applied: true, topic, effect: "bulk operation finished" };
    if (!isWebhookTopic(topic)) return { applied: false, reason: `not a sync topic: ${topic}` };
    const shop = (await db.query<{ timezone: string }>(`select timezone from shops where id = $1`, [shopId])).rows[0];
    const t = translateWebhook(topic, payload, { shopTimezone: shop?.timezone });
    if (!t.ok) return { applied: false, reason: t.error };
    return { applied: true, topic, effect: await applyTranslated(db, shopId, t.value, now) };
  });
  return run.ran ? run.result : { applied: false, reason: run.reason };
}

/** Writes one translated delivery; returns a short description of what it did. */
export async function applyTranslated(db: pg.Pool, shopId: number, t: Translated, now: Date): Promise<string> {
  switch (t.kind) {
    case "customer": {
      const gone = await db.query(
        `select 1 from deleted_identities where shop_id = $1 and source = 'shopify' and external_id = $2`, [shopId, t.record.externalId]);
      if (gone.rowCount) return "customer deleted earlier: ignored";
      const r = await ingestBatch(db, shopId, { customers: [t.record] }, { now, actor: "shopify-webhook" });
      if (r.rejected.length) return `rejected: ${r.rejected.map((x) => x.issues.map((i) => i.message).join(", ")).join("; ")}`;
      return r.customers.created + r.customers.attached + r.customers.updated > 0 ? "customer written" : "customer unchanged (not newer)";
    }
    case "customer-deleted":
      return applyCustomerDeleted(db, shopId, t.externalId, now);
    case "order": {
      const r = await ingestBatch(db, shopId, { orders: [t.record] }, { now, actor: "shopify-webhook" });
      if (r.rejected.length) return `rejected: ${r.rejected.map((x) => x.issues.map((i) => i.message).join(", ")).join("; ")}`;
      await recordRefunds(db, shopId, String(t.record.externalId), t.refunds);
      const settled = await settleRefunded(db, shopId, String(t.record.externalId));
      return r.orders.inserted ? "order inserted" : r.orders.updated || settled ? "order updated" : "order unchanged (not newer)";
    }
    case "refund": {
      const seen: RefundSeen = { refundExternalId: t.refundExternalId, amountMinor: t.amountMinor, at: t.at };
      const added = await recordRefunds(db, shopId, t.orderExternalId, [seen]);
      const settled = await settleRefunded(db, shopId, t.orderExternalId);
      return added ? (settled ? "refund applied" : "refund recorded") : "refund already recorded";
    }
    case "consent":
      return applyConsent(db, shopId, t, now);
    default:
      return assertNever(t, "translated webhook");
  }
}
