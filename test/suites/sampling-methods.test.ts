// InputBaselineXGradient, GradientShap and NoiseTunnel against Captum's numbers (algorithms_stochastic.json)
// with Captum's recorded draws replayed, through forward functions and tf.LayersModels; then what the
// samplers promise (seeded reproducibility, batching that changes nothing given the same draws) and
// the checks of every option.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { suite } from 'uvu';
import {
  type AttributionMethod,
  gradientShap,
  inputBaselineXGradient,
  inputXGradient,
  integratedGradients,
  type Model,
  noiseTunnel,
  noiseTypes,
  type RecordedDraws,
  replaySampler,
  type Result,
  type Sampler,
  saliency,
  seededSampler,
} from '../../src/index.js';
import { loadCases, type ReferenceCase, type TensorJson } from '../support/fixtures.js';
import { assert, assertClose, recordAcrossBackends, disposeAll, expectLeft, expectRight, parityCases, withoutLeaks } from '../support/harness.js';
import { checkMethodCase, forwardModelFor, layersModelFor, type MethodCall, runsAsLayersModel } from '../support/method-cases.js';

// ---- Captum parity with the recorded draws -------------------------------------------------------

interface Draws {
  readonly alpha?: TensorJson;
  readonly noise?: TensorJson[];
  readonly baselineIdx?: (TensorJson | null)[] | { full: (TensorJson | null)[]; remainder: (TensorJson | null)[] | null };
  readonly partitions?: { samples: number; noise: TensorJson[] }[];
}
type StochasticCase = ReferenceCase & { readonly draws: Draws };

const data = (t: TensorJson | null): number[] | null => (t === null ? null : t.data);

/** Captum's recorded draws of a case, as a replay sampler (layout: reference README, "Stochastic methods"). */
function samplerOf(c: StochasticCase): Sampler {
  const d = c.draws;
  const draws: RecordedDraws =
    c.op === 'InputBaselineXGradient'
      ? { partitions: [{ alphas: d.alpha!.data }] }
      : c.op === 'GradientShap'
        ? { partitions: [{ noise: d.noise!.map((t) => t.data), alphas: d.alpha!.data }], baselineIndices: { full: (d.baselineIdx as (TensorJson | null)[]).map(data) } }
        : {
            partitions: d.partitions!.map((p) => ({ noise: p.noise.map((t) => t.data) })),
            ...(d.baselineIdx === undefined
              ? {}
              : (() => {
                  const b = d.baselineIdx as { full: (TensorJson | null)[]; remainder: (TensorJson | null)[] | null };
                  return { baselineIndices: { full: b.full.map(data), remainder: b.remainder === null ? null : b.remainder.map(data) } };
                })()),
          };
  return replaySampler(draws);
}

const WRAPPED: Readonly<Record<string, AttributionMethod<never>>> = {
  Saliency: saliency as never,
  InputXGradient: inputXGradient as never,
  IntegratedGradients: integratedGradients as never,
};

/** Captum's NoiseTunnel keywords in this library's names, and the wrapped method's constructor flags. */
function tunnelOptions(c: ReferenceCase, o: Record<string, unknown>): Record<string, unknown> {
  const { attributionMethod: _, ntSamples, ntSamplesBatchSize, ...rest } = o;
  const inner = (c.args['constructor'] as { attribution_method: { constructor: Record<string, unknown> } }).attribution_method.constructor;
  return {
    ...rest,
    ...(ntSamples === undefined ? {} : { nSamples: ntSamples }),
    ...(ntSamplesBatchSize === undefined ? {} : { nSamplesBatchSize: ntSamplesBatchSize }),
    ...(inner['multiply_by_inputs'] === undefined ? {} : { multiplyByInputs: inner['multiply_by_inputs'] }),
  };
}

