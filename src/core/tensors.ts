// Checks on tensor arguments, and Captum's "a tensor or a tuple of tensors" convention:
// a single tensor in gives a single tensor out; an array in gives an array out.
import * as tf from '@tensorflow/tfjs-core';
import { describeValue, isTensor, readArray } from './arguments.js';
import { hold } from './hold-inputs.js';
import type { AttributionError } from './errors.js';
import { allOf, fail, failAll, ok, type Result } from './validation.js';

/**
 * A single tensor, or one tensor per model input. Results mirror the form that came in.
 *
 * @example
 * const one: TensorOrTuple = tf.ones([2, 3]);
 * const two: TensorOrTuple = [tf.ones([2, 3]), tf.ones([2, 4])];
 * await sumRows(one); // rowSums is one tensor
 * await sumRows(two); // rowSums is an array of two
 */
export type TensorOrTuple = tf.Tensor | readonly tf.Tensor[];

/**
 * The form of a result that mirrors its input `I`: one `T` for a single tensor, an array of `T`
 * for an array. The types follow the input, so a single tensor in needs no cast out.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.square(x), 1);
 * const one = await computeGradients(model, tf.ones([2, 3]));          // Result<tf.Tensor>
 * const two = await computeGradients(model, [tf.ones([2, 3])]);        // Result<tf.Tensor[]>
 * if (one._tag === 'Right' && two._tag === 'Right') {
 *   const g: Mirrored<tf.Tensor> = one.right;
 *   console.log(g.shape, two.right.length); // [2, 3] 1
 * }
 */
export type Mirrored<I extends TensorOrTuple, T extends tf.Tensor = tf.Tensor> = I extends readonly tf.Tensor[] ? T[] : T;

/**
 * Tensors with a record of whether they came as an array (`isTuple`), so results can mirror the input form.
 *
 * @example
 * const r = formatTensorIntoTuple([tf.ones([2, 3])], 'inputs');
 * if (r._tag === 'Right') {
 *   const f: Formatted = r.right;
 *   console.log(f.tensors.length, f.isTuple); // 1 true
 * }
 */
export interface Formatted {
  readonly tensors: readonly tf.Tensor[];
  readonly isTuple: boolean;
}

export const formatShape = (shape: readonly number[]): string => `[${shape.join(',')}]`;

const NUMERIC: readonly tf.DataType[] = ['float32', 'int32', 'bool'];

export interface TensorRules {
  /** Allowed dtypes; numeric (float32, int32, bool) by default. */
  readonly dtypes?: readonly tf.DataType[];
  /** Dimension 0 must exist (Captum indexes the batch there). Default true. */
  readonly batched?: boolean;
}

/** A live (not disposed) tensor of an allowed dtype, with a batch dimension unless told otherwise. */
export function checkTensor(value: unknown, path: string, rules: TensorRules = {}): Result<tf.Tensor> {
  if (!isTensor(value)) {
    const hint = Array.isArray(value) || ArrayBuffer.isView(value) ? ' (wrap plain numbers with tf.tensor(...))' : '';
    return fail({ _tag: 'InvalidArgument', path, expected: 'a tensor' + hint, got: describeValue(value) });
  }
  if (value.isDisposed) return fail({ _tag: 'TensorDisposed', path });
  const dtypes = rules.dtypes ?? NUMERIC;
  if (!dtypes.includes(value.dtype)) {
    return fail({ _tag: 'DtypeUnsupported', path, expected: dtypes.join(' or '), got: value.dtype });
  }
  if ((rules.batched ?? true) && value.rank === 0) return fail({ _tag: 'RankZeroInput', path });
  return ok(hold(value));
}

/**
 * A tensor or a non-empty array of tensors, every element checked against `rules`; all problems are
 * reported, each at its own path (`inputs[2]`).
 */
export function checkTensorOrTuple(value: unknown, path: string, rules: TensorRules = {}): Result<Formatted> {
  if (Array.isArray(value)) {
    const elements = readArray(value, path);
    if (elements._tag === 'Left') return elements;
    if (elements.right.length === 0) {
      return fail({ _tag: 'InvalidArgument', path, expected: 'a tensor or a non-empty array of tensors', got: 'an empty array' });
    }
    const checked = allOf(elements.right.map((v, i) => checkTensor(v, `${path}[${i}]`, rules)));
    return checked._tag === 'Left' ? checked : ok({ tensors: checked.right, isTuple: true });
  }
  const single = checkTensor(value, path, rules);
  return single._tag === 'Left' ? single : ok({ tensors: [single.right], isTuple: false });
}

