// The package as users get it, in every runtime it promises: `npm pack`, installed into fresh apps
// in a temporary folder, on the newest and the oldest tfjs of its peer range. In the newest, the
// README's own "Use it in ..." snippets run in Node (plain and with Dawn's WebGPU), Deno, workerd,
// headless Chromium (an esbuild bundle, and Vite's dev server with no config) and the README's
// troubleshooting page; in the oldest (the umbrella @tensorflow/tfjs), the Node snippet and an app
// that passes a tf.sequential model. In both: one tfjs-core (`npm ls`), no duplicate registration on
// stderr, and a strict TypeScript consumer under node10, nodenext and bundler resolution. Each run
// must report the expected backend and kernel variant, and numbers equal to the closed forms and to
// the cpu backend's. Prints one line per check and `@@RUNTIMES {"passed":N,"failed":N}` for run-all.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { addOnConsumer, bin, DUPLICATE_REGISTRATION, denoRun, fetchWithRetry, freePort, installedCopies, makeConsumer, nodeRun, type Output, packTarball, parseOutput, run, serveStatic, TFJS_NEWEST, TFJS_OLDEST, umbrellaConsumer, workerdRun } from './consumer.js';

const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
/** CI sets this: a runtime that cannot run here is a failure, not a skip. */
const REQUIRE_ALL = process.env['TFJS_ATTRIBUTION_REQUIRE_ALL_BACKENDS'] === '1';
const ONLY = process.env['TFJS_ATTRIBUTION_RUNTIMES']?.split(',');

/** Closed forms: d(sum x^2)/dx = 2x; 0.9 sum x^2 - sum x^2 = -0.1 sum x^2; torch's bilinear 2x2 -> 4x4. */
const CLOSED_FORM = {
  gradients: [2, 4, 6, 8],
  delta: [-0.5, -2.5],
  upsampled: [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3],
};
const TOLERANCE = 1e-5;

function compare(got: readonly number[] | undefined, want: readonly number[], what: string): void {
  if (!Array.isArray(got) || got.length !== want.length) throw new Error(`${what}: got ${JSON.stringify(got)}, expected ${want.length} values`);
  got.forEach((g, i) => {
    const w = want[i] as number;
    if (!(Math.abs(g - w) <= TOLERANCE)) throw new Error(`${what}[${i}] = ${g}, expected ${w}`);
  });
}

function check(out: Output, backend: string, cpu: Output | undefined): void {
  if (out.backend !== backend) throw new Error(`ran on ${out.backend}, expected ${backend} (passed over: ${JSON.stringify(out.passedOver)})`);
  if (out.kernels !== 'simd') throw new Error(`kernels ${out.kernels}, expected the SIMD AssemblyScript kernels`);
  for (const key of ['gradients', 'delta', 'upsampled'] as const) {
    compare(out[key], CLOSED_FORM[key], `${key} vs closed form`);
    if (cpu) compare(out[key], cpu[key], `${key} vs the cpu backend`);
  }
}

// ---- the checks ------------------------------------------------------------------------------------

interface Outcome {
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly message: string;
}
const outcomes: Outcome[] = [];

async function checkRun(name: string, expectedBackend: string, produce: () => Promise<Output | { missing: string }>, cpu?: Output): Promise<Output | undefined> {
  if (ONLY && !ONLY.some((o) => name.startsWith(o))) return undefined;
  const started = Date.now();
  try {
    const out = await produce();
    if ('missing' in out) {
      const status = REQUIRE_ALL ? 'fail' : 'skip';
      outcomes.push({ name, status, message: out.missing });
      console.log(`runtime ${name}: ${status === 'fail' ? 'FAIL' : 'SKIPPED'}: ${out.missing}`);
      return undefined;
    }
    check(out, expectedBackend, cpu);
    outcomes.push({ name, status: 'pass', message: `${out.backend} (${out.detail})` });
    console.log(`runtime ${name}: PASS on ${out.backend} (${out.detail}), kernels ${out.kernels}, ${Date.now() - started} ms`);
    return out;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    outcomes.push({ name, status: 'fail', message });
    console.log(`runtime ${name}: FAIL: ${message}`);
    return undefined;
  }
}

type Browser = { newPage(): Promise<Page>; close(): Promise<void> };
type Page = { on(event: string, f: (x: { text(): string; message?: string }) => void): void; goto(url: string): Promise<unknown>; close(): Promise<void> };

