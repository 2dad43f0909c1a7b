// The tfjs webgpu backend over an adapter and device we request ourselves: tfjs does not null-check
// the adapter ("Cannot read properties of null"), and software adapters (Dawn on OpenGL ES, for one)
// only appear in compatibility mode, which tfjs never asks for.
import { registerFirstMaxPoolGrad } from './max-pool-grad.js';
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { activate } from './activate.js';
import type { BackendLoader } from './backend-loader.js';

interface GpuAdapterLike {
  readonly features: ReadonlySet<string>;
  readonly limits: Record<string, number>;
  readonly info?: unknown;
  requestDevice(descriptor: object): Promise<object>;
}
/**
 * The part of `navigator.gpu` this library uses: enough to hand over Dawn's GPU object in Node.
 *
 * @example
 * const noAdapter: GpuLike = { requestAdapter: async () => null };
 * await initBackend({ prefer: ['webgpu', 'cpu'], webgpu: { gpu: noAdapter } }); // Right: cpu, webgpu passed over
 */
export interface GpuLike {
  /** `navigator.gpu.requestAdapter`: an adapter, or `null` when there is none. */
  requestAdapter(options?: object): Promise<GpuAdapterLike | null>;
}

/**
 * Options for the `webgpu` backend.
 *
 * @example
 * const webgpu: WebGpuBackendOptions = { powerPreference: 'high-performance' };
 * await initBackend({ prefer: ['webgpu', 'cpu'], webgpu });
 */
export interface WebGpuBackendOptions {
  /** The WebGPU entry point; default `navigator.gpu`. */
  readonly gpu?: GpuLike;
  readonly powerPreference?: 'low-power' | 'high-performance';
}

const WEBGPU_PRIORITY = 3;
// The limits tfjs's own factory raises to the adapter's values, plus the workgroup sizes its shaders use.
const LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeInvocationsPerWorkgroup',
];

const describeAdapter = (info: unknown): string => {
  const i = (info ?? {}) as { vendor?: string; architecture?: string; description?: string; device?: string };
  return [i.vendor, i.architecture, i.device, i.description].filter((s) => typeof s === 'string' && s !== '').join(' ') || 'unnamed adapter';
};

/** A 2x2 matMul and a reduction that must come back exact: catches adapters that fail silently. */
async function smokeTest(): Promise<void> {
  const [product, sums] = tf.tidy(() => {
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    return [tf.matMul(x, x), tf.sum(x, 1)];
  });
  const got = [...(await product.data()), ...(await sums.data())];
  product.dispose();
  sums.dispose();
  const want = [7, 10, 15, 22, 3, 7];
  if (got.some((v, i) => v !== want[i])) throw new Error(`smoke test gave [${got.join(',')}], expected [${want.join(',')}]`);
}

/** Registers (replacing tfjs's own factory) and activates the `webgpu` backend. Rejects with a reason. */
export async function startWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<string> {
  const gpu = options.gpu ?? (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (gpu === undefined) throw new Error('no navigator.gpu: this runtime exposes no WebGPU');
  const powerPreference = options.powerPreference ?? 'high-performance';
  const adapter = (await gpu.requestAdapter({ powerPreference })) ?? (await gpu.requestAdapter({ powerPreference, featureLevel: 'compatibility' }));
  if (adapter === null) throw new Error('navigator.gpu.requestAdapter() found no adapter');
  const requiredLimits = Object.fromEntries(LIMITS.filter((k) => typeof adapter.limits[k] === 'number').map((k) => [k, adapter.limits[k]]));
  const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  await activate('webgpu', () => new WebGPUBackend(device as never, adapter.info as never), WEBGPU_PRIORITY, smokeTest);
  registerFirstMaxPoolGrad('webgpu');
  return describeAdapter(adapter.info);
}

/**
 * The WebGPU backend, on the adapter `navigator.gpu` offers (or `options.webgpu.gpu`); the
 * `tfjs-attribution/webgpu` entry point.
 *
 * @example
 * // import { webgpuBackend } from 'tfjs-attribution/webgpu';
 * // import { wasmBackend } from 'tfjs-attribution/wasm';
 * // await initBackend({ backends: [webgpuBackend, wasmBackend] }); // WebGPU where an adapter exists, else wasm
 */
export const webgpuBackend: BackendLoader = {
  name: 'webgpu',
  start: (options) => startWebGpuBackend(options.webgpu),
};
