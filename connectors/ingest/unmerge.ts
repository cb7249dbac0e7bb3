// Reverse an identity merge recorded by ingestion ('customer.merge' in audit_log): the identity
// gets its own customer again, built from the record it arrived with; fields the merge filled
// on the survivor are cleared (consent too); its orders follow it.
import type pg from "pg";
import { lockCustomers } from "../../jobs/journeys/customer-lock";
import { endJourneysOnChannel } from "../../jobs/journeys/opt-out";
import { err, ok, type Result } from "../../core/result";
import type { Source } from "../../core/ingest/schema";

const FILLED = [
  "email", "phone", "first_name", "last_name", "country", "province", "city", "zip", "address1",
  "timezone", "locale", "source_created_at",
];

export interface UnmergeResult {
  customerId: string;
  ordersMoved: number;
  /** Orders were left in place: the survivor has another identity at the same source. */
  ordersAmbiguous: boolean;
}

export async function unmergeCustomer(
  pool: pg.Pool,
  shopId: number,
  identity: { source: Source; externalId: string },
  opts: { now: Date; actor?: string },
): Promise<Result<UnmergeResult>> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    // The survivor's consent may be revoked (below): its customer lock first, as every send
    // decision holds it while reading consent (jobs/journeys/send-batch.ts lockCustomers), and
    // before any row lock, as ingestion takes it before it writes identities.
    const seen = (await client.query(
      `select customer_id::text as id from customer_identities where shop_id = $1 and source = $2 and external_id = $3`,
      [shopId, identity.source, identity.externalId],
    )).rows[0];
    if (seen) await lockCustomers(client, shopId, [seen.id]);
    const id = (await client.query(
      `select customer_id from customer_identities where shop_id = $1 and source = $2 and external_id = $3 for update`,
      [shopId, identity.source, identity.externalId],
    )).rows[0];
    if (!id) return await rollback(client, "no such identity");
    const audit = (await client.query(
      `select id, before, after from audit_log
       where shop_id = $1 and action = 'customer.merge' and entity_id = $2
         and after->>'source' = $3 and after->>'externalId' = $4
       order by id desc limit 1`,
      [shopId, String(id.customer_id), identity.source, identity.externalId],
    )).rows[0];
    if (!audit) return await rollback(client, "identity was not merged into its customer");
    const survivor = String(id.customer_id);
    if (survivor !== seen?.id) await lockCustomers(client, shopId, [survivor]); // moved meanwhile (another unmerge)
    const rec = audit.after.record as Record<string, unknown>;

    const created = (await client.query(
      `insert into customers (shop_id, email, email_available, phone, phone_available, first_name, last_name, country,
         province, city, zip, address1, timezone, locale, tags, email_consent, email_consent_at, email_consent_source,
         sms_consent, sms_consent_at, sms_consent_source, source_created_at, created_at, updated_at)
       select $1, r->>'email', coalesce((r->>'email_available')::boolean, true), r->>'phone',
         coalesce((r->>'phone_available')::boolean, true), r->>'first_name', r->>'last_name', r->>'country',
         r->>'province', r->>'city', r->>'zip', r->>'address1', r->>'timezone', r->>'locale',
         coalesce(array(select jsonb_array_elements_text(r->'tags')), '{}'),
         coalesce(r->>'email_consent', 'unknown')::"ConsentState", (r->>'email_consent_at')::timestamptz, r->>'email_consent_source',
         coalesce(r->>'sms_consent', 'unknown')::"ConsentState", (r->>'sms_consent_at')::timestamptz, r->>'sms_consent_source',
         (r->>'source_created_at')::timestamptz, $3, $3
       from (select $2::jsonb as r) x returning id`,
      [shopId, JSON.stringify(rec), opts.now],
    )).rows[0].id as string;

    await client.query(
      `update customer_identities set customer_id = $4 where shop_id = $1 and source = $2 and external_id = $3`,
      [shopId, identity.source, identity.externalId, created],
    );
    // Clear what the merge filled in: empty before, and still the merged record's value.
    const sets = FILLED.map(
      (k) => `${k} = case when $2::jsonb->>'${k}' is null and ${k}::text is not distinct from ($3::jsonb->>'${k}') then null else ${k} end`,
    );
    await client.query(
      `update customers set ${sets.join(", ")}, updated_at = $4 where shop_id = $1 and id = $5`,
      [shopId, JSON.stringify(audit.before), JSON.stringify(rec), opts.now, survivor],
    );
    // Consent the merge filled in (it only fills unknown consent) goes back to unknown: it
    // was the other identity's. From subscribed that is an opt-out, which ends the
    // survivor's journeys on the channel as any opt-out does.
    const revoked: string[] = [];
    for (const k of ["email", "sms"] as const) {
      const col = `${k}_consent`;
      const r = await client.query<{ revoked: boolean }>(
        `update customers c set ${col} = 'unknown', ${col}_at = null, ${col}_source = null, updated_at = $4
         where c.shop_id = $1 and c.id = $5 and $2::jsonb->>'${col}' = 'unknown' and c.${col} <> 'unknown'
           and c.${col}::text = $3::jsonb->>'${col}'
         returning $3::jsonb->>'${col}' = 'subscribed' as revoked`,
        [shopId, JSON.stringify(audit.before), JSON.stringify(rec), opts.now, survivor],
      );
      if (r.rows[0]?.revoked) revoked.push(k);
    }
    for (const channel of revoked) await endJourneysOnChannel(client, shopId, [survivor], channel, opts.now);
    await client.query(
      `update customers set email_available = email is not null or email_available,
         phone_available = phone is not null or phone_available where shop_id = $1 and id = $2`,
      [shopId, survivor],
    );

    // Orders carry no identity, only a source: they move only when that is unambiguous.
    const others = (await client.query(
      `select count(*)::int n from customer_identities where shop_id = $1 and customer_id = $2 and source = $3`,
      [shopId, survivor, identity.source],
    )).rows[0].n as number;
    let moved = 0;
    if (others === 0) {
      moved = (await client.query(
        `update orders set customer_id = $4, updated_at = $5 where shop_id = $1 and customer_id = $2 and source = $3`,
        [shopId, survivor, identity.source, created, opts.now],
      )).rowCount ?? 0;
    }
    await client.query(
      `insert into audit_log (shop_id, actor, action, entity, entity_id, before, after, at)
       values ($1, $2, 'customer.unmerge', 'customer', $3, $4, $5, $6)`,
      [shopId, opts.actor ?? "unmerge", survivor, JSON.stringify({ mergeAuditId: String(audit.id) }),
        JSON.stringify({ ...identity, customerId: String(created), ordersMoved: moved }), opts.now],
    );
    await client.query("commit");
    return ok({ customerId: String(created), ordersMoved: moved, ordersAmbiguous: others > 0 });
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

async function rollback(client: pg.PoolClient, reason: string): Promise<Result<never>> {
  await client.query("rollback");
  return err(reason);
}
