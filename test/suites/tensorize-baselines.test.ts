import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { tensorizeBaselines } from '../../src/index.js';
import { type ItemsJson, type ReferenceCase, type TensorJson, loadCases, tensorsIn, toBaselines, toItems } from '../support/fixtures.js';
import { assert, assertClose, assertTensor, disposeAll, expectCategory, expectLeft, expectRight, PARITY, parityCases, withoutLeaks } from '../support/harness.js';

function decode(c: ReferenceCase) {
  return { inputs: toItems(c.args['inputs'] as ItemsJson), baselines: toBaselines(c.args['baselines']) };
}

parityCases(
  'tensorizeBaseline',
  loadCases('baselines.json'),
  async (c) => {
    const { inputs, baselines } = decode(c);
    await withoutLeaks(c.id, async () => {
      const r = tensorizeBaselines(inputs, baselines as never);
      if (c.error !== undefined) return expectCategory(r, c.error, c.id);
      const got = expectRight(r, c.id);
      assert(Array.isArray(got) === Array.isArray(inputs), 'the result mirrors the form of inputs');
      const want = (c.expected as { baselines: ItemsJson }).baselines.items;
      for (const [i, t] of (Array.isArray(got) ? got : [got]).entries()) await assertTensor(t, want[i] as TensorJson, PARITY, `baselines[${i}]`);
      disposeAll(got);
    });
    disposeAll(inputs, tensorsIn(baselines));
  },
  {
    'pub.tensorizeBaseline.quirk-batch1-othershape.0167': {
      reason: 'a one-example baseline [1,5] for an input [3,3,2] is refused; Captum repeats it to [3,5] unchecked',
      check: async (c) => {
        const { inputs, baselines } = decode(c);
        await withoutLeaks(c.id, async () => {
          expectLeft(tensorizeBaselines(inputs, baselines as never), ['BaselineShapeInvalid']);
        });
        disposeAll(inputs, tensorsIn(baselines));
      },
    },
  },
);

const s = suite('tensorizeBaselines');
s('fills a number with the input dtype (0.5 on int32 becomes 0, as in Captum)', async () => {
  const x = tf.tensor2d([[1, 2]], undefined, 'int32');
  const b = expectRight(tensorizeBaselines(x, 0.5)) as tf.Tensor;
  assert(b.dtype === 'int32', 'int32 baseline');
  assertClose(await b.data(), [0, 0], { atol: 0, rtol: 0 });
  disposeAll(x, b);
});
s('gives zeros (false for bool) without baselines, and repeats a one-example baseline', async () => {
  const x = tf.ones([3, 2]);
  const flag = tf.ones([3, 2], 'bool');
  const [zeros, falses] = expectRight(tensorizeBaselines([x, flag])) as tf.Tensor[];
  assert(falses?.dtype === 'bool', 'bool zeros');
  assertClose(await zeros!.data(), [0, 0, 0, 0, 0, 0], { atol: 0, rtol: 0 });
  const one = tf.tensor2d([[7, 8]]);
  const tiled = expectRight(tensorizeBaselines(x, one)) as tf.Tensor;
  assertClose(await tiled.data(), [7, 8, 7, 8, 7, 8], { atol: 0, rtol: 0 });
  disposeAll(x, flag, zeros, falses, one, tiled);
});
s('treats a 0-d tensor as a number (Captum raises IndexError)', async () => {
  const x = tf.ones([2, 2]);
  const b0 = tf.scalar(3);
  const b = expectRight(tensorizeBaselines(x, b0)) as tf.Tensor;
  assertClose(await b.data(), [3, 3, 3, 3], { atol: 0, rtol: 0 });
  disposeAll(x, b0, b);
});
s('hands back a new tensor even when the baseline already has the input shape', async () => {
  const x = tf.ones([2, 2]);
  const same = tf.zeros([2, 2]);
  const b = expectRight(tensorizeBaselines(x, same)) as tf.Tensor;
  b.dispose();
  assert(!same.isDisposed, 'disposing the result leaves the caller baseline alive');
  disposeAll(x, same);
});
s('reports every problem at once: a bad element, a wrong count and a wrong shape', () => {
  const x = tf.ones([3, 2]);
  const wrong = tf.ones([2, 2]);
  const errors = expectLeft(tensorizeBaselines([x, x], [Number.NaN, 'zeros' as never, 1] as never), ['BaselineTypeInvalid', 'BaselineCountMismatch']);
  assert(errors.length === 3, `three errors, got ${errors.length}`);
  const shape = expectLeft(tensorizeBaselines([x, x], [0, wrong]), ['BaselineShapeInvalid']);
  assert(shape[0]?.path === 'baselines[1]', `path names the element, got ${shape[0]?.path}`);
  disposeAll(x, wrong);
});
s('rejects (3,1), (4,), (2,4) and (0,4) baselines for a (3,4) input, accepts (1,4)', () => {
  const x = tf.ones([3, 4]);
  for (const shape of [[3, 1], [4], [2, 4], [0, 4]]) {
    const b = tf.zeros(shape);
    expectLeft(tensorizeBaselines(x, b), ['BaselineShapeInvalid'], `baseline [${shape.join(',')}]`);
    b.dispose();
  }
  const ok = tf.zeros([1, 4]);
  disposeAll(expectRight(tensorizeBaselines(x, ok)), ok, x);
});
s.run();
