// Captum's neuron selection (`_verify_select_neuron`): one value per example picked from a layer's
// tensor, by an index tuple (ranges summed per example, as Captum sums slices) or by a function.
import * as tf from '@tensorflow/tfjs-core';
import { describeValue, readArray, readFields } from '../core/arguments.js';
import type { AttributionError } from '../core/errors.js';
import { formatShape } from '../core/tensors.js';
import { errorText, fail, failAll, ok, type Result } from '../core/validation.js';
import { ModelFailure } from './model.js';

/**
 * A range of indices along one dimension, as Python's `start:stop` (step 1): `start` defaults to 0,
 * `stop` to the end; negative values count from the end; out-of-range bounds are clipped.
 *
 * @example
 * const firstTwo: NeuronRange = { start: 0, stop: 2 }; // Captum's 0:2
 * const lastOne: NeuronRange = { start: -1 };           // Captum's -1:
 */
export interface NeuronRange {
  readonly start?: number;
  readonly stop?: number;
}

/**
 * Which neuron of a layer: Captum's `neuron_selector`.
 * - an integer `i`: `layer[:, i]` (needs a 2-D layer);
 * - an array of integers and ranges: `layer[:, ...indices]`, in the layer's own layout (for a conv
 *   layer `[h, w, c]`, channels last). With any range the selected block is summed per example;
 *   without one the indices must cover every non-batch dimension;
 * - a function of the layer's tensor (or of its tensors, as an array, for a layer with several)
 *   returning one value per example, shape `[N]`.
 *
 * @example
 * const unit: NeuronSelector = 3;                                           // fc1[:, 3]
 * const pixel: NeuronSelector = [1, 2, 3];                                   // conv1[:, 1, 2, 3] (h, w, c)
 * const block: NeuronSelector = [{ start: 0, stop: 2 }, { start: 1, stop: 3 }, 2]; // 2x2 block of channel 2, summed
 * const custom: NeuronSelector = (a) => tf.sum(a as tf.Tensor, [1, 2, 3]);  // all of a conv layer
 */
export type NeuronSelector = number | readonly (number | NeuronRange)[] | ((layer: tf.Tensor | tf.Tensor[]) => tf.Tensor);

type Entry = number | { readonly start: number | undefined; readonly stop: number | undefined };

/** A selector whose form has been checked (not yet against a layer's shape). */
export type CheckedSelector =
  | { readonly kind: 'index'; readonly entries: readonly Entry[] }
  | { readonly kind: 'function'; readonly fn: (layer: tf.Tensor | tf.Tensor[]) => unknown };

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** Checks the form of a neuron selector; its indices are checked against the layer by {@link selectNeuron}. */
export function checkNeuronSelector(value: unknown, path = 'options.neuronSelector'): Result<CheckedSelector> {
  const expected = 'a neuron selector: an integer, an array of integers and { start, stop } ranges, or a function of the layer tensor';
  if (typeof value === 'function') return ok({ kind: 'function', fn: value as (layer: tf.Tensor | tf.Tensor[]) => unknown });
  if (isInt(value)) return ok({ kind: 'index', entries: [value] });
  if (!Array.isArray(value)) return fail({ _tag: 'InvalidArgument', path, expected, got: describeValue(value) });
  const items = readArray(value, path);
  if (items._tag === 'Left') return items;
  const errors: AttributionError[] = [];
  const entries: Entry[] = [];
  for (const [i, item] of items.right.entries()) {
    if (isInt(item)) {
      entries.push(item);
      continue;
    }
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const f = readFields(item, `${path}[${i}]`, ['start', 'stop']);
      if (f._tag === 'Left') {
        errors.push(...f.left);
        continue;
      }
      const { start, stop } = f.right;
      const bad = [['start', start], ['stop', stop]].filter(([, v]) => v !== undefined && v !== null && !isInt(v));
      for (const [k, v] of bad) errors.push({ _tag: 'InvalidArgument', path: `${path}[${i}].${k as string}`, expected: 'an integer (or nothing)', got: describeValue(v) });
      if (bad.length === 0) entries.push({ start: (start ?? undefined) as number | undefined, stop: (stop ?? undefined) as number | undefined });
      continue;
    }
    errors.push({ _tag: 'InvalidArgument', path: `${path}[${i}]`, expected: 'an integer or a { start, stop } range', got: describeValue(item) });
  }
  return failAll(errors) ?? ok({ kind: 'index', entries });
}

const refuse = (path: string, expected: string, got: string): never => {
  throw new ModelFailure({ _tag: 'InvalidArgument', path, expected, got });
};

/** Python's slice bounds (step 1) on a dimension of `size`. */
function sliceBounds(start: number | undefined, stop: number | undefined, size: number): [number, number] {
  const norm = (v: number | undefined, fallback: number): number => (v === undefined ? fallback : v < 0 ? Math.max(0, v + size) : Math.min(v, size));
  const b = norm(start, 0);
  const e = norm(stop, size);
  return [b, Math.max(b, e)];
}

/**
 * The selected neuron of a layer's tensors, one value per example (`[N]`). Synchronous, taped:
 * call inside `tf.tidy` or a gradient function. A selector that does not fit the layer throws a
 * {@link ModelFailure} with an `InvalidArgument` at `path`.
 */
export function selectNeuron(layer: readonly tf.Tensor[], selector: CheckedSelector, path = 'options.neuronSelector'): tf.Tensor {
  const n = layer[0]?.shape[0] ?? 0;
  if (selector.kind === 'function') {
    let out: unknown;
    try {
      out = selector.fn(layer.length === 1 ? layer[0]! : [...layer]);
    } catch (e) {
      throw new ModelFailure({ _tag: 'ModelThrew', path, message: errorText(e) });
    }
    if (!(out instanceof tf.Tensor) || out.isDisposed || out.shape[0] !== n || out.size !== n) {
      refuse(path, `a function returning one value per example (shape [${n}])`, out instanceof tf.Tensor ? `a tensor of shape ${formatShape(out.shape)}` : describeValue(out));
    }
    return tf.reshape(tf.cast(out as tf.Tensor, 'float32'), [n]);
  }
  if (layer.length !== 1) refuse(path, `a function selector: the layer has ${layer.length} tensors, and indices select from one`, 'indices');
  const a = layer[0]!;
  const dims = a.shape.slice(1);
  if (selector.entries.length > dims.length) {
    refuse(path, `at most ${dims.length} indices for a layer of shape ${formatShape(a.shape)}`, `${selector.entries.length}`);
  }
  const begin = [0];
  const size = [n];
  let ranged = false;
  selector.entries.forEach((e, d) => {
    const dim = dims[d]!;
    if (typeof e === 'number') {
      if (e < -dim || e >= dim) refuse(`${path}[${d}]`, `an index in [${-dim}, ${dim - 1}] for layer dimension ${d + 1} of size ${dim}`, `${e}`);
      begin.push(e < 0 ? e + dim : e);
      size.push(1);
    } else {
      ranged = true;
      const [b, end] = sliceBounds(e.start, e.stop, dim);
      begin.push(b);
      size.push(end - b);
    }
  });
  if (!ranged && selector.entries.length < dims.length) {
    refuse(path, `${dims.length} indices (one per dimension of the layer's shape ${formatShape(a.shape)}), or ranges to sum over`, `${selector.entries.length}`);
  }
  const picked = tf.slice(a, begin, [...size, ...dims.slice(selector.entries.length).map(() => -1)]);
  return ranged ? tf.sum(tf.reshape(picked, [n, -1]), 1) : tf.reshape(picked, [n]); // [N]
}
