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

/**
 * The attribution and results settings of a shop, kept under `attribution` in shops.settings.
 * Anything missing or invalid falls back to the defaults (a bad setting must not stop the
 * nightly run); the settings form validates with this same schema.
 */
export const attributionSettingsSchema = attributionWindowsSchema.extend({
  /** Gross margin rate used where products.unit_cost is unknown (0..1). */
  marginRate: z.number().min(0).max(1).default(0.5),
  /** What a thousand messages cost on each channel, minor units of the shop's currency. */
  messageCostPerThousandMinor: z
    .object({
      email: z.number().int().min(0).max(1e7).default(100),
      sms: z.number().int().min(0).max(1e7).default(1000),
      push: z.number().int().min(0).max(1e7).default(0),
    })
    // prefault: an absent object is parsed, so its own defaults apply (zod 4).
    .prefault({}),
  /** Length of the results window the admin shows by default, in days. */
  reportWindowDays: z.number().int().min(1).max(730).default(90),
});
export type AttributionSettings = z.infer<typeof attributionSettingsSchema>;

/** Reads the attribution settings out of a shop's settings JSON; never throws. */
export function attributionSettingsFrom(shopSettings: unknown): AttributionSettings {
  const raw = shopSettings && typeof shopSettings === "object" ? (shopSettings as Record<string, unknown>).attribution : undefined;
  const parsed = attributionSettingsSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : attributionSettingsSchema.parse({});
}

/**
 * Lifecycle stages (core/scoring) that count as "recoverable" when a customer enters a
 * journey: revenue credited from them is recovered revenue. Lost customers are dormant ones
 * gone further, so they count too.
 */
export const RECOVERABLE_STAGES = ["at_risk", "dormant", "lost"] as const;
