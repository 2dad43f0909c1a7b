// The surrogate loop of Lime and KernelShap (Captum's `LimeBase.attribute` as `Lime` drives it):
// draw binary samples in the interpretable space (one bit per feature), map each to the input space
// (`where(bit of the element's feature, x, baseline)`), evaluate the model on them, weight them by a
// similarity to the input, and fit a linear model from bits to outputs; its coefficients are the
// attributions. One surrogate per example when the model returns one value per example (Captum's
// batch rule), one for the whole batch when it returns one value per batch.
import * as tf from '@tensorflow/tfjs-core';
import type { MethodDescriptor } from '../attribution/method-descriptors.js';
import { describeValue, isTensor } from '../core/arguments.js';
import { type LinearFit, weightedLasso, weightedLeastSquares } from '../core/linear-models.js';
import { booleanOption, functionOption, integerOption } from '../core/options.js';
import { type Random, seededRandom } from '../core/random.js';
import { formatShape, mirrorForm } from '../core/tensors.js';
import { all, fail, ok, type Result } from '../core/validation.js';
import type { ResolvedTarget } from '../target/target.js';
import { abortedResult, type CheckedLongRun, checkLongRun, reportProgress, yieldToEventLoop } from './chunks.js';
import { checkFeatureMask, disposeMasks, type ReadMask, readFeatureMasks } from './feature-masks.js';
import type { Attributions, Inputs } from './method.js';
import type { Model } from './model.js';
import { checkGrowth, checkPerturbedBatch, evaluateRows, failWith, flatRows, PERTURBATION_INPUTS, perturbationBaselines, perturbationsPerEvalOption, readNumbers, samplerError, seedOption } from './perturbation.js';
import { type PreparedCall, prepareCall } from './prepare-call.js';

/**
 * The surrogate fitted by {@link lime}: a weighted Lasso (Captum's default `SkLearnLasso(alpha=0.01)`,
 * scikit-learn's objective `(1/(2·Σw)) Σ w (y − β0 − z·β)² + alpha·‖β‖₁`, the intercept unpenalised),
 * or weighted least squares with an intercept (scikit-learn's `LinearRegression`, minimum-norm when
 * under-determined). Both are solved in float64 JS.
 *
 * @example
 * const captumDefault: InterpretableModel = { kind: 'lasso', alpha: 0.01 };
 * const unpenalised: InterpretableModel = { kind: 'linearRegression' };
 */
export type InterpretableModel =
  | { readonly kind: 'lasso'; readonly alpha?: number; readonly maxIter?: number; readonly tol?: number }
  | { readonly kind: 'linearRegression' };

/**
 * What a sampler of interpretable samples is told: the surrogate (the example, or 0 for a
 * whole-batch surrogate), the sample's index, the number of features, and the call's seeded stream.
 *
 * @example
 * const allOn = (info: InterpretableSampleInfo) => Array.from({ length: info.featureCount }, () => 1);
 */
export interface InterpretableSampleInfo {
  readonly example: number;
  readonly sample: number;
  readonly featureCount: number;
  /** The call's seeded stream of uniforms in `[0, 1)`, for samplers that want to draw part of their values. */
  readonly random: () => number;
}

/**
 * A surrogate method ({@link lime}, {@link kernelShap}): attributions in the inputs' form by default;
 * with `returnInputShape: false`, the coefficients themselves, one row per surrogate `[N, M]`.
 *
 * @example
 * const methods: SurrogateMethod<LimeOptions>[] = [lime];
 * console.log(lime.descriptor.multipliesByInputs); // false
 */
export interface SurrogateMethod<O> {
  <I extends Inputs>(model: Model, inputs: I, options: O & { readonly returnInputShape: false }): Promise<Result<tf.Tensor>>;
  <I extends Inputs>(model: Model, inputs: I, options?: O & { readonly returnInputShape?: true }): Promise<Result<Attributions<I>>>;
  <I extends Inputs>(model: Model, inputs: I, options?: O): Promise<Result<Attributions<I> | tf.Tensor>>;
  readonly descriptor: MethodDescriptor;
}

export type Similarity =
  | { readonly kind: 'cosine' }
  | { readonly kind: 'kernelShap' }
  | { readonly kind: 'custom'; readonly fn: (original: Float32Array, perturbed: Float32Array, sample: readonly number[]) => number };

