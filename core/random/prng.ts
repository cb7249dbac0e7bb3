// Seeded pseudo-random numbers (xoshiro128**) so simulations, bandit choices and Monte Carlo
// reports replay exactly. Core code never calls Math.random: it is handed an Rng.
/** Uniform on [0, 1). */
export type Rng = () => number;

// splitmix32 spreads one 32-bit seed over the four state words; xoshiro must not start at all-zero.
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export function createRng(seed: number): Rng {
  const mix = splitmix32(seed);
  return rngFromState([mix(), mix(), mix(), mix()]);
}

/** xoshiro128** from an explicit 128-bit state (exposed so tests can check the reference vector). */
export function rngFromState(state: readonly [number, number, number, number]): Rng {
  let [a, b, c, d] = state.map((w) => w >>> 0);
  if ((a | b | c | d) === 0) a = 1;
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result / 4294967296;
  };
}

/** An independent stream derived from a parent seed and a label, e.g. one per simulated customer. */
export function deriveSeed(seed: number, label: string | number): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  const s = String(label);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return splitmix32(h)();
}
