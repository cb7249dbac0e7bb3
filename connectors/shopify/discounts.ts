// Unique single-use discount codes on Shopify: ONE discount per offer and expiry day
// (discountCodeBasicCreate, or discountCodeFreeShippingCreate for free shipping: usage limit 1
// per code, once per customer, minimum, expiry, scope),
// its codes added in batches of at most 250 (discountRedeemCodeBulkAdd, asynchronous: the
// bulk creation is polled until done and each code's errors read). Never a discount per code,
// never draft orders.
//
// Idempotent through PostgreSQL: every code's discount_codes row (with its idempotency key from
// core/offers/code-request.ts) and the parent's platform_discounts row are written BEFORE the
// platform call. Codes are deterministic per send, so a retry after a crash asks for the same
// codes again; a code the platform reports TAKEN is looked up and accepted when it belongs to
// our discount. A code is handed out (codeReadyToSend) only once the platform confirmed it.
import type pg from "pg";
import { currencyExponent } from "../../core/ingest/money";
import { batchCodeRequests, SHOPIFY_BULK_CODE_LIMIT, type CodeRequest } from "../../core/offers/code-request";
import { err, ok, type Result } from "../../core/result";
import type { AdminGraphql, ClientError } from "./client";
import { operation } from "./operations";

export type DiscountError =
  | { kind: "client"; error: ClientError }
  | { kind: "user-errors"; messages: string[] }
  | { kind: "bulk-timeout"; bulkCreationId: string };

export type CodeStatus = "created" | "failed" | "requested";

export interface IssueCodesOptions {
  client: AdminGraphql;
  pool: pg.Pool;
  shopId: number;
  /** The offers row the codes are for. */
  offerRowId: string;
  /** Requests from codeRequestFor, one per send. */
  requests: readonly CodeRequest[];
  /** The message each code goes out with (by the code request's idempotency key). */
  messageIds?: ReadonlyMap<string, string>;
  pollIntervalMs?: number;
  maxPolls?: number;
  sleep?: (ms: number) => Promise<void>;
}

type UserError = { field?: string[] | null; message: string; code?: string | null };

/** Minor units as the decimal string Shopify's money inputs take. */
export function minorToDecimal(minor: number, currency: string): string {
  const e = currencyExponent(currency);
  if (e === 0) return String(minor);
  const s = String(Math.abs(minor)).padStart(e + 1, "0");
  return `${minor < 0 ? "-" : ""}${s.slice(0, -e)}.${s.slice(-e)}`;
}

/** The parent discount's mutation and input: the offer's value, minimum, scope and expiry; usage 1 per code. */
export function parentDiscountInput(first: CodeRequest, baseCode: string, currency: string): Result<{ operation: "discount-code-basic-create" | "discount-code-free-shipping-create"; variables: Record<string, unknown> }, DiscountError> {
  const o = first.offer;
  const common = {
    title: `Winback ${o.id} until ${first.expiresAt.toISOString().slice(0, 10)}`,
    code: baseCode,
    startsAt: first.issuedAt.toISOString(),
    endsAt: first.expiresAt.toISOString(),
    // Each code once, by one customer: usage limit 1 applies per code of the discount.
    usageLimit: 1,
    appliesOncePerCustomer: true,
    context: { all: "ALL" },
    minimumRequirement: first.minimumOrderMinor > 0
      ? { subtotal: { greaterThanOrEqualToSubtotal: minorToDecimal(first.minimumOrderMinor, currency) } } : null,
    tags: ["winback"],
  };
  if (o.kind === "free_shipping") {
    return ok({ operation: "discount-code-free-shipping-create", variables: { freeShippingCodeDiscount: { ...common, destination: { all: true } } } });
  }
  const value = o.kind === "percentage" ? { percentage: o.percent / 100 }
    : { discountAmount: { amount: minorToDecimal(o.amountMinor, currency), appliesOnEachItem: false } };
  const s = first.scope;
  const items = s.kind === "all" ? { all: true }
    : s.kind === "products" ? { products: { productsToAdd: s.productIds.map((id) => (id.startsWith("gid://") ? id : `gid://shopify/Product/${id}`)) } }
    : { collections: { add: s.collectionIds.map((id) => (id.startsWith("gid://") ? id : `gid://shopify/Collection/${id}`)) } };
  return ok({ operation: "discount-code-basic-create", variables: { basicCodeDiscount: { ...common, customerGets: { value, items } } } });
}

/** Writes the code rows (status requested) before any platform call; existing rows are kept. */
export async function recordCodeRequests(pool: pg.Pool, shopId: number, offerRowId: string, requests: readonly CodeRequest[], messageIds?: ReadonlyMap<string, string>): Promise<void> {
  if (!requests.length) return;
  await pool.query(
    `insert into discount_codes (shop_id, code, idempotency_key, message_id, customer_id, offer_id, status, issued_at, expires_at)
     select $1, x.code, x.key, x.message_id, x.customer_id, $2, 'requested', x.issued_at, x.expires_at
     from unnest($3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::timestamptz[], $8::timestamptz[])
       as x(code, key, message_id, customer_id, issued_at, expires_at)
     on conflict do nothing`,
    [shopId, offerRowId, requests.map((r) => r.code), requests.map((r) => r.idempotencyKey),
      requests.map((r) => messageIds?.get(r.idempotencyKey) ?? null), requests.map((r) => r.customerId),
      requests.map((r) => r.issuedAt), requests.map((r) => r.expiresAt)]);
}