export interface SurrogatePlan {
  readonly baselines: readonly tf.Tensor[];
  readonly masks: readonly ReadMask[];
  /** M: the interpretable features (ids `0 … M−1`). */
  readonly features: number;
  readonly nSamples: number;
  readonly perEval: number;
  readonly returnInputShape: boolean;
  readonly similarity: Similarity;
  readonly model: InterpretableModel;
  readonly random: Random;
  /** Sample `sample` of surrogate `example` (checked here). */
  draw(info: InterpretableSampleInfo): unknown;
}

/** Interpretable-model option: `{ kind: 'lasso', alpha? }` or `{ kind: 'linearRegression' }`. */
export function interpretableModelOption(value: unknown, fallback: InterpretableModel): Result<InterpretableModel> {
  const path = 'options.interpretableModel';
  if (value === undefined) return ok(fallback);
  const expected = "{ kind: 'lasso', alpha?: a number >= 0, maxIter?: an integer >= 1, tol?: a number > 0 } or { kind: 'linearRegression' }";
  try {
    if (typeof value !== 'object' || value === null) return fail({ _tag: 'InvalidArgument', path, expected, got: describeValue(value) });
    const v = value as Record<string, unknown>;
    if (v['kind'] === 'linearRegression') return ok({ kind: 'linearRegression' });
    if (v['kind'] !== 'lasso') return fail({ _tag: 'InvalidArgument', path: `${path}.kind`, expected: "'lasso' or 'linearRegression'", got: describeValue(v['kind']) });
    const alpha = v['alpha'] ?? 0.01;
    const maxIter = v['maxIter'] ?? 100000;
    const tol = v['tol'] ?? 1e-12;
    if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) return fail({ _tag: 'InvalidArgument', path: `${path}.alpha`, expected: 'a finite number >= 0', got: describeValue(alpha) });
    if (typeof maxIter !== 'number' || !Number.isSafeInteger(maxIter) || maxIter < 1) return fail({ _tag: 'InvalidArgument', path: `${path}.maxIter`, expected: 'an integer >= 1', got: describeValue(maxIter) });
    if (typeof tol !== 'number' || !Number.isFinite(tol) || tol <= 0) return fail({ _tag: 'InvalidArgument', path: `${path}.tol`, expected: 'a finite number > 0', got: describeValue(tol) });
    return ok({ kind: 'lasso', alpha, maxIter, tol });
  } catch {
    return fail({ _tag: 'InvalidArgument', path, expected, got: 'an object whose fields throw when read' });
  }
}

/** The target of example `i` alone. */
function targetOf(resolved: ResolvedTarget, i: number): ResolvedTarget {
  switch (resolved.kind) {
    case 'perExample':
      return { kind: 'perExample', indices: [resolved.indices[i]!] };
    case 'perExamplePath':
      return { kind: 'perExamplePath', paths: [resolved.paths[i]!] };
    case 'tensorValues':
      return resolved.values.length > 1 ? { kind: 'perExample', indices: [resolved.values[i]!] } : resolved;
    default:
      return resolved;
  }
}

const rowOf = (t: tf.Tensor, i: number): tf.Tensor => tf.slice(t, i, 1);

function checkSample(value: unknown, m: number, info: InterpretableSampleInfo): number[] {
  const z = readNumbers(value);
  if (z === undefined || z.length !== m || z.some((b) => b !== 0 && b !== 1)) {
    failWith(samplerError('options.sampler', `${m} values, each 0 or 1, for sample ${info.sample} of surrogate ${info.example}`, z === undefined ? value : `[${z.slice(0, 12).join(',')}${z.length > 12 ? ',…' : ''}] (${z.length} values)`));
  }
  return z!;
}

function fit(model: InterpretableModel, rows: number[][], y: number[], w: number[]): LinearFit {
  return model.kind === 'lasso' ? weightedLasso(rows, y, w, model.alpha ?? 0.01, { maxIter: model.maxIter ?? 100000, tol: model.tol ?? 1e-12 }) : weightedLeastSquares(rows, y, w);
}

/**
 * Runs the surrogates and returns the attributions (float32, in the inputs' shapes, or `[S, M]`
 * coefficients); the caller owns them.
 */
