// tfjs-core registers no gradients of its own, and its `register_all_gradients` module cannot be
// loaded by plain Node or Deno (extensionless ESM imports). `#tfjs-gradients` (package.json
// "imports") therefore picks one of two files the build writes:
// - "node" (Node, Deno): `generated/tfjs-gradients.js`, that module pre-bundled. Its copy of
//   tfjs-core's internals registers into the installed tfjs-core, because the registries and the
//   engine are globalThis singletons;
// - "default" (bundlers: browsers, Workers): a plain import of tfjs-core's own module, which the
//   bundler resolves, so the bundle holds one tfjs-core.
// Imported after tfjs-core on purpose, so the installed tfjs-core creates the engine.
import '@tensorflow/tfjs-core';
import '#tfjs-gradients';
