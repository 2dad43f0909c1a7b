import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { interpolate, type InterpolateMode } from '../../src/index.js';
import { type TensorJson, loadCases, toTensor } from '../support/fixtures.js';
import { assert, assertClose, assertShape, assertTensor, disposeAll, expectCategory, expectLeft, expectRight, PARITY, parityCases, withoutLeaks } from '../support/harness.js';

interface InterpolateArgs {
  layer_attribution: { nchw: TensorJson; nhwc: TensorJson };
  interpolate_dims: number | number[];
  interpolate_mode: string;
}

// Each case runs in both layouts: TF.js channels-last data, and torch's channels-first data.
parityCases('interpolate', loadCases('interpolate.json'), async (c) => {
  const a = c.args as unknown as InterpolateArgs;
  for (const layout of ['channelsLast', 'channelsFirst'] as const) {
    const x = toTensor(layout === 'channelsLast' ? a.layer_attribution.nhwc : a.layer_attribution.nchw);
    await withoutLeaks(`${c.id} ${layout}`, async () => {
      const r = interpolate(x, a.interpolate_dims, a.interpolate_mode as InterpolateMode, { layout });
      if (c.error !== undefined) return expectCategory(r, c.error, `${c.id} ${layout}`);
      const out = expectRight(r, c.id);
      const want = (c.expected as { nchw: TensorJson; nhwc: TensorJson })[layout === 'channelsLast' ? 'nhwc' : 'nchw'];
      await assertTensor(out, want, PARITY, `${layout} output`);
      out.dispose();
    });
    x.dispose();
  }
});

const s = suite('interpolate');
const grid = tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]);
const exact = { atol: 1e-6, rtol: 0 };
s('reproduces Captum spec 3.5 golden values', async () => {
  const run = async (x: tf.Tensor, dims: number | number[], mode: InterpolateMode, want: number[]) => {
    const out = expectRight(interpolate(x, dims, mode));
    assertClose(await out.data(), want, exact, `${mode} ${JSON.stringify(dims)}`);
    out.dispose();
  };
  const line5 = tf.tensor3d([0, 1, 2, 3, 4], [1, 5, 1]);
  const line4 = tf.tensor3d([0, 1, 2, 3], [1, 4, 1]);
  const square4 = tf.reshape(tf.range(0, 16), [1, 4, 4, 1]);
  await run(grid, 3, 'nearest', [0, 0, 1, 0, 0, 1, 2, 2, 3]);
  await run(line5, 3, 'nearest', [0, 1, 3]);
  await run(line5, 3, 'nearest-exact', [0, 2, 4]);
  await run(line4, 8, 'linear', [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3]);
  await run(grid, 4, 'bilinear', [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]);
  await run(square4, 2, 'bilinear', [2.5, 4.5, 10.5, 12.5]);
  await run(line5, 3, 'area', [0.5, 2, 3.5]);
  disposeAll(line5, line4, square4);
});
s('keeps the channel dimension and an empty batch, in either layout', async () => {
  const nchw = tf.zeros([2, 3, 2, 2]);
  const a = expectRight(interpolate(nchw, 5, 'bilinear', { layout: 'channelsFirst' }));
  assertShape(a, [2, 3, 5, 5]);
  const empty = tf.zeros([0, 2, 2, 1]);
  const b = expectRight(interpolate(empty, 4, 'bicubic'));
  assertShape(b, [0, 4, 4, 1]);
  disposeAll(nchw, a, empty, b);
});
s('agrees between layouts: channels-first data transposed gives the channels-last result', async () => {
  const nhwc = tf.randomUniform([2, 3, 4, 2], -1, 1, 'float32', 7);
  const nchw = tf.transpose(nhwc, [0, 3, 1, 2]);
  for (const mode of ['nearest', 'nearest-exact', 'bilinear', 'bicubic', 'area'] as const) {
    const last = expectRight(interpolate(nhwc, [5, 3], mode));
    const first = expectRight(interpolate(nchw, [5, 3], mode, { layout: 'channelsFirst' }));
    const back = tf.transpose(first, [0, 2, 3, 1]);
    assertClose(await back.data(), await last.data(), exact, mode);
    disposeAll(last, first, back);
  }
  disposeAll(nhwc, nchw);
});
s('rejects a wrong mode for the rank, a wrong number of sizes and an unsupported rank', () => {
  expectLeft(interpolate(grid, 3, 'linear'), ['InterpolateModeInvalid']);
  expectLeft(interpolate(grid, 3, 'cubic' as never), ['InterpolateModeInvalid']);
  expectLeft(interpolate(grid, [3], 'nearest'), ['InterpolateSizeInvalid']);
  const flat = tf.zeros([2, 3]);
  expectLeft(interpolate(flat, 4), ['InterpolateRankUnsupported']);
  flat.dispose();
  const errors = expectLeft(interpolate(grid, [0, Number.NaN], 'trilinear'), ['InterpolateModeInvalid', 'InterpolateSizeInvalid']);
  assert(errors.length === 3, `mode and both sizes reported together, got ${errors.length}`);
});
s.after(() => grid.dispose());
s.run();
