// One-time buyers: nudge toward the second order, the step that predicts retention most.
import type { JourneyInput } from "../schema";

export const oneTimeBuyerSecondOrder: JourneyInput = {
  id: "tpl-second-order", version: 1, name: "One-time buyer: second order", stage: "one_time",
  trigger: { kind: "segment_entered", segmentId: "one_time_buyers" },
  startNodeId: "holdout",
  nodes: [
    { id: "holdout", type: "holdout", controlPercent: 10, next: "recommend" },
    { id: "recommend", type: "send", channel: "email", contentId: "second-order-recommendations", purpose: "promotional", next: "wait-7d" },
    { id: "wait-7d", type: "wait", duration: { amount: 7, unit: "days" }, next: "engaged" },
    { id: "engaged", type: "condition", conditionId: "engaged_last_7_days", yes: "social-proof", no: "offer" },
    { id: "social-proof", type: "send", channel: "email", contentId: "second-order-reviews", purpose: "promotional", next: "end" },
    { id: "offer", type: "offer", offerId: "second-order-ladder", ladderStep: 0, next: "offer-email" },
    { id: "offer-email", type: "send", channel: "email", contentId: "second-order-offer", purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
  goal: { kind: "order_placed" },
  exitCriteria: [{ kind: "unsubscribed" }],
};
