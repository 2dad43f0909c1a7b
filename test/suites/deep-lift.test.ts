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
const mlpForward = (t: tf.Tensor): tf.Tensor => tf.matMul(ops.relu(tf.add(tf.matMul(t, w1), b1)), w2);
const mlp: Model = mlpForward;

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
  const scaled: Model = ((t: tf.Tensor, k: tf.Tensor) => tf.mul(mlpForward(t), k)) as Model;
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

/** A tfjs-layers model with fused activations, every rule layer kind, and a dropout between two rule layers. */
function zooModel(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.inputLayer({ inputShape: [6, 6, 2] }));
  m.add(tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }), biasInitializer: 'ones' }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 5, activation: 'elu', kernelInitializer: tfl.initializers.glorotNormal({ seed: 2 }) }));
  m.add(tfl.layers.dropout({ rate: 0.5 }));
  m.add(tfl.layers.leakyReLU({ alpha: 0.3 }));
  m.add(tfl.layers.dense({ units: 4, activation: 'softplus', kernelInitializer: tfl.initializers.glorotNormal({ seed: 3 }) }));
  m.add(tfl.layers.dense({ units: 4, activation: 'tanh', kernelInitializer: tfl.initializers.glorotNormal({ seed: 4 }) }));
  m.add(tfl.layers.dense({ units: 3, activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotNormal({ seed: 5 }) }));
  m.add(tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotNormal({ seed: 6 }) }));
  return m;
}

/** The same model written by hand with attributionOps on the model's own weights. */
function zooMarked(model: tfl.LayersModel): Model {
  const [k1, c1, k2, c2, k3, c3, k4, c4, k5, c5, k6, c6] = model.getWeights();
  const dense = (h: tf.Tensor, k: tf.Tensor | undefined, c: tf.Tensor | undefined) => tf.add(tf.matMul(h as tf.Tensor2D, k as tf.Tensor2D), c!);
  return (x: tf.Tensor) => {
    let h = ops.relu(tf.add(tf.conv2d(x as tf.Tensor4D, k1 as tf.Tensor4D, 1, 'valid'), c1!));
    h = ops.maxPool(h, 2, 2, 'valid');
    h = tf.reshape(h, [h.shape[0] as number, -1]);
    h = ops.leakyRelu(ops.elu(dense(h, k2, c2)), 0.3); // dropout at inference passes the same tensor on
    h = ops.softplus(dense(h, k3, c3));
    h = ops.tanh(dense(h, k4, c4));
    h = ops.sigmoid(dense(h, k5, c5));
    return ops.softmax(dense(h, k6, c6));
  };
}

s('a tf.LayersModel gets the same attributions as the same model written as a marked forward function (fused activations, every rule kind), and is left unchanged', async () => {
  const model = zooModel();
  const marked = zooMarked(model);
  const images = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 11);
  const dist = tf.randomNormal([2, 6, 6, 2], 0, 0.5, 'float32', 12);
  const before = model.predict(images) as tf.Tensor;
  const activations = model.layers.map((l) => (l as unknown as { activation?: { getClassName(): string } }).activation?.getClassName());
  const runs: [string, (m: Model) => Promise<unknown>][] = [
    ['deepLift', async (m) => expectRight(await deepLift(m, images, { target: [0, 1, 2], baselines: 0.1, returnConvergenceDelta: true }))],
    ['deepLift nomul', async (m) => expectRight(await deepLift(m, images, { target: 1, multiplyByInputs: false }))],
    ['deepLiftShap', async (m) => expectRight(await deepLiftShap(m, images, { target: 2, baselines: dist, returnConvergenceDelta: true }))],
    ['guidedBackprop', async (m) => expectRight(await guidedBackprop(m, images, { target: 1 }))],
    ['deconvolution', async (m) => expectRight(await deconvolution(m, images, { target: 0 }))],
  ];
  for (const [name, run] of runs) {
    await withoutLeaks(name, async () => {
      const a = (await run(model)) as tf.Tensor | { attributions: tf.Tensor; delta: tf.Tensor };
      const b = (await run(marked)) as typeof a;
      const [ta, tb] = a instanceof tf.Tensor ? [a, b as tf.Tensor] : [a.attributions, (b as typeof a & object).attributions];
      assertClose(await ta.data(), await tb.data(), CLOSE, name);
      if (!(a instanceof tf.Tensor)) assertClose(await a.delta.data(), await (b as { delta: tf.Tensor }).delta.data(), CLOSE, `${name} delta`);
      disposeAll(a, b);
    });
  }
  const after = model.predict(images) as tf.Tensor;
  assertClose(await after.data(), await before.data(), { atol: 0, rtol: 0 }, 'predictions after the walks');
  const activationsAfter = model.layers.map((l) => (l as unknown as { activation?: { getClassName(): string } }).activation?.getClassName());
  assert(JSON.stringify(activationsAfter) === JSON.stringify(activations), `activations changed: ${activationsAfter}`);
  disposeAll(images, dist, before, after);
  model.dispose();
});

