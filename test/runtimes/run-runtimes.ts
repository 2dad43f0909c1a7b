// The package as users get it, in every runtime it promises: `npm pack`, installed into a fresh
// project in a temporary folder, running the README's own "Use it in ..." snippets in Node (plain
// and with Dawn's WebGPU), Deno, workerd and headless Chromium. Each run must report the expected
// backend and kernel variant, and numbers equal to the closed forms and to the cpu backend's.
// Prints one line per check and `@@RUNTIMES {"passed":N,"failed":N}` for run-all.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, denoRun, makeConsumer, nodeRun, type Output, parseOutput, run, serveStatic, workerdRun } from './consumer.js';

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

async function chromiumRuns(consumer: string, cpu: Output | undefined): Promise<void> {
  const names = ['chromium (webgpu)', 'chromium (wasm)'];
  if (ONLY && !ONLY.some((o) => names.some((n) => n.startsWith(o)))) return;
  if (!existsSync(CHROMIUM)) {
    for (const [name] of names.entries()) await checkRun(names[name] as string, '', async () => ({ missing: `no Chromium at ${CHROMIUM} (Debian: apt-get install -y chromium)` }));
    return;
  }
  const publicDir = join(consumer, 'public');
  await mkdir(publicDir, { recursive: true });
  const bundle = await run(bin('esbuild'), ['app.js', '--bundle', '--format=esm', `--outfile=${join(publicDir, 'app.js')}`, '--log-level=warning'], { cwd: consumer });
  if (bundle.code !== 0) throw new Error(`esbuild failed:\n${bundle.stderr}`);
  await cp(join(consumer, 'node_modules/tfjs-attribution/dist/wasm'), join(publicDir, 'wasm'), { recursive: true });
  await writeFile(join(publicDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>tfjs-attribution</title><script type="module" src="app.js"></script>\n');
  const { server, port } = await serveStatic(publicDir);
  const { chromium } = (await import('playwright-core')) as unknown as { chromium: { launch(o: object): Promise<Browser> } };
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = async (query: string): Promise<Output> => {
    const p = await browser.newPage();
    try {
      const errors: string[] = [];
      const result = new Promise<string>((resolve) => p.on('console', (m) => m.text().startsWith('{') && resolve(m.text())));
      p.on('pageerror', (e) => errors.push(e.message ?? String(e)));
      await p.goto(`http://127.0.0.1:${port}/${query}`);
      const text = await Promise.race([result, new Promise<string>((r) => setTimeout(() => r(''), 60_000))]);
      if (text === '') throw new Error(`no result from the page within 60 s${errors.length ? `; page errors: ${errors.join('; ')}` : ''}`);
      return parseOutput(text);
    } finally {
      await p.close();
    }
  };
  try {
    await checkRun('chromium (webgpu)', 'webgpu', () => page(''), cpu);
    await checkRun('chromium (wasm)', 'wasm', () => page('?backend=wasm'), cpu);
  } finally {
    await browser.close();
    server.closeAllConnections();
    server.close();
  }
}

/** The package's .d.ts files serve a strict TypeScript consumer (nodenext resolution, every entry point). */
async function typesCheck(consumer: string): Promise<void> {
  const name = 'typescript (the packed .d.ts)';
  if (ONLY && !ONLY.some((o) => name.startsWith(o))) return;
  const code = `import * as tf from '@tensorflow/tfjs-core';
import { convergenceDelta, initBackend, interpolate, message, target, visualizeImageAttr, type AttributionError, type Result, type RgbaImage, type Target } from 'tfjs-attribution';
import { cpuBackend } from 'tfjs-attribution/cpu';
import { encodePng } from 'tfjs-attribution/node';
import { wasmBackend } from 'tfjs-attribution/wasm';
import { webgpuBackend } from 'tfjs-attribution/webgpu';
const t: Target = target.path(1);
const backend = await initBackend({ backends: [webgpuBackend, wasmBackend, cpuBackend] });
const d: Result<tf.Tensor1D> = await convergenceDelta((x: tf.Tensor) => tf.sum(x, 1), { attributions: tf.ones([1, 2]), endPoint: tf.ones([1, 2]), target: t });
const first: AttributionError | undefined = d._tag === 'Left' ? d.left[0] : undefined;
console.log(backend._tag, first === undefined ? '' : message([first]), interpolate(tf.ones([1, 2, 2, 1]), 4)._tag);
const heat: Result<RgbaImage> = await visualizeImageAttr(tf.ones([2, 2, 3]), undefined, { method: 'heat_map', sign: 'positive' });
const png: Result<Uint8Array> | undefined = heat._tag === 'Right' ? encodePng(heat.right) : undefined;
console.log(png?._tag);
`;
  await writeFile(join(consumer, 'check.ts'), code);
  const tsconfig = { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['es2022', 'dom'] }, files: ['check.ts'] };
  await writeFile(join(consumer, 'tsconfig.json'), JSON.stringify(tsconfig));
  const r = await run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: consumer });
  const status = r.code === 0 ? 'pass' : 'fail';
  const message = r.code === 0 ? 'clean' : (r.stdout + r.stderr).slice(-2000);
  outcomes.push({ name, status, message });
  console.log(`runtime ${name}: ${status === 'pass' ? 'PASS' : `FAIL: ${message}`}`);
}

// ---- main ------------------------------------------------------------------------------------------

const work = await mkdtemp(join(tmpdir(), 'tfjs-attribution-runtimes-'));
try {
  const { consumer, tarball } = await makeConsumer(work);
  console.log(`packed ${tarball} and installed it into ${consumer}`);

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
  await typesCheck(consumer);
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
