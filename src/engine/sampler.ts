// Where stochastic methods get their random numbers: a Sampler. Captum draws from torch's and numpy's
// global generators, which nobody can reproduce outside PyTorch, so here every draw goes through one
// small interface with two constructors: `seededSampler(seed)` (the same seed gives the same numbers on
// every backend and runtime: the draws are made in JS doubles, never with tf.random*) and
// `replaySampler(draws)` (feeds recorded draws: Captum's own, from the reference cases, or a user's).
//
// Methods ask for draws in Captum's call order (baseline indices of the full partitions, then per
// partition the noise of each input, then the wrapped method's own draws such as alphas; the remainder
// partition's baseline indices after its noise), so a stateful sampler of your own sees the order
// Captum's generators saw. Each request also says exactly which rows it is for, so the seeded sampler
// is counter-based: a row's values depend on (seed, input, example, sample), not on how the samples
// were split into partitions.
import { type Random, randomInt, seededRandom } from '../core/random.js';
import { describeValue, readFields } from '../core/arguments.js';
import type { AttributionError } from '../core/errors.js';
import { errorText, fail, ok, type Result } from '../core/validation.js';

/**
 * Which rows a draw is for. The rows are `examples · samples`, example-major: row `i·samples + s` is
 * sample `firstSample + s` of example `i` (Captum's `repeat_interleave` order), in partition
 * `partition` of the samples. A plain call of a stochastic method (one draw per example) asks for
 * partition 0, first sample 0, one sample.
 *
 * @example
 * const request: DrawRequest = { partition: 1, firstSample: 2, samples: 2, examples: 3 }; // 6 rows: samples 2 and 3 of 3 examples
 * seededSampler(7).alphas(request).length; // 6
 */
export interface DrawRequest {
  readonly partition: number;
  readonly firstSample: number;
  readonly samples: number;
  readonly examples: number;
  /**
   * Where the request comes from when sampling methods nest (a noise tunnel around a noise tunnel):
   * empty or absent at the top level; the draws of a method called for partition `p` carry `[p, ...]`.
   */
  readonly scope?: readonly number[];
}

/**
 * Noise for one input: `examples · samples` rows of `shape` (the input's non-batch shape), each value
 * drawn from N(0, stdev²). Captum draws it even when `stdev` is 0, and so do the methods here.
 *
 * @example
 * const request: NoiseRequest = { input: 0, partition: 0, firstSample: 0, samples: 4, examples: 2, shape: [3], stdev: 0.1 };
 * seededSampler(1).noise(request).length; // 24: 8 rows of 3 values
 */
export interface NoiseRequest extends DrawRequest {
  /** Which input tensor (its index in the inputs array; 0 for a single tensor). */
  readonly input: number;
  readonly shape: readonly number[];
  readonly stdev: number;
}

/**
 * Row indices into a baseline distribution of `rows` rows, `count` of them, for one input:
 * `'full'` is the one draw every full partition of a noise tunnel reuses, `'remainder'` the fresh draw
 * of the last, smaller partition.
 *
 * @example
 * const request: BaselineIndexRequest = { input: 0, draw: 'full', count: 6, rows: 4 };
 * seededSampler(1).baselineIndices(request); // 6 integers in [0, 4)
 */
export interface BaselineIndexRequest {
  readonly input: number;
  readonly draw: 'full' | 'remainder';
  readonly count: number;
  readonly rows: number;
  readonly scope?: readonly number[];
}

/**
 * The random quantities of the stochastic methods (noise, interpolation points, baseline picks).
 * Each function returns exactly the values asked for (noise: `examples · samples · size(shape)`;
 * alphas: `examples · samples`, in [0, 1); indices: `count` integers in `[0, rows)`), in row order
 * `i·samples + s`. A function may throw; the method then returns a `Left` at `options.sampler`.
 * Build one with {@link seededSampler} or {@link replaySampler}, or write your own.
 *
 * @example
 * const constant: Sampler = {
 *   noise: (r) => new Float32Array(r.examples * r.samples * r.shape.reduce((a, b) => a * b, 1)), // no noise
 *   alphas: (r) => new Float32Array(r.examples * r.samples).fill(0.5),                        // midpoints
 *   baselineIndices: (r) => new Int32Array(r.count),                                             // always row 0
 * };
 * const model = (x: tf.Tensor) => tf.sum(tf.square(x), 1, true);
 * await gradientShap(model, tf.ones([2, 3]), { baselines: tf.zeros([4, 3]), sampler: constant }); // Right(tensor of 1s: (x-0)·2·(x/2))
 */
