// Special functions the customer models need, computed in log space where values overflow.

// Lanczos approximation (g = 7, n = 9): ~15 significant digits for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (reflection for x < 0.5 keeps accuracy near zero). */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < LANCZOS_G + 2; i++) s += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return LOG_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** ln(e^a + e^b) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/**
 * Gauss hypergeometric 2F1(a, b; c; z) for 0 <= z < 1 by its power series, returned as
 * { sign, log } of the sum. Terms are built by their ratio (no factorials) and the running sum
 * is rescaled whenever it grows large, so values far beyond double range (many repeat
 * purchases, z near 1) stay representable; the loop runs until terms stop changing the sum,
 * so accuracy holds as z nears 1 (only more slowly). c must not be 0, -1, -2, ...
 */
export function logHyp2f1(a: number, b: number, c: number, z: number): { sign: number; log: number } {
  if (z < 0 || z >= 1) throw new RangeError(`hyp2f1 needs 0 <= z < 1, got ${z}`);
  const RESCALE = 1e150;
  let logScale = 0;
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 10_000_000; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
    if (Math.abs(sum) > RESCALE || Math.abs(term) > RESCALE) {
      sum /= RESCALE;
      term /= RESCALE;
      logScale += Math.log(RESCALE);
    }
    // Past n > |a|,|b|,|c| the terms shrink geometrically (ratio -> z); stop once negligible.
    if (n > 2 && Math.abs(term) <= 1e-16 * Math.abs(sum)) break;
  }
  return { sign: Math.sign(sum), log: Math.log(Math.abs(sum)) + logScale };
}

/** 2F1(a, b; c; z) as a plain number (see logHyp2f1). */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  const { sign, log } = logHyp2f1(a, b, c, z);
  return sign * Math.exp(log);
}

/**
 * ψ(x) = d/dx ln Γ(x) for x > 0, to ~1e-13: the recurrence ψ(x) = ψ(x+1) - 1/x lifts x to
 * at least 6, where the asymptotic series (Bernoulli numbers, through x^-16) is that accurate.
 */
export function digamma(x: number): number {
  if (!(x > 0)) return NaN;
  let shift = 0;
  while (x < 6) {
    shift -= 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  // Σ B_2k / (2k x^2k), k = 1..8, in Horner form; the first omitted term is < 3e-14 at x = 6.
  const series =
    inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760 - inv2 * (1 / 12 - (inv2 * 3617) / 8160)))))));
  return shift + Math.log(x) - 0.5 / x - series;
}
