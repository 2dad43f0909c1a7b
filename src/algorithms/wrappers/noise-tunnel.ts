// Captum's NoiseTunnel: a method run on noisy copies of the inputs, the attributions averaged
// (smoothgrad), their squares averaged (smoothgrad_sq), or their variance taken (vargrad). It wraps
// any method of the one calling convention, through that convention.
import * as tf from '@tensorflow/tfjs-core';
import { describeNoiseTunnel, type MethodDescriptor, methodFamilies } from '../../attribution/method-descriptors.js';
import { describeValue, isTensor, readArray, readFields } from '../../core/arguments.js';
import { type BaselineValue, formatBaselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, choiceOption, integerOption, optionalIntegerOption } from '../../core/options.js';
import { elementPath, mirrorForm } from '../../core/tensors.js';
import { all, allOf, attemptAsync, fail, ok, type Result } from '../../core/validation.js';
import { abortedResult, checkLongRun, type LongRunOptions, reportProgress, yieldToEventLoop } from '../../engine/chunks.js';
import { expandRows, expandTarget } from '../../engine/expansion.js';
import { checkAllocation } from '../../engine/memory-budget.js';
import { type AttributionMethod, type DeltaAttributionMethod, type Inputs, type MethodOptions, pathsInOptions } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { type PreparedCall, prepareCall } from '../../engine/prepare-call.js';
import { checkSampling, drawBaselineIndices, drawNoise, drawsSamples, forPartition, type Sampler, type SamplingMethod } from '../../engine/sampler.js';
import { target as targets, type ResolvedTarget, type Target } from '../../target/target.js';

/**
 * How a noise tunnel combines the attributions of its samples: their mean (`smoothgrad`), the mean of
 * their squares (`smoothgrad_sq`) or their variance `E[a²] - E[a]²` (`vargrad`).
 *
 * @example
 * const kinds: NoiseType[] = [...noiseTypes]; // ['smoothgrad', 'smoothgrad_sq', 'vargrad']
 */
export type NoiseType = 'smoothgrad' | 'smoothgrad_sq' | 'vargrad';

/**
 * Captum's noise types, in its order.
 *
 * @example
 * noiseTypes.includes('vargrad'); // true
 */
export const noiseTypes: readonly NoiseType[] = ['smoothgrad', 'smoothgrad_sq', 'vargrad'];

/**
 * The options a noise tunnel adds to those of the method it wraps: Captum's `NoiseTunnel.attribute`
 * keywords in camelCase (`nt_type` is `ntType`, `nt_samples` is `nSamples`, `nt_samples_batch_size`
 * is `nSamplesBatchSize`), where the noise comes from (`seed` or `sampler`), progress and cancellation.
 *
 * @example
 * const own: NoiseTunnelOwnOptions = { ntType: 'vargrad', nSamples: 20, nSamplesBatchSize: 5, stdevs: 0.15, seed: 1 };
 */
export interface NoiseTunnelOwnOptions extends LongRunOptions {
  /** How the samples' attributions are combined; default `'smoothgrad'`. */
  readonly ntType?: NoiseType;
  /** Noisy copies of each example (Captum's `nt_samples`); default 5. */
  readonly nSamples?: number;
  /**
   * Samples per call of the wrapped method (Captum's `nt_samples_batch_size`): each call runs
   * `N · nSamplesBatchSize` rows, so memory stays bounded. The samples run in full partitions of this
   * size and one smaller remainder partition. Given the same draws the result does not depend on it,
   * except that with `drawBaselineFromDistrib`, as in Captum, every full partition reuses one draw of
   * baseline rows and the remainder draws its own. Default: all samples in one call.
   */
  readonly nSamplesBatchSize?: number;
  /** Standard deviation of the Gaussian noise, one for all inputs or one per input; default 1. Absolute, not relative to the input's range. */
  readonly stdevs?: number | readonly number[];
  /** Treat `baselines` as a distribution (`[B, ...]` per input) and give each noisy row a random row of it; default false. */
  readonly drawBaselineFromDistrib?: boolean;
  /** Seed of the {@link seededSampler} that draws the noise (and the wrapped method's draws); 0 by default. */
  readonly seed?: number;
  /** Where the draws come from instead of a seed, e.g. {@link replaySampler} with Captum's recorded draws. */
  readonly sampler?: Sampler;
}