function callFor(c: ReferenceCase): MethodCall {
  const sampler = samplerOf(c as StochasticCase);
  switch (c.op) {
    case 'InputBaselineXGradient':
      return (m, x, o) => inputBaselineXGradient(m, x, { ...o, sampler });
    case 'GradientShap':
      return (m, x, o) => gradientShap(m, x, { ...(o as { baselines: tf.Tensor }), sampler });
    default: {
      const op = (c.args['constructor'] as { attribution_method: { op: string } }).attribution_method.op;
      const tunnel = noiseTunnel(WRAPPED[op]!);
      return (m, x, o) => tunnel(m, x, { ...(tunnelOptions(c, o) as object), sampler } as never);
    }
  }
}

const cases = loadCases('algorithms_stochastic.json');
for (const op of ['InputBaselineXGradient', 'GradientShap', 'NoiseTunnel']) {
  const mine = cases.filter((c) => c.op === op);
  parityCases(op, mine, (c) => checkMethodCase(c, forwardModelFor(c), callFor(c)));
  parityCases(`${op}[LayersModel]`, mine.filter(runsAsLayersModel), (c) => checkMethodCase(c, layersModelFor(c.model as string)!, callFor(c)));
}

// ---- properties ------------------------------------------------------------------------------------

const s = suite('sampling methods');
const x = tf.tensor2d([[1, 2, -1], [3, -4, 0.5]]);
const w = tf.tensor2d([[1, 0], [2, -1], [0, 3]]);
const model: Model = (t: tf.Tensor) => tf.matMul(tf.tanh(t), w); // [N, 2]
const distribution = tf.tensor2d([[0, 0, 0], [0.5, -0.5, 1], [-1, 1, 0.25], [2, 0, -2]]);

const values = async (r: unknown): Promise<number[]> => {
  const v = r as { attributions?: tf.Tensor; delta?: tf.Tensor } | tf.Tensor;
  if (v instanceof tf.Tensor) return Array.from(await v.data());
  return [...(await v.attributions!.data()), ...(v.delta === undefined ? [] : await v.delta.data())];
};

type AnyCall = (seedOrSampler: { seed?: number; sampler?: Sampler; nSamplesBatchSize?: number; ntType?: string }) => Promise<Result<unknown>>;
const smoothSaliency = noiseTunnel(saliency);
const smoothIg = noiseTunnel(integratedGradients);
const CALLS: Readonly<Record<string, AnyCall>> = {
  'noiseTunnel(saliency)': (o) => smoothSaliency(model, x, { target: [1, 0], nSamples: 5, stdevs: 0.3, abs: false, ...o } as never),
  'noiseTunnel(integratedGradients)': (o) =>
    smoothIg(model, x, { target: 1, nSamples: 4, stdevs: 0.2, nSteps: 6, baselines: distribution, drawBaselineFromDistrib: true, returnConvergenceDelta: true, ...o } as never),
  gradientShap: (o) => gradientShap(model, x, { target: [0, 1], baselines: distribution, nSamples: 6, stdevs: 0.1, returnConvergenceDelta: true, ...o }),
  inputBaselineXGradient: (o) => inputBaselineXGradient(model, x, { target: 0, baselines: 0.5, returnConvergenceDelta: true, ...(o as { seed?: number; sampler?: Sampler }) }),
};

s('the same seed gives the same numbers, another seed other numbers, and no seed means seed 0', async () => {
  for (const [name, call] of Object.entries(CALLS)) {
    await withoutLeaks(name, async () => {
      const a = expectRight(await call({ seed: 11 }), name);
      const b = expectRight(await call({ seed: 11 }), name);
      const c = expectRight(await call({ seed: 12 }), name);
      const d = expectRight(await call({}), name);
      const e = expectRight(await call({ sampler: seededSampler(0) }), name);
      const [va, vb, vc, vd, ve] = await Promise.all([a, b, c, d, e].map(values));
      assert(va!.every((v, i) => v === vb![i]), `${name}: seed 11 twice differs`);
      assert(va!.some((v, i) => v !== vc![i]), `${name}: seeds 11 and 12 agree`);
      assert(vd!.every((v, i) => v === ve![i]), `${name}: no seed is not seed 0`);
      recordAcrossBackends(`${name} seed 11`, va!);
      disposeAll(a, b, c, d, e);
    });
  }
});