const wanted = (names: readonly string[]): boolean => !ONLY || ONLY.some((o) => names.some((n) => n.startsWith(o)));
const noChromium = async (names: readonly string[]): Promise<void> => {
  for (const name of names) await checkRun(name, '', async () => ({ missing: `no Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium)` }));
};

/** Headless Chromium for the length of `use`, with a page that loads a URL and returns the JSON result it logs. */
async function withChromium(use: (page: (url: string) => Promise<Output>) => Promise<void>): Promise<void> {
  const { chromium } = (await import('playwright-core')) as unknown as { chromium: { launch(o: object): Promise<Browser> } };
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = async (url: string): Promise<Output> => {
    const p = await browser.newPage();
    try {
      const errors: string[] = [];
      const result = new Promise<string>((resolve) => p.on('console', (m) => m.text().startsWith('{') && resolve(m.text())));
      p.on('pageerror', (e) => errors.push(e.message ?? String(e)));
      await p.goto(url);
      const text = await Promise.race([result, new Promise<string>((r) => setTimeout(() => r(''), 60_000))]);
      if (text === '') throw new Error(`no result from the page within 60 s${errors.length ? `; page errors: ${errors.join('; ')}` : ''}`);
      return parseOutput(text);
    } finally {
      await p.close();
    }
  };
  try {
    await use(page);
  } finally {
    await browser.close();
  }
}

