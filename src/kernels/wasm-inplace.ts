// Zero-copy row sums on the tfjs wasm backend. tfjs-backend-wasm 4.22 keeps every tensor in its own
// WebAssembly.Memory (the emscripten heap): `BackendWasm.dataIdMap` maps a tensor's dataId to
// `{ memoryOffset, ... }`, a block from the backend's malloc, and `backend.wasm.asm.memory` is that
// memory (emscripten's `Module.asm` is the instance's exports). The in-place kernel module
// (assembly/row-sums-inplace.ts) is instantiated with that memory as its `env.memory` import, so a
// row sum is one pass over the tensor where it lies: no `data()` read-back, no copy into a module
// of our own. Its f64 results go into scratch taken from the backend's malloc and freed at once.
// The module writes nothing else into the backend's memory (no data segments, no start function).
import * as tf from '@tensorflow/tfjs-core';
import { compileWasm, hasWasmSimd, type WasmSource } from '../backends/wasm-source.js';
import type { KernelVariant } from './kernels.js';
import { rowSumsReference } from './reference.js';

interface EmscriptenHeap {
  readonly asm?: { readonly memory?: unknown };
  _malloc?(bytes: number): number;
  _free?(at: number): void;
}
/** Where tfjs-backend-wasm keeps its emscripten module. */
interface EmscriptenBackend {
  readonly wasm?: { readonly asm?: { readonly memory?: unknown } };
}
interface WasmBackendData {
  readonly memoryOffset: number | null;
  readonly dtype: tf.DataType;
}
interface WasmBackendLike {
  readonly wasm?: EmscriptenHeap;
  readonly dataIdMap?: { has(dataId: tf.DataId): boolean; get(dataId: tf.DataId): WasmBackendData | undefined };
}
/** The in-place module's exports (assembly/inplace.ts). */
export interface InPlaceExports {
  rowSumsF32InPlace(src: number, rows: number, cols: number, dst: number): void;
  maxPoolGradF32(...args: (number | boolean)[]): void;
  avgPoolGradF32(...args: number[]): void;
  rowBroadcastF32(op: number, x: number, row: number, out: number, m: number, c: number, swap: boolean): void;
  sumLeadingF32(x: number, out: number, r: number, c: number): void;
  conv2dF32(...args: number[]): void;
  conv2dBackpropInputF32(...args: number[]): void;
  conv2dBackpropInputWideF32(...args: number[]): void;
}

/** Per-row f64 sums of a float32 tensor read where the wasm backend keeps it; `undefined` if it is not there. */
export type InPlaceRowSums = (t: tf.Tensor) => Float64Array | undefined;

/** Where the in-place binaries come from (compiled modules on Cloudflare Workers), and whether to use them. */
export interface InPlaceOptions {
  readonly enabled: boolean;
  readonly simd?: WasmSource;
  readonly scalar?: WasmSource;
}

let options: InPlaceOptions = { enabled: true };
/** Compiled in-place modules, per variant, once per configuration; `undefined` when unavailable. */
let modules = new Map<'simd' | 'scalar', Promise<WebAssembly.Module | undefined>>();
/** The same modules once compiled, for synchronous callers (kernels registered with tfjs). */
let compiled = new Map<'simd' | 'scalar', WebAssembly.Module>();
/** Instances per backend memory: a new wasm backend (a new memory) gets its own. */
let instances = new WeakMap<WebAssembly.Memory, Map<string, InPlaceExports>>();
let lastFailure: string | undefined;

/** Sets the in-place sources (called by configureKernels); forgets modules compiled before. */
export function configureInPlace(next: InPlaceOptions): void {
  options = next;
  modules = new Map();
  compiled = new Map();
  instances = new WeakMap();
  lastFailure = undefined;
}

const defaultSource = (variant: 'simd' | 'scalar'): URL => new URL(`../wasm/attribution-kernels-inplace.${variant}.wasm`, import.meta.url);

function moduleFor(variant: 'simd' | 'scalar'): Promise<WebAssembly.Module | undefined> {
  let m = modules.get(variant);
  if (m === undefined) {
    m =
      variant === 'simd' && !hasWasmSimd()
        ? Promise.resolve(undefined)
        : compileWasm(options[variant] ?? defaultSource(variant)).then(
            (module) => {
              compiled.set(variant, module);
              return module;
            },
            (e: unknown) => {
              lastFailure = `${variant}: ${e instanceof Error ? e.message : String(e)}`;
              return undefined;
            },
          );
    modules.set(variant, m);
  }
  return m;
}

