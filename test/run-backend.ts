// One backend's test process: start the backend, load every suite, run them with uvu, and print
// machine-readable lines (@@BACKEND, @@SKIP, @@TALLY) for run-all.ts. Only dynamic imports here:
// uvu must see UVU_DEFER before it loads, so the suites queue up instead of running on import.
import type { BackendName } from '../src/index.js';

const g = globalThis as { UVU_DEFER?: number; UVU_QUEUE?: unknown[][]; UVU_INDEX?: number };
g.UVU_DEFER = 1;
g.UVU_QUEUE = [];

const name = (process.env['TFJS_ATTRIBUTION_BACKEND'] ?? 'cpu') as BackendName;

/** Suites, one per exported function (plus cross-cutting ones); each queues its uvu suites on import. */
export const SUITES = [
  'suites/get-name.test.js',
  'suites/method-descriptors.test.js',
  'suites/sum-rows.test.js',
  'suites/kernels.test.js',
  'suites/tensorize-baselines.test.js',
  'suites/format.test.js',
  'suites/select-target.test.js',
  'suites/run-forward.test.js',
  'suites/compute-gradients.test.js',
  'suites/gradient-kernels.test.js',
  'suites/convergence-delta.test.js',
  'suites/gradient-methods.test.js',
  'suites/sampling-methods.test.js',
  'suites/perturbation-methods.test.js',
  'suites/deep-lift.test.js',
  'suites/interpolate.test.js',
  'suites/visualization.test.js',
  'suites/init-backend.test.js',
  'suites/layers-model.test.js',
  'suites/concurrency.test.js',
  'suites/inplace-reductions.test.js',
  'suites/fast-wasm-kernels.test.js',
  'suites/hostile-inputs.test.js',
  'suites/methods-hostile-inputs.test.js',
  'suites/resilience.test.js',
  'suites/properties.test.js',
  'suites/doc-examples.test.js',
  'suites/layer-methods.test.js',
  'suites/neuron-methods.test.js',
  'suites/rule-layer-methods.test.js',
  'suites/lrp.test.js',
];

const { setUpBackend } = await import('./support/backend.js');
const setup = await setUpBackend(name);
if (!setup.ok) {
  console.log(`@@SKIP ${JSON.stringify(setup.reason)}`);
  process.exit(0);
}
console.log(`@@BACKEND ${JSON.stringify(setup.report)}`);

const only = process.env['TFJS_ATTRIBUTION_SUITES']?.split(',');
for (const suite of SUITES) {
  if (only && !only.some((o) => suite.includes(o))) continue;
  g.UVU_QUEUE.push([suite]);
  g.UVU_INDEX = g.UVU_QUEUE.length - 1;
  await import(`./${suite}`);
}
const { exec } = await import('uvu');
await exec();
const { acrossBackends, opTally } = await import('./support/harness.js');
console.log(`@@TALLY ${JSON.stringify(opTally())}`);
console.log(`@@ACROSS ${JSON.stringify(acrossBackends())}`);
