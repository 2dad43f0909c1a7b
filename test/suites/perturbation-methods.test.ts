// The perturbation methods against Captum's numbers (algorithms.json: FeatureAblation, Occlusion,
// ShapleyValues; algorithms_stochastic.json with Captum's recorded draws injected: FeaturePermutation,
// ShapleyValueSampling, Lime, KernelShap), through forward functions and tf.LayersModels; then the
// properties the maths promises, batching, seeds, NaN baselines, cancellation and option checks.
import * as tf from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import { suite } from 'uvu';
import { type ErrorTag, featureAblation, featurePermutation, kernelShap, lime, type Model, occlusion, shapleyValues, shapleyValueSampling } from '../../src/index.js';
import { weightedLasso, weightedLeastSquares } from '../../src/core/linear-models.js';
import { loadCases, type ReferenceCase, type TensorJson } from '../support/fixtures.js';
import { assert, assertClose, recordAcrossBackends, disposeAll, expectLeft, expectRight, parityCases, withoutLeaks } from '../support/harness.js';
import { checkMethodCase, forwardModelFor, layersModelFor, type MethodCall, runsAsLayersModel } from '../support/method-cases.js';

const deterministic = loadCases('algorithms.json');
const DETERMINISTIC: Readonly<Record<string, MethodCall>> = {
  FeatureAblation: (m, x, o) => featureAblation(m, x, o),
  Occlusion: (m, x, o) => occlusion(m, x, o as never),
  ShapleyValues: (m, x, o) => shapleyValues(m, x, o),
};
const register = (op: string, cases: readonly ReferenceCase[], callFor: (c: ReferenceCase) => MethodCall): void => {
  parityCases(op, cases, (c) => checkMethodCase(c, forwardModelFor(c), callFor(c)));
  parityCases(`${op}[LayersModel]`, cases.filter(runsAsLayersModel), (c) => checkMethodCase(c, layersModelFor(c.model as string)!, callFor(c)));
};
for (const [op, call] of Object.entries(DETERMINISTIC)) register(op, deterministic.filter((c) => c.op === op), () => call);

// Captum's recorded draws, replayed through each method's sampler.
const stochastic = loadCases('algorithms_stochastic.json');
type Draws = Record<string, TensorJson>;
const drawsOf = (c: ReferenceCase): Draws => (c as unknown as { draws: Draws }).draws;
/** The rows of a tensor's leading dimension (or leading two dimensions), as number arrays. */
function rowsOf(t: TensorJson, lead = 1): number[][] {
  const count = t.shape.slice(0, lead).reduce((a, b) => a * b, 1);
  const width = t.data.length / count;
  return Array.from({ length: count }, (_, r) => t.data.slice(r * width, (r + 1) * width));
}
const STOCHASTIC: Readonly<Record<string, (c: ReferenceCase) => MethodCall>> = {
  FeaturePermutation: (c) => {
    const perms = rowsOf(drawsOf(c)['perms']!);
    return (m, x, o) => featurePermutation(m, x, { ...o, sampler: ({ draw }) => perms[draw]! });
  },
  ShapleyValueSampling: (c) => {
    const perms = rowsOf(drawsOf(c)['permutations']!);
    return (m, x, o) => shapleyValueSampling(m, x, { ...o, sampler: ({ sample }) => perms[sample]! });
  },
  Lime: (c) => {
    const t = drawsOf(c)['samples']!;
    const samples = rowsOf(t, 2);
    return (m, x, o) => lime(m, x, { ...o, sampler: ({ example, sample }) => samples[example * t.shape[1]! + sample]! });
  },
  KernelShap: (c) => {
    const t = drawsOf(c)['samples']!;
    const samples = rowsOf(t, 2);
    return (m, x, o) => kernelShap(m, x, { ...o, sampler: ({ example, sample }) => samples[example * t.shape[1]! + sample]! });
  },
};
for (const [op, callFor] of Object.entries(STOCHASTIC)) register(op, stochastic.filter((c) => c.op === op), callFor);


