// What counts as a model, and the one place that calls it.
import * as tf from '@tensorflow/tfjs-core';
import { describeValue, isTensor, readFields, settleThenable } from '../core/arguments.js';
import { formatShape } from '../core/tensors.js';
import type { AttributionError } from '../core/errors.js';
import { errorText, fail, ok, type Result } from '../core/validation.js';

/**
 * Captum's convention: `f(...inputs, ...additionalForwardArgs)` returning one tensor `[N, ...]`.
 *
 * @example
 * const twoInputs: ForwardFunction = ((a: tf.Tensor, b: tf.Tensor) => tf.add(tf.sum(a, 1), tf.sum(b, 1))) as ForwardFunction;
 * await runForward(twoInputs, [tf.ones([2, 3]), tf.ones([2, 1])]); // Right(tensor [4, 4])
 */
export type ForwardFunction = (...args: never[]) => tf.Tensor;

/**
 * A `tf.LayersModel` (anything with `apply(inputs, {training})`): extra tensor args become extra model inputs.
 *
 * @example
 * const doubler: LayersModelLike = { apply: (x) => tf.mul(x as tf.Tensor, 2) }; // a stand-in for a tf.LayersModel
 * await runForward(doubler, tf.ones([2, 3]), 0); // Right(tensor [2, 2])
 */
export interface LayersModelLike {
  /** Runs the model on its inputs (one tensor, or one per model input); called with `training: false`. */
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: { training?: boolean }): unknown;
}

/**
 * A `tf.GraphModel` or any object with `predict(inputs)`.
 *
 * @example
 * const graphModelLike: PredictModelLike = { predict: (x) => tf.sum(x as tf.Tensor, 1, true) };
 * await computeGradients(graphModelLike, tf.ones([2, 3])); // Right(tensor of ones [2, 3])
 */
export interface PredictModelLike {
  /** Runs the model on its inputs (one tensor, or one per model input) and returns its output tensor. */
  predict(inputs: tf.Tensor | tf.Tensor[], config?: object): unknown;
}

/**
 * Anything this library can take as a model: a forward function, a `tf.LayersModel`, or an object with `predict()`.
 *
 * @example
 * const models: Model[] = [(x: tf.Tensor) => tf.sum(x, 1), { predict: (x: tf.Tensor | tf.Tensor[]) => tf.sum(x as tf.Tensor, 1) }];
 * for (const m of models) await runForward(m, tf.ones([2, 3])); // Right(tensor [3, 3]) each
 */
export type Model = ForwardFunction | LayersModelLike | PredictModelLike;

/** A model that threw or returned something unusable, carried out of `tf.tidy`/`tf.grads` as an exception. */
export class ModelFailure extends Error {
  constructor(readonly error: AttributionError) {
    super(error._tag);
  }
}

/** Whether `e` is a {@link ModelFailure}; never throws (a thrown Proxy can trap `instanceof`). */
export function isModelFailure(e: unknown): e is ModelFailure {
  try {
    return e instanceof ModelFailure;
  } catch {
    return false;
  }
}

/** The error to report for anything thrown while running a model: its own, or `Unexpected` at `path`. */
export const modelErrorOf = (e: unknown, path: string): AttributionError =>
  isModelFailure(e) ? e.error : { _tag: 'Unexpected', path, message: errorText(e) };



/** The model is callable in one of the three accepted ways. */
export function checkModel(model: unknown, path = 'model'): Result<Model> {
  if (typeof model === 'function') return ok(model as ForwardFunction);
  if (typeof model === 'object' && model !== null) {
    const m = readFields(model, path, ['apply', 'predict']);
    if (m._tag === 'Left') return m;
    if (typeof m.right.apply === 'function' || typeof m.right.predict === 'function') return ok(model as Model);
  }
  return fail({
    _tag: 'InvalidArgument',
    path,
    expected: 'a forward function (...inputs, ...args) => Tensor, a tf.LayersModel or a model with predict()',
    got: describeValue(model),
  });
}

const asModelInput = (inputs: readonly tf.Tensor[]): tf.Tensor | tf.Tensor[] => (inputs.length === 1 ? (inputs[0] as tf.Tensor) : [...inputs]);

function invoke(model: Model, inputs: readonly tf.Tensor[], args: readonly unknown[]): unknown {
  if (typeof model === 'function') return (model as (...a: unknown[]) => unknown)(...inputs, ...args);
  const all = [...inputs, ...(args as tf.Tensor[])];
  if ('apply' in model && typeof model.apply === 'function') return model.apply(asModelInput(all), { training: false });
  return (model as PredictModelLike).predict(asModelInput(all));
}

/**
 * A method passed on its own (`computeGradients(model.predict, x)`) runs with `this` undefined and
 * throws a TypeError about reading a property of undefined; say what to pass instead.
 */
function unboundHint(model: Model, e: unknown): string {
  let source = '';
  try {
    // anything read from a thrown value may throw (a Proxy): no hint then
    if (typeof model !== 'function' || !(e instanceof TypeError) || !/undefined|null/.test(e.message)) return '';
    source = Function.prototype.toString.call(model);
  } catch {
    return '';
  }
  if (!/\bthis\b/.test(source)) return '';
  const own = model.name.replace(/^bound /, '');
  const name = /^[A-Za-z_$][\w$]*$/.test(own) ? own : 'predict';
  return ` (the model is a function that uses \`this\`, which is undefined here: a method such as model.${name} passed on its own loses its object. Pass the model itself, or x => model.${name}(x))`;
}

/**
 * Calls the model on `inputs` followed by `args` and checks that it returned one live tensor.
 * Throws {@link ModelFailure} (caught at the public boundary), never returns a non-tensor.
 * A model that hands back one of its own arguments gets a clone, so the caller may dispose it.
 */
export function callModel(model: Model, inputs: readonly tf.Tensor[], args: readonly unknown[]): tf.Tensor {
  if (typeof model !== 'function' && args.some((a) => !isTensor(a))) {
    throw new ModelFailure({
      _tag: 'InvalidArgument',
      path: 'additionalForwardArgs',
      expected: 'only tensors for a tf.LayersModel or predict() model (they become extra model inputs); use a forward function for other arguments',
      got: describeValue(args.find((a) => !isTensor(a))),
    });
  }
  let output: unknown;
  try {
    output = invoke(model, inputs, args);
  } catch (e) {
    if (isModelFailure(e)) throw e; // the library's own model wrappers (layer and neuron methods) report their own errors
    throw new ModelFailure({ _tag: 'ModelThrew', path: 'model', message: errorText(e) + unboundHint(model, e) });
  }
  if (settleThenable(output)) {
    throw new ModelFailure({ _tag: 'ModelOutputInvalid', path: 'model', expected: 'one tensor, returned synchronously', got: 'a Promise (models run inside tf.tidy and tf.grads, which cannot await)' });
  }
  if (!isTensor(output) || output.isDisposed) {
    const got = Array.isArray(output) ? `an array of ${output.length} outputs (wrap the model to pick one)` : describeValue(output);
    throw new ModelFailure({ _tag: 'ModelOutputInvalid', path: 'model', expected: 'one tensor', got });
  }
  if (output.dtype !== 'float32' && output.dtype !== 'int32') {
    throw new ModelFailure({
      _tag: 'ModelOutputInvalid',
      path: 'model',
      expected: 'a float32 or int32 tensor',
      got: `a ${output.dtype} tensor of shape ${formatShape(output.shape)}`,
    });
  }
  const own = [...inputs, ...args].includes(output);
  return own ? tf.clone(output) : output;
}
