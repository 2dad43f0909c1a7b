// The checks of one forwardTarget or gradients reference case, shared by the forward-function and
// tf.LayersModel runs of the same cases.
import { computeGradients, type Model, runForward } from '../../src/index.js';
import { type ItemsJson, type ReferenceCase, type TargetJson, type TensorJson, tensorsIn, toArgs, toItems, toTarget } from './fixtures.js';
import { assert, assertTensor, disposeAll, expectCategory, expectRight, PARITY, withoutLeaks } from './harness.js';

/** The decoded inputs, target and extra arguments of a case, with a way to free them. */
function decodeCall(c: ReferenceCase) {
  const inputs = toItems(c.args['inputs'] as ItemsJson);
  const target = toTarget(c.args['target'] as TargetJson);
  const args = toArgs(c.args['additional_forward_args']);
  return { inputs, target, args, release: () => disposeAll(inputs, tensorsIn(target), tensorsIn(args)) };
}

/** runForward matches the case's selected output, or fails with its category; no tensor leaks. */
export async function checkForwardCase(c: ReferenceCase, model: Model): Promise<void> {
  const { inputs, target, args, release } = decodeCall(c);
  await withoutLeaks(c.id, async () => {
    const r = await runForward(model, inputs, target, args);
    if (c.error !== undefined) return expectCategory(r, c.error, c.id);
    const out = expectRight(r, c.id);
    await assertTensor(out, (c.expected as { output: TensorJson }).output, PARITY, 'output');
    out.dispose();
  });
  release();
}

/** computeGradients matches the case's gradients (in the input's form), or fails with its category. */
export async function checkGradientsCase(c: ReferenceCase, model: Model): Promise<void> {
  const { inputs, target, args, release } = decodeCall(c);
  await withoutLeaks(c.id, async () => {
    const r = await computeGradients(model, inputs, target, args);
    if (c.error !== undefined) return expectCategory(r, c.error, c.id);
    const grads = expectRight(r, c.id);
    assert(Array.isArray(grads) === Array.isArray(inputs), 'gradients mirror the form of inputs');
    const want = (c.expected as { gradients: ItemsJson }).gradients.items;
    for (const [i, g] of (Array.isArray(grads) ? grads : [grads]).entries()) await assertTensor(g, want[i] as TensorJson, PARITY, `gradients[${i}]`);
    disposeAll(grads);
  });
  release();
}
