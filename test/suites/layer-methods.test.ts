// Layer methods against Captum's numbers (algorithms.json), through forward functions cut into named
// stages and through the same models as tf.LayersModels (layers named as in the spec).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { suite } from 'uvu';
import {
  interpolate,
  message,
  type Model,
  namedStages,
  internalInfluence,
  layerActivation,
  layerConductance,
  layerGradCam,
  layerGradientXActivation,
  layerIntegratedGradients,
} from '../../src/index.js';
import { loadCases } from '../support/fixtures.js';
import { assert, assertClose, disposeAll, expectLeft, expectRight, parityCases, withoutLeaks } from '../support/harness.js';
import { stagedModelFor } from '../support/layer-models.js';
import { checkMethodCase, layersModelFor, type MethodCall, runsAsLayersModel } from '../support/method-cases.js';

const cases = loadCases('algorithms.json');
export const LAYER_METHODS: Readonly<Record<string, MethodCall>> = {
  LayerActivation: (m, x, o) => layerActivation(m, x, o as never),
  LayerGradientXActivation: (m, x, o) => layerGradientXActivation(m, x, o as never),
  LayerGradCam: (m, x, o) => layerGradCam(m, x, o as never),
  LayerConductance: (m, x, o) => layerConductance(m, x, o as never),
  LayerIntegratedGradients: (m, x, o) => layerIntegratedGradients(m, x, o as never),
  InternalInfluence: (m, x, o) => internalInfluence(m, x, o as never),
};
for (const [op, call] of Object.entries(LAYER_METHODS)) {
  const mine = cases.filter((c) => c.op === op);
  parityCases(`${op}[stages]`, mine, (c) => checkMethodCase(c, stagedModelFor(c), call));
  parityCases(`${op}[LayersModel]`, mine.filter(runsAsLayersModel), (c) => checkMethodCase(c, layersModelFor(c.model as string)!, call));
}

const s = suite('layer methods');

/** x -> h = x W (layer 'h'), s = x U (layer 's', a branch around 'h'), out = Σ h ⊙ s: F is not affine in h's input path. */
function branchedModel(): tfl.LayersModel {
  const x = tfl.input({ shape: [2] });
  const h = tfl.layers.dense({ units: 2, useBias: false, name: 'h' }).apply(x) as tfl.SymbolicTensor;
  const sBranch = tfl.layers.dense({ units: 2, useBias: false, name: 's' }).apply(x) as tfl.SymbolicTensor;
  const m = tfl.layers.multiply({ name: 'm' }).apply([h, sBranch]) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 1, useBias: false, kernelInitializer: 'ones', name: 'out' }).apply(m) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: x, outputs: out });
  const w = [tf.tensor2d([[1, 2], [-1, 0.5]]), tf.tensor2d([[0.5, -1], [2, 1]]), tf.ones([2, 1])];
  model.setWeights(w);
  tf.dispose(w);
  return model;
}
const xb = tf.tensor2d([[1, 2], [-0.5, 1.5], [2, -1]]);

s('layerIntegratedGradients replaces the layer value and runs the rest of the model from it: the branch around the layer sees the real inputs', async () => {
  const model = branchedModel();
  await withoutLeaks('layer IG on a branched model', async () => {
    const r = expectRight(await layerIntegratedGradients(model, xb, { layer: 'h', nSteps: 4, returnConvergenceDelta: true }));
    // F = Σ h ⊙ s with s held at its value for x: LayerIG over h from 0 is exactly h(x) ⊙ s(x).
    const expected = tf.tidy(() => tf.mul(tf.matMul(xb, tf.tensor2d([[1, 2], [-1, 0.5]])), tf.matMul(xb, tf.tensor2d([[0.5, -1], [2, 1]]))));
    assertClose(await (r.attributions as tf.Tensor).data(), await expected.data(), { atol: 1e-5, rtol: 1e-5 });
    // The input-level delta: Σ attr - (F(x) - F(0)) = 0 here.
    assertClose(await r.delta.data(), [0, 0, 0], { atol: 1e-5, rtol: 0 });
    disposeAll(r, expected);
  });
  model.dispose();
});

