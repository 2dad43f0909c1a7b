// One benchmark process: one tfjs backend (tfjs backends are global state), one part of the bench.
//   node build/bench/worker.js <cpu|wasm|webgpu> <models|sumrows|ops> <inputs.json|-> <reps> <warmup>
// Prints one line `@@RESULT {json}`. Times are tinybench medians (p50) of `reps` calls after `warmup`
// calls, each call through the public API with its results read back (tfjs may return before it has
// computed). Run by bench/run.ts, which alternates these processes with the PyTorch peer.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { Bench } from 'tinybench';
import { type BackendName, configureKernels, convergenceDelta, initBackend, integratedGradients, message, saliency, sumRows } from '../src/index.js';
import { buildModel, modelSpecs } from './models.js';

const [backend, part, inputsPath, repsArg, warmupArg] = process.argv.slice(2) as [BackendName, string, string, string, string];
const reps = Number(repsArg);
const warmup = Number(warmupArg);

if (backend === 'webgpu') {
  const { installNodeWebGpu } = await import('../test/support/backend.js');
  await installNodeWebGpu();
}
const started = await initBackend({ force: backend });
if (started._tag === 'Left') {
  console.log(`@@RESULT ${JSON.stringify({ backend, part, skipped: message(started.left) })}`);
  process.exit(0);
}

if (part === 'probe') {
  console.log(`@@RESULT ${JSON.stringify({ backend, part, detail: started.right.detail, results: {} })}`);
  process.exit(0);
}

interface TensorJson {
  shape: number[];
  data: number[];
  dtype?: string;
}
interface Inputs {
  models: Record<string, Record<'x64' | 'x16' | 't64' | 't16' | 'attr64', TensorJson>>;
}

/** The peer's inputs (torch_peer.py --dump-inputs), or seeded stand-ins of the same shapes when there is no peer. */
function loadInputs(): Inputs {
  if (inputsPath !== '-') return JSON.parse(readFileSync(inputsPath, 'utf8')) as Inputs;
  let seed = 7;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const make = (shape: number[], f: () => number, dtype?: string): TensorJson => ({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f), ...(dtype ? { dtype } : {}) });
  const models: Inputs['models'] = {};
  for (const [name, shape] of [['bench_mlp', [784]], ['bench_cnn', [28, 28, 1]]] as const) {
    models[name] = {
      x64: make([64, ...shape], rand),
      x16: make([16, ...shape], rand),
      t64: make([64], () => Math.floor(rand() * 10), 'int64'),
      t16: make([16], () => Math.floor(rand() * 10), 'int64'),
      attr64: make([64, ...shape], () => rand() * 2 - 1),
    };
  }
  return { models };
}

const tensorOf = (t: TensorJson): tf.Tensor => (t.dtype === 'int64' ? tf.tensor(t.data, t.shape, 'int32') : tf.tensor(t.data, t.shape, 'float32'));
const right = <A>(r: { _tag: string; right?: A; left?: unknown }): A => {
  if (r._tag !== 'Right') throw new Error(JSON.stringify(r.left));
  return r.right as A;
};
/** Reads every tensor back and disposes it. */
async function consume(...ts: tf.Tensor[]): Promise<void> {
  await Promise.all(ts.map((t) => t.data()));
  tf.dispose(ts);
}

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
interface Timing {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  samples: number;
}
interface Measured extends Timing {
  /** tfjs's peak bytes during one call (tf.profile) above what was allocated before it, MB. */
  tf_peak_mb?: number;
  /** The process's resident-set high-water mark after the workload, MB. */
  max_rss_mb?: number;
}

/** tinybench medians (p50) of each task: `reps` timed calls after `warmup` calls. */
async function timeAll(tasks: [string, () => Promise<void>][], iterations = reps, warmups = warmup): Promise<Record<string, Timing>> {
  const bench = new Bench({ iterations, time: 0, warmupIterations: warmups, warmupTime: 0, throws: true });
  for (const [name, fn] of tasks) bench.add(name, fn);
  await bench.run();
  const out: Record<string, Timing> = {};
  for (const task of bench.tasks) {
    const r = task.result as { latency?: { p50?: number; min: number; max: number; samplesCount?: number; samples?: number[] } } | undefined;
    const lat = r?.latency;
    if (lat === undefined) throw new Error(`${task.name}: no result`);
    out[task.name] = { median_ms: lat.p50 as number, min_ms: lat.min, max_ms: lat.max, samples: lat.samplesCount ?? reps };
  }
  return out;
}

