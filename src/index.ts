// tfjs-attribution: Captum's attribution core for TensorFlow.js. The whole public API, by name.
// Every function returns a Result (fp-ts Either): Right with the value, or Left with every problem.

export { type AttributionError, type AttributionErrors, type ErrorTag, describeError, message } from './core/errors.js';
export type { Result } from './core/validation.js';
export {
  type Formatted,
  type Mirrored,
  type TensorOrTuple,
  formatTensorIntoTuple,
  formatOutput,
} from './core/tensors.js';
export { type AdditionalForwardArgs, formatAdditionalForwardArgs } from './core/forward-args.js';
export { type BaselineValue, type Baselines, tensorizeBaselines } from './core/baselines.js';
export { type RowSums, sumRows } from './core/sum-rows.js';

export { type PathTarget, type PerExamplePathTarget, type ReduceTarget, type ResolvedTarget, type Target, target } from './target/target.js';
export { resolveTarget, validateTarget } from './target/resolve-target.js';
export { applyTarget, selectTarget } from './target/select-target.js';

export { type ForwardFunction, type LayersModelLike, type Model, type PredictModelLike } from './engine/model.js';
export { runForward } from './engine/run-forward.js';
export { computeGradients } from './engine/gradients.js';

export { type ConvergenceDeltaOptions, convergenceDelta } from './attribution/convergence-delta.js';
export { type InterpolateMode, type InterpolateOptions, interpolate } from './attribution/interpolate.js';
export { getName } from './attribution/get-name.js';
export {
  type MethodDescriptor,
  type MethodFamily,
  type MethodName,
  describeMethod,
  methodFamilies,
  methodNames,
  describeNoiseTunnel,
} from './attribution/method-descriptors.js';

export { type BackendReport, type InitBackendOptions, initBackend } from './backends/init-backend.js';
export type { BackendLoader, BackendName, BackendStartOptions } from './backends/backend-loader.js';
export type { WasmBackendOptions } from './backends/wasm-backend.js';
export { FAST_WASM_KERNELS, registerFastWasmKernels, restoreWasmKernels } from './backends/wasm-fast-kernels.js';
export type { GpuLike, WebGpuBackendOptions } from './backends/webgpu-backend.js';
export type { WasmSource } from './backends/wasm-source.js';
export { type KernelOptions, type KernelStatus, configureKernels, kernelStatus } from './kernels/load-kernels.js';
export type { KernelVariant } from './kernels/kernels.js';

// Shared by every attribution method: the calling convention, approximation methods, progress and cancellation.
export type { Attributions, AttributionMethod, DeltaAttributionMethod, Inputs, MethodOptions, WithDelta } from './engine/method.js';
export type { LongRunOptions, Progress } from './engine/chunks.js';
export { type ApproximationMethod, type ApproximationParameters, approximationMethods, approximationParameters } from './core/approximation-methods.js';

// Gradient methods (Captum's primary attribution), one per file under algorithms/primary/.
export { type SaliencyOptions, saliency } from './algorithms/primary/saliency.js';
export { type InputXGradientOptions, inputXGradient } from './algorithms/primary/input-x-gradient.js';
export { type IntegratedGradientsOptions, integratedGradients } from './algorithms/primary/integrated-gradients.js';

// Visualisation: Captum's visualize_image_attr as pure functions to RGBA pixels (no DOM, no Node).
// encodePng gives PNG bytes anywhere; writing a file lives in the Node-only entry point `tfjs-attribution/node` (node/).
export { type VisualizeSign, visualizeSigns } from './visualization/sign.js';
export type { ImageMapLike } from './visualization/image-map.js';
export { type NormalizeOptions, type NormalizedAttribution, normalizeAttribution } from './visualization/normalize-attribution.js';
export { type Color, type ColorMap, type ColorMapName, colorMapFromList, namedColorMap } from './visualization/color-map.js';
export { type ColorMapOptions, applyColorMap, defaultColorMap } from './visualization/apply-color-map.js';
export type { RgbaImage } from './visualization/rgba-image.js';
export {
  type VisualizeImageOptions,
  type VisualizeMethod,
  visualizeImageAttr,
  visualizeMethods,
} from './visualization/visualize-image-attr.js';
export { type SideBySideOptions, sideBySide } from './visualization/side-by-side.js';
export { encodePng } from './visualization/encode-png.js';

// Sampling methods and the noise tunnel: seeded or replayed draws (engine/sampler), InputBaselineXGradient, GradientShap, NoiseTunnel.
export {
  type BaselineIndexRequest,
  type DrawRequest,
  type NoiseRequest,
  type RecordedDraws,
  type Sampler,
  type SamplingMethod,
  replaySampler,
  seededSampler,
} from './engine/sampler.js';
export { type InputBaselineXGradientOptions, inputBaselineXGradient } from './algorithms/primary/input-baseline-x-gradient.js';
export { type GradientShapOptions, gradientShap } from './algorithms/primary/gradient-shap.js';
export { type NoiseTunnelOptions, type NoiseTunnelOwnOptions, type NoiseType, noiseTunnel, noiseTypes } from './algorithms/wrappers/noise-tunnel.js';

