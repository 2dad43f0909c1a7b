// Neuron methods against Captum's numbers (algorithms.json), through forward functions cut into named
// stages and through the same models as tf.LayersModels.
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { gradientShap, integratedGradients, message, namedStages, neuronConductance, neuronDeconvolution, neuronDeepLift, neuronDeepLiftShap, neuronFeatureAblation, neuronGuidedBackprop, neuronGradient, neuronGradientShap, neuronIntegratedGradients, saliency } from '../../src/index.js';
import { loadCases } from '../support/fixtures.js';
import { assert, assertClose, disposeAll, expectLeft, expectRight, parityCases, withoutLeaks } from '../support/harness.js';
import { hostileSweep, riemannSampler } from '../support/layer-extras.js';
import { stagedModelFor } from '../support/layer-models.js';
import { markedStagesFor } from '../support/marked-models.js';
import { checkMethodCase, layersModelFor, type MethodCall, runsAsLayersModel } from '../support/method-cases.js';

const cases = loadCases('algorithms.json');
export const NEURON_METHODS: Readonly<Record<string, MethodCall>> = {
  NeuronGradient: (m, x, o) => neuronGradient(m, x, o as never),
  NeuronIntegratedGradients: (m, x, o) => neuronIntegratedGradients(m, x, o as never),
  NeuronConductance: (m, x, o) => neuronConductance(m, x, o as never),
};
const more = loadCases('algorithms_more.json');
export const MORE_NEURON_METHODS: Readonly<Record<string, MethodCall>> = {
  NeuronFeatureAblation: (m, x, o) => neuronFeatureAblation(m, x, o as never),
};
export const RULE_NEURON_METHODS: Readonly<Record<string, MethodCall>> = {
  NeuronDeepLift: (m, x, o) => neuronDeepLift(m, x, o as never),
  NeuronDeepLiftShap: (m, x, o) => neuronDeepLiftShap(m, x, o as never),
  NeuronGuidedBackprop: (m, x, o) => neuronGuidedBackprop(m, x, o as never),
  NeuronDeconvolution: (m, x, o) => neuronDeconvolution(m, x, o as never),
};
for (const [op, call] of Object.entries(RULE_NEURON_METHODS)) {
  const mine = more.filter((c) => c.op === op);
  parityCases(`${op}[stages]`, mine, (c) => checkMethodCase(c, markedStagesFor(c.model as string), call));
  parityCases(`${op}[LayersModel]`, mine.filter(runsAsLayersModel), (c) => checkMethodCase(c, layersModelFor(c.model as string)!, call));
}
for (const [op, call] of [...Object.entries(NEURON_METHODS), ...Object.entries(MORE_NEURON_METHODS)]) {
  const mine = (op in NEURON_METHODS ? cases : more).filter((c) => c.op === op);
  parityCases(`${op}[stages]`, mine, (c) => checkMethodCase(c, stagedModelFor(c), call));
  parityCases(`${op}[LayersModel]`, mine.filter(runsAsLayersModel), (c) => checkMethodCase(c, layersModelFor(c.model as string)!, call));
}

const s = suite('neuron methods');
const x = tf.tensor2d([[1, 2, -1], [3, -4, 0.5]]);
const w1 = tf.tensor2d([[1, -1, 0.5, 2], [2, 1, -1, 0], [0.5, 0.25, 1, -1]]);
const w2 = tf.tensor2d([[1, 0, -1], [2, 1, 0], [0, -1, 3], [1, 1, 1]]);
const stage2 = { name: 'fc2', fn: (h: tf.Tensor) => tf.matMul(h, w2) };
const staged = expectRight(namedStages([{ name: 'fc1', fn: (t: tf.Tensor) => tf.matMul(t, w1) }, { name: 'act', fn: (h: tf.Tensor) => tf.tanh(h) }, stage2]));
const plain = (t: tf.Tensor) => tf.matMul(tf.tanh(tf.matMul(t, w1)), w2);

