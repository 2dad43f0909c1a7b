// The package as users get it, in every runtime it promises: `npm pack`, installed into a fresh
// project in a temporary folder, running the README's own "Use it in ..." snippets in Node (plain
// and with Dawn's WebGPU), Deno, workerd and headless Chromium. Each run must report the expected
// backend and kernel variant, and numbers equal to the closed forms and to the cpu backend's.
// Prints one line per check and `@@RUNTIMES {"passed":N,"failed":N}` for run-all.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = (name: string): string => join(repo, 'node_modules', '.bin', name);
const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
/** CI sets this: a runtime that cannot run here is a failure, not a skip. */
const REQUIRE_ALL = process.env['TFJS_ATTRIBUTION_REQUIRE_ALL_BACKENDS'] === '1';
const ONLY = process.env['TFJS_ATTRIBUTION_RUNTIMES']?.split(',');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to the end (killed after `timeoutMs`), capturing its output. */
function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 120_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

// ---- the README snippets ------------------------------------------------------------------------

/** The code blocks of README.md marked `runtime-test=<file>`, by file name. */
async function readmeSnippets(): Promise<Map<string, string>> {
  const readme = await readFile(join(repo, 'README.md'), 'utf8');
  const snippets = new Map<string, string>();
  for (const m of readme.matchAll(/```\w+ runtime-test=(\S+)\n([\s\S]*?)```/g)) snippets.set(m[1] as string, m[2] as string);
  return snippets;
}

// ---- what every run must print ------------------------------------------------------------------

interface Output {
  backend: string;
  detail: string;
  passedOver: Record<string, string>;
  kernels: string;
  gradients: number[];
  delta: number[];
  upsampled: number[];
}

/** Closed forms: d(sum x^2)/dx = 2x; 0.9 sum x^2 - sum x^2 = -0.1 sum x^2; torch's bilinear 2x2 -> 4x4. */
const CLOSED_FORM = {
  gradients: [2, 4, 6, 8],
  delta: [-0.5, -2.5],
  upsampled: [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3],
};
const TOLERANCE = 1e-5;

function parseOutput(text: string): Output {
  const line = text.split('\n').reverse().find((l) => l.trim().startsWith('{'));
  if (line === undefined) throw new Error(`no JSON result in the output:\n${text.slice(-2000)}`);
  return JSON.parse(line) as Output;
}

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

async function nodeRun(consumer: string, file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Output> {
  const r = await run(process.execPath, [file, ...args], { cwd: consumer, env });
  if (r.code !== 0) throw new Error(`node ${file} ${args.join(' ')} exited with ${r.code}:\n${(r.stderr || r.stdout).slice(-2000)}`);
  return parseOutput(r.stdout);
}

async function denoRun(consumer: string, args: string[]): Promise<Output> {
  // DENO_DIR inside the project keeps Deno's cache out of the user's home.
  const r = await run(bin('deno'), ['run', '--allow-read', '--allow-env', 'main-deno.mjs', ...args], { cwd: consumer, env: { DENO_DIR: join(consumer, '.deno'), NO_COLOR: '1' } });
  if (r.code !== 0) throw new Error(`deno exited with ${r.code}:\n${(r.stderr || r.stdout).slice(-2000)}`);
  return parseOutput(r.stdout);
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function fetchWithRetry(url: string, deadline: number): Promise<string> {
  for (;;) {
    try {
      const response = await fetch(url);
      return await response.text();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Bundles the README's worker like wrangler does (wasm imports kept as modules) and serves it with workerd. */
async function workerdRun(consumer: string, query: string): Promise<Output> {
  const out = join(consumer, `workerd${query.replace(/\W/g, '-')}`);
  await mkdir(out, { recursive: true });
  const bundle = await run(bin('esbuild'), ['worker.js', '--bundle', '--format=esm', '--platform=browser', '--conditions=workerd,worker', "--external:*.wasm", `--outfile=${join(out, 'worker.js')}`, '--log-level=warning'], { cwd: consumer });
  if (bundle.code !== 0) throw new Error(`esbuild failed:\n${bundle.stderr}`);
  for (const f of ['attribution-kernels.simd.wasm', 'tfjs-backend-wasm-simd.wasm']) await cp(join(consumer, 'node_modules/tfjs-attribution/dist/wasm', f), join(out, f));
  const port = await freePort();
  const config = (await readFile(join(consumer, 'config.capnp'), 'utf8')).replace('127.0.0.1:8787', `127.0.0.1:${port}`);
  await writeFile(join(out, 'config.capnp'), config);
  const server = spawn(bin('workerd'), ['serve', 'config.capnp'], { cwd: out, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (c: Buffer) => (log += c.toString()));
  server.stderr.on('data', (c: Buffer) => (log += c.toString()));
  try {
    const body = await fetchWithRetry(`http://127.0.0.1:${port}/${query}`, Date.now() + 30_000);
    try {
      return parseOutput(body);
    } catch {
      throw new Error(`workerd answered:\n${body.slice(0, 2000)}\n${log.slice(-2000)}`);
    }
  } finally {
    server.kill('SIGKILL');
  }
}

/** A static server on 127.0.0.1 for the bundled page. */
async function serveStatic(root: string): Promise<{ server: Server; port: number }> {
  const types: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = path === '/' ? '/index.html' : path;
    readFile(join(root, file)).then(
      (body) => {
        res.writeHead(200, { 'content-type': types[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' });
        res.end(body);
      },
      () => {
        res.writeHead(404);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
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

// ---- main ------------------------------------------------------------------------------------------

const work = await mkdtemp(join(tmpdir(), 'tfjs-attribution-runtimes-'));
try {
  const snippets = await readmeSnippets();
  const needed = ['main.mjs', 'main-webgpu.mjs', 'main-deno.mjs', 'worker.js', 'config.capnp', 'app.js'];
  const missing = needed.filter((f) => !snippets.has(f));
  if (missing.length) throw new Error(`README.md lacks the runtime-test snippets ${missing.join(', ')}`);

  const pack = await run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: repo });
  const tarball = pack.stdout.trim().split('\n').pop() ?? '';
  if (pack.code !== 0 || !tarball.endsWith('.tgz')) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const consumer = join(work, 'consumer');
  await mkdir(consumer);
  const manifest = { name: 'consumer', private: true, type: 'module', dependencies: { 'tfjs-attribution': `file:../${tarball}`, '@tensorflow/tfjs-core': '4.22.0', webgpu: '0.6.2' } };
  await writeFile(join(consumer, 'package.json'), JSON.stringify(manifest, null, 2));
  const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: consumer, timeoutMs: 600_000 });
  if (install.code !== 0) throw new Error(`npm install of the tarball failed:\n${install.stderr}`);
  console.log(`packed ${tarball} and installed it into ${consumer}`);
  for (const [file, code] of snippets) await writeFile(join(consumer, file), code);

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