/**
 * Captum's `_format_tensor_into_tuples` for arguments that must be present: a tensor, or a non-empty
 * array of tensors, each live, numeric and with a batch dimension. `path` names the argument in errors.
 *
 * @example
 * formatTensorIntoTuple(tf.ones([2, 3]), 'inputs');        // Right({ tensors: [t], isTuple: false })
 * formatTensorIntoTuple([tf.ones([2, 3]), 'x'], 'inputs'); // Left: inputs[1]: expected a tensor, got the string "x"
 */
export function formatTensorIntoTuple(value: TensorOrTuple, path = 'inputs'): Result<Formatted> {
  return checkTensorOrTuple(value, typeof path === 'string' ? path : 'inputs');
}

/** All tensors share dimension 0, the batch size N, which is returned. */
export function checkSameBatch(tensors: readonly tf.Tensor[], path: string, formattedAsTuple: boolean): Result<number> {
  const first = tensors[0];
  if (first === undefined) return ok(0);
  const n = first.shape[0] ?? 0;
  const errors: AttributionError[] = [];
  tensors.forEach((t, i) => {
    if (t.shape[0] !== n) {
      errors.push({ _tag: 'BatchSizeMismatch', path: formattedAsTuple ? `${path}[${i}]` : path, expected: n, got: t.shape[0] ?? 0 });
    }
  });
  return failAll(errors) ?? ok(n);
}

/** The batch is not empty: Captum's reshape to `[0, -1]` fails on an empty batch. */
export function checkNonEmptyBatch(t: tf.Tensor, path: string): Result<tf.Tensor> {
  return t.shape[0] === 0 ? fail({ _tag: 'EmptyBatch', path, shape: t.shape }) : ok(t);
}

/** One tensor back for a single tensor, an array for an array (the library's own results). */
export function mirrorForm<T extends tf.Tensor>(isTuple: boolean, tensors: readonly T[]): T | T[] {
  return isTuple ? [...tensors] : (tensors[0] as T);
}

/**
 * Captum's `_format_output`: the results in the form the inputs came in, one tensor back for a
 * single tensor, an array for an array. As in Captum, a single form needs exactly one tensor.
 *
 * @example
 * formatOutput(false, [tf.ones([2])]);             // Right(the tensor itself, not an array)
 * formatOutput(true, [tf.ones([2]), tf.ones([2])]); // Right([both])
 * formatOutput(false, [tf.ones([2]), tf.ones([2])]); // Left: two tensors cannot come back as one
 */
export function formatOutput<T extends tf.Tensor>(isTuple: false, tensors: readonly T[]): Result<T>;
export function formatOutput<T extends tf.Tensor>(isTuple: true, tensors: readonly T[]): Result<T[]>;
export function formatOutput<T extends tf.Tensor>(isTuple: boolean, tensors: readonly T[]): Result<T | T[]>;
export function formatOutput<T extends tf.Tensor>(isTuple: boolean, tensors: readonly T[]): Result<T | T[]> {
  if (typeof isTuple !== 'boolean') return fail({ _tag: 'InvalidArgument', path: 'isTuple', expected: 'a boolean', got: describeValue(isTuple) });
  const list = Array.isArray(tensors) ? readArray(tensors, 'tensors') : fail({ _tag: 'InvalidArgument', path: 'tensors', expected: 'an array of tensors', got: describeValue(tensors) });
  if (list._tag === 'Left') return list;
  const bad = list.right.findIndex((t) => !isTensor(t));
  if (bad >= 0) return fail({ _tag: 'InvalidArgument', path: `tensors[${bad}]`, expected: 'a tensor', got: describeValue(list.right[bad]) });
  if (!isTuple && list.right.length !== 1) {
    return fail({ _tag: 'InvalidArgument', path: 'tensors', expected: 'exactly one tensor for a single (non-array) form', got: `${list.right.length} tensors` });
  }
  return ok(mirrorForm(isTuple, list.right as T[]));
}

/** Path of element `i` of an argument that may have come as a single value. */
export const elementPath = (path: string, isTuple: boolean, i: number): string => (isTuple ? `${path}[${i}]` : path);
