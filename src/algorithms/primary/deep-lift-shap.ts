// Captum's DeepLiftShap: DeepLift against every baseline of a distribution, averaged.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import { convergenceDelta } from '../../attribution/convergence-delta.js';
import { describeValue, isTensor } from '../../core/arguments.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, optionalIntegerOption, readOptions } from '../../core/options.js';
import { elementPath, formatShape, mirrorForm } from '../../core/tensors.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, allOf, attemptAsync, errorText, fail, ok, type Result } from '../../core/validation.js';
import { abortedResult, checkLongRun, chunkRanges, type LongRunOptions, reportProgress, yieldToEventLoop } from '../../engine/chunks.js';
import { checkCustomAttributionFunc, type CustomAttributionFunc, deepLiftAttributions } from '../../engine/deep-lift-pass.js';
import { expandRows, expandTarget } from '../../engine/expansion.js';
import { ruleModel } from '../../engine/layers-walk.js';
import { checkAllocation, copiesThatFit } from '../../engine/memory-budget.js';
import { type DeltaAttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { prepareCall } from '../../engine/prepare-call.js';
import type { ModelCall } from '../../engine/run-forward.js';
import { type ResolvedTarget, type Target, target } from '../../target/target.js';

/**
 * A baseline distribution: a tensor `[B, ...]` with `B >= 2` rows for one input, or one such tensor
 * per input (all with the same `B`), or a function returning either. A function of no parameters
 * is called as `f()`, otherwise as `f(inputs)` (the inputs as passed), as in Captum.
 *
 * @example
 * const fromData: BaselineDistribution = tf.randomNormal([8, 3], 0, 0.1, 'float32', 7);
 * const perCall: BaselineDistribution = (x: tf.Tensor | tf.Tensor[]) => tf.zeros([4, ...(x as tf.Tensor).shape.slice(1)]);
 */
export type BaselineDistribution = tf.Tensor | readonly tf.Tensor[] | ((inputs?: tf.Tensor | tf.Tensor[]) => tf.Tensor | readonly tf.Tensor[]);

/**
 * Options of {@link deepLiftShap}: Captum's `DeepLiftShap(model, multiply_by_inputs)` and
 * `attribute(...)` keyword arguments, in camelCase, plus a batch size and progress.
 *
 * @example
 * const options: DeepLiftShapOptions = { baselines: tf.zeros([4, 3]), target: 0, internalBatchSize: 64, returnConvergenceDelta: true };
 */
export interface DeepLiftShapOptions extends MethodOptions, LongRunOptions {
  /** Required: the baseline distribution (see {@link BaselineDistribution}). */
  readonly baselines: BaselineDistribution;
  /** Multiply the multipliers by `inputs - baselines` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Also return the convergence delta of every (example, baseline) pair, `[N·B]` in row order `i·B + j`. */
  readonly returnConvergenceDelta?: boolean;
  /** Replaces the final step of each pair (see {@link CustomAttributionFunc}); the pairs are then averaged. */
  readonly customAttributionFunc?: CustomAttributionFunc;
  /**
   * (Example, baseline) pairs per gradient pass. The `N·B` pairs (row `i·B + j`: example `i` with
   * baseline `j`) run in consecutive chunks of this many; each pass holds twice as many rows (the
   * pairs' inputs, then their baselines). Without it the pairs are split only where one pass would
   * not fit the backend. Same result either way, up to float32 summation order, except where rules
   * couple rows: the softmax rule's mean and the maxpool fallback's row 0 then span one chunk, as if
   * Captum were called on that chunk.
   */
  readonly internalBatchSize?: number;
}

const KEYS = [
  'target',
  'additionalForwardArgs',
  'baselines',
  'multiplyByInputs',
  'returnConvergenceDelta',
  'customAttributionFunc',
  'internalBatchSize',
  'onProgress',
  'signal',
] as const;

const PATH = 'options.baselines';

/** Calls a baseline function (Captum's `_format_callable_baseline`); the tensors it made are marked as the call's own. */
function callBaselines(f: (...a: unknown[]) => unknown, inputs: Inputs): Result<{ value: unknown; firstNewId: number }> {
  const marker = tf.scalar(0);
  const firstNewId = marker.id + 1;
  marker.dispose();
  try {
    const value = tf.tidy(() => (f.length === 0 ? f() : f(Array.isArray(inputs) ? [...inputs] : inputs)) as tf.TensorContainer); // what it made and dropped is released
    return ok({ value, firstNewId });
  } catch (e) {
    return fail({ _tag: 'ModelThrew', path: PATH, message: `the baselines function threw: ${errorText(e)}` });
  }
}

/** The distribution as one `[B, ...input]` tensor per input, all with the same `B >= 2`. */
function checkDistribution(value: unknown, inputs: readonly tf.Tensor[], isTuple: boolean): Result<tf.Tensor[]> {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  if (list.length !== inputs.length) return fail({ _tag: 'BaselineCountMismatch', path: PATH, inputs: inputs.length, baselines: list.length });
  const tuple = isTuple || Array.isArray(value);
  const first = list[0];
  const b = isTensor(first) && first.rank > 0 ? (first.shape[0] as number) : undefined;
  return allOf(
    list.map((t, i): Result<tf.Tensor> => {
      const path = elementPath(PATH, tuple, i);
      if (!isTensor(t)) return fail({ _tag: 'BaselineTypeInvalid', path, got: `${describeValue(t)} (DeepLiftShap needs a tensor of baselines [B, ...] for every input)` });
      if (t.isDisposed) return fail({ _tag: 'TensorDisposed', path });
      const input = inputs[i]!;
      const rest = input.shape.slice(1);
      const sameRest = t.rank === input.rank && t.shape.slice(1).every((d, k) => d === rest[k]);
      const rowsOk = i === 0 ? b !== undefined && b > 1 : t.shape[0] === b;
      if (!sameRest || !rowsOk || t.dtype !== 'float32') {
        const want = i === 0 ? `a float32 distribution of at least 2 baselines, [B, ${rest.join(', ')}] with B >= 2` : `a float32 tensor [${b}, ${rest.join(', ')}] (as many baselines as the first input's)`;
        return fail({ _tag: 'InvalidArgument', path, expected: want, got: `a ${t.dtype} tensor of shape ${formatShape(t.shape)}` });
      }
      return ok(t);
    }),
  );
}

/**
 * `[N, ...]` to `[N·k, ...]`, each row k times in place (row `i·k + j`), through a rank-3 tile: the
 * webgpu backend tiles rank >= 5 tensors on the CPU with a synchronous read it cannot do in Node.
 */
function interleaveRows(t: tf.Tensor, k: number): tf.Tensor {
  const [n, ...rest] = t.shape as [number, ...number[]];
  const tiled = tf.tile(tf.reshape(t, [n, 1, tf.util.sizeFromShape(rest)]), [1, k, 1]); // [N, k, features]
  return tf.reshape(tiled, [n * k, ...rest]); // [N·k, ...]
}

/** One chunk of pairs `[start, end)`: the pairs' DeepLift attributions summed per example `[N, ...]`, and their deltas' inputs. */
function chunkAttributions(
  pairs: { readonly x: tf.Tensor[]; readonly b: tf.Tensor[]; readonly args: unknown[]; readonly target: ResolvedTarget },
  call: ModelCall,
  ruled: Model,
  start: number,
  end: number,
  settings: { multiply: boolean; custom: CustomAttributionFunc | undefined },
  n: number,
  bCount: number,
): { sums: tf.Tensor[]; attributions: tf.Tensor[] } {
  const rows = end - start;
  const slice = (t: tf.Tensor): tf.Tensor => tf.slice(t, start, rows);
  const x = pairs.x.map(slice);
  const b = pairs.b.map(slice);
  const args = pairs.args.map((a) => (isTensor(a) && a.rank > 0 ? slice(a) : a));
  const target = sliceTarget(pairs.target, start, end);
  const attributions = deepLiftAttributions({ ...call, model: ruled, inputs: x, batchSize: rows, args }, target, b, { eps: 1e-10, ...settings });
  // Which example each pair belongs to: a [N, rows] 0/1 matrix, so one matMul sums a chunk's pairs per example.
  const owner = new Float32Array(n * rows);
  for (let r = 0; r < rows; r++) owner[Math.floor((start + r) / bCount) * rows + r] = 1;
  const perExample = tf.tensor2d(owner, [n, rows]); // [N, rows]
  const sums = attributions.map((a) => {
    const flat = tf.reshape(a, [rows, -1]); // [rows, features]
    return tf.reshape(tf.matMul(perExample, flat), [n, ...a.shape.slice(1)]); // [N, ...]
  });
  return { sums, attributions };
}

function sliceTarget(t: ResolvedTarget, start: number, end: number): ResolvedTarget {
  switch (t.kind) {
    case 'perExample':
      return { kind: 'perExample', indices: t.indices.slice(start, end) };
    case 'perExamplePath':
      return { kind: 'perExamplePath', paths: t.paths.slice(start, end) };
    case 'tensorValues':
      return t.values.length <= 1 ? t : { kind: 'tensorValues', values: t.values.slice(start, end), shape: [end - start] };
    default:
      return t;
  }
}

async function run(model: Model, inputs: Inputs, options?: DeepLiftShapOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    multiply: booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true),
    withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false),
    custom: checkCustomAttributionFunc(o.customAttributionFunc),
    internalBatchSize: optionalIntegerOption(o.internalBatchSize, 'options.internalBatchSize', 1),
    longRun: checkLongRun(o.onProgress, o.signal),
    baselines:
      o.baselines === undefined || o.baselines === null
        ? fail({ _tag: 'InvalidArgument', path: PATH, expected: 'a baseline distribution: a tensor [B, ...] with B >= 2 (one per input), or a function returning it', got: describeValue(o.baselines) })
        : ok(o.baselines),
  });
  const prepared = await prepareCall(model, inputs, o.target, o.additionalForwardArgs);
  if (checked._tag === 'Left' || prepared._tag === 'Left') return all({ checked, prepared });
  const { multiply, withDelta, custom, internalBatchSize, longRun } = checked.right;
  const { call, resolved } = prepared.right;
  const ruled = ruleModel(call.model, 'deepLift', call.args);
  if (ruled._tag === 'Left') return ruled;

  const given = typeof o.baselines === 'function' ? callBaselines(o.baselines as (...a: unknown[]) => unknown, inputs) : ok({ value: o.baselines as unknown, firstNewId: Infinity });
  if (given._tag === 'Left') return given;
  const made = (Array.isArray(given.right.value) ? given.right.value : [given.right.value]).filter((t): t is tf.Tensor => isTensor(t) && t.id >= given.right.firstNewId);
  const owned: tf.Tensor[] = [];
  try {
    const distribution = checkDistribution(given.right.value, call.inputs, call.isTuple);
    if (distribution._tag === 'Left') return distribution;
    const n = call.batchSize;
    const bCount = distribution.right[0]!.shape[0] as number;
    const total = n * bCount;
    const rowElements = Math.max(...call.inputs.map((x) => x.size / n));
    const pairsPerPass = internalBatchSize ?? Math.max(1, Math.floor(copiesThatFit(2 * rowElements, 'float32', total)));
    const budget = checkAllocation(
      Math.max(total, 2 * Math.min(pairsPerPass, total)) * rowElements, // the largest single tensor: the pair batch, or one pass's doubled rows
      'float32',
      'options.internalBatchSize',
      `DeepLiftShap's ${total} pairs and a pass over ${2 * Math.min(pairsPerPass, total)} rows`,
      'pass a smaller internalBatchSize, or fewer examples or baselines',
    );
    if (budget._tag === 'Left') return budget;

    // The pair batch: row i·B + j is example i with baseline j (inputs repeat_interleave(B), baselines tiled N times).
    const expand = (t: tf.Tensor, k: number, order: 'repeat' | 'interleave'): tf.Tensor => {
      const e = tf.tidy(() => tf.clone(order === 'interleave' ? interleaveRows(t, k) : expandRows(t, k, order))); // a new tensor even for k = 1
      owned.push(e);
      return e;
    };
    const pairs = {
      x: call.inputs.map((x) => expand(x, bCount, 'interleave')), // [N·B, ...]
      b: distribution.right.map((b) => expand(b, n, 'repeat')), // [N·B, ...]
      args: call.args.map((a) => (isTensor(a) && a.rank > 0 ? expand(a, bCount, 'interleave') : a)),
      target: expandTarget(resolved, bCount, 'interleave'),
    };

    let sums: tf.Tensor[] | undefined;
    const pairAttributions: tf.Tensor[][] = [];
    for (const { start, end } of chunkRanges(total, pairsPerPass)) {
      const stopped = abortedResult(longRun);
      if (stopped !== undefined) return stopped;
      const previous = sums;
      const part = tidyResult(() => {
        const chunk = chunkAttributions(pairs, call, ruled.right, start, end, { multiply, custom }, n, bCount);
        const next = previous === undefined ? chunk.sums : chunk.sums.map((s, i) => tf.add(previous[i]!, s)); // chunks summed in order
        return ok(withDelta ? [...next, ...chunk.attributions] : next);
      });
      if (part._tag === 'Left') return part;
      previous?.forEach((t) => t.dispose());
      sums = part.right.slice(0, call.inputs.length);
      owned.push(...sums);
      if (withDelta) {
        const chunkAttr = part.right.slice(call.inputs.length);
        owned.push(...chunkAttr);
        pairAttributions.push(chunkAttr);
      }
      reportProgress(longRun, end, total);
      if (end < total) await yieldToEventLoop();
    }
    const attributions = tf.tidy(() => sums!.map((s) => tf.div(s, bCount))); // the mean over the B baselines
    if (!withDelta) return ok(mirrorForm(call.isTuple, attributions));
    const delta = await pairDeltas(model, pairs, pairAttributions, chunkRanges(total, pairsPerPass));
    if (delta._tag === 'Left') {
      attributions.forEach((t) => t.dispose());
      return delta;
    }
    return ok({ attributions: mirrorForm(call.isTuple, attributions), delta: delta.right });
  } finally {
    for (const t of owned) t.dispose();
    for (const t of made) if (!t.isDisposed) t.dispose();
  }
}

