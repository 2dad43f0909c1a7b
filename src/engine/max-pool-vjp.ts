// The max-pool gradient with torch's tie rule, from tfjs ops that every backend has: in each window
// the gradient goes to the first maximum in row-major window order (tfjs-backend-cpu and torch do
// so; tfjs-backend-wasm and -webgpu pick another of tied maxima). Used by the rule methods' max-pool
// op and by the MaxPoolGrad kernel the webgpu loader (and the wasm loader without its fast kernels)
// registers. Every op stays at rank <= 4, webgpu's limit.
import * as tf from '@tensorflow/tfjs-core';

/** A max pool in tfjs's channels-last layout, reached from the op's own layout by `toPool` (and back by `fromPool`). */
export interface PoolGeometry {
  readonly spatialRank: 2 | 3;
  readonly filterSize: number | readonly number[];
  readonly strides: number | readonly number[];
  readonly pad: 'valid' | 'same' | number;
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
  readonly toPool?: (t: tf.Tensor) => tf.Tensor;
  readonly fromPool?: (t: tf.Tensor) => tf.Tensor;
}

/** `t` viewed as `[before axis, axis, after axis]`, so that every op below stays at rank <= 4 (webgpu's limits). */
function axisView(t: tf.Tensor, axis: number): [number, number, number] {
  const shape = t.shape as number[];
  return [shape.slice(0, axis).reduce((a, b) => a * b, 1), shape[axis]!, shape.slice(axis + 1).reduce((a, b) => a * b, 1)];
}

/** Elements `offset, offset + stride, ...` (`count` of them) along `axis`. */
function takeStrided(t: tf.Tensor, axis: number, offset: number, stride: number, count: number): tf.Tensor {
  const [pre, length, post] = axisView(t, axis);
  const available = Math.min(count * stride, length - offset);
  let line = tf.slice(tf.reshape(t, [pre, length, post]), [0, offset, 0], [pre, available, post]);
  if (available < count * stride) line = tf.pad(line, [[0, 0], [0, count * stride - available], [0, 0]]);
  const picked = tf.slice(tf.reshape(line, [pre, count, stride, post]), [0, 0, 0, 0], [pre, count, 1, post]); // [pre, count, 1, post]
  return tf.reshape(picked, [...t.shape.slice(0, axis), count, ...t.shape.slice(axis + 1)]);
}

/** `length` elements from `begin` along `axis`. */
function cropAxis(t: tf.Tensor, axis: number, begin: number, length: number): tf.Tensor {
  const [pre, full, post] = axisView(t, axis);
  if (begin === 0 && length === full) return t;
  const cropped = tf.slice(tf.reshape(t, [pre, full, post]), [0, begin, 0], [pre, length, post]);
  return tf.reshape(cropped, [...t.shape.slice(0, axis), length, ...t.shape.slice(axis + 1)]);
}

/** `t` padded along `axis` with `value`. */
function padAxis(t: tf.Tensor, axis: number, before: number, after: number, value: number): tf.Tensor {
  if (before === 0 && after === 0) return t;
  const [pre, length, post] = axisView(t, axis);
  const padded = tf.pad(tf.reshape(t, [pre, length, post]), [[0, 0], [before, after], [0, 0]], value);
  return tf.reshape(padded, [...t.shape.slice(0, axis), length + before + after, ...t.shape.slice(axis + 1)]);
}

/** Along `axis` of `t`, puts element k at `offset + stride·k` of a zero axis of length `size` (pads of rank <= 4, which every backend takes). */
function spreadAxis(t: tf.Tensor, axis: number, offset: number, stride: number, size: number): tf.Tensor {
  const shape = t.shape as number[];
  const pre = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const post = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const o = shape[axis]!;
  const gaps = stride > 1 ? tf.pad(tf.reshape(t, [pre, o, 1, post]), [[0, 0], [0, 0], [0, stride - 1], [0, 0]]) : t; // [pre, o, stride, post]
  const line = tf.reshape(gaps, [pre, o * stride, post]);
  const shifted = tf.pad(line, [[0, 0], [offset, Math.max(0, size - offset - o * stride)], [0, 0]]);
  return tf.reshape(tf.slice(shifted, [0, 0, 0], [pre, size, post]), [...shape.slice(0, axis), size, ...shape.slice(axis + 1)]);
}

