// The offer concept: what a win-back message may carry, the ladders that escalate it, and the
// merchant's bounds. Money is integer minor units in the shop's currency.
import { z } from "zod";

const minor = z.number().int().min(0).max(1e12);
const offerId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "expected a short lowercase id");
const externalIds = z.array(z.string().min(1).max(200)).min(1).max(100);

export const offerScopeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("products"), productIds: externalIds }),
  z.object({ kind: z.literal("collections"), collectionIds: externalIds }),
]);
export type OfferScope = z.infer<typeof offerScopeSchema>;

const discountTerms = {
  id: offerId,
  /** Smallest order subtotal the code applies to; 0 for none. */
  minimumOrderMinor: minor.default(0),
  /** Days from issue until the code stops working. */
  expiresInDays: z.number().int().min(1).max(365).default(14),
  scope: offerScopeSchema.default({ kind: "all" }),
};

export const offerSchema = z.discriminatedUnion("kind", [
  // A message with no incentive: a real arm, since many dormant customers need only a nudge.
  z.object({ kind: z.literal("none"), id: offerId }),
  z.object({ kind: z.literal("percentage"), percent: z.number().int().min(1).max(100), ...discountTerms }),
  z.object({ kind: z.literal("fixed_amount"), amountMinor: minor.min(1), ...discountTerms }),
  z.object({ kind: z.literal("free_shipping"), ...discountTerms }),
]);
export type Offer = z.infer<typeof offerSchema>;
export type OfferKind = Offer["kind"];
export type DiscountOffer = Exclude<Offer, { kind: "none" }>;

/**
 * The merchant's hard limits. An offer outside them is never chosen, whatever the bandit
 * or a ladder would like.
 */
export const merchantBoundsSchema = z.object({
  /** Offer ids the merchant allows (may include the "none" offer). */
  allowedOfferIds: z.array(offerId).min(1).max(50),
  maxPercent: z.number().int().min(0).max(100).default(100),
  maxFixedAmountMinor: minor.default(1e12),
  allowFreeShipping: z.boolean().default(true),
});
export type MerchantBounds = z.infer<typeof merchantBoundsSchema>;

/**
 * A ladder escalates step by step (e.g. 10% → 15% → 20%), moving up only for customers who
 * did not respond to the previous step within `waitDays`.
 */
export const offerLadderSchema = z
  .object({
    id: offerId,
    steps: z.array(offerId).min(1).max(10),
    waitDays: z.number().int().min(1).max(90).default(7),
  })
  .refine((l) => new Set(l.steps).size === l.steps.length, { message: "ladder steps must be distinct" });
export type OfferLadder = z.infer<typeof offerLadderSchema>;

/** Who a code is for: Shopify codes are restricted to the one customer they were sent to. */
export const codeCustomerSchema = z.object({
  shopId: z.number().int().positive(),
  customerId: z.string().regex(/^\d{1,18}$/),
  externalCustomerId: z.string().min(1).max(200).optional(),
});
export type CodeCustomer = z.infer<typeof codeCustomerSchema>;

/**
 * What the bandit has learnt about one offer in one segment. Net margin per converted order
 * (order margin − discount) is kept as a running mean and sum of squared deviations (Welford),
 * which is all the Normal-Gamma posterior needs and stays stable over many orders.
 */
export const armStatsSchema = z.object({
  sends: z.number().int().min(0),
  conversions: z.number().int().min(0),
  netMarginMean: z.number().finite(),
  netMarginM2: z.number().finite().min(0),
});
export type ArmStats = z.infer<typeof armStatsSchema>;

/** One segment's bandit: stats per offer id. Stored as JSON beside the segment. */
export const banditStateSchema = z.object({
  arms: z.record(offerId, armStatsSchema),
});
export type BanditState = z.infer<typeof banditStateSchema>;
