// Calendar days in an IANA time zone, for the next-change computation. Day numbers count
// days since 1970-01-01 of the local calendar; the SQL compiler does the same arithmetic in
// PostgreSQL (AT TIME ZONE), and tests check the two agree across DST changes.
const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function format(timezone: string): Intl.DateTimeFormat {
  let f = formats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formats.set(timezone, f);
  }
  return f;
}

function localFields(ms: number, timezone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of format(timezone).formatToParts(new Date(ms))) {
    if (p.type !== "literal") out[p.type] = Number(p.value);
  }
  return out;
}

/** The shop-local calendar day of an instant, as a day number. */
export function localDay(t: Date, timezone: string): number {
  const f = localFields(t.getTime(), timezone);
  return Date.UTC(f.year, f.month - 1, f.day) / DAY_MS;
}

/** Local wall-clock minus UTC at an instant, in ms. */
function offsetAt(ms: number, timezone: string): number {
  const f = localFields(ms, timezone);
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant PostgreSQL gives for local midnight of a day (`date::timestamp AT TIME ZONE`),
 * so schedules computed here match the compiled SQL: where midnight does not exist (a DST
 * jump at 00:00) the first instant that does; where it happens twice (fall-back at 01:00,
 * e.g. Havana) the later one, as PostgreSQL reads ambiguous times with the new offset.
 */
export function startOfLocalDay(day: number, timezone: string): Date {
  // Schedules for a whole shop ask for the same few hundred days over and over; the search
  // below costs dozens of formatter calls, so answers are remembered (a pure function).
  const key = `${timezone}|${day}`;
  const hit = starts.get(key);
  if (hit !== undefined) return new Date(hit);
  const at = searchStartOfLocalDay(day, timezone);
  if (starts.size >= 50_000) starts.clear();
  starts.set(key, at.getTime());
  return at;
}

const starts = new Map<string, number>();

function searchStartOfLocalDay(day: number, timezone: string): Date {
  const wallMidnight = day * DAY_MS;
  let guess = wallMidnight - offsetAt(wallMidnight, timezone);
  guess = wallMidnight - offsetAt(guess, timezone);
  // Local days are monotonic in time: binary-search the first instant of `day` near the guess.
  let lo = guess - 4 * 3_600_000;
  let hi = guess + 4 * 3_600_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDay(new Date(mid), timezone) >= day) hi = mid;
    else lo = mid;
  }
  const later = wallMidnight - offsetAt(hi + 6 * 3_600_000, timezone);
  if (later > hi) {
    const f = localFields(later, timezone);
    if (Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) === wallMidnight) return new Date(later);
  }
  return new Date(hi);
}

/** Day number of an ISO calendar date YYYY-MM-DD. */
export function dayOfIsoDate(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

/** True when the name is an IANA zone the runtime knows. */
export function isKnownTimeZone(timezone: string): boolean {
  try {
    format(timezone);
    return true;
  } catch {
    return false;
  }
}
