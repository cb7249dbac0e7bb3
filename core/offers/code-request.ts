// Discount-code requests derived only from the send: a retried send rebuilds the very same
// code and idempotency key, so the platform (and our unique key) never ends up with two codes.
import { createHash } from "node:crypto";
import { err, ok, type Result } from "../result";
import type { CodeCustomer, DiscountOffer, Offer, OfferScope } from "./schema";

const DAY_MS = 86_400_000;
/** Shopify's discountRedeemCodeBulkAdd accepts at most this many codes per call. */
export const SHOPIFY_BULK_CODE_LIMIT = 250;
// Crockford-style alphabet: no I, L, O, U, so codes survive being read aloud or retyped.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export interface CodeRequest {
  /** The code the customer types, e.g. "WB-7K3M9Q2X4T". */
  code: string;
  /** Unique per (shop, send): the key our discount_codes row and the platform call use. */
  idempotencyKey: string;
  sendIdempotencyKey: string;
  shopId: number;
  customerId: string;
  externalCustomerId?: string;
  offer: DiscountOffer;
  scope: OfferScope;
  minimumOrderMinor: number;
  issuedAt: Date;
  expiresAt: Date;
}

function encode(bytes: Buffer, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] % 32];
  return out;
}

export function codeRequestFor(
  sendIdempotencyKey: string,
  offer: Offer,
  customer: CodeCustomer,
  now: Date,
): Result<CodeRequest> {
  if (offer.kind === "none") return err("offer none needs no code");
  if (sendIdempotencyKey.length === 0) return err("send idempotency key is empty");
  // The key already identifies the send; the shop and offer are folded in so a key reused
  // across shops or offers cannot collide.
  const digest = createHash("sha256")
    .update(`${customer.shopId}\u0000${sendIdempotencyKey}\u0000${offer.id}`)
    .digest();
  return ok({
    code: `WB-${encode(digest, 10)}`,
    idempotencyKey: `code:${customer.shopId}:${digest.subarray(16).toString("hex")}`,
    sendIdempotencyKey,
    shopId: customer.shopId,
    customerId: customer.customerId,
    ...(customer.externalCustomerId ? { externalCustomerId: customer.externalCustomerId } : {}),
    offer,
    scope: offer.scope,
    minimumOrderMinor: offer.minimumOrderMinor,
    issuedAt: now,
    expiresAt: new Date(now.getTime() + offer.expiresInDays * DAY_MS),
  });
}

export interface CodeBatch {
  /** Codes in one batch share a parent discount: same shop, offer and expiry day. */
  shopId: number;
  offerId: string;
  expiresOn: string;
  requests: CodeRequest[];
}

/**
 * Groups code creations by parent discount and splits each group into calls of ≤ `limit`.
 * Duplicate idempotency keys (a retried send queued twice) are dropped, keeping the first.
 */
export function batchCodeRequests(requests: readonly CodeRequest[], limit = SHOPIFY_BULK_CODE_LIMIT): CodeBatch[] {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`batch limit must be a positive integer (got ${limit})`);
  const seen = new Set<string>();
  const groups = new Map<string, CodeRequest[]>();
  for (const r of requests) {
    if (seen.has(r.idempotencyKey)) continue;
    seen.add(r.idempotencyKey);
    const key = `${r.shopId}\u0000${r.offer.id}\u0000${r.expiresAt.toISOString().slice(0, 10)}`;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  const batches: CodeBatch[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    for (let i = 0; i < group.length; i += limit) {
      batches.push({
        shopId: first.shopId,
        offerId: first.offer.id,
        expiresOn: first.expiresAt.toISOString().slice(0, 10),
        requests: group.slice(i, i + limit),
      });
    }
  }
  return batches;
}
