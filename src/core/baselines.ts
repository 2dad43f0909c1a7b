// Captum's `_format_baseline`, `_validate_input` and `_tensorize_baseline`, in the order IG uses:
// format, validate, tensorize. Stricter than Captum where it silently drops or mis-shapes data.
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionError } from './errors.js';
import { describeValue, isTensor, readArray } from './arguments.js';
import { checkTensorOrTuple, elementPath, mirrorForm, type Mirrored, type TensorOrTuple } from './tensors.js';
import { allOf, attempt, errorText, fail, failAll, ok, type Result } from './validation.js';
import { tidyResult } from './tidy-result.js';
import { hold } from './hold-inputs.js';

/**
 * One baseline: a number (filled to the input's shape and dtype) or a tensor.
 *
 * @example
 * const b: BaselineValue[] = [0.5, tf.zeros([1, 3])];
 * tensorizeBaselines([tf.ones([2, 3]), tf.ones([2, 3])], b); // Right([full 0.5, zeros [2, 3]])
 */
export type BaselineValue = number | tf.Tensor;

/**
 * Reference points for each input, in every form Captum accepts:
 * - `undefined` / `null`: zeros for every input;
 * - a number: that value everywhere (single input only, as in Captum);
 * - a tensor of the input's shape, or a one-example tensor `[1, ...]` repeated over the batch;
 * - an array with one number or tensor per input, mixed freely.
 * A 0-d tensor acts like a number (Captum fails on it with an IndexError).
 *
 * @example
 * const forOneInput: Baselines = tf.tensor2d([[0, 0, 1]]);      // repeated over the batch
 * const forTwoInputs: Baselines = [0, tf.zeros([2, 4])];
 * tensorizeBaselines(tf.ones([2, 3]), forOneInput);              // Right(tensor [[0, 0, 1], [0, 0, 1]])
 * tensorizeBaselines([tf.ones([2, 3]), tf.ones([2, 4])], forTwoInputs);
 */
export type Baselines = undefined | null | BaselineValue | readonly BaselineValue[];

const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

function checkBaselineValue(value: unknown, path: string): Result<BaselineValue> {
  if (typeof value === 'number') {
    // 1e308 is finite in JS but Infinity in float32: refused like Infinity itself.
    return Number.isFinite(Math.fround(value)) ? ok(value) : fail({ _tag: 'BaselineTypeInvalid', path, got: describeValue(value) });
  }
  if (isTensor(value)) {
    if (value.isDisposed) return fail({ _tag: 'TensorDisposed', path });
    if (value.dtype === 'string' || value.dtype === 'complex64') {
      return fail({ _tag: 'DtypeUnsupported', path, expected: 'float32, int32 or bool', got: value.dtype });
    }
    return ok(hold(value));
  }
  return fail({ _tag: 'BaselineTypeInvalid', path, got: describeValue(value) });
}

/** Captum's `_format_baseline` plus the count check of `_validate_input`: one value (or `null` for zeros) per input. */
export function formatBaselines(baselines: unknown, inputCount: number, path = 'baselines'): Result<readonly (BaselineValue | null)[]> {
  if (baselines === undefined || baselines === null) return ok(Array.from({ length: inputCount }, () => null));
  const isTuple = Array.isArray(baselines);
  const read = isTuple ? readArray(baselines, path) : ok([baselines]);
  if (read._tag === 'Left') return read;
  const list = read.right;
  const values = allOf(list.map((b, i) => checkBaselineValue(b, elementPath(path, isTuple, i))));
  const count: Result<null> =
    list.length === inputCount ? ok(null) : fail({ _tag: 'BaselineCountMismatch', path, inputs: inputCount, baselines: list.length });
  return failAll([...(values._tag === 'Left' ? values.left : []), ...(count._tag === 'Left' ? count.left : [])]) ?? values;
}

