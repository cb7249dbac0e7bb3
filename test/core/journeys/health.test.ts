// Health alert decisions, table-driven: sudden drop-off against the node's own baseline,
// channel failure rate, conversion below the merchant's target.
import { describe, expect, it } from "vitest";
import { channelFailureAlerts, conversionAlert, DEFAULT_HEALTH, dropOffAlerts } from "../../../core/journeys/health";

const J = { id: "7", name: "Win-back" };

describe("dropOffAlerts", () => {
  const table: [string, { entered: number; exited: number }, { entered: number; exited: number }, boolean][] = [
    ["steady drop-off is not sudden", { entered: 100, exited: 30 }, { entered: 700, exited: 210 }, false],
    ["jump from 5% to 40%", { entered: 100, exited: 40 }, { entered: 700, exited: 35 }, true],
    ["jump from 0% to 20%", { entered: 50, exited: 10 }, { entered: 300, exited: 0 }, true],
    ["from 0% to 10%: under 15 points", { entered: 50, exited: 5 }, { entered: 300, exited: 0 }, false],
    ["from 30% to 50%: 20 points but not double", { entered: 100, exited: 50 }, { entered: 700, exited: 210 }, false],
    ["too few recent entries", { entered: 19, exited: 19 }, { entered: 700, exited: 0 }, false],
    ["no baseline yet (new journey)", { entered: 100, exited: 90 }, { entered: 5, exited: 0 }, false],
  ];
  for (const [name, recent, baseline, fires] of table) {
    it(name, () => {
      const alerts = dropOffAlerts(J, [{ nodeId: "offer", recent, baseline }]);
      expect(alerts.length).toBe(fires ? 1 : 0);
      if (fires) expect(alerts[0]).toMatchObject({ kind: "drop_off", dedupeKey: "drop_off:7:offer", details: { journeyId: "7", nodeId: "offer" } });
    });
  }
  it("says what happened", () => {
    expect(dropOffAlerts(J, [{ nodeId: "offer", recent: { entered: 100, exited: 40 }, baseline: { entered: 700, exited: 35 } }])[0].message)
      .toBe("Win-back: 40% of customers left at node offer in the last 24 h (usually 5%)");
  });
});

describe("channelFailureAlerts", () => {
  const table: [number, number, boolean][] = [[100, 19, false], [100, 20, true], [19, 19, false], [20, 20, true], [0, 0, false]];
  for (const [attempted, failed, fires] of table) {
    it(`${failed} of ${attempted} failed -> ${fires ? "alert" : "quiet"}`, () => {
      const a = channelFailureAlerts([{ channel: "sms", attempted, failed }]);
      expect(a.length).toBe(fires ? 1 : 0);
      if (fires) expect(a[0]).toMatchObject({ kind: "channel_failure_rate", severity: "error", dedupeKey: "channel_failure_rate:sms" });
    });
  }
});

describe("conversionAlert", () => {
  const table: [string, number | undefined, number | undefined, { total: number; converted: number }, boolean][] = [
    ["no target set", undefined, undefined, { total: 500, converted: 0 }, false],
    ["below target", 10, undefined, { total: 100, converted: 5 }, true],
    ["at target", 10, undefined, { total: 100, converted: 10 }, false],
    ["below target, too few finished (default 50)", 10, undefined, { total: 49, converted: 0 }, false],
    ["merchant's own minimum sample", 10, 20, { total: 20, converted: 1 }, true],
  ];
  for (const [name, target, minSample, finished, fires] of table) {
    it(name, () => {
      const alerts = target === undefined ? undefined : { conversionTargetPercent: target, ...(minSample ? { minSample } : {}) };
      const a = conversionAlert({ ...J, ...(alerts ? { alerts } : {}) }, finished, DEFAULT_HEALTH);
      expect(a !== null).toBe(fires);
      if (a) expect(a).toMatchObject({ kind: "low_conversion", dedupeKey: "low_conversion:7", details: { target } });
    });
  }
});
