// Set-based identity resolution and customer upserts over stg_customers.
// Parameters: $1 shop id, $2 now, $3 actor (for the audit log).
//
// Rules (one person across sources is one customer):
// - An identity (shop, source, external id) already known keeps its customer; a newer record
//   (source_updated_at greater, or none stored) overwrites the customer's fields with its non-null
//   values. Null never erases; an older record changes nothing.
// - A new identity attaches to the shop's live customer with the same email, else the same phone
//   (lowest id); new identities in one batch sharing an email/phone become one new customer.
//   Attaching only fills the customer's gaps, and is audited ('customer.merge') with the customer
//   as it was and the incoming record, so unmergeCustomer can reverse it.
// - Orders' customers not in the batch get stub identities (guest orders: 'guest:<email>'), so
//   every order links through customer_identities and later records fill the stub in.

const PLAIN = [
  "first_name", "last_name", "country", "province", "city", "zip", "address1", "timezone", "locale",
  "source_created_at",
];
const CONSENT = ["email_consent", "sms_consent"];

function consentCols(kind: string, take: string): [string, string][] {
  const cast = `nullif(p.${kind}, 'unknown')::"ConsentState"`;
  return [
    [kind, `case when ${take} then ${cast} else c.${kind} end`],
    [`${kind}_at`, `case when ${take} then p.${kind}_at else c.${kind}_at end`],
    [`${kind}_source`, `case when ${take} then p.${kind}_source else c.${kind}_source end`],
  ];
}

/**
 * A newer record's consent on channel column `kind` revokes the customer's: subscribed now,
 * anything else known in the record. Only these customers' locks are taken (REVOKING_LOCK).
 */
const revokes = (kind: string) => `(c.${kind} = 'subscribed' and nullif(p.${kind}, 'unknown') is not null and p.${kind} <> 'subscribed')`;

/** Column assignments: a newer record overwrites with its non-null values. */
function overwrite(): [string, string][] {
  return [
    ["email", "coalesce(p.email, c.email)"],
    ["email_available", "(coalesce(p.email, c.email) is not null or p.email_available)"],
    ["phone", "coalesce(p.phone, c.phone)"],
    ["phone_available", "(coalesce(p.phone, c.phone) is not null or p.phone_available)"],
    ...PLAIN.map((k): [string, string] => [k, `coalesce(p.${k}, c.${k})`]),
    ["tags", "case when cardinality(p.tags) > 0 then p.tags else c.tags end"],
    // A revocation only where REVOKING_LOCK locked it. A customer subscribed since that
    // statement read them (under their lock, by a consent change made after this batch was
    // fetched from the store) keeps the newer subscription.
    ...CONSENT.flatMap((k) => consentCols(k, `nullif(p.${k}, 'unknown') is not null
      and (p.${k} = 'subscribed' or c.${k} <> 'subscribed' or p.${k}_locked)`)),
  ];
}

/** Column assignments: an attached identity only fills what the customer lacks. */
function fill(): [string, string][] {
  return [
    ["email", "coalesce(c.email, p.email)"],
    ["email_available", "(coalesce(c.email, p.email) is not null or (c.email_available and p.email_available))"],
    ["phone", "coalesce(c.phone, p.phone)"],
    ["phone_available", "(coalesce(c.phone, p.phone) is not null or (c.phone_available and p.phone_available))"],
    ...PLAIN.map((k): [string, string] => [k, `coalesce(c.${k}, p.${k})`]),
    ["tags", "case when cardinality(p.tags) = 0 then c.tags else array(select distinct t from unnest(c.tags || p.tags) t order by 1) end"],
    ...CONSENT.flatMap((k) => consentCols(k, `c.${k} = 'unknown' and nullif(p.${k}, 'unknown') is not null`)),
  ];
}

function update(pick: string, cols: [string, string][]): string {
  const set = cols.map(([k, e]) => `${k} = ${e}`).join(",\n    ");
  const before = cols.map(([k]) => `c.${k}`).join(", ");
  const after = cols.map(([, e]) => e).join(", ");
  return `with p as (${pick})
update customers c set
    ${set},
    updated_at = $2
from p
where c.shop_id = $1 and c.id = p.target and (${before}) is distinct from (${after})`;
}

const NEWEST = "source_updated_at desc nulls last, ord desc";