s('softmax rule: rescale minus the mean over the whole 2N-row batch (not per row), so an example depends on its batch (spec §5.4.2)', async () => {
  const a = tf.tensor1d([1, -2, 0.5, 3]);
  const model: Model = (t: tf.Tensor) => tf.sum(tf.mul(ops.softmax(t), a), 1, true);
  const inputs = tf.tensor2d([[1, 0.2, -1, 2], [0.5, 0.4, 3, -1], [-2, 1, -0.1, 0.3]]);
  const r = expectRight(await deepLift(model, inputs, { multiplyByInputs: false, returnConvergenceDelta: true }));
  const X = (await inputs.array()) as number[][];
  const A = [1, -2, 0.5, 3];
  const softmax = (row: number[]) => {
    const e = row.map(Math.exp);
    const z = e.reduce((p, q) => p + q, 0);
    return e.map((v) => v / z);
  };
  const u = X.map((row) => {
    const y = softmax(row);
    const y0 = softmax(row.map(() => 0));
    return row.map((v, c) => (A[c]! * (y[c]! - y0[c]!)) / v);
  });
  const mean = u.flat().reduce((p, q) => p + q, 0) / 12; // both halves carry the same u, so the 2N mean is the N mean
  assertClose(await r.attributions.data(), u.flat().map((v) => v - mean), CLOSE, 'multipliers');
  const perRow = u.flatMap((row) => row.map((v) => v - row.reduce((p, q) => p + q, 0) / 4));
  const got = Array.from(await r.attributions.data());
  assert(got.some((v, i) => Math.abs(v - perRow[i]!) > 1e-3), 'differs from a per-row mean');
  const alone = tf.slice(inputs, 0, 1);
  const one = expectRight(await deepLift(model, alone, { multiplyByInputs: false }));
  const first = Array.from(await one.data());
  assert(first.some((v, i) => Math.abs(v - got[i]!) > 1e-3), 'example 0 alone differs from example 0 in the batch');
  disposeAll(a, inputs, r, alone, one);
});

s('maxpool rule: where the input equals the baseline, every example takes row 0\'s plain maxpool gradient (Captum\'s grad_input[0], spec §5.4.3)', async () => {
  const model: Model = (t: tf.Tensor) => tf.reshape(ops.maxPool(t, 2, 2, 'valid'), [t.shape[0] as number, 1]);
  const inputs = tf.tensor4d([5, 1, 1, 1, 1, 1, 1, 7], [2, 2, 2, 1]); // example 0's max at (0,0), example 1's at (1,1)
  const base = tf.tensor4d([0, 0, 0, 0, 1, 1, 1, 7], [2, 2, 2, 1]); // example 1's baseline is example 1
  const r = expectRight(await deepLift(model, inputs, { baselines: base, multiplyByInputs: false }));
  assertClose(await r.data(), [1, 0, 0, 0, 1, 0, 0, 0], { atol: 1e-6, rtol: 0 }, 'multipliers (per-row would give 0,0,0,1 for example 1)');
  const full = expectRight(await deepLift(model, inputs, { baselines: base, returnConvergenceDelta: true }));
  assertClose(await full.delta.data(), [0, 0], CLOSE, 'the maxpool rule alone is exact');
  disposeAll(inputs, base, r, full);
});