const s = suite('perturbation methods');
const x = tf.tensor2d([[1, 2, -1, 0.5], [3, -4, 0.5, 2], [0.2, 0.1, -0.3, 1]]);
const weights = tf.tensor2d([[1, -1], [2, 0.5], [-1, 3], [0.25, 1]]);
const mlp = (t: tf.Tensor): tf.Tensor => tf.tanh(tf.matMul(t, weights)); // [N, 2], not additive
const groups = () => tf.tensor2d([[0, 1, 1, 2]], [1, 4], 'int32');
type Any = (m: Model, x: tf.Tensor | tf.Tensor[], o: Record<string, unknown>) => Promise<{ _tag: string; right?: unknown; left?: unknown }>;
/** Every method with options that make it run quickly on `x`. */
const ALL: Readonly<Record<string, { call: Any; options: Record<string, unknown> }>> = {
  featureAblation: { call: featureAblation as Any, options: {} },
  occlusion: { call: occlusion as unknown as Any, options: { slidingWindowShapes: [2] } },
  shapleyValues: { call: shapleyValues as Any, options: {} },
  shapleyValueSampling: { call: shapleyValueSampling as Any, options: { nSamples: 5, seed: 3 } },
  featurePermutation: { call: featurePermutation as Any, options: { seed: 3 } },
  lime: { call: lime as Any, options: { nSamples: 20, seed: 3 } },
  kernelShap: { call: kernelShap as Any, options: { nSamples: 20, seed: 3 } },
};
const tensorOf = (r: { _tag: string; right?: unknown }, what: string): tf.Tensor => expectRight(r as never, what) as tf.Tensor;

s('perturbationsPerEval 1 and > 1 give identical attributions, for every method', async () => {
  for (const [name, { call, options }] of Object.entries(ALL)) {
    const one = tensorOf(await call(mlp, x, { ...options, target: 1 }), name);
    for (const perturbationsPerEval of [2, 3, 7, 50]) {
      const many = tensorOf(await call(mlp, x, { ...options, target: 1, perturbationsPerEval }), `${name} P=${perturbationsPerEval}`);
      assertClose(await many.data(), await one.data(), { atol: 0, rtol: 0 }, `${name} P=${perturbationsPerEval}`);
      many.dispose();
    }
    one.dispose();
  }
});

s('seeded methods: the same seed gives the same numbers (and the same on every backend: run-all compares them), another seed other numbers', async () => {
  for (const name of ['shapleyValueSampling', 'featurePermutation', 'lime', 'kernelShap']) {
    const { call, options } = ALL[name]!;
    const a = tensorOf(await call(mlp, x, { ...options, target: 1 }), name);
    const b = tensorOf(await call(mlp, x, { ...options, target: 1 }), name);
    const c = tensorOf(await call(mlp, x, { ...options, target: 1, seed: 4 }), name);
    const [da, db, dc] = [await a.data(), await b.data(), await c.data()];
    assertClose(db, da, { atol: 0, rtol: 0 }, `${name} same seed`);
    assert(Array.from(dc).some((v, i) => Math.abs(v - da[i]!) > 1e-6), `${name}: seed 4 gives seed 3's numbers`);
    recordAcrossBackends(`${name} seed 3`, da);
    disposeAll(a, b, c);
  }
});

s('a NaN or Infinity in a baseline position outside the perturbed feature never reaches its attribution', async () => {
  const finite = tf.tensor2d([[0.5, -0.5, 0, 0]]);
  const hostile = tf.tensor2d([[0.5, -0.5, 0, NaN]]);
  const infinite = tf.tensor2d([[0.5, -0.5, Infinity, 0]]);
  for (const [name, call, options] of [
    ['featureAblation', featureAblation, {}],
    ['occlusion', occlusion, { slidingWindowShapes: [1] }],
  ] as const) {
    const clean = tensorOf(await call(mlp, x, { ...options, target: 0, baselines: finite } as never), name);
    const rows = (await clean.array()) as number[][];
    for (const [b, bad] of [[hostile, 3], [infinite, 2]] as const) {
      const dirty = tensorOf(await call(mlp, x, { ...options, target: 0, baselines: b } as never), name);
      const got = (await dirty.array()) as number[][];
      got.forEach((row, i) => row.forEach((v, j) => j !== bad && assert(v === rows[i]![j], `${name}: column ${j} of example ${i} changed (${v} vs ${rows[i]![j]})`)));
      dirty.dispose();
    }
    clean.dispose();
  }
  disposeAll(finite, hostile, infinite);
});

