import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { sumRows } from '../../src/index.js';
import { type ItemsJson, type TensorJson, loadCases, toItems } from '../support/fixtures.js';
import { assert, assertClose, assertTensor, disposeAll, expectCategory, expectLeft, expectRight, PARITY, parityCases, withoutLeaks } from '../support/harness.js';

parityCases('sumRows', loadCases('sum_rows.json'), async (c) => {
  const input = toItems(c.args['input'] as ItemsJson);
  await withoutLeaks(c.id, async () => {
    const r = await sumRows(input);
    if (c.error !== undefined) return expectCategory(r, c.error, c.id);
    const { rowSums, total } = expectRight(r, c.id);
    const want = c.expected as { rowSums: ItemsJson; total: TensorJson };
    const got = Array.isArray(rowSums) ? rowSums : [rowSums];
    assert(Array.isArray(rowSums) === want.rowSums.tuple, 'rowSums mirrors the input form');
    for (const [i, t] of got.entries()) await assertTensor(t, want.rowSums.items[i] as TensorJson, PARITY, `rowSums[${i}]`);
    await assertTensor(total, want.total, PARITY, 'total');
    disposeAll(rowSums, total);
  });
  disposeAll(input);
});

const s = suite('sumRows');
s('sums [1,2,3] to itself, [[1,2],[3,4]] to [3,7] and arange(12) as [2,3,2] to [15,51]', async () => {
  const cases: [tf.Tensor, number[]][] = [
    [tf.tensor1d([1, 2, 3]), [1, 2, 3]],
    [tf.tensor2d([[1, 2], [3, 4]]), [3, 7]],
    [tf.reshape(tf.range(0, 12), [2, 3, 2]), [15, 51]],
    [tf.zeros([2, 0]), [0, 0]],
  ];
  for (const [x, want] of cases) {
    const r = expectRight(await sumRows(x));
    assertClose(await r.total.data(), want, { atol: 0, rtol: 0 });
    disposeAll(r, x);
  }
});
s('gives int32 sums for int32 and bool inputs', async () => {
  const b = tf.tensor2d([[true, true], [false, true]], undefined, 'bool');
  const i = tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32');
  const rb = expectRight(await sumRows(b));
  const ri = expectRight(await sumRows([i, b]));
  assert(rb.total.dtype === 'int32' && ri.total.dtype === 'int32', 'int32 sums');
  assertClose(await rb.total.data(), [2, 1], { atol: 0, rtol: 0 });
  assertClose(await ri.total.data(), [5, 8], { atol: 0, rtol: 0 });
  disposeAll(rb, ri, b, i);
});
s('rejects a rank-0 tensor, an empty batch and tensors of different batch sizes', async () => {
  const x0 = tf.scalar(1);
  const empty = tf.zeros([0, 3]);
  const a = tf.zeros([2, 3]);
  const b = tf.zeros([3, 3]);
  expectLeft(await sumRows(x0), ['RankZeroInput']);
  expectLeft(await sumRows(empty), ['EmptyBatch']);
  expectLeft(await sumRows([a, b]), ['BatchSizeMismatch']);
  disposeAll(x0, empty, a, b);
});
s('keeps f64 accuracy where float32 accumulation would not: 1e6 values summed exactly', async () => {
  // 0.1 in float32 is 0.100000001490116...; 1e6 of them sum to 100000.00149 in f64 (float32 sums drift by ~1e-3 relative).
  const x = tf.fill([1, 1_000_000], 0.1);
  const r = expectRight(await sumRows(x));
  const exact = Math.fround(0.1) * 1_000_000;
  assertClose(await r.total.data(), [exact], { atol: 0, rtol: 1e-7 });
  disposeAll(r, x);
});
s.run();
