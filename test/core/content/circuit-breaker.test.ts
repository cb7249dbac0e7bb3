import { describe, expect, it } from "vitest";
import type { Channel } from "../../../core/content/channel";
import { admit, type BreakerState, initialBreaker, record } from "../../../core/content/circuit-breaker";
import { guardChannel } from "../../../core/content/guarded-channel";
import { err, ok } from "../../../core/result";

const cfg = { failureThreshold: 3, coolDownMs: 60_000 };

describe("circuit breaker state machine", () => {
  it("opens after N consecutive transient failures, not after interleaved successes", () => {
    let s: BreakerState = initialBreaker;
    s = record(s, "transient_failure", 0, cfg);
    s = record(s, "transient_failure", 1, cfg);
    s = record(s, "success", 2, cfg);
    s = record(s, "transient_failure", 3, cfg);
    s = record(s, "transient_failure", 4, cfg);
    expect(s.kind).toBe("closed");
    s = record(s, "transient_failure", 5, cfg);
    expect(s).toEqual({ kind: "open", openedAt: 5 });
  });

  it("permanent failures do not count against the provider", () => {
    let s: BreakerState = initialBreaker;
    for (let i = 0; i < 10; i++) s = record(s, "permanent_failure", i, cfg);
    expect(s.kind).toBe("closed");
  });

  it("stays open for the cool-down, then admits one trial", () => {
    const open: BreakerState = { kind: "open", openedAt: 1_000 };
    expect(admit(open, 1_000 + cfg.coolDownMs - 1, cfg).allowed).toBe(false);
    const trial = admit(open, 1_000 + cfg.coolDownMs, cfg);
    expect(trial).toEqual({ allowed: true, state: { kind: "half_open", trialInFlight: true } });
    expect(admit(trial.state, 1_000 + cfg.coolDownMs, cfg).allowed).toBe(false);
    expect(record(trial.state, "success", 70_000, cfg)).toEqual(initialBreaker);
    expect(record(trial.state, "transient_failure", 70_000, cfg)).toEqual({ kind: "open", openedAt: 70_000 });
  });
});

describe("guardChannel", () => {
  it("an outage opens the circuit for that shop only, and recovery closes it", async () => {
    let up = false;
    let calls = 0;
    const provider: Channel<{ shopId: number }> = {
      async send() {
        calls++;
        return up ? ok({ providerMessageId: `id${calls}` }) : err({ kind: "transient", message: "503" });
      },
    };
    let now = 0;
    const states = new Map<string, BreakerState>();
    const guarded = guardChannel({ channel: provider, provider: "smtp", shopOf: (m) => m.shopId, config: cfg, now: () => now, states });

    for (let i = 0; i < 3; i++) await guarded.send({ shopId: 1 }, `k${i}`);
    expect(calls).toBe(3);
    const blocked = await guarded.send({ shopId: 1 }, "k3");
    expect(blocked).toMatchObject({ ok: false, error: { kind: "transient", code: "circuit_open" } });
    expect(calls).toBe(3); // the provider was not called

    up = true;
    expect((await guarded.send({ shopId: 2 }, "other-shop")).ok).toBe(true);

    now = cfg.coolDownMs;
    expect((await guarded.send({ shopId: 1 }, "k4")).ok).toBe(true);
    expect(states.get("1:smtp")).toEqual(initialBreaker);
  });
});
