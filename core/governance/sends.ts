// A prior message as the governance rules see it.
import type { Channel, Purpose } from "./schema";

export interface PriorSend {
  channel: Channel;
  at: Date;
  purpose: Purpose;
}

/** Transactional messages never use up marketing allowances. */
export const countsTowardLimits = (s: PriorSend): boolean => s.purpose !== "transactional";

/**
 * Rolling window [now - windowMs, now): a send at exactly now - windowMs has aged out.
 * Returns when the count first drops below max, or null if max is 0 (never allowed).
 */
export function rollingWindowBlock(times: readonly number[], max: number, windowMs: number, now: number): { until: number | null } | null {
  const inWindow = times.filter((t) => t > now - windowMs && t <= now).sort((a, b) => a - b);
  if (inWindow.length < max) return null;
  if (max === 0) return { until: null };
  // Dropping the oldest (n - max + 1) sends brings the count to max - 1.
  return { until: inWindow[inWindow.length - max] + windowMs };
}
