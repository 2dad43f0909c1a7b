// Allocation budgets. An allocation the backend cannot hold does not just fail: on wasm it corrupts
// the heap for the rest of the process (tfjs-backend-wasm 4.22 writes a tensor whose malloc failed
// at address 0, and its kernels index a tensor over 2 GiB with signed 32-bit byte offsets). So work
// whose size is known in advance (a batch expanded by steps or samples, an upsampled map) is
// measured first and refused, or split, here, before anything is allocated.
//
// Measured on this project's machines (tfjs 4.22, Node 20):
// - wasm: the heap is one `WebAssembly.Memory` of at most 65536 pages; emscripten's `getHeapMax()`
//   is 4 GiB - 64 KiB. A failed malloc returns 0 and tfjs writes the tensor there (then `Aborted()`
//   on every later op). A single tensor over 2 GiB allocates, but slicing it reads out of bounds.
// - webgpu: one tensor is one GPUBuffer bound as storage, so it may not exceed the device's
//   `maxStorageBufferBindingSize` nor `maxBufferSize` (tfjs raises both to the adapter's values).
// - cpu: one tensor is one typed array. V8 (Node 20) allows 2^32 elements, other engines 2^31 - 1
//   bytes; the portable bound is used.
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionError } from '../core/errors.js';
import { fail, ok, type Result } from '../core/validation.js';

const BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8, string: 8 };

/** Bytes of one tensor of `elements` values of `dtype`. */
export const tensorBytes = (elements: number, dtype: tf.DataType = 'float32'): number => elements * (BYTES[dtype] ?? 4);

/** emscripten's `getHeapMax()` in tfjs-backend-wasm 4.22: 65536 pages less one. */
export const WASM_HEAP_MAX = 4294901760;
/** tfjs-backend-wasm's kernels address a tensor's bytes with signed 32-bit offsets. */
export const WASM_TENSOR_MAX = 2 ** 31 - 1;
/** The largest typed array every JS engine allows (V8 allows more; JavaScriptCore does not). */
export const CPU_TENSOR_MAX = 2 ** 31 - 1;
/** The WebGPU spec's default `maxStorageBufferBindingSize`, when the device does not say. */
const WEBGPU_DEFAULT_BINDING = 2 ** 27;

interface WasmModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

/** What the active backend can hold now: per tensor, and in all (new allocations together). */
export interface BackendLimits {
  readonly backend: string;
  /** The largest single tensor, in bytes. */
  readonly tensorBytes: number;
  /** The most bytes that new tensors together can still take (an estimate; wasm is probed exactly). */
  readonly freeBytes: number;
}

function wasmModule(): WasmModule | undefined {
  try {
    const w = (tf.backend() as unknown as { wasm?: Partial<WasmModule> }).wasm;
    return typeof w?._malloc === 'function' && typeof w._free === 'function' ? (w as WasmModule) : undefined;
  } catch {
    return undefined;
  }
}

/** The active backend's limits (never throws; an unknown backend gets the cpu bound). */
export function backendLimits(): BackendLimits {
  let backend = 'cpu';
  try {
    backend = tf.getBackend() ?? 'cpu';
  } catch {
    // no backend yet
  }
  switch (backend) {
    case 'wasm': {
      let live = 0;
      try {
        live = tf.memory().numBytes;
      } catch {
        // keep 0
      }
      return { backend, tensorBytes: WASM_TENSOR_MAX, freeBytes: Math.max(0, WASM_HEAP_MAX - live) };
    }
    case 'webgpu': {
      let limits: { maxStorageBufferBindingSize?: number; maxBufferSize?: number } | undefined;
      try {
        limits = (tf.backend() as unknown as { device?: { limits?: typeof limits } }).device?.limits;
      } catch {
        limits = undefined;
      }
      const binding = limits?.maxStorageBufferBindingSize ?? WEBGPU_DEFAULT_BINDING;
      const buffer = limits?.maxBufferSize ?? binding;
      return { backend, tensorBytes: Math.min(binding, buffer), freeBytes: Infinity };
    }
    default:
      return { backend, tensorBytes: CPU_TENSOR_MAX, freeBytes: Infinity };
  }
}

/**
 * The largest single tensor, in bytes, the active backend can allocate now: the per-tensor limit,
 * and on wasm also what is left of its heap.
 */
export function allocationLimit(): { readonly backend: string; readonly bytes: number } {
  const l = backendLimits();
  return { backend: l.backend, bytes: Math.min(l.tensorBytes, l.freeBytes) };
}

/** On wasm, whether the heap can give one block of `bytes` now: a malloc that is freed at once. */
function wasmHeapCanGive(bytes: number): boolean {
  const w = wasmModule();
  if (w === undefined) return true;
  if (bytes > WASM_HEAP_MAX) return false;
  if (bytes === 0) return true;
  try {
    const p = w._malloc(bytes);
    if (p === 0) return false;
    w._free(p);
    return true;
  } catch {
    return false;
  }
}

const tooLarge = (bytes: number, limit: number, backend: string, path: string, what: string, hint: string): Result<never> => {
  const error: AttributionError = { _tag: 'AllocationTooLarge', path, what, bytes, limit, backend, hint };
  return fail(error);
};

/**
 * `Right` when tensors that are alive at the same time, `elements` values of `dtype` each, fit the
 * active backend: each within the per-tensor limit, and (on wasm) all of them together within what
 * the heap can still give, probed with one malloc of their total. Otherwise `AllocationTooLarge`.
 */
export function checkWorkingSet(elements: readonly number[], dtype: tf.DataType, path: string, what: string, hint: string): Result<void> {
  const limits = backendLimits();
  const sizes = elements.map((e) => tensorBytes(e, dtype));
  const largest = Math.max(0, ...sizes);
  if (!Number.isFinite(largest) || largest > limits.tensorBytes) return tooLarge(largest, limits.tensorBytes, limits.backend, path, what, hint);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (limits.backend === 'wasm' && (total > limits.freeBytes || !wasmHeapCanGive(total))) {
    return tooLarge(total, limits.freeBytes, limits.backend, path, what, hint);
  }
  return ok(undefined);
}

/**
 * `Right` when one tensor of `elements` values of `dtype` fits the active backend; otherwise an
 * `AllocationTooLarge` at `path` describing `what` and how to split it (`hint`).
 */
export function checkAllocation(elements: number, dtype: tf.DataType, path: string, what: string, hint: string): Result<void> {
  return checkWorkingSet([elements], dtype, path, what, hint);
}

/**
 * How many copies of a batch (`copyElements` values each) one tensor may hold on the active backend:
 * at least 1, at most `wanted`. Methods that expand a batch by steps or samples use it to split the
 * work when the caller gave no batch size. On wasm, where every tensor shares one heap and a forward
 * and backward pass keep several tensors of the expanded batch alive, one tensor gets a quarter of it.
 */
export function copiesThatFit(copyElements: number, dtype: tf.DataType, wanted: number): number {
  const l = backendLimits();
  const per = tensorBytes(Math.max(copyElements, 1), dtype);
  const budget = l.backend === 'wasm' ? Math.min(l.tensorBytes, l.freeBytes / 4) : Math.min(l.tensorBytes, l.freeBytes);
  return Math.max(1, Math.min(wanted, Math.floor(budget / per)));
}
