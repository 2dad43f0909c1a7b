import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { type BackendLoader, initBackend } from '../../src/index.js';
import { cpuBackend } from '../../src/backends/cpu-backend.js';
import { wasmBackend } from '../../src/backends/wasm-backend.js';
import { webgpuBackend } from '../../src/backends/webgpu-backend.js';
import { SUPPORTED_TFJS, unsupportedTfjs } from '../../src/backends/tfjs-version.js';
import { configureKernels } from '../../src/index.js';
import { assert, assertClose, backendName, expectLeft, expectRight } from '../support/harness.js';

const s = suite(`initBackend (${backendName} process)`);
s('reuses the backend already running when it is forced again', async () => {
  const r = expectRight(await initBackend({ force: backendName }));
  assert(r.backend === backendName && r.detail === 'already initialized', JSON.stringify(r));
  assert(tf.getBackend() === backendName, 'still current');
});
s('reports why a preferred backend was passed over', async () => {
  const r = expectRight(await initBackend({ prefer: ['webgpu', backendName] }));
  if (backendName === 'webgpu') {
    assert(r.backend === 'webgpu', 'webgpu chosen where it runs');
  } else {
    // These processes never install navigator.gpu.
    assert(r.backend === backendName, `fell back to ${backendName}, got ${r.backend}`);
    assert((r.passedOver.webgpu ?? '').includes('navigator.gpu'), `reason given: ${JSON.stringify(r.passedOver)}`);
  }
  assert(tf.getBackend() === backendName, 'the backend under test is current again');
});
s('tries only the loaders it is given, in their order', async () => {
  const broken: BackendLoader = { name: 'webgpu', start: async () => Promise.reject(new Error('no adapter here')) };
  const loaders: Record<string, BackendLoader> = { cpu: cpuBackend, wasm: wasmBackend, webgpu: webgpuBackend };
  const r = expectRight(await initBackend({ backends: backendName === 'webgpu' ? [loaders['webgpu']!] : [broken, loaders[backendName]!] }));
  assert(r.backend === backendName, `got ${r.backend}`);
  if (backendName !== 'webgpu') assert(r.passedOver.webgpu === 'no adapter here', JSON.stringify(r.passedOver));
  expectLeft(await initBackend({ backends: [] }), ['InvalidArgument']);
  expectLeft(await initBackend({ backends: [{ name: 'tpu', start: async () => 'x' } as never] }), ['InvalidArgument']);
  expectLeft(await initBackend({ backends: [cpuBackend], force: 'wasm' }), ['InvalidArgument']);
  assert(tf.getBackend() === backendName, 'the backend under test is still current');
});
s('refuses unknown backends and malformed options with a Left', async () => {
  expectLeft(await initBackend({ force: 'tpu' as never }), ['InvalidArgument']);
  expectLeft(await initBackend({ prefer: [] }), ['InvalidArgument']);
  expectLeft(await initBackend('wasm' as never), ['InvalidArgument']);
});
if (backendName === 'cpu') {
  s('starts wasm from a compiled WebAssembly.Module handed over by the caller (the Workers path), and reports a bad one', async () => {
    const bad = await initBackend({ force: 'wasm', wasm: { module: new Uint8Array([0, 97, 115, 109]) } });
    const [e] = expectLeft(bad, ['BackendUnavailable']);
    assert(e?._tag === 'BackendUnavailable' && e.backend === 'wasm', 'names the backend');
    assert(tf.getBackend() === 'cpu', 'cpu is still current after the failure');
    // A valid WebAssembly module that is not tfjs's binary: it must fail, not hang.
    const wrong = await WebAssembly.compile(readFileSync(new URL('../../src/wasm/attribution-kernels.scalar.wasm', import.meta.url)));
    const [w] = expectLeft(await initBackend({ force: 'wasm', wasm: { module: wrong } }), ['BackendUnavailable']);
    assert(w?._tag === 'BackendUnavailable' && w.reason.includes('not a tfjs-backend-wasm binary'), `says what is wrong: ${w?._tag === 'BackendUnavailable' ? w.reason : ''}`);
    assert(tf.getBackend() === 'cpu', 'cpu is still current after a wrong module');
    const main = import.meta.resolve('@tensorflow/tfjs-backend-wasm');
    const module = await WebAssembly.compile(readFileSync(new URL('tfjs-backend-wasm-simd.wasm', main)));
    const handlers = () => process.listeners('uncaughtException').length + process.listeners('unhandledRejection').length;
    const before = handlers();
    const r = expectRight(await initBackend({ force: 'wasm', wasm: { module, simd: true } }));
    assert(handlers() === before, 'emscripten left no process handlers behind');
    assert(r.backend === 'wasm' && tf.getBackend() === 'wasm', 'wasm is current');
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])));
    assertClose(await y.data(), [17, 39], { atol: 0, rtol: 0 });
    y.dispose();
    assert(await tf.setBackend('cpu'), 'back to cpu for the suites that follow');
  });
}
s('reports the kernel variant with the backend, and why the kernels fell back when their binary is not there', async () => {
  const r = expectRight(await initBackend({ force: backendName }));
  assert(r.kernels.variant === 'simd' && r.kernels.reason === undefined, `kernels: ${JSON.stringify(r.kernels)}`);
  // As a bundle whose wasm/ folder is not served sees it: the binaries cannot be read.
  const gone = new URL('file:///nonexistent/wasm/attribution-kernels.simd.wasm');
  expectRight(await configureKernels({ simd: gone, scalar: new URL('file:///nonexistent/wasm/attribution-kernels.scalar.wasm') }));
  const fell = expectRight(await initBackend({ force: backendName }));
  assert(fell.kernels.variant === 'js' && (fell.kernels.reason ?? '').includes('/nonexistent/wasm/attribution-kernels.simd.wasm'), `kernels: ${JSON.stringify(fell.kernels)}`);
  assert(!(fell.kernels.reason ?? '').includes('serve tfjs-attribution'), 'binaries handed over: no advice on serving the defaults');
  expectRight(await configureKernels());
  assert(expectRight(await initBackend({ force: backendName })).kernels.variant === 'simd', 'the SIMD kernels again');
});
s('knows which tfjs releases it can build the wasm backend from, as the peer range says', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { peerDependencies: Record<string, string> };
  for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgpu']) {
    assert(pkg.peerDependencies[name] === SUPPORTED_TFJS.range, `${name}: peer range ${pkg.peerDependencies[name]}, the code checks ${SUPPORTED_TFJS.range}`);
  }
  for (const ok of ['4.20.0', '4.21.0', '4.22.0', '4.23.0-rc.0']) assert(unsupportedTfjs('@tensorflow/tfjs-backend-wasm', ok) === undefined, `${ok} is accepted`);
  for (const bad of ['4.19.0', '3.21.0', '5.0.0', 'dev']) {
    const why = unsupportedTfjs('@tensorflow/tfjs-backend-wasm', bad) ?? '';
    assert(why.includes(`@tensorflow/tfjs-backend-wasm ${bad} is not a version`) && why.includes('^4.20.0'), `${bad}: ${why}`);
  }
  assert((unsupportedTfjs('@tensorflow/tfjs-backend-wasm', undefined) ?? '').includes('does not say its version'), 'no version');
  assert((unsupportedTfjs('@tensorflow/tfjs-backend-wasm', '4.22.0', '4.21.0') ?? '').includes('does not match @tensorflow/tfjs-core 4.21.0'), 'a core of another release');
  assert(unsupportedTfjs('@tensorflow/tfjs-backend-wasm', '4.22.0', tf.version_core) === undefined, 'the installed pair');
});
s.run();
