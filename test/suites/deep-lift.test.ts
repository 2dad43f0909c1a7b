// DeepLift, DeepLiftShap, GuidedBackprop and Deconvolution against Captum's numbers
// (algorithms.json, algorithms_stochastic.json), through forward functions marked with
// attributionOps and through the same models as tf.LayersModels; then the properties of the rules.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { suite } from 'uvu';
import { attributionOps as ops, deconvolution, deepLift, deepLiftShap, guidedBackprop, inputXGradient, type Model, saliency } from '../../src/index.js';
import { loadCases } from '../support/fixtures.js';
import { assert, assertClose, disposeAll, expectLeft, expectRight, parityCases, withoutLeaks } from '../support/harness.js';
import { markedModelFor } from '../support/marked-models.js';
import { checkMethodCase, layersModelFor, type MethodCall, runsAsLayersModel } from '../support/method-cases.js';

const cases = [...loadCases('algorithms.json'), ...loadCases('algorithms_stochastic.json')];
const METHODS: Readonly<Record<string, MethodCall>> = {
  DeepLift: (m, x, o) => deepLift(m, x, o),
  DeepLiftShap: (m, x, o) => deepLiftShap(m, x, o as never),
  GuidedBackprop: (m, x, o) => guidedBackprop(m, x, o),
  Deconvolution: (m, x, o) => deconvolution(m, x, o),
};
for (const [op, call] of Object.entries(METHODS)) {
  const mine = cases.filter((c) => c.op === op);
  parityCases(op, mine, (c) => checkMethodCase(c, markedModelFor(c.model as string), call));
  parityCases(`${op}[LayersModel]`, mine.filter(runsAsLayersModel), (c) => checkMethodCase(c, layersModelFor(c.model as string)!, call));
}

const CLOSE = { atol: 1e-5, rtol: 1e-4 };
const s = suite('deepLift, deepLiftShap, guidedBackprop, deconvolution');
const x = tf.tensor2d([[1, 2, -1], [3, -4, 0.5], [-0.5, 0.25, 2]]);
const w1 = tf.tensor2d([[1, -2], [0.5, 1], [-1, 0.3]]);
const b1 = tf.tensor1d([0.1, -0.2]);
const w2 = tf.tensor2d([[2, -1, 0.5], [1, 1, -3]]);
/** relu MLP with three outputs, marked. */
const mlp: Model = (t: tf.Tensor) => tf.matMul(ops.relu(tf.add(tf.matMul(t, w1), b1)), w2);

s('DeepLift on a relu network with a zero baseline: multipliers relu(z) - relu(b) over z - b per hidden unit (closed form)', async () => {
  const r = expectRight(await deepLift(mlp, x, { target: 1, returnConvergenceDelta: true }));
  const X = (await x.array()) as number[][];
  const W1 = (await w1.array()) as number[][];
  const B1 = [0.1, -0.2];
  const V = [-1, 1]; // w2[:, 1]
  const expected = X.flatMap((row) => {
    const z = [0, 1].map((k) => row.reduce((acc, v, j) => acc + v * W1[j]![k]!, 0) + B1[k]!);
    const mult = z.map((zk, k) => (Math.max(zk, 0) - Math.max(B1[k]!, 0)) / (zk - B1[k]!)); // the rescale rule at the hidden unit
    return row.map((v, j) => v * [0, 1].reduce((acc, k) => acc + V[k]! * mult[k]! * W1[j]![k]!, 0));
  });
  assertClose(await r.attributions.data(), expected, CLOSE, 'attributions');
  assertClose(await r.delta.data(), [0, 0, 0], CLOSE, 'delta (relu rescale is exact)');
  disposeAll(r);
});

s('DeepLift with plain tf ops is Captum functional: (x - b)·∇F(x); with a bias-free relu net and a zero baseline it equals input × gradient', async () => {
  const plain: Model = (t: tf.Tensor) => tf.matMul(tf.relu(tf.add(tf.matMul(t, w1), b1)), w2);
  const base = tf.tensor2d([[0.5, 0, 0]]);
  const dl = expectRight(await deepLift(plain, x, { target: 2, baselines: base }));
  const g = expectRight(await saliency(plain, x, { target: 2, abs: false }));
  const want = tf.tidy(() => tf.mul(tf.sub(x, base), g));
  assertClose(await dl.data(), await want.data(), CLOSE);
  const noBias: Model = (t: tf.Tensor) => tf.matMul(ops.relu(tf.matMul(t, w1)), w2);
  const dl0 = expectRight(await deepLift(noBias, x, { target: 0 }));
  const ixg = expectRight(await inputXGradient(noBias, x, { target: 0 }));
  assertClose(await dl0.data(), await ixg.data(), CLOSE, 'bias-free relu');
  disposeAll(dl, g, want, base, dl0, ixg);
});

