// Consent changes: the one place a customer's marketing consent moves. One transaction
// updates the customer row (state, _at, _source), the suppression list and records a
// `consent_changed` event; then the change is written back to the store (Shopify) so the
// merchant's other tools see it too. Opt-outs take effect at once: the suppression row is
// what every send checks.
//
// Journeys: an opt-out removes the customer from every active journey that sends on that
// channel at once (jobs/journeys removeFromJourneysOnChannel, which also suppresses their
// held messages), and the `consent_changed` event is handed to the journeys queue for the
// engine's other reactions (exit criteria, wait-for-event).
import type pg from "pg";
import { removeFromJourneysOnChannel } from "../../jobs/journeys/events";
import { lockCustomers } from "../../jobs/journeys/send-batch";
import { requestCustomerReevaluation } from "../../jobs/segments/worker";
import { enqueueJourneyEvent } from "../../jobs/journeys/queue";
import { queues } from "../../jobs/queues";
import { pool } from "../db.server";
import { logger } from "../logger.server";
import { shopify } from "../shopify.server";

export type ConsentChannel = "email" | "sms" | "push";
export type ConsentStateChange = "subscribed" | "unsubscribed";
export type SuppressionReason = "unsubscribe" | "sms_keyword" | "sms_free_form" | "hard_bounce" | "complaint" | "push_gone" | "manual";

export type ConsentChangeInput = {
  shopId: number;
  channel: ConsentChannel;
  state: ConsentStateChange;
  /** Where it came from: one_click, preference_page, sms_keyword, sms_free_form, admin, shopify, ... */
  source: string;
  /** The customer when known; else the address is matched to one (or suppressed alone). */
  customerId?: string | bigint;
  /** Email (any case), E.164 phone or push endpoint hash. */
  address?: string;
  reason?: SuppressionReason;
  evidence?: string;
  messageId?: string | bigint;
  at: Date;
};

export type ConsentChangeResult = { customerId: string | null; address: string | null; changed: boolean; journeysLeft?: number };

const normaliseAddress = (channel: ConsentChannel, address: string) => (channel === "email" ? address.trim().toLowerCase() : address.trim());

// A re-subscription lifts opt-out suppressions, never a hard bounce or a complaint.
const LIFTABLE: SuppressionReason[] = ["unsubscribe", "sms_keyword", "sms_free_form", "manual"];

type CustomerRow = { id: string; email: string | null; phone: string | null };

async function findCustomer(db: pg.PoolClient, input: ConsentChangeInput, address: string | null): Promise<CustomerRow | null> {
  if (input.customerId !== undefined) {
    const r = await db.query<CustomerRow>(`select id::text, email, phone from customers where shop_id = $1 and id = $2`, [input.shopId, String(input.customerId)]);
    return r.rows[0] ?? null;
  }
  if (!address || input.channel === "push") return null;
  const column = input.channel === "email" ? "lower(email)" : "phone";
  const r = await db.query<CustomerRow>(
    `select id::text, email, phone from customers where shop_id = $1 and ${column} = $2 and merged_into_id is null order by id limit 1`,
    [input.shopId, address],
  );
  return r.rows[0] ?? null;
}