export async function runSurrogates(prepared: PreparedCall, plan: SurrogatePlan, run: CheckedLongRun): Promise<Result<tf.Tensor[]>> {
  const { call, resolved } = prepared;
  const n = call.batchSize;
  let perExample = true;
  if (n > 1) {
    const size = tf.tidy(() => evaluateRows(prepared, call.inputs, 1).size);
    if (size === 1) perExample = false;
    else if (size !== n) {
      return fail({ _tag: 'ModelOutputInvalid', path: 'model', expected: `one selected value per example (${n}) or one per batch, for a surrogate per example or per batch`, got: `${size} values` });
    }
  }
  if (!perExample) {
    if (plan.perEval > 1) return fail({ _tag: 'InvalidArgument', path: 'options.perturbationsPerEval', expected: '1 for a model that returns one value per batch', got: `${plan.perEval}` });
    const perRow = plan.masks.findIndex((m) => m.shape[0] !== 1);
    if (perRow >= 0) return fail({ _tag: 'InvalidArgument', path: call.isTuple ? `options.featureMask[${perRow}]` : 'options.featureMask', expected: 'a mask with dimension 0 of 1 for a model that returns one value per batch', got: `shape ${formatShape(plan.masks[perRow]!.shape)}` });
  }
  const surrogates = perExample ? n : 1;
  const m = plan.features;
  const units = surrogates * plan.nSamples;
  const coefficients: Float32Array[] = [];
  for (let s = 0; s < surrogates; s++) {
    // The surrogate's own call: example s alone (its target, extra tensors, baselines and mask rows), or the whole batch.
    const owned: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
    try {
      const slice = (t: tf.Tensor) => (perExample && n > 1 ? keep(rowOf(t, s)) : t);
      const inputs = call.inputs.map(slice);
      const baselines = plan.baselines.map(slice);
      const maskTensors = plan.masks.map((mk) => (mk.shape[0] === n && n > 1 ? keep(rowOf(mk.tensor, s)) : mk.tensor));
      const maskIds = plan.masks.map((mk) => {
        if (!(mk.shape[0] === n && n > 1)) return mk.ids;
        const per = mk.ids.length / n;
        return mk.ids.subarray(s * per, (s + 1) * per);
      });
      const args = call.args.map((a) => (perExample && n > 1 && isTensor(a) && a.rank > 0 && a.shape[0] === n ? keep(rowOf(a, s)) : a));
      const rows = inputs[0]!.shape[0]!;
      const sub: PreparedCall = { call: { ...call, inputs, args, batchSize: rows }, resolved: perExample && n > 1 ? targetOf(resolved, s) : resolved };
      const original = plan.similarity.kind === 'kernelShap' ? undefined : keep(tf.tidy(() => tf.concat(inputs.map((x) => tf.reshape(tf.cast(x, 'float32'), [1, -1])), 1))); // [1, D]
      const originalData = plan.similarity.kind === 'custom' ? await original!.data() as Float32Array : undefined;
      const zs: number[][] = [];
      const ys: number[] = [];
      const ws: number[] = [];
      for (let start = 0; start < plan.nSamples; start += plan.perEval) {
        const stopped = abortedResult(run);
        if (stopped !== undefined) return stopped;
        const k = Math.min(plan.perEval, plan.nSamples - start);
        const batch = Array.from({ length: k }, (_, p) => {
          const info = { example: s, sample: start + p, featureCount: m, random: plan.random };
          return checkSample(plan.draw(info), m, info);
        });
        const [out, sim, flat] = tf.tidy(() => {
          const perturbed = inputs.map((x, i) => {
            const mk = maskTensors[i]!;
            const bits = new Uint8Array(k * maskIds[i]!.length);
            batch.forEach((z, p) => maskIds[i]!.forEach((id, e) => (bits[p * maskIds[i]!.length + e] = z[id]!)));
            const shape = [k, rows, x.size / rows];
            const on = tf.broadcastTo(tf.tensor(bits, [k, ...mk.shape], 'bool'), shape); // [k, rows, D]
            const moved = tf.where(on, tf.broadcastTo(tf.expandDims(flatRows(x), 0), shape), tf.broadcastTo(tf.expandDims(flatRows(baselines[i]!), 0), shape));
            return tf.reshape(moved, [k * rows, ...x.shape.slice(1)]); // [k·rows, ...], row p·rows + r
          });
          const y = evaluateRows(sub, perturbed, k);
          checkGrowth(y, k, 1);
          if (plan.similarity.kind === 'kernelShap') return [tf.reshape(y, [k]), undefined, undefined] as const;
          const p = tf.concat(perturbed.map((t) => tf.reshape(tf.cast(t, 'float32'), [k, -1])), 1); // [k, D]
          if (plan.similarity.kind === 'custom') return [tf.reshape(y, [k]), undefined, p] as const;
          const o = original!;
          const dot = tf.sum(tf.mul(p, o), 1);
          const norms = tf.mul(tf.maximum(tf.norm(p, 'euclidean', 1), 1e-8), tf.maximum(tf.norm(o), 1e-8));
          return [tf.reshape(y, [k]), tf.div(dot, norms), undefined] as const; // cosine similarity, each norm clamped at 1e-8
        });
        try {
          const yData = await out.data();
          const simData = sim === undefined ? undefined : await sim.data();
          const flatData = flat === undefined ? undefined : await flat.data() as Float32Array;
          batch.forEach((z, p) => {
            zs.push(z);
            ys.push(yData[p]!);
            if (plan.similarity.kind === 'kernelShap') {
              const ones = z.reduce((a, b) => a + b, 0);
              ws.push(ones === 0 || ones === m ? 1e6 : 1);
            } else if (plan.similarity.kind === 'cosine') {
              const d = Math.fround(1 - simData![p]!);
              ws.push(Math.fround(Math.exp(-Math.fround(d * d) / 2))); // exp(−d² / (2·1²)), stored as float32 as in Captum
            } else {
              const width = flatData!.length / k;
              let weight: unknown;
              try {
                weight = plan.similarity.fn(originalData!, flatData!.slice(p * width, (p + 1) * width), z);
              } catch (e) {
                failWith({ _tag: 'InvalidArgument', path: 'options.similarityFunc', expected: 'a function returning a weight', got: `a function that threw (${e instanceof Error ? e.message : String(e)})` });
              }
              if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) failWith({ _tag: 'InvalidArgument', path: 'options.similarityFunc', expected: 'a finite weight >= 0', got: describeValue(weight) });
              ws.push(weight as number);
            }
          });
        } finally {
          out.dispose();
          sim?.dispose();
          flat?.dispose();
        }
        const done = s * plan.nSamples + start + k;
        reportProgress(run, done, units);
        if (done < units && (run.onProgress !== undefined || run.signal !== undefined)) await yieldToEventLoop();
      }
      if (ws.reduce((a, b) => a + b, 0) <= 0) return fail({ _tag: 'InvalidArgument', path: plan.similarity.kind === 'custom' ? 'options.similarityFunc' : 'options.sampler', expected: 'samples with a positive total weight', got: 'weights that are all 0' });
      coefficients.push(Float32Array.from(fit(plan.model, zs, ys, ws).coefficients));
    } finally {
      owned.forEach((t) => t.dispose());
    }
  }
  return ok(
    tf.tidy(() => {
      if (!plan.returnInputShape) return [tf.tensor2d(coefficients.flatMap((c) => Array.from(c)), [surrogates, m])];
      return call.inputs.map((x, i) => {
        const mk = plan.masks[i]!;
        const rows = coefficients.map((c, s) => {
          const per = mk.ids.length / mk.shape[0]!;
          const ids = mk.shape[0] === n && n > 1 ? mk.ids.subarray(s * per, (s + 1) * per) : mk.ids;
          return tf.tensor(Float32Array.from(ids, (id) => c[id]!), [1, ...x.shape.slice(1)]); // every element takes its feature's coefficient
        });
        return rows.length === 1 ? rows[0]! : tf.concat(rows, 0); // [S, ...]
      });
    }),
  );
}