s('DeepLiftShap equals the mean of B separate DeepLift calls, and its delta is per pair in row order i·B + j', async () => {
  const dist = tf.tensor2d([[0, 0, 0], [1, -1, 0.5], [-2, 0.5, 1], [0.3, 0.3, -0.3]]);
  const r = expectRight(await deepLiftShap(mlp, x, { baselines: dist, target: [0, 2, 1], returnConvergenceDelta: true }));
  const parts: tf.Tensor[] = [];
  const deltas: number[][] = [];
  for (let j = 0; j < 4; j++) {
    const bj = tf.slice(dist, j, 1);
    const one = expectRight(await deepLift(mlp, x, { baselines: bj, target: [0, 2, 1], returnConvergenceDelta: true }));
    parts.push(one.attributions);
    deltas.push(Array.from(await one.delta.data()));
    disposeAll(bj, one.delta);
  }
  const mean = tf.tidy(() => tf.div(tf.addN(parts), 4));
  assertClose(await r.attributions.data(), await mean.data(), CLOSE, 'mean of DeepLift calls');
  assert(r.delta.shape[0] === 12, `delta shape ${r.delta.shape}`);
  const want = [0, 1, 2].flatMap((i) => [0, 1, 2, 3].map((j) => deltas[j]![i]!)); // row i·B + j
  assertClose(await r.delta.data(), want, CLOSE, 'delta per pair');
  disposeAll(r, parts, mean, dist);
});

s('DeepLiftShap gives the same result batched and unbatched (internalBatchSize in pairs), deltas included', async () => {
  const dist = tf.tensor2d([[0, 0, 0], [1, -1, 0.5], [-2, 0.5, 1]]);
  const args = tf.tensor2d([[1], [2], [-1]]);
  const scaled: Model = ((t: tf.Tensor, k: tf.Tensor) => tf.mul(mlp(t as never), k)) as Model;
  const whole = expectRight(await deepLiftShap(scaled, x, { baselines: dist, target: [2, 0, 1], additionalForwardArgs: [args], returnConvergenceDelta: true }));
  for (const internalBatchSize of [1, 2, 4, 5, 9, 100]) {
    await withoutLeaks(`ibs ${internalBatchSize}`, async () => {
      const part = expectRight(await deepLiftShap(scaled, x, { baselines: dist, target: [2, 0, 1], additionalForwardArgs: [args], internalBatchSize, returnConvergenceDelta: true }));
      assertClose(await part.attributions.data(), await whole.attributions.data(), { atol: 1e-6, rtol: 1e-5 }, `ibs=${internalBatchSize}`);
      assertClose(await part.delta.data(), await whole.delta.data(), { atol: 1e-6, rtol: 1e-5 }, `ibs=${internalBatchSize} delta`);
      disposeAll(part);
    });
  }
  disposeAll(whole, dist, args);
});

s('a per-example target list equals separate single-target calls, for all four methods', async () => {
  const dist = tf.tensor2d([[0, 0, 0], [1, -1, 0.5]]);
  const calls: [string, (m: Model, t: tf.Tensor, target: number | number[]) => Promise<tf.Tensor>][] = [
    ['deepLift', async (m, t, target) => expectRight(await deepLift(m, t, { target, baselines: 0.2 }))],
    ['deepLiftShap', async (m, t, target) => expectRight(await deepLiftShap(m, t, { target, baselines: dist }))],
    ['guidedBackprop', async (m, t, target) => expectRight(await guidedBackprop(m, t, { target }))],
    ['deconvolution', async (m, t, target) => expectRight(await deconvolution(m, t, { target }))],
  ];
  for (const [name, call] of calls) {
    const all = await call(mlp, x, [2, 0, 1]);
    const rows = (await all.array()) as number[][];
    for (const [i, t] of [2, 0, 1].entries()) {
      const xi = tf.slice(x, [i, 0], [1, -1]);
      const one = await call(mlp, xi, t);
      assertClose(rows[i]!, ((await one.array()) as number[][])[0]!, CLOSE, `${name} example ${i}`);
      disposeAll(one, xi);
    }
    disposeAll(all);
  }
  dist.dispose();
});

s.run();
