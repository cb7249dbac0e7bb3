// Deterministic bucketing for sticky A/B and holdout assignment: same inputs, same bucket,
// on every machine and replay. FNV-1a then a murmur3 finaliser to spread the low bits.
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform-ish number in [0, 1) from the key. */
export function unitInterval(key: string): number {
  return hash32(key) / 2 ** 32;
}