/** The label of the plain-tf-ops twin of a workload. */
const PLAIN = '(plain tf ops)';

/**
 * Captum's convergence delta with plain tf ops, what a user would write without the library:
 * sum(attributions[i]) - (F(x)[i, t_i] - F(0)[i, t_i]), two forward passes, the target picked by a one-hot mask.
 */
function plainDelta(forward: (x: tf.Tensor) => tf.Tensor, attributions: tf.Tensor, x: tf.Tensor, target: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const n = x.shape[0] as number;
    const pick = (out: tf.Tensor): tf.Tensor => tf.sum(tf.mul(out, tf.oneHot(target as tf.Tensor1D, out.shape[1] as number)), 1);
    const start = pick(forward(tf.zerosLike(x)));
    const end = pick(forward(x));
    return tf.sub(tf.sum(tf.reshape(attributions, [n, -1]), 1), tf.sub(end, start));
  });
}

/**
 * Two tasks compared with each other (the library and the same work in plain tf ops): short tinybench
 * runs of both, alternating which goes first, so that a slow spell of a shared machine falls on both;
 * each task's figure is the median of its per-run medians.
 */
async function pairedTimes(pairs: [string, () => Promise<void>][][], runs = 9): Promise<Record<string, Timing>> {
  const out: Record<string, Timing> = {};
  for (const pair of pairs) {
    const medians = new Map<string, number[]>(pair.map(([name]) => [name, []]));
    for (let run = 0; run < runs; run++) {
      const times = await timeAll(run % 2 === 0 ? pair : [...pair].reverse(), Math.max(3, Math.floor(reps / 2)), 1);
      for (const [name, t] of Object.entries(times)) medians.get(name)?.push(t.median_ms);
    }
    for (const [name, ms] of medians) {
      const sorted = [...ms].sort((a, b) => a - b);
      out[name] = { median_ms: sorted[Math.floor(sorted.length / 2)] as number, min_ms: sorted[0] as number, max_ms: sorted[sorted.length - 1] as number, samples: ms.length };
    }
  }
  return out;
}

async function models(): Promise<Record<string, Measured>> {
  const inputs = loadInputs();
  const specs = modelSpecs();
  const tasks: [string, () => Promise<void>][] = [];
  const pairs: [string, () => Promise<void>][][] = [];
  const cleanup: (() => void)[] = [];
  for (const name of ['bench_mlp', 'bench_cnn']) {
    const model = buildModel(specs[name]!);
    const data = inputs.models[name]!;
    const [x64, x16, t64, t16, attr64] = (['x64', 'x16', 't64', 't16', 'attr64'] as const).map((k) => tensorOf(data[k])) as tf.Tensor[];
    cleanup.push(() => {
      model.dispose();
      tf.dispose([x64!, x16!, t64!, t16!, attr64!]);
    });
    tasks.push([`${name}/saliency_b64`, async () => consume(right<tf.Tensor>(await saliency(model.forward, x64!, { target: t64! })))]);
    tasks.push([
      `${name}/ig_n50_b16_delta`,
      async () => {
        const r = right<{ attributions: tf.Tensor; delta: tf.Tensor }>(await integratedGradients(model.forward, x16!, { target: t16!, nSteps: 50, returnConvergenceDelta: true }));
        await consume(r.attributions, r.delta);
      },
    ]);
    const delta = async (): Promise<void> => consume(right<tf.Tensor>(await convergenceDelta(model.forward, { attributions: attr64!, endPoint: x64!, target: t64! })));
    tasks.push([`${name}/convergence_delta_b64`, delta]);
    // The same delta written with plain tf ops (criterion: convergenceDelta is never slower than this).
    pairs.push([
      [`${name}/convergence_delta_b64 (paired)`, delta],
      [`${name}/convergence_delta_b64 ${PLAIN}`, async () => consume(plainDelta(model.forward, attr64!, x64!, t64!))],
    ]);
  }
  const big = sumRowsInput([64, 1_000_000]);
  tasks.push(['sum_rows_64x1e6', async () => {
    const r = right<{ total: tf.Tensor1D; rowSums: tf.Tensor1D | tf.Tensor1D[] }>(await sumRows(big));
    await consume(r.total, ...[r.rowSums].flat());
  }]);
  const times = await timeAll(tasks);
  const out: Record<string, Measured> = { ...times, ...(await pairedTimes(pairs)) };
  // Peak memory on the fast backends only (tfjs-backend-cpu would repeat its slowest calls once more).
  for (const [name, fn] of backend === 'cpu' ? [] : tasks) {
    const resident = tf.memory().numBytes; // the models, their inputs and the sum_rows tensor
    const profile = await tf.profile(fn);
    out[name] = { ...(times[name] as Timing), tf_peak_mb: mb(profile.peakBytes - resident), max_rss_mb: mb(process.resourceUsage().maxRSS * 1024) };
  }
  big.dispose();
  for (const c of cleanup) c();
  return out;
}