s('the seeded sampler: known draws, standard normal noise, uniform alphas, indices in range', () => {
  const sampler = seededSampler(2024);
  const noise = sampler.noise({ input: 0, partition: 0, firstSample: 0, samples: 500, examples: 4, shape: [5], stdev: 2 });
  const mean = Array.from(noise).reduce((a, b) => a + b, 0) / noise.length;
  const sd = Math.sqrt(Array.from(noise).reduce((a, b) => a + (b - mean) ** 2, 0) / noise.length);
  assert(noise.length === 10000 && Math.abs(mean) < 0.08 && Math.abs(sd - 2) < 0.08, `noise mean ${mean}, sd ${sd}`);
  const alphas = Array.from(sampler.alphas({ partition: 0, firstSample: 0, samples: 1000, examples: 2 }));
  assert(alphas.every((a) => a >= 0 && a <= 1) && Math.abs(alphas.reduce((a, b) => a + b, 0) / 2000 - 0.5) < 0.03, 'alphas uniform on [0, 1]');
  const idx = Array.from(sampler.baselineIndices({ input: 1, draw: 'full', count: 400, rows: 3 }));
  assert(idx.every((i) => Number.isInteger(i) && i >= 0 && i < 3) && new Set(idx).size === 3, 'indices cover [0, 3)');
  // counter-based: a partition's rows are the same rows of the whole draw
  const whole = sampler.noise({ input: 1, partition: 0, firstSample: 0, samples: 5, examples: 2, shape: [3], stdev: 1 });
  const part = sampler.noise({ input: 1, partition: 1, firstSample: 2, samples: 2, examples: 2, shape: [3], stdev: 1 });
  for (let i = 0; i < 2; i++) for (let s2 = 0; s2 < 2; s2++) for (let j = 0; j < 3; j++) {
    assert(part[(i * 2 + s2) * 3 + j] === whole[(i * 5 + 2 + s2) * 3 + j], 'partition rows are the whole draw\'s rows');
  }
  // pinned values: the same on every backend and runtime (plain JS doubles)
  const pinned = Array.from(seededSampler(1).alphas({ partition: 0, firstSample: 0, samples: 1, examples: 3 }), (v) => v.toFixed(6));
  const again = Array.from(seededSampler(1).alphas({ partition: 0, firstSample: 0, samples: 1, examples: 3 }), (v) => v.toFixed(6));
  assert(pinned.join() === again.join(), 'seededSampler(1) is stable');
});

s('nSamplesBatchSize: batched equals unbatched given the same draws, for every noise type', async () => {
  const tol = { atol: 1e-5, rtol: 1e-5 };
  for (const ntType of noiseTypes) {
    for (const [name, call] of Object.entries(CALLS).filter(([n]) => n.startsWith('noiseTunnel(saliency)'))) {
      const whole = expectRight(await call({ ntType, seed: 3 }));
      for (const nSamplesBatchSize of [1, 2, 3, 4, 5, 50]) {
        const part = expectRight(await call({ ntType, seed: 3, nSamplesBatchSize }));
        assertClose(await values(part), await values(whole), tol, `${name} ${ntType} b=${nSamplesBatchSize}`);
        disposeAll(part);
      }
      disposeAll(whole);
    }
  }
  // With a baseline distribution: Captum's full partitions share one draw of baseline rows, so batching
  // matches when the draw depends only on the example (row i·b + s takes a row chosen for example i).
  const perExample: Sampler = { ...seededSampler(5), baselineIndices: (r) => Int32Array.from({ length: r.count }, (_, j) => Math.floor(j / (r.count / 2)) + 1) };
  for (const ntType of noiseTypes) {
    const whole = expectRight(await smoothIg(model, x, { target: 1, ntType, nSamples: 5, stdevs: 0.2, nSteps: 4, baselines: distribution, drawBaselineFromDistrib: true, sampler: perExample }));
    for (const nSamplesBatchSize of [1, 2, 3]) {
      const part = expectRight(await smoothIg(model, x, { target: 1, ntType, nSamples: 5, nSamplesBatchSize, stdevs: 0.2, nSteps: 4, baselines: distribution, drawBaselineFromDistrib: true, sampler: perExample }));
      assertClose(await part.data(), await whole.data(), tol, `IG distribution ${ntType} b=${nSamplesBatchSize}`);
      disposeAll(part);
    }
    disposeAll(whole);
  }
});

