// A small hand-made shop (and a second shop whose rows must never leak in), with the
// expected members of each condition worked out by hand in compile.test.ts.
import { localDay, startOfLocalDay } from "../../../core/segments/local-day";
import type { SeedShop } from "./seed";

export const TZ = "America/New_York";
export const NOW = new Date("2026-06-15T16:00:00Z"); // 12:00 local, EDT

/** Local noon `n` shop-local days before NOW (negative = after). */
export function ago(n: number, hour = 12): Date {
  return new Date(startOfLocalDay(localDay(NOW, TZ) - n, TZ).getTime() + hour * 3_600_000);
}

const email = { channel: "email" };
const sms = { channel: "sms" };

export const SHOP_A: SeedShop = {
  id: 1,
  timezone: TZ,
  customers: [
    { id: 1, email: "alice@example.com", phone: "+15550001", country: "US", province: "NY", tags: ["vip", "wholesale"], locale: "en-US", timezone: "America/New_York", emailConsent: "subscribed", smsConsent: "unsubscribed", createdAt: ago(400) },
    { id: 2, email: "bob@shop.co.uk", phone: "+447700900", country: "GB", tags: [], locale: "fr-FR", timezone: "Europe/London", emailConsent: "unknown", smsConsent: "subscribed", createdAt: ago(100) },
    { id: 3, email: null, country: null, tags: ["vip"], locale: null, emailConsent: "not_subscribed", createdAt: ago(5) },
    { id: 4, email: "dave@example.com", phone: null, country: "CA", tags: ["Wholesale"], locale: "en_CA", emailConsent: "subscribed", smsConsent: "subscribed", createdAt: ago(120) },
    { id: 5, email: "eve@example.com", tags: ["vip"], mergedIntoId: 1, createdAt: ago(10) },
    { id: 6, email: "frank@example.org", country: "US", tags: [], locale: "en", emailConsent: "subscribed", smsConsent: "pending", createdAt: ago(60) },
  ],
  orders: [
    { id: 11, customerId: 1, at: ago(10), total: 5000, lines: [{ productId: "P1", variantId: "V1", vendor: "Acme" }] },
    { id: 12, customerId: 1, at: ago(40), total: 3000, refunded: 1000, lines: [{ productId: "P3", variantId: "V3", vendor: "Gamma" }] },
    { id: 13, customerId: 1, at: ago(200), total: 2000, codes: ["SAVE10"], lines: [{ productId: "P1", variantId: "V2", vendor: "Acme" }] },
    { id: 21, customerId: 2, at: ago(95), total: 8000, lines: [{ productId: "P2", variantId: "V5", vendor: "Beta" }] },
    { id: 41, customerId: 4, at: ago(70), total: 1500, lines: [{ productId: "P2", vendor: "Beta" }] },
    { id: 42, customerId: 4, at: ago(65), total: 2500, codes: ["welcome"], lines: [{ productId: "P4", variantId: "V4", vendor: "Delta" }] },
    { id: 43, customerId: 4, at: ago(5), total: 9999, cancelledAt: ago(4), lines: [{ productId: "P1", vendor: "Acme" }] },
    // Spelled otherwise than order 11: vendor conditions match case-insensitively.
    { id: 61, customerId: 6, at: ago(30), total: 4000, codes: ["WELCOME"], lines: [{ productId: "P1", variantId: "V1", vendor: "ACME" }] },
  ],
  products: [
    { externalId: "P1", vendor: "Acme", collections: ["summer"] },
    { externalId: "P2", vendor: "Beta", collections: ["winter"] },
    { externalId: "P3", vendor: "Gamma", collections: ["summer", "sale"] },
    { externalId: "P4", vendor: "Delta", collections: [] },
  ],
  events: [
    { customerId: 1, name: "message_sent", at: ago(3), properties: email },
    { customerId: 1, name: "message_opened", at: ago(3, 13), properties: email },
    { customerId: 6, name: "product_viewed", at: ago(33), properties: { price: 25, category: "shoes", meta: { brand: "Nike" } } },
    { customerId: 6, name: "product_viewed", at: ago(4), properties: { price: 40, category: "shoes" } },
    { customerId: 6, name: "product_viewed", at: ago(3), properties: { price: 40, category: "shoes" } },
    { customerId: 6, name: "product_viewed", at: ago(2), properties: { price: 40, category: "shoes" } },
    { customerId: 6, name: "message_sent", at: ago(20), properties: email },
    { customerId: 6, name: "message_sent", at: ago(2), properties: sms },
    { customerId: 6, name: "message_clicked", at: ago(2, 14), properties: sms },
    { customerId: 6, name: "message_unsubscribed", at: ago(1), properties: email },
  ],
  scores: [
    { customerId: 1, recency: 5, frequency: 4, monetary: 5, rfmGroup: "champions", dormant: false, daysOverdue: -5, stage: "active", pAlive: 0.9, expectedNextOrderAt: ago(-5), clv: 20000, clusterId: 2 },
    { customerId: 2, recency: 2, frequency: 1, monetary: 4, rfmGroup: "at_risk", dormant: true, daysOverdue: 30, stage: "at_risk", pAlive: 0.3, expectedNextOrderAt: ago(20), clv: 5000, clusterId: 1 },
    { customerId: 4, recency: 1, frequency: 2, monetary: 4, rfmGroup: "cant_lose", dormant: true, daysOverdue: 10, stage: "dormant", pAlive: 0.2, clv: 8000, clusterId: 1 },
  ],
};

