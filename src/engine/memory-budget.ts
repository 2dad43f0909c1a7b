// Allocation budgets. An allocation the backend cannot hold does not just fail: on wasm it can
// corrupt the heap for the rest of the process. So work whose size is known in advance (a batch
// expanded by steps or samples, an upsampled map) is measured first and refused, or split, here.
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionError } from '../core/errors.js';
import { fail, ok, type Result } from '../core/validation.js';

const BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8, string: 8 };

/** Bytes of one tensor of `elements` values of `dtype`. */
export const tensorBytes = (elements: number, dtype: tf.DataType = 'float32'): number => elements * (BYTES[dtype] ?? 4);

/**
 * The largest single tensor, in bytes, the active backend can allocate safely.
 * - cpu: a JS typed array (2^31 - 1 bytes is portable across engines);
 * - wasm: tfjs-backend-wasm's heap is a 32-bit `WebAssembly.Memory` of at most 2 GiB in tfjs 4.22,
 *   shared by every tensor, so a quarter of it is the most one tensor may take;
 * - webgpu: the adapter's `maxStorageBufferBindingSize` (128 MiB by the spec's default).
 */
export function allocationLimit(): { readonly backend: string; readonly bytes: number } {
  const backend = tf.getBackend() ?? 'cpu';
  switch (backend) {
    case 'wasm':
      return { backend, bytes: 2 ** 29 };
    case 'webgpu': {
      const limits = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device?.limits;
      return { backend, bytes: limits?.maxStorageBufferBindingSize ?? 2 ** 27 };
    }
    default:
      return { backend, bytes: 2 ** 31 - 1 };
  }
}

/**
 * `Right` when one tensor of `elements` values of `dtype` fits the active backend; otherwise an
 * `AllocationTooLarge` at `path` describing `what` and how to split it (`hint`).
 */
export function checkAllocation(elements: number, dtype: tf.DataType, path: string, what: string, hint: string): Result<void> {
  const bytes = tensorBytes(elements, dtype);
  const limit = allocationLimit();
  if (Number.isFinite(bytes) && bytes <= limit.bytes) return ok(undefined);
  const error: AttributionError = { _tag: 'AllocationTooLarge', path, what, bytes, limit: limit.bytes, backend: limit.backend, hint };
  return fail(error);
}

/**
 * How many copies of a batch (`copyElements` values each) one tensor may hold on the active backend:
 * at least 1, at most `wanted`. Methods that expand a batch by steps or samples use it to split the
 * work when the caller gave no batch size.
 */
export function copiesThatFit(copyElements: number, dtype: tf.DataType, wanted: number): number {
  const per = tensorBytes(Math.max(copyElements, 1), dtype);
  return Math.max(1, Math.min(wanted, Math.floor(allocationLimit().bytes / per)));
}
