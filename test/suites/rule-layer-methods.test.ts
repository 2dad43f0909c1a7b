// The layer and neuron forms of the rule methods (DeepLift, DeepLiftShap, GuidedBackprop,
// Deconvolution) and GuidedGradCam, beyond Captum's numbers: hostile options, a layer by name = by
// object, batched = unbatched, a per-example target list = separate calls, GuidedGradCam's empty
// tensor, and the values the doc examples state.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { suite } from 'uvu';
import {
  attributionOps as ops,
  guidedBackprop,
  guidedGradCam,
  layerDeepLift,
  layerDeepLiftShap,
  layerGradCam,
  message,
  type Model,
  namedStages,
  neuronDeconvolution,
  neuronDeepLift,
  neuronDeepLiftShap,
  neuronGuidedBackprop,
} from '../../src/index.js';
import { assert, assertClose, disposeAll, expectLeft, expectRight, withoutLeaks } from '../support/harness.js';
import { type AnyMethod, hostileSweep } from '../support/layer-extras.js';

const s = suite('layer and neuron rule methods, guidedGradCam');
const CLOSE = { atol: 1e-5, rtol: 1e-5 };

const values = (shape: number[], phase: number): tf.Tensor => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(1.3 * i + phase)), shape);

// relu MLP 3 -> fc1 (4, relu fused) -> out (3): as a tf.LayersModel and as marked named stages.
const W1 = values([3, 4], 0.2);
const B1 = values([4], 1.1);
const W2 = values([4, 3], 2.5);
function reluMlp(): tfl.LayersModel {
  const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 4, activation: 'relu', name: 'fc1' }), tfl.layers.dense({ units: 3, useBias: false, name: 'out' })] });
  m.setWeights([W1, B1, W2]);
  return m;
}
const fc1Stage = { name: 'fc1', fn: (x: tf.Tensor) => ops.relu(tf.add(tf.matMul(x, W1 as tf.Tensor2D), B1)) };
const outStage = { name: 'out', fn: (h: tf.Tensor) => tf.matMul(h, W2 as tf.Tensor2D) };
const stages = expectRight(namedStages([fc1Stage, outStage]));

// relu CNN [5, 5, 1] -> conv (2 channels, relu fused) -> flatten -> out (3).
const K = values([3, 3, 1, 2], 0.7);
const KB = values([2], 0.3);
const WO = values([50, 3], 1.9);
function reluCnn(): tfl.LayersModel {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 3, useBias: false, name: 'out' }),
    ],
  });
  m.setWeights([K, KB, WO]);
  return m;
}
const convStage = { name: 'conv', fn: (x: tf.Tensor) => ops.relu(tf.add(tf.conv2d(x as tf.Tensor4D, K as tf.Tensor4D, 1, 'same'), KB)) };
const cnnStages = expectRight(namedStages([convStage, { name: 'flat', fn: (h: tf.Tensor) => tf.reshape(h, [h.shape[0] as number, -1]) }, { name: 'out', fn: (h: tf.Tensor) => tf.matMul(h, WO as tf.Tensor2D) }]));

const x = tf.tensor2d([[1, 2, -1], [0.5, -0.3, 0.8], [-1, 0.2, 0.4]]);
const xi = tf.tidy(() => tf.add(tf.mul(values([3, 5, 5, 1], 0.4), 1.5), 0.2));
const distribution = tf.tensor2d([[0, 0, 0], [0.5, -1, 0.25], [-0.2, 0.1, 0.3]]);
const imageDistribution = tf.tidy(() => tf.mul(values([2, 5, 5, 1], 2.2), 0.5));

