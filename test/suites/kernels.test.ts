// The three kernel variants (AssemblyScript SIMD, AssemblyScript scalar, JS reference) against each other.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { configureKernels, kernelStatus, sumRows } from '../../src/index.js';
import type { Kernels } from '../../src/kernels/kernels.js';
import { loadKernels } from '../../src/kernels/load-kernels.js';
import { assert, assertClose, disposeAll, expectRight } from '../support/harness.js';
import { seededRandom } from '../../src/core/random.js';

/** Seeded uniforms in [0, 1) (the library's own generator), so every run draws the same data. */
const random = (seed: number): (() => number) => seededRandom(seed);

/** Float32 data over six orders of magnitude, both signs. */
function floats(n: number, seed: number): Float32Array {
  const r = random(seed);
  return Float32Array.from({ length: n }, () => (r() - 0.5) * 10 ** (r() * 6 - 3));
}

const variants: Kernels[] = [];
const s = suite('kernels: SIMD, scalar and JS reference agree');
s.before(async () => {
  variants.push(await loadKernels('simd'), await loadKernels('scalar'), await loadKernels('js'));
});

/** Within 1e-6 relative to the magnitude of the terms (sum of |x|), which bounds any order of f64 summation. */
function agree(rows: number, cols: number, data: Float32Array | Int32Array, label: string): void {
  const [simd, scalar, js] = variants.map((k) => k.rowSums(data, rows, cols)) as [Float64Array, Float64Array, Float64Array];
  for (let r = 0; r < rows; r++) {
    let scale = 0;
    for (let c = 0; c < cols; c++) scale += Math.abs(data[r * cols + c] as number);
    const tol = { atol: 1e-6 * Math.max(scale, 1e-30), rtol: 0 };
    assertClose([simd[r] as number], [js[r] as number], tol, `${label} simd row ${r}`);
    assertClose([scalar[r] as number], [js[r] as number], tol, `${label} scalar row ${r}`);
  }
}

s('agree on row lengths with tails (not multiples of 4), including empty rows', () => {
  for (const cols of [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 31, 32, 33, 64, 96, 1023, 4097]) {
    for (const rows of [1, 3, 8]) agree(rows, cols, floats(rows * cols, rows * 1000 + cols), `[${rows},${cols}]`);
  }
});
s('agree on rows of 1e6 elements', () => {
  agree(3, 1_000_000, floats(3_000_000, 42), '[3,1e6]');
});
s('sum int32 rows exactly, past the int32 range', () => {
  const big = Int32Array.from({ length: 2 * 1001 }, (_, i) => (i % 2 ? 2_000_000_000 : -7) + (i % 5));
  const [simd, scalar, js] = variants.map((k) => k.rowSums(big, 2, 1001)) as Float64Array[];
  let exact = 0;
  for (let i = 0; i < 1001; i++) exact += big[i] as number;
  assert(js![0] === exact && simd![0] === exact && scalar![0] === exact, `exact int sums, got ${simd![0]} ${scalar![0]} ${js![0]} vs ${exact}`);
});
s('propagate NaN and Infinity like plain JS summation', () => {
  const rows = [
    [1, Number.NaN, 2, 3, 4],
    [1, Number.POSITIVE_INFINITY, 2, 3, 4],
    [Number.NEGATIVE_INFINITY, 1, 2, 3, 4, 5, 6],
    [Number.POSITIVE_INFINITY, 1, 2, 3, 4, Number.NEGATIVE_INFINITY, 6],
    [3.4e38, 3.4e38, 3.4e38, 3.4e38, 3.4e38], // large float32 values overflow f32 but not f64
  ];
  // The same specials inside long rows, in each of the eight streams the SIMD kernel reads and in the tail.
  const long = (at: number, v: number): number[] => Array.from({ length: 1003 }, (_, i) => (i === at ? v : (i % 7) - 3));
  for (const at of [0, 130, 250, 371, 499, 620, 747, 868, 995, 1002]) rows.push(long(at, Number.NaN), long(at, Number.POSITIVE_INFINITY));
  for (const row of rows) {
    const data = Float32Array.from(row);
    const plain = Array.from(data).reduce((a, b) => a + b, 0);
    for (const k of variants) {
      const [got] = k.rowSums(data, 1, data.length);
      assert(Object.is(got, plain) || (Number.isNaN(got) && Number.isNaN(plain)), `${k.variant}: [${row.join(',')}] summed to ${got}, plain JS gives ${plain}`);
    }
  }
});
s('agree on addInto and the delta reduction for odd lengths', () => {
  const r = random(9);
  for (const n of [0, 1, 2, 3, 17]) {
    const make = () => Float64Array.from({ length: n }, () => (r() - 0.5) * 1e4);
    const [attr, end, start, extra] = [make(), make(), make(), make()];
    const results = variants.map((k) => {
      const total = attr.slice();
      k.addInto(total, extra);
      return [...total, ...k.convergenceDelta(total, end, start)];
    });
    for (const got of results.slice(1)) assertClose(got, results[0] as number[], { atol: 1e-9, rtol: 1e-12 }, `n=${n}`);
  }
});
s('pick SIMD where the runtime validates it, and accept a compiled module or a forced variant', async () => {
  assert((await kernelStatus()).variant === 'simd', 'Node 20 runs the SIMD kernels');
  const bytes = readFileSync(new URL('../../src/wasm/attribution-kernels.scalar.wasm', import.meta.url));
  const status = expectRight(await configureKernels({ variant: 'scalar', scalar: await WebAssembly.compile(bytes) }));
  assert(status.variant === 'scalar', `scalar chosen, got ${status.variant}`);
  const x = tf.tensor2d([[1, 2, 3, 4, 5]]);
  const r = expectRight(await sumRows(x));
  assertClose(await r.total.data(), [15], { atol: 0, rtol: 0 });
  const js = expectRight(await configureKernels({ variant: 'js' }));
  assert(js.variant === 'js', 'JS reference on request');
  const broken = expectRight(await configureKernels({ simd: new Uint8Array([0, 1, 2]), scalar: new Uint8Array([3]) }));
  assert(broken.variant === 'js' && (broken.reason ?? '').includes('simd'), `falls back to JS with a reason, got ${JSON.stringify(broken)}`);
  assert(expectRight(await configureKernels()).variant === 'simd', 'back to the default');
  disposeAll(r, x);
});
s.run();
