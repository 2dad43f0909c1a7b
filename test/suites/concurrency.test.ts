// Concurrent calls share one kernel instance (and its memory): they must give exactly what the same
// calls give one after another.
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { convergenceDelta, sumRows } from '../../src/index.js';
import { type ItemsJson, type TargetJson, loadCases, tensorsIn, toArgs, toBaselines, toItems, toTarget } from '../support/fixtures.js';
import { assert, disposeAll, expectRight } from '../support/harness.js';
import { referenceModel } from '../support/models.js';

const s = suite('concurrent calls');
s('Promise.all over 8 convergenceDelta calls on different models and data equals the calls made in turn', async () => {
  const picked = loadCases('convergence_delta.json')
    .filter((c) => c.error === undefined)
    .filter((_, i) => i % 7 === 0)
    .slice(0, 8);
  assert(new Set(picked.map((c) => c.model)).size >= 4, 'several different models');
  const calls = picked.map((c) => ({
    model: referenceModel(c.model as string),
    options: {
      attributions: toItems(c.args['attributions'] as ItemsJson),
      endPoint: toItems(c.args['end_point'] as ItemsJson),
      startPoint: toBaselines(c.args['start_point']),
      target: toTarget(c.args['target'] as TargetJson),
      additionalForwardArgs: toArgs(c.args['additional_forward_args']),
    },
  }));
  const run = async ({ model, options }: (typeof calls)[number]) => {
    const d = expectRight(await convergenceDelta(model, options as never));
    const values = Array.from(await d.data());
    d.dispose();
    return values;
  };
  const inTurn: number[][] = [];
  for (const call of calls) inTurn.push(await run(call));
  // Large sumRows calls alongside, so the kernel memory grows while the deltas are in flight.
  const big = [tf.randomNormal([4, 300_000], 0, 1, 'float32', 1), tf.randomNormal([2, 700_000], 0, 1, 'float32', 2)];
  const bigInTurn = [];
  for (const t of big) {
    const r = expectRight(await sumRows(t));
    bigInTurn.push(Array.from(await r.total.data()));
    disposeAll(r);
  }
  const together = await Promise.all([
    ...calls.map(run),
    ...big.map(async (t) => {
      const r = expectRight(await sumRows(t));
      const values = Array.from(await r.total.data());
      disposeAll(r);
      return values;
    }),
  ]);
  const expected = [...inTurn, ...bigInTurn];
  together.forEach((got, i) => {
    assert(got.length === expected[i]!.length && got.every((v, j) => Object.is(v, expected[i]![j])), `call ${i}: [${got}] in parallel, [${expected[i]}] in turn`);
  });
  for (const { options } of calls) disposeAll(options.attributions, options.endPoint, tensorsIn(options.startPoint), tensorsIn(options.target), tensorsIn(options.additionalForwardArgs));
  disposeAll(big);
});
s.run();
