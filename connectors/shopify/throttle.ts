// Shopify's cost-based throttle, as arithmetic: how long to wait before a query of a given
// cost fits in the bucket, and jittered backoff for transient failures.

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface ThrottleSnapshot extends ThrottleStatus {
  /** When the status was read (ms since epoch). */
  at: number;
}

/** Points expected at `now`, restoring since the snapshot. */
export function availableAt(s: ThrottleSnapshot, now: number): number {
  return Math.min(s.maximumAvailable, s.currentlyAvailable + ((now - s.at) / 1000) * s.restoreRate);
}

/** Milliseconds until `cost` points are available (0 if they are). */
export function waitFor(s: ThrottleSnapshot, cost: number, now: number): number {
  const need = Math.min(cost, s.maximumAvailable) - availableAt(s, now);
  return need <= 0 ? 0 : Math.ceil((need / s.restoreRate) * 1000);
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^attempt)]. */
export function backoff(attempt: number, random: number, baseMs = 250, capMs = 10_000): number {
  return Math.floor(random * Math.min(capMs, baseMs * 2 ** attempt));
}