/** The peer's sum_rows tensor: v[i] = ((i * 40503) % 65536) / 65536 - 0.5, exact in float32. */
function sumRowsInput(shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = ((i * 40503) % 65536) / 65536 - 0.5;
  return tf.tensor(v, shape);
}

/** sumRows variants, tf.sum and a plain copy of the same bytes, on three shapes. */
async function sumRowsVariants(): Promise<Record<string, Timing & { gb_per_s: number; max_rel_err?: number }>> {
  const shapes: [string, number[]][] = [
    ['64x1e6', [64, 1_000_000]],
    ['4096x256', [4096, 256]],
    ['16x224x224x3', [16, 224, 224, 3]],
  ];
  const variants: [string, Parameters<typeof configureKernels>[0] | 'tf.sum'][] =
    backend === 'wasm'
      ? [
          ['zero-copy SIMD', {}],
          ['SIMD with copy', { inPlace: false }],
          ['scalar (zero-copy)', { variant: 'scalar' }],
          ['JS reference (zero-copy)', { variant: 'js' }],
          ['tf.sum(x, 1)', 'tf.sum'],
        ]
      : [
          ['SIMD (one copy)', {}],
          ['scalar (one copy)', { variant: 'scalar' }],
          ['JS reference', { variant: 'js' }],
          ['tf.sum(x, 1)', 'tf.sum'],
        ];
  const out: Record<string, Timing & { gb_per_s: number; max_rel_err?: number }> = {};
  for (const [label, shape] of shapes) {
    const x = sumRowsInput(shape);
    const rows = shape[0] as number;
    const cols = x.size / rows;
    const values = (await x.data()) as Float32Array;
    const exact = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += values[r * cols + c] as number;
      exact[r] = s;
    }
    // The memory-bandwidth baseline: a plain copy of the same bytes between two resident buffers.
    const from = Float32Array.from(values);
    const to = new Float32Array(values.length);
    to.set(from);
    const tasks: [string, () => Promise<void>][] = [[`${label} | memory copy (TypedArray.set)`, async () => to.set(from)]];
    for (const [name, v] of variants) {
      tasks.push([
        `${label} | ${name}`,
        async () => {
          if (v === 'tf.sum') return consume(tf.sum(tf.reshape(x, [rows, cols]), 1));
          const r = right<{ total: tf.Tensor1D; rowSums: tf.Tensor1D | tf.Tensor1D[] }>(await sumRows(x));
          await consume(r.total, ...[r.rowSums].flat());
        },
      ]);
    }
    // Each variant is configured just before its own task (tinybench runs the tasks in order).
    const bench = new Bench({ iterations: reps, time: 0, warmupIterations: warmup, warmupTime: 0, throws: true });
    for (const [name, fn] of tasks) {
      const variant = variants.find(([n]) => name.endsWith(`| ${n}`))?.[1];
      bench.add(name, fn, {
        beforeAll: async () => {
          if (variant !== undefined && variant !== 'tf.sum') right(await configureKernels(variant));
        },
      });
    }
    await bench.run();
    for (const task of bench.tasks) {
      const lat = (task.result as { latency: { p50: number; min: number; max: number } }).latency;
      out[task.name] = { median_ms: lat.p50, min_ms: lat.min, max_ms: lat.max, samples: reps, gb_per_s: Math.round((x.size * 4) / (lat.p50 * 1e6) * 100) / 100 };
    }
    // Accuracy of each variant against the f64 sums (float32 results).
    for (const [name, v] of variants) {
      if (v !== 'tf.sum') right(await configureKernels(v));
      const sums: tf.Tensor[] = v === 'tf.sum' ? [tf.sum(tf.reshape(x, [rows, cols]), 1)] : ((r) => [r.total, ...[r.rowSums].flat()])(right<{ total: tf.Tensor1D; rowSums: tf.Tensor1D | tf.Tensor1D[] }>(await sumRows(x)));
      const got = await (sums[0] as tf.Tensor).data();
      tf.dispose(sums);
      let err = 0;
      for (let r = 0; r < rows; r++) err = Math.max(err, Math.abs((got[r] as number) - (exact[r] as number)) / Math.max(Math.abs(exact[r] as number), 1e-30));
      (out[`${label} | ${name}`] as { max_rel_err?: number }).max_rel_err = err;
    }
    right(await configureKernels());
    x.dispose();
  }
  return out;
}