s('a huge eps gives plain gradients at every rule (spec §5.4.4); the maxpool gradient breaks ties at the first maximum on every backend', async () => {
  const pools: [string, tf.Tensor, (t: tf.Tensor, marked: boolean) => tf.Tensor][] = [
    ['2x2 valid', tf.randomNormal([1, 5, 5, 2], 0, 1, 'float32', 21), (t, m) => (m ? ops.maxPool(t, 2, 2, 'valid') : tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'))],
    ['3x3 same, overlapping', tf.randomNormal([1, 5, 5, 2], 0, 1, 'float32', 22), (t, m) => (m ? ops.maxPool(t, 3, 1, 'same') : tf.maxPool(t as tf.Tensor4D, 3, 1, 'same'))],
    ['3-D', tf.randomNormal([1, 4, 4, 4, 1], 0, 1, 'float32', 23), (t, m) => (m ? ops.maxPool3d(t, 2, 2, 'valid') : tf.maxPool3d(t as tf.Tensor5D, 2, 2, 'valid'))],
  ];
  for (const [name, input, pool] of pools) {
    const weights = tf.tidy(() => tf.randomNormal(pool(input, false).shape, 0, 1, 'float32', 24));
    const rows = (t: tf.Tensor): tf.Tensor => tf.sum(tf.reshape(t, [t.shape[0] as number, -1]), 1, true); // [N, 1]
    const f = (marked: boolean): Model => (t: tf.Tensor) => rows(tf.mul(ops.sigmoid(pool(ops.relu(t), marked)), weights));
    const dl = expectRight(await deepLift(f(true), input, { eps: 1e6, multiplyByInputs: false, baselines: 0.5 }));
    const plain = expectRight(await saliency((t: tf.Tensor) => rows(tf.mul(tf.sigmoid(pool(tf.relu(t), false)), weights)), input, { abs: false }));
    assertClose(await dl.data(), await plain.data(), CLOSE, name);
    disposeAll(input, weights, dl, plain);
  }
  const ties = tf.ones([1, 2, 2, 1]);
  const tied = expectRight(await deepLift((t: tf.Tensor) => tf.reshape(ops.maxPool(t, 2, 2, 'valid'), [t.shape[0] as number, 1]), ties, { eps: 1e6, multiplyByInputs: false }));
  assertClose(await tied.data(), [1, 0, 0, 0], { atol: 0, rtol: 0 }, 'ties go to the first maximum');
  disposeAll(ties, tied);
});

s('deconvolution keeps Captum\'s ReLU→ReLU adjacency: the upstream ReLU sees the downstream ReLU\'s ordinary gradient', async () => {
  const W1 = tf.tensor2d([[1, -1, 0.5], [-0.5, 2, 1]]);
  const W2 = tf.tensor2d([[1], [-2], [-1]]);
  const adjacent: Model = (t: tf.Tensor) => tf.matMul(ops.relu(ops.relu(tf.matMul(t, W1))), W2);
  const separated: Model = (t: tf.Tensor) => tf.matMul(ops.relu(tf.mul(ops.relu(tf.matMul(t, W1)), 1)), W2);
  const inputs = tf.tensor2d([[1, 1], [-1, 0.2]]);
  const X = (await inputs.array()) as number[][];
  const w1 = (await W1.array()) as number[][];
  const dy = [1, -2, -1];
  const through = (g: (z: number, k: number) => number) =>
    X.flatMap((row) => {
      const z = [0, 1, 2].map((k) => row[0]! * w1[0]![k]! + row[1]! * w1[1]![k]!);
      const up = z.map((zk, k) => g(zk, k));
      return [0, 1].map((j) => up.reduce((acc, v, k) => acc + v * w1[j]![k]!, 0));
    });
  const a = expectRight(await deconvolution(adjacent, inputs));
  assertClose(await a.data(), through((z, k) => Math.max(dy[k]! * (Math.max(z, 0) > 0 ? 1 : 0), 0)), CLOSE, 'adjacent: relu(dy·[x_next > 0])');
  const b = expectRight(await deconvolution(separated, inputs));
  assertClose(await b.data(), through((_z, k) => Math.max(dy[k]!, 0)), CLOSE, 'separated: relu(relu(dy))');
  const g = expectRight(await guidedBackprop(adjacent, inputs));
  const g2 = expectRight(await guidedBackprop(separated, inputs));
  assertClose(await g.data(), await g2.data(), CLOSE, 'guided backprop is unaffected by adjacency');
  disposeAll(W1, W2, inputs, a, b, g, g2);
});

s('customAttributionFunc is called by its arity with arrays of multipliers, inputs and baselines; multiplyByInputs is then ignored', async () => {
  const base = tf.tensor2d([[0.5, -0.5, 0]]);
  const m = expectRight(await deepLift(mlp, x, { target: 0, baselines: base, multiplyByInputs: false }));
  const one = expectRight(await deepLift(mlp, x, { target: 0, baselines: base, customAttributionFunc: (mm) => mm.map((t) => tf.mul(t, 2)) }));
  const two = expectRight(await deepLift(mlp, x, { target: 0, baselines: base, multiplyByInputs: false, customAttributionFunc: (mm, xs) => mm.map((t, i) => tf.mul(t, xs![i]!)) }));
  const three = expectRight(await deepLift(mlp, x, { target: 0, baselines: base, customAttributionFunc: (mm, xs, bs) => mm.map((t, i) => tf.mul(t, tf.sub(xs![i]!, bs![i]!))) }));
  const plain = expectRight(await deepLift(mlp, x, { target: 0, baselines: base }));
  const mx = tf.tidy(() => tf.mul(m, x));
  const m2 = tf.tidy(() => tf.mul(m, 2));
  assertClose(await one.data(), await m2.data(), CLOSE, 'arity 1');
  assertClose(await two.data(), await mx.data(), CLOSE, 'arity 2');
  assertClose(await three.data(), await plain.data(), CLOSE, 'arity 3');
  const shap = expectRight(await deepLiftShap(mlp, x, { target: 0, baselines: tf.concat([base, base]), customAttributionFunc: (mm, xs, bs) => mm.map((t, i) => tf.mul(t, tf.sub(xs![i]!, bs![i]!))) }));
  assertClose(await shap.data(), await plain.data(), CLOSE, 'deepLiftShap with a custom function');
  disposeAll(base, m, one, two, three, plain, mx, m2, shap);
});

s('baselines may be a function for DeepLiftShap: called with no arguments or with the inputs; what it makes is released', async () => {
  const dist = tf.tensor2d([[0, 0, 0], [1, -1, 0.5]]);
  const given = expectRight(await deepLiftShap(mlp, x, { target: 1, baselines: dist }));
  await withoutLeaks('callable baselines', async () => {
    const none = expectRight(await deepLiftShap(mlp, x, { target: 1, baselines: () => tf.tensor2d([[0, 0, 0], [1, -1, 0.5]]) }));
    const withInputs = expectRight(await deepLiftShap(mlp, x, { target: 1, baselines: (inp) => tf.concat([tf.zerosLike(tf.slice(inp as tf.Tensor, 0, 1)), tf.tensor2d([[1, -1, 0.5]])]) }));
    const shared = expectRight(await deepLiftShap(mlp, x, { target: 1, baselines: () => dist }));
    for (const r of [none, withInputs, shared]) assertClose(await r.data(), await given.data(), CLOSE, 'callable');
    disposeAll(none, withInputs, shared);
  });
  assert(!dist.isDisposed, 'a tensor the function did not make stays the caller\'s');
  disposeAll(dist, given);
});

s('two calls in flight at once give the results they give alone (the rule scope covers only a synchronous gradient pass)', async () => {
  const alone = [expectRight(await deepLift(mlp, x, { target: 0 })), expectRight(await guidedBackprop(mlp, x, { target: 0 })), expectRight(await deconvolution(mlp, x, { target: 0 }))];
  const together = await Promise.all([deepLift(mlp, x, { target: 0 }), guidedBackprop(mlp, x, { target: 0 }), deconvolution(mlp, x, { target: 0 }), saliency(mlp, x, { target: 0, abs: false })]);
  for (const [i, r] of together.slice(0, 3).entries()) assertClose(await expectRight(r).data(), await alone[i]!.data(), { atol: 0, rtol: 0 }, `call ${i}`);
  const plainGrad = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.slice(mlpForward(t), [0, 0], [-1, 1])))(x));
  assertClose(await expectRight(together[3]!).data(), await plainGrad.data(), CLOSE, 'saliency in between sees plain gradients');
  disposeAll(alone, together.map((r) => expectRight(r)), plainGrad);
});

