import { describe, expect, it } from "vitest";
import { availableAt, backoff, waitFor } from "../../../connectors/shopify/throttle";

describe("throttle arithmetic", () => {
  const snap = { maximumAvailable: 2000, currentlyAvailable: 100, restoreRate: 100, at: 0 };

  it.each([
    // cost, now (ms), expected wait (ms)
    [50, 0, 0],
    [100, 0, 0],
    [300, 0, 2000],
    [300, 1000, 1000],
    [5000, 0, 19000], // never more than a full bucket
  ])("cost %i at %i ms waits %i ms", (cost, now, wait) => {
    expect(waitFor(snap, cost, now)).toBe(wait);
  });

  it("restores by the plan's rate, up to the bucket size", () => {
    expect(availableAt({ ...snap, restoreRate: 1000 }, 1000)).toBe(1100);
    expect(availableAt(snap, 60_000)).toBe(2000);
  });

  it("backs off with full jitter under a cap", () => {
    expect(backoff(0, 0.999)).toBeLessThan(250);
    expect(backoff(3, 1)).toBe(2000);
    expect(backoff(20, 1)).toBe(10_000);
    expect(backoff(5, 0)).toBe(0);
  });
});