/** Places `t` ([N, O..., C]) at every `stride`-th position of each spatial dimension, starting at `offset`, in a zero tensor of spatial size `size`. */
function spread(t: tf.Tensor, offset: readonly number[], stride: readonly number[], size: readonly number[]): tf.Tensor {
  return offset.reduce((acc, o, d) => spreadAxis(acc, d + 1, o, stride[d]!, size[d]!), t);
}

/**
 * The ordinary max-pool VJP, channels-last, with torch's tie rule on every backend: in each window
 * the gradient goes to the first maximum in row-major window order (backends' MaxPoolGrad kernels
 * differ on ties, which ReLU zeros make common). Overlapping windows add up, as torch's backward.
 */
export function firstMaxPoolVjp(g: PoolGeometry, x: tf.Tensor, y: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const r = g.spatialRank;
  const dims = x.shape.slice(1, 1 + r);
  let out: number[], stride: number[], filter: number[], before: number[], after: number[];
  if (r === 2) {
    const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], g.filterSize as [number, number], g.strides as [number, number], 1, g.pad, g.dimRoundingMode);
    out = [info.outHeight, info.outWidth];
    stride = [info.strideHeight, info.strideWidth];
    filter = [info.filterHeight, info.filterWidth];
    before = [info.padInfo.top, info.padInfo.left];
    after = [info.padInfo.bottom, info.padInfo.right];
  } else {
    const info = tf.backend_util.computePool3DInfo(x.shape as [number, number, number, number, number], g.filterSize as [number, number, number], g.strides as [number, number, number], 1, g.pad, g.dimRoundingMode);
    out = [info.outDepth, info.outHeight, info.outWidth];
    stride = [info.strideDepth, info.strideHeight, info.strideWidth];
    filter = [info.filterDepth, info.filterHeight, info.filterWidth];
    before = [info.padInfo.front, info.padInfo.top, info.padInfo.left];
    after = [info.padInfo.back, info.padInfo.bottom, info.padInfo.right];
  }
  const xp = before.reduce((acc, b, d) => padAxis(acc, d + 1, b, after[d]!, -Infinity), x); // padding never wins
  const size = xp.shape.slice(1, 1 + r);
  const offsets: number[][] = [[]];
  for (const f of filter) offsets.splice(0, offsets.length, ...offsets.flatMap((o) => Array.from({ length: f }, (_, i) => [...o, i])));
  const yFlat = tf.reshape(y, [-1]);
  const dyFlat = tf.reshape(dy, [-1]);
  const zeros = tf.zerosLike(dyFlat);
  let taken: tf.Tensor | undefined;
  let dxp: tf.Tensor | undefined;
  for (const o of offsets) {
    const candidate = o.reduce((acc, oi, d) => takeStrided(acc, d + 1, oi, stride[d]!, out[d]!), xp); // [N, out..., C]: this offset in every window
    const isMax = tf.equal(tf.reshape(candidate, [-1]), yFlat);
    const hit = taken === undefined ? isMax : tf.logicalAnd(isMax, tf.logicalNot(taken)); // the first maximum only
    taken = taken === undefined ? hit : tf.logicalOr(taken, hit);
    const part = spread(tf.reshape(tf.where(hit, dyFlat, zeros), y.shape), o, stride, size);
    dxp = dxp === undefined ? part : tf.add(dxp, part);
  }
  return before.reduce((acc, b, d) => cropAxis(acc, d + 1, b, dims[d]!), dxp!); // the padding removed
}

