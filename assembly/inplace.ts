// Entry of the in-place kernels: built with an imported memory (tfjs-backend-wasm's), see asconfig.inplace.json.
export { rowSumsF32InPlace } from './row-sums-inplace';
export { maxPoolGradF32, avgPoolGradF32 } from './pool-grads-inplace';
export { rowBroadcastF32, sumLeadingF32 } from './elementwise-inplace';
export { conv2dF32, conv2dBackpropInputF32, conv2dBackpropInputWideF32 } from './conv-inplace';
