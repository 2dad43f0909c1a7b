// Checks on tensor arguments, and Captum's "a tensor or a tuple of tensors" convention:
// a single tensor in gives a single tensor out; an array in gives an array out.
import * as tf from '@tensorflow/tfjs-core';
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

export const isTensor = (value: unknown): value is tf.Tensor => value instanceof tf.Tensor;

/** Short, safe description of any value for error messages. */
export function describeValue(value: unknown): string {
  try {
    if (value === null) return 'null';
    if (value === undefined) return 'undefined';
    if (isTensor(value)) {
      return value.isDisposed ? 'a disposed tensor' : `a ${value.dtype} tensor of shape [${value.shape.join(',')}]`;
    }
    if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `the number ${value}`;
    if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)}`;
    if (typeof value === 'boolean') return `the boolean ${value}`;
    if (typeof value === 'bigint') return `the bigint ${value}n`;
    if (typeof value === 'function') return 'a function';
    if (Array.isArray(value)) return `an array of length ${value.length}`;
    if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} (wrap it with tf.tensor(...))`;
    return `an object (${Object.prototype.toString.call(value)})`;
  } catch {
    return 'an unreadable value';
  }
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
  return ok(value);
}

/**
 * Captum's `_format_tensor_into_tuples` for arguments that must be present: a tensor or a non-empty
 * array of tensors. Every element is checked; all problems are reported. Exported as `formatTensorIntoTuple`.
 *
 * @example
 * formatTensorIntoTuple(tf.ones([2, 3]), 'inputs');        // Right({ tensors: [t], isTuple: false })
 * formatTensorIntoTuple([tf.ones([2, 3]), 'x'], 'inputs'); // Left: inputs[1]: expected a tensor, got the string "x"
 */
export function checkTensorOrTuple(value: unknown, path: string, rules: TensorRules = {}): Result<Formatted> {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return fail({ _tag: 'InvalidArgument', path, expected: 'a tensor or a non-empty array of tensors', got: 'an empty array' });
    }
    const checked = allOf(value.map((v: unknown, i) => checkTensor(v, `${path}[${i}]`, rules)));
    return checked._tag === 'Left' ? checked : ok({ tensors: checked.right, isTuple: true });
  }
  const single = checkTensor(value, path, rules);
  return single._tag === 'Left' ? single : ok({ tensors: [single.right], isTuple: false });
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

/**
 * Mirrors the input form: one tensor back for a single tensor, an array for an array.
 *
 * @example
 * const { tensors, isTuple } = { tensors: [tf.ones([2])], isTuple: false };
 * formatOutput(isTuple, tensors); // the tensor itself, not an array
 */
export function formatOutput<T extends tf.Tensor>(isTuple: boolean, tensors: readonly T[]): T | T[] {
  return isTuple ? [...tensors] : (tensors[0] as T);
}

/** Path of element `i` of an argument that may have come as a single value. */
export const elementPath = (path: string, isTuple: boolean, i: number): string => (isTuple ? `${path}[${i}]` : path);
