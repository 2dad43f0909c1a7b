// Gradients through conv2d filters, depthwise convs and gather, on the backend under test, against
// float64 loops written from the definitions. On wasm these run the kernels this library registers.
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { assertClose, backendName, disposeAll } from '../support/harness.js';

const TOL = { atol: 1e-4, rtol: 1e-4 };

/** Deterministic values in [-1, 1). */
const values = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed * 7.31 + i * 1.7) * 0.999);

/** TF's padding: total = max((ceil(in/s) - 1) s + effectiveK - in, 0) for 'same', split top = floor(total/2). */
function padBefore(pad: 'same' | 'valid', size: number, stride: number, effectiveK: number): { before: number; out: number } {
  if (pad === 'valid') return { before: 0, out: Math.floor((size - effectiveK) / stride) + 1 };
  const out = Math.ceil(size / stride);
  return { before: Math.floor(Math.max((out - 1) * stride + effectiveK - size, 0) / 2), out };
}

interface ConvCase {
  n: number; h: number; w: number; c: number; k: number; m: number; stride: number; dilation: number; pad: 'same' | 'valid';
}
const cases: ConvCase[] = [
  { n: 2, h: 5, w: 6, c: 3, k: 3, m: 2, stride: 1, dilation: 1, pad: 'valid' },
  { n: 1, h: 7, w: 7, c: 2, k: 3, m: 1, stride: 2, dilation: 1, pad: 'same' },
  { n: 2, h: 6, w: 5, c: 2, k: 2, m: 3, stride: 2, dilation: 1, pad: 'valid' },
  { n: 1, h: 8, w: 7, c: 3, k: 4, m: 2, stride: 1, dilation: 1, pad: 'same' }, // tfjs takes no gradient through dilated depthwise convs
];

function geometry(t: ConvCase) {
  const eff = (t.k - 1) * t.dilation + 1;
  const rows = padBefore(t.pad, t.h, t.stride, eff);
  const cols = padBefore(t.pad, t.w, t.stride, eff);
  return { top: rows.before, left: cols.before, oh: rows.out, ow: cols.out };
}

const s = suite(`gradient kernels (${backendName})`);
s('conv2d: the filter gradient is sum_{n,oh,ow} x[n, oh s + i - top, ow s + j - left, ci] w[n,oh,ow,co]', async () => {
  for (const t of cases) {
    const co = t.m + 1;
    const { top, left, oh, ow } = geometry(t);
    const xv = values(t.n * t.h * t.w * t.c, 1);
    const wv = values(t.n * oh * ow * co, 2);
    const x = tf.tensor4d(xv, [t.n, t.h, t.w, t.c]);
    const weights = tf.tensor4d(wv, [t.n, oh, ow, co]);
    const filter = tf.tensor4d(values(t.k * t.k * t.c * co, 3), [t.k, t.k, t.c, co]);
    const g = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, t.stride, t.pad), weights)))(filter);
    const want = new Float64Array(t.k * t.k * t.c * co);
    for (let i = 0; i < t.k; i++) for (let j = 0; j < t.k; j++) for (let b = 0; b < t.n; b++) for (let p = 0; p < oh; p++) for (let q = 0; q < ow; q++) {
      const row = p * t.stride + i - top;
      const col = q * t.stride + j - left;
      if (row < 0 || row >= t.h || col < 0 || col >= t.w) continue;
      for (let ci = 0; ci < t.c; ci++) for (let o = 0; o < co; o++) {
        want[((i * t.k + j) * t.c + ci) * co + o]! += xv[((b * t.h + row) * t.w + col) * t.c + ci]! * wv[((b * oh + p) * ow + q) * co + o]!;
      }
    }
    assertClose(await g.data(), want, TOL, `conv2d filter gradient ${JSON.stringify(t)}`);
    disposeAll(x, weights, filter, g);
  }
});
s('depthwiseConv2d: input and filter gradients follow the definition, with strides, padding and channel multipliers', async () => {
  for (const t of cases) {
    const { top, left, oh, ow } = geometry(t);
    const xv = values(t.n * t.h * t.w * t.c, 4);
    const fv = values(t.k * t.k * t.c * t.m, 5);
    const wv = values(t.n * oh * ow * t.c * t.m, 6);
    const x = tf.tensor4d(xv, [t.n, t.h, t.w, t.c]);
    const filter = tf.tensor4d(fv, [t.k, t.k, t.c, t.m]);
    const weights = tf.tensor4d(wv, [t.n, oh, ow, t.c * t.m]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, t.stride, t.pad, 'NHWC', t.dilation), weights));
    const [dx, dF] = tf.grads(f)([x, filter]);
    const wantX = new Float64Array(xv.length);
    const wantF = new Float64Array(fv.length);
    for (let b = 0; b < t.n; b++) for (let p = 0; p < oh; p++) for (let q = 0; q < ow; q++) for (let i = 0; i < t.k; i++) for (let j = 0; j < t.k; j++) {
      const row = p * t.stride + i * t.dilation - top;
      const col = q * t.stride + j * t.dilation - left;
      if (row < 0 || row >= t.h || col < 0 || col >= t.w) continue;
      for (let c = 0; c < t.c; c++) for (let m = 0; m < t.m; m++) {
        const wAt = ((b * oh + p) * ow + q) * t.c * t.m + c * t.m + m;
        const xAt = ((b * t.h + row) * t.w + col) * t.c + c;
        const fAt = ((i * t.k + j) * t.c + c) * t.m + m;
        wantX[xAt]! += wv[wAt]! * fv[fAt]!;
        wantF[fAt]! += wv[wAt]! * xv[xAt]!;
      }
    }
    assertClose(await dx!.data(), wantX, TOL, `depthwise input gradient ${JSON.stringify(t)}`);
    assertClose(await dF!.data(), wantF, TOL, `depthwise filter gradient ${JSON.stringify(t)}`);
    disposeAll(x, filter, weights, dx, dF);
  }
});
s('gather: the gradient adds up the rows picked more than once', async () => {
  const params = tf.tensor2d(values(5 * 3, 7), [5, 3]);
  const indices = tf.tensor1d([4, 0, 4, 2, 4], 'int32');
  const wv = values(5 * 3, 8);
  const weights = tf.tensor2d(wv, [5, 3]);
  const g = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, indices), weights)))(params);
  const want = new Float64Array(15);
  [4, 0, 4, 2, 4].forEach((row, j) => {
    for (let c = 0; c < 3; c++) want[row * 3 + c]! += wv[j * 3 + c]!;
  });
  assertClose(await g.data(), want, TOL, 'gather gradient');
  disposeAll(params, indices, weights, g);
});