interface Entry {
  readonly name: string;
  readonly call: AnyMethod;
  /** Options besides the layer; `image` for the CNN. */
  readonly options: (image: boolean) => Record<string, unknown>;
  readonly keys: readonly string[];
  readonly target: boolean;
  readonly batched: boolean;
}
const DL_KEYS = ['baselines', 'multiplyByInputs', 'customAttributionFunc'];
const SHAP_KEYS = ['baselines', 'multiplyByInputs', 'customAttributionFunc', 'internalBatchSize', 'onProgress', 'signal'];
const ENTRIES: readonly Entry[] = [
  { name: 'layerDeepLift', call: (m, i, o) => layerDeepLift(m, i, o as never), options: () => ({ target: 1, baselines: 0.1 }), keys: ['target', 'additionalForwardArgs', 'attributeToLayerInput', 'eps', 'returnConvergenceDelta', ...DL_KEYS], target: true, batched: false },
  { name: 'layerDeepLiftShap', call: (m, i, o) => layerDeepLiftShap(m, i, o as never), options: (img) => ({ target: 1, baselines: img ? imageDistribution : distribution }), keys: ['target', 'additionalForwardArgs', 'attributeToLayerInput', 'returnConvergenceDelta', ...SHAP_KEYS], target: true, batched: true },
  { name: 'guidedGradCam', call: (m, i, o) => guidedGradCam(m, i, o as never), options: () => ({ target: 2 }), keys: ['target', 'additionalForwardArgs', 'attributeToLayerInput', 'interpolateMode'], target: true, batched: false },
  { name: 'neuronDeepLift', call: (m, i, o) => neuronDeepLift(m, i, o as never), options: (img) => ({ neuronSelector: img ? [2, 3, 1] : 1, baselines: 0.1 }), keys: ['neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs', 'eps', ...DL_KEYS], target: false, batched: false },
  { name: 'neuronDeepLiftShap', call: (m, i, o) => neuronDeepLiftShap(m, i, o as never), options: (img) => ({ neuronSelector: img ? [2, 3, 1] : 1, baselines: img ? imageDistribution : distribution }), keys: ['neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs', ...SHAP_KEYS], target: false, batched: true },
  { name: 'neuronGuidedBackprop', call: (m, i, o) => neuronGuidedBackprop(m, i, o as never), options: (img) => ({ neuronSelector: img ? [2, 3, 1] : 1 }), keys: ['neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs'], target: false, batched: false },
  { name: 'neuronDeconvolution', call: (m, i, o) => neuronDeconvolution(m, i, o as never), options: (img) => ({ neuronSelector: img ? [2, 3, 1] : 1 }), keys: ['neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs'], target: false, batched: false },
];

const tensorsOf = (v: unknown): tf.Tensor[] => {
  const r = v as { attributions?: unknown; delta?: tf.Tensor };
  const a = r instanceof tf.Tensor || Array.isArray(r) ? r : r.attributions;
  return [...(Array.isArray(a) ? a : [a as tf.Tensor]), ...(r instanceof tf.Tensor || Array.isArray(r) || r.delta === undefined ? [] : [r.delta])];
};
async function assertSame(a: unknown, b: unknown, what: string, tol = CLOSE): Promise<void> {
  const ta = tensorsOf(a);
  const tb = tensorsOf(b);
  assert(ta.length === tb.length, `${what}: ${ta.length} vs ${tb.length} tensors`);
  for (const [i, t] of ta.entries()) {
    assert(t.shape.join() === tb[i]!.shape.join(), `${what}[${i}]: shape ${t.shape} vs ${tb[i]!.shape}`);
    assertClose(await t.data(), await tb[i]!.data(), tol, `${what}[${i}]`);
  }
}

s('hostile values in every argument settle as a Right or a Left naming it, without leaks (tf.LayersModel and named stages)', async () => {
  const mlp = reluMlp();
  const cnn = reluCnn();
  const xs = tf.tensor2d([[1, 2, 3], [3, -1, 0]]);
  await withoutLeaks('hostile sweep', async () => {
    const failures: string[] = [];
    for (const e of ENTRIES) {
      failures.push(...(await hostileSweep(`${e.name}[LayersModel]`, e.call, mlp, xs, { layer: 'fc1', ...e.options(false) }, ['layer', ...e.keys])));
      failures.push(...(await hostileSweep(`${e.name}[stages]`, e.call, stages, xs, { layer: 'fc1', ...e.options(false) }, ['layer', ...e.keys])));
    }
    const image = tf.slice(xi, 0, 2);
    failures.push(...(await hostileSweep('guidedGradCam[cnn]', ENTRIES[2]!.call, cnn, image, { layer: 'conv', target: 0 }, ['layer', 'target', 'attributeToLayerInput', 'interpolateMode'])));
    image.dispose();
    assert(failures.length === 0, `${failures.length} hostile calls misbehaved:\n${failures.slice(0, 30).join('\n')}`);
  });
  disposeAll(xs);
  mlp.dispose();
  cnn.dispose();
});