/**
 * The options of a noise tunnel around a method with options `O`: those of `O` (the tunnel copies
 * `target`, extra arguments and baselines to the noisy batch) and the tunnel's own.
 *
 * @example
 * const options: NoiseTunnelOptions<IntegratedGradientsOptions> = { nSteps: 20, baselines: 0, ntType: 'smoothgrad_sq', nSamples: 10, stdevs: 0.1 };
 */
export type NoiseTunnelOptions<O = MethodOptions> = Omit<O, keyof NoiseTunnelOwnOptions> & NoiseTunnelOwnOptions;

const OWN_KEYS = ['ntType', 'nSamples', 'nSamplesBatchSize', 'stdevs', 'drawBaselineFromDistrib', 'seed', 'sampler', 'onProgress', 'signal'] as const;

/** The wrapped method's options, as given: everything but the tunnel's own keys. */
function splitOptions(options: unknown): Result<{ own: Partial<Record<(typeof OWN_KEYS)[number], unknown>>; rest: Record<string, unknown> }> {
  const own = readFields(options, 'options', OWN_KEYS);
  if (own._tag === 'Left' || options === undefined) return own._tag === 'Left' ? own : ok({ own: own.right, rest: {} });
  const rest: Record<string, unknown> = {};
  try {
    for (const key of Object.keys(options as object)) if (!(OWN_KEYS as readonly string[]).includes(key)) rest[key] = (options as Record<string, unknown>)[key];
  } catch {
    return fail({ _tag: 'InvalidArgument', path: 'options', expected: 'an object whose keys and values can be read', got: 'an object that throws when read' });
  }
  return ok({ own: own.right, rest });
}

const MAX_STDEV = 3.4e38 / 9;

function checkStdevs(value: unknown, inputs: number): Result<number[]> {
  const path = 'options.stdevs';
  // Box-Muller draws stay within ±9, so the noise stays finite in float32 up to 3.4e38 / 9.
  const one = (v: unknown, at: string): Result<number> =>
    typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_STDEV
      ? ok(v)
      : fail({ _tag: 'InvalidArgument', path: at, expected: `a number in [0, ${MAX_STDEV.toExponential(1)}] (noise float32 can hold)`, got: describeValue(v) });
  if (value === undefined) return ok(Array.from({ length: inputs }, () => 1));
  if (!Array.isArray(value)) {
    const s = one(value, path);
    return s._tag === 'Left' ? s : ok(Array.from({ length: inputs }, () => s.right));
  }
  const list = readArray(value, path);
  if (list._tag === 'Left') return list;
  if (list.right.length !== inputs) {
    return fail({ _tag: 'InvalidArgument', path, expected: `a number, or one number per input (${inputs})`, got: describeValue(value) });
  }
  return allOf(list.right.map((v, i) => one(v, `${path}[${i}]`)));
}

/** A baseline as the tunnel sees it: `null` (absent or zeros), a number (or 0-d tensor) that passes unchanged, or a tensor to expand. */
type Baseline = { readonly kind: 'pass'; readonly value: BaselineValue | null } | { readonly kind: 'tensor'; readonly value: tf.Tensor };

const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Captum's `_validate_input` on the unexpanded inputs: with a distribution any number of rows
 * (at least one) of the input's example shape; otherwise the input's shape or one example `[1, ...]`.
 */
function checkBaselines(raw: unknown, inputs: readonly tf.Tensor[], distribution: boolean): Result<{ readonly values: Baseline[]; readonly isTuple: boolean }> {
  const path = 'options.baselines';
  const formatted = formatBaselines(raw, inputs.length, path);
  if (formatted._tag === 'Left') return formatted;
  const isTuple = Array.isArray(raw);
  const values = allOf(
    formatted.right.map((b, i): Result<Baseline> => {
      const x = inputs[i]!;
      if (b === null || typeof b === 'number' || b.rank === 0) return ok({ kind: 'pass', value: b });
      const rest = sameDims(b.shape.slice(1), x.shape.slice(1));
      const fits = distribution ? rest && b.shape[0]! > 0 : rest && (b.shape[0] === 1 || b.shape[0] === x.shape[0]);
      return fits ? ok({ kind: 'tensor', value: b }) : fail({ _tag: 'BaselineShapeInvalid', path: elementPath(path, isTuple, i), inputShape: x.shape, baselineShape: b.shape });
    }),
  );
  return values._tag === 'Left' ? values : ok({ values: values.right, isTuple });
}

