// Captum's class hierarchy as plain data: each method's family and the two flags NoiseTunnel and
// users read (`multiplies_by_inputs`, `has_convergence_delta()`), as observed in Captum 0.8 (spec §3.7).
import { describeValue, readFields } from '../core/arguments.js';
import { fail, ok, type Result } from '../core/validation.js';
import { getName } from './get-name.js';

/**
 * The four kinds of Captum attribution method.
 *
 * @example
 * const family: MethodFamily = 'layer';
 * console.log(methodFamilies[family].className); // 'LayerAttribution'
 */
export type MethodFamily = 'gradient' | 'perturbation' | 'layer' | 'neuron';

/**
 * A method's identity and flags, as plain data.
 *
 * @example
 * const r = describeMethod('Saliency');
 * if (r._tag === 'Right') {
 *   const d: MethodDescriptor = r.right; // { className: 'Saliency', name: 'Saliency', family: 'gradient', ... }
 *   console.log(d.multipliesByInputs, d.hasConvergenceDelta); // false false
 * }
 */
export interface MethodDescriptor {
  /** Captum's class name, e.g. `IntegratedGradients`. */
  readonly className: string;
  /** Captum's `get_name()`, e.g. `Integrated Gradients`. */
  readonly name: string;
  readonly family: MethodFamily;
  /** Attributions already include the `(input - baseline)` factor ("global" rather than "local"). */
  readonly multipliesByInputs: boolean;
  /** Whether the method can return a convergence delta (what NoiseTunnel passes through). */
  readonly hasConvergenceDelta: boolean;
}

interface Row {
  readonly family: MethodFamily;
  readonly mbi: boolean;
  /** Whether the constructor takes `multiply_by_inputs`. */
  readonly configurable: boolean;
  readonly hcd: boolean;
}

const row = (family: MethodFamily, mbi: boolean, configurable: boolean, hcd: boolean): Row => ({ family, mbi, configurable, hcd });

/** Every concrete Captum method with an attribution family. */
const METHODS = {
  IntegratedGradients: row('gradient', true, true, true),
  DeepLift: row('gradient', true, true, true),
  DeepLiftShap: row('gradient', true, true, true),
  GradientShap: row('gradient', true, true, true),
  InputBaselineXGradient: row('gradient', true, true, true),
  LRP: row('gradient', true, false, true),
  InputXGradient: row('gradient', true, false, false),
  Saliency: row('gradient', false, false, false),
  GuidedBackprop: row('gradient', false, false, false),
  Deconvolution: row('gradient', false, false, false),
  GuidedGradCam: row('gradient', false, false, false),
  LayerConductance: row('layer', true, false, true),
  LayerIntegratedGradients: row('layer', true, true, true),
  LayerDeepLift: row('layer', true, true, true),
  LayerDeepLiftShap: row('layer', true, true, true),
  LayerGradientShap: row('layer', true, true, true),
  LayerInputBaselineXGradient: row('layer', true, true, true),
  LayerLRP: row('layer', true, false, true),
  LayerActivation: row('layer', true, false, false),
  LayerGradientXActivation: row('layer', true, true, false),
  InternalInfluence: row('layer', false, false, false),
  LayerGradCam: row('layer', false, false, false),
  LayerFeatureAblation: row('layer', true, false, false),
  LayerFeaturePermutation: row('layer', true, false, false),
  NeuronGradient: row('neuron', false, false, false),
  NeuronGuidedBackprop: row('neuron', false, false, false),
  NeuronDeconvolution: row('neuron', false, false, false),
  NeuronIntegratedGradients: row('neuron', true, true, false),
  NeuronConductance: row('neuron', true, true, false),
  NeuronDeepLift: row('neuron', true, true, false),
  NeuronDeepLiftShap: row('neuron', true, true, false),
  NeuronGradientShap: row('neuron', true, true, false),
  NeuronFeatureAblation: row('neuron', true, false, false),
  FeatureAblation: row('perturbation', true, false, false),
  FeaturePermutation: row('perturbation', true, false, false),
  Occlusion: row('perturbation', true, false, false),
  ShapleyValueSampling: row('perturbation', true, false, false),
  ShapleyValues: row('perturbation', true, false, false),
  Lime: row('perturbation', false, false, false),
  KernelShap: row('perturbation', false, false, false),
  DataLoaderAttribution: row('perturbation', false, false, false),
} as const satisfies Record<string, Row>;

/**
 * The Captum class names {@link describeMethod} knows.
 *
 * @example
 * const name: MethodName = 'LayerGradCam';
 * describeMethod(name); // Right({ family: 'layer', ... })
 */
export type MethodName = keyof typeof METHODS;

