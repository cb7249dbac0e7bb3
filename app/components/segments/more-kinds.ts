// The condition kinds the builder's MoreConditions forms edit, their defaults, and the shop's
// own choices (journeys, Shopify segments). Kept apart from the forms so SegmentBuilder can read
// them at module load without an import cycle.
import { createContext } from "react";
import type { SegmentNode, Step } from "../../../core/segments/schema";

export interface BuilderChoices {
  /** The shop's own Shopify customer segments (shopify_segments), picked by name. */
  shopifySegments: { id: string; name: string }[];
  journeys: { id: string; name: string }[];
  /** The shop's behavioural clusters (score field cluster_id), described in words. */
  clusters: { id: number; description: string }[];
}

export const BuilderChoicesContext = createContext<BuilderChoices>({ shopifySegments: [], journeys: [], clusters: [] });

export const MORE_CATEGORIES = [
  { value: "event", label: "Event" },
  { value: "sequence", label: "Sequence (A then B)" },
  { value: "reordered_after_first", label: "Reordered after first order" },
  { value: "consecutive_days", label: "Consecutive days" },
  { value: "purchased", label: "Products bought" },
  { value: "discount_codes", label: "Discount codes" },
  { value: "journey", label: "Journey status" },
  { value: "shopify_segment", label: "Shopify segment" },
] as const;

export type MoreKind = (typeof MORE_CATEGORIES)[number]["value"];
export const isMoreKind = (k: string): k is MoreKind => MORE_CATEGORIES.some((c) => c.value === k);

export const step = (name = "viewed_product"): Step => ({ source: "event", name, filters: [] });

export function defaultMoreCondition(kind: MoreKind, choices: BuilderChoices): SegmentNode {
  switch (kind) {
    case "event":
      return { kind: "event", name: "viewed_product", filters: [], window: { kind: "last_days", days: 30 }, count: { op: "gte", value: 1 } };
    case "sequence":
      return { kind: "sequence", first: step(), then: { source: "order" }, within_days: 7, window: { kind: "last_days", days: 90 } };
    case "reordered_after_first":
      return { kind: "reordered_after_first", within_days: 60 };
    case "consecutive_days":
      return { kind: "consecutive_days", step: step(), days: 3, window: { kind: "last_days", days: 30 } };
    case "purchased":
      return { kind: "purchased", by: "product", values: [], bought: true, window: { kind: "all_time" } };
    case "discount_codes":
      return { kind: "discount_codes", used: true, codes: [], window: { kind: "all_time" } };
    case "journey":
      return { kind: "journey", journey_id: choices.journeys[0]?.id ?? "1", status: "in" };
    case "shopify_segment":
      return { kind: "shopify_segment", segment_id: choices.shopifySegments[0]?.id ?? "", member: true };
    default:
      return kind satisfies never;
  }
}