s('exact Shapley values (and every sampled estimate) sum to F(x) − F(baseline) on random models', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), { minLength: 5 * 3 + 3, maxLength: 5 * 3 + 3 }),
      fc.array(fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), { minLength: 10, maxLength: 10 }),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 5, maxLength: 5 }),
      async (w, xb, ids) => {
        const w1 = tf.tensor2d(w.slice(0, 15), [5, 3]);
        const w2 = tf.tensor2d(w.slice(15), [3, 1]);
        const model = (t: tf.Tensor): tf.Tensor => tf.matMul(tf.sigmoid(tf.matMul(t, w1)), w2);
        const xs = tf.tensor2d(xb.slice(0, 10), [2, 5]);
        const base = tf.tensor2d(xb.slice(0, 5).map((v) => -v / 2), [1, 5]);
        const mask = tf.tensor2d(ids, [1, 5], 'int32');
        const fx = tf.tidy(() => tf.sub(tf.reshape(model(xs), [2]), tf.reshape(model(tf.tile(base, [2, 1])), [2])));
        const want = await fx.data();
        for (const r of [await shapleyValues(model, xs, { target: 0, baselines: base, featureMask: mask }), await shapleyValueSampling(model, xs, { target: 0, baselines: base, featureMask: mask, nSamples: 3, seed: 1 })]) {
          const a = expectRight(r);
          // every element of a feature carries the feature's value: sum one element per feature
          const firsts = [...new Set(ids)].map((id) => ids.indexOf(id));
          const values = (await a.array()) as number[][];
          const sums = values.map((row) => firsts.reduce((acc, j) => acc + row[j]!, 0));
          assertClose(sums, want, { atol: 1e-5, rtol: 1e-4 }, 'Σ over features vs F(x) − F(b)');
          a.dispose();
        }
        disposeAll(w1, w2, xs, base, mask, fx);
      },
    ),
    { numRuns: 12, seed: 42 },
  );
});

s('no tensor leaks on success; progress reaches the total; an aborted signal gives Left(Aborted) and keeps nothing', async () => {
  for (const [name, { call, options }] of Object.entries(ALL)) {
    const seen: number[] = [];
    let total = 0;
    await withoutLeaks(`${name} success`, async () => {
      const r = tensorOf(await call(mlp, x, { ...options, target: 0, onProgress: (p: { done: number; total: number }) => (seen.push(p.done), (total = p.total)) }), name);
      r.dispose();
    });
    assert(seen.length > 0 && seen[seen.length - 1] === total && seen.every((d, i) => i === 0 || d > seen[i - 1]!), `${name}: progress ${seen.join(',')} of ${total}`);
    const controller = new AbortController();
    await withoutLeaks(`${name} abort`, async () => {
      const r = await call(mlp, x, { ...options, target: 0, signal: controller.signal, onProgress: (p: { done: number }) => p.done >= 1 && controller.abort(new Error('stop')) });
      const [e] = expectLeft(r as never, ['Aborted'], name);
      assert(e?._tag === 'Aborted' && e.reason === 'stop', `${name}: ${JSON.stringify(e)}`);
    });
    const early = new AbortController();
    early.abort();
    await withoutLeaks(`${name} pre-aborted`, async () => expectLeft((await call(mlp, x, { ...options, target: 0, signal: early.signal })) as never, ['Aborted'], name));
  }
});

