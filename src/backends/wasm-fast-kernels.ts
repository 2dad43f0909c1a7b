// Faster gradient kernels for tfjs-backend-wasm 4.22, registered for 'wasm' in place of its own
// (which stay reachable: each replacement keeps the original config and falls back to it):
// - BatchMatMul with transposeA/transposeB: tfjs-backend-wasm runs XNNPACK only for a single
//   un-transposed product and a blocked scalar loop otherwise; the gradient of every matMul multiplies
//   by a transposed operand. The operand is transposed once (the Transpose kernel) and the product
//   runs un-transposed, on XNNPACK. Batched products (batch > 1) are left to the original.
// - Conv2DBackpropInput (the input gradient of conv2d): tfjs-backend-wasm runs a naive loop. Here,
//   for few input channels (ci <= 4) or many (a multiple of 16), a gather over dy in AssemblyScript SIMD
//   on the backend's heap (wasm-conv-kernels.ts); otherwise a forward convolution (XNNPACK) of dy,
//   spread by the stride and padded for a full correlation, with the filter flipped in space and its
//   channel axes swapped.
// - Conv2D with output channels a multiple of 16 and one input channel or at least 8: a direct
//   convolution in AssemblyScript SIMD on the heap (wasm-conv-kernels.ts), measured faster than
//   tfjs-backend-wasm's XNNPACK there; every other case goes to tfjs's own.
// - MaxPoolGrad, AvgPoolGrad: tfjs-backend-wasm loops over every input pixel and every window that
//   covers it. Here one pass over the windows scatters dy into dx, reading and writing the backend's
//   heap in place. MaxPoolGrad sends each window's gradient to its FIRST maximum (tfjs-backend-cpu,
//   TensorFlow and PyTorch do the same); tfjs-backend-wasm's own takes the last of tied maxima and
//   loses the gradient of windows whose values are all below FLT_MIN (e.g. all negative).
// - Identity (tf.clone, and tfjs's copy of each tensor saved for a gradient): shares the buffer by
//   reference count like tfjs-backend-cpu's, instead of copying it (tfjs tensors are immutable).
// - Cast to the same dtype: an Identity (shared, not copied).
// - Add, Sub, Multiply of float32 with a row broadcast ([..., C] + [C], a layer's bias), Sum of float32
//   over leading axes: wasm-elementwise-kernels.ts.
// Registered by the wasm loader (startWasmBackend) unless `fastKernels: false`; `restoreWasmKernels()`
// puts tfjs's own back.
import * as tf from '@tensorflow/tfjs-core';
import { inPlaceExportsOf as inPlaceOf } from '../kernels/wasm-inplace.js';
import { elementwiseKernels } from './wasm-elementwise-kernels.js';
import { conv2DBackpropInputDirect, conv2DDirect, GATHER_LAYOUTS } from './wasm-conv-kernels.js';