/** A resolved target back in the public form, for the wrapped method; tensors it makes go to `owned`. */
function publicTarget(original: unknown, resolved: ResolvedTarget, expanded: ResolvedTarget, owned: tf.Tensor[]): Target {
  if (expanded === resolved) return original as Target; // ints, paths, reducers, one-element tensors: unchanged
  switch (expanded.kind) {
    case 'perExample':
      return expanded.indices;
    case 'perExamplePath':
      return targets.perExamplePath(expanded.paths);
    case 'tensorValues': {
      const t = tf.tensor(expanded.values, [...expanded.shape], 'int32');
      owned.push(t);
      return t;
    }
    default:
      return original as Target;
  }
}

interface Plan {
  readonly prepared: PreparedCall;
  readonly method: (model: Model, inputs: Inputs, options?: unknown) => Promise<Result<unknown>>;
  readonly forwardsSampler: boolean;
  readonly rest: Record<string, unknown>;
  readonly baselines: { readonly values: Baseline[]; readonly isTuple: boolean } | undefined;
  readonly distribution: boolean;
  readonly sampler: Sampler;
}

/**
 * Captum's `_expand_partial` for partitions of `samples` samples: target, extra tensors, baselines
 * (drawn from the distribution, or `[N, ...]` ones interleaved) and feature masks, copied to the
 * `N · samples` rows. Tensors it makes go to `owned`.
 */
function expandOptions(plan: Plan, samples: number, draw: 'full' | 'remainder', owned: tf.Tensor[]): Result<Record<string, unknown>> {
  const { call, resolved } = plan.prepared;
  const n = call.batchSize;
  const keep = <T extends tf.Tensor>(t: T, original?: tf.Tensor): T => {
    if (t !== original) owned.push(t); // expandRows by 1 gives back the caller's own tensor
    return t;
  };
  const options: Record<string, unknown> = { ...plan.rest };
  if ('target' in plan.rest) options['target'] = publicTarget(plan.rest['target'], resolved, expandTarget(resolved, samples, 'interleave'), owned);
  if ('additionalForwardArgs' in plan.rest && plan.rest['additionalForwardArgs'] !== undefined && plan.rest['additionalForwardArgs'] !== null) {
    // Captum's _expand_additional_forward_args: tensors of rank > 0 are interleaved, the rest pass as they are
    options['additionalForwardArgs'] = call.args.map((a) => (isTensor(a) && a.rank > 0 ? keep(tf.tidy(() => expandRows(a, samples, 'interleave')), a) : a));
  }
  if (plan.baselines !== undefined) {
    const expanded: (BaselineValue | null)[] = [];
    for (const [i, b] of plan.baselines.values.entries()) {
      if (b.kind === 'pass') expanded.push(b.value);
      else if (plan.distribution) {
        // numpy.random.choice(B, N·samples) per tensor baseline, inputs in order
        const idx = drawBaselineIndices(plan.sampler, { input: i, draw, count: n * samples, rows: b.value.shape[0]! });
        if (idx._tag === 'Left') return idx;
        expanded.push(keep(tf.tidy(() => tf.gather(b.value, tf.tensor1d(idx.right, 'int32'))))); // [N·samples, ...], row i·samples + s
      } else if (b.value.shape[0] === n && n > 1) expanded.push(keep(tf.tidy(() => expandRows(b.value, samples, 'interleave')), b.value));
      else expanded.push(b.value);
    }
    options['baselines'] = plan.baselines.isTuple ? expanded : expanded[0];
  }
  const mask = plan.rest['featureMask'];
  if (mask !== undefined && mask !== null) {
    const expand = (m: unknown): unknown => (isTensor(m) && m.rank > 0 && m.shape[0]! > 1 ? keep(tf.tidy(() => expandRows(m, samples, 'interleave')), m) : m);
    options['featureMask'] = Array.isArray(mask) ? mask.map(expand) : expand(mask);
  }
  return ok(options);
}

