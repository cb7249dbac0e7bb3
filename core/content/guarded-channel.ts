// Wraps a Channel with per-(provider, shop) circuit breakers. Time comes in through `now`,
// and breaker states live in the map the caller owns (a process keeps one per worker).
import { err, type Result } from "../result";
import type { Channel, SendFailure, SendReceipt } from "./channel";
import { admit, breakerKey, type BreakerConfig, type BreakerState, initialBreaker, record } from "./circuit-breaker";

export function guardChannel<M>(opts: {
  channel: Channel<M>;
  provider: string;
  shopOf: (message: M) => number;
  config: BreakerConfig;
  now: () => number;
  states: Map<string, BreakerState>;
}): Channel<M> {
  const { channel, provider, shopOf, config, now, states } = opts;
  return {
    async send(message: M, idempotencyKey: string): Promise<Result<SendReceipt, SendFailure>> {
      const key = breakerKey(provider, shopOf(message));
      const gate = admit(states.get(key) ?? initialBreaker, now(), config);
      states.set(key, gate.state);
      if (!gate.allowed) return err({ kind: "transient", code: "circuit_open", message: `${provider} circuit open for this shop` });
      let result: Result<SendReceipt, SendFailure>;
      try {
        result = await channel.send(message, idempotencyKey);
      } catch (e) {
        // A throwing provider is a bug or an outage; either way don't leave a trial hanging.
        states.set(key, record(states.get(key) ?? initialBreaker, "transient_failure", now(), config));
        throw e;
      }
      const outcome = result.ok ? "success" : result.error.kind === "transient" ? "transient_failure" : "permanent_failure";
      states.set(key, record(states.get(key) ?? initialBreaker, outcome, now(), config));
      return result;
    },
  };
}
