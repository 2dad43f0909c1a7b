// DeepLift's gradient pass, shared by the DeepLift family (deepLift, deepLiftShap and their layer
// and neuron forms): the model on `concat[x; b]` (2N rows) under DeepLift's rules, the multipliers at
// the input rows (of the inputs, of a layer, or of one neuron), then Captum's attribution step.
import * as tf from '@tensorflow/tfjs-core';
import { convergenceDelta } from '../attribution/convergence-delta.js';
import { tensorizeAgainst } from '../core/baselines.js';
import { tidyResult } from '../core/tidy-result.js';
import { describeValue, isTensor } from '../core/arguments.js';
import { formatShape } from '../core/tensors.js';
import { booleanOption, numberOption } from '../core/options.js';
import { all, errorText, fail, ok, type Result } from '../core/validation.js';
import type { ResolvedTarget } from '../target/target.js';
import { withRules } from './attribution-rules.js';
import { expandArgs, expandTarget } from './expansion.js';
import { gradientsOf } from './gradients.js';
import { layerGradientsAt, neuronGradientsOf } from './layer-gradients.js';
import type { ReachedLayer } from './layer-reach.js';
import { checkAllocation } from './memory-budget.js';
import { type Model, ModelFailure } from './model.js';
import type { CheckedSelector } from './neuron-selector.js';
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

/** The options every DeepLift form with one baseline per example takes besides its target, layer or neuron. */
export const DEEP_LIFT_KEYS = ['baselines', 'multiplyByInputs', 'eps', 'customAttributionFunc'] as const;

/** Checks DeepLift's `multiplyByInputs` (default true), `eps` (default 1e-10) and `customAttributionFunc`. */
export function checkDeepLiftOptions(o: { readonly multiplyByInputs?: unknown; readonly eps?: unknown; readonly customAttributionFunc?: unknown }): Result<DeepLiftSettings> {
  return all({
    multiply: booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true),
    eps: numberOption(o.eps, 'options.eps', 1e-10, 0),
    custom: checkCustomAttributionFunc(o.customAttributionFunc),
  });
}

/** How DeepLift's last step runs: `eps` for the rules, then the custom function or `(a − r) ⊙ m` (`multiply`) or `m`. */
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

/** The call on `concat[x; b]` (2N rows: the inputs, then their baselines), extra tensors repeated ×2 as Captum's `repeat`. */
export function doubledCall(call: ModelCall, bs: readonly tf.Tensor[]): ModelCall {
  return { ...call, inputs: call.inputs.map((x, i) => tf.concat([x, bs[i]!], 0)), batchSize: 2 * call.batchSize, args: expandArgs(call.args, 2, 'repeat') };
}

/** Under DeepLift's rules for the 2N rows of {@link doubledCall}. */
const underRules = <T>(call: ModelCall, eps: number, f: () => T): T => withRules({ method: 'deepLift', eps, rows: 2 * call.batchSize }, f);

/** The input rows (the first N of 2N) of each tensor. */
const inputRows = (ts: readonly tf.Tensor[], n: number): tf.Tensor[] => ts.map((t) => tf.slice(t, 0, n));

/**
 * Captum's last step from the multipliers `m` at points `a` with references `r` (the inputs and
 * baselines, or a layer's `a(x)` and `a(b)`): the custom function, else `(a − r) ⊙ m`, else `m`.
 */
export function deepLiftStep(settings: DeepLiftSettings, m: tf.Tensor[], a: readonly tf.Tensor[], r: readonly tf.Tensor[]): tf.Tensor[] {
  if (settings.custom !== undefined) return customAttributions(settings.custom, m, a, r);
  return settings.multiply ? m.map((mi, i) => tf.mul(tf.sub(a[i]!, r[i]!), mi)) : m;
}

/**
 * DeepLift's attributions for `xs` against full baselines `bs` (one `[N, ...]` tensor per input),
 * with `call.model` already rule-aware (see `ruleModel`). The model runs once on `concat[x; b]`:
 * rows `0..N-1` the inputs, rows `N..2N-1` the baselines; extra tensors and per-example targets are
 * repeated to match (Captum's `repeat` ×2). Synchronous: run inside `tf.tidy`.
 */