/** [method, options, tags, path]: each call must be a Left with those tags whose first error sits at `path`, leaking nothing. */
const BAD: readonly [string, () => Record<string, unknown>, readonly ErrorTag[], string][] = [
  ...Object.keys(ALL).flatMap((name): [string, () => Record<string, unknown>, readonly ErrorTag[], string][] => [
    [name, () => ({ ...ALL[name]!.options, perturbationsPerEval: 0 }), ['InvalidArgument'], 'options.perturbationsPerEval'],
    [name, () => ({ ...ALL[name]!.options, perturbationsPerEval: 1.5 }), ['InvalidArgument'], 'options.perturbationsPerEval'],
    [name, () => ({ ...ALL[name]!.options, perturbationsPerEval: 'many' }), ['InvalidArgument'], 'options.perturbationsPerEval'],
    [name, () => ({ ...ALL[name]!.options, perturbationsPerEval: 2 ** 40 }), ['AllocationTooLarge'], 'options.perturbationsPerEval'],
    [name, () => ({ ...ALL[name]!.options, perturbationsperEval: 2 }), ['InvalidArgument'], 'options.perturbationsperEval'],
    [name, () => ({ ...ALL[name]!.options, onProgress: 3 }), ['InvalidArgument'], 'options.onProgress'],
    [name, () => ({ ...ALL[name]!.options, signal: {} }), ['InvalidArgument'], 'options.signal'],
    [name, () => ({ ...ALL[name]!.options, target: 5 }), ['TargetIndexOutOfRange'], 'options.target'],
  ]),
  ...['featureAblation', 'shapleyValues', 'shapleyValueSampling', 'featurePermutation', 'lime', 'kernelShap'].flatMap((name): [string, () => Record<string, unknown>, readonly ErrorTag[], string][] => [
    [name, () => ({ ...ALL[name]!.options, featureMask: tf.tensor2d([[0, 1, 2]], [1, 3], 'int32') }), ['InvalidArgument'], 'options.featureMask'],
    [name, () => ({ ...ALL[name]!.options, featureMask: tf.tensor2d([[0, -1, 2, 2]], [1, 4], 'int32') }), ['InvalidArgument'], 'options.featureMask'],
    [name, () => ({ ...ALL[name]!.options, featureMask: tf.tensor2d([[0, 0.5, 2, 2]], [1, 4]) }), ['InvalidArgument'], 'options.featureMask'],
    [name, () => ({ ...ALL[name]!.options, featureMask: [groups(), groups()] }), ['InvalidArgument'], 'options.featureMask'],
    [name, () => ({ ...ALL[name]!.options, featureMask: 'columns' }), ['InvalidArgument'], 'options.featureMask'],
    [name, () => ({ ...ALL[name]!.options, featureMask: tf.tensor2d([[0, 1, 1, 2]], [1, 4], 'bool') }), ['DtypeUnsupported'], 'options.featureMask'],
  ]),
  ...['featureAblation', 'occlusion', 'shapleyValues', 'shapleyValueSampling', 'lime', 'kernelShap'].flatMap((name): [string, () => Record<string, unknown>, readonly ErrorTag[], string][] => [
    [name, () => ({ ...ALL[name]!.options, baselines: tf.zeros([2, 4]) }), ['BaselineShapeInvalid'], 'options.baselines'],
    [name, () => ({ ...ALL[name]!.options, baselines: NaN }), ['BaselineTypeInvalid'], 'options.baselines'],
  ]),
  ...['shapleyValueSampling', 'lime', 'kernelShap'].flatMap((name): [string, () => Record<string, unknown>, readonly ErrorTag[], string][] => [
    [name, () => ({ ...ALL[name]!.options, nSamples: 0 }), ['InvalidArgument'], 'options.nSamples'],
    [name, () => ({ ...ALL[name]!.options, seed: 0.5 }), ['InvalidArgument'], 'options.seed'],
    [name, () => ({ ...ALL[name]!.options, sampler: 'uniform' }), ['InvalidArgument'], 'options.sampler'],
    [name, () => ({ ...ALL[name]!.options, sampler: () => [7, 7] }), ['InvalidArgument'], 'options.sampler'],
    [name, () => ({ ...ALL[name]!.options, sampler: () => { throw new Error('no'); } }), ['InvalidArgument'], 'options.sampler'],
  ]),
  ['featurePermutation', () => ({ sampler: () => [0, 0, 1] }), ['InvalidArgument'], 'options.sampler'],
  ['featurePermutation', () => ({ seed: NaN }), ['InvalidArgument'], 'options.seed'],
  ['lime', () => ({ interpretableModel: { kind: 'ridge' } }), ['InvalidArgument'], 'options.interpretableModel.kind'],
  ['lime', () => ({ interpretableModel: { kind: 'lasso', alpha: -1 } }), ['InvalidArgument'], 'options.interpretableModel.alpha'],
  ['lime', () => ({ interpretableModel: null }), ['InvalidArgument'], 'options.interpretableModel'],
  ['lime', () => ({ similarityFunc: () => NaN }), ['InvalidArgument'], 'options.similarityFunc'],
  ['lime', () => ({ returnInputShape: 'no' }), ['InvalidArgument'], 'options.returnInputShape'],
  ['occlusion', () => ({}), ['InvalidArgument'], 'options.slidingWindowShapes'],
  ['occlusion', () => ({ slidingWindowShapes: [5] }), ['InvalidArgument'], 'options.slidingWindowShapes[0]'],
  ['occlusion', () => ({ slidingWindowShapes: [2, 2] }), ['InvalidArgument'], 'options.slidingWindowShapes'],
  ['occlusion', () => ({ slidingWindowShapes: [0] }), ['InvalidArgument'], 'options.slidingWindowShapes[0]'],
  ['occlusion', () => ({ slidingWindowShapes: [2], strides: 3 }), ['InvalidArgument'], 'options.strides'],
  ['occlusion', () => ({ slidingWindowShapes: [2], strides: [1, 1] }), ['InvalidArgument'], 'options.strides'],
  ['occlusion', () => ({ slidingWindowShapes: [2], strides: -1 }), ['InvalidArgument'], 'options.strides'],
  ['shapleyValues', () => ({ featureMask: tf.tensor2d([[0, 1, 2, 11]], [1, 4], 'int32') }), ['InvalidArgument'], 'options.featureMask'],
];

