// Elementwise kernels for tfjs-backend-wasm 4.22, registered for 'wasm' through wasm-fast-kernels.ts
// (its FUNCS registry: each falls back to tfjs's own kernel for every case it does not handle):
// - Add, Sub, Multiply of float32 where one operand is a row repeated along the other's leading axes
//   (a layer's bias: [N, H, W, C] + [C], [N, C] + [1, C]). tfjs-backend-wasm (XNNPACK) loops once per
//   row of C values, which for a short row costs more than the row: [64,26,26,16] + [16] took twice
//   a same-shape add. Here one flat SIMD pass (assembly/elementwise-inplace.ts) on the backend's heap.
// - Sum of float32 over leading axes: the rows added where they lie, not a transpose first.
// Left to tfjs, measured no slower than a SIMD pass of ours: equal shapes, scalar and per-row factors
// ([N, ...] * [N, 1, ...]), outer products ([S, 1, 1] * [N, D]), Step and Relu.
import * as tf from '@tensorflow/tfjs-core';
import { inPlaceExportsOf as inPlaceOf } from '../kernels/wasm-inplace.js';
import type { KernelArgs, WasmBackendLike } from './wasm-fast-kernels.js';

type Kernel = (args: KernelArgs) => tf.TensorInfo;

/** An operand's layout over an [m, c] grid: Full [m, c], Row [c] (the same for every i), Col [m] (the same for every j), Scalar. */
const FULL = 0;
const ROW = 1;
const COL = 2;
const SCALAR = 3;
type Layout = typeof FULL | typeof ROW | typeof COL | typeof SCALAR;
interface Grid {
  readonly m: number;
  readonly c: number;
  readonly a: Layout;
  readonly b: Layout;
}

/**
 * The broadcast of `aShape` with `bShape` as an [m, c] grid, or `undefined` when it does not collapse
 * to two axes. Axes of size 1 in the output drop out; neighbouring axes that the same operands span
 * merge: [64,26,26,16] + [16] is [43264, 16] with b a row; [50,1,1] * [16,784] is [50, 12544] with a a
 * column and b a row; equal shapes are [1, n].
 */
function gridOf(aShape: readonly number[], bShape: readonly number[], out: readonly number[]): Grid | undefined {
  const r = out.length;
  // Runs of axes by which operands span them: bit 1 a, bit 2 b.
  const groups: { spans: number; size: number }[] = [];
  for (let d = 0; d < r; d++) {
    const s = out[d] as number;
    if (s === 1) continue;
    const spans = ((aShape[d - r + aShape.length] ?? 1) === s ? 1 : 0) | ((bShape[d - r + bShape.length] ?? 1) === s ? 2 : 0);
    const last = groups[groups.length - 1];
    if (last !== undefined && last.spans === spans) last.size *= s;
    else groups.push({ spans, size: s });
  }
  if (groups.length > 2) return undefined;
  const [g0, g1] = groups.length === 2 ? groups : [{ spans: 3, size: 1 }, groups[0] ?? { spans: 3, size: 1 }];
  const layout = (bit: number): Layout => ((g0!.spans & bit) !== 0 ? ((g1!.spans & bit) !== 0 ? FULL : COL) : (g1!.spans & bit) !== 0 ? ROW : SCALAR);
  return { m: g0!.size, c: g1!.size, a: layout(1), b: layout(2) };
}

/**
 * The longest row (C) handled here. Measured on [692224 / C, C] + [C] against tfjs's own: 7x at C = 4,
 * 2.5x at 16, 1.2-1.3x from 128 to 784, even from about 2048 on (its loop per row costs less there).
 */
const MAX_ROW = 1024;

/** Codes of the ops in rowBroadcastF32, with their JS equivalents for the fallback loop. */
const OPS = {
  Add: { code: 0, f: (x: number, y: number) => x + y },
  Sub: { code: 1, f: (x: number, y: number) => x - y },
  Multiply: { code: 2, f: (x: number, y: number) => x * y },
} as const;

/**
 * Add, Sub or Multiply of float32 tensors where one operand is a row repeated along the other's
 * leading axes ([..., C] op [C], [1, C], ...) with C at most MAX_ROW; the rest to tfjs's own
 * (XNNPACK: as fast as one pass of ours for equal shapes and long rows, see MAX_ROW).
 */
