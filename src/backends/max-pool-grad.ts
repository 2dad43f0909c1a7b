// MaxPoolGrad with torch's tie rule. Where a pooling window holds its maximum more than once, torch
// and tfjs's cpu backend send the gradient to the FIRST maximum in row-major window order; the wasm
// and webgpu backends of tfjs 4.22 pick another one. Gradients then differ on ties (a constant
// baseline, a saturated relu), and Captum parity with them. This kernel, built from ops every backend
// has, gives the first-maximum gradient; the wasm and webgpu loaders register it in place of theirs.
import * as tf from '@tensorflow/tfjs-core';
import { type Backend, compose } from './wasm-gradient-kernels.js';

type Attrs = Record<string, unknown>;

/**
 * `t` `[N, oh, ow, C]` spread on a grid of stride `[sh, sw]`: `[N, oh·sh, ow·sw, C]`, zeros between.
 * Every step stays at rank 4: tfjs-webgpu 4.22 cannot pad rank-5 or rank-6 tensors (no vec5 in WGSL).
 */
function spread(t: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return t;
  const [n, oh, ow, c] = t.shape;
  const columns = tf.pad(tf.reshape(t, [n * oh, ow, 1, c]), [[0, 0], [0, 0], [0, sw - 1], [0, 0]]); // [N·oh, ow, sw, C]
  const rows = tf.pad(tf.reshape(columns, [n, oh, 1, ow * sw * c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0]]); // [N, oh, sh, ow·sw·C]
  return tf.reshape(rows, [n, oh * sh, ow * sw, c]);
}

/**
 * dx of `y = maxPool(x)` for `dy`, each window's gradient going to its first maximum (row-major).
 * Windows are visited offset by offset: at offset (i, j) every window's element is compared with the
 * window's maximum, unless an earlier offset already took it; overlapping windows add up, as the
 * gradient of a max pool does.
 */
export function maxPoolGradFirstMax(dy: tf.Tensor4D, x: tf.Tensor4D, y: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { top, left } = info.padInfo;
  const needH = (oh - 1) * sh + kh;
  const needW = (ow - 1) * sw + kw;
  const padH = Math.max(0, needH - top - h);
  const padW = Math.max(0, needW - left - w);
  const xp = tf.pad(x, [[0, 0], [top, padH], [left, padW], [0, 0]], -Infinity); // padding never wins a window
  let taken = tf.zeros([n, oh, ow, c], 'bool');
  const [fullH, fullW] = [top + h + padH, left + w + padW];
  let dx = tf.zeros([n, fullH, fullW, c]);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const at = tf.stridedSlice(xp, [0, i, j, 0], [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c], [1, sh, sw, 1]) as tf.Tensor4D; // [N, oh, ow, C]: element (i, j) of every window
      const hit = tf.logicalAnd(tf.equal(at, y), tf.logicalNot(taken));
      taken = tf.logicalOr(taken, hit);
      const grid = spread(tf.where(hit, dy, tf.zerosLike(dy)), sh, sw); // [N, oh·sh, ow·sw, C]
      const [, gh, gw] = grid.shape;
      const placed = tf.slice(tf.pad(grid, [[0, 0], [i, Math.max(0, fullH - i - gh)], [j, Math.max(0, fullW - j - gw)], [0, 0]]), [0, 0, 0, 0], [n, fullH, fullW, c]);
      dx = tf.add(dx, placed);
    }
  }
  return tf.slice(dx, [0, top, left, 0], [n, h, w, c]) as tf.Tensor4D;
}

function maxPoolGrad({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs }): tf.TensorInfo {
  const a = attrs ?? {};
  return compose(backend as Backend, [inputs['dy'] as tf.TensorInfo, inputs['input'] as tf.TensorInfo, inputs['output'] as tf.TensorInfo], (dy, x, y) => {
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      a['filterSize'] as [number, number],
      a['strides'] as [number, number],
      1,
      a['pad'] as 'valid',
      a['dimRoundingMode'] as 'floor',
    );
    return maxPoolGradFirstMax(dy as tf.Tensor4D, x as tf.Tensor4D, y as tf.Tensor4D, info);
  });
}

/** Replaces `backendName`'s MaxPoolGrad with the first-maximum one (tfjs-cpu's rule, and torch's). */
export function registerFirstMaxPoolGrad(backendName: 'wasm' | 'webgpu'): void {
  if (tf.getKernel('MaxPoolGrad', backendName) !== undefined) tf.unregisterKernel('MaxPoolGrad', backendName);
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName, kernelFunc: maxPoolGrad as tf.KernelFunc });
}