/** The module instantiated on `memory` (cached per memory and variant). */
function instanceOn(memory: WebAssembly.Memory, variant: 'simd' | 'scalar', module: WebAssembly.Module): InPlaceExports | undefined {
  let byVariant = instances.get(memory);
  if (byVariant === undefined) {
    byVariant = new Map();
    instances.set(memory, byVariant);
  }
  let exports = byVariant.get(variant);
  if (exports === undefined) {
    try {
      exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as InPlaceExports;
    } catch (e) {
      lastFailure = `${variant}: ${e instanceof Error ? e.message : String(e)}`;
      return undefined;
    }
    byVariant.set(variant, exports);
  }
  return exports;
}

const preferred = (): 'simd' | 'scalar' => (hasWasmSimd() ? 'simd' : 'scalar');

/** Compiles the in-place module the gradient kernels use (SIMD where validated); resolves either way. */
export async function prepareInPlaceKernels(): Promise<void> {
  await moduleFor(preferred());
}

/**
 * The in-place exports on `memory` now, synchronously, for kernels registered with tfjs; `undefined`
 * while the module is not compiled yet (compilation is then started) or cannot be.
 */
export function inPlaceExportsNow(memory: WebAssembly.Memory): InPlaceExports | undefined {
  const variant = preferred();
  const module = compiled.get(variant);
  if (module === undefined) {
    void moduleFor(variant);
    return undefined;
  }
  return instanceOn(memory, variant, module);
}

/** The in-place kernels on a wasm backend's memory, when compiled; `undefined` for another backend, or until then. */
export function inPlaceExportsOf(backend: unknown): InPlaceExports | undefined {
  const memory = (backend as EmscriptenBackend | undefined)?.wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? inPlaceExportsNow(memory) : undefined;
}

/** The wasm backend's heap when the active backend is tfjs-backend-wasm (ours or tfjs's own registration). */
function activeHeap(): { backend: WasmBackendLike; memory: WebAssembly.Memory; malloc: (n: number) => number; free: (at: number) => void } | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as WasmBackendLike;
  const heap = backend.wasm;
  const memory = heap?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || typeof heap?._malloc !== 'function' || typeof heap._free !== 'function' || backend.dataIdMap === undefined) return undefined;
  return { backend, memory, malloc: heap._malloc.bind(heap), free: heap._free.bind(heap) };
}

/**
 * A synchronous in-place row summer for the active wasm backend and the kernel variant in use, or
 * `undefined` (not on wasm, switched off, or no in-place binary reachable: callers then read the data back).
 */
export async function inPlaceRowSums(variant: KernelVariant): Promise<InPlaceRowSums | undefined> {
  if (!options.enabled) return undefined;
  const first = activeHeap();
  if (first === undefined) return undefined;
  let kernel: ((src: number, rows: number, cols: number, dst: number) => void) | undefined;
  if (variant === 'js') {
    kernel = (src, rows, cols, dst) => {
      const h = activeHeap();
      if (h === undefined) return;
      new Float64Array(h.memory.buffer, dst, rows).set(rowSumsReference(new Float32Array(h.memory.buffer, src, rows * cols), rows, cols));
    };
  } else {
    const module = await moduleFor(variant);
    if (module === undefined) return undefined;
    const heap = activeHeap(); // the backend may have changed during the await
    if (heap === undefined) return undefined;
    const exports = instanceOn(heap.memory, variant, module);
    if (exports === undefined) return undefined;
    kernel = exports.rowSumsF32InPlace;
  }
  const run = kernel;
  return (t) => {
    const heap = activeHeap();
    if (heap === undefined || t.dtype !== 'float32' || t.isDisposed) return undefined;
    const { backend, memory, malloc, free } = heap;
    if (!backend.dataIdMap?.has(t.dataId)) return undefined;
    const src = backend.dataIdMap.get(t.dataId)?.memoryOffset;
    if (src === null || src === undefined) return undefined;
    const rows = t.shape[0] ?? 1;
    const cols = rows === 0 ? 0 : t.size / rows;
    if (rows === 0) return new Float64Array(0);
    const dst = malloc(rows * 8) >>> 0; // may grow the memory: views are taken after it
    if (dst === 0) return undefined;
    try {
      run(src, rows, cols, dst);
      return new Float64Array(memory.buffer, dst, rows).slice();
    } finally {
      free(dst);
    }
  };
}

/** Why the in-place kernels were last unavailable, for diagnostics (undefined when nothing failed). */
export const inPlaceFailure = (): string | undefined => lastFailure;
