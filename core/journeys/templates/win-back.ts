// Win-back series: we miss you; an offer if no order after 4 days; an SMS reminder for those
// who consented; last chance. An order (the goal) ends it at any point.
import type { JourneyInput } from "../schema";

export const winBackSeries: JourneyInput = {
  id: "tpl-win-back", version: 1, name: "Win-back series", stage: "dormant",
  trigger: { kind: "segment_entered", segmentId: "dormant" },
  entry: { reentry: true, reentryCooldown: { amount: 90, unit: "days" }, maxEntriesPerCustomer: 3 },
  startNodeId: "holdout",
  nodes: [
    { id: "holdout", type: "holdout", controlPercent: 10, next: "miss-you" },
    { id: "miss-you", type: "send", channel: "email", contentId: "winback-we-miss-you", purpose: "promotional", next: "wait-4d" },
    { id: "wait-4d", type: "wait", duration: { amount: 4, unit: "days" }, next: "offer" },
    { id: "offer", type: "offer", offerId: "winback-ladder", ladderStep: 0, next: "offer-email" },
    { id: "offer-email", type: "send", channel: "email", contentId: "winback-offer", purpose: "promotional", next: "wait-2d" },
    { id: "wait-2d", type: "wait", duration: { amount: 2, unit: "days" }, next: "sms-ok" },
    { id: "sms-ok", type: "condition", conditionId: "sms_consented", yes: "sms-reminder", no: "wait-3d" },
    { id: "sms-reminder", type: "send", channel: "sms", contentId: "winback-offer-reminder-sms", purpose: "promotional", whenCapped: "skip", next: "wait-3d" },
    { id: "wait-3d", type: "wait", duration: { amount: 3, unit: "days" }, next: "morning" },
    { id: "morning", type: "wait_until_local", localTime: "10:00", next: "last-chance" },
    { id: "last-chance", type: "send", channel: "email", contentId: "winback-last-chance", purpose: "promotional", next: "end" },
    { id: "end", type: "exit" },
  ],
  goal: { kind: "order_placed" },
  exitCriteria: [{ kind: "unsubscribed" }],
};
