// Lifecycle journey for newly active customers, branching on engagement: openers get more
// content, non-openers a different channel, and a subject-line A/B test up front.
import type { JourneyInput } from "../schema";

export const lifecycleEngagement: JourneyInput = {
  id: "tpl-lifecycle", version: 1, name: "Lifecycle with engagement branches", stage: "new",
  trigger: { kind: "lifecycle_stage_changed", toStage: "new" },
  startNodeId: "holdout",
  nodes: [
    { id: "holdout", type: "holdout", controlPercent: 10, next: "subject-test" },
    { id: "subject-test", type: "ab_split", variants: [
      { key: "story", weight: 50, next: "welcome-story" },
      { key: "bestsellers", weight: 50, next: "welcome-bestsellers" },
    ] },
    { id: "welcome-story", type: "send", channel: "email", contentId: "lifecycle-welcome-story", purpose: "promotional", next: "opened" },
    { id: "welcome-bestsellers", type: "send", channel: "email", contentId: "lifecycle-welcome-bestsellers", purpose: "promotional", next: "opened" },
    { id: "opened", type: "wait_for_event", event: "email_opened", timeout: { amount: 3, unit: "days" }, onEvent: "engaged-tag", onTimeout: "sms-ok" },
    { id: "engaged-tag", type: "update_customer", addTags: ["engaged"], removeTags: ["unengaged"], next: "wait-4d" },
    { id: "wait-4d", type: "wait", duration: { amount: 4, unit: "days" }, next: "guide" },
    { id: "guide", type: "send", channel: "email", contentId: "lifecycle-how-to-guide", purpose: "informational", next: "end" },
    { id: "sms-ok", type: "condition", conditionId: "sms_consented", yes: "sms-hello", no: "unengaged-tag" },
    { id: "sms-hello", type: "send", channel: "sms", contentId: "lifecycle-sms-hello", purpose: "promotional", whenCapped: "skip", next: "end" },
    { id: "unengaged-tag", type: "update_customer", addTags: ["unengaged"], next: "push" },
    { id: "push", type: "send", channel: "push", contentId: "lifecycle-push-new-arrivals", purpose: "promotional", whenCapped: "skip", next: "end" },
    { id: "end", type: "exit" },
  ],
  goal: { kind: "order_placed" },
  exitCriteria: [{ kind: "unsubscribed" }, { kind: "entered_stage", stage: "at_risk" }],
};
