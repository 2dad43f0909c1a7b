// A fresh project with the npm-packed package installed, and ways to run the README's snippets in it
// (Node, Deno, workerd). Shared by the runtime tests and the size and start-up benchmark.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../../', import.meta.url));
export const bin = (name: string): string => join(repo, 'node_modules', '.bin', name);

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to the end (killed after `timeoutMs`), capturing its output. */
export function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 120_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

// ---- the README snippets ------------------------------------------------------------------------

/** The code blocks of README.md marked `runtime-test=<file>`, by file name. */
export async function readmeSnippets(): Promise<Map<string, string>> {
  const readme = await readFile(join(repo, 'README.md'), 'utf8');
  const snippets = new Map<string, string>();
  for (const m of readme.matchAll(/```\w+ runtime-test=(\S+)\n([\s\S]*?)```/g)) snippets.set(m[1] as string, m[2] as string);
  return snippets;
}

/** What every snippet prints (Node, Deno, Chromium) or answers (workerd), as JSON. */
export interface Output {
  backend: string;
  detail: string;
  passedOver: Record<string, string>;
  kernels: string;
  gradients: number[];
  delta: number[];
  upsampled: number[];
}

export function parseOutput(text: string): Output {
  const line = text.split('\n').reverse().find((l) => l.trim().startsWith('{'));
  if (line === undefined) throw new Error(`no JSON result in the output:\n${text.slice(-2000)}`);
  return JSON.parse(line) as Output;
}

/** Packs the repository and installs the tarball, with tfjs-core and Dawn, into `work`/consumer; writes the README snippets there. */
export async function makeConsumer(work: string): Promise<{ consumer: string; tarball: string }> {
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
  for (const [file, code] of snippets) await writeFile(join(consumer, file), code);
  return { consumer, tarball };
}

export async function nodeRun(consumer: string, file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Output> {
  const r = await run(process.execPath, [file, ...args], { cwd: consumer, env });
  if (r.code !== 0) throw new Error(`node ${file} ${args.join(' ')} exited with ${r.code}:\n${(r.stderr || r.stdout).slice(-2000)}`);
  return parseOutput(r.stdout);
}

export async function denoRun(consumer: string, args: string[]): Promise<Output> {
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

/** Bundles the README's worker like wrangler does (wasm imports kept as modules), with its binaries and config, into `dir`. */
async function prepareWorkerd(consumer: string, dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  const bundle = await run(bin('esbuild'), ['worker.js', '--bundle', '--format=esm', '--platform=browser', '--conditions=workerd,worker', '--external:*.wasm', `--outfile=${join(dir, 'worker.js')}`, '--log-level=warning'], { cwd: consumer });
  if (bundle.code !== 0) throw new Error(`esbuild failed:\n${bundle.stderr}`);
  for (const f of ['attribution-kernels.simd.wasm', 'attribution-kernels-inplace.simd.wasm', 'tfjs-backend-wasm-simd.wasm']) await cp(join(consumer, 'node_modules/tfjs-attribution/dist/wasm', f), join(dir, f));
  const port = await freePort();
  const config = (await readFile(join(consumer, 'config.capnp'), 'utf8')).replace('127.0.0.1:8787', `127.0.0.1:${port}`);
  await writeFile(join(dir, 'config.capnp'), config);
  return port;
}

/** Starts workerd on a prepared folder, asks it once, stops it; the answer and the time from spawn to answer. */
async function askWorkerd(dir: string, port: number, query: string): Promise<{ body: string; ms: number; log: string }> {
  const started = performance.now();
  const server = spawn(bin('workerd'), ['serve', 'config.capnp'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (c: Buffer) => (log += c.toString()));
  server.stderr.on('data', (c: Buffer) => (log += c.toString()));
  try {
    const body = await fetchWithRetry(`http://127.0.0.1:${port}/${query}`, Date.now() + 30_000);
    return { body, ms: performance.now() - started, log };
  } finally {
    server.kill('SIGKILL');
  }
}

/** The README's worker on workerd (127.0.0.1 only), asked once with `query`. */
export async function workerdRun(consumer: string, query: string): Promise<Output> {
  const dir = join(consumer, `workerd${query.replace(/\W/g, '-')}`);
  const { body, log } = await askWorkerd(dir, await prepareWorkerd(consumer, dir), query);
  try {
    return parseOutput(body);
  } catch {
    throw new Error(`workerd answered:\n${body.slice(0, 2000)}\n${log.slice(-2000)}`);
  }
}

/** Milliseconds from spawning workerd to its first answer (module load, kernels, backend, the computation). */
export async function workerdColdStart(consumer: string): Promise<number> {
  const dir = join(consumer, 'workerd-bench');
  const { ms, body } = await askWorkerd(dir, await prepareWorkerd(consumer, dir), '');
  parseOutput(body);
  return ms;
}

/** A static server on 127.0.0.1 for the bundled page. */
export async function serveStatic(root: string): Promise<{ server: Server; port: number }> {
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