s('a neuron that is output unit k of the last layer gives the primary method with target k', async () => {
  await withoutLeaks('neuron = primary', async () => {
    for (const k of [0, 2]) {
      const pairs = [
        [await neuronGradient(staged, x, { layer: 'fc2', neuronSelector: k }), await saliency(plain, x, { target: k, abs: false })],
        [await neuronIntegratedGradients(staged, x, { layer: 'fc2', neuronSelector: k, nSteps: 9 }), await integratedGradients(plain, x, { target: k, nSteps: 9 })],
        [await neuronIntegratedGradients(staged, x, { layer: 'fc2', neuronSelector: k, nSteps: 9, method: 'riemann_trapezoid', multiplyByInputs: false }), await integratedGradients(plain, x, { target: k, nSteps: 9, method: 'riemann_trapezoid', multiplyByInputs: false })],
      ] as const;
      for (const [a, b] of pairs) {
        const ra = expectRight(a);
        const rb = expectRight(b);
        assertClose(await ra.data(), await rb.data(), { atol: 1e-6, rtol: 1e-5 }, `k=${k}`);
        disposeAll(ra, rb);
      }
    }
  });
});

s('neuron conductance of every unit of a layer adds up to the layer-level path integral (completeness through the layer)', async () => {
  await withoutLeaks('conductance sum', async () => {
    // Σ_n NeuronConductance_n = IG when every path to the output goes through the layer.
    let total: tf.Tensor | undefined;
    for (let n = 0; n < 4; n++) {
      const r = expectRight(await neuronConductance(staged, x, { layer: 'act', neuronSelector: n, target: 1, nSteps: 64, method: 'gausslegendre' }));
      const next = total === undefined ? r : tf.add(total, r);
      if (total !== undefined) disposeAll(total, r);
      total = next;
    }
    const ig = expectRight(await integratedGradients(plain, x, { target: 1, nSteps: 64 }));
    assertClose(await total!.data(), await ig.data(), { atol: 1e-4, rtol: 1e-4 });
    disposeAll(total, ig);
  });
});

s('internalBatchSize gives the same result as one pass; by name equals by object; selectors are checked against the layer', async () => {
  await withoutLeaks('neuron properties', async () => {
    for (const [call, options] of [
      [neuronIntegratedGradients, { nSteps: 7, method: 'riemann_left' }],
      [neuronConductance, { nSteps: 7, target: 2 }],
    ] as const) {
      const call2 = call as unknown as MethodCall;
      const whole = expectRight(await call2(staged, x, { ...options, layer: 'fc2', neuronSelector: [{ start: 0, stop: 2 }] })) as tf.Tensor;
      const byObject = expectRight(await call2(staged, x, { ...options, layer: stage2, neuronSelector: [{ start: 0, stop: 2 }] })) as tf.Tensor;
      assertClose(await byObject.data(), await whole.data(), { atol: 0, rtol: 0 }, 'by object');
      for (const internalBatchSize of [1, 2, 5, 8, 100]) {
        const part = expectRight(await call2(staged, x, { ...options, layer: 'fc2', neuronSelector: [{ start: 0, stop: 2 }], internalBatchSize })) as tf.Tensor;
        assertClose(await part.data(), await whole.data(), { atol: 1e-6, rtol: 1e-5 }, `ibs=${internalBatchSize}`);
        part.dispose();
      }
      disposeAll(whole, byObject);
    }
    const [range] = expectLeft(await neuronGradient(staged, x, { layer: 'fc2', neuronSelector: 3 }), ['InvalidArgument']);
    assert(range?.path === 'options.neuronSelector[0]', `${range?.path}`);
    const [many] = expectLeft(await neuronGradient(staged, x, { layer: 'fc2', neuronSelector: [0, 1] }), ['InvalidArgument']);
    assert(many?.path === 'options.neuronSelector', `${many?.path}`);
    const errors = expectLeft(await neuronGradient(staged, x, { layer: 'fc9', neuronSelector: [{ start: 'a' } as never, 'b' as never] }), ['InvalidArgument']);
    assert(errors.length === 3, message(errors));
    const [fnBad] = expectLeft(await neuronGradient(staged, x, { layer: 'fc2', neuronSelector: (a) => a as tf.Tensor }), ['InvalidArgument']);
    assert(fnBad?.path === 'options.neuronSelector', `${fnBad?.path}`);
    const fn = expectRight(await neuronGradient(staged, x, { layer: 'fc2', neuronSelector: (a) => tf.sum(tf.slice(a as tf.Tensor, [0, 0], [-1, 2]), 1) }));
    const ranged = expectRight(await neuronGradient(staged, x, { layer: 'fc2', neuronSelector: [{ stop: 2 }] }));
    assertClose(await fn.data(), await ranged.data(), { atol: 1e-6, rtol: 1e-6 }, 'function = range');
    disposeAll(fn, ranged);
  });
});

