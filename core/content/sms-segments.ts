// How many SMS segments a body costs. GSM 03.38 7-bit when every character is in the basic
// set or extension table (extension characters take an escape + char, so 2 septets);
// otherwise UCS-2 (UTF-16 code units). Concatenated messages lose room to the UDH:
// 160 -> 153 septets, 70 -> 67 units per segment.

const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION = "\f^{}\\[~]|€";

const basic = new Set(Array.from(GSM_BASIC));
const extension = new Set(Array.from(GSM_EXTENSION));

export type SmsEncoding = "GSM-7" | "UCS-2";

export type SegmentCount = {
  encoding: SmsEncoding;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  segments: number;
  /** Characters that forced UCS-2 (so the editor can point at them). */
  nonGsmChars: string[];
};

const LIMITS: Record<SmsEncoding, { single: number; multi: number }> = {
  "GSM-7": { single: 160, multi: 153 },
  "UCS-2": { single: 70, multi: 67 },
};

/** Cost of one character, or null when it is not representable in GSM-7. */
function gsmCost(ch: string): number | null {
  if (basic.has(ch)) return 1;
  if (extension.has(ch)) return 2;
  return null;
}

export function detectEncoding(body: string): { encoding: SmsEncoding; nonGsmChars: string[] } {
  const nonGsm = new Set<string>();
  for (const ch of body) if (gsmCost(ch) === null) nonGsm.add(ch);
  return { encoding: nonGsm.size === 0 ? "GSM-7" : "UCS-2", nonGsmChars: [...nonGsm] };
}

export function countSegments(body: string): SegmentCount {
  const { encoding, nonGsmChars } = detectEncoding(body);
  // Per-character costs; an escape pair or a surrogate pair is never split across segments.
  const costs = Array.from(body, (ch) => (encoding === "GSM-7" ? (gsmCost(ch) as number) : ch.length));
  const units = costs.reduce((a, b) => a + b, 0);
  const { single, multi } = LIMITS[encoding];
  if (units === 0) return { encoding, units, segments: 0, nonGsmChars };
  if (units <= single) return { encoding, units, segments: 1, nonGsmChars };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > multi) {
      segments++;
      used = 0;
    }
    used += cost;
  }
  return { encoding, units, segments, nonGsmChars };
}