/** The wrapped method's result, checked: attributions with `N · samples` rows (and a delta). */
function readResult(value: unknown, rows: number, withDelta: boolean, count: number | undefined): Result<{ attributions: tf.Tensor[]; isTuple: boolean; delta?: tf.Tensor }> {
  const bad = (expected: string, got: string): Result<never> => fail({ _tag: 'InvalidArgument', path: 'method', expected: `a method that returns ${expected}`, got });
  let attributions: unknown = value;
  let delta: unknown;
  if (withDelta) {
    const fields = readFields(value, 'method', ['attributions', 'delta']);
    if (fields._tag === 'Left') return fields;
    attributions = fields.right.attributions;
    delta = fields.right.delta;
    if (!isTensor(delta) || delta.rank === 0) return bad('{ attributions, delta } with a delta tensor', describeValue(delta));
  }
  const isTuple = Array.isArray(attributions);
  const list = isTuple ? (attributions as unknown[]) : [attributions];
  const wrong = list.find((a) => !isTensor(a) || a.rank === 0 || a.shape[0] !== rows);
  if (wrong !== undefined || list.length === 0 || (count !== undefined && list.length !== count)) {
    return bad(`attributions with ${rows} rows${count === undefined ? '' : ` (${count} tensors)`}`, wrong === undefined ? `${list.length} tensors` : describeValue(wrong));
  }
  return ok({ attributions: list as tf.Tensor[], isTuple, ...(delta === undefined ? {} : { delta: delta as tf.Tensor }) });
}

const disposeValue = (value: unknown): void => {
  if (isTensor(value)) value.dispose();
  else if (Array.isArray(value)) value.forEach(disposeValue);
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach(disposeValue);
};