s('a layer reached by name equals the same layer reached as an object (tf.LayersModel and named stages)', async () => {
  const model = branchedModel();
  const stage = { name: 'sq', fn: (x: tf.Tensor) => tf.square(x) };
  const staged = expectRight(namedStages([{ name: 'fc', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) }, stage, { fn: (h: tf.Tensor) => tf.sum(h, 1, true) }]));
  await withoutLeaks('by name and by object', async () => {
    for (const [m, name, object] of [[model, 'h', model.getLayer('h')], [staged, 'sq', stage]] as const) {
      for (const [call, options] of [
        [layerActivation, {}],
        [layerGradientXActivation, { target: 0 }],
        [layerConductance, { target: 0, nSteps: 5 }],
        [layerIntegratedGradients, { target: 0, nSteps: 5 }],
        [internalInfluence, { target: 0, nSteps: 5 }],
      ] as const) {
        const a = expectRight(await (call as unknown as MethodCall)(m as Model, xb, { ...options, layer: name }), `${call.descriptor.className} by name`) as tf.Tensor;
        const b = expectRight(await (call as unknown as MethodCall)(m as Model, xb, { ...options, layer: object }), `${call.descriptor.className} by object`) as tf.Tensor;
        assertClose(await a.data(), await b.data(), { atol: 0, rtol: 0 }, `${call.descriptor.className} ${name}`);
        disposeAll(a, b);
      }
    }
  });
  model.dispose();
});

s('reaching a layer adds nothing to the model (no nodes, no sub-models) and leaks no tensor, on success and failure', async () => {
  const model = branchedModel();
  const nodes = () => model.layers.map((l) => l.inboundNodes.length).join(',');
  const before = nodes();
  await withoutLeaks('model internals', async () => {
    disposeAll(expectRight(await layerGradCam(model, xb, { layer: 'm', target: 0 })));
    disposeAll(expectRight(await layerConductance(model, xb, { layer: 's', target: 0, nSteps: 3 })));
    expectLeft(await layerGradCam(model, xb, { layer: 'm', target: 5 }), ['TargetIndexOutOfRange']);
  });
  assert(nodes() === before, `inbound nodes ${before} -> ${nodes()}`);
  model.dispose();
});

s('a wrong layer name is a Left that lists the layers; a shared layer and a model without layers are refused', async () => {
  const model = branchedModel();
  const shared = (() => {
    const x = tfl.input({ shape: [2] });
    const d = tfl.layers.dense({ units: 2, name: 'twice' });
    const y = d.apply(d.apply(x)) as tfl.SymbolicTensor;
    return tfl.model({ inputs: x, outputs: y });
  })();
  await withoutLeaks('layer errors', async () => {
    const [e] = expectLeft(await layerActivation(model, xb, { layer: 'fc9' }), ['InvalidArgument']);
    assert(e?.path === 'options.layer' && /h, s, m, out/.test(message([e])), message([e!]));
    const [twice] = expectLeft(await layerActivation(shared, xb, { layer: 'twice' }), ['InvalidArgument']);
    assert(twice?.path === 'options.layer' && /calls 2 times/.test(message([twice])), message([twice!]));
    const [plain] = expectLeft(await layerActivation((x: tf.Tensor) => tf.relu(x), xb, { layer: 'fc1' }), ['InvalidArgument']);
    assert(plain?.path === 'model' && /namedStages/.test(message([plain])), message([plain!]));
    const [missing] = expectLeft(await layerGradCam(model, xb, {} as never), ['InvalidArgument']);
    assert(missing?.path === 'options.layer', message([missing!]));
    const [list] = expectLeft(await layerGradCam(model, xb, { layer: ['h', 's'] } as never), ['InvalidArgument']);
    assert(list?.path === 'options.layer', message([list!]));
  });
  model.dispose();
  shared.dispose();
});