s('a layer reached by name equals the same layer reached as an object, for every method (tf.LayersModel and named stages)', async () => {
  const mlp = reluMlp();
  const cnn = reluCnn();
  await withoutLeaks('by name = by object', async () => {
    for (const e of ENTRIES) {
      const runs: [string, Model, string, unknown, tf.Tensor, boolean][] = [
        ['mlp', mlp, 'fc1', mlp.getLayer('fc1'), x, false],
        ['stages', stages, 'fc1', fc1Stage, x, false],
        ['cnn', cnn, 'conv', cnn.getLayer('conv'), xi, true],
        ['cnn stages', cnnStages, 'conv', convStage, xi, true],
      ];
      for (const [label, m, name, object, inputs, image] of runs) {
        const a = expectRight(await e.call(m, inputs, { ...e.options(image), layer: name }), `${e.name} ${label} by name`);
        const b = expectRight(await e.call(m, inputs, { ...e.options(image), layer: object }), `${e.name} ${label} by object`);
        await assertSame(a, b, `${e.name} ${label}`, { atol: 0, rtol: 0 });
        disposeAll(a, b);
      }
    }
  });
  mlp.dispose();
  cnn.dispose();
});

s('the LayersModel and the marked named stages give the same attributions, for every method', async () => {
  const mlp = reluMlp();
  const cnn = reluCnn();
  await withoutLeaks('LayersModel = stages', async () => {
    for (const e of ENTRIES) {
      for (const [label, a, b, layer, inputs, image] of [['mlp', mlp, stages, 'fc1', x, false], ['cnn', cnn, cnnStages, 'conv', xi, true]] as const) {
        const ra = expectRight(await e.call(a, inputs, { ...e.options(image), layer }), `${e.name} ${label} LayersModel`);
        const rb = expectRight(await e.call(b, inputs, { ...e.options(image), layer }), `${e.name} ${label} stages`);
        await assertSame(ra, rb, `${e.name} ${label}`);
        disposeAll(ra, rb);
      }
    }
  });
  mlp.dispose();
  cnn.dispose();
});

s('internalBatchSize (pairs per pass) changes nothing for layerDeepLiftShap and neuronDeepLiftShap, deltas included; progress reaches N·B', async () => {
  const mlp = reluMlp();
  await withoutLeaks('batched = unbatched', async () => {
    for (const e of ENTRIES.filter((f) => f.batched)) {
      for (const [m, inputs, image, layer] of [[mlp, x, false, 'fc1'], [cnnStages, xi, true, 'conv']] as const) {
        const withDelta = e.name === 'layerDeepLiftShap' ? { returnConvergenceDelta: true } : {};
        const whole = expectRight(await e.call(m, inputs, { ...e.options(image), ...withDelta, layer }));
        for (const internalBatchSize of [1, 2, 4, 5, 100]) {
          const done: number[] = [];
          const part = expectRight(await e.call(m, inputs, { ...e.options(image), ...withDelta, layer, internalBatchSize, onProgress: (p: { done: number }) => done.push(p.done) }));
          await assertSame(part, whole, `${e.name} ibs=${internalBatchSize}`); // deltas near 0 differ by float32 rounding of F(x) - F(b)
          const pairs = 3 * (image ? 2 : 3);
          assert(done[done.length - 1] === pairs && done.length === Math.ceil(pairs / Math.min(internalBatchSize, pairs)), `${e.name} ibs=${internalBatchSize}: progress ${done}`);
          disposeAll(part);
        }
        disposeAll(whole);
      }
    }
  });
  mlp.dispose();
});

s('a per-example target list equals separate single-example calls (layerDeepLift, layerDeepLiftShap, guidedGradCam)', async () => {
  const mlp = reluMlp();
  const cnn = reluCnn();
  await withoutLeaks('target list = separate calls', async () => {
    for (const e of ENTRIES.filter((f) => f.target)) {
      for (const [label, m, inputs, image, layer] of [['mlp', mlp, x, false, 'fc1'], ['cnn', cnn, xi, true, 'conv']] as const) {
        if (e.name === 'guidedGradCam' && !image) continue; // [N, F] inputs get the empty tensor
        const targets = [2, 0, 1];
        const withDelta = e.name === 'guidedGradCam' ? {} : { returnConvergenceDelta: true };
        const listed = expectRight(await e.call(m, inputs, { ...e.options(image), ...withDelta, layer, target: targets }));
        const [attr, delta] = tensorsOf(listed) as [tf.Tensor, tf.Tensor | undefined];
        const perPair = e.name === 'layerDeepLiftShap' ? (image ? 2 : 3) : 1;
        for (const [i, t] of targets.entries()) {
          const row = tf.slice(inputs, i, 1);
          const one = expectRight(await e.call(m, row, { ...e.options(image), ...withDelta, layer, target: t }));
          const [oa, od] = tensorsOf(one) as [tf.Tensor, tf.Tensor | undefined];
          const mine = tf.slice(attr, i, 1);
          assertClose(await mine.data(), await oa.data(), CLOSE, `${e.name} ${label} example ${i}`);
          if (delta !== undefined) {
            const d = tf.slice(delta, i * perPair, perPair);
            assertClose(await d.data(), await od!.data(), CLOSE, `${e.name} ${label} delta ${i}`);
            d.dispose();
          }
          disposeAll(row, one, mine);
        }
        disposeAll(listed);
      }
    }
  });
  mlp.dispose();
  cnn.dispose();
});

