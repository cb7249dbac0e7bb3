// Ladder progression: the next offer for a customer, escalating only when they did not respond.
import { err, ok, type Result } from "../result";
import { withinBounds } from "./bounds";
import type { MerchantBounds, Offer, OfferLadder } from "./schema";

const DAY_MS = 86_400_000;

export interface LadderHistory {
  /** Index of the last step sent, or null if nothing was sent yet. */
  lastStep: number | null;
  lastSentAt: Date | null;
  /** True once the customer ordered (or otherwise responded) after the last step. */
  responded: boolean;
}

export type LadderDecision =
  | { kind: "send"; step: number; offer: Offer }
  | { kind: "wait"; until: Date }
  | { kind: "stop"; reason: "responded" | "ladder_exhausted" };

export function nextLadderStep(
  ladder: OfferLadder,
  catalogue: readonly Offer[],
  bounds: MerchantBounds,
  history: LadderHistory,
  now: Date,
): Result<LadderDecision> {
  if (history.responded) return ok({ kind: "stop", reason: "responded" });
  let step = 0;
  if (history.lastStep !== null) {
    if (!history.lastSentAt) return err("ladder history has a step but no send time");
    const due = history.lastSentAt.getTime() + ladder.waitDays * DAY_MS;
    if (now.getTime() < due) return ok({ kind: "wait", until: new Date(due) });
    step = history.lastStep + 1;
  }
  if (step >= ladder.steps.length) return ok({ kind: "stop", reason: "ladder_exhausted" });
  const offer = catalogue.find((o) => o.id === ladder.steps[step]);
  if (!offer) return err(`ladder ${ladder.id} names unknown offer ${ladder.steps[step]}`);
  const bounded = withinBounds(offer, bounds);
  if (!bounded.ok) return bounded;
  return ok({ kind: "send", step, offer });
}