/** The options both surrogate methods read. */
export type SurrogateFields = Partial<
  Record<
    | 'target'
    | 'additionalForwardArgs'
    | 'baselines'
    | 'featureMask'
    | 'nSamples'
    | 'perturbationsPerEval'
    | 'returnInputShape'
    | 'seed'
    | 'sampler'
    | 'interpretableModel'
    | 'similarityFunc'
    | 'onProgress'
    | 'signal',
    unknown
  >
>;

export interface SurrogateDefaults {
  readonly model: InterpretableModel;
  readonly similarity: Similarity;
  /** The default sampler, on the call's seeded stream. */
  readonly sample: (info: InterpretableSampleInfo) => number[];
}

/**
 * Lime's mask rule: masks whose smallest id is not 0 are shifted so that it is (Captum warns and
 * does the same); `M` is then the largest id + 1.
 */
export function shiftedMasks(masks: readonly ReadMask[]): { masks: ReadMask[]; features: number } {
  let low = Infinity;
  let high = -1;
  for (const mk of masks) for (const id of mk.unique) (low = Math.min(low, id), high = Math.max(high, id));
  if (low === 0 || !Number.isFinite(low)) return { masks: [...masks], features: high + 1 };
  const shifted = masks.map((mk) => {
    const ids = mk.ids.map((id) => id - low);
    mk.tensor.dispose();
    return { shape: mk.shape, ids, tensor: tf.tensor(ids, [...mk.shape], 'int32'), unique: mk.unique.map((id) => id - low) };
  });
  return { masks: shifted, features: high - low + 1 };
}