/** Changes one customer's (or one address's) consent on one channel. */
export async function changeConsent(input: ConsentChangeInput, deps: { writeBack?: StoreConsentWriter | null } = {}): Promise<ConsentChangeResult> {
  const client = await pool().connect();
  let result: ConsentChangeResult;
  let customer: CustomerRow | null = null;
  let eventId: string | null = null;
  try {
    await client.query("begin");
    let address = input.address ? normaliseAddress(input.channel, input.address) : null;
    customer = await findCustomer(client, input, address);
    // The customer's lock, as every send decision holds it while it reads consent and writes
    // `sending`: an opt-out stored now is seen by every decision after it, and one already
    // under way commits first (it read consent before the opt-out existed).
    if (customer) await lockCustomers(client, input.shopId, [customer.id]);
    if (!address && customer) address = input.channel === "email" ? customer.email?.toLowerCase() ?? null : input.channel === "sms" ? customer.phone : null;

    let changed = false;
    if (customer && input.channel !== "push") {
      const col = input.channel === "email" ? "email_consent" : "sms_consent";
      const r = await client.query(
        `update customers set ${col} = $3::"ConsentState", ${col}_at = $4, ${col}_source = $5, updated_at = now()
         where shop_id = $1 and id = $2 and ${col} is distinct from $3::"ConsentState"`,
        [input.shopId, customer.id, input.state, input.at, input.source],
      );
      changed = (r.rowCount ?? 0) > 0;
    }
    if (address) {
      if (input.state === "unsubscribed") {
        const r = await client.query(
          `insert into suppressions (shop_id, channel, address, reason, source, evidence, created_at)
           values ($1, $2::"MessageChannel", $3, $4::"SuppressionReason", $5, $6, $7)
           on conflict (shop_id, channel, address) do nothing`,
          [input.shopId, input.channel, address, input.reason ?? "unsubscribe", input.source, input.evidence ?? null, input.at],
        );
        changed ||= (r.rowCount ?? 0) > 0;
      } else {
        const r = await client.query(
          `delete from suppressions where shop_id = $1 and channel = $2::"MessageChannel" and address = $3 and reason = any($4::"SuppressionReason"[])`,
          [input.shopId, input.channel, address, LIFTABLE],
        );
        changed ||= (r.rowCount ?? 0) > 0;
      }
    }
    if (input.state === "subscribed" && customer) {
      // Subscribing again on the preference page starts from "everything" for that channel.
      await client.query(`delete from consent_preferences where shop_id = $1 and customer_id = $2 and channel = $3::"MessageChannel"`, [input.shopId, customer.id, input.channel]);
    }
    if (changed) {
      const ev = await client.query<{ id: string }>(
        `insert into events (shop_id, customer_id, name, occurred_at, properties, source, message_id)
         values ($1, $2, 'consent_changed', $3, $4, 'winback', $5) returning id::text`,
        [input.shopId, customer?.id ?? null, input.at, JSON.stringify({ channel: input.channel, state: input.state, source: input.source }), input.messageId != null ? String(input.messageId) : null],
      );
      eventId = ev.rows[0].id;
    }
    await client.query("commit");
    result = { customerId: customer?.id ?? null, address, changed };
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    client.release();
  }

  // Consent is a segment condition: the customer is re-evaluated at once.
  if (result.changed && customer) await requestCustomerReevaluation(pool(), queues(), input.shopId, customer.id, input.at);
  if (result.changed && customer && input.state === "unsubscribed") {
    try {
      result.journeysLeft = await removeFromJourneysOnChannel(pool(), input.shopId, customer.id, input.channel, input.at);
    } catch (e) {
      // The suppression is already committed, so no send goes out; the queued event retries the exit.
      logger.error({ shopId: input.shopId, channel: input.channel, error: (e as Error).message }, "could not remove the customer from journeys at once");
    }
  }
  if (eventId && customer) {
    try {
      await enqueueJourneyEvent(queues(), input.shopId, eventId);
    } catch (e) {
      // The journeys sweeper picks up events the queue never saw.
      logger.warn({ shopId: input.shopId, error: (e as Error).message }, "could not queue consent_changed for journeys");
    }
  }

  const writer = deps.writeBack === undefined ? defaultStoreWriter : deps.writeBack;
  if (result.changed && customer && writer && input.channel !== "push" && input.source !== "shopify") {
    // The store is told after our own state is safe; a failure is logged, not fatal: our
    // suppression already stops sends, and the next import reconciles.
    try {
      const w = await writer(input.shopId, { id: customer.id, email: customer.email, phone: customer.phone }, input.channel, input.state, input.at, input.source);
      if (!w.ok) logger.warn({ shopId: input.shopId, channel: input.channel, error: w.error }, "consent write-back to the store failed");
    } catch (e) {
      logger.warn({ shopId: input.shopId, channel: input.channel, error: (e as Error).message }, "consent write-back to the store threw");
    }
  }
  return result;
}

/** A hard bounce or complaint: the address is suppressed on the channel; a complaint is also an opt-out. */
export async function recordDeliveryProblem(input: {
  shopId: number;
  channel: ConsentChannel;
  address: string;
  kind: "hard_bounce" | "complaint";
  source: string;
  messageId?: string | bigint;
  evidence?: string;
  at: Date;
}): Promise<ConsentChangeResult> {
  if (input.kind === "complaint") {
    return changeConsent({ shopId: input.shopId, channel: input.channel, state: "unsubscribed", address: input.address, reason: "complaint", source: input.source, evidence: input.evidence, messageId: input.messageId, at: input.at });
  }
  const address = normaliseAddress(input.channel, input.address);
  const r = await pool().query(
    `insert into suppressions (shop_id, channel, address, reason, source, evidence, created_at)
     values ($1, $2::"MessageChannel", $3, 'hard_bounce', $4, $5, $6) on conflict (shop_id, channel, address) do nothing`,
    [input.shopId, input.channel, address, input.source, input.evidence ?? null, input.at],
  );
  return { customerId: null, address, changed: (r.rowCount ?? 0) > 0 };
}

export type PurposeChoice = { channel: "email" | "sms"; purpose: "promotional" | "informational"; subscribed: boolean };

/** Stores per-purpose choices from the preference page for one customer. */
export async function savePurposePreferences(shopId: number, customerId: string, choices: ReadonlyArray<PurposeChoice>, source: string, at: Date): Promise<void> {
  for (const c of choices) {
    await pool().query(
      `insert into consent_preferences (shop_id, customer_id, channel, purpose, subscribed, source, updated_at)
       values ($1, $2, $3::"MessageChannel", $4::"MessagePurpose", $5, $6, $7)
       on conflict (shop_id, customer_id, channel, purpose) do update set subscribed = excluded.subscribed, source = excluded.source, updated_at = excluded.updated_at`,
      [shopId, customerId, c.channel, c.purpose, c.subscribed, source, at],
    );
  }
}

