// Merchant bounds: the one check every chooser (bandit, ladder, manual) goes through.
import { assertNever, err, ok, type Result } from "../result";
import type { MerchantBounds, Offer } from "./schema";

export function withinBounds(offer: Offer, bounds: MerchantBounds): Result<Offer> {
  if (!bounds.allowedOfferIds.includes(offer.id)) return err(`offer ${offer.id} is not allowed by the merchant`);
  switch (offer.kind) {
    case "none":
      return ok(offer);
    case "percentage":
      return offer.percent <= bounds.maxPercent ? ok(offer) : err(`offer ${offer.id}: ${offer.percent}% exceeds ${bounds.maxPercent}%`);
    case "fixed_amount":
      return offer.amountMinor <= bounds.maxFixedAmountMinor
        ? ok(offer)
        : err(`offer ${offer.id}: ${offer.amountMinor} exceeds ${bounds.maxFixedAmountMinor}`);
    case "free_shipping":
      return bounds.allowFreeShipping ? ok(offer) : err(`offer ${offer.id}: free shipping not allowed`);
    default:
      return assertNever(offer, "offer");
  }
}

/** The offers a chooser may pick from, in catalogue order. */
export function allowedOffers(catalogue: readonly Offer[], bounds: MerchantBounds): Offer[] {
  return catalogue.filter((o) => withinBounds(o, bounds).ok);
}
