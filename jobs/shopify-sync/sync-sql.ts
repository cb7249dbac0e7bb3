// The set-based writes live sync needs besides ingestion: refunds (each recorded once, the
// order's refunded total never goes down), customer deletion (merge-safe: only the Shopify
// identity goes, with a tombstone and an audit entry) and marketing consent (newer-wins on
// the consent time, with a `consent_changed` event). Every statement is scoped by shop.
import type pg from "pg";
import { ingestBatch } from "../../connectors/ingest/ingest";
import type { RefundSeen, Translated } from "../../connectors/shopify/webhook-translate";
import { removeFromJourneysOnChannel } from "../journeys/events";
import { lockCustomers } from "../journeys/send-batch";

/** Records refunds once each; returns how many were new. */
export async function recordRefunds(db: pg.Pool, shopId: number, orderExternalId: string, refunds: readonly RefundSeen[]): Promise<number> {
  if (!refunds.length) return 0;
  const r = await db.query(
    `insert into order_refunds (shop_id, source, external_id, order_external_id, amount, refunded_at)
     select $1, 'shopify', x.id, $2, x.amount, x.at
     from unnest($3::text[], $4::bigint[], $5::timestamptz[]) as x(id, amount, at)
     on conflict (shop_id, source, external_id) do nothing`,
    [shopId, orderExternalId, refunds.map((x) => x.refundExternalId), refunds.map((x) => x.amountMinor.toString()), refunds.map((x) => x.at ?? null)],
  );
  return r.rowCount ?? 0;
}

/**
 * Raises the order's refunded total to the sum of its distinct known refunds (refunds only
 * ever add up), and its financial status with it. True when the order changed.
 */
export async function settleRefunded(db: pg.Pool, shopId: number, orderExternalId: string): Promise<boolean> {
  const r = await db.query(
    `update orders o set
       refunded = s.sum,
       financial_status = case when s.sum >= o.total then 'refunded' else 'partially_refunded' end,
       updated_at = now()
     from (select coalesce(sum(amount), 0) as sum from order_refunds
           where shop_id = $1 and source = 'shopify' and order_external_id = $2) s
     where o.shop_id = $1 and o.source = 'shopify' and o.external_id = $2 and s.sum > o.refunded`,
    [shopId, orderExternalId],
  );
  return (r.rowCount ?? 0) > 0;
}

/**
 * The store deleted a customer: its Shopify identity goes (tombstoned, so a late update cannot
 * bring it back; audited with the row as it was). The person stays when other sources still
 * know them (a WooCommerce or CSV identity, or orders); a person left with nothing is marked by
 * a `customer_deleted` event.
 */
