// tfjs-core registers no gradients of its own, and its `register_all_gradients` module cannot be
// loaded by plain Node or Deno (extensionless ESM imports). The build bundles it into
// `generated/tfjs-gradients.js`; the registries are globalThis singletons, so the bundled copy
// registers into the same engine as the installed tfjs-core. Imported after tfjs-core on purpose.
import '@tensorflow/tfjs-core';
import '../generated/tfjs-gradients.js';