s('invalid and hostile options are Lefts naming the argument, and leak nothing', async () => {
  const failures: string[] = [];
  for (const [name, make, tags, path] of BAD) {
    const options = make();
    try {
      await withoutLeaks(`${name} ${path}`, async () => {
        const errors = expectLeft((await ALL[name]!.call(mlp, x, { target: 0, ...options })) as never, tags, `${name}(${path})`);
        assert(errors[0]?.path === path, `first error at ${errors[0]?.path}, expected ${path}`);
      });
    } catch (e) {
      failures.push(`${name} ${path} ${JSON.stringify(options, (_, v) => (v instanceof tf.Tensor ? `tensor ${v.shape}` : v))}: ${(e as Error).message}`);
    } finally {
      disposeAll(Object.values(options));
    }
  }
  assert(failures.length === 0, failures.join('\n'));
});

s('batch rules: featurePermutation needs 2 examples; an aggregate model refuses perturbationsPerEval > 1; int32 inputs work', async () => {
  const one = tf.slice(x, 0, 1);
  await withoutLeaks('rules', async () => {
    expectLeft(await featurePermutation(mlp, one, { target: 0 }), ['InvalidArgument']);
    const aggregate = (t: tf.Tensor): tf.Tensor => tf.sum(mlp(t));
    for (const [name, { call, options }] of Object.entries(ALL)) {
      if (name === 'featurePermutation') continue;
      expectLeft((await call(aggregate, x, { ...options, perturbationsPerEval: 2 })) as never, ['ModelOutputInvalid', 'InvalidArgument'], `${name} aggregate`);
      const r = tensorOf(await call(aggregate, x, options), `${name} aggregate P=1`);
      assert(r.shape[0] === 1 && r.shape[1] === 4, `${name} aggregate shape [${r.shape}]`);
      r.dispose();
    }
    const ints = tf.tensor2d([[1, 2, 3, 4], [0, 1, 0, 1]], [2, 4], 'int32');
    const intModel: Model = (t: tf.Tensor) => tf.sum(tf.mul(tf.cast(t, 'float32'), tf.tensor1d([1, 2, 3, 4])), 1);
    const a = tensorOf(await featureAblation(intModel, ints, {}), 'int32 inputs');
    assertClose(await a.data(), [1, 4, 9, 16, 0, 2, 0, 4], { atol: 0, rtol: 0 }, 'int32 ablation');
    disposeAll(a, ints);
  });
  one.dispose();
});

