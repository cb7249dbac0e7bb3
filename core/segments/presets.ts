// Ready-made segments merchants start from. Data only; test/core/segments checks each is
// valid and compiles. RFM group and stage names are those written by core/scoring.
import type { SegmentDefinition, SegmentNode } from "./schema";

const lastOrderOlderThan = (days: number): SegmentNode => ({
  kind: "orders",
  metric: "last_order_at",
  window: { kind: "all_time" },
  cmp: { op: "in_window", window: { kind: "older_than_days", days } },
});

const lapsed = (days: number): SegmentDefinition => ({
  key: `lapsed_${days}`,
  name: `Lapsed ${days} days`,
  description: `Bought before, but not in the last ${days} days (shop-local calendar days).`,
  tree: lastOrderOlderThan(days),
});

const rfmGroup = (key: string, name: string, group: string, description: string): SegmentDefinition => ({
  key,
  name,
  description,
  tree: { kind: "score", field: "rfm_group", cmp: { op: "eq", value: group } },
});

export const PRESET_SEGMENTS: readonly SegmentDefinition[] = [
  lapsed(60),
  lapsed(90),
  lapsed(180),
  lapsed(365),
  {
    key: "one_time_never_returned",
    name: "One-time buyers who never returned",
    description: "Exactly one order, placed more than 60 days ago.",
    tree: {
      kind: "and",
      children: [
        { kind: "orders", metric: "count", window: { kind: "all_time" }, cmp: { op: "eq", value: 1 } },
        lastOrderOlderThan(60),
      ],
    },
  },
  {
    key: "dormant_own_rhythm",
    name: "Dormant against their own rhythm",
    description: "Overdue compared with the customer's own gap between orders (scoring's dormant flag).",
    tree: { kind: "score", field: "dormant", cmp: { op: "is_true" } },
  },
  {
    key: "high_value_at_risk",
    name: "High lifetime value at risk",
    description: "Top monetary scores (4-5) who are at risk, dormant or overdue.",
    tree: {
      kind: "and",
      children: [
        { kind: "score", field: "monetary_score", cmp: { op: "gte", value: 4 } },
        {
          kind: "or",
          children: [
            { kind: "score", field: "stage", cmp: { op: "in", values: ["at_risk", "dormant"] } },
            { kind: "score", field: "dormant", cmp: { op: "is_true" } },
            { kind: "score", field: "days_overdue", cmp: { op: "gt", value: 0 } },
          ],
        },
      ],
    },
  },
  rfmGroup("rfm_at_risk", "At risk", "at_risk", "RFM group at risk: used to buy often, not lately."),
  rfmGroup("rfm_cant_lose", "Can't lose them", "cant_lose", "RFM group can't lose: big spenders who have gone quiet."),
  rfmGroup("rfm_almost_lost", "Almost lost", "almost_lost", "RFM group almost lost: low recency, slipping away."),
  {
    key: "discount_driven_lapsed",
    name: "Discount-driven lapsed customers",
    description: "Used a discount code on an order, and no order in the last 90 days.",
    tree: {
      kind: "and",
      children: [
        { kind: "discount_codes", used: true, codes: [], window: { kind: "all_time" } },
        lastOrderOlderThan(90),
      ],
    },
  },
  {
    key: "recently_won_back",
    name: "Recently won back",
    description: "Lifecycle stage won back: ordered again after being lapsed.",
    tree: { kind: "score", field: "stage", cmp: { op: "eq", value: "won_back" } },
  },
];
