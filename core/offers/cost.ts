// What an offer costs the merchant on one order: the money given away, in minor units.
import { assertNever } from "../result";
import type { Offer } from "./schema";

export interface OrderAmounts {
  /** Subtotal of the lines the offer's scope covers (the whole subtotal for scope "all"). */
  eligibleSubtotalMinor: number;
  subtotalMinor: number;
  shippingMinor: number;
}

/** Discount the order receives; 0 when the order misses the offer's minimum. */
export function discountCost(offer: Offer, order: OrderAmounts): number {
  if (offer.kind === "none") return 0;
  if (order.subtotalMinor < offer.minimumOrderMinor) return 0;
  switch (offer.kind) {
    case "percentage":
      // Shopify rounds the discount per order to the minor unit.
      return Math.round((order.eligibleSubtotalMinor * offer.percent) / 100);
    case "fixed_amount":
      return Math.min(offer.amountMinor, order.eligibleSubtotalMinor);
    case "free_shipping":
      return order.shippingMinor;
    default:
      return assertNever(offer, "offer");
  }
}