s('multi-input calls mirror the input form; lime with returnInputShape false gives [N, M] coefficients', async () => {
  const a = tf.tensor2d([[1, 2], [3, 4]]);
  const b = tf.tensor2d([[0.5], [-1]]);
  const two = ((p: tf.Tensor, q: tf.Tensor) => tf.add(tf.sum(tf.mul(p, p), 1), tf.mul(tf.sum(q, 1), 3))) as unknown as Model;
  await withoutLeaks('tuple', async () => {
    const r = expectRight(await shapleyValues(two, [a, b]));
    assert(Array.isArray(r) && r.length === 2, 'array of two');
    assertClose(await r[0]!.data(), [1, 4, 9, 16], { atol: 1e-5, rtol: 1e-5 }, 'x²');
    assertClose(await r[1]!.data(), [1.5, -3], { atol: 1e-5, rtol: 1e-5 }, '3q');
    disposeAll(r);
    const coef = expectRight(await lime(two, [a, b], { returnInputShape: false, nSamples: 30, interpretableModel: { kind: 'linearRegression' } }));
    assert(!Array.isArray(coef) && coef.shape.join() === '2,3', `coefficients [${coef.shape}]`);
    assertClose(await coef.data(), [1, 4, 1.5, 9, 16, -3], { atol: 1e-4, rtol: 1e-4 }, 'additive model: coefficients are the effects');
    coef.dispose();
  });
  disposeAll(a, b);
});

s('the doc examples give what they say', async () => {
  const t = (rows: number[][]) => tf.tensor2d(rows);
  const check = async (r: unknown, want: number[], what: string) => {
    const v = expectRight(r as never, what) as tf.Tensor;
    assertClose(await v.data(), want, { atol: 1e-4, rtol: 1e-4 }, what);
    v.dispose();
  };
  const lin = (w: number[]) => (z: tf.Tensor) => tf.sum(tf.mul(z, tf.tensor1d(w)), 1);
  const xa = t([[1, 1, 1], [2, 0, 1]]);
  await check(await featureAblation(lin([1, 2, 3]), xa), [1, 2, 3, 2, 0, 3], 'featureAblation');
  const xb = t([[1, 2, 3, 4]]);
  await check(await occlusion((z: tf.Tensor) => tf.sum(z, 1), xb, { slidingWindowShapes: [2], strides: [2] }), [3, 3, 7, 7], 'occlusion');
  const xc = t([[2, 3]]);
  await check(await shapleyValues((z: tf.Tensor) => tf.prod(z, 1), xc), [3, 3], 'shapleyValues');
  const xd = t([[1, 1, 1]]);
  await check(await shapleyValueSampling(lin([1, 2, 3]), xd, { nSamples: 4, seed: 1 }), [1, 2, 3], 'shapleyValueSampling');
  const xe = t([[1, 5], [3, 7]]);
  await check(await featurePermutation(lin([1, 0]), xe, { seed: 1 }), [-2, 0, 2, 0], 'featurePermutation');
  await check(await lime(lin([1, -2, 3]), xd, { nSamples: 40, interpretableModel: { kind: 'linearRegression' } }), [1, -2, 3], 'lime');
  await check(await kernelShap(lin([1, 2, 3]), xd, { nSamples: 30, seed: 2 }), [1, 2, 3], 'kernelShap');
  disposeAll(xa, xb, xc, xd, xe);
});

