// npm run bench:size — how much the library weighs and how fast it starts.
// - Size: the library's own JS (tfjs and fp-ts left out) and whole bundles, minified by esbuild and
//   compressed with brotli (quality 11), .wasm binaries excluded (they load separately).
// - Cold start: from spawning the runtime to the first convergenceDelta result, wasm backend, the
//   packed package installed in a fresh project; the median of 5 runs each in Node, Deno and workerd.
// One run on a shared machine: compare the figures with each other, not with another machine's.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import { build } from 'esbuild';
import { bin, makeConsumer, repo, workerdColdStart } from '../build/test/runtimes/consumer.js';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const brotli = (text) => brotliCompressSync(Buffer.from(text), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/** Minified bundle of `source` (an ES module text resolved from the repo root), for browsers. */
async function bundle(source, external = []) {
  const result = await build({
    stdin: { contents: source, resolveDir: repo, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    external,
    logLevel: 'error',
  });
  const text = result.outputFiles[0].text;
  return { text, minified: text.length, brotli: brotli(text) };
}

const own = ['@tensorflow/*', '#fp-ts/*'];
const at = (file) => JSON.stringify(join(dist, file));
const sizes = [
  ['library core (tfjs-attribution), own JS', await bundle(`export * from ${at('index.js')};`, own)],
  ['  + the wasm loader (tfjs-attribution/wasm), own JS', await bundle(`export * from ${at('index.js')}; export * from ${at('backends/wasm-backend.js')};`, own)],
  ['library core with the fp-ts it uses', await bundle(`export * from ${at('index.js')};`, ['@tensorflow/*'])],
  [
    'minimal bundle: core + tfjs-core + gradients + wasm backend',
    await bundle(`export { initBackend, computeGradients, convergenceDelta, interpolate } from ${at('index.js')}; export { wasmBackend } from ${at('backends/wasm-backend.js')};`),
  ],
  [
    'same with all three backends',
    await bundle(
      `export { initBackend, computeGradients, convergenceDelta, interpolate } from ${at('index.js')}; export { wasmBackend } from ${at('backends/wasm-backend.js')}; export { webgpuBackend } from ${at('backends/webgpu-backend.js')}; export { cpuBackend } from ${at('backends/cpu-backend.js')};`,
    ),
  ],
  ['core + tfjs-core + gradients, no backend imported', await bundle(`export { initBackend, convergenceDelta } from ${at('index.js')};`)],
];
const noBackend = sizes.at(-1)[1].text;
const leaked = ['BackendWasm', 'WebGPUBackend', 'MathBackendCPU'].filter((name) => noBackend.includes(name));

console.log('## Size (minified, brotli; .wasm excluded)\n');
console.log('| what | minified | brotli |\n| --- | --- | --- |');
for (const [what, s] of sizes) console.log(`| ${what.trim()} | ${kb(s.minified)} | ${kb(s.brotli)} |`);
console.log(`\nBackends in the bundle that imports none: ${leaked.length ? leaked.join(', ') : 'none'}`);

// ---- cold start ----

/** Milliseconds from spawning `command` until `done(output)` says it has the result. */
function timeUntil(command, args, cwd, done) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} timed out:\n${out}`));
    }, 60_000);
    const check = (chunk) => {
      out += chunk.toString();
      if (done(out)) {
        clearTimeout(timer);
        resolve(performance.now() - started);
        child.kill('SIGKILL');
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', (c) => (out += c.toString()));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const work = await mkdtemp(join(tmpdir(), 'tfjs-attribution-bench-'));
try {
  const { consumer } = await makeConsumer(work);
  await writeFile(
    join(consumer, 'cold.mjs'),
    `import * as tf from '@tensorflow/tfjs-core';
import { convergenceDelta, initBackend } from 'tfjs-attribution';
const r = await initBackend({ force: 'wasm' });
if (r._tag === 'Left') throw new Error(JSON.stringify(r.left));
const x = tf.tensor2d([[1, 2], [3, 4]]);
const d = await convergenceDelta((t) => tf.sum(tf.square(t), 1, true), { attributions: tf.mul(tf.square(x), 0.9), endPoint: x });
console.log(JSON.stringify({ delta: [...(await d.right.data())] }));
`,
  );
  const hasDelta = (out) => out.includes('"delta"');
  const node = [];
  const deno = [];
  for (let i = 0; i < 5; i++) {
    node.push(await timeUntil(process.execPath, ['cold.mjs'], consumer, hasDelta));
    deno.push(await timeUntil(bin('deno'), ['run', '--allow-read', '--allow-env', 'cold.mjs'], consumer, hasDelta));
  }
  // workerd: the README's worker; spawn the server and poll it until the first answer.
  const workerd = [];
  for (let i = 0; i < 5; i++) workerd.push(await workerdColdStart(consumer));
  console.log('\n## Cold start: spawn to the first convergenceDelta result, wasm backend (median of 5)\n');
  console.log('| runtime | median | runs |\n| --- | --- | --- |');
  for (const [name, runs] of [['Node 20', node], ['Deno', deno], ['workerd', workerd]]) {
    console.log(`| ${name} | ${Math.round(median(runs))} ms | ${runs.map((r) => Math.round(r)).join(', ')} |`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
