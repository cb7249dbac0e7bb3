// Lifecycle stage: (previous state, current facts, today, settings) -> stage, changed?, since.
import { assertNever } from "../result";
import type { LifecycleStage, ScoringSettings, StageState } from "./schema";

export interface StageFacts {
  orderCount: number;
  lastOrderDay: number;
  expectedGapDays: number;
}

export type StageSettings = Pick<
  ScoringSettings,
  "atRiskK" | "dormancyK" | "lostK" | "minStageHoldDays" | "newCustomerDays" | "loyalOrderCount" | "wonBackDays"
>;

export interface StageDecision {
  state: StageState;
  changed: boolean;
  /** Set when the stage changed: the event to record. */
  event: { from: LifecycleStage | null; to: LifecycleStage; atDay: number } | null;
}

/** The stage the facts alone point to, before memory (won back) and hysteresis. */
export function rawStage(facts: StageFacts, today: number, s: StageSettings): LifecycleStage {
  const daysSince = today - facts.lastOrderDay;
  const ratio = daysSince / facts.expectedGapDays;
  if (ratio > s.lostK) return "lost";
  if (ratio > s.dormancyK) return "dormant";
  if (ratio > s.atRiskK) return "at_risk";
  // A one-time buyer is "new" while recent; later, still within the shop's rhythm, "active".
  if (facts.orderCount <= 1) return daysSince <= s.newCustomerDays ? "new" : "active";
  return facts.orderCount >= s.loyalOrderCount ? "loyal" : "active";
}

function isLapsed(stage: LifecycleStage): boolean {
  switch (stage) {
    case "dormant":
    case "lost":
      return true;
    case "new":
    case "active":
    case "loyal":
    case "at_risk":
    case "won_back":
      return false;
    default:
      return assertNever(stage, "stage");
  }
}

/**
 * A change is held back until the current stage is at least minStageHoldDays old, so a
 * customer hovering at a threshold (or a refit nudging their gap) does not flap. A dormant or
 * lost customer ordering again is a fact, not noise: that becomes "won_back" at once, and
 * stays so for wonBackDays unless they lapse again.
 */
export function nextStage(previous: StageState | null, facts: StageFacts, today: number, s: StageSettings): StageDecision {
  const raw = rawStage(facts, today, s);
  if (previous === null) {
    const state = { stage: raw, sinceDay: today, lastOrderDay: facts.lastOrderDay };
    return { state, changed: true, event: { from: null, to: raw, atDay: today } };
  }
  const orderedAgain = facts.lastOrderDay > previous.lastOrderDay;
  let candidate: LifecycleStage = raw;
  let bypassHold = false;
  if (orderedAgain && isLapsed(previous.stage)) {
    candidate = "won_back";
    bypassHold = true;
  } else if (previous.stage === "won_back" && !isLapsed(raw) && raw !== "at_risk" && today - previous.sinceDay <= s.wonBackDays) {
    candidate = "won_back";
  }
  const held = today - previous.sinceDay < s.minStageHoldDays;
  if (candidate === previous.stage || (held && !bypassHold)) {
    return { state: { ...previous, lastOrderDay: facts.lastOrderDay }, changed: false, event: null };
  }
  return {
    state: { stage: candidate, sinceDay: today, lastOrderDay: facts.lastOrderDay },
    changed: true,
    event: { from: previous.stage, to: candidate, atDay: today },
  };
}
