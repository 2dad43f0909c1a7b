// Saliency, InputXGradient and IntegratedGradients against Captum's numbers (algorithms.json), through
// forward functions and through the same models as tf.LayersModels; then the properties Captum's
// maths promises (completeness, batching, per-example targets).
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { suite } from 'uvu';
import { inputXGradient, integratedGradients, type Model, saliency } from '../../src/index.js';
import { loadCases } from '../support/fixtures.js';
import { assert, assertClose, disposeAll, expectLeft, expectRight, parityCases, withoutLeaks } from '../support/harness.js';
import { checkMethodCase, forwardModelFor, layersModelFor, type MethodCall, runsAsLayersModel } from '../support/method-cases.js';

const cases = loadCases('algorithms.json');
const METHODS: Readonly<Record<string, MethodCall>> = {
  Saliency: (m, x, o) => saliency(m, x, o),
  InputXGradient: (m, x, o) => inputXGradient(m, x, o),
  IntegratedGradients: (m, x, o) => integratedGradients(m, x, o),
};
for (const [op, call] of Object.entries(METHODS)) {
  const mine = cases.filter((c) => c.op === op);
  parityCases(op, mine, (c) => checkMethodCase(c, forwardModelFor(c), call));
  parityCases(`${op}[LayersModel]`, mine.filter(runsAsLayersModel), (c) => checkMethodCase(c, layersModelFor(c.model as string)!, call));
}

const s = suite('gradient methods');
const x = tf.tensor2d([[1, 2, -1], [3, -4, 0.5]]);
const cubic: Model = (t: tf.Tensor) => tf.sum(tf.mul(tf.pow(t, 3), tf.tensor1d([1, 2, 3])), 1, true); // F = Σ c_j x_j³

s('integrated gradients is complete: |delta| shrinks as nSteps grows on a smooth model', async () => {
  const deltas: number[] = [];
  const fx = [1 + 2 * 8 - 3, 27 - 2 * 64 + 3 * 0.125]; // F(x) - F(0) per example, by hand
  for (const nSteps of [2, 4, 8, 16]) {
    const r = expectRight(await integratedGradients(cubic, x, { nSteps, method: 'riemann_middle', returnConvergenceDelta: true }));
    deltas.push(Math.max(...Array.from(await r.delta.data(), Math.abs)));
    disposeAll(r);
  }
  for (let i = 1; i < deltas.length; i++) assert(deltas[i]! < deltas[i - 1]!, `|delta| ${deltas.join(' -> ')} does not shrink`);
  assert(deltas[3]! < 0.002 * Math.max(...fx.map(Math.abs)), `|delta| at 16 steps is ${deltas[3]}, not under 0.2% of |F(x) - F(0)|`);
});

s('integrated gradients of Σ c x³ from 0 is c x³ (closed form), and gausslegendre is exact for cubics', async () => {
  const r = expectRight(await integratedGradients(cubic, x, { nSteps: 2 }));
  const c = [1, 2, 3];
  const expected = [[1, 2, -1], [3, -4, 0.5]].flatMap((row) => row.map((v, j) => c[j]! * v ** 3));
  assertClose(await r.data(), expected, { atol: 1e-4, rtol: 1e-5 });
  r.dispose();
});

s('internalBatchSize gives the same attributions and deltas as one pass, for every method and chunking', async () => {
  const model: Model = (t: tf.Tensor) => tf.concat([tf.sum(tf.sin(t), 1, true), tf.sum(tf.square(t), 1, true)], 1);
  for (const method of ['riemann_left', 'riemann_trapezoid', 'gausslegendre'] as const) {
    const whole = expectRight(await integratedGradients(model, x, { target: [1, 0], nSteps: 7, method, returnConvergenceDelta: true }));
    for (const internalBatchSize of [1, 2, 5, 6, 14, 100]) {
      const part = expectRight(await integratedGradients(model, x, { target: [1, 0], nSteps: 7, method, internalBatchSize, returnConvergenceDelta: true }));
      assertClose(await part.attributions.data(), await whole.attributions.data(), { atol: 1e-6, rtol: 1e-5 }, `${method} ibs=${internalBatchSize}`);
      assertClose(await part.delta.data(), await whole.delta.data(), { atol: 1e-6, rtol: 1e-5 }, `${method} ibs=${internalBatchSize} delta`);
      disposeAll(part);
    }
    disposeAll(whole);
  }
});

