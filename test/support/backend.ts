// Starting the backend under test. WebGPU in Node comes from the `webgpu` package (Dawn); on these
// machines it finds Mesa's software OpenGL ES through EGL (EGL_PLATFORM=surfaceless, set by run-all).
import { initBackend, type BackendName, type BackendReport, message } from '../../src/index.js';

/** Installs Dawn's `navigator.gpu` and WebGPU globals (GPUBufferUsage, ...) that tfjs-backend-webgpu reads. */
export async function installNodeWebGpu(): Promise<void> {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const flags = (process.env['TFJS_ATTRIBUTION_DAWN_FLAGS'] ?? 'backend=opengles').split(',').filter((f) => f !== '');
  const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: unknown };
  Object.defineProperty(nav, 'gpu', { value: create(flags), configurable: true });
}

export async function setUpBackend(name: BackendName): Promise<{ ok: true; report: BackendReport } | { ok: false; reason: string }> {
  if (name === 'webgpu') {
    try {
      await installNodeWebGpu();
    } catch (e) {
      return { ok: false, reason: `the webgpu (Dawn) package could not load: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  const r = await initBackend({ force: name });
  return r._tag === 'Right' ? { ok: true, report: r.right } : { ok: false, reason: message(r.left) };
}
