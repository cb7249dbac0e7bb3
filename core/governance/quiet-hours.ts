// SMS quiet hours in the recipient's local time, strictest of every jurisdiction that may
// apply (federal, the phone's area-code state, the address's state), plus per-24h state
// limits. Nothing is dropped: a blocked message gets the next instant it may go.
import { stateForPhone } from "./area-codes";
import { SMS_RULES, WEEKDAYS, type SmsRule, type Weekday } from "./compliance-rules";
import { localParts, parseHhMm, zonedTimeToUtc, addLocalDays } from "./local-time";
import type { GovernanceSettings } from "./schema";
import { rollingWindowBlock } from "./sends";

export interface Recipient {
  /** Resolved IANA zone (see timezone.ts). */
  zone: string;
  /** E.164. */
  phone?: string;
  address?: { countryCode?: string; provinceCode?: string };
}

/** Regions whose SMS rules may apply: federal when the number or address is US. */
export function applicableRegions(r: Recipient, rules: readonly SmsRule[] = SMS_RULES): string[] {
  const regions = new Set<string>();
  const country = r.address?.countryCode?.toUpperCase();
  const phoneState = stateForPhone(r.phone);
  if (phoneState || country === "US" || r.phone?.startsWith("+1")) regions.add("US");
  if (phoneState) regions.add(phoneState);
  if (country === "US" && r.address?.provinceCode) regions.add(`US-${r.address.provinceCode.toUpperCase()}`);
  return [...regions].filter((region) => rules.some((rule) => rule.region === region));
}

type DayWindows = Record<Weekday, readonly [number, number] | null>;
interface ZoneConstraint {
  zone: string;
  days: DayWindows;
}

function intersect(a: DayWindows, b: Record<Weekday, readonly [string, string] | null>): DayWindows {
  const out = {} as DayWindows;
  for (const d of WEEKDAYS) {
    const x = a[d], y = b[d];
    if (!x || !y) { out[d] = null; continue; }
    const start = Math.max(x[0], parseHhMm(y[0])), end = Math.min(x[1], parseHhMm(y[1]));
    out[d] = start < end ? [start, end] : null;
  }
  return out;
}

const ALL_DAY = Object.fromEntries(WEEKDAYS.map((d) => [d, [0, 1440] as const])) as unknown as DayWindows;

function activeRules(r: Recipient, settings: GovernanceSettings, rules: readonly SmsRule[]): SmsRule[] {
  const regions = applicableRegions(r, rules);
  return rules.filter((rule) => regions.includes(rule.region)
    && (rule.tier === "statute_table" || settings.quietHours.applyCallChartStates));
}

/** The windows that must all hold: the recipient's zone, plus any extra zone a rule names. */
function constraints(r: Recipient, settings: GovernanceSettings, rules: readonly SmsRule[]): ZoneConstraint[] {
  const [s, e] = settings.quietHours.sms;
  const shopWindow = Object.fromEntries(WEEKDAYS.map((d) => [d, [s, e] as const])) as Record<Weekday, readonly [string, string]>;
  let local = intersect(ALL_DAY, shopWindow);
  const extra: ZoneConstraint[] = [];
  for (const rule of activeRules(r, settings, rules)) {
    local = intersect(local, rule.days);
    if (rule.alsoInZone && rule.alsoInZone !== r.zone) extra.push({ zone: rule.alsoInZone, days: intersect(ALL_DAY, rule.days) });
  }
  return [{ zone: r.zone, days: local }, ...extra];
}

function allowedIn(c: ZoneConstraint, ms: number): boolean {
  const p = localParts(c.zone, ms);
  const w = c.days[WEEKDAYS[p.weekday]];
  const minute = p.hour * 60 + p.minute;
  return w !== null && w[0] <= minute && minute < w[1];
}

/** Earliest instant >= fromMs allowed by every constraint; null if none within 8 days. */
function nextAllowed(cs: readonly ZoneConstraint[], fromMs: number): number | null {
  if (cs.every((c) => allowedIn(c, fromMs))) return fromMs;
  // Allowed-ness only switches on at some zone's window start, so those are the candidates.
  const candidates: number[] = [];
  for (const c of cs) {
    for (let i = 0; i <= 8; i++) {
      const d = addLocalDays(c.zone, fromMs, i);
      const w = c.days[WEEKDAYS[new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay()]];
      if (!w) continue;
      const at = zonedTimeToUtc(c.zone, d.year, d.month, d.day, Math.floor(w[0] / 60), w[0] % 60);
      if (at > fromMs) candidates.push(at);
    }
  }
  candidates.sort((a, b) => a - b);
  return candidates.find((t) => cs.every((c) => allowedIn(c, t))) ?? null;
}

export type QuietHoursDecision =
  | { allowed: true }
  | { allowed: false; regions: string[]; nextAllowedAt: Date | null };

export function checkQuietHours(
  r: Recipient, settings: GovernanceSettings, now: Date, rules: readonly SmsRule[] = SMS_RULES,
): QuietHoursDecision {
  const next = nextAllowed(constraints(r, settings, rules), now.getTime());
  if (next === now.getTime()) return { allowed: true };
  return {
    allowed: false, regions: activeRules(r, settings, rules).map((x) => x.region),
    nextAllowedAt: next === null ? null : new Date(next),
  };
}

export type DailyLimitDecision =
  | { allowed: true }
  | { allowed: false; region: string; max: number; nextAllowedAt: Date };

const DAY_MS = 24 * 3_600_000;

/** Per-24h state limits (e.g. Florida: 3) over the prior marketing SMS times. */
export function checkStateDailyLimit(
  r: Recipient, priorSmsTimes: readonly Date[], settings: GovernanceSettings, now: Date,
  rules: readonly SmsRule[] = SMS_RULES,
): DailyLimitDecision {
  const limited = activeRules(r, settings, rules).filter((x) => x.maxPer24h !== null)
    .sort((a, b) => a.maxPer24h! - b.maxPer24h!);
  const strictest = limited[0];
  if (!strictest) return { allowed: true };
  const block = rollingWindowBlock(priorSmsTimes.map((d) => d.getTime()), strictest.maxPer24h!, DAY_MS, now.getTime());
  if (!block || block.until === null) return { allowed: true };
  return { allowed: false, region: strictest.region, max: strictest.maxPer24h!, nextAllowedAt: new Date(block.until) };
}
