// First-order anniversary: a thank-you with a small gift, at 10:00 the customer's time.
import type { JourneyInput } from "../schema";

export const firstOrderAnniversary: JourneyInput = {
  id: "tpl-anniversary", version: 1, name: "First-order anniversary",
  trigger: { kind: "first_order_anniversary", localTime: "10:00" },
  entry: { reentry: true, reentryCooldown: { amount: 300, unit: "days" } },
  startNodeId: "holdout",
  nodes: [
    { id: "holdout", type: "holdout", controlPercent: 10, next: "gift" },
    { id: "gift", type: "offer", offerId: "anniversary-gift", next: "thank-you" },
    { id: "thank-you", type: "send", channel: "email", contentId: "anniversary-thank-you", purpose: "promotional", fallbackChannel: "push", next: "end" },
    { id: "end", type: "exit" },
  ],
  goal: { kind: "order_placed" },
  exitCriteria: [{ kind: "unsubscribed" }],
};
