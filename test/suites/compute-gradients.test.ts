import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { computeGradients } from '../../src/index.js';
import { loadCases } from '../support/fixtures.js';
import { checkGradientsCase } from '../support/reference-runs.js';
import { assertClose, disposeAll, expectLeft, expectRight, parityCases, withoutLeaks } from '../support/harness.js';
import { referenceModel } from '../support/models.js';

parityCases('gradients', loadCases('gradients.json'), (c) => checkGradientsCase(c, referenceModel(c.model as string)));

const s = suite('computeGradients');
const x = tf.tensor2d([[1, 2], [3, 4]]);
const sumSquares = (t: tf.Tensor) => tf.sum(tf.square(t), 1);
s('gives 2x for f(x) = sum_j x_j^2, checked against central finite differences too', async () => {
  const g = expectRight(await computeGradients(sumSquares, x)) as tf.Tensor;
  assertClose(await g.data(), [2, 4, 6, 8], { atol: 1e-6, rtol: 0 });
  // central differences of the same function, in float64 JS maths
  const rows = [[1, 2], [3, 4]];
  const f = (v: number[]) => v.reduce((a, b) => a + b * b, 0);
  const h = 1e-3;
  const shifted = (row: number[], j: number, d: number) => row.map((r, k) => (k === j ? r + d : r));
  const fd = rows.flatMap((row) => row.map((_, j) => (f(shifted(row, j, h)) - f(shifted(row, j, -h))) / (2 * h)));
  assertClose(await g.data(), fd, { atol: 1e-4, rtol: 1e-4 });
  g.dispose();
});
s('needs no target for an [N,1] output and refuses an [N,2] output without one', async () => {
  const one = (t: tf.Tensor) => tf.sum(t, 1, true);
  const two = (t: tf.Tensor) => tf.concat([tf.sum(t, 1, true), tf.sum(tf.square(t), 1, true)], 1);
  disposeAll(expectRight(await computeGradients(one, x)));
  expectLeft(await computeGradients(two, x), ['TargetRequiredForMultiOutput']);
  const g1 = expectRight(await computeGradients(two, x, 1)) as tf.Tensor;
  assertClose(await g1.data(), [2, 4, 6, 8], { atol: 1e-6, rtol: 0 });
  g1.dispose();
});
s('refuses a 0-d output, an input the model never uses, and int32 inputs', async () => {
  await withoutLeaks('refusals', async () => {
    expectLeft(await computeGradients((t: tf.Tensor) => tf.sum(t), x), ['ModelOutputInvalid']);
    const y = tf.ones([2, 2]);
    expectLeft(await computeGradients((a: tf.Tensor) => tf.sum(a, 1), [x, y]), ['GradientUnavailable']);
    const ints = tf.ones([2, 2], 'int32');
    expectLeft(await computeGradients(sumSquares, ints), ['DtypeUnsupported']);
    disposeAll(y, ints);
  });
});
s('gives gradient-of-sum semantics for a model that mixes rows (as Captum)', async () => {
  // f_i(x) = x_i . sum_k x_k (row-coupled): d(sum_i f_i)/dx_j = 2 sum_k x_k
  const coupled = (t: tf.Tensor) => tf.sum(tf.mul(t, tf.sum(t, 0, true)), 1);
  const g = expectRight(await computeGradients(coupled, x)) as tf.Tensor;
  assertClose(await g.data(), [8, 12, 8, 12], { atol: 1e-5, rtol: 0 });
  g.dispose();
});
s.after(() => x.dispose());
s.run();
