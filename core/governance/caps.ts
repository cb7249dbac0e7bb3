// Frequency caps per customer: per channel and in total, over rolling windows.
// Atomic enforcement is SQL's job (see report); this is the rule it enforces.
import type { Cap, Channel, GovernanceSettings } from "./schema";
import { countsTowardLimits, rollingWindowBlock, type PriorSend } from "./sends";

export type CapDecision =
  | { allowed: true }
  | { allowed: false; scope: "channel" | "total"; channel: Channel; cap: Cap; nextAllowedAt: Date | null };

export function checkCaps(
  priorSends: readonly PriorSend[], channel: Channel, caps: GovernanceSettings["caps"], now: Date,
): CapDecision {
  const counted = priorSends.filter(countsTowardLimits);
  const at = now.getTime();
  const channelBlock = rollingWindowBlock(
    counted.filter((s) => s.channel === channel).map((s) => s.at.getTime()), caps[channel].max, caps[channel].windowMs, at,
  );
  const totalBlock = rollingWindowBlock(counted.map((s) => s.at.getTime()), caps.total.max, caps.total.windowMs, at);
  if (!channelBlock && !totalBlock) return { allowed: true };
  // Report the block that lasts longest: that is when sending really becomes possible.
  const later = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.max(a, b));
  const until = channelBlock && totalBlock ? later(channelBlock.until, totalBlock.until) : (channelBlock ?? totalBlock)!.until;
  const scope = channelBlock && (!totalBlock || until === channelBlock.until) ? "channel" : "total";
  return {
    allowed: false, scope, channel, cap: scope === "channel" ? caps[channel] : caps.total,
    nextAllowedAt: until === null ? null : new Date(until),
  };
}
