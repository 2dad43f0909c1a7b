import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { convergenceDelta, type Model } from '../../src/index.js';
import { type ItemsJson, type ReferenceCase, type TargetJson, type TensorJson, loadCases, tensorsIn, toArgs, toBaselines, toItems, toTarget } from '../support/fixtures.js';
import { assert, assertClose, assertTensor, disposeAll, expectCategory, expectLeft, expectRight, PARITY, parityCases, withoutLeaks } from '../support/harness.js';
import { referenceModel } from '../support/models.js';

function decode(c: ReferenceCase) {
  return {
    model: referenceModel(c.model as string),
    attributions: toItems(c.args['attributions'] as ItemsJson),
    endPoint: toItems(c.args['end_point'] as ItemsJson),
    startPoint: toBaselines(c.args['start_point']),
    target: toTarget(c.args['target'] as TargetJson),
    additionalForwardArgs: toArgs(c.args['additional_forward_args']),
  };
}
const release = (d: ReturnType<typeof decode>) =>
  disposeAll(d.attributions, d.endPoint, tensorsIn(d.startPoint), tensorsIn(d.target), tensorsIn(d.additionalForwardArgs));

parityCases(
  'convergenceDelta',
  loadCases('convergence_delta.json'),
  async (c) => {
    const d = decode(c);
    await withoutLeaks(c.id, async () => {
      const r = await convergenceDelta(d.model, d as never);
      if (c.error !== undefined) return expectCategory(r, c.error, c.id);
      const delta = expectRight(r, c.id);
      await assertTensor(delta, (c.expected as { delta: TensorJson }).delta, PARITY, 'delta');
      delta.dispose();
    });
    release(d);
  },
  {
    'pub.convergenceDelta.two_in.quirk-surplus-start-point.0300': {
      reason: 'three start points for two inputs are refused; Captum silently drops the third',
      check: async (c) => {
        const d = decode(c);
        await withoutLeaks(c.id, async () => {
          expectLeft(await convergenceDelta(d.model, d as never), ['BaselineCountMismatch']);
        });
        release(d);
      },
    },
  },
);

const s = suite('convergenceDelta');
const x = tf.tensor2d([[1, 2], [3, 4]]);
const attrs = tf.tensor2d([[1, 1], [2, 2]]);
const squares = (t: tf.Tensor) => tf.sum(tf.square(t), 1, true); // s = sum x^2, [N,1]
const twoOutputs = (t: tf.Tensor, scale?: unknown) => {
  const out = tf.concat([squares(t), tf.mul(squares(t), 2)], 1); // [s, 2s]
  return scale === undefined ? out : tf.mul(out, scale as tf.Tensor | number);
};