s('partitions: one baseline draw for the full partitions, a fresh one for the remainder, deltas partition-major', async () => {
  const calls: string[] = [];
  const base = seededSampler(9);
  const logging: Sampler = {
    noise: (r) => (calls.push(`noise${r.input}:p${r.partition}`), base.noise(r)),
    alphas: (r) => (calls.push(`alphas:p${r.partition}`), base.alphas(r)),
    baselineIndices: (r) => (calls.push(`idx${r.input}:${r.draw}:${r.count}`), base.baselineIndices(r)),
  };
  const two = [x, tf.tensor2d([[0.5], [-0.5]])];
  const twoModel: Model = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(tf.tanh(tf.concat([a, b], 1)), tf.tensor2d([[1], [2], [0], [-1]]));
  const r = expectRight(await gradientShap(twoModel, two, { baselines: [distribution, 0.5], nSamples: 5, nSamplesBatchSize: 2, returnConvergenceDelta: true, sampler: logging }));
  assert(
    calls.join(' ') === 'idx0:full:4 noise0:p0 noise1:p0 alphas:p0 noise0:p1 noise1:p1 alphas:p1 noise0:p2 noise1:p2 idx0:remainder:2 alphas:p2',
    `call order ${calls.join(' ')}`,
  );
  assert(r.delta.shape[0] === 10 && Array.isArray(r.attributions) && r.attributions.length === 2, 'delta [N·S], attributions per input');
  disposeAll(r, two[1]);
  // IG deltas: partition-major, rows i·b + s inside each partition, the same rows as the unbatched call
  const whole = expectRight(await smoothIg(model, x, { target: 1, nSamples: 5, stdevs: 0.2, nSteps: 4, returnConvergenceDelta: true, seed: 4 }));
  const part = expectRight(await smoothIg(model, x, { target: 1, nSamples: 5, nSamplesBatchSize: 2, stdevs: 0.2, nSteps: 4, returnConvergenceDelta: true, seed: 4 }));
  const [dw, dp] = [await whole.delta.data(), await part.delta.data()];
  const order = [[0, 2], [2, 2], [4, 1]].flatMap(([first, b]) => [0, 1].flatMap((i) => Array.from({ length: b! }, (_, s2) => i * 5 + first! + s2)));
  assertClose(Array.from(dp), order.map((r2) => dw[r2]!), { atol: 1e-5, rtol: 1e-5 }, 'partition-major deltas');
  disposeAll(whole, part);
});

s('stdevs 0 reproduces the plain method (smoothgrad), its square (smoothgrad_sq) and zero variance (vargrad)', async () => {
  for (const [wrapped, options] of [
    [saliency, { target: [1, 0], abs: false }],
    [inputXGradient, { target: 1 }],
    [integratedGradients, { target: 0, nSteps: 5, baselines: 0.5 }],
  ] as const) {
    const plain = expectRight(await (wrapped as AttributionMethod<object>)(model, x, options));
    const p = Array.from(await plain.data());
    const tunnel = noiseTunnel(wrapped as AttributionMethod<object>);
    for (const ntType of noiseTypes) {
      const r = expectRight(await tunnel(model, x, { ...options, ntType, stdevs: 0, nSamples: 3, nSamplesBatchSize: 2 }));
      const expected = ntType === 'smoothgrad' ? p : ntType === 'smoothgrad_sq' ? p.map((v) => v * v) : p.map(() => 0);
      assertClose(await r.data(), expected, { atol: 1e-5, rtol: 1e-5 }, `${wrapped.descriptor.className} ${ntType}`);
      disposeAll(r);
    }
    disposeAll(plain);
  }
});