export interface Sampler {
  noise(request: NoiseRequest): ArrayLike<number>;
  alphas(request: DrawRequest): ArrayLike<number>;
  baselineIndices(request: BaselineIndexRequest): ArrayLike<number>;
}

// ---- the seeded sampler ------------------------------------------------------------------------

const STREAM = { noise: 1, alpha: 2, baseline: 3 } as const;

/** Standard normal values by Box-Muller, two per pair of uniforms; 1 - u keeps log away from 0. */
function fillNormal(random: Random, out: Float64Array, offset: number, count: number): void {
  for (let j = 0; j < count; j += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const theta = 2 * Math.PI * random();
    out[offset + j] = r * Math.cos(theta);
    if (j + 1 < count) out[offset + j + 1] = r * Math.sin(theta);
  }
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * A sampler driven by `seed` (an integer): the same seed gives the same draws on every backend and
 * runtime (xoroshiro128+ from the `pure-rand` package, in JS doubles; noise by Box-Muller). It is
 * counter-based: the values of a row depend only on the seed, the input, the example and the global
 * sample index (and the nesting scope), so splitting the samples into partitions
 * (`nSamplesBatchSize`) does not change them. Baseline indices depend on the seed, the input and
 * whether they are the full partitions' draw or the remainder's.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.sin(x), 1, true);
 * const smooth = noiseTunnel(saliency);
 * const a = await smooth(model, tf.ones([2, 3]), { sampler: seededSampler(42), nSamples: 8, stdevs: 0.2 });
 * const b = await smooth(model, tf.ones([2, 3]), { seed: 42, nSamples: 8, stdevs: 0.2 }); // the same numbers
 */
export function seededSampler(seed: number): Sampler {
  const scoped = (scope: readonly number[] | undefined): number[] => [seed, scope?.length ?? 0, ...(scope ?? [])];
  return {
    noise(r) {
      const size = sizeOf(r.shape);
      const out = new Float64Array(r.examples * r.samples * size);
      for (let i = 0; i < r.examples; i++) {
        for (let s = 0; s < r.samples; s++) {
          const random = seededRandom([...scoped(r.scope), STREAM.noise, r.input, i, r.firstSample + s]);
          fillNormal(random, out, (i * r.samples + s) * size, size);
        }
      }
      const noise = new Float32Array(out.length);
      for (let j = 0; j < out.length; j++) noise[j] = (out[j] as number) * r.stdev;
      return noise;
    },
    alphas(r) {
      const out = new Float32Array(r.examples * r.samples);
      for (let i = 0; i < r.examples; i++) {
        for (let s = 0; s < r.samples; s++) {
          const random = seededRandom([...scoped(r.scope), STREAM.alpha, i, r.firstSample + s]);
          // uniform in [0, 1) as a double, then float32 as Captum casts numpy's draw (it may round up to 1)
          out[i * r.samples + s] = random();
        }
      }
      return out;
    },
    baselineIndices(r) {
      const random = seededRandom([...scoped(r.scope), STREAM.baseline, r.input, r.draw === 'full' ? 0 : 1]);
      const out = new Int32Array(r.count);
      for (let j = 0; j < r.count; j++) out[j] = randomInt(random, r.rows);
      return out;
    },
  };
}

// ---- the replay sampler ------------------------------------------------------------------------

/**
 * Recorded draws for {@link replaySampler}, in the layout of Captum's reference cases
 * (`algorithms_stochastic.json`), rows example-major (`i·samples + s`):
 * - `partitions[p].noise[k]`: the noise of input `k` in partition `p` (`N · b_p` rows of the input's shape);
 * - `partitions[p].alphas`: the interpolation points drawn in partition `p` (`N · b_p` values), as
 *   {@link inputBaselineXGradient} and {@link gradientShap} use them (a plain inputBaselineXGradient
 *   call is partition 0 with one sample per example);
 * - `baselineIndices.full[k]` / `.remainder[k]`: the baseline rows drawn for input `k` (`null` for a
 *   number baseline), once for all full partitions and once for the remainder partition.
 *
 * @example
 * const draws: RecordedDraws = {
 *   partitions: [{ noise: [[0.1, -0.2, 0.05, 0.3]], alphas: [0.25, 0.75] }], // N = 2, one sample, 2 features
 *   baselineIndices: { full: [[1, 0]] },
 * };
 * const model = (x: tf.Tensor) => tf.sum(tf.square(x), 1, true);
 * await gradientShap(model, tf.ones([2, 2]), { baselines: tf.tensor2d([[0, 0], [1, 1]]), nSamples: 1, sampler: replaySampler(draws) });
 */
