// Words the journey pages show: statuses, resume policies, the ready-made journeys' blurbs.
import type { ResumePolicy } from "../../../jobs/journeys/pause";
import type { JourneyListStatus } from "../../models/journey-list.server";

export const STATUS_LABEL: Record<JourneyListStatus, string> = { draft: "Draft", published: "Published", paused: "Paused", archived: "Archived" };
export const STATUS_TONE: Record<JourneyListStatus, "info" | "success" | "warning" | undefined> = {
  draft: "info", published: "success", paused: "warning", archived: undefined,
};

export const POLICY_LABEL: Record<ResumePolicy, string> = {
  send_now: "Send now: carry on at once",
  skip: "Skip: drop the messages that came due during the pause and carry on",
  reschedule: "Reschedule: shift them by the length of the pause",
};

export const CHANNEL_LABEL: Record<string, string> = { email: "Email", sms: "SMS", push: "Web push" };

/** One line per ready-made journey (core/journeys/templates), keyed by template id. */
export const TEMPLATE_DESCRIPTION: Record<string, string> = {
  "tpl-win-back": "We miss you, an offer if no order after 4 days, an SMS reminder for those who consented, then a last chance. An order ends it.",
  "tpl-high-value-at-risk": "High-value customers slipping away: a personal note first, then a larger offer, and you are told so you can reach out.",
  "tpl-second-order": "One-time buyers: a nudge toward the second order, the step that predicts retention most.",
  "tpl-post-purchase": "After an order: a check-in once it has likely arrived, then a review request.",
  "tpl-anniversary": "A thank-you with a small gift on the anniversary of the first order, at 10:00 the customer's time.",
  "tpl-lifecycle": "New customers, branching on engagement: openers get more content, non-openers a different channel, with a subject-line A/B test.",
};

export const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
export const count = (n: number) => n.toLocaleString("en-US");
