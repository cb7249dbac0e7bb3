// Per-shop governance settings: the one schema for caps, smart sending, quiet hours and
// journey conflicts. Defaults are the product's; merchants may tighten them.
import { z } from "zod";

export const ChannelSchema = z.enum(["email", "sms", "push"]);
export type Channel = z.infer<typeof ChannelSchema>;

export const PurposeSchema = z.enum(["promotional", "informational", "transactional"]);
export type Purpose = z.infer<typeof PurposeSchema>;

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

const CapSchema = z.object({ max: z.number().int().nonnegative(), windowMs: z.number().int().positive() });
export type Cap = z.infer<typeof CapSchema>;

const HH_MM = /^\d{2}:\d{2}$/;
const minuteOfDay = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/**
 * The shop's SMS window [start, end) in the recipient's local time: real clock times, and
 * start before end (an empty or inverted window would hold every SMS forever). Issues are
 * reported on the window itself ("quietHours.sms"); a time that is not HH:MM on its element.
 */
export const SmsWindowSchema = z.tuple([z.string().regex(HH_MM), z.string().regex(HH_MM)]).superRefine(([start, end], ctx) => {
  if (!HH_MM.test(start) || !HH_MM.test(end)) return; // the element's own issue says it
  if ([start, end].some((t) => Number(t.slice(0, 2)) > 23 || Number(t.slice(3, 5)) > 59)) {
    ctx.addIssue({ code: "custom", message: "times must be between 00:00 and 23:59" });
  } else if (minuteOfDay(start) >= minuteOfDay(end)) {
    ctx.addIssue({ code: "custom", message: "the window must start before it ends" });
  }
});

export const GovernanceSettingsSchema = z.object({
  caps: z.object({
    email: CapSchema.default({ max: 2, windowMs: WEEK }),
    sms: CapSchema.default({ max: 1, windowMs: WEEK }),
    push: CapSchema.default({ max: 3, windowMs: WEEK }),
    total: CapSchema.default({ max: 8, windowMs: WEEK }),
  }).prefault({}),
  smartSendingMs: z.object({
    email: z.number().int().nonnegative().default(16 * HOUR),
    sms: z.number().int().nonnegative().default(24 * HOUR),
    push: z.number().int().nonnegative().default(0),
  }).prefault({}),
  quietHours: z.object({
    /** Shop-wide SMS window, may only narrow the legal one. */
    sms: SmsWindowSchema.default(["08:00", "21:00"]),
    /** Also apply the vendor calling-hour charts (call laws that may reach SMS). */
    applyCallChartStates: z.boolean().default(true),
  }).prefault({}),
  conflicts: z.object({
    maxConcurrentJourneys: z.number().int().positive().default(2),
    minTimeInStageMs: z.number().int().nonnegative().default(24 * HOUR),
  }).prefault({}),
});
export type GovernanceSettings = z.infer<typeof GovernanceSettingsSchema>;

export const DEFAULT_GOVERNANCE: GovernanceSettings = GovernanceSettingsSchema.parse({});
