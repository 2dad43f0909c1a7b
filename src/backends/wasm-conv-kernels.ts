// Direct convolutions on tfjs-backend-wasm's heap (assembly/conv-inplace.ts), for the shapes where they
// beat XNNPACK. wasm-fast-kernels.ts registers them: each returns `undefined` where it does not apply
// or the in-place module is not compiled (a JS loop would lose to XNNPACK), and the caller falls back.
import * as tf from '@tensorflow/tfjs-core';
import type { InPlaceExports } from '../kernels/wasm-inplace.js';
import type { KernelArgs, WasmBackendLike } from './wasm-fast-kernels.js';

/**
 * Whether Conv2D (NHWC float32) runs here: output channels in chunks of 16, two pixels at a time, for
 * one input channel or at least 8. Measured against tfjs-backend-wasm's XNNPACK (build/scratch, batch
 * 64, one thread, alternating calls, min ms; ranges over runs on a shared machine): bench_cnn's conv1
 * [28,28,1] * [3,3,1,16] 1.04 -> 0.96 (batch 800: 15.0 -> 13.8; the output's memory traffic is the
 * same for both); ci 1 co 32: 3.7-3.9 -> 2.7-2.9; bench_cnn's conv2 [13,13,16] * [3,3,16,32]
 * 2.8-4.5 -> 2.4-3.7 (batch 800: 42 -> 33); ci 8 co 16/32, ci 16 co 48, ci 32/64/128 co 64/128:
 * 15-25% faster. Slower or even: ci 2..4 (co 8, 16), and co 4 (chunks of 4 outputs, one pixel):
 * those, and co not a multiple of 16, stay on XNNPACK.
 */
export const directConv = (ci: number, co: number): boolean => co % 16 === 0 && co > 0 && (ci === 1 || ci >= 8);

/** y = conv2d(x, filter) where {@link directConv} says so, else `undefined` (tfjs's own then runs). */
export function conv2DDirect(args: KernelArgs, k: InPlaceExports | undefined, use: (ci: number, co: number) => boolean = directConv): tf.TensorInfo | undefined {
  const x = args.inputs['x'] as tf.TensorInfo;
  const filter = args.inputs['filter'] as tf.TensorInfo;
  const a = args.attrs ?? {};
  if (k === undefined || x.dtype !== 'float32' || filter.dtype !== 'float32' || (a['dataFormat'] ?? 'NHWC') !== 'NHWC') return undefined;
  if (!use(x.shape[3] as number, filter.shape[3] as number)) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a['strides'] as [number, number],
    (a['dilations'] ?? 1) as [number, number],
    a['pad'] as 'valid',
    a['dimRoundingMode'] as 'floor',
  );
  const backend = args.backend as unknown as WasmBackendLike;
  const out = backend.makeOutput(info.outShape, 'float32');
  const [xAt, fAt, yAt] = [x, filter, out].map((t) => backend.getMemoryOffset(t.dataId)) as [number, number, number];
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co, strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = info;
  k.conv2dF32(xAt, fAt, yAt, batchSize, inHeight, inWidth, ci, outHeight, outWidth, co, strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth, info.padInfo.top, info.padInfo.left);
  return out;
}

/**
 * Which gather kernel computes the input gradient (NHWC float32), or `undefined` for the forward
 * convolution formulation (XNNPACK over the spread, padded dy, which multiplies the padding too).
 * Measured (build/scratch, batch 64, one thread, min ms of 21, XNNPACK formulation -> gather; the
 * machine was shared, so ranges over runs): 'narrow' (vectorised over the output channels, four
 * pixels per pass) for ci <= 4, where XNNPACK gets ci output channels per pixel: bench_cnn's conv1
 * gradient (ci 1, co 16, 28x28) 4.5-4.6 -> 0.9-1.1; ci 1 co 32: 9.2 -> 1.6; ci 3 co 32: 2.2 -> 1.1;
 * ci 4 co 16: 5.2-7.3 -> 4.1-5.3; it loses at ci 8. 'wide' (vectorised over the input channels,
 * 16 at a time, two pixels per pass) for ci a multiple of 16: bench_cnn's conv2 gradient (ci 16,
 * co 32, 13x13) 4.1-4.7 -> 2.4-2.7; ci 32 co 64: 13.5 -> 7.9; ci 16 co 4: 1.4-1.5 -> 1.3. Everything
 * else (ci 5..15, or not a multiple of 16) stays on XNNPACK.
 */
export function backpropInputKernel(ci: number, _co: number): 'narrow' | 'wide' | undefined {
  if (ci <= 4) return 'narrow';
  return ci % 16 === 0 ? 'wide' : undefined;
}

/** The filter [kh, kw, ci, co] as each gather kernel reads it (a cached derived operand: see wasm-fast-kernels.ts). */
export const GATHER_LAYOUTS = {
  // [ci, kh, kw, co], reversed along kw: a tap row meets dy's pixels in increasing order.
  narrow: (f: tf.Tensor): tf.Tensor => tf.reverse(tf.transpose(f, [2, 0, 1, 3]), [2]),
  // [kh, kw, co, ci]: fT[i,j,k,:] contiguous.
  wide: (f: tf.Tensor): tf.Tensor => tf.transpose(f, [0, 1, 3, 2]),
} as const;

/**
 * dx = the input gradient of conv2d, as a gather over dy (no zero multiplied), or `undefined` where
 * {@link backpropInputKernel} leaves it to the forward-convolution formulation. `layout(which)` is the
 * filter as that kernel reads it ({@link GATHER_LAYOUTS}).
 */
export function conv2DBackpropInputDirect(
  args: KernelArgs,
  k: InPlaceExports | undefined,
  layout: (which: 'narrow' | 'wide') => tf.TensorInfo,
  choose: (ci: number, co: number) => 'narrow' | 'wide' | undefined = backpropInputKernel,
): tf.TensorInfo | undefined {
  const a = args.attrs ?? {};
  const dyInfo = args.inputs['dy'] as tf.TensorInfo;
  const filter = args.inputs['filter'] as tf.TensorInfo;
  if (k === undefined || dyInfo.dtype !== 'float32' || filter.dtype !== 'float32' || a['dataFormat'] === 'NCHW') return undefined;
  const inputShape = a['inputShape'] as [number, number, number, number];
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const which = choose(ci, co);
  if (which === undefined) return undefined;
  const info = tf.backend_util.computeConv2DInfo(inputShape, [kh, kw, ci, co], a['strides'] as [number, number], 1, a['pad'] as 'valid', a['dimRoundingMode'] as 'floor');
  const backend = args.backend as unknown as WasmBackendLike;
  const fT = layout(which);
  const out = backend.makeOutput(inputShape, 'float32');
  const [dyAt, fAt, dxAt] = [dyInfo, fT, out].map((t) => backend.getMemoryOffset(t.dataId)) as [number, number, number];
  const run = which === 'wide' ? k.conv2dBackpropInputWideF32 : k.conv2dBackpropInputF32;
  run(dyAt, fAt, dxAt, info.batchSize, info.inHeight, info.inWidth, ci, info.outHeight, info.outWidth, co, info.strideHeight, info.strideWidth, kh, kw, info.padInfo.top, info.padInfo.left);
  return out;
}
