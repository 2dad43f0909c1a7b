// Row sums where the data lives: in place on wasm (the kernel module imports tfjs-backend-wasm's
// memory), pairwise on the GPU on webgpu, bounded copies elsewhere. Agreement with the f64
// reference on every path, no read-back on wasm, no retained memory, and concurrency with heap growth.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { configureKernels, convergenceDelta, sumRows } from '../../src/index.js';
import { GPU_BLOCK, pairwiseRowSums } from '../../src/kernels/gpu-row-sums.js';
import { rowSumsReference } from '../../src/kernels/reference.js';
import { assert, assertClose, backendName, disposeAll, expectRight } from '../support/harness.js';
import { seededRandom } from '../../src/core/random.js';

/** Seeded uniforms in [0, 1) (the library's own generator), so every run draws the same data. */
const random = (seed: number): (() => number) => seededRandom(seed);
const floats = (n: number, seed: number): Float32Array => {
  const r = random(seed);
  return Float32Array.from({ length: n }, () => (r() - 0.5) * 10 ** (r() * 6 - 3));
};

/** Within `rel` of the magnitude of the terms (sum of |x| per row), which bounds any f64 summation order. */
function agree(got: ArrayLike<number>, data: Float32Array, rows: number, cols: number, rel: number, label: string): void {
  const want = rowSumsReference(data, rows, cols);
  for (let r = 0; r < rows; r++) {
    let scale = 0;
    for (let c = 0; c < cols; c++) scale += Math.abs(data[r * cols + c] as number);
    assertClose([got[r] as number], [want[r] as number], { atol: rel * Math.max(scale, 1e-30), rtol: 0 }, `${label} row ${r}`);
  }
}

/** float32 sums (the public API rounds the f64 sums to float32): the reference rounded likewise. */
const F32 = 1e-6;

/** Sections of a wasm binary, by id. */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++] as number;
    let size = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++] as number;
      size |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    ids.push(id);
    at += size;
  }
  return ids;
}

const s = suite(`in-place and GPU reductions (${backendName})`);

s('the in-place binaries import env.memory and nothing else, and write nothing of their own into it', () => {
  for (const variant of ['simd', 'scalar']) {
    const bytes = readFileSync(new URL(`../../src/wasm/attribution-kernels-inplace.${variant}.wasm`, import.meta.url));
    const module = new WebAssembly.Module(bytes);
    const imports = WebAssembly.Module.imports(module);
    assert(imports.length === 1 && imports[0]?.module === 'env' && imports[0].name === 'memory' && imports[0].kind === 'memory', `${variant}: imports ${JSON.stringify(imports)}`);
    assert(WebAssembly.Module.exports(module).every((e) => e.kind === 'function'), `${variant}: exports functions only`);
    const ids = sectionIds(new Uint8Array(bytes));
    // 6 globals, 8 start, 11 data, 12 data count: none may be present.
    assert(!ids.some((id) => [6, 8, 11, 12].includes(id)), `${variant}: sections ${ids}`);
  }
});

s('sumRows agrees with the f64 reference on rows with tails, for every kernel variant, in place or copied', async () => {
  const shapes: [number, number][] = [[1, 1], [3, 3], [2, 15], [5, 16], [3, 17], [4, 33], [2, 1023], [1, 4097], [7, 300_001]];
  try {
    for (const options of [{}, { variant: 'scalar' as const }, { variant: 'js' as const }, { inPlace: false }]) {
      expectRight(await configureKernels(options));
      for (const [rows, cols] of shapes) {
        const data = floats(rows * cols, rows * 7919 + cols);
        const x = tf.tensor2d(data, [rows, cols]);
        const r = expectRight(await sumRows(x));
        agree(await r.total.data(), data, rows, cols, F32, `${JSON.stringify(options)} [${rows},${cols}]`);
        disposeAll(r, x);
      }
    }
  } finally {
    expectRight(await configureKernels());
  }
});

// In blocks of 2 on every backend; in blocks of GPU_BLOCK on webgpu only, where tfjs-backend-webgpu
// reduces such a block as a tree (elsewhere a block is added in sequence, which this bound does not cover).
for (const block of backendName === 'webgpu' ? [2, GPU_BLOCK] : [2]) {
  s(`the pairwise tf-op reduction (webgpu path, blocks of ${block}) agrees with the f64 reference to log2(cols) float32 roundings`, async () => {
    for (const [rows, cols] of [[1, 1], [3, 2], [2, 3], [4, 7], [2, 64], [2, 65], [3, 1000], [2, 4097], [2, 150_528], [1, 1_000_001]] as [number, number][]) {
      const data = floats(rows * cols, cols);
      const x = tf.tensor2d(data, [rows, cols]);
      const sums = pairwiseRowSums(x, block);
      agree(await sums.data(), data, rows, cols, (Math.ceil(Math.log2(cols)) + 1) * 2 ** -24, `pairwise in blocks of ${block} [${rows},${cols}]`);
      disposeAll(x, sums);
    }
  });
}