async function run(method: Plan['method'], descriptor: MethodDescriptor, forwardsSampler: boolean, model: Model, inputs: Inputs, options: unknown): Promise<Result<unknown>> {
  const split = splitOptions(options);
  if (split._tag === 'Left') return split;
  const { own, rest } = split.right;
  const withDeltaRaw = rest['returnConvergenceDelta'];
  const checked = all({
    ntType: choiceOption(own.ntType, 'options.ntType', 'smoothgrad', noiseTypes),
    nSamples: integerOption(own.nSamples, 'options.nSamples', 5, 1),
    batchSize: optionalIntegerOption(own.nSamplesBatchSize, 'options.nSamplesBatchSize', 1),
    distribution: booleanOption(own.drawBaselineFromDistrib, 'options.drawBaselineFromDistrib', false),
    sampler: checkSampling(own.seed, own.sampler),
    longRun: checkLongRun(own.onProgress, own.signal),
    withDelta:
      withDeltaRaw === undefined || withDeltaRaw === false || descriptor.hasConvergenceDelta
        ? booleanOption(withDeltaRaw, 'options.returnConvergenceDelta', false)
        : fail({ _tag: 'InvalidArgument', path: 'options.returnConvergenceDelta', expected: `no returnConvergenceDelta (${descriptor.name} has no convergence delta)`, got: describeValue(withDeltaRaw) }),
  });
  const prepared = await prepareCall(model, inputs, rest['target'], rest['additionalForwardArgs']);
  if (checked._tag === 'Left' || prepared._tag === 'Left') return all({ checked, prepared });
  const { call } = prepared.right;
  const { ntType, nSamples, batchSize, distribution, sampler, longRun, withDelta } = checked.right;
  const given = rest['baselines'];
  const later = all({
    stdevs: checkStdevs(own.stdevs, call.inputs.length),
    baselines: given === undefined || given === null ? ok(undefined) : checkBaselines(given, call.inputs, distribution),
  });
  if (later._tag === 'Left') return later;
  const { stdevs, baselines } = later.right;

  // Captum's partitions: P full ones of b samples, then a remainder of R.
  const n = call.batchSize;
  const b = batchSize === undefined ? nSamples : Math.min(nSamples, batchSize);
  const full = Math.floor(nSamples / b);
  const remainder = nSamples - full * b;
  const rowElements = Math.max(...call.inputs.map((x) => x.size / n));
  const budget = checkAllocation(n * b * rowElements, 'float32', 'options.nSamplesBatchSize', `${b} noisy copies of ${n} examples`, 'pass a smaller nSamplesBatchSize');
  if (budget._tag === 'Left') return budget;

  const rest2 = { ...rest };
  if (withDeltaRaw === false) delete rest2['returnConvergenceDelta'];
  const plan: Plan = { prepared: prepared.right, method, forwardsSampler, rest: rest2, baselines, distribution, sampler };
  const partitions = [
    ...Array.from({ length: full }, (_, p) => ({ partition: p, firstSample: p * b, samples: b })),
    ...(remainder > 0 ? [{ partition: full, firstSample: full * b, samples: remainder }] : []),
  ];

  const fullOwned: tf.Tensor[] = [];
  let sum: tf.Tensor[] | undefined;
  let sumSq: tf.Tensor[] | undefined;
  const deltas: tf.Tensor[] = [];
  let isTuple = call.isTuple;
  try {
    // The full partitions' expansion, once, before any noise: their baseline draw is shared.
    const fullOptions = full > 0 ? expandOptions(plan, b, 'full', fullOwned) : ok(undefined);
    if (fullOptions._tag === 'Left') return fullOptions;
    for (const part of partitions) {
      const stopped = abortedResult(longRun);
      if (stopped !== undefined) return stopped;
      const owned: tf.Tensor[] = [];
      let value: unknown;
      try {
        const context = { partition: part.partition, firstSample: part.firstSample, samples: part.samples, examples: n };
        // Noise first (torch), input by input; rows i·samples + s.
        const noisy: tf.Tensor[] = [];
        for (const [k, x] of call.inputs.entries()) {
          const noise = drawNoise(sampler, { ...context, input: k, shape: x.shape.slice(1), stdev: stdevs[k]! });
          if (noise._tag === 'Left') return noise;
          const rows = [n * part.samples, ...x.shape.slice(1)];
          noisy.push(tf.tidy(() => tf.add(expandRows(x, part.samples, 'interleave'), tf.tensor(noise.right, rows, 'float32')))); // [N·samples, ...]
          owned.push(noisy[k]!);
        }
        // The remainder re-expands (and re-draws baselines) after its noise, as Captum.
        const expanded = part.partition < full ? fullOptions : expandOptions(plan, part.samples, 'remainder', owned);
        if (expanded._tag === 'Left') return expanded;
        const wrappedOptions: Record<string, unknown> = { ...expanded.right };
        if (withDelta) wrappedOptions['returnConvergenceDelta'] = true;
        if (plan.forwardsSampler) wrappedOptions['sampler'] = forPartition(sampler, context);
        const r = await method(model, mirrorForm(call.isTuple, noisy), wrappedOptions);
        if (r._tag === 'Left') return r;
        value = r.right;
        const read = readResult(value, n * part.samples, withDelta, sum?.length);
        if (read._tag === 'Left') return read;
        isTuple = read.right.isTuple;
        const previous = { sum, sumSq };
        const next = tf.tidy(() => {
          const views = read.right.attributions.map((a) => tf.reshape(a, [n, part.samples, ...a.shape.slice(1)])); // [N, samples, ...]
          const s = views.map((v) => tf.sum(v, 1));
          const sq = views.map((v) => tf.sum(tf.square(v), 1));
          return {
            sum: previous.sum === undefined ? s : s.map((t, i) => tf.add(previous.sum![i]!, t)),
            sumSq: previous.sumSq === undefined ? sq : sq.map((t, i) => tf.add(previous.sumSq![i]!, t)),
          };
        });
        previous.sum?.forEach((t) => t.dispose());
        previous.sumSq?.forEach((t) => t.dispose());
        sum = next.sum;
        sumSq = next.sumSq;
        if (read.right.delta !== undefined) {
          deltas.push(read.right.delta);
          value = read.right.attributions; // the delta is kept; the attributions go
        }
      } finally {
        disposeValue(value);
        owned.forEach((t) => t.dispose());
      }
      reportProgress(longRun, part.firstSample + part.samples, nSamples);
      if (part.firstSample + part.samples < nSamples) await yieldToEventLoop();
    }
    const result = tf.tidy(() =>
      sum!.map((s, i) => {
        const mean = tf.div(s, nSamples); // Captum: (sum · 1) / nt_samples
        if (ntType === 'smoothgrad') return mean;
        const meanSq = tf.div(sumSq![i]!, nSamples);
        return ntType === 'smoothgrad_sq' ? meanSq : tf.sub(meanSq, tf.mul(mean, mean));
      }),
    );
    const attributions = mirrorForm(isTuple, result);
    if (!withDelta) return ok(attributions);
    const delta = deltas.length === 1 ? tf.clone(deltas[0]!) : tf.concat(deltas, 0); // partition-major
    return ok({ attributions, delta });
  } finally {
    fullOwned.forEach((t) => t.dispose());
    sum?.forEach((t) => t.dispose());
    sumSq?.forEach((t) => t.dispose());
    deltas.forEach((t) => t.dispose());
  }
}

