// A small seeded pseudo-random generator for the stochastic methods. It runs in JS, not on the
// backend, so a seed gives the same draws (and the same attributions) on cpu, wasm and webgpu.
// The generator is pure-rand's xoroshiro128+, keyed by a hash of the seed and the draw's coordinates.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * Uniform draws in `[0, 1)`, from {@link seededRandom} or supplied by a caller.
 *
 * @example
 * const random: Random = () => 0.5; // a constant stream, for a test
 */
export type Random = () => number;

/** murmur3's 32-bit finaliser: a bijection that spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** A 32-bit key for a list of integers (a seed, a stream tag, coordinates): hash-combined, order-sensitive. */
function streamKey(parts: readonly number[]): number {
  let h = 0x9e3779b9 | 0;
  for (const p of parts) {
    const lo = p | 0;
    const hi = Math.floor(p / 2 ** 32) | 0; // seeds up to 2^53 keep their high bits
    h = fmix32(h ^ fmix32(lo + 0x7f4a7c15));
    h = fmix32(h ^ fmix32(hi + 0x2545f491));
  }
  return h;
}

/**
 * A generator of uniforms in `[0, 1)` determined by `seed`: a safe integer, or a list of integers
 * (a seed followed by coordinates, so that each row or sample has a stream of its own, whatever the
 * batching). xoroshiro128+ from the `pure-rand` package, in JS doubles.
 */
export function seededRandom(seed: number | readonly number[]): Random {
  const rng = xoroshiro128plus(streamKey(typeof seed === 'number' ? [seed] : seed));
  return () => uniformFloat64(rng);
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