/**
 * The compute ceiling on this side: the bench models' largest products alone through tfjs (the same
 * shapes as bench/peer_ops.py), and the peak of WebAssembly SIMD itself (build/bench/peak-simd.wasm,
 * from assembly/bench/peak-simd.ts: independent f32x4 multiply-add chains, no memory traffic).
 */
async function ops(): Promise<Record<string, Timing & { gflops: number }>> {
  const x = tf.randomUniform([64, 784]);
  const w = tf.randomUniform([784, 256]);
  const h = tf.randomUniform([64, 13, 13, 16]);
  const k = tf.randomUniform([3, 3, 16, 32]);
  const dy = tf.randomUniform([64, 11, 11, 32]);
  const convFlops = 2 * 64 * 11 * 11 * 32 * 144;
  const products: [string, number, () => Promise<void>][] = [
    ['matmul 64x784 @ 784x256', 2 * 64 * 784 * 256, async () => consume(tf.matMul(x, w))],
    ['conv2d 64x13x13x16 * 3x3x16x32', convFlops, async () => consume(tf.conv2d(h as tf.Tensor4D, k as tf.Tensor4D, 1, 'valid'))],
    ['conv2d input gradient, same shapes', convFlops, async () => consume(tf.conv2dTranspose(dy as tf.Tensor4D, k as tf.Tensor4D, [64, 13, 13, 16], 1, 'valid'))],
  ];
  if (backend === 'wasm') {
    const bytes = readFileSync(new URL('./peak-simd.wasm', import.meta.url));
    const { instance } = await WebAssembly.instantiate(bytes, { env: { abort: () => undefined } });
    const multiplyAdds = instance.exports['multiplyAdds'] as (n: number) => number;
    const rounds = 2_000_000;
    products.push(['WebAssembly SIMD peak (f32x4 multiply + add)', rounds * 96, async () => void multiplyAdds(rounds)]);
  }
  const times = await timeAll(products.map(([name, , fn]) => [name, fn]));
  tf.dispose([x, w, h, k, dy]);
  const gflops = (flops: number, t: Timing): number => Math.round((flops / (t.median_ms * 1e6)) * 10) / 10;
  return Object.fromEntries(products.map(([name, flops]) => [name, { ...(times[name] as Timing), gflops: gflops(flops, times[name] as Timing) }]));
}

const result = part === 'models' ? await models() : part === 'ops' ? await ops() : await sumRowsVariants();
console.log(`@@RESULT ${JSON.stringify({ backend, part, detail: started.right.detail, tf_memory: tf.memory(), results: result })}`);
process.exit(0);