type Attrs = Record<string, unknown>;
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: Attrs;
}
export interface WasmBackendLike {
  readonly wasm?: { readonly asm?: { readonly memory?: unknown } };
  getMemoryOffset(dataId: tf.DataId): number;
  incRef(dataId: tf.DataId): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Runs `f` on tensors wrapping the kernel inputs and hands its result back as the kernel output.
 * Reference counts are raised before wrapping, so disposing the wrappers never frees the inputs,
 * and before the result is disposed, so the engine's new tensor owns its data.
 */
function compose(backend: tf.KernelBackend, inputs: readonly tf.TensorInfo[], f: (...t: tf.Tensor[]) => tf.Tensor): tf.TensorInfo {
  const b = backend as unknown as WasmBackendLike;
  const engine = tf.engine();
  const wrapped = inputs.map((info) => {
    b.incRef(info.dataId);
    return engine.makeTensorFromTensorInfo(info, backend);
  });
  const out = tf.tidy(() => f(...wrapped));
  b.incRef(out.dataId);
  const info = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
  out.dispose();
  for (const t of wrapped) t.dispose();
  return info;
}

/**
 * Operands derived from long-lived tensors (the transpose of a weight matrix, a flipped filter), kept
 * while their source tensor lives. XNNPACK in tfjs-backend-wasm builds (and packs) an operator per
 * weights tensor and caches it on that tensor's id: a fresh transpose on every call would pay for a
 * new operator each time (about 4x the product itself for a 784x256 weight); a cached one reuses it.
 * Entries are held by the backend only (no engine tensor: `tf.memory().numTensors` does not see
 * them), are dropped as soon as their source is disposed (checked on every call), and are bounded.
 */
interface Derived {
  readonly source: tf.DataId;
  readonly backend: tf.KernelBackend;
  readonly tag: string;
  readonly info: tf.TensorInfo;
  readonly bytes: number;
}
const derived: Derived[] = [];
const MAX_DERIVED = 16;
const MAX_DERIVED_BYTES = 64 * 2 ** 20;

function release(entry: Derived): void {
  try {
    // Through an engine tensor, so tfjs's own bookkeeping of the buffer ends with it.
    tf.engine().makeTensorFromTensorInfo(entry.info, entry.backend).dispose();
  } catch {
    // the backend itself is gone, and its memory with it
  }
}

/** Drops this backend's entries whose source tensor is gone. */
function sweep(backend: tf.KernelBackend): void {
  const alive = (backend as unknown as { dataIdMap: { has(d: tf.DataId): boolean } }).dataIdMap;
  for (let i = derived.length - 1; i >= 0; i--) {
    const e = derived[i] as Derived;
    if (e.backend === backend && !alive.has(e.source)) {
      derived.splice(i, 1);
      release(e);
    }
  }
}

/** `make(source)` for `source`, computed once while `source` lives; the caller must not dispose the result. */
function derivedOf(backend: tf.KernelBackend, source: tf.TensorInfo, tag: string, make: (t: tf.Tensor) => tf.Tensor): tf.TensorInfo {
  sweep(backend);
  const hit = derived.find((e) => e.source === source.dataId && e.tag === tag);
  if (hit !== undefined) return hit.info;
  const info = compose(backend, [source], make);
  const bytes = info.shape.reduce((a, b) => a * b, 1) * 4;
  derived.push({ source: source.dataId, backend, tag, info, bytes });
  let total = derived.reduce((a, e) => a + e.bytes, 0);
  while (derived.length > MAX_DERIVED || (total > MAX_DERIVED_BYTES && derived.length > 1)) {
    const old = derived.shift() as Derived;
    total -= old.bytes;
    release(old);
  }
  return info;
}

/** Releases every cached operand (restoreWasmKernels does; a later call rebuilds what it needs). */
export function clearWasmKernelCache(): void {
  for (const e of derived.splice(0)) release(e);
}

/** tfjs's own kernels, kept when ours are registered (restored by restoreWasmKernels). */
const originals = new Map<string, tf.KernelConfig>();
const original = (name: string): tf.KernelFunc => (originals.get(name) as tf.KernelConfig).kernelFunc;

function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs ?? {};
  const a = inputs['a'] as tf.TensorInfo;
  const b = inputs['b'] as tf.TensorInfo;
  const transposeA = attrs['transposeA'] === true;
  const transposeB = attrs['transposeB'] === true;
  const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  if ((!transposeA && !transposeB) || batchA !== 1 || batchB !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return original('BatchMatMul')(args as never) as tf.TensorInfo;
  }
  // The right operand is usually a weight matrix: its transpose is kept while it lives (see derivedOf).
  const bT = transposeB ? derivedOf(backend, b, 'transpose', (t) => tf.transpose(tf.reshape(t, t.shape.slice(-2) as [number, number]))) : b;
  return compose(backend, [a, bT], (ta, tb) => {
    const a2 = tf.reshape(ta as tf.Tensor, ta.shape.slice(-2) as [number, number]) as tf.Tensor2D;
    const b2 = tf.reshape(tb as tf.Tensor, tb.shape.slice(-2) as [number, number]) as tf.Tensor2D;
    const product = tf.matMul(transposeA ? tf.transpose(a2) : a2, b2);
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return tf.reshape(product, [...outer, ...product.shape]);
  });
}

const asNhwc = (t: tf.Tensor4D, nchw: boolean): tf.Tensor4D => (nchw ? tf.transpose(t, [0, 2, 3, 1]) : t);