/** The sampler an option gives, or the default, each on the call's seeded stream. */
export const samplerOf = (sampler: ((info: InterpretableSampleInfo) => unknown) | undefined, defaults: SurrogateDefaults) => (info: InterpretableSampleInfo): unknown => {
  if (sampler === undefined) return defaults.sample(info);
  try {
    return sampler(info);
  } catch (e) {
    return failWith({ _tag: 'InvalidArgument', path: 'options.sampler', expected: 'a sampler that returns a sample', got: `a sampler that threw (${e instanceof Error ? e.message : String(e)})` });
  }
};

/** Reads the options, prepares the call, baselines and masks, and runs the surrogates (shared by lime and kernelShap). */
export async function attributeWithSurrogates(model: unknown, inputs: unknown, o: SurrogateFields, defaults: SurrogateDefaults): Promise<Result<unknown>> {
  const prepared = await prepareCall(model, inputs, o.target, o.additionalForwardArgs, PERTURBATION_INPUTS);
  const checked = all({
    nSamples: integerOption(o.nSamples, 'options.nSamples', 25, 1),
    perEval: perturbationsPerEvalOption(o.perturbationsPerEval),
    returnInputShape: booleanOption(o.returnInputShape, 'options.returnInputShape', true),
    seed: seedOption(o.seed),
    sampler: functionOption<(info: InterpretableSampleInfo) => unknown>(o.sampler, 'options.sampler'),
    model: interpretableModelOption(o.interpretableModel, defaults.model),
    similarityFunc: functionOption<(a: Float32Array, b: Float32Array, z: readonly number[]) => number>(o.similarityFunc, 'options.similarityFunc'),
    run: checkLongRun(o.onProgress, o.signal),
  });
  if (prepared._tag === 'Left' || checked._tag === 'Left') return all({ prepared, checked });
  const { call } = prepared.right;
  const c = checked.right;
  const maskForm = checkFeatureMask(o.featureMask, call.inputs);
  const baselines = perturbationBaselines(call.inputs, o.baselines);
  const both = all({ maskForm, baselines, budget: checkPerturbedBatch(call.inputs, c.perEval, 'a surrogate pass') });
  if (both._tag === 'Left') {
    if (baselines._tag === 'Right') baselines.right.forEach((b) => b.dispose());
    return both;
  }
  const read = await readFeatureMasks(both.right.maskForm, call.inputs, Array.isArray(o.featureMask));
  if (read._tag === 'Left') {
    both.right.baselines.forEach((b) => b.dispose());
    return read;
  }
  const { masks, features } = shiftedMasks(read.right);
  try {
    const random = seededRandom(c.seed);
    const result = await runSurrogates(
      prepared.right,
      {
        baselines: both.right.baselines,
        masks,
        features,
        nSamples: c.nSamples,
        perEval: c.perEval,
        returnInputShape: c.returnInputShape,
        similarity: c.similarityFunc === undefined ? defaults.similarity : { kind: 'custom', fn: c.similarityFunc },
        model: c.model,
        random,
        draw: samplerOf(c.sampler, defaults),
      },
      c.run,
    );
    if (result._tag === 'Left') return result;
    return ok(c.returnInputShape ? mirrorForm(call.isTuple, result.right) : result.right[0]!);
  } finally {
    disposeMasks(masks);
    both.right.baselines.forEach((b) => b.dispose());
  }
}
