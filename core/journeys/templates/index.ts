// Ready-made journeys the merchant can start from. Each is checked by validate() in tests.
import type { JourneyInput } from "../schema";
import { firstOrderAnniversary } from "./anniversary";
import { highValueAtRisk } from "./high-value-at-risk";
import { lifecycleEngagement } from "./lifecycle";
import { postPurchaseFollowUp } from "./post-purchase";
import { oneTimeBuyerSecondOrder } from "./second-order";
import { surveyReferral } from "./survey-referral";
import { winBackSeries } from "./win-back";

export const JOURNEY_TEMPLATES: readonly JourneyInput[] = [
  winBackSeries, highValueAtRisk, oneTimeBuyerSecondOrder, postPurchaseFollowUp, firstOrderAnniversary, lifecycleEngagement, surveyReferral,
];
