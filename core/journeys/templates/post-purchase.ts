// After an order: a check-in once it has likely arrived, then a review request.
import type { JourneyInput } from "../schema";

export const postPurchaseFollowUp: JourneyInput = {
  id: "tpl-post-purchase", version: 1, name: "Post-purchase follow-up",
  trigger: { kind: "order_placed" },
  entry: { reentry: true, reentryCooldown: { amount: 14, unit: "days" } },
  startNodeId: "wait-5d",
  nodes: [
    { id: "wait-5d", type: "wait", duration: { amount: 5, unit: "days" }, next: "daytime" },
    { id: "daytime", type: "wait_until_local", localTime: "11:00", weekdays: [1, 2, 3, 4, 5], next: "check-in" },
    { id: "check-in", type: "send", channel: "email", contentId: "post-purchase-check-in", purpose: "informational", next: "wait-review" },
    { id: "wait-review", type: "wait_for_event", event: "review_submitted", timeout: { amount: 7, unit: "days" }, onEvent: "thanks", onTimeout: "ask-review" },
    { id: "ask-review", type: "send", channel: "email", contentId: "post-purchase-review-request", purpose: "informational", next: "end" },
    { id: "thanks", type: "update_customer", addTags: ["reviewed"], next: "end" },
    { id: "end", type: "exit" },
  ],
  exitCriteria: [{ kind: "unsubscribed" }],
};
