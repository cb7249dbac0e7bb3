// Instants are shown in an IANA zone (the shop's, or the customer's), never the server's.
export function formatInstant(at: Date | string, timeZone: string, locale = "en-US"): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(at));
}