export async function applyCustomerDeleted(db: pg.Pool, shopId: number, externalId: string, now: Date): Promise<string> {
  const client = await db.connect();
  try {
    await client.query("begin");
    await client.query(
      `insert into deleted_identities (shop_id, source, external_id, deleted_at) values ($1, 'shopify', $2, $3)
       on conflict (shop_id, source, external_id) do nothing`, [shopId, externalId, now]);
    const gone = await client.query<{ customer_id: string }>(
      `with gone as (
         delete from customer_identities where shop_id = $1 and source = 'shopify' and external_id = $2
         returning customer_id, external_id, email, phone, source_updated_at)
       insert into audit_log (shop_id, actor, action, entity, entity_id, before, at)
       select $1, 'shopify-webhook', 'customer.identity_deleted', 'customer', customer_id::text, to_jsonb(gone), $3 from gone
       returning entity_id as customer_id`, [shopId, externalId, now]);
    let effect = "customer already deleted";
    const customerId = gone.rows[0]?.customer_id;
    if (customerId) {
      const left = await client.query<{ identities: number }>(
        `select count(*)::int as identities from customer_identities where shop_id = $1 and customer_id = $2`, [shopId, customerId]);
      effect = "customer identity deleted";
      if (left.rows[0].identities === 0) {
        await client.query(
          `insert into events (shop_id, customer_id, name, occurred_at, properties, source, dedupe_key)
           values ($1, $2, 'customer_deleted', $3, $4, 'shopify', $5) on conflict (shop_id, dedupe_key) do nothing`,
          [shopId, customerId, now, JSON.stringify({ source: "shopify", externalId }), `customer_deleted:shopify:${externalId}`]);
        effect = "customer deleted";
      }
    }
    await client.query("commit");
    return effect;
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

type ConsentDelivery = Extract<Translated, { kind: "consent" }>;

/**
 * Sets one channel's consent when the delivery is newer than what is stored (by the consent's
 * own time), and records `consent_changed` when the state moved. A customer not known yet is
 * created from the payload's address first (its full record follows with customers/create).
 */
export async function applyConsent(db: pg.Pool, shopId: number, t: ConsentDelivery, now: Date): Promise<string> {
  const col = t.channel === "email" ? "email_consent" : "sms_consent";
  const state = t.consent.state;
  const at = t.consent.at ? new Date(t.consent.at) : null;
  const sql = `
    with target as (
      select coalesce(c.merged_into_id, c.id) as id from customer_identities i
      join customers c on c.shop_id = i.shop_id and c.id = i.customer_id
      where i.shop_id = $1 and i.source = 'shopify' and i.external_id = $2
    ), old as (
      select c.id, c.${col} as state from customers c join target t on c.id = t.id where c.shop_id = $1
      for update of c
    ), upd as (
      update customers c set ${col} = $3::"ConsentState", ${col}_at = $4, ${col}_source = 'shopify', updated_at = $5
      from old
      where c.shop_id = $1 and c.id = old.id
        and (case when $4::timestamptz is null then c.${col}_at is null else c.${col}_at is null or c.${col}_at < $4 end)
      returning c.id, old.state as before
    ), ev as (
      insert into events (shop_id, customer_id, name, occurred_at, properties, source, dedupe_key)
      select $1, upd.id, 'consent_changed', coalesce($4, $5), jsonb_build_object('channel', $6::text, 'state', $3::text, 'previous', upd.before::text, 'source', 'shopify'),
             'shopify', 'consent:shopify:' || $6 || ':' || $2 || ':' || coalesce($4::text, $5::text)
      from upd where upd.before is distinct from $3::"ConsentState"
      on conflict (shop_id, dedupe_key) do nothing
      returning 1
    ), addr as (
      select case when $6::text = 'email' then lower(c.email) else c.phone end as address
      from upd join customers c on c.shop_id = $1 and c.id = upd.id
    ), sup as (
      -- An opt-out in Shopify is an opt-out here: the suppression list is what every send checks.
      insert into suppressions (shop_id, channel, address, reason, source, evidence, created_at)
      select $1, $6::text::"MessageChannel", addr.address, 'unsubscribe', 'shopify', 'Shopify consent webhook', coalesce($4, $5)
      from addr where $3::text = 'unsubscribed' and addr.address is not null
      on conflict (shop_id, channel, address) do nothing
      returning 1
    ), lift as (
      -- A re-subscription lifts opt-outs, never a hard bounce or a complaint.
      delete from suppressions s using addr
      where $3::text = 'subscribed' and s.shop_id = $1 and s.channel = $6::text::"MessageChannel" and s.address = addr.address
        and s.reason in ('unsubscribe', 'sms_keyword', 'sms_free_form', 'manual')
      returning 1
    )
    select (select count(*) from target)::int as known, (select count(*) from upd)::int as updated,
           (select count(*) from ev)::int as changed, (select min(id)::text from upd) as customer_id,
           (select count(*) from sup)::int + (select count(*) from lift)::int as suppression_changes`;
  const params = [shopId, t.customerExternalId, state, at, now, t.channel];
  type Row = { known: number; updated: number; changed: number; customer_id: string | null; suppression_changes: number };
  // Under the customer's lock, as every send decision holds it while it reads consent: an
  // opt-out is either seen by a decision or stored after that decision committed.
  const locked = async (): Promise<Row> => {
    const client = await db.connect();
    try {
      await client.query("begin");
      const target = await client.query<{ id: string }>(
        `select coalesce(c.merged_into_id, c.id)::text as id from customer_identities i join customers c on c.shop_id = i.shop_id and c.id = i.customer_id
         where i.shop_id = $1 and i.source = 'shopify' and i.external_id = $2`, [shopId, t.customerExternalId]);
      await lockCustomers(client, shopId, target.rows.map((x) => x.id));
      const row = (await client.query<Row>(sql, params)).rows[0];
      await client.query("commit");
      return row;
    } catch (e) {
      await client.query("rollback").catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  };
  let r = await locked();
  if (r.known === 0) {
    const gone = await db.query(`select 1 from deleted_identities where shop_id = $1 and source = 'shopify' and external_id = $2`, [shopId, t.customerExternalId]);
    if (gone.rowCount) return "customer deleted earlier: ignored";
    // Consent arrived before the customer: make the identity from what the payload carries.
    const stub = { source: "shopify", externalId: t.customerExternalId, ...(t.channel === "email" ? { email: t.address } : { phone: t.address }) };
    const ing = await ingestBatch(db, shopId, { customers: [stub] }, { now, actor: "shopify-webhook" });
    if (ing.rejected.length) return "consent for an unknown customer: not applied";
    r = await locked();
  }
  if (!r.updated) return "consent unchanged (not newer)";
  if (state === "unsubscribed" && r.customer_id) {
    // Leaves every active journey that sends on this channel at once, as an opt-out made in Winback does.
    await removeFromJourneysOnChannel(db, shopId, r.customer_id, t.channel, now);
  }
  return r.changed ? "consent changed" : "consent time updated";
}
