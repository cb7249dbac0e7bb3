// The one call the engine makes before a send: consent, conflicts, caps, smart sending,
// per-24h state limits and quiet hours, composed. Quiet hours and state limits always defer;
// caps and smart sending defer or skip as the journey's send node says.
import { checkCaps } from "./caps";
import { sendBlockedBy, type ActiveEnrollment } from "./conflicts";
import { checkConsent, type ChannelConsent } from "./consent";
import { checkQuietHours, checkStateDailyLimit, type Recipient } from "./quiet-hours";
import type { Channel, GovernanceSettings, Purpose } from "./schema";
import { countsTowardLimits, type PriorSend } from "./sends";
import { checkSmartSending } from "./smart-sending";

export type SendReason =
  | { kind: "cap"; scope: "channel" | "total"; channel: Channel; max: number; windowMs: number }
  | { kind: "cap"; scope: "jurisdiction"; region: string; max: number; windowMs: number }
  | { kind: "smart_sending"; channel: Channel }
  | { kind: "quiet_hours"; regions: string[] }
  | { kind: "consent"; channel: Channel }
  | { kind: "conflict"; blockedByJourneyId: string };

export type SendDecision =
  | { kind: "send_now" }
  | { kind: "defer_until"; at: Date; reason: SendReason }
  | { kind: "skip"; reason: SendReason }
  | { kind: "fallback"; channel: Channel; reason: SendReason };

export interface SendInput {
  channel: Channel;
  fallbackChannel?: Channel;
  purpose: Purpose;
  merchantMarkedTransactional: boolean;
  /** The send node's policy when a cap or smart sending blocks. */
  whenCapped: "wait" | "skip";
  consent: ChannelConsent;
  recipient: Recipient;
  priorSends: readonly PriorSend[];
  settings: GovernanceSettings;
  /** Present for journey sends: the enrollment and every active one of this customer. */
  enrollment?: { enrollmentId: string; active: readonly ActiveEnrollment[] };
}

type Block = { until: Date | null; reason: SendReason; policy: "always_defer" | "per_node" };

const MAX_ROUNDS = 16;

function firstBlock(input: SendInput, at: Date): Block | null {
  const { channel, settings, priorSends } = input;
  const cap = checkCaps(priorSends, channel, settings.caps, at);
  if (!cap.allowed) {
    return { until: cap.nextAllowedAt, policy: "per_node",
      reason: { kind: "cap", scope: cap.scope, channel, max: cap.cap.max, windowMs: cap.cap.windowMs } };
  }
  const smart = checkSmartSending(priorSends, channel, input.purpose, settings.smartSendingMs, at);
  if (!smart.allowed) return { until: smart.nextAllowedAt, policy: "per_node", reason: { kind: "smart_sending", channel } };
  if (channel !== "sms") return null;
  const smsTimes = priorSends.filter((s) => s.channel === "sms" && countsTowardLimits(s)).map((s) => s.at);
  const daily = checkStateDailyLimit(input.recipient, smsTimes, settings, at);
  if (!daily.allowed) {
    return { until: daily.nextAllowedAt, policy: "always_defer",
      reason: { kind: "cap", scope: "jurisdiction", region: daily.region, max: daily.max, windowMs: 24 * 3_600_000 } };
  }
  const quiet = checkQuietHours(input.recipient, settings, at);
  if (!quiet.allowed) return { until: quiet.nextAllowedAt, policy: "always_defer", reason: { kind: "quiet_hours", regions: quiet.regions } };
  return null;
}

export function decideSend(input: SendInput, now: Date): SendDecision {
  const consent = checkConsent(input);
  switch (consent.kind) {
    case "denied":
      return { kind: "skip", reason: { kind: "consent", channel: input.channel } };
    case "fallback":
      // The engine re-decides on the fallback channel (its own caps and hours apply).
      return { kind: "fallback", channel: consent.channel, reason: { kind: "consent", channel: input.channel } };
    case "allowed":
      if (consent.exempt) return { kind: "send_now" };
      break;
  }
  if (input.enrollment) {
    const blocker = sendBlockedBy(input.enrollment.enrollmentId, input.enrollment.active, input.settings.conflicts.maxConcurrentJourneys);
    if (blocker) return { kind: "skip", reason: { kind: "conflict", blockedByJourneyId: blocker } };
  }
  // Walk forward until no rule blocks; the first blocking rule is the reported reason.
  let at = now;
  let first: Block | null = null;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const block = firstBlock(input, at);
    if (!block) return first ? { kind: "defer_until", at, reason: first.reason } : { kind: "send_now" };
    first ??= block;
    if (block.policy === "per_node" && input.whenCapped === "skip") return { kind: "skip", reason: block.reason };
    if (block.until === null) return { kind: "skip", reason: block.reason };
    at = block.until;
  }
  return { kind: "skip", reason: first!.reason };
}