s('hostile options are Lefts naming the option, all reported at once, without leaks', async () => {
  const model = branchedModel();
  await withoutLeaks('hostile options', async () => {
    const errors = expectLeft(
      await layerConductance(model, xb, { layer: 'h', target: 0, nSteps: 0, method: 'simpson' as never, internalBatchSize: -1, attributeToLayerInput: 'yes' as never, baselines: 'zeros' as never }),
      ['InvalidArgument', 'MethodInvalid'],
    );
    const paths = errors.map((e) => e.path).sort();
    assert(['options.attributeToLayerInput', 'options.internalBatchSize', 'options.method', 'options.nSteps'].every((p) => paths.includes(p)), paths.join(', '));
    const [typo] = expectLeft(await layerGradCam(model, xb, { layer: 'h', relu: true } as never), ['InvalidArgument']);
    assert(typo?.path === 'options.relu', `${typo?.path}`);
    expectLeft(await layerGradCam(model, xb, { layer: 'h', layout: 'nchw' as never }), ['InvalidArgument']);
    expectLeft(await layerIntegratedGradients(model, xb, { layer: 'h', target: 0, baselines: [0, 1] }), ['BaselineCountMismatch']);
    expectLeft(await layerActivation(model, null as never, { layer: 'h' }), ['InvalidArgument']);
    expectLeft(await layerActivation(model, xb, null as never), ['InvalidArgument']);
    expectLeft(await internalInfluence(model, xb, { layer: 'h', target: 0, nSteps: 1.5 }), ['InvalidArgument']);
  });
  model.dispose();
});

s('internalBatchSize gives the same result as one pass, for every path method and chunking', async () => {
  const model = branchedModel();
  await withoutLeaks('batched = unbatched', async () => {
    for (const [call, options] of [
      [layerConductance, { target: 0, nSteps: 7, method: 'riemann_trapezoid', baselines: 0.3 }],
      [layerIntegratedGradients, { target: 0, nSteps: 7, method: 'riemann_left' }],
      [internalInfluence, { target: 0, nSteps: 7 }],
    ] as const) {
      const whole = expectRight(await (call as unknown as MethodCall)(model, xb, { ...options, layer: 'h' })) as tf.Tensor;
      for (const internalBatchSize of [1, 3, 5, 6, 9, 100]) {
        const part = expectRight(await (call as unknown as MethodCall)(model, xb, { ...options, layer: 'h', internalBatchSize })) as tf.Tensor;
        assertClose(await part.data(), await whole.data(), { atol: 1e-6, rtol: 1e-5 }, `${call.descriptor.className} ibs=${internalBatchSize}`);
        part.dispose();
      }
      whole.dispose();
    }
  });
  model.dispose();
});

s('the multi-layer form returns one entry per layer, each equal to the single-layer call', async () => {
  const model = branchedModel();
  await withoutLeaks('multi-layer', async () => {
    const both = expectRight(await layerGradientXActivation(model, xb, { layer: ['h', 's'], target: 0 }));
    assert(Array.isArray(both) && both.length === 2, 'two entries');
    for (const [i, name] of ['h', 's'].entries()) {
      const one = expectRight(await layerGradientXActivation(model, xb, { layer: name, target: 0 })) as tf.Tensor;
      assertClose(await (both[i] as tf.Tensor).data(), await one.data(), { atol: 0, rtol: 0 }, name);
      one.dispose();
    }
    disposeAll(both);
  });
  model.dispose();
});

s('a Grad-CAM map upsamples to the input with interpolate; channelsFirst reads torch layout', async () => {
  const conv = tf.tensor4d(Array.from({ length: 3 * 3 * 1 * 2 }, (_, i) => Math.sin(i)), [3, 3, 1, 2]);
  const staged = expectRight(namedStages([
    { name: 'conv', fn: (x: tf.Tensor) => tf.relu(tf.conv2d(x as tf.Tensor4D, conv, 1, 'same')) },
    { fn: (h: tf.Tensor) => tf.sum(h, [1, 2]) },
  ]));
  const x = tf.tensor4d(Array.from({ length: 2 * 5 * 5 }, (_, i) => Math.cos(i)), [2, 5, 5, 1]);
  await withoutLeaks('grad-cam upsampled', async () => {
    const cam = expectRight(await layerGradCam(staged, x, { layer: 'conv', target: 1, reluAttributions: true })) as tf.Tensor;
    assert(cam.shape.join() === '2,5,5,1', `cam shape ${cam.shape}`);
    const up = expectRight(interpolate(cam, [10, 10], 'bilinear'));
    assert(up.shape.join() === '2,10,10,1', `upsampled ${up.shape}`);
    disposeAll(cam, up);
  });
  disposeAll(conv, x);
});
s.run();
