// tfjs-backend-wasm 4.22 lacks kernels that common gradients need, so attributions that work on cpu
// and webgpu would fail on wasm:
// - Conv2DBackpropFilter: the fused conv of every tfjs-layers conv layer computes it in its gradient;
// - DepthwiseConv2dNativeBackpropInput / ...BackpropFilter: depthwise layers (MobileNet);
// - UnsortedSegmentSum: the gradient of gather (embeddings, index selection).
// Each is registered for 'wasm' here, built from ops the wasm backend has (or, for the light
// depthwise filter gradient, from a direct loop over data the wasm backend keeps in CPU memory).
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmMaxPoolGrad } from './wasm-max-pool-grad.js';

type Backend = tf.KernelBackend & { incRef(dataId: tf.DataId): void };
type Attrs = Record<string, unknown>;

/**
 * Runs `f` on tensors wrapping the kernel inputs and hands its result back as the kernel output.
 * Reference counts are raised before wrapping, so disposing the wrappers never frees the inputs,
 * and before the result is disposed, so the engine's new tensor owns its data.
 */
function compose(backend: Backend, inputs: readonly tf.TensorInfo[], f: (...t: tf.Tensor[]) => tf.Tensor): tf.TensorInfo {
  const engine = tf.engine();
  const wrapped = inputs.map((info) => {
    backend.incRef(info.dataId);
    return engine.makeTensorFromTensorInfo(info, backend);
  });
  const out = tf.tidy(() => f(...wrapped));
  backend.incRef(out.dataId);
  const info = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
  out.dispose();
  for (const t of wrapped) t.dispose();
  return info;
}

const asNhwc = (t: tf.Tensor4D, dataFormat: unknown): tf.Tensor4D => (dataFormat === 'NCHW' ? tf.transpose(t, [0, 2, 3, 1]) : t);

/** `x` padded (or cropped) so that row `oh*stride + i*dilation` of the result is conv input row `oh*stride + i*dilation - top`. */
function windowed(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const needH = (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight;
  const needW = (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth;
  const { top, left } = info.padInfo;
  const [n, h, w, c] = x.shape;
  const padded = tf.pad(x, [[0, 0], [top, Math.max(0, needH - top - h)], [left, Math.max(0, needW - left - w)], [0, 0]]);
  return tf.slice(padded, [0, 0, 0, 0], [n, needH, needW, c]);
}

/** dW[i,j,ci,co] = sum_{n,oh,ow} x[n, oh*s+i-top, ow*s+j-left, ci] dy[n,oh,ow,co]: one dilated conv with the batch as channels. */
function conv2dBackpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs }): tf.TensorInfo {
  const a = attrs ?? {};
  return compose(backend as Backend, [inputs['x'] as tf.TensorInfo, inputs['dy'] as tf.TensorInfo], (x4, dy4) => {
    const x = asNhwc(x4 as tf.Tensor4D, a['dataFormat']);
    const dy = asNhwc(dy4 as tf.Tensor4D, a['dataFormat']);
    const filterShape = a['filterShape'] as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, a['strides'] as [number, number], 1, a['pad'] as 'valid', a['dimRoundingMode'] as 'floor');
    const xT = tf.transpose(windowed(x, info), [3, 1, 2, 0]); // [ci, H', W', N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [oh, ow, N, co] as a filter
    const dW = tf.conv2d(xT, dyT as tf.Tensor4D, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]); // [ci, kh, kw, co]
    return tf.transpose(dW, [1, 2, 0, 3]);
  });
}

/**
 * dx[n,h,w,c] = sum_{m,i,j} dy[n,oh,ow,c*M+m] f[i,j,c,m] with h = oh*s + i*d - top: dy spread by the
 * stride, padded for a full correlation, then a depthwise conv with the flipped filter and a sum over m.
 */
function depthwiseBackpropInput({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs }): tf.TensorInfo {
  const a = attrs ?? {};
  return compose(backend as Backend, [inputs['dy'] as tf.TensorInfo, inputs['filter'] as tf.TensorInfo], (dyT, filter) => {
    const dy = dyT as tf.Tensor4D;
    const inputShape = a['inputShape'] as [number, number, number, number];
    const [kh, kw, c, m] = filter.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(inputShape, [kh, kw, c, m], a['strides'] as [number, number], a['dilations'] as [number, number], a['pad'] as 'valid', a['dimRoundingMode'] as 'floor', true);
    const [n, oh, ow, cm] = dy.shape;
    const [sh, sw] = [info.strideHeight, info.strideWidth];
    // [n, oh, 1, ow, 1, cm] padded to [n, oh, sh, ow, sw, cm]: each dy value followed by stride-1 zeros
    const spread = tf.slice(
      tf.reshape(tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, cm]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]), [n, oh * sh, ow * sw, cm]),
      [0, 0, 0, 0],
      [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, cm],
    ) as tf.Tensor4D;
    const [h, w] = [inputShape[1], inputShape[2]];
    const fitted = fitForFullCorrelation(spread, info.effectiveFilterHeight - 1 - info.padInfo.top, info.effectiveFilterWidth - 1 - info.padInfo.left, h + info.effectiveFilterHeight - 1, w + info.effectiveFilterWidth - 1);
    // [kh, kw, c, m] flipped in space -> [kh, kw, c*m, 1]: channel c*m+m' of dy meets f[.., c, m']
    const flipped = tf.reshape(tf.reverse(filter as tf.Tensor4D, [0, 1]), [kh, kw, c * m, 1]) as tf.Tensor4D;
    const full = tf.depthwiseConv2d(fitted, flipped, 1, 'valid', 'NHWC', [info.dilationHeight, info.dilationWidth]); // [n, h, w, c*m]
    return tf.sum(tf.reshape(full, [n, h, w, c, m]), 4);
  });
}