async function lookupCode(client: AdminGraphql, code: string): Promise<Result<string | null, DiscountError>> {
  const r = await client.request<{ codeDiscountNodeByCode: { id: string } | null }>(operation("code-discount-by-code"), { code });
  if (!r.ok) return err({ kind: "client", error: r.error });
  return ok(r.value.data.codeDiscountNodeByCode?.id ?? null);
}

const taken = (errors: UserError[]) => errors.length > 0 && errors.every((e) => e.code === "TAKEN");

/** The offer's discount for this expiry day, created once (row first, then the platform). */
async function ensureParent(o: IssueCodesOptions, first: CodeRequest, currency: string): Promise<Result<{ id: string; baseCode: string }, DiscountError>> {
  const expiresOn = first.expiresAt.toISOString().slice(0, 10);
  await o.pool.query(
    `insert into platform_discounts (shop_id, platform, offer_id, expires_on, base_code, expires_at)
     values ($1, 'shopify', $2, $3, $4, $5) on conflict do nothing`,
    [o.shopId, o.offerRowId, expiresOn, first.code, first.expiresAt]);
  const row = (await o.pool.query<{ base_code: string; status: string; platform_discount_id: string | null }>(
    `select base_code, status, platform_discount_id from platform_discounts
     where shop_id = $1 and platform = 'shopify' and offer_id = $2 and expires_on = $3`, [o.shopId, o.offerRowId, expiresOn])).rows[0];
  if (row.status === "created" && row.platform_discount_id) return ok({ id: row.platform_discount_id, baseCode: row.base_code });

  const input = parentDiscountInput(first, row.base_code, currency);
  if (!input.ok) return input;
  type Payload = { codeDiscountNode: { id: string } | null; userErrors: UserError[] };
  const r = await o.client.request<Record<string, Payload>>(operation(input.value.operation), input.value.variables);
  if (!r.ok) return err({ kind: "client", error: r.error });
  const payload = Object.values(r.value.data)[0];
  let id = payload.codeDiscountNode?.id ?? null;
  const errors = payload.userErrors;
  if (!id && taken(errors)) {
    // Created before a crash (or a lost answer): find it by its code.
    const found = await lookupCode(o.client, row.base_code);
    if (!found.ok) return found;
    id = found.value;
  }
  if (!id) return err({ kind: "user-errors", messages: errors.map((e) => e.message) });
  await o.pool.query(
    `update platform_discounts set status = 'created', platform_discount_id = $5
     where shop_id = $1 and platform = 'shopify' and offer_id = $2 and expires_on = $3 and base_code = $4`,
    [o.shopId, o.offerRowId, expiresOn, row.base_code, id]);
  await o.pool.query(
    `update discount_codes set status = 'created', platform_discount_id = $3, error = null where shop_id = $1 and code = $2 and status = 'requested'`,
    [o.shopId, row.base_code, id]);
  return ok({ id, baseCode: row.base_code });
}

type BulkCreation = {
  done: boolean;
  codes: { nodes: { code: string; errors: UserError[] }[] };
};

/** Adds codes to the discount in calls of at most 250, waiting for each bulk creation. */
async function addCodes(o: IssueCodesOptions, discountId: string, codes: string[]): Promise<Result<void, DiscountError>> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let i = 0; i < codes.length; i += SHOPIFY_BULK_CODE_LIMIT) {
    const chunk = codes.slice(i, i + SHOPIFY_BULK_CODE_LIMIT);
    const add = await o.client.request<{ discountRedeemCodeBulkAdd: { bulkCreation: { id: string } | null; userErrors: UserError[] } }>(
      operation("discount-redeem-code-bulk-add"), { discountId, codes: chunk.map((code) => ({ code })) });
    if (!add.ok) return err({ kind: "client", error: add.error });
    const bulk = add.value.data.discountRedeemCodeBulkAdd.bulkCreation;
    if (!bulk) return err({ kind: "user-errors", messages: add.value.data.discountRedeemCodeBulkAdd.userErrors.map((e) => e.message) });
    let status: BulkCreation | null = null;
    for (let poll = 0; ; poll++) {
      const r = await o.client.request<{ discountRedeemCodeBulkCreation: BulkCreation | null }>(
        operation("discount-redeem-code-bulk-creation"), { id: bulk.id, first: SHOPIFY_BULK_CODE_LIMIT });
      if (!r.ok) return err({ kind: "client", error: r.error });
      status = r.value.data.discountRedeemCodeBulkCreation;
      if (status?.done) break;
      if (poll >= (o.maxPolls ?? 120)) return err({ kind: "bulk-timeout", bulkCreationId: bulk.id });
      await sleep(o.pollIntervalMs ?? 500);
    }
    const created: string[] = [];
    const failed: { code: string; error: string }[] = [];
    for (const c of status!.codes.nodes) {
      if (!c.errors.length) { created.push(c.code); continue; }
      if (taken(c.errors)) {
        // Already on the platform: ours (added before a crash) or someone else's.
        const found = await lookupCode(o.client, c.code);
        if (!found.ok) return found;
        if (found.value === discountId) { created.push(c.code); continue; }
      }
      failed.push({ code: c.code, error: c.errors.map((e) => e.message).join("; ") });
    }
    await o.pool.query(
      `update discount_codes set status = 'created', platform_discount_id = $3, error = null
       where shop_id = $1 and code = any($2::text[]) and status = 'requested'`, [o.shopId, created, discountId]);
    if (failed.length) {
      await o.pool.query(
        `update discount_codes d set status = 'failed', error = x.error
         from unnest($2::text[], $3::text[]) as x(code, error)
         where d.shop_id = $1 and d.code = x.code and d.status = 'requested'`,
        [o.shopId, failed.map((f) => f.code), failed.map((f) => f.error)]);
    }
  }
  return ok(undefined);
}

