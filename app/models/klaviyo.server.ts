// Klaviyo as an alternative route (connectors/klaviyo): the shop's client from its sealed
// private key (provider_credentials, provider 'klaviyo'), and the whole-shop sync: profiles
// with Winback's scores as custom properties, consent, and one Klaviyo list per live
// segment. Every query is scoped by the shop. Re-running it changes nothing in Klaviyo.
import type pg from "pg";
import { createKlaviyoChannel, type KlaviyoFlowMessage } from "../../connectors/klaviyo/channel";
import { klaviyoClientFromSealed, type KlaviyoClient, type KlaviyoError, type RetryPolicy } from "../../connectors/klaviyo/client";
import type { ConsentState } from "../../connectors/klaviyo/consent";
import { syncConsent, syncProfiles, syncSegmentList, type ListSyncResult, type WinbackProfile } from "../../connectors/klaviyo/sync";
import type { Channel } from "../../core/content/channel";
import { err, ok, type Result } from "../../core/result";
import { appConfig } from "../config.server";

export type KlaviyoClientOverrides = { basePath?: string; retry?: Partial<RetryPolicy> };

/** The shop's Klaviyo client, or null when Klaviyo is not connected. */
export async function klaviyoClientForShop(db: pg.Pool, shopId: number, overrides: KlaviyoClientOverrides = {}): Promise<Result<KlaviyoClient | null, string>> {
  const r = await db.query<{ config: { basePath?: unknown }; sealed_secret: string }>(`select config, sealed_secret from provider_credentials where shop_id = $1 and provider = 'klaviyo'`, [shopId]);
  const row = r.rows[0];
  if (!row) return ok(null);
  const config = appConfig();
  // A saved basePath (the demo's simulator) is never honoured in production.
  const saved = typeof row.config?.basePath === "string" && config.NODE_ENV !== "production" ? row.config.basePath : undefined;
  const client = klaviyoClientFromSealed(row.sealed_secret, config.encryptionKey, { basePath: overrides.basePath ?? saved, retry: overrides.retry });
  return client.ok ? ok(client.value) : err(client.error);
}

export async function klaviyoChannelForShop(db: pg.Pool, shopId: number, overrides: KlaviyoClientOverrides = {}): Promise<Channel<KlaviyoFlowMessage> | null> {
  const c = await klaviyoClientForShop(db, shopId, overrides);
  return c.ok && c.value ? createKlaviyoChannel(c.value) : null;
}

type CustomerRow = {
  id: string;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  country: string | null;
  province: string | null;
  city: string | null;
  zip: string | null;
  address1: string | null;
  timezone: string | null;
  locale: string | null;
  email_consent: ConsentState;
  email_consent_at: Date | null;
  sms_consent: ConsentState;
  sms_consent_at: Date | null;
  stage: string | null;
  rfm_group: string | null;
  dormant: boolean | null;
  days_overdue: number | null;
  expected_gap_days: number | null;
  order_count: number | null;
  last_order_at: Date | null;
};

const toProfile = (c: CustomerRow): WinbackProfile => ({
  customerId: c.id,
  email: c.email,
  phone: c.phone,
  firstName: c.first_name,
  lastName: c.last_name,
  country: c.country,
  province: c.province,
  city: c.city,
  zip: c.zip,
  address1: c.address1,
  timezone: c.timezone,
  locale: c.locale,
  emailConsent: c.email_consent,
  emailConsentAt: c.email_consent_at,
  smsConsent: c.sms_consent,
  smsConsentAt: c.sms_consent_at,
  properties: {
    winback_stage: c.stage,
    winback_rfm_group: c.rfm_group,
    winback_dormant: c.dormant ?? false,
    winback_days_overdue: c.days_overdue === null ? null : Math.round(c.days_overdue),
    winback_expected_gap_days: c.expected_gap_days === null ? null : Math.round(c.expected_gap_days),
    winback_order_count: c.order_count ?? 0,
    winback_last_order_at: c.last_order_at?.toISOString() ?? null,
  },
});

export type ShopSyncSummary = { profiles: number; skipped: number; profileJobs: number; subscribed: number; unsubscribed: number; lists: Array<ListSyncResult & { segmentId: string }> };

/** Syncs the shop's customers, consent and live segments to Klaviyo, `pageSize` customers at a time. */
export async function syncShopToKlaviyo(db: pg.Pool, shopId: number, client: KlaviyoClient, opts: { now: Date; pageSize?: number }): Promise<Result<ShopSyncSummary, KlaviyoError>> {
  const pageSize = opts.pageSize ?? 5_000;
  const summary: ShopSyncSummary = { profiles: 0, skipped: 0, profileJobs: 0, subscribed: 0, unsubscribed: 0, lists: [] };
  let after = "0";
  for (;;) {
    const page = await db.query<CustomerRow>(
      `select c.id::text, c.email, c.phone, c.first_name, c.last_name, c.country, c.province, c.city, c.zip, c.address1, c.timezone, c.locale,
              c.email_consent, c.email_consent_at, c.sms_consent, c.sms_consent_at,
              s.stage, s.rfm_group, s.dormant, s.days_overdue, s.expected_gap_days, s.order_count, s.last_order_at
         from customers c left join customer_scores s on s.shop_id = c.shop_id and s.customer_id = c.id
        where c.shop_id = $1 and c.merged_into_id is null and c.id > $2::bigint
          and (c.email is not null or c.phone is not null)
        order by c.id limit $3`,
      [shopId, after, pageSize],
    );
    if (!page.rows.length) break;
    const profiles = page.rows.map(toProfile);
    const p = await syncProfiles(client, profiles);
    if (!p.ok) return p;
    const c = await syncConsent(client, profiles, opts.now);
    if (!c.ok) return c;
    summary.profiles += p.value.profiles;
    summary.skipped += p.value.skipped;
    summary.profileJobs += p.value.jobs;
    summary.subscribed += c.value.subscribed;
    summary.unsubscribed += c.value.unsubscribed;
    after = page.rows[page.rows.length - 1].id;
    if (page.rows.length < pageSize) break;
  }

  const segments = await db.query<{ id: string; name: string }>(`select id::text, name from segments where shop_id = $1 and archived_at is null order by id`, [shopId]);
  for (const s of segments.rows) {
    const members = await db.query<{ email: string | null; phone: string | null }>(
      `select c.email, c.phone from segment_memberships m join customers c on c.shop_id = m.shop_id and c.id = m.customer_id
        where m.shop_id = $1 and m.segment_id = $2::bigint and (c.email is not null or c.phone is not null)`,
      [shopId, s.id],
    );
    const r = await syncSegmentList(client, s, members.rows);
    if (!r.ok) return r;
    summary.lists.push({ ...r.value, segmentId: s.id });
  }
  return ok(summary);
}

/** The provider test: one authenticated read (the shop's lists), so a wrong key shows at once. */
export async function testKlaviyoConnection(db: pg.Pool, shopId: number): Promise<Result<void, string>> {
  const c = await klaviyoClientForShop(db, shopId);
  if (!c.ok) return err(c.error);
  if (!c.value) return err("Klaviyo is not connected");
  const client = c.value;
  const r = await client.call("get lists", () => client.lists.getLists({ fieldsList: ["name"] }));
  return r.ok ? ok(undefined) : err(`${r.error.kind}: ${r.error.message}`);
}