// The record that overwrites each known customer: a newer one than the identity's last.
const OVERWRITE_PICK = `select distinct on (existing_id) * from res
     where existing_id is not null and not stub
       and (existing_updated is null or source_updated_at > existing_updated)
     order by existing_id, ${NEWEST}`;

/**
 * The send/consent race guard for bulk writes: every send decision reads consent under the
 * customer's advisory lock (jobs/journeys/send-batch.ts lockCustomers), so the customers whose
 * consent this batch revokes are locked first, in the engine's order (ascending key), in this
 * transaction: a decision under way commits before the opt-out, a later one sees it. Only
 * they: a batch of 100k rows could not hold a lock per row (max_locks_per_transaction).
 * An attached identity only fills consent that is unknown, which never revokes.
 */
export const REVOKING_LOCK = `insert into revoking (customer_id, email, sms)
   select id, email, sms from (
     select id, email, sms, pg_advisory_xact_lock(k)::text as locked from (
       select c.id, ${revokes("email_consent")} as email, ${revokes("sms_consent")} as sms,
              hashtextextended('cust:' || $1::text || ':' || c.id::text, 0) as k
       from (${OVERWRITE_PICK}) p join customers c on c.shop_id = $1 and c.id = p.existing_id
       where ${revokes("email_consent")} or ${revokes("sms_consent")}
       order by k) o) l
   where l.locked is not null`;

/**
 * A consent_changed event per revocation ($4 email, $5 sms customer ids), as a change made in
 * Winback records one: the audit trail, and journeys triggered on consent see it (the journeys
 * sweeper hands events the queue never saw to the engine). Source: the import's actor.
 */
export const REVOKED_EVENTS = `insert into events (shop_id, customer_id, name, occurred_at, properties, source)
   select $1, c.id, 'consent_changed', $2,
          jsonb_build_object('channel', v.channel, 'state', case v.channel when 'email' then c.email_consent::text else c.sms_consent::text end,
                             'source', $3::text),
          $3
   from (select unnest($4::bigint[]) as id, 'email' as channel union all select unnest($5::bigint[]), 'sms') v
   join customers c on c.shop_id = $1 and c.id = v.id`;

/** The customers whose consent the batch revoked, per channel (after the steps). */
export const REVOKED = `select coalesce(array_agg(v.customer_id::text) filter (where v.email and c.email_consent <> 'subscribed'), '{}') as email,
          coalesce(array_agg(v.customer_id::text) filter (where v.sms and c.sms_consent <> 'subscribed'), '{}') as sms
   from revoking v join customers c on c.shop_id = $1 and c.id = v.customer_id`;