s('a per-example target list equals separate single-target calls, given each example\'s draws', async () => {
  const S = 3;
  const rng = seededSampler(77);
  const noise = rng.noise({ input: 0, partition: 0, firstSample: 0, samples: S, examples: 2, shape: [3], stdev: 0.3 });
  const alphas = rng.alphas({ partition: 0, firstSample: 0, samples: S, examples: 2 });
  const idx = Int32Array.from([3, 1, 0, 2, 2, 1]);
  const rows = (a: ArrayLike<number>, i: number, width: number) => Array.from(a).slice(i * S * width, (i + 1) * S * width);
  const both = (): Sampler => replaySampler({ partitions: [{ noise: [noise], alphas }], baselineIndices: { full: [idx] } });
  const one = (i: number): Sampler => replaySampler({ partitions: [{ noise: [rows(noise, i, 3)], alphas: rows(alphas, i, 1) }], baselineIndices: { full: [rows(idx, i, 1)] } });
  const targets = [1, 0];
  const methods: [string, (sampler: Sampler, xs: tf.Tensor, t: number | number[]) => Promise<Result<tf.Tensor>>][] = [
    ['noiseTunnel(saliency)', (sampler, xs, t) => smoothSaliency(model, xs, { target: t, nSamples: S, stdevs: 0.3, sampler })],
    ['noiseTunnel(integratedGradients)', (sampler, xs, t) => smoothIg(model, xs, { target: t, ntType: 'vargrad', nSamples: S, stdevs: 0.3, nSteps: 5, baselines: distribution, drawBaselineFromDistrib: true, sampler })],
    ['gradientShap', (sampler, xs, t) => gradientShap(model, xs, { target: t, nSamples: S, baselines: distribution, sampler })],
  ];
  for (const [name, call] of methods) {
    await withoutLeaks(name, async () => {
      const all = expectRight(await call(both(), x, targets), name);
      const batch = (await all.array()) as number[][];
      for (const [i, t] of targets.entries()) {
        const xi = tf.slice(x, [i, 0], [1, -1]);
        const single = expectRight(await call(one(i), xi, t), `${name} example ${i}`);
        assertClose(batch[i]!, ((await single.array()) as number[][])[0]!, { atol: 1e-6, rtol: 1e-5 }, `${name} example ${i}`);
        disposeAll(single, xi);
      }
      disposeAll(all);
    });
  }
});

s('vargrad is a variance: never below -1e-6 (rounding), for any inputs, seeds and batch sizes', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.float({ min: -3, max: 3, noNaN: true }), { minLength: 6, maxLength: 6 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 4 }),
      async (flat, seed, nSamples, nSamplesBatchSize) => {
        const xs = tf.tensor2d(flat, [2, 3]);
        const r = expectRight(await smoothSaliency(model, xs, { target: 0, ntType: 'vargrad', nSamples, nSamplesBatchSize, stdevs: 0.5, seed }));
        const v = await r.data();
        disposeAll(r, xs);
        return Array.from(v).every((a) => a >= -1e-6);
      },
    ),
    { numRuns: 25, seed: 42 },
  );
});

s('noiseTunnel wraps any method of the convention, a user-written one included, and carries its descriptor', async () => {
  const doubled = Object.assign(
    async (m: Model, inputs: tf.Tensor, options?: { target?: number }) => {
      const g = await saliency(m, inputs, { target: options?.target, abs: false });
      return g._tag === 'Left' ? g : { ...g, right: tf.tidy(() => { const d = tf.mul(g.right, 2); g.right.dispose(); return d; }) };
    },
    { descriptor: saliency.descriptor },
  ) as unknown as AttributionMethod<{ target?: number }>;
  await withoutLeaks('user method', async () => {
    const mine = expectRight(await noiseTunnel(doubled)(model, x, { target: 1, seed: 1, stdevs: 0.2 }));
    const theirs = expectRight(await smoothSaliency(model, x, { target: 1, seed: 1, stdevs: 0.2, abs: false }));
    assertClose(await mine.data(), Array.from(await theirs.data(), (v) => 2 * v), { atol: 1e-6, rtol: 1e-5 }, 'user method');
    disposeAll(mine, theirs);
  });
  assert(smoothIg.descriptor.className === 'NoiseTunnel' && smoothIg.descriptor.hasConvergenceDelta && smoothIg.descriptor.multipliesByInputs, 'NT(IG) flags');
  assert(!smoothSaliency.descriptor.hasConvergenceDelta && !smoothSaliency.descriptor.multipliesByInputs, 'NT(saliency) flags');
  assert(gradientShap.descriptor.name === 'Gradient Shap' && inputBaselineXGradient.descriptor.hasConvergenceDelta, 'descriptors');
});

