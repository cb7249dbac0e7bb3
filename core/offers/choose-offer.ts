// What a journey's offer node gives one customer, and why. The node names either a fixed offer,
// an offer set (or "auto": every allowed offer) for the segment's bandit to choose from, or a
// ladder with the rung to give. Bounds are checked on every path: nothing outside them is ever
// chosen. Pure: state, history and randomness come in.
import type { Rng } from "../random/prng";
import { err, ok, type Result } from "../result";
import { chooseOffer, type BanditConfig, type ArmDraw } from "./bandit";
import { withinBounds } from "./bounds";
import type { BanditState, MerchantBounds, Offer } from "./schema";
import { AUTO_OFFER, NO_OFFER_ID, type OfferSettings } from "./settings";

export interface OfferNodeRef {
  offerId: string;
  ladderStep?: number;
}

export interface LadderPrevious {
  /** The rung given earlier in this enrollment (by an earlier offer node of the same ladder). */
  step: number;
  chosenAt: Date;
  /** The customer ordered, or used that rung's code, since it was given. */
  responded: boolean;
}

export type ChoiceReason =
  | { kind: "fixed"; offerId: string }
  | { kind: "bandit"; setId: string; draws: ArmDraw[]; excluded: { offerId: string; why: string }[] }
  | { kind: "ladder"; ladderId: string; step: number; previous: { step: number; chosenAt: string } | null }
  | { kind: "ladder_responded"; ladderId: string; previousStep: number }
  | { kind: "out_of_bounds"; offerId: string; why: string };

export interface OfferChoiceDecision {
  method: "fixed" | "bandit" | "ladder";
  /** null: nothing is offered (the "none" arm, a responded ladder, or a blocked offer). */
  offer: Offer | null;
  ladderStep?: number;
  reason: ChoiceReason;
}

export interface ChooseInput {
  node: OfferNodeRef;
  catalogue: readonly Offer[];
  settings: OfferSettings;
  bandit: BanditState;
  config: BanditConfig;
  /** The latest rung of the node's ladder already given in this enrollment, if any. */
  ladderPrevious: LadderPrevious | null;
  rng: Rng;
}

const NONE: Offer = { kind: "none", id: NO_OFFER_ID };

/** The bounds with the "none" arm always allowed: sending without an incentive never breaks a limit. */
function boundsWithNone(b: MerchantBounds): MerchantBounds {
  return b.allowedOfferIds.includes(NO_OFFER_ID) ? b : { ...b, allowedOfferIds: [...b.allowedOfferIds, NO_OFFER_ID] };
}

const orNull = (o: Offer): Offer | null => (o.kind === "none" ? null : o);

export function chooseOfferForNode(input: ChooseInput): Result<OfferChoiceDecision> {
  const { node, catalogue, settings } = input;
  const bounds = boundsWithNone(settings.bounds);
  const byId = new Map(catalogue.map((o) => [o.id, o]));
  if (!byId.has(NO_OFFER_ID)) byId.set(NO_OFFER_ID, NONE);

  const ladder = settings.ladders.find((l) => l.id === node.offerId);
  if (ladder) {
    const step = node.ladderStep ?? (input.ladderPrevious ? input.ladderPrevious.step + 1 : 0);
    if (step >= ladder.steps.length) return err(`ladder ${ladder.id} has no rung ${step} (it has ${ladder.steps.length})`);
    const prev = input.ladderPrevious;
    // Escalate only for customers who did not respond to the rung before.
    if (prev && prev.responded) {
      return ok({ method: "ladder", offer: null, reason: { kind: "ladder_responded", ladderId: ladder.id, previousStep: prev.step } });
    }
    const offer = byId.get(ladder.steps[step]);
    if (!offer) return err(`ladder ${ladder.id} names unknown offer ${ladder.steps[step]}`);
    const bounded = withinBounds(offer, bounds);
    if (!bounded.ok) return ok({ method: "ladder", offer: null, ladderStep: step, reason: { kind: "out_of_bounds", offerId: offer.id, why: bounded.error } });
    return ok({
      method: "ladder", offer: orNull(offer), ladderStep: step,
      reason: { kind: "ladder", ladderId: ladder.id, step, previous: prev ? { step: prev.step, chosenAt: prev.chosenAt.toISOString() } : null },
    });
  }

  const set = node.offerId === AUTO_OFFER ? [...byId.keys()] : settings.sets[node.offerId];
  if (set) {
    const arms = [...new Set([...set, NO_OFFER_ID])].map((id) => byId.get(id)).filter((o): o is Offer => !!o);
    const chosen = chooseOffer(input.bandit, arms, bounds, input.config, input.rng);
    if (!chosen.ok) return chosen;
    return ok({ method: "bandit", offer: orNull(chosen.value.offer), reason: { kind: "bandit", setId: node.offerId, ...chosen.value.reason } });
  }

  const offer = byId.get(node.offerId);
  if (!offer) return err(`offer node names ${node.offerId}, which is no offer, offer set or ladder of this shop`);
  const bounded = withinBounds(offer, bounds);
  if (!bounded.ok) return ok({ method: "fixed", offer: null, reason: { kind: "out_of_bounds", offerId: offer.id, why: bounded.error } });
  return ok({ method: "fixed", offer: orNull(offer), reason: { kind: "fixed", offerId: offer.id } });
}