/** The max-pool gradient by definition: each window's dy goes to its first maximum (row-major), windows add up. */
function maxPoolGradLoop(x: number[], [n, h, w, c]: number[], dy: number[], k: number, stride: number, pad: 'same' | 'valid'): number[] {
  const rows = padBefore(pad, h!, stride, k);
  const cols = padBefore(pad, w!, stride, k);
  const dx = new Array<number>(x.length).fill(0);
  const at = (b: number, i: number, j: number, ch: number) => ((b * h! + i) * w! + j) * c! + ch;
  for (let b = 0; b < n!; b++)
    for (let oi = 0; oi < rows.out; oi++)
      for (let oj = 0; oj < cols.out; oj++)
        for (let ch = 0; ch < c!; ch++) {
          let best = -Infinity;
          let where = -1;
          for (let di = 0; di < k; di++)
            for (let dj = 0; dj < k; dj++) {
              const i = oi * stride + di - rows.before;
              const j = oj * stride + dj - cols.before;
              if (i < 0 || j < 0 || i >= h! || j >= w!) continue;
              if (x[at(b, i, j, ch)]! > best) {
                best = x[at(b, i, j, ch)]!;
                where = at(b, i, j, ch);
              }
            }
          dx[where] = dx[where]! + dy[((b * rows.out + oi) * cols.out + oj) * c! + ch]!;
        }
  return dx;
}

s('maxPool: the gradient goes to the first maximum of each window (torch and tfjs-cpu), ties included, windows overlapping or not', async () => {
  const geometries: [number[], number, number, 'same' | 'valid'][] = [
    [[2, 4, 4, 3], 2, 2, 'valid'],
    [[1, 5, 6, 2], 3, 1, 'valid'],
    [[2, 7, 7, 1], 3, 2, 'same'],
    [[1, 6, 5, 2], 2, 3, 'same'],
  ];
  for (const [shape, k, stride, pad] of geometries) {
    const size = shape.reduce((a, b) => a * b, 1);
    // quantised values: many ties inside windows, and some all-equal windows
    for (const x of [values(size, k + stride).map((v) => Math.round(v * 2) / 2), new Array<number>(size).fill(0.1)]) {
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const y = tf.maxPool(xt, k, stride, pad);
      const dyValues = values(y.size, 3);
      const dy = tf.tensor(dyValues, y.shape);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, k, stride, pad), dy)))(xt);
      assertClose(await g.data(), maxPoolGradLoop(x, shape, dyValues, k, stride, pad), { atol: 1e-6, rtol: 1e-6 }, `maxPool k=${k} s=${stride} ${pad} [${shape}]`);
      disposeAll(xt, y, dy, g);
    }
  }
});
s.run();
