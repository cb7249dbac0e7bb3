// Ask how likely the customer is to recommend the shop (NPS 0-10); promoters (8 or more,
// the product brief's "CSAT >= 8") go to the referral path, everyone else to a follow-up.
// The condition is a segment: surveyScoreCondition("nps", 8, 30) from core/content/survey.ts,
// saved under the key below. The hour's wait lets the segment pick up the fresh answer.
import type { JourneyInput } from "../schema";

export const SURVEY_PROMOTERS_SEGMENT = "nps_promoters_30d";

export const surveyReferral: JourneyInput = {
  id: "tpl-survey-referral", version: 1, name: "Post-purchase survey: promoters to referral",
  trigger: { kind: "order_placed" },
  startNodeId: "wait-7d",
  nodes: [
    { id: "wait-7d", type: "wait", duration: { amount: 7, unit: "days" }, next: "ask" },
    { id: "ask", type: "send", channel: "email", contentId: "survey-nps", purpose: "informational", next: "answered" },
    { id: "answered", type: "wait_for_event", event: "survey_answered", timeout: { amount: 5, unit: "days" }, onEvent: "settle", onTimeout: "end" },
    { id: "settle", type: "wait", duration: { amount: 1, unit: "hours" }, next: "promoter" },
    { id: "promoter", type: "condition", conditionId: SURVEY_PROMOTERS_SEGMENT, yes: "referral-holdout", no: "follow-up" },
    // The referral ask is marketing: its lift is measured against promoters who were not asked.
    { id: "referral-holdout", type: "holdout", controlPercent: 10, next: "referral" },
    { id: "referral", type: "send", channel: "email", contentId: "referral-invite", purpose: "promotional", next: "end" },
    { id: "follow-up", type: "send", channel: "email", contentId: "survey-follow-up", purpose: "informational", next: "end" },
    { id: "end", type: "exit" },
  ],
  exitCriteria: [{ kind: "unsubscribed" }],
};
