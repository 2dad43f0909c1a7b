// The tfjs wasm backend, instantiated from a pre-compiled WebAssembly.Module through emscripten's
// `instantiateWasm` hook. Cloudflare Workers forbid compiling WebAssembly from bytes, and tfjs 4.22
// offers no option for a Module; building the backend ourselves (its exported BackendWasm class over
// the emscripten module) gives one path that works in every runtime, without patching tfjs.
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import wasmFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
import type { BackendLoader } from './backend-loader.js';
import { activate } from './activate.js';
import { registerWasmGradientKernels } from './wasm-gradient-kernels.js';
import { registerFirstMaxPoolGrad } from './max-pool-grad.js';
import { prebundledPackageFile } from './served-files.js';
import { unsupportedTfjs } from './tfjs-version.js';
import { registerFastWasmKernels, restoreWasmKernels } from './wasm-fast-kernels.js';
import { prepareInPlaceKernels } from '../kernels/wasm-inplace.js';
import { compileWasm, hasWasmSimd, type WasmSource } from './wasm-source.js';

/**
 * Options for the `wasm` backend: where its binary comes from.
 *
 * @example
 * // On Cloudflare Workers: import wasmModule from 'tfjs-attribution/wasm/tfjs-backend-wasm-simd.wasm';
 * const wasm: WasmBackendOptions = { simd: true }; // add `module: wasmModule` there
 * await initBackend({ prefer: ['wasm', 'cpu'], wasm });
 */
export interface WasmBackendOptions {
  /**
   * The tfjs-backend-wasm binary (`tfjs-backend-wasm-simd.wasm`, or `tfjs-backend-wasm.wasm` where
   * SIMD is off): a compiled module (required on Cloudflare Workers), bytes or a URL. By default it
   * is read from the installed `@tensorflow/tfjs-backend-wasm` package.
   */
  readonly module?: WasmSource;
  /** Use the SIMD binary; default: whether the runtime validates WebAssembly SIMD. Must match `module`. */
  readonly simd?: boolean;
  /**
   * Register faster wasm kernels for BatchMatMul with a transposed operand, Conv2DBackpropInput,
   * Conv2D (channel counts where a direct kernel beats XNNPACK), MaxPoolGrad, AvgPoolGrad, Identity, Cast,
   * row-broadcast Add/Sub/Multiply and leading-axis Sum in place of tfjs-backend-wasm's own (default
   * `true`; see `wasm-fast-kernels.ts`, `FAST_WASM_KERNELS`). `false` leaves tfjs's kernels untouched (and puts them back if an
   * earlier start registered ours).
   */
  readonly fastKernels?: boolean;
}