s('guidedGradCam is guidedBackprop times the relu Grad-CAM map resized to the input; an input the map cannot be resized to gets Captum\'s empty [0] tensor', async () => {
  const cnn = reluCnn();
  await withoutLeaks('guidedGradCam', async () => {
    for (const interpolateMode of ['nearest', 'bilinear', 'bicubic', 'area'] as const) {
      const r = expectRight(await guidedGradCam(cnn, xi, { layer: 'conv', target: 1, interpolateMode }));
      const cam = expectRight(await layerGradCam(cnn, xi, { layer: 'conv', target: 1, reluAttributions: true })) as tf.Tensor;
      const gbp = expectRight(await guidedBackprop(cnn, xi, { target: 1 }));
      const want = tf.mul(gbp, cam); // the conv keeps the input's 5×5, so every mode is the identity resize
      assertClose(await r.data(), await want.data(), CLOSE, interpolateMode);
      disposeAll(r, cam, gbp, want);
    }
    // A [N, F] input has no spatial dims: Captum's interpolate fails, it warns and returns torch.empty(0).
    const mlp = reluMlp();
    const flat = expectRight(await guidedGradCam(mlp, x, { layer: 'fc1', target: 0 }));
    mlp.dispose();
    assert(flat.shape.join() === '0' && flat.dtype === 'float32', `empty: [${flat.shape}] ${flat.dtype}`);
    // A mode torch rejects for the map's rank fails there too, inside Captum's try: the empty tensor.
    const linear = expectRight(await guidedGradCam(cnn, xi, { layer: 'conv', target: 0, interpolateMode: 'linear' }));
    assert(linear.shape.join() === '0', `linear on a 4-D map: [${linear.shape}]`);
    // A string that is no mode at all is a Left naming the option.
    const [mode] = expectLeft(await guidedGradCam(cnn, xi, { layer: 'conv', target: 0, interpolateMode: 'cubic' as never }), ['InvalidArgument']);
    assert(mode?.path === 'options.interpolateMode', `${mode?.path}`);
    disposeAll(flat, linear);
  });
  cnn.dispose();
});

s('guidedGradCam with two inputs: the image gets its map, the flat input the empty tensor; a layer with two tensors is refused', async () => {
  const image = tfl.input({ shape: [5, 5, 1] });
  const extra = tfl.input({ shape: [3] });
  const conv = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }).apply(image) as tfl.SymbolicTensor;
  const flat = tfl.layers.flatten().apply(conv) as tfl.SymbolicTensor;
  const joined = tfl.layers.concatenate({ name: 'join' }).apply([flat, extra]) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 3, useBias: false, name: 'out' }).apply(joined) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: [image, extra], outputs: out });
  const w = [K, KB, values([53, 3], 0.9)];
  model.setWeights(w);
  disposeAll(w[2]);
  await withoutLeaks('two inputs', async () => {
    const r = expectRight(await guidedGradCam(model, [xi, x], { layer: 'conv', target: 2 }));
    assert(Array.isArray(r) && r.length === 2 && r[0]!.shape.join() === '3,5,5,1' && r[1]!.shape.join() === '0', `shapes ${r.map((t) => `[${t.shape}]`)}`);
    const [both] = expectLeft(await guidedGradCam(model, [xi, x], { layer: 'join', target: 2, attributeToLayerInput: true }), ['InvalidArgument']);
    assert(both?.path === 'options.layer' && /one tensor/.test(message([both])), message([both!]));
    disposeAll(r);
  });
  model.dispose();
});