// Layer and neuron methods: reaching a layer of a tf.LayersModel or of a forward function cut into
// named stages (algorithms/layer/, algorithms/neuron/).
export { type NamedStagesOptions, type Stage, type StagedModel, namedStages } from './engine/named-stages.js';
export type { LayerRef } from './engine/layer-reach.js';
export type { NeuronRange, NeuronSelector } from './engine/neuron-selector.js';
export type {
  LayerAttribution,
  LayerAttributionMethod,
  LayerDeltaAttributionMethod,
  LayerMethodOptions,
  MultiLayerAttributionMethod,
  MultiLayerDeltaAttributionMethod,
  NeuronMethodOptions,
} from './engine/layer-method.js';
export { type LayerActivationOptions, layerActivation } from './algorithms/layer/layer-activation.js';
export { type LayerGradientXActivationOptions, layerGradientXActivation } from './algorithms/layer/layer-gradient-x-activation.js';
export { type LayerGradCamOptions, layerGradCam } from './algorithms/layer/layer-grad-cam.js';
export { type LayerConductanceOptions, layerConductance } from './algorithms/layer/layer-conductance.js';
export { type LayerIntegratedGradientsOptions, layerIntegratedGradients } from './algorithms/layer/layer-integrated-gradients.js';
export { type InternalInfluenceOptions, internalInfluence } from './algorithms/layer/internal-influence.js';
export { type LayerFeatureAblationOptions, layerFeatureAblation } from './algorithms/layer/layer-feature-ablation.js';
export { type LayerGradientShapOptions, layerGradientShap } from './algorithms/layer/layer-gradient-shap.js';
export { type LayerDeepLiftOptions, type LayerDeepLiftShapOptions, layerDeepLift, layerDeepLiftShap } from './algorithms/layer/layer-deep-lift.js';
export { type GuidedGradCamOptions, guidedGradCam } from './algorithms/layer/guided-grad-cam.js';
export { type NeuronGradientOptions, neuronGradient } from './algorithms/neuron/neuron-gradient.js';
export { type NeuronIntegratedGradientsOptions, neuronIntegratedGradients } from './algorithms/neuron/neuron-integrated-gradients.js';
export { type NeuronConductanceOptions, neuronConductance } from './algorithms/neuron/neuron-conductance.js';
export { type NeuronFeatureAblationOptions, neuronFeatureAblation } from './algorithms/neuron/neuron-feature-ablation.js';
export { type NeuronGradientShapOptions, neuronGradientShap } from './algorithms/neuron/neuron-gradient-shap.js';
export {
  type NeuronDeepLiftOptions,
  type NeuronDeepLiftShapOptions,
  type NeuronGuidedBackpropOptions,
  neuronDeconvolution,
  neuronDeepLift,
  neuronDeepLiftShap,
  neuronGuidedBackprop,
} from './algorithms/neuron/neuron-rule-gradients.js';
export type { LrpRule } from './engine/lrp-propagation.js';
export { type LrpOptions, lrp } from './algorithms/primary/lrp.js';
export { type LayerLrpOptions, layerLrp } from './algorithms/layer/layer-lrp.js';

// Perturbation methods (Captum's perturbation attribution), one per file under algorithms/perturbation/.
export type { FeatureMask } from './engine/feature-masks.js';
export { type FeatureAblationOptions, featureAblation } from './algorithms/perturbation/feature-ablation.js';
export { type OcclusionOptions, occlusion } from './algorithms/perturbation/occlusion.js';
export { type ShapleyValuesOptions, shapleyValues } from './algorithms/perturbation/shapley-values.js';
export { type PermutationSampleInfo, type ShapleyValueSamplingOptions, shapleyValueSampling } from './algorithms/perturbation/shapley-value-sampling.js';
export { type FeaturePermutationOptions, type RowPermutationInfo, featurePermutation } from './algorithms/perturbation/feature-permutation.js';
export { type InterpretableModel, type InterpretableSampleInfo, type SurrogateMethod } from './engine/surrogate.js';
export { type LimeOptions, lime } from './algorithms/perturbation/lime.js';
export { type KernelShapOptions, kernelShap } from './algorithms/perturbation/kernel-shap.js';

// DeepLift family and ReLU overrides
export { attributionOps } from './engine/attribution-rules.js';
export { type CustomAttributionFunc } from './engine/deep-lift-pass.js';
export { type DeepLiftOptions, deepLift } from './algorithms/primary/deep-lift.js';
export { type BaselineDistribution, type DeepLiftShapOptions, deepLiftShap } from './algorithms/primary/deep-lift-shap.js';
export { type GuidedBackpropOptions, guidedBackprop } from './algorithms/primary/guided-backprop.js';
export { type DeconvolutionOptions, deconvolution } from './algorithms/primary/deconvolution.js';