interface EmscriptenModule {
  cwrap(name: string, returns: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: unknown;
}
type Factory = (config: { instantiateWasm: (imports: WebAssembly.Imports, done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) => object }) => Promise<EmscriptenModule>;

const WASM_PRIORITY = 2;

/**
 * The tfjs-backend-wasm binary: the installed package's own (Node, Deno, browsers with an import
 * map: `import.meta.resolve` finds it), else the copy this package ships in `wasm/` beside its
 * modules (a bundle: serve the package's `dist/wasm/` as `wasm/` next to the bundle's folder).
 */
function defaultBinary(simd: boolean): URL[] {
  const name = simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  const shipped = new URL(`../wasm/${name}`, import.meta.url);
  // Under a dev server's pre-bundled deps (Vite), the installed tfjs-backend-wasm's own binary, served from node_modules.
  const prebundled = prebundledPackageFile(import.meta.url, '@tensorflow/tfjs-backend-wasm/dist', name);
  try {
    return [new URL(name, import.meta.resolve('@tensorflow/tfjs-backend-wasm')), shipped];
  } catch {
    return [...prebundled, shipped];
  }
}

/** The first source that compiles; the error names every place tried. */
async function compileFirst(sources: readonly WasmSource[]): Promise<WebAssembly.Module> {
  const failures: string[] = [];
  for (const source of sources) {
    try {
      return await compileWasm(source);
    } catch (e) {
      failures.push(`${source instanceof URL ? source.href : 'the given module'}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`no tfjs-backend-wasm binary could be loaded (${failures.join('; ')})`);
}

interface ProcessEvents {
  listeners(event: string): unknown[];
  removeListener(event: string, listener: unknown): void;
}
const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'];

/**
 * Emscripten's glue, when it sees Node, installs process handlers that rethrow every uncaught
 * exception and unhandled rejection (printing its whole minified source line). Runs `start` and
 * removes whatever handlers it added, leaving the host process as it was.
 */
async function withoutProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const proc = (globalThis as { process?: Partial<ProcessEvents> }).process;
  if (typeof proc?.listeners !== 'function' || typeof proc.removeListener !== 'function') return start();
  const events = proc as ProcessEvents;
  const before = PROCESS_EVENTS.map((e) => new Set(events.listeners(e)));
  try {
    return await start();
  } finally {
    PROCESS_EVENTS.forEach((e, i) => {
      for (const l of events.listeners(e)) if (!before[i]?.has(l)) events.removeListener(e, l);
    });
  }
}

/** Registers (replacing tfjs's own factory) and activates the `wasm` backend. Rejects with a reason. */
export async function startWasmBackend(options: WasmBackendOptions = {}): Promise<string> {
  // What follows reaches into tfjs-backend-wasm's internals: refuse, with the reason, a release it was not tested with.
  const unsupported = unsupportedTfjs('@tensorflow/tfjs-backend-wasm', version_wasm, tf.version_core);
  if (unsupported !== undefined) throw new Error(unsupported);
  if (typeof BackendWasm !== 'function' || typeof wasmFactory !== 'function') {
    throw new Error(`@tensorflow/tfjs-backend-wasm ${String(version_wasm)} does not export the BackendWasm class and emscripten factory this library builds the backend from`);
  }
  const simd = options.simd ?? hasWasmSimd();
  const compiled = await compileFirst(options.module !== undefined ? [options.module] : defaultBinary(simd)).catch((e: unknown) => {
    if (options.module !== undefined) throw e;
    throw new Error(
      `${e instanceof Error ? e.message : String(e)}; serve tfjs-attribution's dist/wasm/ folder as wasm/ next to the folder of the module or bundle, or pass the binary: initBackend({ wasm: { module } })`,
    );
  });
  const exported = new Set(WebAssembly.Module.exports(compiled).map((e) => e.name));
  const missing = ['memory', 'init_with_threads_count', 'register_tensor', 'dispose_data'].filter((name) => !exported.has(name));
  if (missing.length > 0) throw new Error(`the module is not a tfjs-backend-wasm binary (it does not export ${missing.join(', ')})`);
  const factory = wasmFactory as unknown as Factory;
  // emscripten waits for `done` forever: a module that fails to instantiate (a wrong binary) must
  // reject the start instead of leaving it pending.
  let instantiationFailed: (e: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => {
    instantiationFailed = reject;
  });
  const module = await withoutProcessHandlers(() =>
    Promise.race([
      factory({
        instantiateWasm(imports, done) {
          WebAssembly.instantiate(compiled, imports).then((instance) => {
            try {
              done(instance, compiled);
            } catch (e) {
              instantiationFailed(e);
            }
          }, instantiationFailed);
          return {}; // emscripten: instantiation is asynchronous, `done` completes it
        },
      }),
      failure,
    ]),
  );
  if (typeof module.cwrap !== 'function') throw new Error(`the emscripten module of @tensorflow/tfjs-backend-wasm ${version_wasm} has no cwrap`);
  // The bridge tfjs's own init() installs (tfjs-backend-wasm 4.20 to 4.22, backend_wasm.ts).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  tf.env().set('WASM_HAS_SIMD_SUPPORT', simd);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await activate('wasm', () => new BackendWasm(module as never), WASM_PRIORITY);
  registerWasmGradientKernels();
  if (options.fastKernels === false) {
    restoreWasmKernels();
    registerFirstMaxPoolGrad('wasm'); // torch's tie rule without the fast kernels: built from tfjs ops
  } else {
    registerFastWasmKernels(); // its MaxPoolGrad keeps torch's tie rule (the first maximum), in AssemblyScript
    // The pool gradients, row broadcasts and sums run the in-place module once it is compiled (JS
    // loops until then); a source that never answers must not hold up the backend.
    await Promise.race([prepareInPlaceKernels(), new Promise((resolve) => setTimeout(resolve, 2000))]);
  }
  return simd ? 'SIMD binary, from a compiled WebAssembly.Module' : 'scalar binary, from a compiled WebAssembly.Module';
}

/**
 * The WebAssembly backend (XNNPACK, SIMD where the runtime has it), built from a compiled
 * `WebAssembly.Module`; the `tfjs-attribution/wasm` entry point.
 *
 * @example
 * // import { wasmBackend } from 'tfjs-attribution/wasm';
 * // await initBackend({ backends: [wasmBackend], wasm: { module } }); // module: a compiled tfjs-backend-wasm binary
 */
export const wasmBackend: BackendLoader = {
  name: 'wasm',
  start: (options) => startWasmBackend(options.wasm),
};
