export { createRng, deriveSeed, rngFromState, type Rng } from "./prng";
export { bernoulli, beta, gamma, logNormalMeanCv, normal, poisson, uniformOpen } from "./samplers";
