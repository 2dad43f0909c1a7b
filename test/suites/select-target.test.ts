import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { applyTarget, resolveTarget, selectTarget, target, validateTarget } from '../../src/index.js';
import { assert, assertClose, assertShape, disposeAll, expectLeft, expectRight, withoutLeaks } from '../support/harness.js';

const s = suite('selectTarget follows Captum spec 2.8');
const O = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
const O3 = tf.reshape(tf.range(0, 24), [2, 3, 4]);
const exact = { atol: 0, rtol: 0 };

async function select(out: tf.Tensor, t: Parameters<typeof selectTarget>[1]): Promise<tf.Tensor> {
  return expectRight(await selectTarget(out, t));
}

s('2-D output: none, 1, -1, tensor(0), tensor([2]), tensor([1,2,0]), [1,2,0], [(1,),(2,),(0,)]', async () => {
  const t0 = tf.scalar(0, 'int32');
  const t2 = tf.tensor1d([2], 'int32');
  const tN = tf.tensor1d([1, 2, 0], 'int32');
  const cases: [Parameters<typeof selectTarget>[1], number[]][] = [
    [undefined, [1, 2, 3, 4, 5, 6, 7, 8, 9]],
    [1, [2, 5, 8]],
    [-1, [3, 6, 9]],
    [t0, [1, 4, 7]],
    [t2, [3, 6, 9]],
    [tN, [2, 6, 7]],
    [[1, 2, 0], [2, 6, 7]],
    [target.perExamplePath([[1], [2], [0]]), [2, 6, 7]],
  ];
  for (const [t, want] of cases) {
    const out = await select(O, t);
    assertClose(await out.data(), want, exact, JSON.stringify(t));
    out.dispose();
  }
  disposeAll(t0, t2, tN);
});
s('2-D output rejections: (1,2), wrong-length list and tensor, (N,1) tensor, floats, out of range', async () => {
  const t4 = tf.tensor1d([0, 0, 0, 0], 'int32');
  const tCol = tf.tensor2d([[0], [0], [0]], undefined, 'int32');
  const tFloat = tf.tensor1d([1, 0, 2]);
  await withoutLeaks('rejections', async () => {
    expectLeft(await selectTarget(O, target.path(1, 2)), ['TargetTooManyIndices']);
    expectLeft(await selectTarget(O, [0, 0]), ['TargetCountMismatch']);
    expectLeft(await selectTarget(O, t4), ['TargetTensorShapeInvalid']);
    expectLeft(await selectTarget(O, tCol), ['TargetTensorShapeInvalid']);
    expectLeft(await selectTarget(O, tFloat), ['DtypeUnsupported']);
    expectLeft(await selectTarget(O, 1.5), ['InvalidArgument']);
    expectLeft(await selectTarget(O, [1.5, 0, 1]), ['InvalidArgument']);
    expectLeft(await selectTarget(O, true as never), ['TargetTypeInvalid']);
    expectLeft(await selectTarget(O, 3), ['TargetIndexOutOfRange']);
    expectLeft(await selectTarget(O, [0, -1, 0]), ['TargetIndexOutOfRange']);
  });
  disposeAll(t4, tCol, tFloat);
});
s('3-D output: 1 -> [N, d2]; (0,1); (0,); [(0,1),(2,3)]; a list or tensor of N -> Left', async () => {
  const a = await select(O3, 1);
  assertShape(a, [2, 4]);
  assertClose(await a.data(), [4, 5, 6, 7, 16, 17, 18, 19], exact);
  const b = await select(O3, target.path(0, 1));
  assertClose(await b.data(), [1, 13], exact);
  const c = await select(O3, target.path(0));
  assertShape(c, [2, 4]);
  const d = await select(O3, target.perExamplePath([[0, 1], [2, 3]]));
  assertClose(await d.data(), [1, 23], exact);
  const e = await select(O3, target.perExamplePath([[0], [2]]));
  assertShape(e, [2, 4]);
  assertClose(await e.data(), [0, 1, 2, 3, 20, 21, 22, 23], exact);
  const tN = tf.tensor1d([0, 1], 'int32');
  expectLeft(await selectTarget(O3, [0, 1]), ['TargetNeeds2DOutput']);
  expectLeft(await selectTarget(O3, tN), ['TargetNeeds2DOutput']);
  disposeAll(a, b, c, d, e, tN);
});
s('1-D output: none and () keep it; an int, a list or a tensor of N are refused', async () => {
  const v = tf.tensor1d([1, 2, 3]);
  const tN = tf.tensor1d([0, 0, 0], 'int32');
  const same = await select(v, target.path());
  assertClose(await same.data(), [1, 2, 3], exact);
  expectLeft(await selectTarget(v, 0), ['TargetTooManyIndices']);
  expectLeft(await selectTarget(v, [0, 0, 0]), ['TargetNeeds2DOutput']);
  expectLeft(await selectTarget(v, tN), ['TargetNeeds2DOutput']);
  disposeAll(v, tN, same);
});
s('an empty batch with an int target gives an empty result', async () => {
  const empty = tf.zeros([0, 3]);
  const r = await select(empty, 1);
  assertShape(r, [0]);
  disposeAll(empty, r);
});
s('keeps NaN and Inf of other classes out of a per-example selection', async () => {
  const wild = tf.tensor2d([[1, Number.POSITIVE_INFINITY], [Number.NaN, 4]]);
  const r = await select(wild, [0, 1]);
  assertClose(await r.data(), [1, 4], exact);
  disposeAll(wild, r);
});
s('target.reduce applies a custom reduction, which must keep the batch', async () => {
  const sumAll = await select(O, target.reduce((out) => tf.sum(out, 1)));
  assertClose(await sumAll.data(), [6, 15, 24], exact);
  expectLeft(await selectTarget(O, target.reduce((out) => tf.sum(out))), ['ModelOutputInvalid']);
  expectLeft(
    await selectTarget(O, target.reduce(() => {
      throw new Error('no');
    })),
    ['ModelThrew'],
  );
  sumAll.dispose();
});
s('resolveTarget reads tensor targets once; applyTarget then works synchronously; validateTarget checks counts', async () => {
  const tN = tf.tensor1d([2, 0, 1], 'int32');
  const resolved = expectRight(await resolveTarget(tN));
  assert(resolved.kind === 'tensorValues' && resolved.values.join() === '2,0,1', 'values read out');
  const picked = tf.tidy(() => expectRight(applyTarget(O, resolved)));
  assertClose(await picked.data(), [3, 4, 8], exact);
  expectRight(validateTarget(3, resolved));
  expectLeft(validateTarget(4, resolved), ['TargetCountMismatch']);
  // Captum's _validate_target passes a 2-D (N, k) tensor (it reads len = N) and ints, tuples, None.
  const t2d = tf.tensor2d([[0], [1], [2]], undefined, 'int32');
  expectRight(validateTarget(3, expectRight(await resolveTarget(t2d))));
  expectRight(validateTarget(3, expectRight(await resolveTarget(7))));
  disposeAll(tN, picked, t2d);
});
s.after(() => disposeAll(O, O3));
s.run();
