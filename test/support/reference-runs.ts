// The checks of one forwardTarget or gradients reference case, shared by the forward-function and
// tf.LayersModel runs of the same cases.
import type * as tf from '@tensorflow/tfjs-core';
import { computeGradients, type Model, type Result, runForward, type Target } from '../../src/index.js';
import { type ItemsJson, type ReferenceCase, type TargetJson, type TensorJson, tensorsIn, toArgs, toItems, toTarget } from './fixtures.js';
import { assert, assertTensor, disposeAll, expectCategory, expectRight, PARITY, withoutLeaks } from './harness.js';

interface Call {
  readonly inputs: tf.Tensor | tf.Tensor[];
  readonly target: Target;
  readonly args: unknown;
}

/**
 * Decodes a case's inputs, target and extra arguments, runs `call` on them without leaking, and
 * either expects the case's error category or hands the result to `verify` (then disposes it).
 */
async function checkCase<A>(c: ReferenceCase, call: (d: Call) => Promise<Result<A>>, verify: (value: A, d: Call) => Promise<void>): Promise<void> {
  const d: Call = { inputs: toItems(c.args['inputs'] as ItemsJson), target: toTarget(c.args['target'] as TargetJson), args: toArgs(c.args['additional_forward_args']) };
  await withoutLeaks(c.id, async () => {
    const r = await call(d);
    if (c.error !== undefined) return expectCategory(r, c.error, c.id);
    const value = expectRight(r, c.id);
    await verify(value, d);
    disposeAll(value);
  });
  disposeAll(d.inputs, tensorsIn(d.target), tensorsIn(d.args));
}

/** runForward matches the case's selected output, or fails with its category; no tensor leaks. */
export const checkForwardCase = (c: ReferenceCase, model: Model): Promise<void> =>
  checkCase(
    c,
    (d) => runForward(model, d.inputs, d.target, d.args),
    (out) => assertTensor(out, (c.expected as { output: TensorJson }).output, PARITY, 'output'),
  );

/** computeGradients matches the case's gradients (in the input's form), or fails with its category. */
export const checkGradientsCase = (c: ReferenceCase, model: Model): Promise<void> =>
  checkCase(
    c,
    (d) => computeGradients(model, d.inputs, d.target, d.args),
    async (grads, d) => {
      assert(Array.isArray(grads) === Array.isArray(d.inputs), 'gradients mirror the form of inputs');
      const want = (c.expected as { gradients: ItemsJson }).gradients.items;
      for (const [i, g] of (Array.isArray(grads) ? grads : [grads]).entries()) await assertTensor(g, want[i] as TensorJson, PARITY, `gradients[${i}]`);
    },
  );