export const CUSTOMER_STEPS: string[] = [
  // A customer deleted in the store stays deleted: a bulk export or CSV taken before the
  // deletion must not bring the record back (reconciliation lifts the tombstone if the store
  // still has the customer).
  `delete from stg_customers s using deleted_identities d
   where d.shop_id = $1 and d.source::text = s.source and d.external_id = s.external_id`,
  // Stubs for the customers orders point at (guest orders by email).
  `insert into stg_customers (ord, stub, source, external_id, email, email_available, phone_available, tags)
   select distinct on (o.source, k.key) 2147483647, true, o.source, k.key, o.email, true, true, '{}'
   from stg_orders o cross join lateral (select coalesce(o.customer_external_id, 'guest:' || o.email) as key) k
   where k.key is not null
   order by o.source, k.key, o.ord`,
  // One row per identity: real records before stubs, newest first (res: see staging.ts).
  `insert into res
   select s.*, i.customer_id as existing_id, i.source_updated_at as existing_updated,
          null::bigint as match_id, null::text as matched_by, null::text as gkey, null::bigint as new_id,
          null::bigint as target, false as attached
   from (select distinct on (source, external_id) * from stg_customers
         order by source, external_id, stub, ${NEWEST}) s
   left join customer_identities i
     on i.shop_id = $1 and i.source = s.source::"Platform" and i.external_id = s.external_id`,
  // Without statistics the planner takes res for a few rows and joins it by nested loop against
  // the shop's customers: quadratic once a shop has a few hundred thousand (227 s of a 200k-order
  // import). Statistics make those joins hashed.
  `analyze res`,
  `update res r set match_id = m.id, matched_by = 'email'
   from (select distinct on (email) email, id from customers
         where shop_id = $1 and merged_into_id is null
           and email in (select email from res where existing_id is null and email is not null)
         order by email, id) m
   where r.existing_id is null and r.email = m.email`,
  `update res r set match_id = m.id, matched_by = 'phone'
   from (select distinct on (phone) phone, id from customers
         where shop_id = $1 and merged_into_id is null
           and phone in (select phone from res where existing_id is null and match_id is null and phone is not null)
         order by phone, id) m
   where r.existing_id is null and r.match_id is null and r.phone = m.phone`,
  `update res set gkey = coalesce('e:' || email, 'p:' || phone, 'x:' || source || ':' || external_id)
   where existing_id is null and match_id is null`,
  `update res r set new_id = g.id, attached = g.rn > 1, matched_by = case when g.rn > 1 then left(r.gkey, 1) end
   from (select source, external_id, first_value(nextval_id) over w as id, row_number() over w as rn
         from (select source, external_id, gkey, stub, source_updated_at, ord,
                      case when row_number() over (partition by gkey order by stub, ${NEWEST}) = 1
                           then nextval(pg_get_serial_sequence('customers', 'id')) end as nextval_id
               from res where gkey is not null) x
         window w as (partition by gkey order by stub, ${NEWEST})) g
   where r.source = g.source and r.external_id = g.external_id`,
  `update res set target = coalesce(existing_id, match_id, new_id), attached = attached or match_id is not null`,
  `insert into customers (shop_id, id, email, email_available, phone, phone_available, first_name, last_name,
     country, province, city, zip, address1, timezone, locale, tags, email_consent, email_consent_at,
     email_consent_source, sms_consent, sms_consent_at, sms_consent_source, source_created_at, created_at, updated_at)
   select $1, new_id, email, email_available, phone, phone_available, first_name, last_name,
     country, province, city, zip, address1, timezone, locale, tags,
     coalesce(email_consent, 'unknown')::"ConsentState", email_consent_at, email_consent_source,
     coalesce(sms_consent, 'unknown')::"ConsentState", sms_consent_at, sms_consent_source, source_created_at, $2, $2
   from res where new_id is not null and not attached`,
  // Audit every attachment before the customer changes: enough to reverse it.
  `insert into audit_log (shop_id, actor, action, entity, entity_id, before, after, at)
   select $1, $3, 'customer.merge', 'customer', r.target::text, to_jsonb(c),
          jsonb_build_object('source', r.source, 'externalId', r.external_id, 'matchedBy', r.matched_by,
            'record', to_jsonb(r) - array['existing_id','existing_updated','match_id','matched_by','gkey','new_id','target','attached','ord']),
          $2
   from res r join customers c on c.shop_id = $1 and c.id = r.target
   where r.attached`,
  `insert into customer_identities (shop_id, source, external_id, customer_id, email, phone, source_updated_at, created_at)
   select $1, source::"Platform", external_id, target, email, phone, source_updated_at, $2
   from res where existing_id is null
   on conflict do nothing`,
  REVOKING_LOCK,
  update(
    `select p.*, coalesce(v.email, false) as email_consent_locked, coalesce(v.sms, false) as sms_consent_locked
     from (${OVERWRITE_PICK}) p left join revoking v on v.customer_id = p.existing_id`,
    overwrite(),
  ),
  `update customer_identities i set email = r.email, phone = r.phone, source_updated_at = r.source_updated_at
   from res r
   where i.shop_id = $1 and i.source = r.source::"Platform" and i.external_id = r.external_id
     and r.existing_id is not null and not r.stub
     and (r.existing_updated is null or r.source_updated_at > r.existing_updated)
     and (i.email, i.phone, i.source_updated_at) is distinct from (r.email, r.phone, r.source_updated_at)`,
  update(
    `select distinct on (target) * from res where attached and not stub order by target, ${NEWEST}`,
    fill(),
  ),
];

/** Counts for the report, read after the steps ran. */
export const CUSTOMER_COUNTS = `select
   count(*) filter (where new_id is not null and not attached)::int as created,
   count(*) filter (where attached)::int as attached,
   count(*) filter (where existing_id is not null and not stub
                     and (existing_updated is null or source_updated_at > existing_updated))::int as updated_candidates
 from res`;
