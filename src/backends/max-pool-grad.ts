// MaxPoolGrad with torch's tie rule. Where a pooling window holds its maximum more than once, torch
// and tfjs's cpu backend send the gradient to the FIRST maximum in row-major window order; the wasm
// and webgpu backends of tfjs 4.22 pick another one. Gradients then differ on ties (a constant
// baseline, a saturated relu), and Captum parity with them. This kernel, built from ops every backend
// has, gives the first-maximum gradient; the wasm and webgpu loaders register it in place of theirs.
import * as tf from '@tensorflow/tfjs-core';
import { firstMaxPoolVjp } from '../engine/max-pool-vjp.js';
import { type Backend, compose } from './wasm-gradient-kernels.js';

type Attrs = Record<string, unknown>;

function maxPoolGrad({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs }): tf.TensorInfo {
  const a = attrs ?? {};
  return compose(backend as Backend, [inputs['dy'] as tf.TensorInfo, inputs['input'] as tf.TensorInfo, inputs['output'] as tf.TensorInfo], (dy, x, y) => {
    const geometry = { spatialRank: 2, filterSize: a['filterSize'] as [number, number], strides: a['strides'] as [number, number], pad: a['pad'] as 'valid', dimRoundingMode: a['dimRoundingMode'] as 'floor' | undefined } as const;
    return firstMaxPoolVjp(geometry, x, y, dy);
  });
}

/** Replaces `backendName`'s MaxPoolGrad with the first-maximum one (tfjs-cpu's rule, and torch's). */
export function registerFirstMaxPoolGrad(backendName: 'wasm' | 'webgpu'): void {
  if (tf.getKernel('MaxPoolGrad', backendName) !== undefined) tf.unregisterKernel('MaxPoolGrad', backendName);
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName, kernelFunc: maxPoolGrad as tf.KernelFunc });
}