/** The README's browser snippet, bundled with esbuild as the README says, served statically. */
async function chromiumRuns(consumer: string, cpu: Output | undefined): Promise<void> {
  const names = ['chromium (webgpu)', 'chromium (wasm)', 'chromium (binaries not served: the README troubleshooting report)'];
  if (!wanted(names)) return;
  if (!existsSync(CHROMIUM)) return noChromium(names);
  const publicDir = join(consumer, 'www'); // not public/: Vite's dev server (below) would serve it
  await mkdir(publicDir, { recursive: true });
  const bundle = await run(bin('esbuild'), ['app.js', '--bundle', '--format=esm', `--outfile=${join(publicDir, 'app.js')}`, '--log-level=warning'], { cwd: consumer });
  if (bundle.code !== 0) throw new Error(`esbuild failed:\n${bundle.stderr}`);
  await cp(join(consumer, 'node_modules/tfjs-attribution/dist/wasm'), join(publicDir, 'wasm'), { recursive: true });
  await writeFile(join(publicDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>tfjs-attribution</title><script type="module" src="app.js"></script>\n');
  // The README's troubleshooting page: the same kind of bundle, served from a folder without wasm/.
  const bareDir = join(consumer, 'www-bare');
  await mkdir(bareDir, { recursive: true });
  const bare = await run(bin('esbuild'), ['not-served.js', '--bundle', '--format=esm', `--outfile=${join(bareDir, 'app.js')}`, '--log-level=warning'], { cwd: consumer });
  if (bare.code !== 0) throw new Error(`esbuild failed:\n${bare.stderr}`);
  await writeFile(join(bareDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>tfjs-attribution</title><script type="module" src="app.js"></script>\n');
  const { server, port } = await serveStatic(publicDir);
  const bareServer = await serveStatic(bareDir);
  try {
    await withChromium(async (page) => {
      await checkRun('chromium (webgpu)', 'webgpu', () => page(`http://127.0.0.1:${port}/`), cpu);
      await checkRun('chromium (wasm)', 'wasm', () => page(`http://127.0.0.1:${port}/?backend=wasm`), cpu);
      await checkThat('chromium (binaries not served: the README troubleshooting report)', async () => {
        const got = JSON.stringify(await page(`http://127.0.0.1:${bareServer.port}/`)).replaceAll(`http://127.0.0.1:${bareServer.port}/`, 'http://localhost:8080/');
        const want = JSON.stringify(JSON.parse(await readFile(join(consumer, 'not-served.json'), 'utf8')));
        if (got !== want) throw new Error(`the page logged\n${got}\nthe README shows\n${want}`);
        return 'wasm passed over, kernels js, with the reasons the README shows';
      });
    });
  } finally {
    for (const s of [server, bareServer.server]) {
      s.closeAllConnections();
      s.close();
    }
  }
}

/**
 * The README's browser snippet as a Vite app's entry, under Vite's dev server with no config at all
 * (`index.html` beside `package.json`, `npx vite`), in Chromium on wasm: the backend binary and the
 * SIMD kernels must load (a `js` kernel variant fails the check), with numbers equal to the cpu run's.
 */
async function viteRun(consumer: string, cpu: Output | undefined): Promise<void> {
  const name = 'vite dev server + chromium (wasm)';
  if (!wanted([name])) return;
  if (!existsSync(CHROMIUM)) return noChromium([name]);
  await writeFile(join(consumer, 'index.html'), '<!doctype html><meta charset="utf-8"><title>tfjs-attribution on Vite</title><script type="module" src="/app.js"></script>\n');
  const port = await freePort();
  const server = spawn(process.execPath, [join(consumer, 'node_modules/vite/bin/vite.js'), '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: consumer,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  server.stdout.on('data', (c: Buffer) => (log += c.toString()));
  server.stderr.on('data', (c: Buffer) => (log += c.toString()));
  try {
    await fetchWithRetry(`http://127.0.0.1:${port}/`, Date.now() + 30_000);
    await withChromium((page) =>
      checkRun(name, 'wasm', async () => {
        try {
          return await page(`http://127.0.0.1:${port}/?backend=wasm`);
        } catch (e) {
          throw new Error(`${e instanceof Error ? e.message : String(e)}\nvite:\n${log.slice(-1500)}`);
        }
      }, cpu).then(() => undefined),
    );
  } finally {
    server.kill('SIGKILL');
  }
}

/** A check that is not a snippet run: passes when `body` resolves (with a note), fails with its error. */
async function checkThat(name: string, body: () => Promise<string>): Promise<void> {
  if (!wanted([name])) return;
  const started = Date.now();
  try {
    const note = await body();
    outcomes.push({ name, status: 'pass', message: note });
    console.log(`runtime ${name}: PASS (${note}), ${Date.now() - started} ms`);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    outcomes.push({ name, status: 'fail', message });
    console.log(`runtime ${name}: FAIL: ${message}`);
  }
}

/** `npm ls` finds exactly one tfjs-core in the app, of the release the app asked for. */
async function oneCore(consumer: string, version: string, label: string): Promise<void> {
  await checkThat(`npm ls: one tfjs-core (${label})`, async () => {
    const copies = await installedCopies(consumer, '@tensorflow/tfjs-core');
    if (copies.length !== 1) throw new Error(`${copies.length} copies of @tensorflow/tfjs-core: ${copies.join(', ')}`);
    const found = (JSON.parse(await readFile(join(copies[0] as string, 'package.json'), 'utf8')) as { version: string }).version;
    if (found !== version) throw new Error(`tfjs-core ${found} at ${copies[0]}, expected ${version}`);
    return `${copies[0]?.slice(consumer.length + 1)} ${found}`;
  });
}

/**
 * An app on the umbrella `@tensorflow/tfjs`, as most TF.js apps are: its tf.sequential model goes
 * straight into the library (one tfjs-core, so one engine and one set of classes); the gradient of
 * a linear layer is its weights. An unbound `model.predict` gets the hint. No duplicate registration.
 */
async function umbrellaApp(consumer: string, version: string): Promise<void> {
  await checkThat(`node app (tfjs ${version} umbrella, a LayersModel, wasm)`, async () => {
    const app = `import * as tf from '@tensorflow/tfjs';
import { computeGradients, initBackend, message } from 'tfjs-attribution';
const unwrap = (r) => { if (r._tag === 'Left') throw new Error(message(r.left)); return r.right; };
const { backend, kernels } = unwrap(await initBackend({ prefer: ['wasm', 'cpu'] }));
const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3], useBias: false })] });
model.setWeights([tf.tensor2d([[1], [2], [3]])]);
const g = unwrap(await computeGradients(model, tf.tensor2d([[1, 1, 1], [2, 2, 2]])));
const unbound = await computeGradients(model.predict, tf.ones([1, 3]));
console.log(JSON.stringify({ backend, kernels: kernels.variant, gradients: [...(await g.data())], unbound: unbound._tag === 'Left' ? message(unbound.left) : 'Right' }));
`;
    await writeFile(join(consumer, 'umbrella-app.mjs'), app);
    const r = await run(process.execPath, ['umbrella-app.mjs'], { cwd: consumer });
    if (r.code !== 0) throw new Error(`exited with ${r.code}:\n${(r.stderr || r.stdout).slice(-2000)}`);
    const dup = r.stderr.split('\n').filter((l) => DUPLICATE_REGISTRATION.test(l));
    if (dup.length > 0) throw new Error(`${dup.length} duplicate-registration line(s) on stderr, e.g. ${dup[0]}`);
    const out = JSON.parse(r.stdout.split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as { backend: string; kernels: string; gradients: number[]; unbound: string };
    if (out.backend !== 'wasm' || out.kernels !== 'simd') throw new Error(`ran on ${out.backend} with ${out.kernels} kernels`);
    compare(out.gradients, [1, 2, 3, 1, 2, 3], 'gradients of a linear layer');
    if (!out.unbound.includes('x => model.predict(x)')) throw new Error(`unbound predict: ${out.unbound}`);
    return `${out.backend}, kernels ${out.kernels}`;
  });
}

/**
 * A strict TypeScript consumer of the packed .d.ts, with the app's own tfjs types, under each module
 * resolution: every entry point resolves, a tfjs-layers model is a `Model`, one tensor in gives a
 * `tf.Tensor` out and an array an array (no cast), and `Result`'s error side is `AttributionError`
 * (not `unknown`, not `any`: the `@ts-expect-error` lines must find an error).
 */
async function typesChecks(consumer: string, label: string, tfjs: 'split' | 'umbrella'): Promise<void> {
  const imports =
    tfjs === 'umbrella' ? `import * as tf from '@tensorflow/tfjs';\nimport * as tfl from '@tensorflow/tfjs';` : `import * as tf from '@tensorflow/tfjs-core';\nimport * as tfl from '@tensorflow/tfjs-layers';`;
  const code = `${imports}
import { computeGradients, convergenceDelta, encodePng, initBackend, integratedGradients, interpolate, message, sumRows, target, tensorizeBaselines, visualizeImageAttr, type AttributionError, type BackendReport, type Model, type Result, type RgbaImage, type Target } from 'tfjs-attribution';
import { cpuBackend } from 'tfjs-attribution/cpu';
import { writePng } from 'tfjs-attribution/node';
import { wasmBackend } from 'tfjs-attribution/wasm';
import { webgpuBackend } from 'tfjs-attribution/webgpu';

const report: Result<BackendReport> = await initBackend({ backends: [webgpuBackend, wasmBackend, cpuBackend] });
if (report._tag === 'Right') console.log(report.right.backend, report.right.kernels.variant, report.right.kernels.reason ?? '');
const model: Model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
const x = tf.ones([2, 3]);
const one = await computeGradients(model, x, 1);
if (one._tag === 'Right') {
  const shape: number[] = one.right.shape;
  // @ts-expect-error one tensor in, one tensor out: not an array
  const asArray: tf.Tensor[] = one.right;
  console.log(shape, asArray);
}
const many = await computeGradients(model, [x], 1);
if (many._tag === 'Right') {
  const first: tf.Tensor | undefined = many.right[0];
  console.log(many.right.length, first);
}
const ig = await integratedGradients(model, x, { target: 0, nSteps: 4 });
if (ig._tag === 'Right') console.log(ig.right.shape);
const baselines = tensorizeBaselines(x, 0);
if (baselines._tag === 'Right') console.log(baselines.right.shape);
const sums = await sumRows([x, x]);
if (sums._tag === 'Right') console.log(sums.right.rowSums.length, sums.right.total.shape);
const t: Target = target.path(1);
const d: Result<tf.Tensor1D> = await convergenceDelta((v: tf.Tensor) => tf.sum(v, 1), { attributions: tf.ones([1, 2]), endPoint: tf.ones([1, 2]), target: t });
if (d._tag === 'Left') {
  const first: AttributionError = d.left[0];
  // @ts-expect-error the error side is typed
  const notANumber: number = d.left[0];
  console.log(first._tag, first.path, message(d.left), notANumber);
}
console.log(interpolate(tf.ones([1, 2, 2, 1]), 4)._tag);
const heat: Result<RgbaImage> = await visualizeImageAttr(tf.ones([2, 2, 3]), undefined, { method: 'heat_map', sign: 'positive' });
const png: Result<Uint8Array> | undefined = heat._tag === 'Right' ? encodePng(heat.right) : undefined;
const written: Result<{ readonly path: string; readonly bytes: number }> | undefined = heat._tag === 'Right' ? await writePng('heat.png', heat.right) : undefined;
console.log(png?._tag, written?._tag);
`;
  await writeFile(join(consumer, 'check.ts'), code);
  const modes = [
    { resolution: 'node10', module: 'esnext', tsc: 'typescript 5' },
    { resolution: 'nodenext', module: 'nodenext', tsc: 'typescript 5' },
    { resolution: 'bundler', module: 'esnext', tsc: 'typescript 5' },
    { resolution: 'nodenext', module: 'nodenext', tsc: 'typescript 7' },
  ] as const;
  for (const mode of modes) {
    await checkThat(`typescript ${mode.resolution}, ${mode.tsc} (${label})`, async () => {
      const config = `tsconfig.${mode.resolution}.json`;
      const compilerOptions = { module: mode.module, moduleResolution: mode.resolution, target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['es2022', 'dom'] };
      await writeFile(join(consumer, config), JSON.stringify({ compilerOptions, files: ['check.ts'] }));
      const tsc = mode.tsc === 'typescript 5' ? [process.execPath, [join(consumer, 'node_modules/typescript/bin/tsc'), '-p', config]] as const : [bin('tsc'), ['-p', config]] as const;
      const r = await run(tsc[0], tsc[1], { cwd: consumer });
      if (r.code !== 0) throw new Error((r.stdout + r.stderr).slice(-2000));
      return 'clean';
    });
  }
}

// ---- main ------------------------------------------------------------------------------------------

const newestNames = ['npm ls', 'node', 'deno', 'workerd', 'chromium', 'vite', 'typescript'];
const oldestNames = ['npm ls', 'node', 'typescript'];
const work = await mkdtemp(join(tmpdir(), 'tfjs-attribution-runtimes-'));
try {
  const tarball = await packTarball(work);
  // The two apps install at once (npm's cache first): the newest tfjs the peer range claims, package
  // by package as the README's install line says, and the oldest, through the umbrella package.
  const [newest, oldest] = await Promise.all([
    wanted(newestNames) ? makeConsumer(work, addOnConsumer(TFJS_NEWEST, { webgpu: true, typescript: true, vite: true }), tarball) : undefined,
    wanted(oldestNames) ? makeConsumer(work, umbrellaConsumer(TFJS_OLDEST), tarball) : undefined,
  ]);
  console.log(`packed ${tarball} and installed it into apps on tfjs ${TFJS_NEWEST} and ${TFJS_OLDEST}`);

  if (newest !== undefined) {
    const { consumer } = newest;
    const label = `tfjs-core ${TFJS_NEWEST}`;
    await oneCore(consumer, TFJS_NEWEST, label);
    const cpu = await checkRun('node (cpu)', 'cpu', () => nodeRun(consumer, 'main.mjs', ['cpu']));
    await checkRun('node (wasm)', 'wasm', () => nodeRun(consumer, 'main.mjs', []), cpu);
    await checkRun('node + Dawn (webgpu)', 'webgpu', () => nodeRun(consumer, 'main-webgpu.mjs', [], { EGL_PLATFORM: 'surfaceless' }), cpu);
    await checkRun('deno (webgpu)', 'webgpu', async () => {
      const out = await denoRun(consumer, []);
      const why = out.passedOver?.['webgpu'];
      return out.backend !== 'webgpu' && why !== undefined
        ? { missing: `Deno found no WebGPU adapter (${why}); it needs a Vulkan driver (Debian: apt-get install -y mesa-vulkan-drivers libvulkan1)` }
        : out;
    }, cpu);
    await checkRun('deno (wasm)', 'wasm', () => denoRun(consumer, ['wasm']), cpu);
    await checkRun('workerd (wasm)', 'wasm', () => workerdRun(consumer, ''), cpu);
    await checkRun('workerd (cpu)', 'cpu', () => workerdRun(consumer, '?backend=cpu'), cpu);
    await chromiumRuns(consumer, cpu);
    await viteRun(consumer, cpu);
    await typesChecks(consumer, label, 'split');
  }
  if (oldest !== undefined) {
    const { consumer } = oldest;
    const label = `tfjs ${TFJS_OLDEST}`;
    await oneCore(consumer, TFJS_OLDEST, label);
    const cpu = await checkRun(`node (cpu, ${label})`, 'cpu', () => nodeRun(consumer, 'main.mjs', ['cpu']));
    await checkRun(`node (wasm, ${label})`, 'wasm', () => nodeRun(consumer, 'main.mjs', ['wasm']), cpu);
    await umbrellaApp(consumer, TFJS_OLDEST);
    await typesChecks(consumer, label, 'umbrella');
  }
} catch (e) {
  const message = e instanceof Error ? e.message : String(e);
  outcomes.push({ name: 'setup', status: 'fail', message });
  console.log(`runtime setup: FAIL: ${message}`);
} finally {
  await rm(work, { recursive: true, force: true });
}

const passed = outcomes.filter((o) => o.status === 'pass').length;
const failed = outcomes.filter((o) => o.status === 'fail').length;
console.log(`@@RUNTIMES ${JSON.stringify({ passed, failed, skipped: outcomes.filter((o) => o.status === 'skip').map((o) => `${o.name}: ${o.message}`) })}`);