s('a per-example target list equals separate single-target calls', async () => {
  const model: Model = (t: tf.Tensor) => tf.matMul(tf.tanh(t), tf.tensor2d([[1, 0], [2, -1], [0, 3]]));
  for (const call of [saliency, inputXGradient, integratedGradients] as const) {
    const both = expectRight(await call(model, x, { target: [1, 0] }));
    const rows = await both.array();
    for (const [i, t] of [1, 0].entries()) {
      const xi = tf.slice(x, [i, 0], [1, -1]);
      const one = expectRight(await call(model, xi, { target: t }));
      assertClose((rows as number[][])[i]!, (await one.array() as number[][])[0]!, { atol: 1e-6, rtol: 1e-5 }, `${call.descriptor.className} example ${i}`);
      disposeAll(one, xi);
    }
    disposeAll(both);
  }
});

s('progress is reported per pass and an aborted signal stops the call with a Left, keeping nothing', async () => {
  const seen: string[] = [];
  await withoutLeaks('progress', async () => {
    const r = expectRight(await integratedGradients(cubic, x, { nSteps: 6, internalBatchSize: 4, onProgress: (p) => seen.push(`${p.done}/${p.total}`) }));
    r.dispose();
  });
  assert(seen.join(' ') === '2/6 4/6 6/6', `progress ${seen.join(' ')}`);
  const controller = new AbortController();
  await withoutLeaks('abort', async () => {
    const pending = integratedGradients(cubic, x, { nSteps: 50, internalBatchSize: 2, signal: controller.signal, onProgress: (p) => p.done >= 3 && controller.abort(new Error('user cancelled')) });
    const [e] = expectLeft(await pending, ['Aborted']);
    assert(e?._tag === 'Aborted' && e.reason === 'user cancelled', `reason ${JSON.stringify(e)}`);
  });
});

s('options are checked at their paths: unknown keys, bad nSteps, bad methods, all reported at once', async () => {
  const ints = tf.ones([2, 3], 'int32');
  await withoutLeaks('option errors', async () => {
    const [typo] = expectLeft(await integratedGradients(cubic, x, { nsteps: 3 } as never), ['InvalidArgument']);
    assert(typo?.path === 'options.nsteps', `path ${typo?.path}`);
    const errors = expectLeft(await integratedGradients(cubic, x, { nSteps: 1.5, method: 'simpson' as never, multiplyByInputs: 'yes' as never }), ['InvalidArgument', 'MethodInvalid']);
    assert(errors.length === 3, `3 errors, got ${errors.length}`);
    expectLeft(await integratedGradients(cubic, x, { nSteps: 1, method: 'riemann_left' }), ['InvalidArgument']);
    disposeAll(expectRight(await integratedGradients(cubic, x, { nSteps: 1, method: 'gausslegendre' })));
    expectLeft(await saliency(cubic, x, { abs: 1 as never }), ['InvalidArgument']);
    expectLeft(await saliency(cubic, ints), ['DtypeUnsupported']);
  });
  ints.dispose();
});

s('property: a tf.LayersModel gives the same attributions as the same model written as a forward function', async () => {
  const shapes: Record<string, number[]> = { mlp: [6], conv: [6, 6, 2], two_in: [3, 2, 2] };
  const outputs: Record<string, number> = { mlp: 5, conv: 5, two_in: 3 };
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('mlp', 'conv', 'two_in'),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.constantFrom(0, 1, 2),
      async (name, n, seed, which) => {
        const inputs = name === 'two_in' ? [tf.randomNormal([n, 3], 0, 1, 'float32', seed), tf.randomNormal([n, 2, 2], 0, 1, 'float32', seed + 1)] : tf.randomNormal([n, ...shapes[name]!], 0, 1, 'float32', seed);
        const target = Array.from({ length: n }, (_, i) => (seed + i) % outputs[name]!);
        const call = [saliency, inputXGradient, integratedGradients][which]!;
        const viaLayers = expectRight(await call(layersModelFor(name)!, inputs, { target }));
        const viaFunction = expectRight(await call(forwardModelFor({ model: name } as never), inputs, { target }));
        const [a, b] = [viaLayers, viaFunction].map((r) => (Array.isArray(r) ? r : [r]));
        for (const [i, t] of a!.entries()) assertClose(await t.data(), await b![i]!.data(), { atol: 1e-5, rtol: 1e-4 }, `${name} ${call.descriptor.className} [${i}]`);
        disposeAll(viaLayers, viaFunction, inputs);
      },
    ),
    { seed: 20261201, numRuns: 20, verbose: true },
  );
});

s('each method carries its Captum descriptor', () => {
  assert(saliency.descriptor.name === 'Saliency' && !saliency.descriptor.multipliesByInputs, 'saliency');
  assert(inputXGradient.descriptor.multipliesByInputs && !inputXGradient.descriptor.hasConvergenceDelta, 'inputXGradient');
  assert(integratedGradients.descriptor.name === 'Integrated Gradients' && integratedGradients.descriptor.hasConvergenceDelta, 'integratedGradients');
});
s.run();
