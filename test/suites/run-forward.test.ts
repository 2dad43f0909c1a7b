import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { runForward } from '../../src/index.js';
import { loadCases } from '../support/fixtures.js';
import { checkForwardCase } from '../support/reference-runs.js';
import { assert, assertClose, disposeAll, expectLeft, expectRight, parityCases, withoutLeaks } from '../support/harness.js';
import { referenceModel } from '../support/models.js';

parityCases('forwardTarget', loadCases('forward_target.json'), (c) => checkForwardCase(c, referenceModel(c.model as string)));

const s = suite('runForward');
const table = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
const identity = (x: tf.Tensor) => x;
s('selects Captum spec 2.8 worked examples on a 2-D output', async () => {
  const cases: [unknown, number[]][] = [
    [1, [2, 5, 8]],
    [-1, [3, 6, 9]],
    [[1, 2, 0], [2, 6, 7]],
  ];
  for (const [t, want] of cases) {
    const out = expectRight(await runForward(identity, table, t as never));
    assertClose(await out.data(), want, { atol: 0, rtol: 0 });
    out.dispose();
  }
});
s('spreads array inputs and appends extra arguments after them', async () => {
  const seen: unknown[] = [];
  const model = (...args: unknown[]) => {
    seen.push(...args.map((a) => (a instanceof tf.Tensor ? `tensor${JSON.stringify(a.shape)}` : a)));
    return tf.add(args[0] as tf.Tensor, args[1] as tf.Tensor);
  };
  const a = tf.ones([2, 2]);
  const b = tf.ones([2, 2]);
  const out = expectRight(await runForward(model, [a, b], undefined, [3, 'mode']));
  assert(JSON.stringify(seen) === JSON.stringify(['tensor[2,2]', 'tensor[2,2]', 3, 'mode']), `model saw ${JSON.stringify(seen)}`);
  disposeAll(out, a, b);
});
s('passes a non-array extra argument as one argument', async () => {
  let got: unknown[] = [];
  const model = (x: tf.Tensor, ...rest: unknown[]) => {
    got = rest;
    return tf.clone(x);
  };
  const out = expectRight(await runForward(model, table, undefined, { scale: 2 }));
  assert(got.length === 1 && (got[0] as { scale: number }).scale === 2, 'one argument, the object');
  out.dispose();
});
s('returns a tensor the caller owns even when the model returns its input', async () => {
  const out = expectRight(await runForward(identity, table));
  out.dispose();
  assert(!table.isDisposed, 'the input survives disposing the output');
});
s('turns a throwing model into a ModelThrew Left without leaking', async () => {
  await withoutLeaks('throwing model', async () => {
    const model = (x: tf.Tensor) => {
      tf.mul(x, 2); // an intermediate that must be freed
      throw new Error('boom');
    };
    const [e] = expectLeft(await runForward(model, table, 0), ['ModelThrew']);
    assert(e?._tag === 'ModelThrew' && e.message === 'boom', 'keeps the model message');
  });
});
s('works on an empty batch with an int target', async () => {
  const empty = tf.zeros([0, 3]);
  const out = expectRight(await runForward(identity, empty, 1));
  assert(out.shape.length === 1 && out.shape[0] === 0, 'empty result');
  disposeAll(out, empty);
});
s.after(() => table.dispose());
s.run();
