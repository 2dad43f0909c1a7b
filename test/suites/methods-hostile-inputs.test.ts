// The hostile-input table for every attribution method: each hostile value goes to the model, the
// inputs, the options object and every option the method knows (the list comes from the method
// itself: an unknown key is refused with the list of known ones), while the other arguments stay
// valid. Every call must settle without throwing, leak nothing, and give a Right or a Left whose
// paths name the hostile argument. The numbers of legitimate calls are checked by the parity suites.
import * as tf from '@tensorflow/tfjs-core';
import * as api from '../../src/index.js';
import { type AttributionMethod, integratedGradients, type Model, namedStages, noiseTunnel, saliency } from '../../src/index.js';
import { disposed, EITHER, type Expect, GENERIC, h, type Hostile, LEFT, modelExpect, MODELS, NON_TENSORS, type Row, runHostileRows, tensorArgRefusal, throwingProxy } from '../support/hostile.js';
import { assert } from '../support/harness.js';

type Method = AttributionMethod<Record<string, unknown>>;

// A two-stage model, so that layer and neuron methods have a layer to reach, that takes any [N, ...]
// input (the hostile tensors have other shapes than x): hidden = tanh(x / 2), out = [N, 1] sum of squares.
const staged = namedStages([
  { name: 'hidden', fn: (x: tf.Tensor) => tf.tanh(tf.mul(tf.cast(x, 'float32'), 0.5)) },
  { name: 'out', fn: (hid: tf.Tensor) => tf.sum(tf.square(tf.reshape(hid, [hid.shape[0] ?? 0, -1])), 1, true) },
]);
assert(staged._tag === 'Right', 'the staged model builds');
const model = staged.right as unknown as Model;
const x = () => tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]);

/** What each method needs besides the model and the inputs (fresh tensors on every call). */
function baseOptions(name: string): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (/^(layer|internal|neuron|guidedGradCam)/.test(name)) o['layer'] = 'hidden';
  if (name.startsWith('neuron')) o['neuronSelector'] = 0;
  if (name === 'occlusion') o['slidingWindowShapes'] = [1];
  if (/Shap$/.test(name) && !/^kernel/.test(name) || name === 'deepLiftShap') o['baselines'] = tf.zeros([3, 3]);
  if (/^(integratedGradients|layerConductance|layerIntegratedGradients|internalInfluence|neuronIntegratedGradients|neuronConductance)$/.test(name)) o['nSteps'] = 4;
  if (/^(shapleyValueSampling|lime|kernelShap|gradientShap|layerGradientShap|neuronGradientShap)$/.test(name)) o['nSamples'] = 3;
  return o;
}

/** The option keys a method knows, as it lists them when given an unknown one. */
async function knownKeys(method: Method): Promise<string[]> {
  const r = await method(model, tf.tidy(() => x()), { __probe: 1 } as never);
  const e = r._tag === 'Left' ? (r.left[0] as { expected?: string }) : undefined;
  const listed = /one of the options (.*)$/.exec(e?.expected ?? '')?.[1];
  assert(listed !== undefined, `the method lists its options when given an unknown one (got ${JSON.stringify(r._tag === 'Left' ? r.left[0] : 'Right')})`);
  return listed.split(', ');
}

const OPTION_VALUES: readonly Hostile[] = [
  h('null', 'null', () => null),
  h('NaN', 'NaN', () => NaN),
  h('negative', '-1', () => -1),
  h('fraction', '1.5', () => 1.5),
  h('huge', '1e300', () => 1e300),
  h('string', "the string 'x'", () => 'x'),
  h('object', '{}', () => ({})),
  h('emptyArray', '[]', () => []),
  h('proxy', 'an object whose every property read throws', throwingProxy),
  h('disposedTensor', 'a disposed tensor', disposed(() => tf.ones([2, 3]))),
  h('function', 'a function that throws', () => () => {
    throw new Error('hostile option');
  }),
];

const methods: [string, Method][] = Object.entries(api)
  .filter(([, v]) => typeof v === 'function' && typeof (v as { descriptor?: unknown }).descriptor === 'object')
  .map(([name, v]) => [name, v as Method]);
methods.push(['noiseTunnel(saliency)', noiseTunnel(saliency) as unknown as Method], ['noiseTunnel(integratedGradients)', noiseTunnel(integratedGradients) as unknown as Method]);

/** Methods that reach inside the model: they take a layered model (a tf.LayersModel or named stages). */
const LAYERED = /^(layer|internal|neuron|guidedGradCam|lrp)/;
/** A hostile forward function as the stage `hidden` of a two-stage model; anything else as it is. */
function asStages(v: unknown): unknown {
  if (typeof v !== 'function') return v;
  const r = namedStages([{ name: 'hidden', fn: v as (x: tf.Tensor) => tf.Tensor }, { name: 'out', fn: (hid: tf.Tensor) => hid }]);
  return r._tag === 'Right' ? Object.assign(r.right, { owned: (v as { owned?: unknown }).owned }) : v;
}

/** For a layered method, a model object without layers is refused; a stage may return several tensors. */
function layeredModelExpect(id: string): Expect {
  if (id === 'applyThrows' || id === 'predictArray' || id === 'predictWorks') return LEFT(['InvalidArgument']);
  if (id === 'returnsArray') return EITHER();
  return modelExpect(id) ?? EITHER();
}

const rows: Row[] = [];
for (const [name, method] of methods) {
  const base = name.startsWith('noiseTunnel(integrated') ? { nSteps: 4, nSamples: 2 } : name.startsWith('noiseTunnel') ? { nSamples: 2 } : {};
  const options = () => ({ ...base, ...baseOptions(name) });
  const invoke = (a: readonly unknown[]) => method(a[0] as Model, a[1] as tf.Tensor, a[2] as never);
  // A model that returns its input ([N, 3]) needs a target; one that ignores its input has no gradient to it.
  // Methods that reach a layer get each hostile forward function as the first of two named stages.
  const modelOf = LAYERED.test(name) ? asStages : (v: unknown) => v;
  const modelRowExpect = LAYERED.test(name) ? layeredModelExpect : (id: string) => modelExpect(id) ?? EITHER();
  rows.push({ fn: name, arg: 'model', prefixes: ['model', 'options.target', 'options.layer', 'options.neuronSelector', 'inputs'], hostiles: MODELS, build: (v) => [modelOf(v), x(), options()], invoke, expect: modelRowExpect });
  // Inputs whose shape does not fit another argument (a baseline distribution, a window, a layer or
  // neuron selector that needs a dimension beyond the batch) are refused at that argument.
  rows.push({ fn: name, arg: 'inputs', prefixes: ['inputs', 'options.baselines', 'options.layer', 'options.neuronSelector', 'options.slidingWindowShapes'], hostiles: GENERIC, build: (v) => [model, v, options()], invoke, expect: (id) => tensorArgRefusal(id) ?? EITHER() });
  rows.push({ fn: name, arg: 'options', prefixes: ['options'], hostiles: NON_TENSORS, build: (v) => [model, x(), v], invoke, expect: () => EITHER() });
  for (const key of await knownKeys(method)) {
    rows.push({ fn: name, arg: `options.${key}`, prefixes: [`options.${key}`], hostiles: OPTION_VALUES, build: (v) => [model, x(), { ...options(), [key]: v }], invoke, expect: () => EITHER() });
  }
}

runHostileRows('hostile inputs to every method', rows);