if (backendName === 'wasm') {
  s('on wasm, float32 tensors are summed where they are: nothing is read back', async () => {
    const backend = tf.backend() as unknown as { read: (...a: unknown[]) => unknown; readSync: (...a: unknown[]) => unknown };
    const [read, readSync] = [backend.read, backend.readSync];
    let reads = 0;
    backend.read = (...a) => (reads++, read.apply(backend, a));
    backend.readSync = (...a) => (reads++, readSync.apply(backend, a));
    const x = tf.randomNormal([8, 100_000], 0, 1, 'float32', 3);
    const attr = tf.randomNormal([8, 20], 0, 1, 'float32', 4);
    const end = tf.randomNormal([8, 20], 0, 1, 'float32', 5);
    try {
      const r = expectRight(await sumRows(x));
      const d = expectRight(await convergenceDelta((t: tf.Tensor) => tf.sum(t, 1), { attributions: attr, endPoint: end }));
      assert(reads === 0, `${reads} read-backs`);
      backend.read = read;
      backend.readSync = readSync;
      agree(await r.total.data(), (await x.data()) as Float32Array, 8, 100_000, F32, 'in place');
      disposeAll(r, d);
    } finally {
      backend.read = read;
      backend.readSync = readSync;
      disposeAll(x, attr, end);
    }
  });
}

/** Bytes by which any WebAssembly.Memory grows while `f` runs. */
async function growthDuring(f: () => Promise<void>): Promise<number> {
  const proto = WebAssembly.Memory.prototype;
  const grow = proto.grow;
  let pages = 0;
  proto.grow = function (this: WebAssembly.Memory, delta: number) {
    pages += delta;
    return grow.call(this, delta);
  };
  try {
    await f();
  } finally {
    proto.grow = grow;
  }
  return pages * 65536;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settledRss = async (): Promise<number> => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return process.memoryUsage().rss;
};

s('sumRows(tf.ones([1, 2**26])) grows no memory of its own, and process memory returns to its level', async () => {
  const big = async (): Promise<void> => {
    const x = tf.ones([1, 2 ** 26]);
    const r = expectRight(await sumRows(x));
    assertClose(await r.total.data(), [2 ** 26], { atol: 0, rtol: 0 });
    disposeAll(r, x);
  };
  for (const options of [{}, { inPlace: false }]) {
    expectRight(await configureKernels(options));
    await big(); // tfjs-backend-wasm's heap grows for the tensor itself once (tfjs never shrinks it)
    const before = await settledRss();
    const grown = await growthDuring(big);
    const after = await settledRss();
    // On wasm, growth of tfjs's own heap for the tensor is not ours; it was grown by the first call.
    assert(grown <= 4 * 2 ** 20, `${JSON.stringify(options)}: memories grew by ${(grown / 2 ** 20).toFixed(1)} MB`);
    assert(after - before < 16 * 2 ** 20, `${JSON.stringify(options)}: process memory ${((after - before) / 2 ** 20).toFixed(1)} MB above its level`);
  }
  expectRight(await configureKernels());
});

s('many large concurrent sumRows calls, with tensors allocated (and the heap grown) between them, equal the calls in turn', async () => {
  const xs = Array.from({ length: 12 }, (_, i) => tf.randomNormal([1 + (i % 4), 150_000 + i * 1000], 0, 1, 'float32', i));
  const inTurn: number[][] = [];
  for (const x of xs) {
    const r = expectRight(await sumRows(x));
    inTurn.push(Array.from(await r.total.data()));
    disposeAll(r);
  }
  const extra: tf.Tensor[] = [];
  const together = await Promise.all(
    xs.map(async (x, i) => {
      extra.push(tf.zeros([2 ** 20 * (1 + (i % 3))])); // up to 12 MB each: the wasm heap grows meanwhile
      await new Promise((r) => setTimeout(r, i % 3));
      const r = expectRight(await sumRows(x));
      extra.push(tf.zeros([2 ** 21]));
      const v = Array.from(await r.total.data());
      disposeAll(r);
      return v;
    }),
  );
  together.forEach((got, i) => assert(got.every((v, j) => Object.is(v, inTurn[i]![j])), `call ${i}: [${got}] concurrently, [${inTurn[i]}] in turn`));
  disposeAll(xs, extra);
});
s.run();
