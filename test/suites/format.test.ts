import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { formatAdditionalForwardArgs, formatOutput, formatTensorIntoTuple } from '../../src/index.js';
import { assert, disposeAll, expectLeft, expectRight } from '../support/harness.js';

const s = suite('formatting follows Captum spec 2.1 and 2.2');
const a = tf.ones([2, 3]);
const b = tf.zeros([2, 1]);
s('formatTensorIntoTuple: a tensor is one element not marked as a tuple; an array keeps its elements', () => {
  const one = expectRight(formatTensorIntoTuple(a, 'inputs'));
  assert(one.tensors.length === 1 && one.tensors[0] === a && !one.isTuple, 'single tensor');
  const two = expectRight(formatTensorIntoTuple([a, b], 'inputs'));
  assert(two.tensors.length === 2 && two.isTuple, 'array of two');
});
s('formatTensorIntoTuple: rejects non-tensors, an empty array and rank-0 tensors, naming each element', () => {
  const scalar = tf.scalar(1);
  const errors = expectLeft(formatTensorIntoTuple([a, 'x', scalar, [1, 2]] as never, 'inputs'), ['InvalidArgument', 'RankZeroInput']);
  assert(errors.map((e) => e.path).join() === 'inputs[1],inputs[2],inputs[3]', `paths ${errors.map((e) => e.path).join()}`);
  expectLeft(formatTensorIntoTuple([], 'inputs'), ['InvalidArgument']);
  expectLeft(formatTensorIntoTuple(null as never, 'inputs'), ['InvalidArgument']);
  scalar.dispose();
});
s('formatOutput mirrors the input form, and needs exactly one tensor for a single form', () => {
  assert(expectRight(formatOutput(false, [a])) === a, 'one tensor back');
  const arr = expectRight(formatOutput(true, [a]));
  assert(Array.isArray(arr) && arr[0] === a, 'an array back');
  expectLeft(formatOutput(false, [a, b]), ['InvalidArgument']);
  expectLeft(formatOutput(true, [a, 'b' as never]), ['InvalidArgument']);
});
s('formatAdditionalForwardArgs: undefined gives none, an array is spread, anything else is one argument', () => {
  assert(expectRight(formatAdditionalForwardArgs(undefined)).length === 0, 'none');
  assert(expectRight(formatAdditionalForwardArgs(null)).length === 0, 'none for null');
  assert(expectRight(formatAdditionalForwardArgs([])).length === 0, 'empty array');
  const three = expectRight(formatAdditionalForwardArgs(3));
  assert(three.length === 1 && three[0] === 3, '3 -> [3]');
  const list = expectRight(formatAdditionalForwardArgs([[a, b]]));
  assert(list.length === 1 && Array.isArray(list[0]), 'a wrapped array stays one argument');
  const spread = expectRight(formatAdditionalForwardArgs([a, 'mode', 2]));
  assert(spread.length === 3 && spread[0] === a && spread[1] === 'mode', 'spread in order');
});
s('formatAdditionalForwardArgs: refuses a disposed tensor', () => {
  const gone = tf.ones([1]);
  gone.dispose();
  const [e] = expectLeft(formatAdditionalForwardArgs([1, gone]), ['TensorDisposed']);
  assert(e?.path === 'additionalForwardArgs[1]', `path ${e?.path}`);
});
s.after(() => disposeAll(a, b));
s.run();
