// Instants are shown in an IANA zone (the shop's, or the customer's), never the server's.
export function formatInstant(at: Date | string, timeZone: string, locale = "en-US"): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(at));
}

/** A prediction horizon in words: "next 12 months" for 365 days, "next month", "next 45 days". */
export function horizonWords(days: number): string {
  const months = days / (365.25 / 12);
  const whole = Math.round(months);
  if (whole >= 1 && Math.abs(months - whole) < 0.05) return whole === 1 ? "next month" : `next ${whole} months`;
  return `next ${Math.round(days)} days`;
}
