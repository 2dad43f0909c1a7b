// The one calling convention every attribution method follows:
//   method(model, inputs, options?) => Promise<Result<attributions | { attributions, delta }>>
// Attributions come back in the form of the inputs: a tensor for a tensor, an array for an array.
import type * as tf from '@tensorflow/tfjs-core';
import type { MethodDescriptor } from '../attribution/method-descriptors.js';
import type { Result } from '../core/validation.js';
import type { Target } from '../target/target.js';
import type { Model } from './model.js';

/**
 * What a method explains: one tensor `[N, ...]`, or an array of tensors that share `N`.
 *
 * @example
 * const single: Inputs = tf.ones([2, 3]);
 * const several: Inputs = [tf.ones([2, 3]), tf.ones([2, 4, 4, 1])];
 */
export type Inputs = tf.Tensor | readonly tf.Tensor[];

/**
 * The attributions for `I`: a tensor for a tensor, an array of tensors for an array.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.square(x), 1, true);
 * const r = await saliency(model, tf.ones([2, 3]));
 * if (r._tag === 'Right') console.log(r.right.shape); // [2, 3]: Attributions<tf.Tensor> is tf.Tensor
 */
export type Attributions<I extends Inputs> = I extends readonly tf.Tensor[] ? tf.Tensor[] : tf.Tensor;

/**
 * Attributions with their convergence delta (`returnConvergenceDelta: true`). `delta` is `[N]`, one
 * value per example, or one per expanded row where the method says so (sampling methods).
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.square(x), 1, true);
 * const r = await integratedGradients(model, tf.ones([2, 3]), { returnConvergenceDelta: true });
 * if (r._tag === 'Right') { const { attributions, delta }: WithDelta<tf.Tensor> = r.right; }
 */
export interface WithDelta<A> {
  readonly attributions: A;
  readonly delta: tf.Tensor1D;
}

/**
 * The options every method takes: what to explain and what else the model needs.
 *
 * @example
 * const mask = tf.ones([2, 1]);
 * const common: MethodOptions = { target: 3, additionalForwardArgs: [mask] }; // model(x, mask), output[:, 3]
 */
export interface MethodOptions {
  /** Which output to explain; see {@link Target}. Required when the model returns more than one value per example. */
  readonly target?: Target;
  /** Passed to the model after the inputs (Captum's `additional_forward_args`). */
  readonly additionalForwardArgs?: unknown;
}

/**
 * A method without a convergence delta, called as `method(model, inputs, options?)`.
 *
 * @example
 * const methods: AttributionMethod<SaliencyOptions>[] = [saliency];
 * console.log(saliency.descriptor.name); // 'Saliency'
 */
export interface AttributionMethod<O> {
  <I extends Inputs>(model: Model, inputs: I, options?: O): Promise<Result<Attributions<I>>>;
  /** The method's identity and flags, as {@link describeMethod} gives them for its defaults. */
  readonly descriptor: MethodDescriptor;
}

/**
 * A method that can return a convergence delta: with `returnConvergenceDelta: true` the result is
 * `{ attributions, delta }`, otherwise the attributions alone.
 *
 * @example
 * const methods: DeltaAttributionMethod<IntegratedGradientsOptions>[] = [integratedGradients];
 * console.log(integratedGradients.descriptor.hasConvergenceDelta); // true
 */
export interface DeltaAttributionMethod<O> {
  <I extends Inputs>(model: Model, inputs: I, options: O & { readonly returnConvergenceDelta: true }): Promise<Result<WithDelta<Attributions<I>>>>;
  <I extends Inputs>(model: Model, inputs: I, options?: O & { readonly returnConvergenceDelta?: false }): Promise<Result<Attributions<I>>>;
  <I extends Inputs>(model: Model, inputs: I, options?: O): Promise<Result<Attributions<I> | WithDelta<Attributions<I>>>>;
  readonly descriptor: MethodDescriptor;
}

/**
 * The target and the extra arguments reach a method inside its options, so its errors name them
 * there: the shared checks say `target[2]`, a method's caller reads `options.target[2]`.
 */
const IN_OPTIONS = ['target', 'additionalForwardArgs'];
export function pathsInOptions(r: Result<unknown>): Result<unknown> {
  if (r._tag === 'Right') return r;
  const inOptions = (path: string): boolean => IN_OPTIONS.some((k) => path === k || path.startsWith(`${k}[`) || path.startsWith(`${k}.`));
  if (!r.left.some((e) => typeof e.path === 'string' && inOptions(e.path))) return r;
  const [first, ...rest] = r.left.map((e) => (typeof e.path === 'string' && inOptions(e.path) ? { ...e, path: `options.${e.path}` } : e));
  return { _tag: 'Left', left: [first!, ...rest] };
}

/** Attaches the descriptor to an implementation, giving it its public type; errors about the target and extra arguments name them as options. */
export const withDescriptor = <M>(implementation: (model: Model, inputs: Inputs, options?: never) => Promise<Result<unknown>>, descriptor: MethodDescriptor): M =>
  Object.assign(async (model: Model, inputs: Inputs, options?: never) => pathsInOptions(await implementation(model, inputs, options)), { descriptor }) as unknown as M;
