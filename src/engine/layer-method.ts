// The calling convention of layer and neuron methods: `method(model, inputs, options)` as for every
// method, with the layer (and the neuron) in `options`. Layer methods return attributions shaped like
// the layer; neuron methods return attributions shaped like the inputs.
import type * as tf from '@tensorflow/tfjs-core';
import type { MethodDescriptor } from '../attribution/method-descriptors.js';
import { readArray } from '../core/arguments.js';
import { booleanOption } from '../core/options.js';
import type { TensorRules } from '../core/tensors.js';
import { tidyResult } from '../core/tidy-result.js';
import { all, allOf, fail, ok, type Result } from '../core/validation.js';
import type { RuleMethod } from './attribution-rules.js';
import { type LayerRef, type LayerSide, type ReachedLayer, reachLayer } from './layer-reach.js';
import { ruleModel } from './layers-walk.js';
import type { Inputs, MethodOptions, WithDelta } from './method.js';
import { checkModel, type Model } from './model.js';
import type { NeuronSelector } from './neuron-selector.js';
import { type PreparedCall, prepareCall } from './prepare-call.js';

/**
 * A layer's attributions: one tensor for a layer with one tensor (the usual case), an array for a
 * layer that returns (or, with `attributeToLayerInput`, receives) several. Rank-4 layers are `[N, H, W, C]`.
 *
 * @example
 * const model = namedStages([{ name: 'fc1', fn: (x: tf.Tensor) => tf.mul(x, 2) }]);
 * if (model._tag === 'Right') {
 *   const r = await layerActivation(model.right, tf.ones([1, 3]), { layer: 'fc1' });
 *   if (r._tag === 'Right') { const a: LayerAttribution = r.right; console.log(Array.isArray(a) ? a.length : a.shape); } // [1, 3]
 * }
 */
export type LayerAttribution = tf.Tensor | tf.Tensor[];

/**
 * The options every layer method takes: the layer, and whether to explain what it returns (the
 * default) or what it receives (Captum's `attribute_to_layer_input`).
 *
 * @example
 * const options: LayerMethodOptions = { layer: 'conv1', target: 3, attributeToLayerInput: false };
 */
export interface LayerMethodOptions extends MethodOptions {
  /** The layer, by name or as the layer object (see {@link LayerRef}). */
  readonly layer: LayerRef;
  /** Explain the tensors the layer receives instead of those it returns; default false. */
  readonly attributeToLayerInput?: boolean;
}

/**
 * The options every neuron method takes: the layer, the neuron in it, and whether the neuron is
 * read from the layer's output (the default) or from its input (Captum's `attribute_to_neuron_input`).
 *
 * @example
 * const options: NeuronMethodOptions = { layer: 'conv1', neuronSelector: [1, 2, 3] }; // h, w, c
 */
export interface NeuronMethodOptions {
  readonly layer: LayerRef;
  readonly neuronSelector: NeuronSelector;
  /** Read the neuron from the tensors the layer receives; default false. */
  readonly attributeToNeuronInput?: boolean;
  /** Passed to the model after the inputs (Captum's `additional_forward_args`). */
  readonly additionalForwardArgs?: unknown;
}

/**
 * A layer method: `method(model, inputs, options)`, attributions shaped like the layer.
 *
 * @example
 * const methods: LayerAttributionMethod<LayerGradCamOptions>[] = [layerGradCam];
 * console.log(layerGradCam.descriptor.family); // 'layer'
 */
export interface LayerAttributionMethod<O> {
  (model: Model, inputs: Inputs, options: O): Promise<Result<LayerAttribution>>;
  readonly descriptor: MethodDescriptor;
}

/**
 * A layer method that also takes a list of layers (Captum's multi-layer form) and then returns one
 * layer attribution per layer, in order.
 *
 * @example
 * const methods: MultiLayerAttributionMethod<LayerActivationOptions>[] = [layerActivation];
 * console.log(layerActivation.descriptor.name); // 'Layer Activation'
 */
export interface MultiLayerAttributionMethod<O> {
  (model: Model, inputs: Inputs, options: O & { readonly layer: readonly LayerRef[] }): Promise<Result<LayerAttribution[]>>;
  (model: Model, inputs: Inputs, options: O & { readonly layer: LayerRef }): Promise<Result<LayerAttribution>>;
  readonly descriptor: MethodDescriptor;
}

/**
 * A layer method with a convergence delta: with `returnConvergenceDelta: true` the result is
 * `{ attributions, delta }`, `delta` being the input-level `Σ attributions - (F(x) - F(baselines))`.
 *
 * @example
 * const methods: LayerDeltaAttributionMethod<LayerConductanceOptions>[] = [layerConductance];
 * console.log(layerConductance.descriptor.hasConvergenceDelta); // true
 */
export interface LayerDeltaAttributionMethod<O> {
  (model: Model, inputs: Inputs, options: O & { readonly returnConvergenceDelta: true }): Promise<Result<WithDelta<LayerAttribution>>>;
  (model: Model, inputs: Inputs, options: O & { readonly returnConvergenceDelta?: false }): Promise<Result<LayerAttribution>>;
  (model: Model, inputs: Inputs, options: O): Promise<Result<LayerAttribution | WithDelta<LayerAttribution>>>;
  readonly descriptor: MethodDescriptor;
}

