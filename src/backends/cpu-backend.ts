// The tfjs cpu backend, as a loader (the `tfjs-attribution/cpu` entry point).
import * as tf from '@tensorflow/tfjs-core';
// A named import: a bare side-effect import can be dropped by bundlers (the package's sideEffects list).
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import type { BackendLoader } from './backend-loader.js';

/**
 * The plain-JavaScript backend: always available, the slowest.
 *
 * @example
 * // import { cpuBackend } from 'tfjs-attribution/cpu';
 * // await initBackend({ backends: [cpuBackend] }); // Right({ backend: 'cpu', detail: 'tfjs-backend-cpu 4.22.0', ... })
 */
export const cpuBackend: BackendLoader = {
  name: 'cpu',
  async start() {
    if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
    return `tfjs-backend-cpu ${version_cpu}`;
  },
};