s('bad options and models are refused with a Left naming the argument', async () => {
  const layered = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2 })] });
  const relu = tfl.layers.reLU();
  const inp = tfl.input({ shape: [3] });
  const shared = tfl.model({ inputs: inp, outputs: relu.apply(tfl.layers.dense({ units: 3 }).apply(relu.apply(inp))) as tfl.SymbolicTensor });
  const [z23, z13, z24, z33] = [tf.zeros([2, 3]), tf.zeros([1, 3]), tf.zeros([2, 4]), tf.zeros([3, 3], 'int32')];
  await withoutLeaks('option errors', async () => {
    const path = async (r: Promise<unknown>, tags: string[]) => expectLeft((await r) as never, tags as never).map((e) => e.path);
    const has = (paths: string[], p: string) => assert(paths.includes(p), `paths ${paths.join(', ')} lack ${p}`);
    has(await path(deepLift(mlp, x, { epsilon: 1 } as never), ['InvalidArgument']), 'options.epsilon');
    const many = await path(deepLift(mlp, x, { eps: -1, multiplyByInputs: 'yes' as never, returnConvergenceDelta: 1 as never, customAttributionFunc: (() => []) as never }), ['InvalidArgument']);
    for (const p of ['options.eps', 'options.multiplyByInputs', 'options.returnConvergenceDelta', 'options.customAttributionFunc']) has(many, p);
    has(await path(deepLift(mlp, x, { target: 0, eps: Number.NaN }), ['InvalidArgument']), 'options.eps');
    has(await path(deepLift(mlp, x, { target: 0, customAttributionFunc: ((a: unknown, b: unknown, c: unknown, d: unknown) => [a, b, c, d]) as never }), ['InvalidArgument']), 'options.customAttributionFunc');
    has(await path(deepLift(mlp, x, { target: 0, customAttributionFunc: (m) => [m[0]!, m[0]!] }), ['InvalidArgument']), 'options.customAttributionFunc');
    has(await path(deepLift(mlp, x, { target: 0, customAttributionFunc: (_m) => { throw new Error('boom'); } }), ['ModelThrew']), 'options.customAttributionFunc');
    has(await path(deepLift(mlp, x, { target: 0, baselines: z23 }), ['BaselineShapeInvalid']), 'options.baselines');
    has(await path(deepLift(mlp, x, { target: 0, baselines: [0, 0] }), ['BaselineCountMismatch']), 'options.baselines');
    has(await path(deepLift(mlp, x), ['TargetRequiredForMultiOutput']), 'options.target');
    has(await path(deepLift(shared, x, { target: 0 }), ['InvalidArgument']), 'model');
    has(await path(deepLift(layered, x, { target: 0, additionalForwardArgs: ['x'] }), ['InvalidArgument']), 'options.additionalForwardArgs');
    has(await path(deepLift((t: tf.Tensor) => tf.slice(ops.relu(tf.slice(t, 0, 1)), 0, 1), x), ['ModelThrew']), 'model');
    has(await path(deepLiftShap(mlp, x, {} as never), ['InvalidArgument']), 'options.baselines');
    has(await path(deepLiftShap(mlp, x, { baselines: z13 }), ['InvalidArgument']), 'options.baselines');
    has(await path(deepLiftShap(mlp, x, { baselines: 0 as never }), ['BaselineTypeInvalid']), 'options.baselines');
    has(await path(deepLiftShap(mlp, x, { baselines: z24 }), ['InvalidArgument']), 'options.baselines');
    has(await path(deepLiftShap(mlp, x, { baselines: [z23, z23] }), ['BaselineCountMismatch']), 'options.baselines');
    has(await path(deepLiftShap(mlp, x, { baselines: () => { throw new Error('no data'); } }), ['ModelThrew']), 'options.baselines');
    has(await path(deepLiftShap(mlp, x, { baselines: z23, internalBatchSize: 0, eps: 1 } as never), ['InvalidArgument']), 'options.eps');
    has(await path(deepLiftShap(mlp, x, { baselines: z23, internalBatchSize: 1.5 }), ['InvalidArgument']), 'options.internalBatchSize');
    has(await path(guidedBackprop(mlp, x, { target: 0, baselines: 0 } as never), ['InvalidArgument']), 'options.baselines');
    has(await path(deconvolution(mlp, x, { target: 9 }), ['TargetIndexOutOfRange']), 'options.target');
    has(await path(guidedBackprop(mlp, z33, { target: 0 }), ['DtypeUnsupported']), 'inputs');
  });
  disposeAll(z23, z13, z24, z33);
  layered.dispose();
  shared.dispose();
});