/** Shop 2 reuses customer id 3 (carol's id in shop 1) with rows matching almost everything. */
export const SHOP_B: SeedShop = {
  id: 2,
  timezone: TZ,
  customers: [
    { id: 3, email: "alice@example.com", phone: "+15550009", country: "US", province: "NY", tags: ["vip", "wholesale"], locale: "en-US", timezone: "Europe/London", emailConsent: "subscribed", smsConsent: "subscribed", createdAt: ago(20) },
    { id: 101, email: "x@example.org", tags: [], createdAt: ago(400) },
  ],
  orders: [
    { id: 9001, customerId: 3, at: ago(1), total: 100000, codes: ["SAVE10", "WELCOME"], lines: [{ productId: "P1", variantId: "V1", vendor: "Acme" }] },
    { id: 9002, customerId: 3, at: ago(100), total: 50, lines: [{ productId: "P2", variantId: "V2", vendor: "Beta" }] },
    { id: 9003, customerId: 3, at: ago(97), total: 50 },
  ],
  products: [
    { externalId: "P1", collections: ["summer"] },
    { externalId: "P2", collections: ["winter"] },
  ],
  events: [
    ...[0, 1, 2, 3, 4, 5].map((d) => ({ customerId: 3, name: "product_viewed", at: ago(d), properties: { price: 99, category: "shoes", meta: { brand: "Nike" } } })),
    { customerId: 3, name: "message_sent", at: ago(1), properties: email },
    { customerId: 3, name: "message_sent", at: ago(2), properties: sms },
    { customerId: 3, name: "message_opened", at: ago(1), properties: email },
    { customerId: 3, name: "message_clicked", at: ago(1), properties: email },
    { customerId: 3, name: "message_clicked", at: ago(1), properties: sms },
    { customerId: 3, name: "message_unsubscribed", at: ago(1), properties: email },
  ],
  scores: [
    { customerId: 3, recency: 5, frequency: 5, monetary: 5, rfmGroup: "at_risk", dormant: true, daysOverdue: 50, stage: "dormant", pAlive: 0.1, expectedNextOrderAt: ago(-2), clv: 99999, clusterId: 1 },
  ],
};

export const MEMBERSHIP_ROWS_SQL = `
INSERT INTO segment_memberships (shop_id, segment_id, customer_id) VALUES (1, 500, 1), (1, 500, 4), (2, 500, 3), (2, 501, 3);
INSERT INTO shopify_segment_members (shop_id, segment_id, customer_id) VALUES (1, 'gid://shopify/Segment/9', 2), (2, 'gid://shopify/Segment/9', 3);
INSERT INTO enrollments (shop_id, id, journey_id, journey_version, customer_id, status, state, entered_at, ended_at) VALUES
  (1, 1, 700, 1, 1, 'waiting', '{}', now(), NULL), (1, 2, 700, 1, 4, 'converted', '{}', now(), now()), (1, 3, 700, 1, 6, 'completed', '{}', now(), now()),
  (1, 4, 700, 1, 2, 'exited', '{}', now(), now()), (2, 5, 700, 1, 3, 'active', '{}', now(), NULL);
`;
