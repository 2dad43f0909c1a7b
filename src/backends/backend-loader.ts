// What initBackend needs of each backend: its name and a way to start it. Each loader lives in its
// own module with a static import of its tfjs package (tfjs-attribution/webgpu, /wasm, /cpu), so a
// bundle carries exactly the backends its code imports.
import type { WasmBackendOptions } from './wasm-backend.js';
import type { WebGpuBackendOptions } from './webgpu-backend.js';

/**
 * The tfjs backends {@link initBackend} can start.
 *
 * @example
 * const order: BackendName[] = ['wasm', 'cpu'];
 * await initBackend({ prefer: order }); // Right({ backend: 'wasm', ... }) where wasm starts
 */
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

/**
 * The options each loader reads, taken from {@link initBackend}'s options.
 *
 * @example
 * const options: BackendStartOptions = { wasm: { simd: true }, webgpu: { powerPreference: 'low-power' } };
 * await initBackend({ prefer: ['cpu'], ...options });
 */
export interface BackendStartOptions {
  readonly wasm?: WasmBackendOptions;
  readonly webgpu?: WebGpuBackendOptions;
}

/**
 * A backend {@link initBackend} can start: `webgpuBackend` from `tfjs-attribution/webgpu`,
 * `wasmBackend` from `tfjs-attribution/wasm`, `cpuBackend` from `tfjs-attribution/cpu`.
 *
 * @example
 * // In a bundle, import the loaders you want; nothing else is bundled:
 * //   import { wasmBackend } from 'tfjs-attribution/wasm';
 * //   await initBackend({ backends: [wasmBackend] });
 * const loggingCpu: BackendLoader = { name: 'cpu', start: async () => (await tf.setBackend('cpu') ? 'cpu' : 'failed') };
 * await initBackend({ backends: [loggingCpu] });
 */
export interface BackendLoader {
  readonly name: BackendName;
  /** Registers and activates the backend; resolves with a description, rejects with the reason it cannot run. */
  start(options: BackendStartOptions): Promise<string>;
}
