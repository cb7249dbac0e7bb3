// Smart sending: no second promotional message on a channel within its window.
import type { Channel, GovernanceSettings, Purpose } from "./schema";
import type { PriorSend } from "./sends";

export type SmartSendingDecision = { allowed: true } | { allowed: false; channel: Channel; nextAllowedAt: Date };

export function checkSmartSending(
  priorSends: readonly PriorSend[], channel: Channel, purpose: Purpose,
  windows: GovernanceSettings["smartSendingMs"], now: Date,
): SmartSendingDecision {
  const windowMs = windows[channel];
  if (purpose !== "promotional" || windowMs === 0) return { allowed: true };
  const at = now.getTime();
  const last = priorSends
    .filter((s) => s.channel === channel && s.purpose === "promotional" && s.at.getTime() <= at)
    .reduce((max, s) => Math.max(max, s.at.getTime()), -Infinity);
  // Same edge as caps: a send exactly windowMs ago no longer blocks.
  if (last > at - windowMs) return { allowed: false, channel, nextAllowedAt: new Date(last + windowMs) };
  return { allowed: true };
}
