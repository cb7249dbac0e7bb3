// A journey is data: a versioned graph with a trigger, entry rules, nodes and a goal.
// Drafts may be incomplete (missing next ids, empty content); validate() is the publish gate,
// so this schema checks shape and leaves graph rules to it.
import { z } from "zod";
import { ChannelSchema, PurposeSchema } from "../governance/schema";
import { segmentNodeSchema } from "../segments/schema";
import { WEBHOOK_CUSTOMER_FIELDS } from "./webhook-url";

const Id = z.string().min(1);
const NextId = z.string().optional();
const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected HH:MM");
/** 0 = Sunday … 6 = Saturday. */
const Weekday = z.number().int().min(0).max(6);
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD");

/** Days are exactly 24 h: "wait 4 days" means elapsed time, not local calendar days. */
export const DurationSchema = z.object({
  amount: z.number().int().nonnegative(),
  unit: z.enum(["minutes", "hours", "days"]),
});
export type Duration = z.infer<typeof DurationSchema>;

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;
export const durationMs = (d: Duration): number => d.amount * UNIT_MS[d.unit];

const Schedule = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("once"), date: IsoDate, localTime: LocalTime }),
  z.object({
    kind: z.literal("recurring"), weekdays: z.array(Weekday).min(1), localTime: LocalTime,
    startDate: IsoDate.optional(), endDate: IsoDate.optional(),
  }),
]);

export const TriggerSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("segment_entered"), segmentId: Id }),
  z.object({ kind: z.literal("segment_exited"), segmentId: Id }),
  z.object({ kind: z.literal("order_placed") }),
  z.object({ kind: z.literal("lifecycle_stage_changed"), toStage: z.string().optional(), fromStage: z.string().optional() }),
  z.object({ kind: z.literal("behaviour_event"), name: Id }),
  z.object({ kind: z.literal("custom_event"), name: Id }),
  z.object({ kind: z.literal("first_order_anniversary"), localTime: LocalTime }),
  z.object({ kind: z.literal("birthday"), localTime: LocalTime }),
  z.object({ kind: z.literal("expected_next_order_passed"), graceDays: z.number().int().nonnegative() }),
  // Each customer gets it at localTime in their own zone.
  z.object({ kind: z.literal("scheduled_campaign"), segmentId: Id, schedule: Schedule }),
]);
export type Trigger = z.infer<typeof TriggerSchema>;

export const EntryRulesSchema = z.object({
  exclusionSegmentIds: z.array(Id).default([]),
  reentry: z.boolean().default(false),
  reentryCooldown: DurationSchema.optional(),
  maxEntriesPerCustomer: z.number().int().positive().optional(),
});

const base = { id: Id, label: z.string().optional() };

export const NodeSchema = z.discriminatedUnion("type", [
  z.object({ ...base, type: z.literal("wait"), duration: DurationSchema, next: NextId }),
  z.object({ ...base, type: z.literal("wait_until_local"), localTime: LocalTime, weekdays: z.array(Weekday).default([0, 1, 2, 3, 4, 5, 6]), next: NextId }),
  z.object({ ...base, type: z.literal("wait_for_event"), event: Id, timeout: DurationSchema, onEvent: NextId, onTimeout: NextId }),
  // The condition's truth is computed by the caller and passed in ctx: `segment` is any
  // segment condition tree, evaluated for the customer when the step runs; without it,
  // conditionId names a segment (membership) or `<channel>_consented`.
  z.object({ ...base, type: z.literal("condition"), conditionId: Id, segment: segmentNodeSchema.optional(), yes: NextId, no: NextId }),
  z.object({
    ...base, type: z.literal("ab_split"),
    variants: z.array(z.object({ key: Id, weight: z.number(), next: NextId })),
  }),
  // Control customers get nothing; their assignment is recorded so lift can be measured.
  z.object({ ...base, type: z.literal("holdout"), controlPercent: z.number(), next: NextId }),
  z.object({
    ...base, type: z.literal("send"), channel: ChannelSchema, contentId: z.string(), purpose: PurposeSchema,
    fallbackChannel: ChannelSchema.optional(), whenCapped: z.enum(["wait", "skip"]).default("wait"), next: NextId,
  }),
  z.object({ ...base, type: z.literal("offer"), offerId: Id, ladderStep: z.number().int().nonnegative().optional(), next: NextId }),
  z.object({
    ...base, type: z.literal("update_customer"),
    addTags: z.array(z.string()).default([]), removeTags: z.array(z.string()).default([]),
    properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
    next: NextId,
  }),
  // POSTs ids plus exactly the customer fields chosen here (jobs/journeys/effects/webhook.ts).
  z.object({ ...base, type: z.literal("webhook"), url: z.string(), fields: z.array(z.enum(WEBHOOK_CUSTOMER_FIELDS)).default([]), next: NextId }),
  // message (and subject) are Liquid with the customer's variables; email goes to the shop's contact.
  z.object({ ...base, type: z.literal("notify_merchant"), message: z.string(), subject: z.string().optional(), email: z.boolean().default(true), next: NextId }),
  z.object({ ...base, type: z.literal("exit") }),
]);
export type JourneyNode = z.infer<typeof NodeSchema>;
export type NodeType = JourneyNode["type"];

export const GoalSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("order_placed") }),
  z.object({ kind: z.literal("event"), name: Id }),
]);

export const ExitCriterionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("unsubscribed") }),
  z.object({ kind: z.literal("entered_stage"), stage: Id }),
  z.object({ kind: z.literal("event"), name: Id }),
]);
export type ExitCriterion = z.infer<typeof ExitCriterionSchema>;

export const JourneySchema = z.object({
  id: Id,
  version: z.number().int().positive(),
  name: z.string().min(1),
  trigger: TriggerSchema,
  entry: EntryRulesSchema.prefault({}),
  startNodeId: Id,
  nodes: z.array(NodeSchema).min(1),
  goal: GoalSchema.optional(),
  exitCriteria: z.array(ExitCriterionSchema).default([]),
  /** For conflict ranking (core/governance/conflicts.ts). */
  stage: z.string().optional(),
  /** Merchant's expected value per enrolled customer (minor units), ranks it until attribution data exists. */
  priorityValue: z.number().int().nonnegative().optional(),
  /** Health alerts the merchant set (jobs/journeys/health.ts); defaults apply when absent. */
  alerts: z.object({
    /** Alert when conversion (converted / finished) falls below this share. */
    conversionTargetPercent: z.number().min(0).max(100).optional(),
    /** Finished enrollments needed before the conversion alert may fire. */
    minSample: z.number().int().positive().optional(),
  }).optional(),
  /**
   * Where the visual editor placed each node (by node id, and TRIGGER_NODE_ID for the
   * trigger). Presentation only: the interpreter and validation ignore it.
   */
  layout: z.record(z.string(), z.object({ x: z.number(), y: z.number() })).optional(),
});
export type Journey = z.infer<typeof JourneySchema>;
export type JourneyInput = z.input<typeof JourneySchema>;
