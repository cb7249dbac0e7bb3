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

/** Minutes the IANA zone is ahead of UTC at the given UTC instant. */
export function zoneOffsetMinutes(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
}

export function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
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
