// Captum's `_sum_rows`, and the per-example total over a tuple that compute_convergence_delta uses.
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionError } from './errors.js';
import { getKernels } from '../kernels/load-kernels.js';
import { tensorRowSums } from '../kernels/tensor-row-sums.js';
import { allOf, attemptAsync, errorText, failAll, ok, type Result } from './validation.js';
import { checkNonEmptyBatch, checkSameBatch, checkTensorOrTuple, elementPath, mirrorForm, type Mirrored, type TensorOrTuple } from './tensors.js';

/**
 * What {@link sumRows} returns; every tensor in it belongs to the caller.
 *
 * @example
 * const r = await sumRows([tf.ones([2, 3]), tf.ones([2, 2])]);
 * if (r._tag === 'Right') {
 *   const sums: RowSums = r.right;
 *   console.log(await sums.total.data()); // Float32Array [5, 5]
 * }
 */
export interface RowSums<I extends TensorOrTuple = TensorOrTuple> {
  /** One `[N]` tensor of per-example sums per input tensor; a single tensor for a single input. */
  readonly rowSums: Mirrored<I, tf.Tensor1D>;
  /** `[N]`: per example, the sum over all the tensors (equals `rowSums` for one tensor). */
  readonly total: tf.Tensor1D;
}

/** Float data sums to float32; int32 and bool data sum to int32 (Captum: int64), refused beyond its range. */
const sumsTensor = (sums: Float64Array, of: readonly tf.Tensor[]): tf.Tensor1D =>
  of.some((t) => t.dtype === 'float32') ? tf.tensor1d(Float32Array.from(sums), 'float32') : tf.tensor1d(Int32Array.from(sums), 'int32');
const unexpected = (e: unknown): AttributionError => ({ _tag: 'Unexpected', path: 'sumRows', message: errorText(e) });

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const outOfInt32 = (sums: Float64Array): number => sums.findIndex((v) => v < INT32_MIN || v > INT32_MAX);

/**
 * Integer (int32, bool) data sums exactly (the kernels add in i64), and is returned as int32; a sum
 * that int32 cannot hold is refused rather than wrapped (Captum sums in int64, which TF.js lacks).
 */
function checkIntegerSums(tensors: readonly tf.Tensor[], sums: readonly Float64Array[], total: Float64Array, isTuple: boolean): Result<void> {
  const errors: AttributionError[] = [];
  const refuse = (path: string, row: number, value: number): void => {
    errors.push({
      _tag: 'InvalidArgument',
      path,
      expected: `integer row sums within int32 [${INT32_MIN}, ${INT32_MAX}] (TF.js has no int64; cast to float32 for an approximate sum)`,
      got: `a sum of ${value} for example ${row}`,
    });
  };
  tensors.forEach((t, i) => {
    const s = sums[i] as Float64Array;
    const row = t.dtype === 'float32' ? -1 : outOfInt32(s);
    if (row >= 0) refuse(elementPath('input', isTuple, i), row, s[row] as number);
  });
  if (errors.length === 0 && !tensors.some((t) => t.dtype === 'float32')) {
    const row = outOfInt32(total);
    if (row >= 0) refuse('input', row, total[row] as number);
  }
  return failAll(errors) ?? ok(undefined);
}

/**
 * Sums each example's elements (Captum's `_sum_rows`: reshape to `[N, -1]`, sum dimension 1), for one
 * tensor or several, and the per-example total over all of them. Accumulates in f64 in the
 * AssemblyScript kernels. Float inputs give float32 sums; int32 and bool inputs give int32 sums,
 * exact, or a `Left` where a sum does not fit int32 (it is never wrapped).
 * The returned tensors belong to the caller.
 *
 * @example
 * const r = await sumRows([tf.tensor2d([[1, 2], [3, 4]]), tf.tensor1d([10, 20])]);
 * // Right({ rowSums: [tensor [3, 7], tensor [10, 20]], total: tensor [13, 27] })
 */
export function sumRows<I extends TensorOrTuple>(input: I): Promise<Result<RowSums<I>>> {
  return attemptAsync(async () => {
    const formatted = checkTensorOrTuple(input, 'input');
    if (formatted._tag === 'Left') return formatted;
    const { tensors, isTuple } = formatted.right;
    const nonEmpty = allOf(tensors.map((t, i) => checkNonEmptyBatch(t, elementPath('input', isTuple, i))));
    if (nonEmpty._tag === 'Left') return nonEmpty;
    const batch = checkSameBatch(tensors, 'input', isTuple);
    if (batch._tag === 'Left') return batch;

    const kernels = await getKernels();
    const sums = await tensorRowSums(tensors, kernels);
    const total = new Float64Array(batch.right);
    for (const s of sums) kernels.addInto(total, s);
    const overflow = checkIntegerSums(tensors, sums, total, isTuple);
    if (overflow._tag === 'Left') return overflow;
    const rowSums = sums.map((s, i) => sumsTensor(s, [tensors[i] as tf.Tensor]));
    return ok({ rowSums: mirrorForm(isTuple, rowSums) as Mirrored<I, tf.Tensor1D>, total: sumsTensor(total, tensors) });
  }, unexpected);
}
