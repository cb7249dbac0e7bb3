// The segment definition: a typed tree of AND / OR / NOT groups over leaf conditions.
// This one schema is shared by the API, validation (validate.ts) and the builder UI.
// Shape lives here; meaning (operator fits the field, windows make sense, no reference
// cycles, depth limit) is checked in validate.ts against the catalogues below.
import { z } from "zod";
import { RFM_GROUPS } from "../scoring/rfm";
import { lifecycleStageSchema } from "../scoring/schema";

// NUL cannot be stored in PostgreSQL text; reject it here rather than fail in the query.
const noNul = /^[^\u0000]*$/;
const text = z.string().min(1).max(500).regex(noNul, "must not contain NUL");
const textList = z.array(text).min(1).max(1000);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD");
const anyDays = z.number().int().max(36_500);
const days = anyDays.min(0);
const positiveDays = anyDays.min(1);
/** Numeric ids of our own rows (segments, journeys) travel as strings: they are bigints. */
const rowId = z.string().regex(/^\d{1,18}$/, "expected a numeric id");

export const CONSENT_STATES = ["subscribed", "unsubscribed", "pending", "not_subscribed", "unknown"] as const;
export const CHANNELS = ["email", "sms", "push", "whatsapp"] as const;

/** Engagement actions and the event names the messaging shell records them under. */
export const ENGAGEMENT_EVENT_NAMES = {
  received: "message_sent",
  opened: "message_opened",
  clicked: "message_clicked",
  unsubscribed: "message_unsubscribed",
} as const;

/**
 * A time window over calendar days in the shop's time zone, evaluated at evaluation time.
 * Relative forms count days back from the shop-local "today" (offset 0):
 * - last_days N: today and the N-1 days before it (offsets 0..N-1);
 * - between_days_ago min..max: offsets min..max inclusive ("between 30 and 60 days ago");
 * - older_than_days N: offsets >= N, exactly the complement of last_days N;
 * - next_days N: today and the N-1 days after it (for forecasts such as expected next order);
 * - absolute: shop-local calendar dates, both ends inclusive, either may be open.
 */
export const timeWindowSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all_time") }),
  z.object({ kind: z.literal("last_days"), days: positiveDays }),
  z.object({ kind: z.literal("between_days_ago"), min: days, max: days }),
  z.object({ kind: z.literal("older_than_days"), days: positiveDays }),
  z.object({ kind: z.literal("next_days"), days: positiveDays }),
  z.object({ kind: z.literal("absolute"), from: isoDate.optional(), to: isoDate.optional() }),
]);
export type TimeWindow = z.infer<typeof timeWindowSchema>;

/** A comparison against a value; which operators fit which field type is in OPERATORS_BY_TYPE. */
export const comparisonSchema = z.discriminatedUnion("op", [
  z.object({ op: z.enum(["eq", "neq"]), value: z.union([z.string().max(500).regex(noNul, "must not contain NUL"), z.number().finite()]) }),
  z.object({ op: z.enum(["gt", "gte", "lt", "lte"]), value: z.number().finite() }),
  z.object({ op: z.literal("between"), min: z.number().finite(), max: z.number().finite() }),
  z.object({ op: z.enum(["in", "not_in"]), values: z.array(z.union([text, z.number().finite()])).min(1).max(1000) }),
  z.object({ op: z.enum(["contains", "not_contains", "starts_with", "ends_with"]), value: text }),
  z.object({ op: z.enum(["has_any", "has_all", "has_none"]), values: textList }),
  z.object({ op: z.enum(["is_set", "is_not_set", "is_true", "is_false"]) }),
  z.object({ op: z.enum(["in_window", "not_in_window"]), window: timeWindowSchema }),
]);
export type Comparison = z.infer<typeof comparisonSchema>;
export type Operator = Comparison["op"];

export type FieldType = "text" | "list" | "number" | "date" | "boolean" | "consent";

export const OPERATORS_BY_TYPE: Record<FieldType, readonly Operator[]> = {
  text: ["eq", "neq", "in", "not_in", "contains", "not_contains", "starts_with", "ends_with", "is_set", "is_not_set"],
  list: ["has_any", "has_all", "has_none", "is_set", "is_not_set"],
  number: ["eq", "neq", "gt", "gte", "lt", "lte", "between", "in", "not_in", "is_set", "is_not_set"],
  date: ["in_window", "not_in_window", "is_set", "is_not_set"],
  boolean: ["is_true", "is_false"],
  consent: ["in", "not_in"],
};

/** Customer attributes and their types (customers table). */
export const CUSTOMER_FIELDS = {
  email: "text",
  email_domain: "text",
  country: "text",
  province: "text",
  tags: "list",
  locale: "text",
  language: "text",
  timezone: "text",
  created_at: "date",
  email_consent: "consent",
  sms_consent: "consent",
} as const satisfies Record<string, FieldType>;
export type CustomerField = keyof typeof CUSTOMER_FIELDS;

/** Scores written by core/scoring (customer_scores table). */
export const SCORE_FIELDS = {
  recency_score: "number",
  frequency_score: "number",
  monetary_score: "number",
  rfm_group: "text",
  dormant: "boolean",
  days_overdue: "number",
  stage: "text",
  p_alive: "number",
  expected_next_order_at: "date",
  clv: "number",
  cluster_id: "number",
} as const satisfies Record<string, FieldType>;
export type ScoreField = keyof typeof SCORE_FIELDS;

