// Which of a journey's goal and exit criteria a customer fact satisfies. The shell turns a
// match into a goal_reached or exit_criteria event for the enrollment.
import { assertNever } from "../result";
import type { ExitCriterion, Journey } from "./schema";

export type CustomerFact =
  | { kind: "order_placed" }
  | { kind: "unsubscribed" }
  | { kind: "stage_entered"; stage: string }
  | { kind: "event"; name: string };

export function reachesGoal(journey: Pick<Journey, "goal">, fact: CustomerFact): boolean {
  const goal = journey.goal;
  if (!goal) return false;
  switch (goal.kind) {
    case "order_placed":
      return fact.kind === "order_placed";
    case "event":
      return fact.kind === "event" && fact.name === goal.name;
    default:
      return assertNever(goal, "goal");
  }
}

export function matchingExitCriterion(journey: Pick<Journey, "exitCriteria">, fact: CustomerFact): ExitCriterion | undefined {
  return journey.exitCriteria.find((c) => {
    switch (c.kind) {
      case "unsubscribed":
        return fact.kind === "unsubscribed";
      case "entered_stage":
        return fact.kind === "stage_entered" && fact.stage === c.stage;
      case "event":
        return fact.kind === "event" && fact.name === c.name;
      default:
        return assertNever(c, "exit criterion");
    }
  });
}

/**
 * A trigger handled after facts that came later (events are not always handled in the order
 * they happened): when one of those facts reaches the journey's goal or meets an exit
 * criterion, the customer would have left at once, so they do not enter.
 */
export function overtakenByLaterFacts(journey: Pick<Journey, "goal" | "exitCriteria">, later: readonly CustomerFact[]): boolean {
  return later.some((f) => reachesGoal(journey, f) || matchingExitCriterion(journey, f) !== undefined);
}