/** A resolved target back in the public form convergenceDelta takes. */
function targetOf(t: ResolvedTarget): Target {
  switch (t.kind) {
    case 'none':
      return undefined;
    case 'path':
      return target.path(...t.indices);
    case 'perExample':
      return t.indices;
    case 'perExamplePath':
      return target.perExamplePath(t.paths);
    case 'tensorValues':
      return t.values.length === 1 ? t.values[0] : t.values; // one element acts as an int, N as a list (Captum)
    case 'reduce':
      return target.reduce(t.fn);
  }
}

/** Per-pair deltas, as Captum: each chunk's pair attributions against its pairs, concatenated in row order i·B + j. */
async function pairDeltas(
  model: Model,
  pairs: { readonly x: tf.Tensor[]; readonly b: tf.Tensor[]; readonly args: unknown[]; readonly target: ResolvedTarget },
  pairAttributions: readonly tf.Tensor[][],
  chunks: readonly { readonly start: number; readonly end: number }[],
): Promise<Result<tf.Tensor1D>> {
  const deltas: tf.Tensor[] = [];
  try {
    for (const [k, { start, end }] of chunks.entries()) {
      const made: tf.Tensor[] = [];
      const slice = (t: tf.Tensor): tf.Tensor => {
        const s = tf.slice(t, start, end - start);
        made.push(s);
        return s;
      };
      try {
        const delta = await convergenceDelta(model, {
          attributions: pairAttributions[k]!,
          endPoint: pairs.x.map(slice),
          startPoint: pairs.b.map(slice),
          target: targetOf(sliceTarget(pairs.target, start, end)),
          additionalForwardArgs: pairs.args.map((a) => (isTensor(a) && a.rank > 0 ? slice(a) : a)),
        });
        if (delta._tag === 'Left') return delta;
        deltas.push(delta.right);
      } finally {
        made.forEach((t) => t.dispose());
      }
    }
    return ok(tf.concat(deltas, 0) as tf.Tensor1D); // [N·B], row i·B + j
  } finally {
    deltas.forEach((t) => t.dispose());
  }
}