export interface RecordedDraws {
  readonly partitions?: readonly { readonly noise?: readonly ArrayLike<number>[]; readonly alphas?: ArrayLike<number> }[];
  readonly baselineIndices?: {
    readonly full?: readonly (ArrayLike<number> | null)[];
    readonly remainder?: readonly (ArrayLike<number> | null)[] | null;
  };
}

/**
 * A sampler that hands out recorded draws: Captum's, from a reference case, or your own, to reproduce
 * a result exactly. A request the recording does not cover (another partition, input or size) throws,
 * and the method returns a `Left` at `options.sampler` saying which draw was missing. Nested sampling
 * (a noise tunnel around a noise tunnel) is not recorded and is refused the same way.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.square(x), 1, true);
 * const sampler = replaySampler({ partitions: [{ alphas: [0.5, 0.5] }] }); // Captum's draws.alpha
 * await inputBaselineXGradient(model, tf.ones([2, 3]), { baselines: 0, sampler }); // Right(tensor of 1s)
 */
export function replaySampler(draws: RecordedDraws): Sampler {
  const flat = (): never => {
    throw new Error('nested sampling (a noise tunnel inside a noise tunnel) has no recorded draws');
  };
  const partition = (r: DrawRequest) => {
    if ((r.scope?.length ?? 0) > 0) flat();
    const p = draws?.partitions?.[r.partition];
    if (p === undefined) throw new Error(`no recorded partition ${r.partition} (the recording has ${draws?.partitions?.length ?? 0})`);
    return p;
  };
  return {
    noise(r) {
      const values = partition(r).noise?.[r.input];
      if (values === undefined) throw new Error(`no recorded noise for input ${r.input} in partition ${r.partition}`);
      return values;
    },
    alphas(r) {
      const values = partition(r).alphas;
      if (values === undefined) throw new Error(`no recorded alphas in partition ${r.partition}`);
      return values;
    },
    baselineIndices(r) {
      if ((r.scope?.length ?? 0) > 0) flat();
      const values = draws?.baselineIndices?.[r.draw]?.[r.input];
      if (values === undefined || values === null) throw new Error(`no recorded ${r.draw} baseline indices for input ${r.input}`);
      return values;
    },
  };
}

// ---- for the methods: reading the options and checking each draw ---------------------------------

const SAMPLER_KEYS = ['noise', 'alphas', 'baselineIndices'] as const;

/**
 * The sampler a call uses: `options.sampler`, or {@link seededSampler} of `options.seed` (0 when
 * neither is given, so a call is reproducible by default). Both at once is a Left.
 */
export function checkSampling(seed: unknown, sampler: unknown): Result<Sampler> {
  if (seed !== undefined && sampler !== undefined) {
    return fail({ _tag: 'InvalidArgument', path: 'options.seed', expected: 'a seed or a sampler, not both', got: 'both options.seed and options.sampler' });
  }
  if (sampler !== undefined) {
    const fields = readFields(sampler, 'options.sampler', SAMPLER_KEYS);
    if (fields._tag === 'Left') return fields;
    const missing = SAMPLER_KEYS.filter((k) => typeof fields.right[k] !== 'function');
    if (missing.length > 0 || sampler === null) {
      return fail({ _tag: 'InvalidArgument', path: 'options.sampler', expected: 'a Sampler: { noise, alphas, baselineIndices } functions (seededSampler, replaySampler)', got: missing.length > 0 ? `${describeValue(sampler)} without ${missing.join(', ')}` : describeValue(sampler) });
    }
    return ok(sampler as Sampler);
  }
  if (seed === undefined) return ok(seededSampler(0));
  if (typeof seed === 'number' && Number.isSafeInteger(seed)) return ok(seededSampler(seed));
  return fail({ _tag: 'InvalidArgument', path: 'options.seed', expected: 'an integer seed', got: describeValue(seed) });
}

const samplerError = (expected: string, got: string): AttributionError => ({ _tag: 'InvalidArgument', path: 'options.sampler', expected, got });

