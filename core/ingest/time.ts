// Source timestamps to UTC instants, keeping the zone the source gave (offset or IANA).
// Pure: never reads the clock; zone arithmetic uses Intl's tz database.
import { err, ok, type Result } from "../result";

export interface Instant {
  at: Date;
  /** The zone the source reported the time in: "+05:30", "Z", or an IANA name. */
  zone?: string;
}

// 2024-01-05T10:00:00.123-05:00 | 2024-01-05 10:00:00 -0500 | 2024-01-05 10:00 | 2024-01-05
const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i;

function offsetText(sign: string, hh: string, mm: string): string {
  return `${sign}${hh}:${mm}`;
}

// Building an Intl.DateTimeFormat costs far more than using one: one per zone, kept.
const FORMATS = new Map<string, Intl.DateTimeFormat>();
function formatFor(zone: string): Intl.DateTimeFormat {
  let f = FORMATS.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    if (FORMATS.size > 1000) FORMATS.clear();
    FORMATS.set(zone, f);
  }
  return f;
}

// Offsets only change at a zone's transitions, a few times a year: the offset is computed once
// per zone and UTC day, and kept when it is the same at both ends of the day (no zone changes
// and changes back within one day). A day with a transition in it is computed exactly on every call.
const DAY_MS = 86_400_000;
const DAY_OFFSETS = new Map<string, number>();

/** Minutes the IANA zone is ahead of UTC at the given UTC instant. */
export function zoneOffsetMinutes(zone: string, utcMs: number): number {
  const day = Math.floor(utcMs / DAY_MS);
  const key = `${zone}|${day}`;
  let offset = DAY_OFFSETS.get(key);
  if (offset === undefined) {
    const start = exactOffsetMinutes(zone, day * DAY_MS);
    offset = start === exactOffsetMinutes(zone, (day + 1) * DAY_MS - 1000) ? start : NaN;
    if (DAY_OFFSETS.size >= 200_000) DAY_OFFSETS.clear();
    DAY_OFFSETS.set(key, offset);
  }
  return Number.isNaN(offset) ? exactOffsetMinutes(zone, utcMs) : offset;
}

export function exactOffsetMinutes(zone: string, utcMs: number): number {
  const parts = formatFor(zone).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
}

export function isIanaZone(zone: string): boolean {
  if (FORMATS.has(zone)) return true;
  try {
    formatFor(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Parse a source timestamp. A time without an offset is read in `defaultZone` (IANA, e.g. the
 * shop's zone); without one either, it is an error rather than a guess.
 */
export function parseInstant(input: string | Date, defaultZone?: string): Result<Instant> {
  if (input instanceof Date) {
    return Number.isNaN(input.getTime()) ? err("invalid date") : ok({ at: input });
  }
  const m = PATTERN.exec(input.trim());
  if (!m) return err(`unrecognised date/time "${input}"`);
  const [, y, mo, d, hh = "00", mi = "00", ss = "00", frac = "", off] = m;
  const ms = Number((frac + "000").slice(0, 3));
  const wall = Date.UTC(+y, +mo - 1, +d, +hh, +mi, +ss, ms);
  const check = new Date(wall);
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +hh > 23 || +mi > 59 || +ss > 59) {
    return err(`impossible date/time "${input}"`);
  }
  if (off) {
    if (/^(Z|UTC)$/i.test(off)) return ok({ at: new Date(wall), zone: "Z" });
    const o = /^([+-])(\d{2}):?(\d{2})$/.exec(off)!;
    const minutes = (o[1] === "-" ? -1 : 1) * (+o[2] * 60 + +o[3]);
    return ok({ at: new Date(wall - minutes * 60000), zone: offsetText(o[1], o[2], o[3]) });
  }
  if (!defaultZone) return err(`date/time "${input}" has no time zone`);
  if (!isIanaZone(defaultZone)) return err(`unknown time zone "${defaultZone}"`);
  // Two passes settle DST edges: guess with the offset at the wall time, then re-check.
  let utc = wall - zoneOffsetMinutes(defaultZone, wall) * 60000;
  utc = wall - zoneOffsetMinutes(defaultZone, utc) * 60000;
  return ok({ at: new Date(utc), zone: defaultZone });
}
