// The kernels this library registers for 'wasm' in place of tfjs-backend-wasm's own (BatchMatMul with a
// transposed operand, Conv2DBackpropInput, Conv2D, MaxPoolGrad, AvgPoolGrad, Identity, Cast, Add, Sub
// and Multiply with a row broadcast, Sum over leading axes), each against stock tfjs on random shapes,
// strides, paddings, dilations, rounding modes, channel counts, broadcast patterns, axes, dtypes,
// NaN/Infinity values and batch sizes. On other backends nothing is registered.
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { FAST_WASM_KERNELS, registerFastWasmKernels, restoreWasmKernels } from '../../src/index.js';
import { configureInPlace, inPlaceExportsOf, prepareInPlaceKernels } from '../../src/kernels/wasm-inplace.js';
import { clearWasmKernelCache } from '../../src/backends/wasm-fast-kernels.js';
import { conv2DBackpropInputDirect, conv2DDirect, directConv, GATHER_LAYOUTS } from '../../src/backends/wasm-conv-kernels.js';
import { assert, assertClose, backendName, disposeAll } from '../support/harness.js';
import { seededRandom } from '../../src/core/random.js';

/** Seeded uniforms in [0, 1) (the library's own generator), so every run draws the same data. */
const random = (seed: number): (() => number) => seededRandom(seed);
const TOL = { atol: 1e-5, rtol: 1e-4 };

/** Runs `f` with tfjs's own wasm kernels, then with ours, and returns both results' values. */
async function stockAndFast(f: () => tf.Tensor): Promise<{ stock: Float32Array; fast: Float32Array; shape: number[] }> {
  restoreWasmKernels();
  const a = f();
  registerFastWasmKernels();
  const b = f();
  assert(a.shape.join() === b.shape.join(), `shapes ${a.shape} and ${b.shape}`);
  const out = { stock: (await a.data()) as Float32Array, fast: (await b.data()) as Float32Array, shape: a.shape };
  disposeAll(a, b);
  return out;
}

/** Runs `f` with the in-place module unusable (a binary that does not compile), so every kernel takes its fallback. */
async function withoutInPlaceModule(f: () => Promise<void>): Promise<void> {
  const bad = new Uint8Array([0, 97, 115, 109, 9]);
  configureInPlace({ enabled: true, simd: bad, scalar: bad });
  try {
    await prepareInPlaceKernels();
    await f();
  } finally {
    configureInPlace({ enabled: true });
    await prepareInPlaceKernels();
  }
}

const s = suite(`fast wasm kernels (${backendName})`);

