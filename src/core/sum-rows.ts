// Captum's `_sum_rows`, and the per-example total over a tuple that compute_convergence_delta uses.
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionError } from './errors.js';
import { getKernels } from '../kernels/load-kernels.js';
import { tensorRowSums } from '../kernels/tensor-row-sums.js';
import { allOf, attemptAsync, errorText, ok, type Result } from './validation.js';
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

/** Float data sums to float32; int32 and bool data sum to int32 (Captum: int64). */
const sumsTensor = (sums: Float64Array, of: readonly tf.Tensor[]): tf.Tensor1D =>
  of.some((t) => t.dtype === 'float32') ? tf.tensor1d(Float32Array.from(sums), 'float32') : tf.tensor1d(Int32Array.from(sums), 'int32');
const unexpected = (e: unknown): AttributionError => ({ _tag: 'Unexpected', path: 'sumRows', message: errorText(e) });

/**
 * Sums each example's elements (Captum's `_sum_rows`: reshape to `[N, -1]`, sum dimension 1), for one
 * tensor or several, and the per-example total over all of them. Accumulates in f64 in the
 * AssemblyScript kernels. Float inputs give float32 sums; int32 and bool inputs give int32 sums.
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
    const rowSums = sums.map((s, i) => sumsTensor(s, [tensors[i] as tf.Tensor]));
    return ok({ rowSums: mirrorForm(isTuple, rowSums) as Mirrored<I, tf.Tensor1D>, total: sumsTensor(total, tensors) });
  }, unexpected);
}