function binary(name: keyof typeof OPS, original: (name: string) => tf.KernelFunc): Kernel {
  const { code, f } = OPS[name];
  return (args) => {
    const a = args.inputs['a'] as tf.TensorInfo;
    const b = args.inputs['b'] as tf.TensorInfo;
    // Equal shapes straight to tfjs's own (no broadcast to look at).
    const broadcast = a.dtype === 'float32' && b.dtype === 'float32' && (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]));
    const shape = broadcast ? tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape) : [];
    const grid = broadcast ? gridOf(a.shape, b.shape, shape) : undefined;
    const rowIsB = grid?.a === FULL && grid.b === ROW;
    if (grid === undefined || !(rowIsB || (grid.a === ROW && grid.b === FULL)) || grid.c > MAX_ROW || grid.m * grid.c === 0) {
      return original(name)(args as never) as tf.TensorInfo;
    }
    const [x, row] = rowIsB ? [a, b] : [b, a];
    const backend = args.backend as unknown as WasmBackendLike;
    // The broadcast shape, not x's: x may lack leading 1s of the row's ([4, 3] + [1, 1, 3] is [1, 4, 3]).
    const out = backend.makeOutput(shape, 'float32');
    const { m, c } = grid;
    const k = inPlaceOf(backend);
    if (k !== undefined) {
      const [xAt, rowAt, outAt] = [x, row, out].map((t) => backend.getMemoryOffset(t.dataId)) as [number, number, number];
      k.rowBroadcastF32(code, xAt, rowAt, outAt, m, c, !rowIsB);
      return out;
    }
    // Views after the allocation: it may have grown (and so detached) the heap.
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    const rv = backend.typedArrayFromHeap(row) as Float32Array;
    const ov = backend.typedArrayFromHeap(out) as Float32Array;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < c; j++) ov[i * c + j] = rowIsB ? f(xv[i * c + j] as number, rv[j] as number) : f(rv[j] as number, xv[i * c + j] as number);
    }
    return out;
  };
}

/**
 * Sum of float32 over leading axes ([S, N, D] over axis 0: integrated gradients' sum over the steps):
 * tfjs-backend-wasm transposes the tensor to sum over innermost axes; here the rows are added into
 * the output where they lie, each column from 0 in row order as tfjs's own does (the same bits).
 * Other axes and dtypes go to tfjs's own.
 */
function sum(original: (name: string) => tf.KernelFunc): Kernel {
  return (args) => {
    const x = args.inputs['x'] as tf.TensorInfo;
    const attrs = args.attrs ?? {};
    const axes = x.dtype === 'float32' ? tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape) : [];
    const k = axes.length;
    // Leading axes in ascending order only (tfjs's own adds in the order the axes are given), and not
    // all of them (then they are also the innermost: tfjs's own is direct).
    if (k === 0 || k === x.shape.length || axes.some((axis, i) => axis !== i)) return original('Sum')(args as never) as tf.TensorInfo;
    const r = tf.util.sizeFromShape(x.shape.slice(0, k));
    const rest = x.shape.slice(k);
    const c = tf.util.sizeFromShape(rest);
    if (c === 0) return original('Sum')(args as never) as tf.TensorInfo;
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(attrs['keepDims'] === true ? [...Array<number>(k).fill(1), ...rest] : rest, 'float32');
    // Nothing to add: zeros (tfjs-backend-wasm's own leaves the output as malloc gave it).
    if (r === 0) {
      backend.typedArrayFromHeap(out).fill(0);
      return out;
    }
    const kernels = inPlaceOf(backend);
    if (kernels !== undefined) {
      kernels.sumLeadingF32(backend.getMemoryOffset(x.dataId), backend.getMemoryOffset(out.dataId), r, c);
      return out;
    }
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    const ov = backend.typedArrayFromHeap(out) as Float32Array;
    // Math.fround after each addition: f32 sums, as the kernel's.
    for (let j = 0; j < c; j++) {
      let acc = 0;
      for (let i = 0; i < r; i++) acc = Math.fround(acc + (xv[i * c + j] as number));
      ov[j] = acc;
    }
    return out;
  };
}

/** The elementwise kernels by name, falling back to `original(name)` (wasm-fast-kernels.ts registers them). */
export function elementwiseKernels(original: (name: string) => tf.KernelFunc): Record<string, Kernel> {
  return {
    Add: binary('Add', original),
    Sub: binary('Sub', original),
    Multiply: binary('Multiply', original),
    Sum: sum(original),
  };
}
