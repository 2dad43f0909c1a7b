// A tf.LayersModel works wherever a model is taken: the reference cases on single-input models, rebuilt with tfjs-layers.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { suite } from 'uvu';
import { computeGradients, convergenceDelta, message, runForward } from '../../src/index.js';
import { type ReferenceCase, loadCases } from '../support/fixtures.js';
import { assert, assertClose, disposeAll, expectLeft, expectRight, parityCases, withoutLeaks } from '../support/harness.js';
import { checkForwardCase, checkGradientsCase } from '../support/reference-runs.js';
import { layersModelOf } from '../support/models.js';

const models = new Map<string, tfl.LayersModel | undefined>();
const modelFor = (name: string) => {
  if (!models.has(name)) models.set(name, layersModelOf(name));
  return models.get(name);
};
/** Cases a LayersModel can run: single-input models, no extra arguments (a LayersModel takes only its inputs). */
const usable = (c: ReferenceCase) => c.args['additional_forward_args'] === null && c.model !== null && modelFor(c.model) !== undefined;

parityCases('forwardTarget[LayersModel]', loadCases('forward_target.json').filter(usable), (c) => checkForwardCase(c, modelFor(c.model as string)!));
parityCases('gradients[LayersModel]', loadCases('gradients.json').filter(usable), (c) => checkGradientsCase(c, modelFor(c.model as string)!));

const s = suite('a tf.LayersModel as the model');
s('feeds extra tensor arguments as extra model inputs, and refuses non-tensor ones', async () => {
  const a = tfl.input({ shape: [2] });
  const b = tfl.input({ shape: [2] });
  const sum = tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [a, b], outputs: sum });
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const y = tf.tensor2d([[10, 20], [30, 40]]);
  await withoutLeaks('extra inputs', async () => {
    const out = expectRight(await runForward(model, x, 1, [y]));
    assertClose(await out.data(), [22, 44], { atol: 0, rtol: 0 });
    out.dispose();
    const [e] = expectLeft(await runForward(model, x, 1, [2]), ['InvalidArgument']);
    assert(e?.path === 'additionalForwardArgs', `path ${e?.path}`);
  });
  disposeAll(x, y);
  model.dispose();
});
s('computes a convergence delta through a LayersModel', async () => {
  const model = modelFor('mlp')!;
  const x = tf.randomUniform([3, 6], -1, 1, 'float32', 3);
  const zeros = tf.zerosLike(x);
  const [fx, f0] = [model.predict(x) as tf.Tensor, model.predict(zeros) as tf.Tensor];
  // attributions that sum exactly to F(x) - F(0) for target 2 spread over 6 features: delta ~ 0
  const gap = tf.tidy(() => tf.sub(tf.slice(fx, [0, 2], [-1, 1]), tf.slice(f0, [0, 2], [-1, 1])));
  const attributions = tf.tidy(() => tf.tile(tf.div(gap, 6), [1, 6]));
  const d = expectRight(await convergenceDelta(model, { attributions, endPoint: x, target: 2 }));
  assertClose(await d.data(), [0, 0, 0], { atol: 1e-5, rtol: 0 });
  disposeAll(d, x, zeros, fx, f0, gap, attributions);
});
s('an unbound model.predict gets a Left that says to pass the model itself or x => model.predict(x)', async () => {
  const model = modelFor('mlp')!;
  const x = tf.randomUniform([2, 6], -1, 1, 'float32', 5);
  await withoutLeaks('unbound predict', async () => {
    const [e] = expectLeft(await computeGradients(model.predict as never, x, 1), ['ModelThrew']);
    const text = message([e!]);
    assert(text.includes('Pass the model itself, or x => model.predict(x)'), `message: ${text}`);
    // the same slip with a plain method that reads \`this\`
    const holder = { scale: 2, forward(t: tf.Tensor) { return tf.mul(t, this.scale); } };
    const [f] = expectLeft(await runForward(holder.forward as never, x, 1), ['ModelThrew']);
    assert(message([f!]).includes('x => model.forward(x)'), `message: ${message([f!])}`);
    // a model that throws a TypeError without using \`this\` gets no such hint
    const [g] = expectLeft(await runForward((() => { throw new TypeError('Cannot read properties of undefined (reading \'x\')'); }) as never, x, 1), ['ModelThrew']);
    assert(!message([g!]).includes('Pass the model itself'), `message: ${message([g!])}`);
    // passing the model, or a bound arrow, works
    expectRight(await computeGradients(model, x, 1)).dispose();
    expectRight(await computeGradients((t: tf.Tensor) => model.predict(t) as tf.Tensor, x, 1)).dispose();
  });
  x.dispose();
});
s.run();