function call(f: () => ArrayLike<number>, what: string, count: number): Result<ArrayLike<number>> {
  let values: ArrayLike<number>;
  try {
    values = f();
  } catch (e) {
    return fail(samplerError(`${what}: ${count} values`, `a sampler that threw (${errorText(e)})`));
  }
  let length: unknown;
  try {
    length = values?.length;
  } catch {
    length = undefined;
  }
  if (typeof length !== 'number') return fail(samplerError(`${what}: ${count} values`, describeValue(values)));
  if (length !== count) return fail(samplerError(`${what}: ${count} values`, `${length} values`));
  return ok(values);
}

function floats(values: ArrayLike<number>, what: string): Result<Float32Array> {
  const out = new Float32Array(values.length);
  for (let j = 0; j < out.length; j++) {
    const v = values[j];
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(samplerError(`${what}: finite numbers`, `${describeValue(v)} at ${j}`));
    out[j] = v;
  }
  return ok(out);
}

const rowsText = (r: DrawRequest): string => `partition ${r.partition}, ${r.examples}·${r.samples} rows`;

/** The noise a request asks for, checked: `examples · samples · size(shape)` finite values. */
export function drawNoise(sampler: Sampler, r: NoiseRequest): Result<Float32Array> {
  const what = `noise for input ${r.input} (${rowsText(r)} of [${r.shape.join(',')}])`;
  const values = call(() => sampler.noise(r), what, r.examples * r.samples * sizeOf(r.shape));
  return values._tag === 'Left' ? values : floats(values.right, what);
}

/** The alphas a request asks for, checked: `examples · samples` finite values. */
export function drawAlphas(sampler: Sampler, r: DrawRequest): Result<Float32Array> {
  const what = `alphas (${rowsText(r)})`;
  const values = call(() => sampler.alphas(r), what, r.examples * r.samples);
  return values._tag === 'Left' ? values : floats(values.right, what);
}

/** The baseline indices a request asks for, checked: `count` integers in `[0, rows)`. */
export function drawBaselineIndices(sampler: Sampler, r: BaselineIndexRequest): Result<Int32Array> {
  const what = `${r.draw} baseline indices for input ${r.input}`;
  const values = call(() => sampler.baselineIndices(r), what, r.count);
  if (values._tag === 'Left') return values;
  const out = new Int32Array(r.count);
  for (let j = 0; j < r.count; j++) {
    const v = values.right[j];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= r.rows) {
      return fail(samplerError(`${what}: integers in [0, ${r.rows})`, `${describeValue(v)} at ${j}`));
    }
    out[j] = v;
  }
  return ok(out);
}

/**
 * A method that draws its own random numbers through `options.sampler` (inputBaselineXGradient,
 * gradientShap, a noise tunnel). A noise tunnel around such a method hands it a sampler for each
 * partition, drawing from the tunnel's own `seed` or `sampler`. Mark a method of your own with
 * `drawsSamples: true` to get the same.
 *
 * @example
 * const marked: SamplingMethod = inputBaselineXGradient; // drawsSamples: true
 * const smooth = noiseTunnel(inputBaselineXGradient);   // passes its sampler on, partition by partition
 */
export interface SamplingMethod {
  readonly drawsSamples: true;
}

export const drawsSamples = (method: unknown): boolean => {
  try {
    return (method as Partial<SamplingMethod> | undefined)?.drawsSamples === true;
  } catch {
    return false;
  }
};

/**
 * The sampler a noise tunnel gives the method it wraps for one partition (`examples` = N, `samples` =
 * b_p rows per example). A request for one draw per row of the noisy batch (what
 * inputBaselineXGradient asks for) becomes the same request in the tunnel's terms, so Captum's
 * recorded alphas replay and seeded draws do not depend on the partitioning. Anything else (a nested
 * noise tunnel) is scoped under the partition index.
 */
export function forPartition(outer: Sampler, context: DrawRequest): Sampler {
  const rows = context.examples * context.samples;
  const scope = (s: readonly number[] | undefined): number[] => [...(context.scope ?? []), context.partition, ...(s ?? [])];
  const lift = <R extends DrawRequest>(r: R): R =>
    r.samples === 1 && r.firstSample === 0 && r.partition === 0 && r.examples === rows && (r.scope?.length ?? 0) === 0
      ? { ...r, partition: context.partition, firstSample: context.firstSample, samples: context.samples, examples: context.examples, scope: context.scope ?? [] }
      : { ...r, scope: scope(r.scope) };
  return {
    noise: (r) => outer.noise(lift(r)),
    alphas: (r) => outer.alphas(lift(r)),
    baselineIndices: (r) => outer.baselineIndices({ ...r, scope: scope(r.scope) }),
  };
}