/**
 * Makes sure every requested code exists on Shopify under its offer's discount. Returns each
 * code's status; only 'created' codes may be sent.
 */
export async function issueShopifyCodes(o: IssueCodesOptions): Promise<Result<Map<string, CodeStatus>, DiscountError>> {
  const shop = (await o.pool.query<{ currency: string }>(`select currency from shops where id = $1`, [o.shopId])).rows[0];
  const currency = shop?.currency ?? "USD";
  await recordCodeRequests(o.pool, o.shopId, o.offerRowId, o.requests, o.messageIds);
  // Parents per expiry day; codes grouped so each bulk call stays within one discount.
  for (const batch of batchCodeRequests(o.requests, Number.MAX_SAFE_INTEGER)) {
    const parent = await ensureParent(o, batch.requests[0], currency);
    if (!parent.ok) return parent;
    const pending = await o.pool.query<{ code: string }>(
      `select code from discount_codes where shop_id = $1 and code = any($2::text[]) and status = 'requested' and code <> $3 order by code`,
      [o.shopId, batch.requests.map((r) => r.code), parent.value.baseCode]);
    const added = await addCodes(o, parent.value.id, pending.rows.map((x) => x.code));
    if (!added.ok) return added;
  }
  const rows = await o.pool.query<{ code: string; status: CodeStatus }>(
    `select code, status::text as status from discount_codes where shop_id = $1 and code = any($2::text[])`, [o.shopId, o.requests.map((r) => r.code)]);
  return ok(new Map(rows.rows.map((r) => [r.code, r.status])));
}

/** The code to put in a send, only once the platform has it; undefined otherwise. */
export async function codeReadyToSend(pool: pg.Pool, shopId: number, idempotencyKey: string): Promise<string | undefined> {
  const r = await pool.query<{ code: string }>(
    `select code from discount_codes where shop_id = $1 and idempotency_key = $2 and status = 'created' and platform_discount_id is not null`,
    [shopId, idempotencyKey]);
  return r.rows[0]?.code;
}

/**
 * Deletes the shop's expired Shopify discounts in batches of at most 250 (each takes all its
 * codes along) and marks their unused codes expired. Used codes stay used.
 */
export async function deleteExpiredShopifyDiscounts(client: AdminGraphql, pool: pg.Pool, shopId: number, now: Date, batchSize = 250): Promise<Result<{ discounts: number; codes: number }, DiscountError>> {
  let discounts = 0;
  let codes = 0;
  for (;;) {
    const due = await pool.query<{ platform_discount_id: string }>(
      `select platform_discount_id from platform_discounts
       where shop_id = $1 and platform = 'shopify' and status = 'created' and expires_at < $2 and platform_discount_id is not null
       order by expires_at limit $3`, [shopId, now, Math.min(batchSize, 250)]);
    if (!due.rowCount) break;
    const ids = due.rows.map((x) => x.platform_discount_id);
    const r = await client.request<{ discountCodeBulkDelete: { job: { id: string } | null; userErrors: UserError[] } }>(operation("discount-code-delete"), { ids });
    if (!r.ok) return err({ kind: "client", error: r.error });
    if (!r.value.data.discountCodeBulkDelete.job) return err({ kind: "user-errors", messages: r.value.data.discountCodeBulkDelete.userErrors.map((e) => e.message) });
    await pool.query(`update platform_discounts set status = 'deleted', deleted_at = $3 where shop_id = $1 and platform = 'shopify' and platform_discount_id = any($2::text[])`, [shopId, ids, now]);
    const c = await pool.query(
      `update discount_codes set status = 'expired' where shop_id = $1 and platform_discount_id = any($2::text[]) and status in ('created', 'requested')`, [shopId, ids]);
    discounts += ids.length;
    codes += c.rowCount ?? 0;
  }
  // Codes that never reached the platform expire here too.
  const stale = await pool.query(`update discount_codes set status = 'expired' where shop_id = $1 and status = 'requested' and expires_at < $2`, [shopId, now]);
  return ok({ discounts, codes: codes + (stale.rowCount ?? 0) });
}
