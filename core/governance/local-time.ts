// Wall-clock arithmetic in IANA zones via Intl (no Temporal on Node 24, no fixed offsets).
// Pure: every function takes the instant it reasons about.

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday (the local date's weekday). */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isValidZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export function localParts(zone: string, utcMs: number): LocalParts {
  const parts = formatter(zone).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const year = get("year"), month = get("month"), day = get("day");
  return {
    year, month, day, hour: get("hour"), minute: get("minute"),
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** Minutes the zone is ahead of UTC at the instant. */
export function offsetMinutes(zone: string, utcMs: number): number {
  const parts = formatter(zone).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/**
 * The instant a local wall-clock time happens in the zone. In a DST gap (02:30 on a
 * spring-forward night) the wall time does not exist: we return the instant the clock jumps
 * past it (same elapsed offset as before the gap), i.e. the first real instant after it. In an
 * overlap (fall back) the earlier instant wins, so nothing is sent twice "at 01:30".
 */
export function zonedTimeToUtc(
  zone: string, year: number, month: number, day: number, hour: number, minute: number,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Two candidate offsets: the ones in force a day either side cover every transition.
  const candidates = new Set([offsetMinutes(zone, wall - 86_400_000), offsetMinutes(zone, wall + 86_400_000)]);
  const matches: number[] = [];
  for (const off of candidates) {
    const utc = wall - off * 60_000;
    if (offsetMinutes(zone, utc) === off) matches.push(utc);
  }
  if (matches.length > 0) return Math.min(...matches);
  // Gap: read the wall time with the pre-transition offset, which lands just past the jump.
  return wall - offsetMinutes(zone, wall - 86_400_000) * 60_000;
}

/** Local calendar date `days` after the instant's local date (noon avoids DST edges). */
export function addLocalDays(zone: string, utcMs: number, days: number): { year: number; month: number; day: number } {
  const p = localParts(zone, utcMs);
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + days, 12));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function parseHhMm(text: string): number {
  const [h, m] = text.split(":").map(Number);
  return h * 60 + m;
}

/**
 * First instant strictly after `afterMs` whose local time is `minuteOfDay` on one of the
 * weekdays (0 = Sunday). Null only when weekdays is empty.
 */
export function nextLocalTime(zone: string, afterMs: number, minuteOfDay: number, weekdays: readonly number[]): number | null {
  if (weekdays.length === 0) return null;
  for (let i = 0; i <= 8; i++) {
    const d = addLocalDays(zone, afterMs, i);
    const weekday = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
    if (!weekdays.includes(weekday)) continue;
    const at = zonedTimeToUtc(zone, d.year, d.month, d.day, Math.floor(minuteOfDay / 60), minuteOfDay % 60);
    if (at > afterMs) return at;
  }
  return null;
}
