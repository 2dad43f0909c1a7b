// A small seeded pseudo-random generator for the stochastic methods. It runs in JS, not on the
// backend, so a seed gives the same draws (and the same attributions) on cpu, wasm and webgpu.
// sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded through splitmix32.

/**
 * Uniform draws in `[0, 1)`, from {@link seededRandom} or supplied by a caller.
 *
 * @example
 * const random: Random = () => 0.5; // a constant stream, for a test
 */
export type Random = () => number;

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator of uniforms in `[0, 1)` (32-bit resolution) determined by `seed` (any safe integer). */
export function seededRandom(seed: number): Random {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  const mix = splitmix32(lo ^ Math.imul(hi, 0x27d4eb2d));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next(); // discard the first outputs, as sfc32's author advises
  return () => next() / 2 ** 32;
}

/** An integer in `[0, n)`. */
export const randomInt = (random: Random, n: number): number => Math.min(n - 1, Math.floor(random() * n));

/** A uniformly random permutation of `0 … n−1` (Fisher-Yates). */
export function randomPermutation(random: Random, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** A standard normal draw (Box-Muller). */
export function randomNormal(random: Random): number {
  let u = random();
  while (u <= 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