s('each method carries its Captum descriptor', () => {
  assert(neuronGradient.descriptor.family === 'neuron' && !neuronGradient.descriptor.multipliesByInputs, 'neuronGradient');
  assert(neuronConductance.descriptor.multipliesByInputs && neuronIntegratedGradients.descriptor.name === 'Neuron Integrated Gradients', 'neuron path methods');
});
s('neuronFeatureAblation: each feature gets a_n(x) - a_n(x with the feature at its baseline); perturbationsPerEval, masks, by object', async () => {
  await withoutLeaks('neuron feature ablation', async () => {
    // fc1 is linear: ablating x_j to b drops unit n by (x_j - b) W[j, n].
    const r = expectRight(await neuronFeatureAblation(staged, x, { layer: 'fc1', neuronSelector: 1, baselines: 0.5 }));
    const expected = tf.tidy(() => tf.mul(tf.sub(x, 0.5), tf.reshape(tf.slice(w1, [0, 1], [3, 1]), [1, 3])));
    assertClose(await r.data(), await expected.data(), { atol: 1e-5, rtol: 1e-5 }, '(x - b) W[:, 1]');
    for (const perturbationsPerEval of [2, 3, 10]) {
      const p = expectRight(await neuronFeatureAblation(staged, x, { layer: stage2, neuronSelector: [{ start: 0, stop: 2 }], perturbationsPerEval }));
      const q = expectRight(await neuronFeatureAblation(staged, x, { layer: 'fc2', neuronSelector: [{ start: 0, stop: 2 }] }));
      assertClose(await p.data(), await q.data(), { atol: 1e-6, rtol: 1e-6 }, `perturbationsPerEval ${perturbationsPerEval}, by object`);
      disposeAll(p, q);
    }
    // One group for all features: every element gets a_n(x) - a_n(baseline).
    const oneGroup = tf.tensor2d([[0, 0, 0]], [1, 3], 'int32');
    const grouped = expectRight(await neuronFeatureAblation(staged, x, { layer: 'act', neuronSelector: 2, featureMask: oneGroup }));
    oneGroup.dispose();
    const whole = tf.tidy(() => tf.tile(tf.slice(tf.tanh(tf.matMul(x, w1)), [0, 2], [-1, 1]), [1, 3]));
    assertClose(await grouped.data(), await whole.data(), { atol: 1e-5, rtol: 1e-5 }, 'one group');
    // int32 inputs are perturbed too (a model that casts them).
    const ints = tf.tensor2d([[1, 2, 3], [0, -1, 2]], [2, 3], 'int32');
    const castModel = expectRight(namedStages([{ name: 'fc1', fn: (t: tf.Tensor) => tf.matMul(tf.cast(t, 'float32'), w1) }]));
    const ri = expectRight(await neuronFeatureAblation(castModel, ints, { layer: 'fc1', neuronSelector: 0 }));
    assertClose(await ri.data(), [1, 4, 1.5, 0, -2, 1], { atol: 1e-6, rtol: 0 }, 'int32 inputs');
    disposeAll(r, expected, grouped, whole, ints, ri);
  });
});

