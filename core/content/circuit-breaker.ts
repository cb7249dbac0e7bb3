// Circuit breaker per (provider, shop): after N consecutive transient failures stop calling
// the provider for a cool-down, then let one trial send through (half-open). Pure: the
// caller passes the time and stores the state.
import { assertNever } from "../result";

export type BreakerConfig = { failureThreshold: number; coolDownMs: number };

export type BreakerState =
  | { kind: "closed"; consecutiveFailures: number }
  | { kind: "open"; openedAt: number }
  | { kind: "half_open"; trialInFlight: boolean };

export type BreakerOutcome = "success" | "transient_failure" | "permanent_failure";

export const initialBreaker: BreakerState = { kind: "closed", consecutiveFailures: 0 };

/** May a send go out now? Returns the state to store (open turns half-open after the cool-down). */
export function admit(state: BreakerState, now: number, cfg: BreakerConfig): { allowed: boolean; state: BreakerState } {
  switch (state.kind) {
    case "closed":
      return { allowed: true, state };
    case "open":
      if (now - state.openedAt < cfg.coolDownMs) return { allowed: false, state };
      return { allowed: true, state: { kind: "half_open", trialInFlight: true } };
    case "half_open":
      // One trial at a time; the rest wait for its outcome.
      if (state.trialInFlight) return { allowed: false, state };
      return { allowed: true, state: { kind: "half_open", trialInFlight: true } };
    default:
      return assertNever(state, "breaker state");
  }
}

export function record(state: BreakerState, outcome: BreakerOutcome, now: number, cfg: BreakerConfig): BreakerState {
  // A permanent failure (bad address, opted-out number) says nothing about provider health.
  const healthy = outcome !== "transient_failure";
  switch (state.kind) {
    case "closed": {
      if (healthy) return initialBreaker;
      const failures = state.consecutiveFailures + 1;
      return failures >= cfg.failureThreshold ? { kind: "open", openedAt: now } : { kind: "closed", consecutiveFailures: failures };
    }
    case "half_open":
      return healthy ? initialBreaker : { kind: "open", openedAt: now };
    case "open":
      // Late result of a send admitted before the circuit opened: keep waiting.
      return state;
    default:
      return assertNever(state, "breaker state");
  }
}

export const breakerKey = (provider: string, shopId: number) => `${shopId}:${provider}`;
