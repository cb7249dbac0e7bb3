// High-value customers slipping away: a personal note first, then a larger offer, and the
// merchant is told so they can reach out themselves.
import type { JourneyInput } from "../schema";

export const highValueAtRisk: JourneyInput = {
  id: "tpl-high-value-at-risk", version: 1, name: "High-value at risk", stage: "at_risk",
  trigger: { kind: "segment_entered", segmentId: "high_value_at_risk" },
  entry: { reentry: true, reentryCooldown: { amount: 120, unit: "days" } },
  startNodeId: "holdout",
  nodes: [
    { id: "holdout", type: "holdout", controlPercent: 10, next: "note" },
    { id: "note", type: "send", channel: "email", contentId: "vip-personal-note", purpose: "promotional", next: "wait-opened" },
    { id: "wait-opened", type: "wait_for_event", event: "email_clicked", timeout: { amount: 3, unit: "days" }, onEvent: "tag-engaged", onTimeout: "offer" },
    { id: "tag-engaged", type: "update_customer", addTags: ["vip-reengaged"], next: "wait-2d" },
    { id: "wait-2d", type: "wait", duration: { amount: 2, unit: "days" }, next: "offer" },
    { id: "offer", type: "offer", offerId: "vip-ladder", ladderStep: 1, next: "offer-email" },
    { id: "offer-email", type: "send", channel: "email", contentId: "vip-offer", purpose: "promotional", fallbackChannel: "sms", next: "tell-merchant" },
    { id: "tell-merchant", type: "notify_merchant", message: "A high-value customer is at risk and has been sent a larger offer.", next: "wait-5d" },
    { id: "wait-5d", type: "wait", duration: { amount: 5, unit: "days" }, next: "last-chance" },
    { id: "last-chance", type: "send", channel: "email", contentId: "vip-last-chance", purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
  goal: { kind: "order_placed" },
  exitCriteria: [{ kind: "unsubscribed" }],
};
