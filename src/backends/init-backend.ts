// Backend choice: WebGPU where an adapter exists, then WASM, then CPU, with the reason each
// preferred backend was passed over. Backends are imported only when tried, so a bundle carries
// only the ones its code can reach.
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionError } from '../core/errors.js';
import { describeValue, readArray, readFields } from '../core/arguments.js';
import { all, attemptAsync, errorText, fail, failAll, ok, type Result } from '../core/validation.js';
import { startWasmBackend, type WasmBackendOptions } from './wasm-backend.js';
import { registerWasmGradientKernels } from './wasm-gradient-kernels.js';
import { startWebGpuBackend, type WebGpuBackendOptions } from './webgpu-backend.js';

/**
 * The tfjs backends {@link initBackend} can start.
 *
 * @example
 * const order: BackendName[] = ['wasm', 'cpu'];
 * await initBackend({ prefer: order }); // Right({ backend: 'wasm', ... }) where wasm starts
 */
export type BackendName = 'webgpu' | 'wasm' | 'cpu';
const BACKENDS: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];

/**
 * Options of {@link initBackend}.
 *
 * @example
 * const options: InitBackendOptions = { prefer: ['webgpu', 'cpu'], webgpu: { powerPreference: 'low-power' } };
 * await initBackend(options);
 */
export interface InitBackendOptions {
  /** Use exactly this backend: a `Left` if it cannot start, no fallback. */
  readonly force?: BackendName;
  /** The order to try; default `['webgpu', 'wasm', 'cpu']`. */
  readonly prefer?: readonly BackendName[];
  readonly wasm?: WasmBackendOptions;
  readonly webgpu?: WebGpuBackendOptions;
}

/**
 * What {@link initBackend} chose, and why it passed over the backends before it.
 *
 * @example
 * const r = await initBackend({ prefer: ['webgpu', 'cpu'] });
 * if (r._tag === 'Right') {
 *   const report: BackendReport = r.right;
 *   console.log(report.backend, report.passedOver.webgpu); // e.g. 'cpu' 'no navigator.gpu: this runtime exposes no WebGPU'
 * }
 */
export interface BackendReport {
  /** The backend now active in tfjs. */
  readonly backend: BackendName;
  /** What was started: the adapter, the wasm binary, or that it was already running. */
  readonly detail: string;
  /** For each backend tried before it, why it was not used. */
  readonly passedOver: Readonly<Partial<Record<BackendName, string>>>;
}

async function startCpu(): Promise<string> {
  // A named import: a bare side-effect import can be dropped by bundlers (the package's sideEffects list).
  const { version_cpu } = await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
  return `tfjs-backend-cpu ${version_cpu}`;
}

async function start(name: BackendName, options: InitBackendOptions): Promise<string> {
  if (tf.findBackend(name) !== null && (await tf.setBackend(name))) {
    if (name === 'wasm') registerWasmGradientKernels(); // a wasm backend started by the caller lacks them too
    return 'already initialized';
  }
  switch (name) {
    case 'webgpu':
      return startWebGpuBackend(options.webgpu);
    case 'wasm':
      return startWasmBackend(options.wasm);
    case 'cpu':
      return startCpu();
  }
}

/** The options, read once into plain values: a getter cannot change them between checks and use. */
function checkOptions(options: unknown): Result<{ order: readonly BackendName[]; forced: boolean; options: InitBackendOptions }> {
  const top = readFields(options, 'options', ['force', 'prefer', 'wasm', 'webgpu']);
  if (top._tag === 'Left') return top;
  const { force, prefer: preferred, wasm: wasmOptions, webgpu: webgpuOptions } = top.right;
  const checked = all({
    wasm: readFields(wasmOptions, 'options.wasm', ['module', 'simd']),
    webgpu: readFields(webgpuOptions, 'options.webgpu', ['gpu', 'powerPreference']),
  });
  if (checked._tag === 'Left') return checked;
  const plain: InitBackendOptions = { wasm: checked.right.wasm as WasmBackendOptions, webgpu: checked.right.webgpu as WebGpuBackendOptions };
  const isName = (v: unknown): v is BackendName => BACKENDS.includes(v as BackendName);
  if (force !== undefined) {
    return isName(force)
      ? ok({ order: [force], forced: true, options: plain })
      : fail({ _tag: 'InvalidArgument', path: 'options.force', expected: `one of ${BACKENDS.join(', ')}`, got: describeValue(force) });
  }
  const prefer = preferred === undefined ? ok(BACKENDS) : Array.isArray(preferred) ? readArray(preferred, 'options.prefer') : fail({ _tag: 'InvalidArgument', path: 'options.prefer', expected: 'an array', got: describeValue(preferred) });
  if (prefer._tag === 'Left') return prefer;
  if (prefer.right.length === 0 || !prefer.right.every(isName)) {
    return fail({ _tag: 'InvalidArgument', path: 'options.prefer', expected: `a non-empty array of ${BACKENDS.join(', ')}`, got: describeValue(preferred) });
  }
  return ok({ order: prefer.right, forced: false, options: plain });
}

/**
 * Starts the best available tfjs backend and makes it current: `webgpu` where an adapter exists,
 * else `wasm` (instantiated from a compiled `WebAssembly.Module`), else `cpu`. Reports what it chose
 * and why each backend before it was passed over. Pass `force` to insist on one.
 *
 * @example
 * const r = await initBackend();
 * // Right({ backend: 'wasm', detail: 'SIMD binary, ...', passedOver: { webgpu: 'no navigator.gpu: ...' } })
 * await initBackend({ force: 'cpu' }); // Right({ backend: 'cpu', ... }) or Left(BackendUnavailable)
 */
export function initBackend(options?: InitBackendOptions): Promise<Result<BackendReport>> {
  return attemptAsync(() => startFirst(options), (e) => ({ _tag: 'Unexpected', path: 'initBackend', message: errorText(e) }));
}

async function startFirst(options: unknown): Promise<Result<BackendReport>> {
  const checked = checkOptions(options);
  if (checked._tag === 'Left') return checked;
  const { order, forced } = checked.right;
  const passedOver: Partial<Record<BackendName, string>> = {};
  const errors: AttributionError[] = [];
  for (const name of order) {
    try {
      const detail = await start(name, checked.right.options);
      return ok({ backend: name, detail, passedOver });
    } catch (e) {
      // A failed setBackend leaves tfjs pointing at a broken backend; drop ours so the next try is clean.
      if (name !== 'cpu' && tf.findBackendFactory(name) !== null) tf.removeBackend(name);
      passedOver[name] = errorText(e);
      errors.push({ _tag: 'BackendUnavailable', path: forced ? 'options.force' : 'options.prefer', backend: name, reason: errorText(e) });
    }
  }
  return failAll(errors) ?? fail({ _tag: 'Unexpected', path: 'initBackend', message: 'no backend to try' });
}
