// Running one reference case of an attribution method (algorithms*.json): decode the case's inputs
// and keyword arguments into the method's camelCase options, call the method without leaking, and
// compare attributions (and delta) with Captum's, or expect the case's error category.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Model, Result } from '../../src/index.js';
import { type ItemsJson, type ReferenceCase, type TensorJson, tensorsIn, toArgs, toBaselines, toItems, toTarget } from './fixtures.js';
import { assert, assertTensor, disposeAll, expectCategory, expectRight, PARITY, type Tolerance, withoutLeaks } from './harness.js';
import { layersModelOf, referenceModel } from './models.js';

/** `n_steps` -> `nSteps`. */
export const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Keyword arguments whose values need decoding; the rest (numbers, strings, booleans) pass as they are. */
const DECODERS: Readonly<Record<string, (v: unknown) => unknown>> = {
  baselines: toBaselines,
  layer_baselines: toBaselines,
  target: (v) => toTarget(v as never),
  additional_forward_args: toArgs,
  neuron_selector: toNeuronSelector,
  feature_mask: (v) => toItems(v as ItemsJson),
  interpretable_model: (v) => {
    const m = v as { class: string; alpha?: number };
    return m.class === 'SkLearnLasso' ? { kind: 'lasso', alpha: m.alpha ?? 1 } : { kind: 'linearRegression' };
  },
};

/** Captum's neuron selector: an int, or a tuple of ints and `{slice: [start, stop]}` (NHWC for conv layers). */
export function toNeuronSelector(v: unknown): unknown {
  const o = v as { int?: number; tuple?: (number | { slice: [number | null, number | null] })[] };
  if (typeof o.int === 'number') return o.int;
  return (o.tuple ?? []).map((e) => (typeof e === 'number' ? e : { ...(e.slice[0] === null ? {} : { start: e.slice[0] }), ...(e.slice[1] === null ? {} : { stop: e.slice[1] }) }));
}

/**
 * The options object for a case: every `attribute()` keyword and constructor argument in camelCase,
 * decoded, `null` read as absent; `skip` lists keys the caller decodes itself.
 */
export function optionsOf(c: ReferenceCase, skip: readonly string[] = []): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  const ctor = (c.args['constructor'] ?? {}) as Record<string, unknown>;
  for (const [key, value] of [...Object.entries(ctor), ...Object.entries(c.args)]) {
    if (key === 'constructor' || key === 'inputs' || skip.includes(key) || value === null) continue;
    const decode = DECODERS[key];
    options[camel(key)] = decode ? decode(value) : value;
  }
  return options;
}

export type MethodCall = (model: Model, inputs: tf.Tensor | tf.Tensor[], options: Record<string, unknown>) => Promise<Result<unknown>>;

/** Compares a method's result with a case's `expected` (attributions in the inputs' form, and delta when present). */
export async function assertMatchesCase(value: unknown, c: ReferenceCase, tol: Tolerance = PARITY, deltaTol: Tolerance = PARITY): Promise<void> {
  const expected = c.expected as { attributions: ItemsJson; delta?: TensorJson };
  const hasDelta = expected.delta !== undefined;
  const attributions = hasDelta ? (value as { attributions: unknown }).attributions : value;
  assert(Array.isArray(attributions) === expected.attributions.tuple, `attributions come back as ${Array.isArray(attributions) ? 'an array' : 'a tensor'}, expected ${expected.attributions.tuple ? 'an array' : 'a tensor'}`);
  const list = (Array.isArray(attributions) ? attributions : [attributions]) as tf.Tensor[];
  assert(list.length === expected.attributions.items.length, `${list.length} attribution tensors, expected ${expected.attributions.items.length}`);
  for (const [i, a] of list.entries()) await assertTensor(a, expected.attributions.items[i] as TensorJson, tol, `attributions[${i}]`);
  if (hasDelta) await assertTensor((value as { delta: tf.Tensor }).delta, expected.delta as TensorJson, deltaTol, 'delta');
}

/** Runs a case through `call` on `model`; checks the result (or the error category) and that nothing leaks. */
export async function checkMethodCase(c: ReferenceCase, model: Model, call: MethodCall, tol: Tolerance = PARITY, deltaTol: Tolerance = PARITY): Promise<void> {
  const inputs = toItems(c.args['inputs'] as ItemsJson);
  const options = optionsOf(c);
  try {
    await withoutLeaks(c.id, async () => {
      const r = await call(model, inputs, options);
      if (c.error !== undefined) return expectCategory(r, c.error, c.id);
      const value = expectRight(r, c.id);
      try {
        await assertMatchesCase(value, c, tol, deltaTol);
      } finally {
        disposeAll(value);
      }
    });
  } finally {
    disposeAll(inputs, ...Object.values(options).flatMap(tensorsIn));
  }
}

const layersModels = new Map<string, tfl.LayersModel | undefined>();
/** The case's model as a tf.LayersModel, built once per process; undefined where tfjs-layers cannot express it. */
export function layersModelFor(name: string): tfl.LayersModel | undefined {
  if (!layersModels.has(name)) layersModels.set(name, layersModelOf(name));
  return layersModels.get(name);
}

/** Cases a LayersModel can run: the model has a tfjs-layers form and the case passes no extra arguments (a LayersModel takes only its inputs). */
export const runsAsLayersModel = (c: ReferenceCase): boolean =>
  c.model !== null && (c.args['additional_forward_args'] ?? null) === null && layersModelFor(c.model) !== undefined;

/** The case's model as a forward function. */
export const forwardModelFor = (c: ReferenceCase): Model => referenceModel(c.model as string) as unknown as Model;
