// Samplers over a seeded Rng. Each takes the Rng first so callers control the stream.
import type { Rng } from "./prng";

/** Uniform on (0, 1): never 0, so logs stay finite. */
export function uniformOpen(rng: Rng): number {
  let u = rng();
  while (u === 0) u = rng();
  return u;
}

export function bernoulli(rng: Rng, p: number): boolean {
  return rng() < p;
}

/** Normal via the Marsaglia polar method (no trig, exact). */
export function normal(rng: Rng, mean = 0, sd = 1): number {
  for (;;) {
    const u = 2 * rng() - 1;
    const v = 2 * rng() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return mean + sd * u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/** Gamma(shape, rate) by Marsaglia–Tsang; shape < 1 uses the U^(1/shape) boost. */
export function gamma(rng: Rng, shape: number, rate = 1): number {
  if (!(shape > 0) || !(rate > 0)) throw new RangeError(`gamma needs shape, rate > 0 (got ${shape}, ${rate})`);
  if (shape < 1) return gamma(rng, shape + 1, rate) * Math.pow(uniformOpen(rng), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = uniformOpen(rng);
    if (u < 1 - 0.0331 * x * x * x * x) return (d * v) / rate;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / rate;
  }
}

export function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  const y = gamma(rng, b);
  return x / (x + y);
}

/**
 * Poisson by Knuth's product method, in chunks of mean ≤ 30 so exp(-λ) never underflows;
 * a sum of independent Poissons is Poisson, so chunking is exact. O(λ): fine for our means.
 */
export function poisson(rng: Rng, lambda: number): number {
  if (!(lambda >= 0)) throw new RangeError(`poisson needs lambda >= 0 (got ${lambda})`);
  let total = 0;
  let rest = lambda;
  while (rest > 0) {
    const chunk = Math.min(rest, 30);
    rest -= chunk;
    const limit = Math.exp(-chunk);
    let k = 0;
    let p = rng();
    while (p > limit) {
      k++;
      p *= rng();
    }
    total += k;
  }
  return total;
}

/** Log-normal parameterised by its own mean and coefficient of variation (handy for order values). */
export function logNormalMeanCv(rng: Rng, mean: number, cv: number): number {
  const sigma2 = Math.log(1 + cv * cv);
  return Math.exp(normal(rng, Math.log(mean) - sigma2 / 2, Math.sqrt(sigma2)));
}