/** Pads `x` by `top`/`left` and then pads or crops it to `height` x `width`. */
function fitForFullCorrelation(x: tf.Tensor4D, top: number, left: number, height: number, width: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const padded = tf.pad(x, [[0, 0], [top, Math.max(0, height - top - h)], [left, Math.max(0, width - left - w)], [0, 0]]);
  return tf.slice(padded, [0, 0, 0, 0], [n, height, width, c]);
}

/** dF[i,j,c,m] = sum_{n,oh,ow} x[n, oh*s+i*d-top, ow*s+j*d-left, c] dy[n,oh,ow,c*M+m], as a direct loop (wasm data is CPU memory). */
function depthwiseBackpropFilter({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs }): tf.TensorInfo {
  const a = attrs ?? {};
  const xInfo = inputs['x'] as tf.TensorInfo;
  const dyInfo = inputs['dy'] as tf.TensorInfo;
  const filterShape = a['filterShape'] as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(xInfo.shape as [number, number, number, number], filterShape, a['strides'] as [number, number], a['dilations'] as [number, number], a['pad'] as 'valid', a['dimRoundingMode'] as 'floor', true);
  const x = backend.readSync(xInfo.dataId) as Float32Array;
  const dy = backend.readSync(dyInfo.dataId) as Float32Array;
  const [kh, kw, c, m] = filterShape;
  const [n, h, w] = xInfo.shape as [number, number, number];
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const dF = new Float32Array(kh * kw * c * m);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let b = 0; b < n; b++) {
        for (let p = 0; p < oh; p++) {
          const row = p * sh + i * dh - info.padInfo.top;
          if (row < 0 || row >= h) continue;
          for (let q = 0; q < ow; q++) {
            const col = q * sw + j * dw - info.padInfo.left;
            if (col < 0 || col >= w) continue;
            const xAt = ((b * h + row) * w + col) * c;
            const dyAt = ((b * oh + p) * ow + q) * c * m;
            for (let ch = 0; ch < c; ch++) {
              const xv = x[xAt + ch] as number;
              const fAt = ((i * kw + j) * c + ch) * m;
              for (let k = 0; k < m; k++) dF[fAt + k] = (dF[fAt + k] as number) + xv * (dy[dyAt + ch * m + k] as number);
            }
          }
        }
      }
    }
  }
  return compose(backend as Backend, [], () => tf.tensor4d(dF, filterShape));
}

/** out[s] = sum of the rows of x whose segment id is s: a scatter that adds duplicate indices. */
function unsortedSegmentSum({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs }): tf.TensorInfo {
  const numSegments = (attrs ?? {})['numSegments'] as number;
  return compose(backend as Backend, [inputs['x'] as tf.TensorInfo, inputs['segmentIds'] as tf.TensorInfo], (x, ids) => {
    const rest = x.shape.slice(ids.rank);
    // [prod(ids.shape), ...rest] rows, each sent to its segment
    const rows = tf.reshape(x, [ids.size, ...rest]);
    return tf.scatterND(tf.reshape(ids, [ids.size, 1]), rows, [numSegments, ...rest]);
  });
}

const KERNELS: readonly [string, tf.KernelFunc][] = [
  ['Conv2DBackpropFilter', conv2dBackpropFilter as tf.KernelFunc],
  ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput as tf.KernelFunc],
  ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter as tf.KernelFunc],
  ['UnsortedSegmentSum', unsortedSegmentSum as tf.KernelFunc],
];

/** Registers the missing gradient kernels for `wasm`, leaving any that tfjs itself provides. */
export function registerWasmGradientKernels(): void {
  for (const [kernelName, kernelFunc] of KERNELS) {
    if (tf.getKernel(kernelName, 'wasm') === undefined) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  registerWasmMaxPoolGrad(); // tfjs's sends tied maxima's gradient to the last one; torch and cpu to the first
}