export function deepLiftAttributions(call: ModelCall, resolved: ResolvedTarget, bs: readonly tf.Tensor[], settings: DeepLiftSettings): tf.Tensor[] {
  const doubled = doubledCall(call, bs);
  const grads = underRules(call, settings.eps, () => gradientsOf(doubled, expandTarget(resolved, 2, 'repeat')));
  return deepLiftStep(settings, inputRows(grads, call.batchSize), call.inputs, bs); // Captum differentiates w.r.t. the input rows
}

/**
 * Captum's LayerDeepLift pass: the same 2N-row pass, the multipliers taken at the layer's tensors
 * (`layer` reached under DeepLift's rules), the final step on the layer's `a(x)` and `a(b)`.
 * Layer-shaped; synchronous: run inside `tf.tidy`.
 */
export function layerDeepLiftAttributions(layer: ReachedLayer, call: ModelCall, resolved: ResolvedTarget, bs: readonly tf.Tensor[], settings: DeepLiftSettings): tf.Tensor[] {
  const n = call.batchSize;
  const doubled = doubledCall(call, bs);
  const values = underRules(call, settings.eps, () => layer.valueOf(doubled));
  const grads = underRules(call, settings.eps, () => layerGradientsAt(layer, doubled, expandTarget(resolved, 2, 'repeat'), values));
  return deepLiftStep(settings, inputRows(grads, n), inputRows(values, n), values.map((v) => tf.slice(v, n, n)));
}

/**
 * Captum's NeuronDeepLift pass: DeepLift with the neuron as the output (the 2N-row pass, the
 * neuron's multipliers with respect to the inputs at the input rows). Input-shaped; synchronous.
 */
export function neuronDeepLiftAttributions(layer: ReachedLayer, call: ModelCall, selector: CheckedSelector, bs: readonly tf.Tensor[], settings: DeepLiftSettings): tf.Tensor[] {
  const grads = underRules(call, settings.eps, () => neuronGradientsOf(layer, doubledCall(call, bs), selector));
  return deepLiftStep(settings, inputRows(grads, call.batchSize), call.inputs, bs);
}

/**
 * The steps every DeepLift method with one baseline per example shares: the 2N-row pass checked
 * against the backend's budget, the baselines made full (`[N, ...]` per input, released after),
 * `f` run inside `tf.tidy` on them, and with `withDelta` the input-level convergence delta of
 * `model` (`Σ attributions − (F(x) − F(b))`, `target` and `args` as passed) beside them.
 */
export async function withFullBaselines(
  model: Model,
  call: ModelCall,
  given: unknown,
  delta: { readonly withDelta: boolean; readonly target?: unknown; readonly args?: unknown },
  f: (bs: tf.Tensor[]) => tf.Tensor[],
): Promise<Result<{ attributions: tf.Tensor[]; delta?: tf.Tensor1D }>> {
  const n = call.batchSize;
  const rowElements = Math.max(...call.inputs.map((x) => x.size / n));
  const budget = checkAllocation(2 * n * rowElements, 'float32', 'inputs', `DeepLift's pass over ${2 * n} rows (${n} inputs, then their baselines)`, 'attribute fewer examples per call');
  if (budget._tag === 'Left') return budget;
  const baselines = tidyResult(() => tensorizeAgainst(call.inputs, given, 'options.baselines'));
  if (baselines._tag === 'Left') return baselines;
  try {
    const attributions = tidyResult(() => ok(f(baselines.right)));
    if (attributions._tag === 'Left' || !delta.withDelta) return attributions._tag === 'Left' ? attributions : ok({ attributions: attributions.right });
    const d = await convergenceDelta(model, { attributions: attributions.right, endPoint: call.inputs, startPoint: baselines.right, target: delta.target as never, additionalForwardArgs: delta.args });
    if (d._tag === 'Left') {
      tf.dispose(attributions.right);
      return d;
    }
    return ok({ attributions: attributions.right, delta: d.right });
  } finally {
    tf.dispose(baselines.right);
  }
}