/**
 * dx[n,h,w,ci] = sum_{i,j,co} dy[n,oh,ow,co] f[i,j,ci,co] where h = oh*s + i - top: dy spread by the
 * stride (s-1 zeros after each value), padded by k-1-top before and cropped/padded to h+k-1 rows, then
 * a stride-1 'valid' convolution with f flipped in space as [kh, kw, co, ci].
 */
function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo {
  const { inputs, backend } = args;
  const a = args.attrs ?? {};
  const nchw = a['dataFormat'] === 'NCHW';
  const dyInfo = inputs['dy'] as tf.TensorInfo;
  const filterInfo = inputs['filter'] as tf.TensorInfo;
  if (dyInfo.dtype !== 'float32' || filterInfo.dtype !== 'float32') return original('Conv2DBackpropInput')(args as never) as tf.TensorInfo;
  const direct = conv2DBackpropInputDirect(args, inPlaceOf(backend), (which) => derivedOf(backend, filterInfo, which, GATHER_LAYOUTS[which]));
  if (direct !== undefined) return direct;
  const flippedInfo = derivedOf(backend, filterInfo, 'flip', (f) => tf.transpose(tf.reverse(f as tf.Tensor4D, [0, 1]), [0, 1, 3, 2])); // [kh, kw, co, ci]
  return compose(backend, [dyInfo, flippedInfo], (dyT, flipped) => {
    const [kh, kw, co, ci] = flipped.shape as [number, number, number, number];
    const shape = a['inputShape'] as [number, number, number, number];
    const inputShape: [number, number, number, number] = nchw ? [shape[0], shape[2], shape[3], shape[1]] : shape;
    // Explicit padding is given in the data format's own axis order.
    const given = a['pad'] as tf.backend_util.ExplicitPadding | 'valid';
    const pad = nchw && Array.isArray(given) ? ([given[0], given[2], given[3], given[1]] as tf.backend_util.ExplicitPadding) : given;
    const info = tf.backend_util.computeConv2DInfo(inputShape, [kh, kw, ci, co], a['strides'] as [number, number], 1, pad, a['dimRoundingMode'] as 'floor');
    const dy = asNhwc(dyT as tf.Tensor4D, nchw);
    const [n, oh, ow] = dy.shape;
    const [sh, sw] = [info.strideHeight, info.strideWidth];
    const spread =
      sh === 1 && sw === 1
        ? dy
        : (tf.slice(
            tf.reshape(tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, co]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]), [n, oh * sh, ow * sw, co]),
            [0, 0, 0, 0],
            [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, co],
          ) as tf.Tensor4D);
    const [h, w] = [inputShape[1], inputShape[2]];
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = h + kh - 1 - top - spread.shape[1];
    const right = w + kw - 1 - left - spread.shape[2];
    let dx: tf.Tensor4D;
    if (Math.min(top, left, bottom, right) >= 0) {
      dx = tf.conv2d(spread, flipped as tf.Tensor4D, 1, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    } else {
      const padded = tf.pad(spread, [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]]);
      const fitted = tf.slice(padded, [0, Math.max(0, -top), Math.max(0, -left), 0], [n, h + kh - 1, w + kw - 1, co]) as tf.Tensor4D;
      dx = tf.conv2d(fitted, flipped as tf.Tensor4D, 1, 'valid');
    }
    return nchw ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  });
}

/** Conv2D: a direct convolution where it measured faster (wasm-conv-kernels.ts), the rest on tfjs's own. */
function conv2D(args: KernelArgs): tf.TensorInfo {
  return conv2DDirect(args, inPlaceOf(args.backend)) ?? (original('Conv2D')(args as never) as tf.TensorInfo);
}

/** The pooling geometry of a pool gradient kernel (tfjs passes no dilations: they are 1). */
function poolInfo(args: KernelArgs): tf.backend_util.Conv2DInfo {
  const a = args.attrs ?? {};
  const input = args.inputs['input'] as tf.TensorInfo;
  return tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a['filterSize'] as [number, number], a['strides'] as [number, number], 1, a['pad'] as 'valid', a['dimRoundingMode'] as 'floor');
}

