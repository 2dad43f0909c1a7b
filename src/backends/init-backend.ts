// Backend choice: WebGPU where an adapter exists, then WASM, then CPU, with the reason each
// preferred backend was passed over. Given loaders (`backends`), only those are tried, and a bundle
// carries only them. Without, the three loader modules are imported when tried, by a computed URL
// that bundlers do not follow (Node, Deno, browsers serving the package unbundled).
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionError } from '../core/errors.js';
import { describeValue, readArray, readFields } from '../core/arguments.js';
import { all, attemptAsync, errorText, fail, failAll, ok, type Result } from '../core/validation.js';
import type { BackendLoader, BackendName, BackendStartOptions } from './backend-loader.js';
import type { WasmBackendOptions } from './wasm-backend.js';
import { type KernelStatus, kernelStatus } from '../kernels/load-kernels.js';
import { registerWasmGradientKernels } from './wasm-gradient-kernels.js';
import type { WebGpuBackendOptions } from './webgpu-backend.js';

export type { BackendName } from './backend-loader.js';
const BACKENDS: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];

/**
 * Options of {@link initBackend}.
 *
 * @example
 * const options: InitBackendOptions = { prefer: ['webgpu', 'cpu'], webgpu: { powerPreference: 'low-power' } };
 * await initBackend(options);
 */
export interface InitBackendOptions {
  /**
   * The backends to try, in order (loaders from `tfjs-attribution/webgpu`, `/wasm`, `/cpu`). A
   * bundle should pass them: it then holds only these. Default: all three, imported when tried.
   */
  readonly backends?: readonly BackendLoader[];
  /** Use exactly this backend: a `Left` if it cannot start, no fallback. */
  readonly force?: BackendName;
  /** The order to try, by name; default `['webgpu', 'wasm', 'cpu']` (or the order of `backends`). */
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
  /**
   * The AssemblyScript reduction kernels in use (`simd`, `scalar` or the `js` reference) and, when
   * they are not the fastest, why: a binary that was not served (`simd: fetching .../wasm/attribution-kernels.simd.wasm
   * failed with HTTP 404`), or a runtime without WebAssembly SIMD. See {@link kernelStatus}.
   */
  readonly kernels: KernelStatus;
}

/** The default loader of a backend, imported by a computed specifier so bundlers leave it out. */
async function defaultLoader(name: BackendName): Promise<BackendLoader> {
  const url = new URL(`./${name}-backend.js`, import.meta.url).href;
  let module: Record<string, unknown>;
  try {
    module = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
  } catch (e) {
    const missing = notInstalled(e, name);
    if (missing !== undefined) throw missing;
    throw new Error(
      `could not import ${url} (${errorText(e)}); in a bundle, pass the loaders: import { ${name}Backend } from 'tfjs-attribution/${name}' and initBackend({ backends: [${name}Backend] })`,
    );
  }
  return module[`${name}Backend`] as BackendLoader;
}

/**
 * A backend instance that is already running (started by an earlier call, or by the caller). Read
 * from the registry directly: `tf.findBackend` would start a registered factory as a side effect.
 */
const running = (name: BackendName): boolean => tf.engine().registry[name] !== undefined && tf.findBackendFactory(name) !== null;

async function start(name: BackendName, loader: BackendLoader | undefined, options: BackendStartOptions): Promise<string> {
  if (running(name) && (await tf.setBackend(name))) {
    if (name === 'wasm') registerWasmGradientKernels(); // a wasm backend started by the caller lacks them too
    return 'already initialized';
  }
  return (loader ?? (await defaultLoader(name))).start(options);
}

/** The import failed because the backend's tfjs package is not installed: say which one to install. */
function notInstalled(e: unknown, name: BackendName): Error | undefined {
  const text = errorText(e);
  const pkg = `@tensorflow/tfjs-backend-${name}`;
  return text.includes(pkg) && /Cannot find|not found|Failed to resolve|Could not resolve|ERR_MODULE_NOT_FOUND/i.test(text)
    ? new Error(`${pkg} is not installed (an optional peer dependency): npm install ${pkg} at your @tensorflow/tfjs-core version`)
    : undefined;
}

interface Plan {
  readonly order: readonly BackendName[];
  readonly loaders: ReadonlyMap<BackendName, BackendLoader>;
  readonly forced: boolean;
  readonly options: BackendStartOptions;
}

