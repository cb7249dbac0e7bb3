// Journey health alerts, pure: a sudden drop-off at a node (its recent drop-off rate far
// above its own baseline), a channel failing too often, and a journey converting below the
// target the merchant set. The shell (jobs/journeys/health.ts) counts; this decides.

export interface HealthThresholds {
  /** The recent window the rates are taken over, and the baseline window before it. */
  recentMs: number;
  baselineMs: number;
  /** Entries at a node needed in each window before its drop-off is judged. */
  dropOffMinSample: number;
  /** Sudden: at least this many percentage points above baseline... */
  dropOffRisePoints: number;
  /** ...and at least this multiple of it. */
  dropOffRiseRatio: number;
  /** Channel: failed / attempted over the recent window. */
  failureRate: number;
  failureMinSample: number;
  /** Conversion is judged on enrollments finished within this window. */
  conversionWindowMs: number;
  conversionMinSample: number;
}

export const DEFAULT_HEALTH: HealthThresholds = {
  recentMs: 24 * 3_600_000,
  baselineMs: 7 * 24 * 3_600_000,
  dropOffMinSample: 20,
  dropOffRisePoints: 15,
  dropOffRiseRatio: 2,
  failureRate: 0.2,
  failureMinSample: 20,
  conversionWindowMs: 30 * 24 * 3_600_000,
  conversionMinSample: 50,
};

export interface Counts { entered: number; exited: number }

export interface NodeDropOff {
  nodeId: string;
  recent: Counts;
  baseline: Counts;
}

export interface HealthAlert {
  kind: "drop_off" | "channel_failure_rate" | "low_conversion";
  severity: "warning" | "error";
  message: string;
  details: Record<string, unknown>;
  dedupeKey: string;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

export function dropOffAlerts(
  journey: { id: string; name: string }, nodes: readonly NodeDropOff[], t: HealthThresholds = DEFAULT_HEALTH,
): HealthAlert[] {
  const out: HealthAlert[] = [];
  for (const n of nodes) {
    if (n.recent.entered < t.dropOffMinSample || n.baseline.entered < t.dropOffMinSample) continue;
    const recent = n.recent.exited / n.recent.entered;
    const baseline = n.baseline.exited / n.baseline.entered;
    if ((recent - baseline) * 100 < t.dropOffRisePoints) continue;
    if (baseline > 0 && recent < baseline * t.dropOffRiseRatio) continue;
    out.push({
      kind: "drop_off", severity: "warning",
      message: `${journey.name}: ${pct(recent)} of customers left at node ${n.nodeId} in the last ${Math.round(t.recentMs / 3_600_000)} h (usually ${pct(baseline)})`,
      details: { journeyId: journey.id, nodeId: n.nodeId, recent: n.recent, baseline: n.baseline },
      dedupeKey: `drop_off:${journey.id}:${n.nodeId}`,
    });
  }
  return out;
}

export interface ChannelAttempts { channel: string; attempted: number; failed: number }

export function channelFailureAlerts(channels: readonly ChannelAttempts[], t: HealthThresholds = DEFAULT_HEALTH): HealthAlert[] {
  return channels
    .filter((c) => c.attempted >= t.failureMinSample && c.failed / c.attempted >= t.failureRate)
    .map((c) => ({
      kind: "channel_failure_rate" as const, severity: "error" as const,
      message: `${c.channel}: ${pct(c.failed / c.attempted)} of sends failed in the last ${Math.round(t.recentMs / 3_600_000)} h (${c.failed} of ${c.attempted})`,
      details: { channel: c.channel, attempted: c.attempted, failed: c.failed },
      dedupeKey: `channel_failure_rate:${c.channel}`,
    }));
}

export function conversionAlert(
  journey: { id: string; name: string; alerts?: { conversionTargetPercent?: number; minSample?: number } },
  finished: { total: number; converted: number }, t: HealthThresholds = DEFAULT_HEALTH,
): HealthAlert | null {
  const target = journey.alerts?.conversionTargetPercent;
  if (target === undefined) return null;
  const min = journey.alerts?.minSample ?? t.conversionMinSample;
  if (finished.total < min) return null;
  const rate = finished.converted / finished.total;
  if (rate * 100 >= target) return null;
  return {
    kind: "low_conversion", severity: "warning",
    message: `${journey.name}: ${pct(rate)} converted (${finished.converted} of ${finished.total} finished), below the ${target}% target`,
    details: { journeyId: journey.id, target, converted: finished.converted, finished: finished.total },
    dedupeKey: `low_conversion:${journey.id}`,
  };
}