/** dx += dy at each window's first maximum of x (windows with no comparable value, all NaN, add nothing). */
function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const input = args.inputs['input'] as tf.TensorInfo;
  const dyInfo = args.inputs['dy'] as tf.TensorInfo;
  if (input.dtype !== 'float32' || dyInfo.dtype !== 'float32') return original('MaxPoolGrad')(args as never) as tf.TensorInfo;
  const backend = args.backend as unknown as WasmBackendLike;
  const info = poolInfo(args);
  const out = backend.makeOutput(input.shape, 'float32');
  // Views after the allocation: it may have grown (and so detached) the heap.
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const dy = backend.typedArrayFromHeap(dyInfo) as Float32Array;
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const k = inPlaceOf(backend);
  // Windows that do not overlap (2x2 stride 2, say) are written whole, not added to; when they also
  // cover the input exactly, nothing is left to zero.
  const tiles = k !== undefined && strideHeight >= filterHeight && strideWidth >= filterWidth;
  const covered = tiles && top === 0 && left === 0 && outHeight * strideHeight === inHeight && outWidth * strideWidth === inWidth && filterHeight === strideHeight && filterWidth === strideWidth;
  if (!covered) dx.fill(0);
  if (k !== undefined) {
    const [xAt, dyAt, dxAt] = [input, dyInfo, out].map((t) => backend.getMemoryOffset(t.dataId)) as [number, number, number];
    k.maxPoolGradF32(xAt, dyAt, dxAt, batchSize, inHeight, inWidth, c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, top, left, tiles);
    return out;
  }
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * inWidth * c;
    for (let p = 0; p < outHeight; p++) {
      const r0 = p * strideHeight - top;
      const rFrom = Math.max(0, r0);
      const rTo = Math.min(inHeight, r0 + filterHeight);
      for (let q = 0; q < outWidth; q++) {
        const c0 = q * strideWidth - left;
        const cFrom = Math.max(0, c0);
        const cTo = Math.min(inWidth, c0 + filterWidth);
        best.fill(Number.NEGATIVE_INFINITY);
        at.fill(-1);
        for (let r = rFrom; r < rTo; r++) {
          for (let col = cFrom; col < cTo; col++) {
            const base = xBatch + (r * inWidth + col) * c;
            for (let k = 0; k < c; k++) {
              const v = x[base + k] as number;
              if (v > (best[k] as number)) {
                best[k] = v;
                at[k] = base + k;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + p) * outWidth + q) * c;
        for (let k = 0; k < c; k++) {
          const i = at[k] as number;
          if (i >= 0) dx[i] = (dx[i] as number) + (dy[dyBase + k] as number);
        }
      }
    }
  }
  return out;
}

/** dx += dy / (filterHeight * filterWidth) over every window position inside the input (tfjs's multiplier). */
function avgPoolGrad(args: KernelArgs): tf.TensorInfo {
  const input = args.inputs['input'] as tf.TensorInfo;
  const dyInfo = args.inputs['dy'] as tf.TensorInfo;
  if (input.dtype !== 'float32' || dyInfo.dtype !== 'float32') return original('AvgPoolGrad')(args as never) as tf.TensorInfo;
  const backend = args.backend as unknown as WasmBackendLike;
  const info = poolInfo(args);
  const out = backend.makeOutput(input.shape, 'float32');
  const dy = backend.typedArrayFromHeap(dyInfo) as Float32Array;
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const scale = 1 / (filterHeight * filterWidth);
  const k = inPlaceOf(backend);
  if (k !== undefined) {
    const [dyAt, dxAt] = [dyInfo, out].map((t) => backend.getMemoryOffset(t.dataId)) as [number, number];
    k.avgPoolGradF32(dyAt, dxAt, batchSize, inHeight, inWidth, c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, top, left, scale);
    return out;
  }
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * inWidth * c;
    for (let p = 0; p < outHeight; p++) {
      const r0 = p * strideHeight - top;
      const rFrom = Math.max(0, r0);
      const rTo = Math.min(inHeight, r0 + filterHeight);
      for (let q = 0; q < outWidth; q++) {
        const c0 = q * strideWidth - left;
        const cFrom = Math.max(0, c0);
        const cTo = Math.min(inWidth, c0 + filterWidth);
        const dyBase = ((b * outHeight + p) * outWidth + q) * c;
        for (let r = rFrom; r < rTo; r++) {
          for (let col = cFrom; col < cTo; col++) {
            const base = xBatch + (r * inWidth + col) * c;
            for (let k = 0; k < c; k++) dx[base + k] = (dx[base + k] as number) + (dy[dyBase + k] as number) * scale;
          }
        }
      }
    }
  }
  return out;
}

