// Which IANA zone a customer's local time is read in: theirs, else their address's, else the
// shop's. Multi-zone states/provinces map to the zone most of their people live in.
import { isValidZone } from "./local-time";

const BY_PROVINCE: Record<string, string> = {
  // US
  "US-AL": "America/Chicago", "US-AK": "America/Anchorage", "US-AZ": "America/Phoenix", "US-AR": "America/Chicago",
  "US-CA": "America/Los_Angeles", "US-CO": "America/Denver", "US-CT": "America/New_York", "US-DE": "America/New_York",
  "US-DC": "America/New_York", "US-FL": "America/New_York", "US-GA": "America/New_York", "US-HI": "Pacific/Honolulu",
  "US-ID": "America/Boise", "US-IL": "America/Chicago", "US-IN": "America/Indiana/Indianapolis", "US-IA": "America/Chicago",
  "US-KS": "America/Chicago", "US-KY": "America/New_York", "US-LA": "America/Chicago", "US-ME": "America/New_York",
  "US-MD": "America/New_York", "US-MA": "America/New_York", "US-MI": "America/Detroit", "US-MN": "America/Chicago",
  "US-MS": "America/Chicago", "US-MO": "America/Chicago", "US-MT": "America/Denver", "US-NE": "America/Chicago",
  "US-NV": "America/Los_Angeles", "US-NH": "America/New_York", "US-NJ": "America/New_York", "US-NM": "America/Denver",
  "US-NY": "America/New_York", "US-NC": "America/New_York", "US-ND": "America/Chicago", "US-OH": "America/New_York",
  "US-OK": "America/Chicago", "US-OR": "America/Los_Angeles", "US-PA": "America/New_York", "US-RI": "America/New_York",
  "US-SC": "America/New_York", "US-SD": "America/Chicago", "US-TN": "America/Chicago", "US-TX": "America/Chicago",
  "US-UT": "America/Denver", "US-VT": "America/New_York", "US-VA": "America/New_York", "US-WA": "America/Los_Angeles",
  "US-WV": "America/New_York", "US-WI": "America/Chicago", "US-WY": "America/Denver", "US-PR": "America/Puerto_Rico",
  // Canada
  "CA-AB": "America/Edmonton", "CA-BC": "America/Vancouver", "CA-MB": "America/Winnipeg", "CA-NB": "America/Moncton",
  "CA-NL": "America/St_Johns", "CA-NS": "America/Halifax", "CA-NT": "America/Yellowknife", "CA-NU": "America/Iqaluit",
  "CA-ON": "America/Toronto", "CA-PE": "America/Halifax", "CA-QC": "America/Toronto", "CA-SK": "America/Regina",
  "CA-YT": "America/Whitehorse",
  // Australia
  "AU-ACT": "Australia/Sydney", "AU-NSW": "Australia/Sydney", "AU-NT": "Australia/Darwin", "AU-QLD": "Australia/Brisbane",
  "AU-SA": "Australia/Adelaide", "AU-TAS": "Australia/Hobart", "AU-VIC": "Australia/Melbourne", "AU-WA": "Australia/Perth",
};

const BY_COUNTRY: Record<string, string> = {
  US: "America/New_York", CA: "America/Toronto", AU: "Australia/Sydney", GB: "Europe/London", IE: "Europe/Dublin",
  DE: "Europe/Berlin", FR: "Europe/Paris", NL: "Europe/Amsterdam", BE: "Europe/Brussels", ES: "Europe/Madrid",
  IT: "Europe/Rome", AT: "Europe/Vienna", CH: "Europe/Zurich", SE: "Europe/Stockholm", DK: "Europe/Copenhagen",
  NO: "Europe/Oslo", FI: "Europe/Helsinki", PL: "Europe/Warsaw", PT: "Europe/Lisbon", NZ: "Pacific/Auckland",
};

export interface AddressRegion {
  countryCode?: string;
  provinceCode?: string;
}

export type ZoneSource = "customer" | "address" | "shop";

export function resolveTimeZone(
  customerZone: string | undefined, address: AddressRegion | undefined, shopZone: string,
): { zone: string; source: ZoneSource } {
  if (customerZone && isValidZone(customerZone)) return { zone: customerZone, source: "customer" };
  const country = address?.countryCode?.toUpperCase();
  if (country) {
    const province = address?.provinceCode?.toUpperCase();
    const zone = (province && BY_PROVINCE[`${country}-${province}`]) || BY_COUNTRY[country];
    if (zone) return { zone, source: "address" };
  }
  return { zone: shopZone, source: "shop" };
}
