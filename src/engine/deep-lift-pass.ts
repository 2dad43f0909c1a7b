// DeepLift's gradient pass, shared by deepLift and deepLiftShap: the model on `concat[x; b]` (2N
// rows) under DeepLift's rules, the multipliers at the input rows, then Captum's attribution step.
import * as tf from '@tensorflow/tfjs-core';
import { describeValue, isTensor } from '../core/arguments.js';
import { formatShape } from '../core/tensors.js';
import { errorText, fail, ok, type Result } from '../core/validation.js';
import type { ResolvedTarget } from '../target/target.js';
import { withRules } from './attribution-rules.js';
import { expandArgs, expandTarget } from './expansion.js';
import { gradientsOf } from './gradients.js';
import { ModelFailure } from './model.js';
import type { ModelCall } from './run-forward.js';

/**
 * Captum's `custom_attribution_func`, called by its number of parameters: `(multipliers)`,
 * `(multipliers, inputs)` or `(multipliers, inputs, baselines)`, each an array with one tensor per
 * input (Captum's tuples); it returns one attribution tensor per input, batch on axis 0.
 *
 * @example
 * const gradientTimesInput: CustomAttributionFunc = (m, x) => m.map((mi, i) => tf.mul(mi, x![i]!));
 */
export type CustomAttributionFunc = (multipliers: tf.Tensor[], inputs?: tf.Tensor[], baselines?: tf.Tensor[]) => tf.Tensor[];

/** A custom attribution function taking one to three parameters, or absent. */
export function checkCustomAttributionFunc(value: unknown, path = 'options.customAttributionFunc'): Result<CustomAttributionFunc | undefined> {
  if (value === undefined) return ok(undefined);
  if (typeof value === 'function' && value.length >= 1 && value.length <= 3) return ok(value as CustomAttributionFunc);
  return fail({
    _tag: 'InvalidArgument',
    path,
    expected: 'a function of 1 to 3 parameters (multipliers, inputs?, baselines?) returning one tensor per input',
    got: typeof value === 'function' ? `a function of ${value.length} parameters` : describeValue(value),
  });
}

export interface DeepLiftSettings {
  readonly eps: number;
  readonly multiply: boolean;
  readonly custom: CustomAttributionFunc | undefined;
}

export function customAttributions(f: CustomAttributionFunc, m: tf.Tensor[], xs: readonly tf.Tensor[], bs: readonly tf.Tensor[]): tf.Tensor[] {
  const path = 'options.customAttributionFunc';
  let out: unknown;
  try {
    out = f.length === 1 ? f(m) : f.length === 2 ? f(m, [...xs]) : f(m, [...xs], [...bs]);
  } catch (e) {
    throw new ModelFailure({ _tag: 'ModelThrew', path, message: errorText(e) });
  }
  const rows = xs[0]!.shape[0];
  if (!Array.isArray(out) || out.length !== xs.length || !out.every((t) => isTensor(t) && !t.isDisposed && t.rank > 0 && t.shape[0] === rows)) {
    const got = Array.isArray(out) ? `[${out.map((t) => (isTensor(t) ? `tensor ${formatShape(t.shape)}` : describeValue(t))).join(', ')}]` : describeValue(out);
    throw new ModelFailure({ _tag: 'InvalidArgument', path, expected: `an array of ${xs.length} tensor(s) with ${rows} rows on axis 0 (one per input)`, got });
  }
  return (out as tf.Tensor[]).map((t) => (xs.includes(t) || m.includes(t) || bs.includes(t) ? tf.clone(t) : t));
}

/**
 * DeepLift's attributions for `xs` against full baselines `bs` (one `[N, ...]` tensor per input),
 * with `call.model` already rule-aware (see `ruleModel`). The model runs once on `concat[x; b]`:
 * rows `0..N-1` the inputs, rows `N..2N-1` the baselines; extra tensors and per-example targets are
 * repeated to match (Captum's `repeat` ×2). Synchronous: run inside `tf.tidy`.
 */
export function deepLiftAttributions(call: ModelCall, resolved: ResolvedTarget, bs: readonly tf.Tensor[], settings: DeepLiftSettings): tf.Tensor[] {
  const n = call.batchSize;
  const xs = call.inputs;
  const doubled = xs.map((x, i) => tf.concat([x, bs[i]!], 0)); // [2N, ...]: inputs, then baselines
  const expanded: ModelCall = { ...call, inputs: doubled, batchSize: 2 * n, args: expandArgs(call.args, 2, 'repeat') };
  const grads = withRules({ method: 'deepLift', eps: settings.eps, rows: 2 * n }, () => gradientsOf(expanded, expandTarget(resolved, 2, 'repeat')));
  const multipliers = grads.map((g) => tf.slice(g, 0, n)); // [N, ...]: the input rows only, as Captum differentiates w.r.t. the inputs
  if (settings.custom !== undefined) return customAttributions(settings.custom, multipliers, xs, bs);
  return settings.multiply ? multipliers.map((m, i) => tf.mul(tf.sub(xs[i]!, bs[i]!), m)) : multipliers;
}