/** One baseline as a full tensor of the input's shape. Creates tensors: run inside `tf.tidy`. */
function tensorizeOne(input: tf.Tensor, baseline: BaselineValue | null, path: string): Result<tf.Tensor> {
  if (baseline === null) return ok(tf.zerosLike(input));
  // Captum's full_like: the input's dtype wins (0.5 on int32 is 0; any non-zero number on bool is true),
  // and a number the dtype cannot hold is refused (torch: "value cannot be converted ... without overflow").
  if (typeof baseline === 'number' && input.dtype === 'int32' && !(baseline > -(2 ** 31) - 1 && baseline < 2 ** 31)) {
    return fail({ _tag: 'BaselineTypeInvalid', path, got: `${describeValue(baseline)}, outside the int32 range of the input` });
  }
  if (typeof baseline === 'number') return ok(tf.fill(input.shape, input.dtype === 'bool' ? Number(baseline !== 0) : baseline, input.dtype));
  if (baseline.rank === 0) return ok(tf.broadcastTo(baseline, input.shape));
  if (sameDims(baseline.shape, input.shape)) return ok(baseline);
  if (input.rank > 0 && baseline.shape[0] === 1 && sameDims(baseline.shape.slice(1), input.shape.slice(1))) {
    // [1, ...] -> [N, ...]: one example repeated over the batch
    return ok(tf.tile(baseline, [input.shape[0] as number, ...input.shape.slice(1).map(() => 1)]));
  }
  return fail({ _tag: 'BaselineShapeInvalid', path, inputShape: input.shape, baselineShape: baseline.shape });
}

/**
 * Formats, validates and tensorizes baselines against already checked inputs. Creates tensors: run
 * inside `tf.tidy`. Shared by every method that takes baselines or start points.
 */
export function tensorizeAgainst(inputs: readonly tf.Tensor[], baselines: unknown, path = 'baselines'): Result<tf.Tensor[]> {
  const formatted = formatBaselines(baselines, inputs.length, path);
  if (formatted._tag === 'Left') return formatted;
  return tensorizeFormatted(inputs, formatted.right, Array.isArray(baselines), path);
}

/**
 * The tensorizing half of {@link tensorizeAgainst}, for baselines already formatted (and so held)
 * at the start of an async call. Creates tensors: run inside `tf.tidy`.
 */
export function tensorizeFormatted(inputs: readonly tf.Tensor[], formatted: readonly (BaselineValue | null)[], isTuple: boolean, path = 'baselines'): Result<tf.Tensor[]> {
  return allOf(inputs.map((input, i) => tensorizeOne(input, formatted[i] ?? null, elementPath(path, isTuple, i))));
}

const unexpected = (e: unknown): AttributionError => ({ _tag: 'Unexpected', path: 'tensorizeBaselines', message: errorText(e) });

/**
 * Turns baselines in any accepted form into full tensors, one per input, shaped and typed like the
 * inputs (a number takes the input's dtype, as in Captum: `0.5` on an int32 input becomes `0`).
 * The result mirrors the form of `inputs`; the caller owns it.
 *
 * @example
 * const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
 * tensorizeBaselines(x, tf.tensor2d([[0, 1, 2]]));   // Right(tensor [[0, 1, 2], [0, 1, 2]])
 * tensorizeBaselines([x, x], [0.5, undefined]);      // Left: baselines[1] is not a number or tensor
 * tensorizeBaselines([x, x], [0.5, tf.zeros([1, 3])]); // Right([full 0.5, zeros [2, 3]])
 */
export function tensorizeBaselines<I extends TensorOrTuple>(inputs: I, baselines?: Baselines): Result<Mirrored<I>> {
  return attempt(() => {
    const formatted = checkTensorOrTuple(inputs, 'inputs');
    if (formatted._tag === 'Left') return formatted;
    const tensors = tidyResult(() => tensorizeAgainst(formatted.right.tensors, baselines));
    return tensors._tag === 'Left' ? tensors : ok(mirrorForm(formatted.right.isTuple, tensors.right) as Mirrored<I>);
  }, unexpected);
}
