// tfjs-attribution: Captum's attribution core for TensorFlow.js. The whole public API, by name.
// Every function returns a Result (fp-ts Either): Right with the value, or Left with every problem.

export { type AttributionError, type AttributionErrors, type ErrorTag, describeError, message } from './core/errors.js';
export type { Result } from './core/validation.js';
export {
  type Formatted,
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

// Shared by every attribution method: the calling convention, approximation methods, progress and cancellation.
export type { Attributions, AttributionMethod, DeltaAttributionMethod, Inputs, MethodOptions, WithDelta } from './engine/method.js';
export type { LongRunOptions, Progress } from './engine/chunks.js';
export { type ApproximationMethod, type ApproximationParameters, approximationMethods, approximationParameters } from './core/approximation-methods.js';

// Gradient methods (Captum's primary attribution), one per file under algorithms/primary/.
export { type SaliencyOptions, saliency } from './algorithms/primary/saliency.js';
export { type InputXGradientOptions, inputXGradient } from './algorithms/primary/input-x-gradient.js';
export { type IntegratedGradientsOptions, integratedGradients } from './algorithms/primary/integrated-gradients.js';
