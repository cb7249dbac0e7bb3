// The attribution concept: per-shop windows, the touches and orders the rules read, and the
// credits they produce. Times are UTC instants; money is integer minor units.
import { z } from "zod";

const DAY_MS = 86_400_000;

/** Per-shop attribution windows (stored in shop settings). */
export const attributionWindowsSchema = z.object({
  clickWindowMs: z.number().int().min(0).max(90 * DAY_MS).default(5 * DAY_MS),
  openWindowMs: z.number().int().min(0).max(90 * DAY_MS).default(1 * DAY_MS),
});
export type AttributionWindows = z.infer<typeof attributionWindowsSchema>;
export const DEFAULT_WINDOWS: AttributionWindows = { clickWindowMs: 5 * DAY_MS, openWindowMs: DAY_MS };

export const touchKindSchema = z.enum(["click", "open"]);
export type TouchKind = z.infer<typeof touchKindSchema>;

/** A customer engaging with one Winback message. */
export interface Touch {
  messageId: string;
  customerId: string;
  kind: TouchKind;
  at: Date;
}

/** A discount code Winback issued, and the message that carried it. */
export interface IssuedCode {
  code: string;
  messageId: string;
  customerId: string;
  issuedAt: Date;
}

export interface AttributableOrder {
  orderId: string;
  customerId: string | null;
  placedAt: Date;
  discountCodes: readonly string[];
  totalMinor: number;
  refundedMinor: number;
  cancelledAt: Date | null;
}

export type CreditBasis = "code" | "click" | "open";

export interface Credit {
  orderId: string;
  messageId: string;
  basis: CreditBasis;
  /** The touch or code issue the credit rests on. */
  evidenceAt: Date;
  /** Revenue credited after refunds; 0 once reversed. */
  creditedMinor: number;
  /** Cancelled or fully refunded orders keep their row, reversed, so reports can show the reversal. */
  status: "active" | "reversed";
}