s('progress per partition, and an aborted signal stops the tunnel with a Left, keeping nothing', async () => {
  const seen: string[] = [];
  await withoutLeaks('progress', async () => {
    disposeAll(expectRight(await smoothSaliency(model, x, { target: 0, nSamples: 5, nSamplesBatchSize: 2, onProgress: (p) => seen.push(`${p.done}/${p.total}`) })));
  });
  assert(seen.join(' ') === '2/5 4/5 5/5', `progress ${seen.join(' ')}`);
  const controller = new AbortController();
  await withoutLeaks('abort', async () => {
    const r = await smoothIg(model, x, { target: 0, nSamples: 6, nSamplesBatchSize: 1, returnConvergenceDelta: true, signal: controller.signal, onProgress: (p) => p.done >= 2 && controller.abort() });
    expectLeft(r, ['Aborted']);
  });
});

s('invalid options are Lefts naming the argument, and nothing leaks', async () => {
  const two = [x, tf.tensor2d([[0.5], [-0.5]])];
  const wrongRows = tf.zeros([4, 2]);
  const wrongBatch = tf.zeros([3, 3]);
  const twoModel: Model = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.concat([a, b], 1), 1, true);
  const throwing: Sampler = { ...seededSampler(0), noise: () => { throw new Error('no noise today'); } };
  const short: Sampler = { ...seededSampler(0), alphas: () => [0.5] };
  const nan: Sampler = { ...seededSampler(0), noise: (r) => new Float32Array(r.examples * r.samples * 3).fill(NaN) };
  const outOfRange: Sampler = { ...seededSampler(0), baselineIndices: (r) => new Int32Array(r.count).fill(4) };
  const checks: [string, () => Promise<Result<unknown>>, string, string][] = [
    ['bad ntType', () => smoothSaliency(model, x, { target: 0, ntType: 'smooth' as never }), 'InvalidArgument', 'options.ntType'],
    ['nSamples 0 (Captum: ZeroDivisionError)', () => smoothSaliency(model, x, { target: 0, nSamples: 0 }), 'InvalidArgument', 'options.nSamples'],
    ['nSamplesBatchSize 0', () => smoothSaliency(model, x, { target: 0, nSamplesBatchSize: 0 }), 'InvalidArgument', 'options.nSamplesBatchSize'],
    ['nSamples 2.5', () => smoothSaliency(model, x, { target: 0, nSamples: 2.5 }), 'InvalidArgument', 'options.nSamples'],
    ['negative stdev', () => smoothSaliency(model, x, { target: 0, stdevs: -1 }), 'InvalidArgument', 'options.stdevs'],
    ['stdev NaN in a list', () => smoothSaliency(twoModel, two, { stdevs: [0.1, NaN] }), 'InvalidArgument', 'options.stdevs[1]'],
    ['stdevs count', () => smoothSaliency(twoModel, two, { stdevs: [0.1] }), 'InvalidArgument', 'options.stdevs'],
    ['stdevs string', () => smoothSaliency(model, x, { target: 0, stdevs: '0.1' as never }), 'InvalidArgument', 'options.stdevs'],
    ['seed 1.5', () => smoothSaliency(model, x, { target: 0, seed: 1.5 }), 'InvalidArgument', 'options.seed'],
    ['seed and sampler', () => gradientShap(model, x, { target: 0, baselines: distribution, seed: 1, sampler: seededSampler(1) }), 'InvalidArgument', 'options.seed'],
    ['sampler {}', () => smoothSaliency(model, x, { target: 0, sampler: {} as never }), 'InvalidArgument', 'options.sampler'],
    ['sampler that throws', () => smoothSaliency(model, x, { target: 0, sampler: throwing }), 'InvalidArgument', 'options.sampler'],
    ['sampler with too few alphas', () => inputBaselineXGradient(model, x, { target: 0, sampler: short }), 'InvalidArgument', 'options.sampler'],
    ['sampler with NaN noise', () => smoothSaliency(model, x, { target: 0, sampler: nan }), 'InvalidArgument', 'options.sampler'],
    ['baseline index out of range', () => gradientShap(model, x, { target: 0, baselines: distribution, sampler: outOfRange }), 'InvalidArgument', 'options.sampler'],
    ['replay without the partition', () => smoothSaliency(model, x, { target: 0, nSamplesBatchSize: 2, sampler: replaySampler({ partitions: [] }) }), 'InvalidArgument', 'options.sampler'],
    ['delta of a method without one', () => smoothSaliency(model, x, { target: 0, returnConvergenceDelta: true } as never), 'InvalidArgument', 'options.returnConvergenceDelta'],
    ['an option the wrapped method does not take', () => smoothSaliency(model, x, { target: 0, nSteps: 5 } as never), 'InvalidArgument', 'options.nSteps'],
    ['distribution rows of another shape', () => smoothIg(model, x, { target: 0, baselines: wrongRows, drawBaselineFromDistrib: true }), 'BaselineShapeInvalid', 'options.baselines'],
    ['baseline of neither shape', () => smoothIg(model, x, { target: 0, baselines: wrongBatch }), 'BaselineShapeInvalid', 'options.baselines'],
    ['baseline count', () => smoothIg(twoModel, two, { baselines: [0] }), 'BaselineCountMismatch', 'options.baselines'],
    ['gradientShap without baselines', () => gradientShap(model, x, { target: 0 } as never), 'InvalidArgument', 'options.baselines'],
    ['gradientShap with a number first', () => gradientShap(twoModel, two, { baselines: [0, distribution] }), 'BaselineTypeInvalid', 'options.baselines[0]'],
    ['gradientShap nSamples -1', () => gradientShap(model, x, { target: 0, baselines: distribution, nSamples: -1 }), 'InvalidArgument', 'options.nSamples'],
    ['target count', () => smoothSaliency(model, x, { target: [0, 1, 1] }), 'TargetCountMismatch', 'options.target'],
    ['not a method', () => noiseTunnel(42 as never)(model, x), 'InvalidArgument', 'method'],
    ['a method without a descriptor', () => noiseTunnel((async () => undefined) as never)(model, x), 'InvalidArgument', 'method.descriptor'],
    ['options not an object', () => smoothSaliency(model, x, 'fast' as never), 'InvalidArgument', 'options'],
    ['inputBaselineXGradient bad baseline', () => inputBaselineXGradient(model, x, { baselines: wrongRows }), 'BaselineShapeInvalid', 'options.baselines'],
  ];
  for (const [what, call, tag, path] of checks) {
    await withoutLeaks(what, async () => {
      const errors = expectLeft(await call(), [tag as never], what);
      assert(errors.some((e) => e.path.startsWith(path)), `${what}: paths ${errors.map((e) => e.path).join(', ')}, expected ${path}`);
    });
  }
  disposeAll(two[1], wrongRows, wrongBatch);
});