/**
 * Score fields whose values are names core/scoring writes: comparing with anything else
 * ("At risk", "atrisk") would silently match nobody, so validation names the known values.
 */
export const SCORE_VALUES: Partial<Record<ScoreField, readonly string[]>> = {
  stage: lifecycleStageSchema.options,
  rfm_group: RFM_GROUPS,
};

/** Aggregates over a customer's non-cancelled orders in a window. Money in minor units. */
export const ORDER_METRICS = {
  count: "number",
  total_spent: "number",
  average_spent: "number",
  first_order_at: "date",
  last_order_at: "date",
} as const satisfies Record<string, FieldType>;
export type OrderMetric = keyof typeof ORDER_METRICS;

const fieldName = z.string().min(1).max(64);

/** Filter on one event property; `property` is a dot path into properties jsonb. */
export const propertyFilterSchema = z.object({
  property: z.string().min(1).max(200).regex(noNul, "must not contain NUL"),
  cmp: comparisonSchema,
});
export type PropertyFilter = z.infer<typeof propertyFilterSchema>;

/** One step of a sequence: a behaviour event (with property filters) or any order. */
export const stepSchema = z.discriminatedUnion("source", [
  z.object({ source: z.literal("event"), name: text, filters: z.array(propertyFilterSchema).max(20).default([]) }),
  z.object({ source: z.literal("order") }),
]);
export type Step = z.infer<typeof stepSchema>;

const allTime = { kind: "all_time" } as const;
const windowField = timeWindowSchema.default(allTime);

export const conditionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("customer"), field: fieldName, cmp: comparisonSchema }),
  z.object({ kind: z.literal("orders"), metric: fieldName, window: windowField, cmp: comparisonSchema }),
  /** Orders using a discount code in the window; `codes` empty means any code. */
  z.object({
    kind: z.literal("discount_codes"),
    used: z.boolean(),
    codes: z.array(text).max(1000).default([]),
    window: windowField,
  }),
  /** Bought (or never bought) any of the given products / variants / collections / vendors. */
  z.object({
    kind: z.literal("purchased"),
    by: z.enum(["product", "variant", "collection", "vendor"]),
    values: textList,
    bought: z.boolean(),
    window: windowField,
  }),
  z.object({ kind: z.literal("score"), field: fieldName, cmp: comparisonSchema }),
  /** Count of messaging events of one action (optionally one channel) in a window. */
  z.object({
    kind: z.literal("engagement"),
    action: z.enum(["received", "opened", "clicked", "unsubscribed"] as const satisfies readonly (keyof typeof ENGAGEMENT_EVENT_NAMES)[]),
    channel: z.enum(CHANNELS).optional(),
    window: windowField,
    count: comparisonSchema.default({ op: "gte", value: 1 }),
  }),
  /** Count of one named behaviour event, with property filters, in a window. */
  z.object({
    kind: z.literal("event"),
    name: text,
    filters: z.array(propertyFilterSchema).max(20).default([]),
    window: windowField,
    count: comparisonSchema.default({ op: "gte", value: 1 }),
  }),
  /** `first` happened in the window and `then` followed within `within_days` (shop-local days). */
  z.object({
    kind: z.literal("sequence"),
    first: stepSchema,
    then: stepSchema,
    within_days: positiveDays,
    window: windowField,
  }),
  /** Ordered again within N days of the customer's first order. */
  z.object({ kind: z.literal("reordered_after_first"), within_days: positiveDays }),
  /** The event happened on N consecutive shop-local calendar days inside the window. */
  z.object({
    kind: z.literal("consecutive_days"),
    step: stepSchema,
    days: z.number().int().min(2).max(366),
    window: windowField,
  }),
  z.object({ kind: z.literal("in_segment"), segment_id: rowId, member: z.boolean().default(true) }),
  z.object({ kind: z.literal("shopify_segment"), segment_id: text, member: z.boolean().default(true) }),
  /** in: enrolled, active or waiting; completed: finished the journey (converted or not); converted: finished by ordering. */
  z.object({ kind: z.literal("journey"), journey_id: rowId, status: z.enum(["in", "completed", "converted"]) }),
]);
export type Condition = z.infer<typeof conditionSchema>;
export type ConditionKind = Condition["kind"];

export type GroupNode = { kind: "and" | "or"; children: SegmentNode[] };
export type NotNode = { kind: "not"; child: SegmentNode };
export type SegmentNode = GroupNode | NotNode | Condition;

export const segmentNodeSchema: z.ZodType<SegmentNode, unknown> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.enum(["and", "or"]), children: z.array(segmentNodeSchema).min(1).max(100) }),
    z.object({ kind: z.literal("not"), child: segmentNodeSchema }),
    conditionSchema,
  ]),
) as z.ZodType<SegmentNode, unknown>;

/** A stored segment: what ready-made segments and the API exchange. */
export const segmentDefinitionSchema = z.object({
  key: z.string().regex(/^[a-z0-9_]{1,64}$/),
  name: z.string().min(1).max(200),
  description: z.string().max(1000),
  tree: segmentNodeSchema,
});
export type SegmentDefinition = z.infer<typeof segmentDefinitionSchema>;

export function isGroup(n: SegmentNode): n is GroupNode {
  return n.kind === "and" || n.kind === "or";
}
