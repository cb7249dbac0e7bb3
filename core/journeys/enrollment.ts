// Enrollment state, the events that move it and the effects the shell must carry out.
// State is plain JSON (ISO strings) so the shell can store it as-is.
import type { Channel, Purpose } from "../governance/schema";
import type { ExitCriterion, Journey } from "./schema";

export type EnrollmentStatus = "active" | "waiting" | "completed" | "converted" | "exited";
export type TerminalStatus = "completed" | "converted" | "exited";

export type ExitReason =
  | { kind: "completed" }
  | { kind: "goal" }
  | { kind: "exit_criteria"; criterion: ExitCriterion }
  | { kind: "holdout_control" };

export interface EnrollmentState {
  enrollmentId: string;
  customerId: string;
  journeyId: string;
  journeyVersion: number;
  status: EnrollmentStatus;
  currentNodeId: string | null;
  /** How many times each node has been entered; the visit number goes into idempotency keys. */
  visits: Record<string, number>;
  /** ISO instant the pending timer is due; a timer for any other instant is stale. */
  wakeAt: string | null;
  waitingForEvent: string | null;
  /** ab_split node -> variant key; holdout node -> "control" | "treatment". */
  assignments: Record<string, string>;
  exitReason: ExitReason | null;
}

export function newEnrollment(ids: { enrollmentId: string; customerId: string }, journey: Journey): EnrollmentState {
  return {
    ...ids, journeyId: journey.id, journeyVersion: journey.version, status: "active", currentNodeId: null,
    visits: {}, wakeAt: null, waitingForEvent: null, assignments: {}, exitReason: null,
  };
}

export type JourneyEvent =
  | { kind: "entered" }
  | { kind: "timer_fired"; dueAt: Date }
  | { kind: "customer_event"; name: string; occurredAt: Date; props?: Record<string, unknown> }
  | { kind: "goal_reached" }
  | { kind: "exit_criteria"; criterion: ExitCriterion };

export interface StepContext {
  journey: Journey;
  /** The customer's resolved IANA zone (core/governance/timezone.ts). */
  timeZone: string;
  /** Truth of each condition the journey references, computed by the caller. */
  conditions: Record<string, boolean>;
}

export type Effect =
  | { kind: "schedule_wakeup"; nodeId: string; visit: number; at: Date }
  | {
    kind: "send"; idempotencyKey: string; nodeId: string; channel: Channel; contentId: string; purpose: Purpose;
    fallbackChannel?: Channel; whenCapped: "wait" | "skip";
  }
  | { kind: "request_offer_code"; idempotencyKey: string; nodeId: string; offerId: string; ladderStep?: number }
  | {
    kind: "update_customer"; idempotencyKey: string; nodeId: string; addTags: string[]; removeTags: string[];
    properties: Record<string, string | number | boolean | null>;
  }
  | { kind: "call_webhook"; idempotencyKey: string; nodeId: string; url: string; fields: string[] }
  | { kind: "notify_merchant"; idempotencyKey: string; nodeId: string; message: string; subject?: string; email: boolean }
  /** One step-log row per (enrollment, node, visit): upserted on "entered", closed on "completed". */
  | { kind: "record_step"; nodeId: string; visit: number; phase: "entered" | "completed"; outcome: string | null; at: Date }
  | { kind: "record_assignment"; nodeId: string; assignment: "ab_split" | "holdout"; value: string }
  | { kind: "exit"; status: TerminalStatus; reason: ExitReason };

export type InterpretError =
  | { kind: "journey_mismatch"; expected: string; got: string }
  | { kind: "unknown_node"; nodeId: string }
  | { kind: "missing_condition"; nodeId: string; conditionId: string }
  | { kind: "no_local_time"; nodeId: string }
  | { kind: "step_limit"; nodeId: string };

export interface Step {
  state: EnrollmentState;
  effects: Effect[];
}
