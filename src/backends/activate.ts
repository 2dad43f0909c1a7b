import * as tf from '@tensorflow/tfjs-core';

/**
 * Registers `factory` under `name` in place of any factory there (tfjs's own registers on import)
 * and makes it the current backend, then runs `check`. On any failure our registration is removed,
 * and the backend that was current before is current again: tfjs is never left pointing at a broken
 * backend (after a failed `setBackend`, tfjs still names it current and every op throws).
 */
export async function activate(name: string, factory: () => tf.KernelBackend, priority: number, check?: () => Promise<void>): Promise<void> {
  // Read without starting anything (tf.getBackend() would initialise the best registered backend).
  const previous = (tf.engine() as unknown as { backendName: string | null }).backendName;
  if (tf.findBackendFactory(name) !== null) tf.removeBackend(name);
  tf.registerBackend(name, factory, priority);
  try {
    if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend("${name}") returned false`);
    await check?.();
  } catch (e) {
    tf.removeBackend(name);
    if (previous !== null && previous !== name && tf.findBackendFactory(previous) !== null) await tf.setBackend(previous);
    throw e;
  }
}
