// SMS quiet-hour and per-24h rules as data, copied from ../shared/data/compliance
// (compliance.json, as of 2026-11). Engineering reference, not legal advice: merchants can see
// and tighten these; they can never loosen the federal floor. Times are recipient-local,
// windows are [start, end). A day mapped to null means no marketing SMS at all that day.

export type Weekday = "sun" | "mon" | "tue" | "wed" | "thu" | "fri" | "sat";
export const WEEKDAYS: readonly Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

export interface SmsRule {
  /** "US" (federal) or "US-XX" (state). */
  region: string;
  /** Allowed window per local weekday, [start, end) as "HH:MM"; null = no sending that day. */
  days: Record<Weekday, readonly [string, string] | null>;
  maxPer24h: number | null;
  /** Also enforce the window in this zone (a source disputes whose clock applies). */
  alsoInZone?: string;
  /** "statute_table": the SMS table; "call_chart": vendor calling-hour charts (call laws). */
  tier: "statute_table" | "call_chart";
  confidence: "documented" | "secondary source";
  source: string;
}

const every = (start: string, end: string): Record<Weekday, readonly [string, string]> => ({
  sun: [start, end], mon: [start, end], tue: [start, end], wed: [start, end],
  thu: [start, end], fri: [start, end], sat: [start, end],
});

export const SMS_RULES: readonly SmsRule[] = [
  { region: "US", days: every("08:00", "21:00"), maxPer24h: null, tier: "statute_table", confidence: "documented",
    source: "https://www.nwdebtresolution.com/post/telephone-consumer-protection-act-call-time-restrictions" },
  { region: "US-FL", days: every("08:00", "20:00"), maxPer24h: 3, tier: "statute_table", confidence: "documented",
    source: "https://flsenate.gov/Session/Bill/2021/1120/BillText/Filed/HTML" },
  { region: "US-OK", days: every("08:00", "20:00"), maxPer24h: 3, tier: "statute_table", confidence: "secondary source",
    source: "https://www.allaboutadvertisinglaw.com/2022/05/new-oklahoma-telephone-solicitation-act-is-not-ok-but-it-does-contain-an-important-exemption.html" },
  { region: "US-MD", days: every("08:00", "20:00"), maxPer24h: 3, tier: "statute_table", confidence: "secondary source",
    source: "https://www.wmar2news.com/local/law-to-prevent-spam-calls-takes-effect-first-of-the-year" },
  { region: "US-CT", days: every("09:00", "20:00"), maxPer24h: null, tier: "statute_table", confidence: "secondary source",
    source: "https://www.manatt.com/insights/newsletters/tcpa-connect/connecticut-senate-bill-1058" },
  // 08:00 start is the federal floor; the state's own start time was not seen verbatim.
  { region: "US-WA", days: every("08:00", "20:00"), maxPer24h: null, tier: "statute_table", confidence: "secondary source",
    source: "https://www.dwt.com/blogs/family-business-resource-center/2022/08/washington-tcpa-telemarketing-restrictions-law" },
  // Sources disagree on recipient-local vs Texas (Central) time: enforce both.
  { region: "US-TX", days: { ...every("09:00", "21:00"), sun: ["12:00", "21:00"] }, maxPer24h: null,
    alsoInZone: "America/Chicago", tier: "statute_table", confidence: "secondary source",
    source: "https://www.cloudcommunications.com/news/texas-senate-bill-140?hs_amp=true" },

  // Vendor calling-hour charts (call-focused laws; state holidays not encoded yet).
  { region: "US-AL", days: { ...every("08:00", "20:00"), sun: null }, maxPer24h: null, tier: "call_chart",
    confidence: "secondary source", source: "https://www.dropcowboy.com/state-compliance" },
  { region: "US-LA", days: { ...every("08:00", "20:00"), sun: null }, maxPer24h: null, tier: "call_chart",
    confidence: "secondary source", source: "https://www.dropcowboy.com/state-compliance" },
  // Chart states CST; enforced in recipient-local time and in Central.
  { region: "US-MS", days: { ...every("08:00", "20:00"), sun: null }, maxPer24h: null, alsoInZone: "America/Chicago",
    tier: "call_chart", confidence: "secondary source", source: "https://www.dropcowboy.com/state-compliance" },
  // Saturday value truncated in the chart: the weekday window is used as the conservative guess.
  { region: "US-RI", days: { ...every("09:00", "18:00"), sun: null }, maxPer24h: null, tier: "call_chart",
    confidence: "secondary source", source: "https://www.dropcowboy.com/state-compliance" },
  // Chart's Saturday "8am-12pm" looks anomalous but is the stricter reading, so it is kept.
  { region: "US-PA", days: { ...every("08:00", "21:00"), sat: ["08:00", "12:00"] }, maxPer24h: null, tier: "call_chart",
    confidence: "secondary source", source: "https://www.dropcowboy.com/state-compliance" },
  { region: "US-KY", days: every("10:00", "21:00"), maxPer24h: null, tier: "call_chart", confidence: "secondary source",
    source: "https://www.dropcowboy.com/state-compliance" },
  { region: "US-MI", days: every("09:00", "21:00"), maxPer24h: null, tier: "call_chart", confidence: "secondary source",
    source: "https://www.dropcowboy.com/state-compliance" },
  { region: "US-MN", days: every("09:00", "21:00"), maxPer24h: null, tier: "call_chart", confidence: "secondary source",
    source: "https://www.dropcowboy.com/state-compliance" },
  { region: "US-NV", days: every("09:00", "20:00"), maxPer24h: null, tier: "call_chart", confidence: "secondary source",
    source: "https://www.dropcowboy.com/state-compliance" },
  { region: "US-NM", days: every("09:00", "21:00"), maxPer24h: null, tier: "call_chart", confidence: "secondary source",
    source: "https://www.dropcowboy.com/state-compliance" },
  { region: "US-MA", days: every("08:00", "20:00"), maxPer24h: null, tier: "call_chart", confidence: "secondary source",
    source: "https://www.dropcowboy.com/state-compliance" },
  { region: "US-IL", days: every("08:00", "21:00"), maxPer24h: null, tier: "call_chart", confidence: "secondary source",
    source: "https://blog.clickpointsoftware.com/telemarketing-calling-hours-by-state?hs_amp=true" },
];

export function ruleFor(region: string, rules: readonly SmsRule[] = SMS_RULES): SmsRule | undefined {
  return rules.find((r) => r.region === region);
}