s('hostile values in every argument and option settle as a Right or a Left naming it, and nothing leaks', async () => {
  const proxy = () => new Proxy({}, { get() { throw new Error('hostile property trap'); } });
  const hostiles: [string, () => unknown][] = [
    ['null', () => null], ['NaN', () => NaN], ['Infinity', () => Infinity], ['-1', () => -1], ['1.5', () => 1.5], ["'x'", () => 'x'],
    ['true', () => true], ['1n', () => 1n], ['a symbol', () => Symbol('h')], ['{}', () => ({})], ['a function', () => () => 1],
    ['[]', () => []], ['[[1,2],[3,4]]', () => [[1, 2], [3, 4]]], ['a Float32Array', () => new Float32Array(4)], ['a throwing proxy', proxy],
    ['a NaN tensor', () => tf.tensor2d([[NaN, 1, 2], [2, 3, 4]])], ['a scalar', () => tf.scalar(3)], ['an int32 tensor', () => tf.tensor2d([[1, 2, 3], [3, 4, 5]], undefined, 'int32')],
    ['ones([3,5])', () => tf.ones([3, 5])], ['a disposed tensor', () => { const t = tf.ones([2, 3]); t.dispose(); return t; }],
  ];
  const methods: [string, (m: unknown, inputs: unknown, options: unknown) => Promise<Result<unknown>>, Record<string, unknown>][] = [
    ['noiseTunnel(saliency)', (m, i, o) => smoothSaliency(m as Model, i as tf.Tensor, o as never), { target: 0, nSamples: 2 }],
    ['noiseTunnel(integratedGradients)', (m, i, o) => smoothIg(m as Model, i as tf.Tensor, o as never), { target: 0, nSamples: 2, nSteps: 3, baselines: 0, returnConvergenceDelta: true }],
    ['gradientShap', (m, i, o) => gradientShap(m as Model, i as tf.Tensor, o as never), { target: 0, nSamples: 2, baselines: distribution }],
    ['inputBaselineXGradient', (m, i, o) => inputBaselineXGradient(m as Model, i as tf.Tensor, o as never), { target: 0, baselines: 0.5 }],
  ];
  const extraKeys = ['ntType', 'nSamples', 'nSamplesBatchSize', 'stdevs', 'drawBaselineFromDistrib', 'seed', 'sampler', 'onProgress', 'signal', 'additionalForwardArgs', 'baselines', 'target'];
  const failures: string[] = [];
  for (const [name, call, valid] of methods) {
    const keys = [...new Set([...Object.keys(valid), ...(name === 'inputBaselineXGradient' ? ['seed', 'sampler', 'baselines', 'target', 'multiplyByInputs'] : extraKeys)])];
    const slots: [string, readonly string[], (v: unknown) => [unknown, unknown, unknown]][] = [
      ['model', ['model'], (v) => [v, x, valid]],
      ['inputs', ['inputs', 'model', 'options.baselines'], (v) => [model, v, valid]], // a shape the model or the baselines do not fit
      ['options', ['options', 'options.target'], (v) => [model, x, v]], // {}: no target for a two-output model
      ...keys.map((k): [string, readonly string[], (v: unknown) => [unknown, unknown, unknown]] => [
        `options.${k}`,
        k === 'target' ? ['options.target', 'model'] : k === 'additionalForwardArgs' ? ['options.additionalForwardArgs', 'model'] : k === 'sampler' ? ['options.sampler', 'options.seed'] : k === 'baselines' ? ['options.baselines', 'model'] : [`options.${k}`],
        (v) => [model, x, { ...valid, [k]: v }],
      ]),
    ];
    for (const [slot, prefixes, build] of slots) {
      for (const [label, make] of hostiles) {
        const value = make();
        const before = tf.memory().numTensors;
        try {
          const r = await call(...build(value));
          if (r._tag === 'Left') {
            const off = r.left.filter((e) => !prefixes.some((p) => e.path.startsWith(p)));
            if (off.length > 0) failures.push(`${name}(${slot} <- ${label}): Left at ${off.map((e) => `${e.path} (${e._tag})`).join(', ')}`);
          } else disposeAll(r.right);
        } catch (e) {
          failures.push(`${name}(${slot} <- ${label}): threw ${e instanceof Error ? e.message : String(e)}`);
        }
        const after = tf.memory().numTensors;
        if (after !== before) failures.push(`${name}(${slot} <- ${label}): ${after - before} tensors leaked`);
        if (typeof value === 'object' && value !== null && Object.prototype.isPrototypeOf.call(tf.Tensor.prototype, value)) (value as tf.Tensor).dispose();
      }
    }
  }
  assert(failures.length === 0, `${failures.length} hostile calls misbehaved:\n${failures.slice(0, 30).join('\n')}`);
});
s.run();