export type ConsentSnapshot = {
  customerId: string;
  email: { state: string; suppressed: boolean; purposes: Record<string, boolean> } | null;
  sms: { state: string; suppressed: boolean; purposes: Record<string, boolean> } | null;
};

/** What the preference page shows for a customer (addresses are not echoed). */
export async function consentSnapshot(shopId: number, customerId: string): Promise<ConsentSnapshot | null> {
  const c = await pool().query<{ email: string | null; phone: string | null; email_consent: string; sms_consent: string }>(
    `select email, phone, email_consent::text, sms_consent::text from customers where shop_id = $1 and id = $2`,
    [shopId, customerId],
  );
  const row = c.rows[0];
  if (!row) return null;
  const prefs = await pool().query<{ channel: string; purpose: string; subscribed: boolean }>(
    `select channel::text, purpose::text, subscribed from consent_preferences where shop_id = $1 and customer_id = $2`,
    [shopId, customerId],
  );
  const sup = await pool().query<{ channel: string }>(
    `select channel::text from suppressions where shop_id = $1 and ((channel = 'email' and address = lower($2)) or (channel = 'sms' and address = $3))`,
    [shopId, row.email ?? "", row.phone ?? ""],
  );
  const view = (channel: "email" | "sms", state: string) => ({
    state,
    suppressed: sup.rows.some((s) => s.channel === channel),
    purposes: Object.fromEntries(
      ["promotional", "informational"].map((p) => [p, prefs.rows.find((x) => x.channel === channel && x.purpose === p)?.subscribed ?? true]),
    ),
  });
  return { customerId, email: row.email ? view("email", row.email_consent) : null, sms: row.phone ? view("sms", row.sms_consent) : null };
}

// ---------------------------------------------------------------------------------------
// Write-back to the store.

export type StoreCustomer = { id: string; email: string | null; phone: string | null };

/**
 * writeConsentToStore(shop, customer, channel, state, at, source): tells the store the
 * customer's new consent. Shopify takes it through its consent mutations
 * (connectors/shopify/consent.ts), WooCommerce as customer meta (connectors/woocommerce/consent.ts);
 * CSV shops have no store to tell, so they answer ok without a call.
 */
export type StoreConsentWriter = (
  shopId: number,
  customer: StoreCustomer,
  channel: "email" | "sms",
  state: ConsentStateChange,
  at: Date,
  source: string,
) => Promise<{ ok: true; value: unknown } | { ok: false; error: string }>;

export const writeConsentToStore: StoreConsentWriter = async (shopId, customer, channel, state, at, source) => {
  const shop = await pool().query<{ domain: string; platform: string }>(`select domain, platform::text from shops where id = $1`, [shopId]);
  const s = shop.rows[0];
  if (!s) return { ok: true, value: "no such shop" };
  const externalIdOf = async (platform: string) => (await pool().query<{ external_id: string }>(
    `select external_id from customer_identities where shop_id = $1 and customer_id = $2 and source = $3 order by external_id limit 1`,
    [shopId, customer.id, platform],
  )).rows[0]?.external_id;
  switch (s.platform) {
    case "shopify": {
      const externalId = await externalIdOf("shopify");
      if (!externalId) return { ok: true, value: "not a Shopify customer" };
      // The library's unauthenticated admin refreshes an expiring offline token before use.
      const { session } = await shopify().unauthenticated.admin(s.domain);
      if (!session.accessToken) return { ok: false, error: "no offline access token for the shop" };
      const { createAdminGraphql } = await import("../../connectors/shopify/client");
      const gql = createAdminGraphql({ shop: s.domain, accessToken: session.accessToken });
      const { writeConsentToShopify } = await import("../../connectors/shopify/consent");
      const r = await writeConsentToShopify(gql, { externalId, email: customer.email, phone: customer.phone }, channel, state, at);
      return r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error };
    }
    case "woocommerce": {
      const externalId = await externalIdOf("woocommerce");
      if (!externalId) return { ok: true, value: "not a WooCommerce customer (a guest has no customer record)" };
      const [{ loadWooConnection }, { appConfig }, { createWooClient }, { writeConsentToWoo }] = await Promise.all([
        import("./store-connections.server"), import("../config.server"),
        import("../../connectors/woocommerce/client"), import("../../connectors/woocommerce/consent"),
      ]);
      const conn = await loadWooConnection(pool(), appConfig().encryptionKey, shopId);
      if (!conn) return { ok: false, error: "the WooCommerce store is not connected" };
      const r = await writeConsentToWoo(createWooClient(conn), externalId, channel, state, at, source);
      return r.ok ? { ok: true, value: r.value } : { ok: false, error: `woocommerce: ${r.error.message}` };
    }
    default:
      return { ok: true, value: "no store consent API" };
  }
};

// Tests and the demo (no Shopify session) swap this out.
let defaultStoreWriter: StoreConsentWriter | null = writeConsentToStore;
export function setStoreConsentWriter(writer: StoreConsentWriter | null): void {
  defaultStoreWriter = writer;
}