s('hostile models, inputs, options and baselines give a Left (never a throw) and leak nothing', async () => {
  const disposed = tf.ones([3, 3]);
  disposed.dispose();
  const trap = new Proxy({}, { get: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); } });
  const dist = tf.zeros([2, 3]);
  const intDist = tf.zeros([2, 3], 'int32');
  const models: unknown[] = [null, {}, 'model', trap, () => 'not a tensor', () => { throw new Error('model failed'); }];
  const inputs: unknown[] = [null, 'x', [], disposed, [x, disposed], trap, tf.tensor1d([])];
  const options: unknown[] = [null, [], 5, 'o', trap, { target: trap }, { baselines: trap }, { additionalForwardArgs: trap }];
  const baselines: unknown[] = [trap, disposed, 'b', () => 3, () => trap, [dist, trap], intDist];
  const methods = [
    (m: unknown, i: unknown, o: unknown) => deepLift(m as never, i as never, o as never),
    (m: unknown, i: unknown, o: unknown) => deepLiftShap(m as never, i as never, (o === undefined ? { baselines: dist } : o) as never),
    (m: unknown, i: unknown, o: unknown) => guidedBackprop(m as never, i as never, o as never),
    (m: unknown, i: unknown, o: unknown) => deconvolution(m as never, i as never, o as never),
  ];
  await withoutLeaks('hostile values', async () => {
    for (const [k, method] of methods.entries()) {
      const calls: [string, () => Promise<unknown>][] = [
        ...models.map((m, i): [string, () => Promise<unknown>] => [`model ${i}`, () => method(m, x, k === 1 ? { baselines: dist, target: 0 } : { target: 0 })]),
        ...inputs.map((v, i): [string, () => Promise<unknown>] => [`inputs ${i}`, () => method(mlp, v, k === 1 ? { baselines: dist, target: 0 } : { target: 0 })]),
        ...options.map((o, i): [string, () => Promise<unknown>] => [`options ${i}`, () => method(mlp, x, o)]),
        ...(k === 1 ? baselines.map((b, i): [string, () => Promise<unknown>] => [`baselines ${i}`, () => method(mlp, x, { baselines: b, target: 0 })]) : []),
      ];
      for (const [what, call] of calls) {
        let r: unknown;
        try {
          r = await call();
        } catch (e) {
          throw new Error(`method ${k}, ${what}: threw ${String(e)}`);
        }
        assert((r as { _tag?: string })._tag === 'Left', `method ${k}, ${what}: expected a Left, got ${(r as { _tag?: string })._tag}`);
      }
    }
  });
  disposeAll(dist, intDist);
});