const isName = (v: unknown): v is BackendName => BACKENDS.includes(v as BackendName);

function checkLoaders(value: unknown): Result<ReadonlyMap<BackendName, BackendLoader>> {
  if (value === undefined) return ok(new Map());
  const list = Array.isArray(value) ? readArray(value, 'options.backends') : fail({ _tag: 'InvalidArgument', path: 'options.backends', expected: 'an array of backend loaders', got: describeValue(value) });
  if (list._tag === 'Left') return list;
  const loaders = new Map<BackendName, BackendLoader>();
  const errors: AttributionError[] = [];
  list.right.forEach((l, i) => {
    const fields = readFields(l, `options.backends[${i}]`, ['name', 'start']);
    if (fields._tag === 'Right' && isName(fields.right.name) && typeof fields.right.start === 'function') loaders.set(fields.right.name, l as BackendLoader);
    else errors.push({ _tag: 'InvalidArgument', path: `options.backends[${i}]`, expected: "a backend loader { name: 'webgpu' | 'wasm' | 'cpu', start }", got: describeValue(l) });
  });
  if (list.right.length === 0) errors.push({ _tag: 'InvalidArgument', path: 'options.backends', expected: 'at least one backend loader', got: 'an empty array' });
  return failAll(errors) ?? ok(loaders);
}

/** The options, read once into plain values: a getter cannot change them between checks and use. */
function checkOptions(options: unknown): Result<Plan> {
  const top = readFields(options, 'options', ['backends', 'force', 'prefer', 'wasm', 'webgpu']);
  if (top._tag === 'Left') return top;
  const { backends, force, prefer: preferred, wasm: wasmOptions, webgpu: webgpuOptions } = top.right;
  const checked = all({
    loaders: checkLoaders(backends),
    wasm: readFields(wasmOptions, 'options.wasm', ['module', 'simd', 'fastKernels']),
    webgpu: readFields(webgpuOptions, 'options.webgpu', ['gpu', 'powerPreference']),
  });
  if (checked._tag === 'Left') return checked;
  const { loaders } = checked.right;
  const plain: BackendStartOptions = { wasm: checked.right.wasm as WasmBackendOptions, webgpu: checked.right.webgpu as WebGpuBackendOptions };
  const available = loaders.size > 0 ? [...loaders.keys()] : BACKENDS;
  const among = (name: BackendName) => available.includes(name);
  if (force !== undefined) {
    return isName(force) && among(force)
      ? ok({ order: [force], loaders, forced: true, options: plain })
      : fail({ _tag: 'InvalidArgument', path: 'options.force', expected: `one of ${available.join(', ')}`, got: describeValue(force) });
  }
  const prefer = preferred === undefined ? ok(available) : Array.isArray(preferred) ? readArray(preferred, 'options.prefer') : fail({ _tag: 'InvalidArgument', path: 'options.prefer', expected: 'an array', got: describeValue(preferred) });
  if (prefer._tag === 'Left') return prefer;
  if (prefer.right.length === 0 || !prefer.right.every((n) => isName(n) && among(n))) {
    return fail({ _tag: 'InvalidArgument', path: 'options.prefer', expected: `a non-empty array of ${available.join(', ')}`, got: describeValue(preferred) });
  }
  return ok({ order: prefer.right as BackendName[], loaders, forced: false, options: plain });
}

/**
 * Starts the best available tfjs backend and makes it current: `webgpu` where an adapter exists,
 * else `wasm` (instantiated from a compiled `WebAssembly.Module`), else `cpu`. Reports what it chose
 * and why each backend before it was passed over. Pass `force` to insist on one, and `backends`
 * (loaders from `tfjs-attribution/webgpu`, `/wasm`, `/cpu`) in a bundle.
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
  const { order, loaders, forced } = checked.right;
  const passedOver: Partial<Record<BackendName, string>> = {};
  const errors: AttributionError[] = [];
  for (const name of order) {
    try {
      const detail = await start(name, loaders.get(name), checked.right.options);
      return ok({ backend: name, detail, passedOver, kernels: await kernelStatus() });
    } catch (e) {
      passedOver[name] = errorText(e);
      errors.push({ _tag: 'BackendUnavailable', path: forced ? 'options.force' : 'options.prefer', backend: name, reason: errorText(e) });
    }
  }
  return failAll(errors) ?? fail({ _tag: 'Unexpected', path: 'initBackend', message: 'no backend to try' });
}
