// A shop's offer settings, kept under `offers` in shops.settings: the merchant's bounds, the
// offer sets a journey's offer node may name ("let Winback choose" among them), the ladders,
// and the margins used where a product's cost is unknown. The Offers page form and its action
// validate with this same schema.
import { z } from "zod";
import { merchantBoundsSchema, offerLadderSchema } from "./schema";

const setId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "expected a short lowercase id");
const rate = z.number().min(0).max(1);

/** The offer node's id that means "the bandit picks among every allowed offer". */
export const AUTO_OFFER = "auto";
/** The arm that sends the message without any incentive. */
export const NO_OFFER_ID = "none";

export const offerSettingsSchema = z.object({
  bounds: merchantBoundsSchema.prefault({ allowedOfferIds: [NO_OFFER_ID] }),
  /** Named sets of offer ids; an offer node naming a set lets the bandit choose within it. */
  sets: z.record(setId, z.array(setId).min(1).max(50)).default({}),
  ladders: z.array(offerLadderSchema).max(50).default([]),
  /** Gross margin rate per collection (by collection name or id as imported), where costs are unknown. */
  collectionMargins: z.record(z.string().min(1).max(200), rate).default({}),
});
export type OfferSettings = z.infer<typeof offerSettingsSchema>;

/** Settings from shops.settings; anything invalid falls back to the defaults (never blocks a send). */
export function offerSettingsFrom(settings: unknown): OfferSettings {
  const raw = (settings as { offers?: unknown } | null)?.offers ?? {};
  const parsed = offerSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : offerSettingsSchema.parse({});
}

/** A product cost the merchant types in: the store's product id and its unit cost in minor units. */
export const productCostSchema = z.object({
  productId: z.string().trim().min(1, "product id is required").max(200),
  unitCostMinor: z.number().int("cost must be a whole number of cents").min(0, "cost cannot be negative").max(1e10),
});
export type ProductCost = z.infer<typeof productCostSchema>;