if (backendName !== 'wasm') {
  s('are registered for wasm only', () => {
    const before = FAST_WASM_KERNELS.map((n) => tf.getKernel(n, backendName));
    registerFastWasmKernels();
    const after = FAST_WASM_KERNELS.map((n) => tf.getKernel(n, backendName));
    restoreWasmKernels();
    FAST_WASM_KERNELS.forEach((n, i) => assert(before[i] === after[i], `${n} on ${backendName} untouched`));
  });
} else {
  s.after(() => {
    registerFastWasmKernels();
  });

  s('the wasm loader registered ours, and restoreWasmKernels puts tfjs own back (and registering again is idempotent)', () => {
    const ours = FAST_WASM_KERNELS.map((n) => tf.getKernel(n, 'wasm')?.kernelFunc);
    restoreWasmKernels();
    const stock = FAST_WASM_KERNELS.map((n) => tf.getKernel(n, 'wasm')?.kernelFunc);
    registerFastWasmKernels();
    registerFastWasmKernels();
    const again = FAST_WASM_KERNELS.map((n) => tf.getKernel(n, 'wasm')?.kernelFunc);
    FAST_WASM_KERNELS.forEach((n, i) => {
      assert(ours[i] !== undefined && ours[i] !== stock[i], `${n}: ours was registered`);
      assert(again[i] === ours[i], `${n}: registered again`);
    });
  });

  s('BatchMatMul: every transpose combination, ranks 2 and 3, batch 1, broadcast batch and batch > 1 (left to tfjs)', async () => {
    const r = random(1);
    const dim = () => 1 + Math.floor(r() * 40);
    for (let i = 0; i < 40; i++) {
      const [m, k, n] = [dim(), dim(), dim()];
      const transposeA = i % 2 === 1;
      const transposeB = (i >> 1) % 2 === 1;
      const lead: number[] = i % 5 === 4 ? [1 + (i % 3)] : i % 5 === 3 ? [1] : [];
      const leadB: number[] = i % 7 === 6 ? [] : lead;
      const a = tf.randomNormal([...lead, ...(transposeA ? [k, m] : [m, k])], 0, 1, 'float32', i);
      const b = tf.randomNormal([...leadB, ...(transposeB ? [n, k] : [k, n])], 0, 1, 'float32', i + 100);
      const { stock, fast } = await stockAndFast(() => tf.matMul(a, b, transposeA, transposeB));
      assertClose(fast, stock, TOL, `matMul ${JSON.stringify({ lead, leadB, m, k, n, transposeA, transposeB })}`);
      disposeAll(a, b);
    }
  });

  s('Conv2DBackpropInput: random shapes, strides, same/valid/numeric/explicit padding, rounding modes, NHWC and NCHW', async () => {
    const r = random(2);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    for (let i = 0; i < 60; i++) {
      const [n, h, w, ci, co] = [int(1, 3), int(3, 12), int(3, 12), int(1, 5), int(1, 6)];
      const [kh, kw] = [int(1, Math.min(4, h)), int(1, Math.min(4, w))];
      const strides: [number, number] = [int(1, 3), int(1, 3)];
      const kind = i % 4;
      const pad =
        kind === 0 ? 'same' : kind === 1 ? 'valid' : kind === 2 ? int(0, 2) : ([[0, 0], [int(0, 3), int(0, 3)], [int(0, 3), int(0, 3)], [0, 0]] as tf.backend_util.ExplicitPadding);
      const dimRoundingMode = kind === 2 ? (['floor', 'round', 'ceil'] as const)[i % 3] : undefined;
      const info = tf.backend_util.computeConv2DInfo([n, h, w, ci], [kh, kw, ci, co], strides, 1, pad, dimRoundingMode);
      if (info.outHeight < 1 || info.outWidth < 1) continue;
      const nchw = i % 5 === 0;
      const dyShape = nchw ? [n, co, info.outHeight, info.outWidth] : [n, info.outHeight, info.outWidth, co];
      const inputShape = nchw ? [n, ci, h, w] : [n, h, w, ci];
      const dy = tf.randomNormal(dyShape, 0, 1, 'float32', i);
      const filter = tf.randomNormal([kh, kw, ci, co], 0, 1, 'float32', i + 1000);
      // Explicit padding is given in the data format's axis order.
      const given = nchw && Array.isArray(pad) ? [pad[0], pad[3], pad[1], pad[2]] : pad;
      const attrs = { strides, pad: given, dataFormat: nchw ? 'NCHW' : 'NHWC', dimRoundingMode, inputShape };
      const { stock, fast } = await stockAndFast(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs as never) as tf.Tensor);
      assertClose(fast, stock, TOL, `conv2DBackpropInput ${JSON.stringify({ inputShape, kh, kw, co, strides, pad, dimRoundingMode, nchw })}`);
      disposeAll(dy, filter);
    }
  });

  /** Conv geometries: random sizes, filters, strides, padding, rounding, channel counts 1..7 and wider. */
  function* convCases(seed: number, count: number, channels: { ci: readonly number[]; co: readonly number[] }, dilated: boolean) {
    const r = random(seed);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
    for (let i = 0; i < count; i++) {
      const [n, h, w, ci, co] = [int(1, 3), int(3, 13), int(3, 19), pick(channels.ci), pick(channels.co)];
      const [kh, kw] = [int(1, Math.min(5, h)), int(1, Math.min(5, w))];
      // tfjs takes dilations > 1 only with stride 1.
      const dilations: [number, number] = dilated && i % 3 === 0 ? [int(1, 2), int(1, 3)] : [1, 1];
      const strides: [number, number] = dilations[0] * dilations[1] > 1 ? [1, 1] : [int(1, 3), int(1, 3)];
      const kind = i % 4;
      const pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding =
        kind === 0 ? 'same' : kind === 1 ? 'valid' : kind === 2 ? int(0, 2) : [[0, 0], [int(0, 3), int(0, 3)], [int(0, 3), int(0, 3)], [0, 0]];
      const dimRoundingMode = kind === 2 ? (['floor', 'round', 'ceil'] as const)[i % 3] : undefined;
      const info = tf.backend_util.computeConv2DInfo([n, h, w, ci], [kh, kw, ci, co], strides, dilations, pad, dimRoundingMode);
      if (info.outHeight < 1 || info.outWidth < 1) continue;
      yield { i, n, h, w, ci, co, kh, kw, strides, dilations, pad, dimRoundingMode, info };
    }
  }
  const CHANNELS = { ci: [1, 2, 3, 4, 5, 6, 7, 16, 32], co: [1, 2, 3, 4, 5, 6, 7, 16, 20, 32] };
  // Sums of up to 5*5*32 products of N(0,1) values, added in another order.
  const CONV_TOL = { atol: 1e-4, rtol: 1e-4 };

  /** conv2d by its definition (NHWC, the geometry computeConv2DInfo gives). */
  function conv2dReference(x: Float32Array, f: Float32Array, info: tf.backend_util.Conv2DInfo): Float64Array {
    const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co, strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = info;
    const y = new Float64Array(batchSize * outHeight * outWidth * co);
    for (let b = 0; b < batchSize; b++) for (let p = 0; p < outHeight; p++) for (let q = 0; q < outWidth; q++) for (let i = 0; i < filterHeight; i++) for (let j = 0; j < filterWidth; j++) {
      const row = p * strideHeight - info.padInfo.top + i * dilationHeight;
      const col = q * strideWidth - info.padInfo.left + j * dilationWidth;
      if (row < 0 || row >= inHeight || col < 0 || col >= inWidth) continue;
      for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) {
        y[((b * outHeight + p) * outWidth + q) * co + o]! += x[((b * inHeight + row) * inWidth + col) * ci + c]! * f[((i * filterWidth + j) * ci + c) * co + o]!;
      }
    }
    return y;
  }

  async function checkConv2DBackpropInput(label: string): Promise<void> {
    for (const t of convCases(11, 80, CHANNELS, false)) {
      const dy = tf.randomNormal(t.info.outShape, 0, 1, 'float32', t.i);
      const filter = tf.randomNormal([t.kh, t.kw, t.ci, t.co], 0, 1, 'float32', t.i + 1000);
      const attrs = { strides: t.strides, pad: t.pad, dataFormat: 'NHWC', dimRoundingMode: t.dimRoundingMode, inputShape: [t.n, t.h, t.w, t.ci] };
      const { stock, fast } = await stockAndFast(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs as never) as tf.Tensor);
      assertClose(fast, stock, CONV_TOL, `${label} conv2DBackpropInput ${JSON.stringify({ ...attrs, co: t.co, kh: t.kh, kw: t.kw })}`);
      disposeAll(dy, filter);
    }
  }

  s('Conv2DBackpropInput: channel counts 1..7, 16, 32 (the gather kernels where the rule picks them)', async () => {
    await checkConv2DBackpropInput('registered');
  });

  s('Conv2DBackpropInput gather kernels, each on every geometry and channel count, equal stock', async () => {
    const backend = tf.backend();
    const k = inPlaceExportsOf(backend);
    assert(k !== undefined, 'the in-place module is compiled');
    for (const which of ['narrow', 'wide'] as const) {
      for (const t of convCases(12, 60, CHANNELS, false)) {
        const dy = tf.randomNormal(t.info.outShape, 0, 1, 'float32', t.i);
        const filter = tf.randomNormal([t.kh, t.kw, t.ci, t.co], 0, 1, 'float32', t.i + 1000);
        const laid = tf.tidy(() => GATHER_LAYOUTS[which](filter));
        const attrs = { strides: t.strides, pad: t.pad, dataFormat: 'NHWC', dimRoundingMode: t.dimRoundingMode, inputShape: [t.n, t.h, t.w, t.ci] };
        restoreWasmKernels();
        const stock = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs as never) as tf.Tensor;
        registerFastWasmKernels();
        const info = conv2DBackpropInputDirect({ inputs: { dy, filter }, backend, attrs }, k, () => laid, () => which) as tf.TensorInfo;
        const fast = tf.engine().makeTensorFromTensorInfo(info, backend);
        assertClose(await fast.data(), await stock.data(), CONV_TOL, `${which} ${JSON.stringify({ ...attrs, co: t.co, kh: t.kh, kw: t.kw })}`);
        disposeAll(dy, filter, laid, stock, fast);
      }
    }
  });

  async function checkConv2D(label: string, ours: boolean): Promise<void> {
    for (const t of convCases(13, 80, CHANNELS, true)) {
      // tfjs-backend-wasm's own (XNNPACK) sizes its output by itself: with a rounding mode that enlarges
      // it, it leaves outputs unwritten or aborts; and with 'same' padding and a filter narrower than the
      // stride it pads otherwise than tfjs (and TensorFlow). Those run on ours only, against the definition.
      const rounded = t.dimRoundingMode !== undefined;
      const stockOk = !rounded && !(t.pad === 'same' && (t.kh < t.strides[0] || t.kw < t.strides[1]));
      if (!stockOk && (!ours || !directConv(t.ci, t.co))) continue;
      const x = tf.randomNormal([t.n, t.h, t.w, t.ci], 0, 1, 'float32', t.i);
      const filter = tf.randomNormal([t.kh, t.kw, t.ci, t.co], 0, 1, 'float32', t.i + 1000);
      const run = () => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, t.strides, t.pad, 'NHWC', t.dilations, t.dimRoundingMode);
      const what = `${label} conv2d ${JSON.stringify({ shape: [t.n, t.h, t.w, t.ci], co: t.co, kh: t.kh, kw: t.kw, strides: t.strides, dilations: t.dilations, pad: t.pad, dimRoundingMode: t.dimRoundingMode })}`;
      let fast: Float32Array;
      if (!stockOk) {
        const y = run();
        fast = (await y.data()) as Float32Array;
        y.dispose();
      } else {
        const both = await stockAndFast(run);
        assertClose(both.fast, both.stock, CONV_TOL, what);
        fast = both.fast;
      }
      assertClose(fast, conv2dReference((await x.data()) as Float32Array, (await filter.data()) as Float32Array, t.info), CONV_TOL, `${what} vs definition`);
      disposeAll(x, filter);
    }
  }

  s('Conv2D: ours where directConv says so, tfjs own elsewhere; strides, dilations, paddings, rounding modes', async () => {
    await checkConv2D('in place', true);
  });

  s('Conv2D direct kernel on every geometry and channel count 1..7, 16, 32 equals the definition', async () => {
    const backend = tf.backend();
    const k = inPlaceExportsOf(backend);
    assert(k !== undefined, 'the in-place module is compiled');
    for (const t of convCases(14, 120, CHANNELS, true)) {
      const x = tf.randomNormal([t.n, t.h, t.w, t.ci], 0, 1, 'float32', t.i);
      const filter = tf.randomNormal([t.kh, t.kw, t.ci, t.co], 0, 1, 'float32', t.i + 1000);
      const attrs = { strides: t.strides, pad: t.pad, dataFormat: 'NHWC', dilations: t.dilations, dimRoundingMode: t.dimRoundingMode };
      const y = tf.engine().makeTensorFromTensorInfo(conv2DDirect({ inputs: { x, filter }, backend, attrs }, k, () => true) as tf.TensorInfo, backend);
      const want = conv2dReference((await x.data()) as Float32Array, (await filter.data()) as Float32Array, t.info);
      assertClose(await y.data(), want, CONV_TOL, `direct conv2d ${JSON.stringify({ shape: [t.n, t.h, t.w, t.ci], co: t.co, kh: t.kh, kw: t.kw, ...attrs })}`);
      disposeAll(x, filter, y);
    }
  });

  s('Conv2D and Conv2DBackpropInput without the in-place module (XNNPACK paths) give the same', async () => {
    await withoutInPlaceModule(async () => {
      await checkConv2D('without module', false);
      await checkConv2DBackpropInput('without module');
    });
  });

  s('conv2d through tf.grad (input gradient) agrees with stock for strided same-padded layers', async () => {
    const x = tf.randomNormal([4, 9, 11, 3], 0, 1, 'float32', 5);
    const f = tf.randomNormal([3, 3, 3, 8], 0, 1, 'float32', 6);
    const g = () => tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.conv2d(t as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'))))(x);
    const { stock, fast } = await stockAndFast(g);
    assertClose(fast, stock, TOL, 'grad of conv2d');
    disposeAll(x, f);
  });

  /** Pool geometries: random sizes, filters, strides, padding and rounding. */
  function* poolCases(seed: number, count: number) {
    const r = random(seed);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    for (let i = 0; i < count; i++) {
      const [n, h, w, c] = [int(1, 3), int(2, 11), int(2, 11), [1, 3, 4, 5, 8, 16][i % 6] as number];
      const filterSize: [number, number] = [int(1, Math.min(4, h)), int(1, Math.min(4, w))];
      const strides: [number, number] = [int(1, 3), int(1, 3)];
      const pad = i % 3 === 0 ? 'same' : i % 3 === 1 ? 'valid' : int(0, 1);
      const dimRoundingMode = i % 3 === 2 ? (['floor', 'round', 'ceil'] as const)[i % 3] : undefined;
      const info = tf.backend_util.computePool2DInfo([n, h, w, c], filterSize, strides, 1, pad, dimRoundingMode);
      if (info.outHeight < 1 || info.outWidth < 1) continue;
      yield { i, n, h, w, c, filterSize, strides, pad, dimRoundingMode, info };
    }
  }

  /** MaxPoolGrad by its definition (tfjs-backend-cpu's, TensorFlow's): each window's gradient to its first maximum. */
  function maxPoolGradReference(x: Float32Array, dy: Float32Array, info: tf.backend_util.Conv2DInfo): Float64Array {
    const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
    const dx = new Float64Array(x.length);
    for (let b = 0; b < batchSize; b++) for (let p = 0; p < outHeight; p++) for (let q = 0; q < outWidth; q++) for (let k = 0; k < c; k++) {
      let best = Number.NEGATIVE_INFINITY;
      let at = -1;
      for (let i = 0; i < filterHeight; i++) for (let j = 0; j < filterWidth; j++) {
        const row = p * strideHeight - info.padInfo.top + i;
        const col = q * strideWidth - info.padInfo.left + j;
        if (row < 0 || row >= inHeight || col < 0 || col >= inWidth) continue;
        const idx = ((b * inHeight + row) * inWidth + col) * c + k;
        if ((x[idx] as number) > best) {
          best = x[idx] as number;
          at = idx;
        }
      }
      if (at >= 0) dx[at]! += dy[((b * outHeight + p) * outWidth + q) * c + k]!;
    }
    return dx;
  }

  async function checkMaxPoolGrad(label: string): Promise<void> {
    for (const t of poolCases(3, 60)) {
      // Distinct positive values: stock tfjs-backend-wasm is defined there (see wasm-fast-kernels.ts).
      const x = tf.add(tf.randomUniform([t.n, t.h, t.w, t.c], 0, 1, 'float32', t.i), 0.5);
      // The forward output is an input of MaxPoolGrad that neither kernel reads; tfjs-backend-wasm's own
      // forward pooling corrupts its heap with some rounding modes, so it is not run here.
      const y = tf.zeros(t.info.outShape);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', t.i + 7);
      const attrs = { filterSize: t.filterSize, strides: t.strides, pad: t.pad, dimRoundingMode: t.dimRoundingMode };
      const run = () => tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs as never) as tf.Tensor;
      const { stock, fast } = await stockAndFast(run);
      const what = `${label} maxPoolGrad ${JSON.stringify({ ...attrs, shape: [t.n, t.h, t.w, t.c] })}`;
      if (t.dimRoundingMode === undefined) assertClose(fast, stock, TOL, what);
      assertClose(fast, maxPoolGradReference((await x.data()) as Float32Array, (await dy.data()) as Float32Array, t.info), TOL, `${what} vs definition`);
      disposeAll(x, y, dy);
    }
    // Ties, negatives, zeros (relu outputs) and NaN: the first maximum, as tfjs-backend-cpu.
    for (const t of poolCases(4, 30)) {
      const r = random(t.i);
      const values = Float32Array.from({ length: t.n * t.h * t.w * t.c }, () => [0, 0, -1, -2.5, 1, 1, Number.NaN, r() - 0.5][Math.floor(r() * 8)] as number);
      const x = tf.tensor4d(values, [t.n, t.h, t.w, t.c]);
      const y = tf.zeros(t.info.outShape);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', t.i + 9);
      const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: t.filterSize, strides: t.strides, pad: t.pad, dimRoundingMode: t.dimRoundingMode } as never) as tf.Tensor;
      assertClose(await dx.data(), maxPoolGradReference(values, (await dy.data()) as Float32Array, t.info), TOL, `${label} maxPoolGrad with ties ${JSON.stringify(t.filterSize)} ${t.pad}`);
      disposeAll(x, y, dy, dx);
    }
    // Windows that do not overlap (written whole, not added to): exact covers, remainders, gaps, padding,
    // and windows of only -Infinity or NaN (no maximum: zeros), every channel count around the SIMD width.
    const tilings: [number, number, [number, number], [number, number], 'valid' | 'same'][] = [
      [8, 8, [2, 2], [2, 2], 'valid'], [9, 7, [2, 2], [2, 2], 'valid'], [9, 9, [3, 3], [3, 3], 'valid'], [7, 10, [2, 3], [3, 3], 'valid'],
      [5, 5, [2, 2], [2, 2], 'same'], [6, 6, [1, 1], [2, 2], 'valid'], [8, 6, [2, 1], [2, 1], 'same'],
    ];
    for (const [i, [h, w, filterSize, strides, pad]] of tilings.entries()) {
      for (const c of [1, 3, 4, 5, 8, 16, 17]) {
        const r = random(100 + i * 31 + c);
        const n = 2;
        const values = Float32Array.from({ length: n * h * w * c }, () => [0, 0, -1, 1, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, r() - 0.5][Math.floor(r() * 8)] as number);
        const info = tf.backend_util.computePool2DInfo([n, h, w, c], filterSize, strides, 1, pad);
        const x = tf.tensor4d(values, [n, h, w, c]);
        const y = tf.zeros(info.outShape);
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', i + c);
        const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize, strides, pad } as never) as tf.Tensor;
        assertClose(await dx.data(), maxPoolGradReference(values, (await dy.data()) as Float32Array, info), TOL, `${label} maxPoolGrad, windows apart ${JSON.stringify({ h, w, c, filterSize, strides, pad })}`);
        disposeAll(x, y, dy, dx);
      }
    }
  }

  /** AvgPoolGrad by its definition: dy / (filterHeight * filterWidth) to every window position inside the input. */
  function avgPoolGradReference(dy: Float32Array, info: tf.backend_util.Conv2DInfo): Float64Array {
    const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
    const dx = new Float64Array(batchSize * inHeight * inWidth * c);
    for (let b = 0; b < batchSize; b++) for (let p = 0; p < outHeight; p++) for (let q = 0; q < outWidth; q++) for (let i = 0; i < filterHeight; i++) for (let j = 0; j < filterWidth; j++) {
      const row = p * strideHeight - info.padInfo.top + i;
      const col = q * strideWidth - info.padInfo.left + j;
      if (row < 0 || row >= inHeight || col < 0 || col >= inWidth) continue;
      for (let k = 0; k < c; k++) dx[((b * inHeight + row) * inWidth + col) * c + k]! += dy[((b * outHeight + p) * outWidth + q) * c + k]! / (filterHeight * filterWidth);
    }
    return dx;
  }

  async function checkAvgPoolGrad(label: string): Promise<void> {
    for (const t of poolCases(5, 60)) {
      const x = tf.randomNormal([t.n, t.h, t.w, t.c], 0, 1, 'float32', t.i);
      const y = tf.zeros(t.info.outShape);
      const dy = tf.randomNormal(y.shape, 0, 1, 'float32', t.i + 3);
      const attrs = { filterSize: t.filterSize, strides: t.strides, pad: t.pad, dimRoundingMode: t.dimRoundingMode };
      const { stock, fast } = await stockAndFast(() => tf.engine().runKernel('AvgPoolGrad', { dy, input: x }, attrs as never) as tf.Tensor);
      const what = `${label} avgPoolGrad ${JSON.stringify({ ...attrs, shape: [t.n, t.h, t.w, t.c] })}`;
      assertClose(fast, avgPoolGradReference((await dy.data()) as Float32Array, t.info), TOL, `${what} vs definition`);
      // tfjs-backend-wasm's own disagrees with the definition for some rounding-mode geometries.
      if (t.dimRoundingMode === undefined) assertClose(fast, stock, TOL, what);
      disposeAll(x, y, dy);
    }
  }

  s('MaxPoolGrad (AssemblyScript, in place): equals stock on distinct values, the definition everywhere', async () => {
    await checkMaxPoolGrad('in place');
  });
  s('AvgPoolGrad (AssemblyScript, in place): equals stock', async () => {
    await checkAvgPoolGrad('in place');
  });
  s('MaxPoolGrad and AvgPoolGrad without the in-place module (JS loops over the heap) give the same', async () => {
    await withoutInPlaceModule(async () => {
      await checkMaxPoolGrad('JS');
      await checkAvgPoolGrad('JS');
    });
  });
  s('the cached transposes and flipped filters go with their source tensors', async () => {
    const buffers = tf.memory().numDataBuffers;
    const w = tf.randomNormal([30, 20]);
    const f = tf.randomNormal([3, 3, 2, 4]);
    const dy = tf.randomNormal([5, 20]);
    const dyc = tf.randomNormal([1, 4, 4, 4]);
    const first = [tf.matMul(dy, w, false, true), tf.conv2dTranspose(dyc as tf.Tensor4D, f as tf.Tensor4D, [1, 6, 6, 2], 1, 'valid')];
    const again = [tf.matMul(dy, w, false, true), tf.conv2dTranspose(dyc as tf.Tensor4D, f as tf.Tensor4D, [1, 6, 6, 2], 1, 'valid')];
    for (const [i, t] of first.entries()) assertClose(await t.data(), await again[i]!.data(), { atol: 0, rtol: 0 }, `cached operand ${i}`);
    disposeAll(first, again, w, f);
    // The next call of either kernel sweeps the entries of disposed sources.
    const other = tf.randomNormal([7, 20]);
    const swept = tf.matMul(dy, other, false, true);
    // Alive: other, dy, dyc, swept and the cached transpose of `other`; those of w and f are gone.
    const afterSweep = tf.memory().numDataBuffers - buffers;
    disposeAll(swept, other, dy, dyc);
    clearWasmKernelCache();
    assert(afterSweep === 5, `${afterSweep - 4} cached operands alive, 1 expected`);
    assert(tf.memory().numDataBuffers === buffers, `${tf.memory().numDataBuffers - buffers} buffers left`);
  });
  s('Identity shares the buffer: clones equal their source and outlive it', async () => {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const x = tf.cast(tf.tensor1d([1, 0, 3, -4]), dtype);
      const want = Array.from(await x.data());
      const { stock, fast } = await stockAndFast(() => tf.clone(x));
      assertClose(fast, stock, { atol: 0, rtol: 0 }, `clone ${dtype}`);
      const c = tf.clone(x);
      x.dispose();
      assertClose(await c.data(), want, { atol: 0, rtol: 0 }, `clone of a disposed ${dtype} tensor`);
      c.dispose();
    }
    const s1 = tf.tensor1d(['a', 'b'] as never, 'string');
    const c1 = tf.clone(s1);
    assert((await c1.data()).join() === 'a,b', 'string clones');
    disposeAll(s1, c1);
  });
  /** Seeded float32 values with NaN, ±Infinity and -0 sprinkled in. */
  function specialValues(seed: number, size: number): Float32Array {
    const r = random(seed);
    const special = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0];
    return Float32Array.from({ length: size }, () => (r() < 0.05 ? (special[Math.floor(r() * special.length)] as number) : (r() - 0.5) * 8));
  }

  /** Operand shape pairs: row broadcasts (ours) and every other pattern (left to tfjs's own). */
  function* binaryCases(seed: number, count: number): Generator<{ a: number[]; b: number[] }> {
    const r = random(seed);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    const rows = [1, 2, 3, 4, 5, 8, 10, 16, 17, 32, 64, 100, 256, 1024, 1030];
    for (let i = 0; i < count; i++) {
      const c = rows[i % rows.length] as number;
      const lead = Array.from({ length: int(1, 3) }, () => int(1, 6));
      const full = [...lead, c];
      // The row as [C], [1, C] or [1, 1, C] (sometimes of higher rank than the full operand).
      const row = [...Array(int(0, 2)).fill(1), c];
      const pair = i % 2 === 0 ? { a: full, b: row } : { a: row, b: full };
      yield pair;
    }
    yield* [
      { a: [64, 26, 26, 16], b: [16] },
      { a: [4, 3], b: [1, 1, 3] },
      { a: [1, 1, 3], b: [4, 3] },
      { a: [0, 5], b: [5] },
      { a: [5, 4], b: [5, 4] }, // equal shapes
      { a: [5, 4], b: [] }, // scalar
      { a: [5, 4], b: [1] },
      { a: [7, 1], b: [7, 5] }, // per-row factor
      { a: [6, 2, 3], b: [6, 1, 1] },
      { a: [3, 1, 1], b: [4, 5] }, // outer product
      { a: [2, 1, 3], b: [1, 4, 3] }, // three runs of axes
      { a: [1, 5], b: [4, 1] },
      { a: [1], b: [1] },
    ];
  }

  async function checkBinary(label: string): Promise<void> {
    const ops = { Add: tf.add, Sub: tf.sub, Multiply: tf.mul } as const;
    let n = 0;
    for (const { a: aShape, b: bShape } of binaryCases(11, 45)) {
      for (const [name, op] of Object.entries(ops)) {
        n++;
        const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
        const a = tf.tensor(specialValues(n, size(aShape)), aShape);
        const b = tf.tensor(specialValues(n + 5000, size(bShape)), bShape);
        const { stock, fast, shape } = await stockAndFast(() => op(a, b));
        const what = `${label} ${name} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`;
        assert(shape.join() === tf.broadcast_util.assertAndGetBroadcastShape(aShape, bShape).join(), `${what}: shape ${shape}`);
        assertClose(fast, stock, { atol: 0, rtol: 0 }, what);
        // int32 and bool go to tfjs's own.
        for (const dtype of ['int32', 'bool'] as const) {
          const [ai, bi] = [tf.tidy(() => tf.cast(tf.round(tf.clipByValue(a, -9, 9)), dtype)), tf.tidy(() => tf.cast(tf.round(tf.clipByValue(b, -9, 9)), dtype))];
          const out = await stockAndFast(() => tf.engine().runKernel(name, { a: ai, b: bi }) as tf.Tensor);
          assertClose(out.fast, out.stock, { atol: 0, rtol: 0 }, `${what} ${dtype}`);
          disposeAll(ai, bi);
        }
        disposeAll(a, b);
      }
    }
  }

  /** Sum over random axes (leading ones ours, the rest tfjs's), keepDims or not, float32 and int32. */
  async function checkSum(label: string): Promise<void> {
    const r = random(41);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    for (let i = 0; i < 60; i++) {
      const shape = Array.from({ length: int(1, 5) }, () => int(1, i % 4 === 0 ? 40 : 7));
      const rank = shape.length;
      // Leading axes (some negative, some out of order), or any subset.
      const lead = int(1, rank);
      const leading = [...Array(lead).keys()].map((a) => (r() < 0.3 ? a - rank : a));
      const axes = i % 3 === 2 ? [...Array(rank).keys()].filter(() => r() < 0.5) : i % 5 === 4 ? leading.reverse() : leading;
      const axis = axes.length === 1 && r() < 0.5 ? (axes[0] as number) : axes;
      const keepDims = r() < 0.5;
      const x = tf.tensor(specialValues(100 + i, shape.reduce((a, b) => a * b, 1)), shape);
      const what = `${label} sum ${JSON.stringify({ shape, axis, keepDims })}`;
      const { stock, fast, shape: outShape } = await stockAndFast(() => tf.sum(x, axis, keepDims));
      const want = tf.tidy(() => tf.sum(tf.cast(x, 'float32'), axis, keepDims).shape);
      assert(outShape.join() === want.join(), `${what}: shape`);
      assertClose(fast, stock, { atol: 0, rtol: 0 }, what);
      const xi = tf.tidy(() => tf.cast(tf.round(tf.clipByValue(x, -9, 9)), 'int32'));
      const ints = await stockAndFast(() => tf.engine().runKernel('Sum', { x: xi }, { axis, keepDims } as never) as tf.Tensor);
      assertClose(ints.fast, ints.stock, { atol: 0, rtol: 0 }, `${what} int32`);
      disposeAll(x, xi);
    }
    // Over an empty axis: zeros (tfjs-backend-wasm's own leaves the output uninitialized).
    const empty = tf.zeros([0, 3]);
    const s0 = tf.sum(empty, 0);
    assertClose(await s0.data(), [0, 0, 0], { atol: 0, rtol: 0 }, `${label} sum of [0, 3] over axis 0`);
    disposeAll(empty, s0);
  }

  s('Add, Sub, Multiply (AssemblyScript, in place): equal stock exactly on every broadcast pattern, dtype, NaN and Infinity', async () => {
    await checkBinary('in place');
  });
  s('Sum (AssemblyScript, in place): equals stock exactly over every set of axes, with keepDims, int32, NaN and Infinity', async () => {
    await checkSum('in place');
  });
  s('Add, Sub, Multiply and Sum without the in-place module (JS loops over the heap) give the same', async () => {
    await withoutInPlaceModule(async () => {
      await checkBinary('JS');
      await checkSum('JS');
    });
  });
  s('the bias add through tf.grad (dense and conv layers) agrees with stock', async () => {
    const x = tf.randomNormal([6, 5, 5, 3], 0, 1, 'float32', 21);
    const f = tf.randomNormal([3, 3, 3, 8], 0, 1, 'float32', 22);
    const bias = tf.randomNormal([8], 0, 1, 'float32', 23);
    const g = () => tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.add(tf.conv2d(t as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'), bias)))))(x);
    const { stock, fast } = await stockAndFast(g);
    assertClose(fast, stock, TOL, 'grad through a conv bias');
    disposeAll(x, f, bias);
  });
  s('Cast to the same dtype shares the buffer (and outlives its input); conversions equal stock', async () => {
    const values = specialValues(31, 24);
    for (const from of ['float32', 'int32', 'bool'] as const) {
      for (const to of ['float32', 'int32', 'bool'] as const) {
        const x = from === 'float32' ? tf.tensor(values, [4, 6]) : tf.cast(tf.tensor(values.map((v) => (Number.isFinite(v) ? Math.round(v) : 0)), [4, 6]), from);
        const { stock, fast } = await stockAndFast(() => tf.cast(x, to));
        assertClose(fast, stock, { atol: 0, rtol: 0 }, `cast ${from} to ${to}`);
        const want = Array.from(await x.data());
        const c = tf.cast(x, to);
        if (from === to) assert(c.dataId === x.dataId, `cast ${from} to ${to} shares the buffer`);
        x.dispose();
        if (from === to) assertClose(await c.data(), want, { atol: 0, rtol: 0 }, `cast of a disposed ${from} tensor`);
        assert(c.dtype === to, `cast to ${to}: ${c.dtype}`);
        c.dispose();
      }
    }
  });
  s('leave no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const a = tf.randomNormal([5, 7]);
    const b = tf.randomNormal([9, 7]);
    const x = tf.randomNormal([2, 6, 6, 4]);
    const f = tf.randomNormal([3, 3, 4, 5]);
    const b4 = tf.randomNormal([4]);
    const x1 = tf.randomNormal([2, 8, 8, 1]);
    const f1 = tf.randomNormal([3, 3, 1, 16]);
    const f2 = tf.randomNormal([3, 3, 16, 32]);
    const outs = [
      tf.grad((t: tf.Tensor) => tf.sum(tf.conv2d(tf.relu(tf.conv2d(t as tf.Tensor4D, f1 as tf.Tensor4D, 1, 'valid')), f2 as tf.Tensor4D, 1, 'valid')))(x1),
      tf.matMul(a, b, false, true),
      tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(tf.conv2d(t as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'), 2, 2, 'valid')))(x),
      tf.grad((t: tf.Tensor) => tf.sum(tf.avgPool(t as tf.Tensor4D, 3, 2, 'same')))(x),
      tf.grad((t: tf.Tensor) => tf.sum(tf.relu(tf.add(t, tf.cast(b4, 'float32')))))(x),
      tf.sub(b4, x),
      tf.tidy(() => tf.mul(x, tf.reshape(b4, [1, 4]))),
      tf.sum(x, [0, 1], true),
    ];
    disposeAll(outs, a, b, x, f, b4, x1, f1, f2);
    clearWasmKernelCache();
    assert(tf.memory().numTensors === before, `${tf.memory().numTensors - before} tensors left`);
  });
}
s.run();