const fallbackDescriptor: MethodDescriptor = { ...methodFamilies.gradient, className: 'NoiseTunnel', name: 'Noise Tunnel' };

/**
 * Captum's `NoiseTunnel`: wraps `method` and gives a method with the same calling convention. Each
 * call runs `method` on `nSamples` noisy copies of every example (`x + N(0, stdev²)`, rows
 * `i·samples + s`), in partitions of `nSamplesBatchSize` samples, with target, extra tensors and
 * baselines copied to the noisy rows, then combines the attributions per example by `ntType`
 * (`smoothgrad`: mean; `smoothgrad_sq`: mean of squares; `vargrad`: variance). Works with any method
 * of this library's convention, your own included. With `returnConvergenceDelta` (only where the
 * method has a delta) the result is `{ attributions, delta }`, delta `[N · nSamples]`, one per noisy
 * row, partition after partition. The draws come from `sampler`, or {@link seededSampler} of `seed`
 * (0 by default); a method that draws its own numbers (inputBaselineXGradient) gets them from the
 * same sampler. The result carries `describeNoiseTunnel(method.descriptor)`.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.sin(x), 1, true);
 * const smoothGrad = noiseTunnel(saliency);
 * const r = await smoothGrad(model, tf.tensor2d([[0, 1, 2]]), { nSamples: 16, stdevs: 0.1, seed: 1, abs: false });
 * // Right(tensor ≈ cos(x) averaged over the noise)
 * const smoothIg = noiseTunnel(integratedGradients);
 * const d = await smoothIg(model, tf.tensor2d([[0, 1, 2]]), { ntType: 'vargrad', nSamples: 4, nSteps: 8, returnConvergenceDelta: true });
 * // Right({ attributions, delta: tensor of 4 values })
 */
export function noiseTunnel<O>(method: DeltaAttributionMethod<O>): DeltaAttributionMethod<NoiseTunnelOptions<O>> & SamplingMethod;
export function noiseTunnel<O>(method: AttributionMethod<O>): AttributionMethod<NoiseTunnelOptions<O>> & SamplingMethod;
export function noiseTunnel(method: unknown): unknown {
  let descriptor: Result<MethodDescriptor>;
  try {
    const given = typeof method === 'function' ? (method as { descriptor?: unknown }).descriptor : undefined;
    const described = typeof method === 'function' ? describeNoiseTunnel(given as MethodDescriptor) : undefined;
    descriptor =
      described === undefined
        ? fail({ _tag: 'InvalidArgument', path: 'method', expected: 'an attribution method (model, inputs, options) => Promise<Result>', got: describeValue(method) })
        : described._tag === 'Right'
          ? described
          : fail({ _tag: 'InvalidArgument', path: 'method.descriptor', expected: 'a method descriptor, as describeMethod gives', got: describeValue(given) });
  } catch {
    descriptor = fail({ _tag: 'InvalidArgument', path: 'method', expected: 'an attribution method with a readable descriptor', got: 'an object that throws when read' });
  }
  const problem = descriptor._tag === 'Left' ? descriptor : undefined;
  const forwards = drawsSamples(method);
  const implementation = async (model: Model, inputs: Inputs, options?: unknown): Promise<Result<unknown>> =>
    pathsInOptions(
      await attemptAsync(
        async () => problem ?? run(method as Plan['method'], (descriptor as { right: MethodDescriptor }).right, forwards, model, inputs, options),
        (e): AttributionError => modelErrorOf(e, 'noiseTunnel'),
      ),
    );
  return Object.assign(implementation, { descriptor: descriptor._tag === 'Right' ? descriptor.right : fallbackDescriptor, drawsSamples: true as const });
}