/**
 * Identity (tf.clone, and the copy tfjs takes of every tensor it saves for a gradient) shares the
 * input's buffer by reference count, as tfjs-backend-cpu's does, instead of copying it: tfjs tensors
 * are immutable. Besides the copies, this keeps a saved weight's id, so XNNPACK's operator cached on
 * that id (and our cached transpose) serve every gradient call.
 */
function identity(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs['x'] as tf.TensorInfo;
  if (x.dtype === 'string') return original('Identity')(args as never) as tf.TensorInfo;
  (args.backend as unknown as WasmBackendLike).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Cast to the dtype x already has (tfjs's relu gradient casts x to float32) is an Identity; real conversions go to tfjs's own. */
function cast(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs['x'] as tf.TensorInfo;
  return x.dtype !== 'string' && args.attrs?.['dtype'] === x.dtype ? identity(args) : (original('Cast')(args as never) as tf.TensorInfo);
}

/**
 * The kernels this module registers for 'wasm', by name.
 *
 * @example
 * FAST_WASM_KERNELS; // ['BatchMatMul', 'Conv2DBackpropInput', 'Conv2D', 'MaxPoolGrad', 'AvgPoolGrad', 'Identity', 'Cast', 'Add', 'Sub', 'Multiply', 'Sum']
 */
export const FAST_WASM_KERNELS: readonly string[] = ['BatchMatMul', 'Conv2DBackpropInput', 'Conv2D', 'MaxPoolGrad', 'AvgPoolGrad', 'Identity', 'Cast', 'Add', 'Sub', 'Multiply', 'Sum'];
const FUNCS: Record<string, (args: KernelArgs) => tf.TensorInfo> = {
  Identity: identity,
  BatchMatMul: batchMatMul,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2D: conv2D,
  MaxPoolGrad: maxPoolGrad,
  AvgPoolGrad: avgPoolGrad,
  Cast: cast,
  ...elementwiseKernels(original),
};

/**
 * Registers the faster kernels for 'wasm' (see the top of this file), keeping tfjs's own to fall back
 * on and to restore. Idempotent. Returns the names registered. The wasm loader calls it (unless
 * `initBackend({ wasm: { fastKernels: false } })`); call it again after {@link restoreWasmKernels}.
 *
 * @example
 * restoreWasmKernels();     // tfjs-backend-wasm's own kernels
 * registerFastWasmKernels(); // ours again: ['BatchMatMul', ..., 'Identity'] where tfjs-backend-wasm is loaded
 */
export function registerFastWasmKernels(): string[] {
  const done: string[] = [];
  for (const name of FAST_WASM_KERNELS) {
    const current = tf.getKernel(name, 'wasm');
    if (current === undefined) continue;
    if (!originals.has(name)) {
      originals.set(name, current);
      tf.unregisterKernel(name, 'wasm');
      // tfjs's setup (cwrap of its C++ kernel for each new backend instance) stays attached: the
      // fall-backs to the original kernel must see the current module.
      tf.registerKernel({ ...current, kernelFunc: FUNCS[name] as unknown as tf.KernelFunc });
    }
    done.push(name);
  }
  return done;
}

/**
 * Puts tfjs-backend-wasm's own kernels back (all of {@link FAST_WASM_KERNELS}: BatchMatMul, Conv2DBackpropInput,
 * Conv2D, MaxPoolGrad, AvgPoolGrad, Identity, Cast, Add, Sub, Multiply, Sum)
 * (the opt-out after the fact; `initBackend({ wasm: { fastKernels: false } })` avoids registering them).
 *
 * @example
 * restoreWasmKernels();     // tf.getKernel('MaxPoolGrad', 'wasm') is tfjs's own again
 * registerFastWasmKernels(); // and ours again
 */
export function restoreWasmKernels(): void {
  clearWasmKernelCache();
  for (const [name, config] of originals) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(config);
  }
  originals.clear();
}