/**
 * Captum's `DeepLiftShap`: DeepLift (see {@link deepLift}) of every example against every baseline
 * of a distribution `[B, ...]`, averaged over the baselines, an approximation of SHAP values. The
 * `N·B` (example, baseline) pairs run as one DeepLift batch (row `i·B + j`; per-example targets and
 * extra tensors repeated to match), in chunks of `internalBatchSize` pairs. Non-linearities are found
 * as for `deepLift` (tfjs-layers models) or marked with {@link attributionOps} (forward functions).
 * With `returnConvergenceDelta` the result is `{ attributions, delta }`, with one delta per pair,
 * `[N·B]` in row order `i·B + j` (not averaged), as Captum. Inputs and baselines must be float32;
 * the attributions mirror the inputs' form and belong to the caller.
 *
 * @example
 * const { relu } = attributionOps;
 * const model = (x: tf.Tensor) => tf.sum(relu(x), 1, true);
 * const x = tf.tensor2d([[1, -2]]);
 * const r = await deepLiftShap(model, x, { baselines: tf.tensor2d([[0, 0], [-1, 1]]), returnConvergenceDelta: true });
 * // Right({ attributions: tensor [[1, -0.5]], delta: tensor [0, 0] }): the mean of [1, 0] and [1, -1]
 */
export const deepLiftShap: DeltaAttributionMethod<DeepLiftShapOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'deepLiftShap')),
  descriptorOf('DeepLiftShap'),
);
