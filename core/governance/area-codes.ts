// NANP area code -> US state, only for states that have an SMS rule in compliance-rules.ts.
// Source: NANPA area code reports, https://nationalnanpa.com/enas/geoAreaCodeNumberReport.do
// (overlays added through 2025 included; re-check against NANPA when new overlays open).
// FL, OK and CT law presume an in-state area code means an in-state recipient.

export const AREA_CODE_SOURCE = "https://nationalnanpa.com/enas/geoAreaCodeNumberReport.do";

const BY_STATE: Record<string, readonly string[]> = {
  FL: ["239", "305", "321", "324", "352", "386", "407", "448", "561", "645", "656", "689", "727", "728",
    "754", "772", "786", "813", "850", "863", "904", "941", "954"],
  OK: ["405", "539", "572", "580", "918"],
  MD: ["227", "240", "301", "410", "443", "667"],
  CT: ["203", "475", "860", "959"],
  WA: ["206", "253", "360", "425", "509", "564"],
  TX: ["210", "214", "254", "281", "325", "346", "361", "409", "430", "432", "469", "512", "682", "713",
    "726", "737", "806", "817", "830", "832", "903", "915", "936", "940", "945", "956", "972", "979"],
  AL: ["205", "251", "256", "334", "659", "938"],
  LA: ["225", "318", "337", "504", "985"],
  MS: ["228", "601", "662", "769"],
  RI: ["401"],
  PA: ["215", "223", "267", "272", "412", "445", "484", "570", "582", "610", "717", "724", "814", "835", "878"],
  KY: ["270", "364", "502", "606", "859"],
  MI: ["231", "248", "269", "313", "517", "586", "616", "679", "734", "810", "906", "947", "989"],
  MN: ["218", "320", "507", "612", "651", "763", "924", "952"],
  NV: ["702", "725", "775"],
  NM: ["505", "575"],
  MA: ["339", "351", "413", "508", "617", "774", "781", "857", "978"],
  IL: ["217", "224", "309", "312", "331", "447", "464", "618", "630", "708", "730", "773", "779", "815",
    "847", "861", "872"],
};

const STATE_BY_AREA_CODE: ReadonlyMap<string, string> = new Map(
  Object.entries(BY_STATE).flatMap(([state, codes]) => codes.map((c) => [c, state] as const)),
);

/** "US-FL" for "+13055550100"; undefined for non-NANP numbers or states without rules. */
export function stateForPhone(e164: string | undefined): string | undefined {
  if (!e164) return undefined;
  const m = /^\+1(\d{3})\d{7}$/.exec(e164);
  const state = m ? STATE_BY_AREA_CODE.get(m[1]) : undefined;
  return state ? `US-${state}` : undefined;
}