/**
 * A layer method with a convergence delta that also takes a list of layers (Captum's multi-layer
 * form): the attributions are then a list with one entry per layer, and the delta sums them all.
 *
 * @example
 * const methods: MultiLayerDeltaAttributionMethod<Omit<LayerIntegratedGradientsOptions, 'layer'>>[] = [layerIntegratedGradients];
 * console.log(layerIntegratedGradients.descriptor.className); // 'LayerIntegratedGradients'
 */
export interface MultiLayerDeltaAttributionMethod<O> {
  (model: Model, inputs: Inputs, options: O & { readonly layer: readonly LayerRef[]; readonly returnConvergenceDelta: true }): Promise<Result<WithDelta<LayerAttribution[]>>>;
  (model: Model, inputs: Inputs, options: O & { readonly layer: readonly LayerRef[]; readonly returnConvergenceDelta?: false }): Promise<Result<LayerAttribution[]>>;
  (model: Model, inputs: Inputs, options: O & { readonly layer: LayerRef; readonly returnConvergenceDelta: true }): Promise<Result<WithDelta<LayerAttribution>>>;
  (model: Model, inputs: Inputs, options: O & { readonly layer: LayerRef; readonly returnConvergenceDelta?: false }): Promise<Result<LayerAttribution>>;
  (model: Model, inputs: Inputs, options: O & { readonly layer: LayerRef | readonly LayerRef[] }): Promise<Result<LayerAttribution | LayerAttribution[] | WithDelta<LayerAttribution | LayerAttribution[]>>>;
  readonly descriptor: MethodDescriptor;
}

/** A layer's tensors in Captum's form: the tensor itself when there is one, else the array. */
export const layerForm = (values: readonly tf.Tensor[]): LayerAttribution => (values.length === 1 ? values[0]! : [...values]);

/** A checked call of a layer or neuron method. */
export interface LayerCall<C> {
  readonly checked: C;
  readonly prepared: PreparedCall;
  readonly layers: readonly ReachedLayer[];
  /** The caller passed a list of layers (only where `allowList`). */
  readonly isList: boolean;
}

function reachAll(model: unknown, layer: unknown, side: LayerSide, allowList: boolean): Result<{ layers: ReachedLayer[]; isList: boolean }> {
  if (!Array.isArray(layer)) {
    const one = reachLayer(model, layer, side);
    return one._tag === 'Left' ? one : ok({ layers: [one.right], isList: false });
  }
  if (!allowList) return fail({ _tag: 'InvalidArgument', path: 'options.layer', expected: 'one layer (this method takes no list of layers)', got: `an array of length ${layer.length}` });
  const items = readArray(layer, 'options.layer');
  if (items._tag === 'Left') return items;
  if (items.right.length === 0) return fail({ _tag: 'InvalidArgument', path: 'options.layer', expected: 'at least one layer', got: 'an empty array' });
  const reached = allOf(items.right.map((l, i) => reachLayer(model, l, side, `options.layer[${i}]`)));
  return reached._tag === 'Left' ? reached : ok({ layers: reached.right, isList: true });
}

/**
 * The first steps of a layer or neuron method: the method's own option checks (`checked`), the model
 * call (model, inputs, target, extra arguments) and the layer (`layer`, on the side that
 * `inputSide` at `sidePath` chooses), every problem reported at once.
 */
export async function prepareLayerCall<C>(
  checked: Result<C>,
  model: unknown,
  inputs: unknown,
  target: unknown,
  args: unknown,
  layer: unknown,
  inputSide: unknown,
  sidePath: string,
  allowList = false,
  rules?: TensorRules,
): Promise<Result<LayerCall<C>>> {
  const side = booleanOption(inputSide, sidePath, false);
  const reached = checkModel(model)._tag === 'Right' ? reachAll(model, layer, side._tag === 'Right' && side.right ? 'input' : 'output', allowList) : ok({ layers: [], isList: false });
  const prepared = await prepareCall(model, inputs, target, args, rules);
  const r = all({ checked, side, prepared, reached });
  if (r._tag === 'Left') return r;
  return ok({ checked: r.right.checked, prepared: r.right.prepared, layers: r.right.reached.layers, isList: r.right.reached.isList });
}

/** The one layer of a single-layer method. */
export const onlyLayer = <C>(c: LayerCall<C>): ReachedLayer => c.layers[0]!;

/**
 * The one layer as a rule method (`method`) sees it, once the model passed Captum's refusals for
 * that method (a reused DeepLift non-linearity, extra arguments a tf.LayersModel cannot take).
 */
export function ruledLayer<C>(c: LayerCall<C>, method: RuleMethod): Result<ReachedLayer> {
  const { call } = c.prepared;
  const ruled = ruleModel(call.model, method, call.args);
  return ruled._tag === 'Left' ? ruled : ok(onlyLayer(c).ruled(method));
}

/**
 * Runs `f` for each layer (inside `tf.tidy`), in order, and gives each layer's tensors in Captum's
 * form: a list with one entry per layer when the caller passed a list, else the one entry. On any
 * failure, whatever earlier layers produced is released.
 */
export function perLayer<C>(c: LayerCall<C>, f: (layer: ReachedLayer) => tf.Tensor[]): Result<LayerAttribution | LayerAttribution[]> {
  const done: tf.Tensor[][] = [];
  for (const layer of c.layers) {
    const r = tidyResult(() => ok(f(layer)));
    if (r._tag === 'Left') {
      done.forEach((ts) => ts.forEach((t) => t.dispose()));
      return r;
    }
    done.push(r.right);
  }
  const forms = done.map(layerForm);
  return ok(c.isList ? forms : forms[0]!);
}