/**
 * The names {@link describeMethod} knows.
 *
 * @example
 * methodNames.includes('Occlusion'); // true
 */
export const methodNames = Object.keys(METHODS) as MethodName[];

const descriptor = (className: string, family: MethodFamily, multipliesByInputs: boolean, hasConvergenceDelta: boolean): MethodDescriptor => {
  const name = getName(className);
  return { className, name: name._tag === 'Right' ? name.right : className, family, multipliesByInputs, hasConvergenceDelta };
};

/**
 * The base of each family, as Captum's abstract classes report it: `GradientAttribution`,
 * `PerturbationAttribution` (multiplies by inputs), `LayerAttribution` and `NeuronAttribution`.
 * No family has a convergence delta by default, even `GradientAttribution`, which implements it.
 *
 * @example
 * methodFamilies.perturbation.multipliesByInputs; // true
 * methodFamilies.gradient.hasConvergenceDelta;    // false
 */
export const methodFamilies: Readonly<Record<MethodFamily, MethodDescriptor>> = {
  gradient: descriptor('GradientAttribution', 'gradient', false, false),
  perturbation: descriptor('PerturbationAttribution', 'perturbation', true, false),
  layer: descriptor('LayerAttribution', 'layer', false, false),
  neuron: descriptor('NeuronAttribution', 'neuron', false, false),
};

/**
 * The descriptor of a Captum method, with `multiplyByInputs: false` where the method takes it.
 *
 * @example
 * describeMethod('IntegratedGradients');
 * // Right({ className: 'IntegratedGradients', name: 'Integrated Gradients', family: 'gradient',
 * //         multipliesByInputs: true, hasConvergenceDelta: true })
 * describeMethod('IntegratedGradients', { multiplyByInputs: false }); // multipliesByInputs: false
 * describeMethod('LRP', { multiplyByInputs: false });                 // Left: LRP always multiplies
 */
export function describeMethod(className: MethodName, options: { readonly multiplyByInputs?: boolean } = {}): Result<MethodDescriptor> {
  const found: Row | undefined = typeof className === 'string' && Object.hasOwn(METHODS, className) ? METHODS[className] : undefined;
  if (found === undefined) {
    return fail({ _tag: 'InvalidArgument', path: 'className', expected: `one of ${methodNames.join(', ')}`, got: describeValue(className) });
  }
  const fields = readFields(options, 'options', ['multiplyByInputs']);
  if (fields._tag === 'Left') return fields;
  const multiply = fields.right.multiplyByInputs;
  if (multiply !== undefined && typeof multiply !== 'boolean') {
    return fail({ _tag: 'InvalidArgument', path: 'options.multiplyByInputs', expected: 'a boolean', got: describeValue(multiply) });
  }
  if (multiply !== undefined && multiply !== found.mbi && !found.configurable) {
    return fail({
      _tag: 'InvalidArgument',
      path: 'options.multiplyByInputs',
      expected: `no multiplyByInputs option (${className} always has multipliesByInputs = ${found.mbi})`,
      got: describeValue(multiply),
    });
  }
  return ok(descriptor(className, found.family, multiply ?? found.mbi, found.hcd));
}

/** The descriptor of a method this library implements, with Captum's defaults (a known name, so never a Left). */
export function descriptorOf(className: MethodName): MethodDescriptor {
  const found = METHODS[className];
  return descriptor(className, found.family, found.mbi, found.hcd);
}

/**
 * NoiseTunnel wraps a method and copies both of its flags.
 *
 * @example
 * const ig = describeMethod('IntegratedGradients');
 * if (ig._tag === 'Right') describeNoiseTunnel(ig.right); // Right({ className: 'NoiseTunnel', ..., hasConvergenceDelta: true })
 */
export function describeNoiseTunnel(wrapped: MethodDescriptor): Result<MethodDescriptor> {
  const expected = 'a method descriptor (from describeMethod)';
  if (typeof wrapped !== 'object' || wrapped === null) return fail({ _tag: 'InvalidArgument', path: 'wrapped', expected, got: describeValue(wrapped) });
  const fields = readFields(wrapped, 'wrapped', ['family', 'multipliesByInputs', 'hasConvergenceDelta']);
  if (fields._tag === 'Left') return fields;
  const { family, multipliesByInputs, hasConvergenceDelta } = fields.right;
  if (!Object.hasOwn(methodFamilies, family as string) || typeof multipliesByInputs !== 'boolean' || typeof hasConvergenceDelta !== 'boolean') {
    return fail({ _tag: 'InvalidArgument', path: 'wrapped', expected, got: describeValue(wrapped) });
  }
  return ok(descriptor('NoiseTunnel', family as MethodFamily, multipliesByInputs, hasConvergenceDelta));
}
