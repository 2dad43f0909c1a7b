// Captum's feature masks (`_format_feature_mask`, `_construct_default_feature_mask`): which elements
// of each input move together. A mask holds integer ids; elements sharing an id form one feature,
// and an id used in several inputs' masks is one feature spanning those inputs.
import * as tf from '@tensorflow/tfjs-core';
import { describeValue, isTensor, readArray } from '../core/arguments.js';
import type { AttributionError } from '../core/errors.js';
import { elementPath, formatShape } from '../core/tensors.js';
import { allOf, fail, ok, type Result } from '../core/validation.js';

/**
 * Feature ids, one int32 (or integer-valued float32) tensor per input, each broadcasting against its
 * input: shape `[1 or N, ...]` over the input's non-batch dimensions (a dimension may be 1 to span the
 * whole axis; leading dimensions may be left out). Ids are non-negative integers. A single tensor
 * serves a single input.
 *
 * @example
 * const groups: FeatureMask = tf.tensor2d([[0, 0, 1, 1, 2, 2]], [1, 6], 'int32'); // 3 features of 2 columns
 * const quadrants: FeatureMask = tf.tensor4d([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3], [1, 4, 4, 1], 'int32'); // [N, 4, 4, C] images
 */
export type FeatureMask = tf.Tensor | readonly tf.Tensor[];

/**
 * One input's mask, read and expanded over the input's non-batch dimensions, then flattened:
 * `[1 or N, D]` with `D` the input's elements per example (the engines work on inputs flattened to
 * `[N, D]`, which keeps every op at rank 4 or less for the webgpu backend).
 */
export interface ReadMask {
  /** `[1 or N, D]`. */
  readonly shape: readonly number[];
  readonly ids: Int32Array;
  /** The mask as an int32 tensor of `shape` (kept by the caller; dispose with {@link disposeMasks}). */
  readonly tensor: tf.Tensor;
  /** Its distinct ids, ascending. */
  readonly unique: readonly number[];
}

/** Checks the form of a mask option: one tensor per input, each broadcasting against it (values are read later). */
export function checkFeatureMask(value: unknown, inputs: readonly tf.Tensor[], path = 'options.featureMask'): Result<readonly tf.Tensor[] | undefined> {
  if (value === undefined || value === null) return ok(undefined);
  const isTuple = Array.isArray(value);
  const list = isTuple ? readArray(value as unknown[], path) : ok([value]);
  if (list._tag === 'Left') return list;
  if (list.right.length !== inputs.length) {
    return fail({ _tag: 'InvalidArgument', path, expected: `one mask per input (${inputs.length})`, got: isTuple ? `${list.right.length} masks` : 'a single mask' });
  }
  return allOf(
    list.right.map((m, k): Result<tf.Tensor> => {
      const at = elementPath(path, isTuple, k);
      const x = inputs[k]!;
      if (!isTensor(m)) return fail({ _tag: 'InvalidArgument', path: at, expected: 'an int32 tensor of feature ids', got: describeValue(m) });
      if (m.isDisposed) return fail({ _tag: 'TensorDisposed', path: at });
      if (m.dtype !== 'int32' && m.dtype !== 'float32') return fail({ _tag: 'DtypeUnsupported', path: at, expected: 'int32 (or float32 holding integers)', got: m.dtype });
      const n = x.shape[0] as number;
      const padded = [...Array.from({ length: Math.max(0, x.rank - m.rank) }, () => 1), ...m.shape];
      const fits = m.rank <= x.rank && padded.every((d, i) => d === 1 || d === x.shape[i] || (i === 0 && d === n));
      if (!fits) {
        return fail({
          _tag: 'InvalidArgument',
          path: at,
          expected: `a mask that broadcasts against the input ${formatShape(x.shape)} (each dimension equal or 1, dimension 0 being 1 or ${n})`,
          got: `shape ${formatShape(m.shape)}`,
        });
      }
      return ok(m);
    }),
  );
}

/**
 * Reads checked masks (or builds the default one: every scalar its own feature, ids consecutive
 * across inputs, shape `[1, ...x.shape[1:]]`). Ids must be non-negative integers.
 */
export async function readFeatureMasks(masks: readonly tf.Tensor[] | undefined, inputs: readonly tf.Tensor[], isTuple: boolean, path = 'options.featureMask'): Promise<Result<ReadMask[]>> {
  const read: ReadMask[] = [];
  let offset = 0;
  const errors: AttributionError[] = [];
  for (const [k, x] of inputs.entries()) {
    const m = masks?.[k];
    const padded = m === undefined ? [1, ...x.shape.slice(1)] : [...Array.from({ length: x.rank - m.rank }, () => 1), ...m.shape];
    const d = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const shape = [padded[0]!, d];
    let ids: Int32Array;
    if (m === undefined) {
      ids = Int32Array.from({ length: d }, (_, i) => offset + i);
      offset += d;
    } else {
      const data = await m.data();
      const bad = Array.prototype.findIndex.call(data, (v: number) => !Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1);
      if (bad >= 0) {
        errors.push({ _tag: 'InvalidArgument', path: elementPath(path, isTuple, k), expected: 'feature ids that are non-negative integers', got: `${data[bad]} at flat index ${bad}` });
        continue;
      }
      ids = broadcastIds(data, padded, [padded[0]!, ...x.shape.slice(1)]);
    }
    read.push({ shape, ids, tensor: tf.tensor(ids, shape, 'int32'), unique: [...new Set(ids)].sort((a, b) => a - b) });
  }
  if (errors.length > 0) {
    disposeMasks(read);
    return fail(errors[0]!);
  }
  return ok(read);
}

/** Values of row-major `shape` broadcast to row-major `full` (each dim of `shape` equal to `full`'s or 1). */
function broadcastIds(values: ArrayLike<number>, shape: readonly number[], full: readonly number[]): Int32Array {
  const size = full.reduce((a, b) => a * b, 1);
  const out = new Int32Array(size);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  for (let flat = 0; flat < size; flat++) {
    let rem = flat;
    let src = 0;
    for (let dim = full.length - 1; dim >= 0; dim--) {
      const coord = rem % full[dim]!;
      rem = Math.floor(rem / full[dim]!);
      if (shape[dim] !== 1) src += coord * strides[dim]!;
    }
    out[flat] = values[src]!;
  }
  return out;
}

export const disposeMasks = (masks: readonly ReadMask[]): void => masks.forEach((m) => m.tensor.dispose());

/** FeatureAblation's order: the inputs in order, each input's ids ascending, ids already seen skipped. */
export function featureOrder(masks: readonly ReadMask[]): number[] {
  const seen = new Set<number>();
  const order: number[] = [];
  for (const m of masks) for (const id of m.unique) if (!seen.has(id)) (seen.add(id), order.push(id));
  return order;
}

/** One more than the largest id of any mask (ShapleyValues' and Lime's feature count). */
export function featureCount(masks: readonly ReadMask[]): number {
  let largest = -1;
  for (const m of masks) for (const id of m.unique) largest = Math.max(largest, id);
  return largest + 1;
}