s('each method carries its Captum descriptor', () => {
  assert(featureAblation.descriptor.family === 'perturbation' && featureAblation.descriptor.multipliesByInputs, 'featureAblation');
  assert(occlusion.descriptor.name === 'Occlusion' && shapleyValues.descriptor.name === 'Shapley Values', 'names');
  assert(!lime.descriptor.multipliesByInputs && !kernelShap.descriptor.multipliesByInputs, 'surrogates do not multiply by inputs');
});
s.run();

const lm = suite('linear models (float64 surrogates)');
const rows = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 1, 1], [1, 1, 1], [0, 0, 0], [1, 0, 1]];
const truth = (r: number[]) => 0.5 + 2 * r[0]! - 1 * r[1]! + 0.25 * r[2]!;

lm('weighted least squares recovers an exact linear relation, with any positive weights', () => {
  const y = rows.map(truth);
  for (const w of [rows.map(() => 1), rows.map((_, i) => 1 + i), rows.map((_, i) => (i === 0 ? 1e6 : 1))]) {
    const f = weightedLeastSquares(rows, y, w);
    assertClose([f.intercept, ...f.coefficients], [0.5, 2, -1, 0.25], { atol: 1e-9, rtol: 1e-9 }, `weights ${w}`);
  }
});

lm('an integer weight equals repeating the row; the minimum-norm solution splits a duplicated column', () => {
  const y = [1, 3, 2, 5, 4, 0.5, -1, 2];
  const twice = weightedLeastSquares([...rows, rows[3]!], [...y, y[3]!], rows.map(() => 1).concat(1));
  const weighted = weightedLeastSquares(rows, y, rows.map((_, i) => (i === 3 ? 2 : 1)));
  assertClose(weighted.coefficients, twice.coefficients, { atol: 1e-10, rtol: 1e-10 }, 'weight 2 = duplicate row');
  const dup = rows.map((r) => [r[0]!, r[0]!]);
  const f = weightedLeastSquares(dup, rows.map((r) => 3 * r[0]! + 1), rows.map(() => 1));
  assertClose([f.intercept, ...f.coefficients], [1, 1.5, 1.5], { atol: 1e-10, rtol: 1e-10 }, 'min-norm split');
});

lm('the Lasso with alpha 0 is least squares; on an orthogonal design it soft-thresholds (closed form)', () => {
  const y = [1, 3, 2, 5, 4, 0.5, -1, 2];
  const w = [1, 2, 1, 3, 1, 1, 2, 1];
  const ls = weightedLeastSquares(rows, y, w);
  const l0 = weightedLasso(rows, y, w, 0);
  assertClose([l0.intercept, ...l0.coefficients], [ls.intercept, ...ls.coefficients], { atol: 1e-9, rtol: 1e-9 }, 'alpha 0');
  // Centred columns ±1 that are orthogonal under equal weights: β_j = S(ρ_j, α) / 1 with ρ_j = mean(x_j y).
  const design = [[1, 1], [1, -1], [-1, 1], [-1, -1]];
  const yy = [3, 1, -1, 0.2];
  const rho = [0, 1].map((j) => design.reduce((a, r, t) => a + r[j]! * yy[t]!, 0) / 4);
  for (const alpha of [0.1, 0.5, 1.2]) {
    const f = weightedLasso(design, yy, [1, 1, 1, 1], alpha);
    const want = rho.map((r) => Math.sign(r) * Math.max(Math.abs(r) - alpha, 0));
    assertClose(f.coefficients, want, { atol: 1e-12, rtol: 0 }, `alpha ${alpha}`);
    assertClose([f.intercept], [yy.reduce((a, b) => a + b, 0) / 4], { atol: 1e-12, rtol: 0 }, 'unpenalised intercept');
  }
  const all0 = weightedLasso(rows, rows.map((r) => 0.001 * r[0]!), rows.map(() => 1), 0.01);
  assert(all0.coefficients.every((c) => c === 0), 'a variation below alpha shrinks every coefficient to 0');
});
lm.run();