s('matches Captum spec 3.2 on the [s, 2s] model', async () => {
  const start10 = tf.tensor2d([[1, 0]]);
  const perExample = tf.tensor2d([[1], [10]]);
  const tensorTarget = tf.tensor1d([1, 0], 'int32');
  const cases: [string, object, number[]][] = [
    ['target 0', { target: 0 }, [-3, -21]],
    ['target 1', { target: 1 }, [-8, -46]],
    ['no target: all outputs summed', {}, [-13, -71]],
    ['start 1', { target: 0, startPoint: 1 }, [-1, -19]],
    ['one-example start [[1,0]]', { target: 0, startPoint: start10 }, [-2, -20]],
    ['per-example target [0,1]', { target: [0, 1] }, [-3, -46]],
    ['tensor target [1,0]', { target: tensorTarget }, [-8, -21]],
    ['extra argument 2.0', { target: 0, additionalForwardArgs: [2.0] }, [-8, -46]],
    ['per-example extra tensor', { target: 0, additionalForwardArgs: [perExample] }, [-3, -246]],
  ];
  for (const [what, opts, want] of cases) {
    const d = expectRight(await convergenceDelta(twoOutputs as Model, { attributions: attrs, endPoint: x, ...opts }), what);
    assertClose(await d.data(), want, { atol: 1e-5, rtol: 0 }, what);
    d.dispose();
  }
  const layerShaped = tf.ones([2, 5]);
  const d = expectRight(await convergenceDelta(twoOutputs as Model, { attributions: layerShaped, endPoint: x, target: 0 }));
  assertClose(await d.data(), [0, -20], { atol: 1e-5, rtol: 0 }, 'layer-shaped attributions');
  disposeAll(d, layerShaped, start10, perExample, tensorTarget);
});
s('refuses a wrong target count, an attribution batch mismatch and (2,3) or (1,3) start points', async () => {
  const shortAttrs = tf.ones([1, 2]);
  const start23 = tf.zeros([2, 3]);
  const start13 = tf.zeros([1, 3]);
  await withoutLeaks('refusals', async () => {
    expectLeft(await convergenceDelta(twoOutputs as Model, { attributions: attrs, endPoint: x, target: [0, 1, 0] }), ['TargetCountMismatch']);
    expectLeft(await convergenceDelta(twoOutputs as Model, { attributions: shortAttrs, endPoint: x, target: 0 }), ['AttributionBatchMismatch']);
    expectLeft(await convergenceDelta(twoOutputs as Model, { attributions: attrs, endPoint: x, target: 0, startPoint: start23 }), ['BaselineShapeInvalid']);
    expectLeft(await convergenceDelta(twoOutputs as Model, { attributions: attrs, endPoint: x, target: 0, startPoint: start13 }), ['BaselineShapeInvalid']);
  });
  disposeAll(shortAttrs, start23, start13);
});
s('handles two inputs: f = sum x1 + 3 sum x2', async () => {
  const x1 = tf.tensor2d([[1, 2], [3, 4]]);
  const x2 = tf.tensor2d([[1], [2]]);
  const a1 = tf.tensor2d([[1, 2], [3, 4]]);
  const a2 = tf.tensor2d([[3], [6]]);
  const start2 = tf.tensor2d([[1]]);
  const f = ((p: tf.Tensor, q: tf.Tensor) => tf.add(tf.sum(p, 1), tf.mul(tf.sum(q, 1), 3))) as Model;
  const d0 = expectRight(await convergenceDelta(f, { attributions: [a1, a2], endPoint: [x1, x2] }));
  assertClose(await d0.data(), [0, 0], { atol: 1e-6, rtol: 0 });
  const d1 = expectRight(await convergenceDelta(f, { attributions: [a1, a2], endPoint: [x1, x2], startPoint: [0, start2] }));
  assertClose(await d1.data(), [3, 3], { atol: 1e-6, rtol: 0 });
  expectLeft(await convergenceDelta(f, { attributions: [a1, a2], endPoint: [x1, x2], startPoint: [0] }), ['BaselineCountMismatch']);
  disposeAll(d0, d1, x1, x2, a1, a2, start2);
});
s('runs exactly two forward passes, the start point first, outside any gradient tape', async () => {
  const seen: tf.Tensor[] = [];
  const taped: boolean[] = [];
  const engineState = (tf.engine() as unknown as { state: { gradientDepth: number } }).state;
  const spy = ((t: tf.Tensor) => {
    seen.push(tf.keep(tf.clone(t)));
    taped.push(engineState.gradientDepth > 0);
    return squares(t);
  }) as Model;
  const start = tf.fill([2, 2], 0.5);
  const d = expectRight(await convergenceDelta(spy, { attributions: attrs, endPoint: x, startPoint: start, target: 0 }));
  assert(seen.length === 2, `two forward calls, got ${seen.length}`);
  assertClose([...(await seen[0]!.data()), ...(await seen[1]!.data())], [0.5, 0.5, 0.5, 0.5, 1, 2, 3, 4], { atol: 0, rtol: 0 }, 'start, then end');
  assert(!taped.some(Boolean), 'no forward pass ran under a gradient tape');
  disposeAll(d, start, seen);
});
s('refuses an int target on a 1-D output and a 0-d model output', async () => {
  const oneD = ((t: tf.Tensor) => tf.sum(t, 1)) as Model;
  const zeroD = ((t: tf.Tensor) => tf.sum(t)) as Model;
  expectLeft(await convergenceDelta(oneD, { attributions: attrs, endPoint: x, target: 0 }), ['TargetTooManyIndices']);
  expectLeft(await convergenceDelta(zeroD, { attributions: attrs, endPoint: x }), ['ModelOutputInvalid']);
});
s('gives the closed-form deltas of Riemann IG on f = sum x^2 (left -0.5/-2.5, right +0.5/+2.5, middle 0)', async () => {
  // IG with baseline 0: attr_j = x_j * mean_k(2 alpha_k x_j) = 2 x_j^2 mean(alpha); F(x) - F(0) = sum x^2.
  const n = 10;
  const alphas = {
    left: Array.from({ length: n }, (_, k) => k / n),
    right: Array.from({ length: n }, (_, k) => (k + 1) / n),
    middle: Array.from({ length: n }, (_, k) => (k + 0.5) / n),
  };
  const want = { left: [-0.5, -2.5], right: [0.5, 2.5], middle: [0, 0] };
  for (const [rule, a] of Object.entries(alphas) as [keyof typeof want, number[]][]) {
    const meanAlpha = a.reduce((p, q) => p + q, 0) / n;
    const ig = tf.tidy(() => tf.mul(tf.square(x), 2 * meanAlpha));
    const d = expectRight(await convergenceDelta(squares as Model, { attributions: ig, endPoint: x, target: 0 }));
    assertClose(await d.data(), want[rule], { atol: 1e-5, rtol: 0 }, rule);
    disposeAll(d, ig);
  }
});
s('works on int inputs as Captum does: a start point 0.5 on an int32 end point is truncated to 0 (spec 4.7)', async () => {
  const ints = tf.tensor2d([[1, 2]], undefined, 'int32');
  const sumModel = ((t: tf.Tensor) => tf.sum(t, 1)) as Model;
  const ones = tf.tensor2d([[1, 1]]);
  const ends = tf.tensor2d([[2, 3]], undefined, 'int32');
  // Captum: f(x) = sum x, attribution [[1, 1]], end [[2, 3]], start 0 -> [-3]
  const d1 = expectRight(await convergenceDelta(sumModel, { attributions: ones, endPoint: ends }));
  assertClose(await d1.data(), [-3], { atol: 0, rtol: 0 });
  // Captum: IG(int [[1, 2]], baselines=0.5) on f = sum x^2 gives [[0.75, 3.75]] and delta [-0.5]
  const igAttrs = tf.tensor2d([[0.75, 3.75]]);
  const squareModel = ((t: tf.Tensor) => tf.sum(tf.square(t), 1)) as Model;
  const d2 = expectRight(await convergenceDelta(squareModel, { attributions: igAttrs, endPoint: ints, startPoint: 0.5 }));
  assertClose(await d2.data(), [-0.5], { atol: 1e-6, rtol: 0 });
  disposeAll(ints, ones, ends, igAttrs, d1, d2);
});
s.after(() => disposeAll(x, attrs));
s.run();