s('neuronGradientShap: output unit k of the last layer gives gradientShap with target k; one baseline row, no noise and Riemann points give neuronIntegratedGradients', async () => {
  const rows = tf.tensor2d([[0, 0, 0], [1, -1, 0.5], [0.2, 0.3, -0.4]]);
  const one = tf.tensor2d([[0.5, -0.25, 1]]);
  await withoutLeaks('neuron gradient shap identities', async () => {
    for (const k of [0, 2]) {
      const a = expectRight(await neuronGradientShap(staged, x, { layer: 'fc2', neuronSelector: k, baselines: rows, nSamples: 7, stdevs: 0.2, seed: 11 }));
      const b = expectRight(await gradientShap(plain, x, { target: k, baselines: rows, nSamples: 7, stdevs: 0.2, seed: 11 }));
      assertClose(await a.data(), await b.data(), { atol: 1e-5, rtol: 1e-5 }, `unit ${k} = gradientShap target ${k}`);
      disposeAll(a, b);
    }
    for (const method of ['riemann_left', 'riemann_middle', 'riemann_right'] as const) {
      for (const multiplyByInputs of [true, false]) {
        const n = 5;
        const a = expectRight(await neuronGradientShap(staged, x, { layer: 'act', neuronSelector: 1, baselines: one, nSamples: n, sampler: riemannSampler(method, n), multiplyByInputs }));
        const b = expectRight(await neuronIntegratedGradients(staged, x, { layer: 'act', neuronSelector: 1, baselines: one, nSteps: n, method, multiplyByInputs }));
        assertClose(await a.data(), await b.data(), { atol: 1e-5, rtol: 1e-5 }, `${method} multiply ${multiplyByInputs}`);
        disposeAll(a, b);
      }
    }
    // nSamplesBatchSize changes nothing with one baseline row (seeded noise is counter-based); by object = by name.
    const whole = expectRight(await neuronGradientShap(staged, x, { layer: 'fc2', neuronSelector: 1, baselines: one, nSamples: 6, stdevs: 0.3, seed: 3 }));
    for (const nSamplesBatchSize of [1, 4, 6]) {
      const part = expectRight(await neuronGradientShap(staged, x, { layer: stage2, neuronSelector: 1, baselines: one, nSamples: 6, stdevs: 0.3, seed: 3, nSamplesBatchSize }));
      assertClose(await part.data(), await whole.data(), { atol: 1e-6, rtol: 1e-5 }, `nSamplesBatchSize ${nSamplesBatchSize}`);
      part.dispose();
    }
    whole.dispose();
  });
  disposeAll(rows, one);
});

s('neuronFeatureAblation and neuronGradientShap: hostile values in every argument settle as a Right or a Left naming it, without leaks', async () => {
  const xs = tf.tensor2d([[1, 2, 3], [3, -1, 0]]);
  const rows = tf.tensor2d([[0, 0, 0], [1, -1, 0.5]]);
  await withoutLeaks('hostile sweep', async () => {
    const failures = [
      ...(await hostileSweep('neuronFeatureAblation', (m, i, o) => neuronFeatureAblation(m, i, o as never), staged, xs, { layer: 'fc1', neuronSelector: 1 }, ['layer', 'neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs', 'baselines', 'featureMask', 'perturbationsPerEval', 'onProgress', 'signal'])),
      ...(await hostileSweep('neuronGradientShap', (m, i, o) => neuronGradientShap(m, i, o as never), staged, xs, { layer: 'fc1', neuronSelector: 1, baselines: rows, nSamples: 2 }, ['layer', 'neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs', 'baselines', 'nSamples', 'stdevs', 'nSamplesBatchSize', 'multiplyByInputs', 'seed', 'sampler', 'onProgress', 'signal'])),
    ];
    assert(failures.length === 0, `${failures.length} hostile calls misbehaved:\n${failures.slice(0, 30).join('\n')}`);
    const [target] = expectLeft(await neuronFeatureAblation(staged, xs, { layer: 'fc1', neuronSelector: 1, target: 0 } as never), ['InvalidArgument']);
    assert(target?.path === 'options.target', `${target?.path}`);
    const [delta] = expectLeft(await neuronGradientShap(staged, xs, { layer: 'fc1', neuronSelector: 1, baselines: rows, returnConvergenceDelta: true } as never), ['InvalidArgument']);
    assert(delta?.path === 'options.returnConvergenceDelta', `${delta?.path}`);
    const [sel] = expectLeft(await neuronFeatureAblation(staged, xs, { layer: 'fc1', neuronSelector: 9 }), ['InvalidArgument']);
    assert(sel?.path === 'options.neuronSelector[0]', `${sel?.path}`);
  });
  disposeAll(xs, rows);
  assert(neuronFeatureAblation.descriptor.className === 'NeuronFeatureAblation' && neuronGradientShap.descriptor.multipliesByInputs && neuronGradientShap.drawsSamples, 'descriptors');
});
s.run();