s('layerDeepLiftShap and neuronDeepLiftShap: the mean of layerDeepLift / neuronDeepLift against each baseline row; the delta per pair', async () => {
  const mlp = reluMlp();
  await withoutLeaks('shap = mean of DeepLift', async () => {
    for (const [label, call, single, options] of [
      ['layer', layerDeepLiftShap, layerDeepLift, { target: 1 }],
      ['neuron', neuronDeepLiftShap, neuronDeepLift, { neuronSelector: 2 }],
    ] as const) {
      const shap = expectRight(await (call as unknown as AnyMethod)(mlp, x, { ...options, layer: 'fc1', baselines: distribution, ...(label === 'layer' ? { returnConvergenceDelta: true } : {}) }));
      const [attr, delta] = tensorsOf(shap) as [tf.Tensor, tf.Tensor | undefined];
      let sum: tf.Tensor | undefined;
      const deltas: tf.Tensor[] = [];
      for (let j = 0; j < 3; j++) {
        const b = tf.slice(distribution, j, 1);
        const one = expectRight(await (single as unknown as AnyMethod)(mlp, x, { ...options, layer: 'fc1', baselines: b, ...(label === 'layer' ? { returnConvergenceDelta: true } : {}) }));
        const [oa, od] = tensorsOf(one) as [tf.Tensor, tf.Tensor | undefined];
        const next = sum === undefined ? tf.clone(oa) : tf.add(sum, oa);
        sum?.dispose();
        sum = next;
        if (od !== undefined) deltas.push(tf.clone(od));
        disposeAll(b, one);
      }
      const mean = tf.div(sum!, 3);
      assertClose(await attr.data(), await mean.data(), CLOSE, `${label}: mean over baselines`);
      if (delta !== undefined) {
        // Row i·B + j: example i against baseline j.
        const want = tf.tidy(() => tf.reshape(tf.stack(deltas, 1), [-1]));
        assertClose(await delta.data(), await want.data(), CLOSE, `${label}: delta per pair`);
        want.dispose();
      }
      disposeAll(shap, sum, mean, deltas);
    }
    const oneRow = tf.zeros([1, 3]);
    const [few] = expectLeft(await layerDeepLiftShap(mlp, x, { layer: 'fc1', target: 0, baselines: oneRow }), ['InvalidArgument']);
    oneRow.dispose();
    assert(few?.path === 'options.baselines', `${few?.path}`);
    const [none] = expectLeft(await neuronDeepLiftShap(mlp, x, { layer: 'fc1', neuronSelector: 0 } as never), ['InvalidArgument']);
    assert(none?.path === 'options.baselines', `${none?.path}`);
    const [target] = expectLeft(await neuronDeepLiftShap(mlp, x, { layer: 'fc1', neuronSelector: 0, baselines: distribution, target: 0 } as never), ['InvalidArgument']);
    assert(target?.path === 'options.target', `${target?.path}`);
  });
  mlp.dispose();
});

s('the doc examples give the values their comments state', async () => {
  await withoutLeaks('doc examples', async () => {
    const { relu } = ops;
    const lin = tf.tensor2d([[1, -2], [3, 1]]);
    const model = expectRight(namedStages([{ name: 'fc1', fn: (t: tf.Tensor) => tf.matMul(t, lin) }, { name: 'out', fn: (h: tf.Tensor) => tf.sum(relu(h), 1, true) }]));
    const one = tf.tensor2d([[1, 1]]);
    const rows = tf.tensor2d([[0, 0], [1, 0]]);
    const a = expectRight(await layerDeepLiftShap(model, one, { layer: 'fc1', baselines: rows })) as tf.Tensor;
    assertClose(await a.data(), [3.5, 0], CLOSE, 'layerDeepLiftShap');
    const hModel = expectRight(namedStages([{ name: 'h', fn: (t: tf.Tensor) => relu(tf.matMul(t, lin)) }, { name: 'out', fn: (h: tf.Tensor) => tf.sum(h, 1, true) }]));
    const n = expectRight(await neuronDeepLiftShap(hModel, one, { layer: 'h', neuronSelector: 0, baselines: rows }));
    assertClose(await n.data(), [0.5, 3], CLOSE, 'neuronDeepLiftShap');
    const kernel = tf.tensor4d([1, -1, 0.5, 2], [2, 2, 1, 1]);
    const cnn = expectRight(namedStages([{ name: 'conv', fn: (t: tf.Tensor) => relu(tf.conv2d(t as tf.Tensor4D, kernel, 2, 'valid')) }, { name: 'head', fn: (h: tf.Tensor) => tf.reshape(h, [-1, 4]) }]));
    const img = tf.tensor4d([1, 2, 0, 1, 3, 1, 1, 0, 0, 1, 2, 2, 1, 1, 0, 3], [1, 4, 4, 1]);
    const g = expectRight(await guidedGradCam(cnn, img, { layer: 'conv', target: 0 }));
    const k = 0.625;
    assertClose(await g.data(), [k, -k, 0, 0, 0.5 * k, 2 * k, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], CLOSE, 'guidedGradCam');
    disposeAll(lin, one, rows, a, n, kernel, img, g);
  });
});
s.run();