s('the doc examples give the values their comments state', async () => {
  const { relu } = ops;
  const w = tf.tensor2d([[1, -2], [3, 1]]);
  const xs = tf.tensor2d([[1, 1], [2, 1]]);
  const dl = expectRight(await deepLift((t: tf.Tensor) => tf.sum(relu(tf.matMul(t, w)), 1, true), xs, { baselines: 0, returnConvergenceDelta: true }));
  assertClose(await dl.attributions.data(), [1, 3, 2, 3], CLOSE, 'deepLift');
  assertClose(await dl.delta.data(), [0, 0], CLOSE, 'deepLift delta');
  const w2x = tf.tensor2d([[1, -1], [-2, 1]]);
  const v = tf.tensor2d([[1], [-1]]);
  const small: Model = (t: tf.Tensor) => tf.matMul(relu(tf.matMul(t, w2x)), v);
  const one = tf.tensor2d([[3, 1]]);
  for (const call of [guidedBackprop, deconvolution]) {
    const r = expectRight(await call(small, one));
    assertClose(await r.data(), [1, -2], CLOSE, call.descriptor.className);
    r.dispose();
  }
  const xr = tf.tensor2d([[1, -2]]);
  const dist = tf.tensor2d([[0, 0], [-1, 1]]);
  const shap = expectRight(await deepLiftShap((t: tf.Tensor) => tf.sum(relu(t), 1, true), xr, { baselines: dist, returnConvergenceDelta: true }));
  assertClose(await shap.attributions.data(), [1, -0.5], CLOSE, 'deepLiftShap');
  assertClose(await shap.delta.data(), [0, 0], CLOSE, 'deepLiftShap delta');
  disposeAll(w, xs, dl, w2x, v, one, xr, dist, shap);
});

s('each method carries its Captum descriptor', () => {
  assert(deepLift.descriptor.className === 'DeepLift' && deepLift.descriptor.name === 'Deep Lift' && deepLift.descriptor.multipliesByInputs && deepLift.descriptor.hasConvergenceDelta, 'deepLift');
  assert(deepLiftShap.descriptor.className === 'DeepLiftShap' && deepLiftShap.descriptor.hasConvergenceDelta, 'deepLiftShap');
  assert(guidedBackprop.descriptor.className === 'GuidedBackprop' && !guidedBackprop.descriptor.hasConvergenceDelta, 'guidedBackprop');
  assert(deconvolution.descriptor.className === 'Deconvolution' && !deconvolution.descriptor.multipliesByInputs, 'deconvolution');
});

s.run();
