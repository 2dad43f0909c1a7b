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

// ---- consumer projects ---------------------------------------------------------------------------

const manifest = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string>; devDependencies: Record<string, string> };
/** The oldest tfjs the peer range claims (its lower bound, `^4.20.0` -> 4.20.0) and the newest (the release the repository builds and tests with). */
export const TFJS_OLDEST = /^\^(\d+\.\d+\.\d+)$/.exec(manifest.peerDependencies['@tensorflow/tfjs-core'] ?? '')?.[1] ?? 'unknown';
export const TFJS_NEWEST = manifest.devDependencies['@tensorflow/tfjs-core'] ?? 'unknown';
/** What the consumers use besides tfjs: Dawn for WebGPU in Node, a TypeScript 5 (the last with `moduleResolution: node10`), Vite's dev server. */
export const TOOLS = { webgpu: '0.6.2', typescript: '5.9.3', vite: '8.3.8' } as const;

/** A fresh project: its name (a folder under the work folder) and what it installs besides the tarball. */
export interface ConsumerSpec {
  readonly name: string;
  readonly dependencies: Readonly<Record<string, string>>;
}

/** An app that installs tfjs-core and the backends one by one, as the README's install line says. */
export const addOnConsumer = (version: string, tools: Partial<Record<keyof typeof TOOLS, boolean>> = { webgpu: true }): ConsumerSpec => ({
  name: `tfjs-core-${version}`,
  dependencies: {
    ...Object.fromEntries(['tfjs-core', 'tfjs-backend-cpu', 'tfjs-backend-wasm', 'tfjs-backend-webgpu', 'tfjs-layers'].map((p) => [`@tensorflow/${p}`, version])),
    ...Object.fromEntries(Object.entries(TOOLS).filter(([k]) => tools[k as keyof typeof TOOLS])),
  },
});

/** An app on the umbrella `@tensorflow/tfjs` (core, cpu, webgl, layers, converter), adding the wasm backend. */
export const umbrellaConsumer = (version: string): ConsumerSpec => ({
  name: `tfjs-${version}`,
  dependencies: { '@tensorflow/tfjs': version, '@tensorflow/tfjs-backend-wasm': version, typescript: TOOLS.typescript },
});

/** `npm pack` of the repository into `work`; the tarball's file name. */
export async function packTarball(work: string): Promise<string> {
  const pack = await run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: repo });
  const tarball = pack.stdout.trim().split('\n').pop() ?? '';
  if (pack.code !== 0 || !tarball.endsWith('.tgz')) throw new Error(`npm pack failed:\n${pack.stderr}`);
  return tarball;
}

/**
 * Installs the packed tarball (packing it first unless given) into `work`/`spec.name`, with what
 * `spec` lists, from the registry (npm's cache first); writes the README snippets there.
 */
export async function makeConsumer(work: string, spec: ConsumerSpec = addOnConsumer(TFJS_NEWEST), packed?: string): Promise<{ consumer: string; tarball: string }> {
  const snippets = await readmeSnippets();
  const needed = ['main.mjs', 'main-webgpu.mjs', 'main-deno.mjs', 'worker.js', 'config.capnp', 'app.js'];
  const missing = needed.filter((f) => !snippets.has(f));
  if (missing.length) throw new Error(`README.md lacks the runtime-test snippets ${missing.join(', ')}`);
  const tarball = packed ?? (await packTarball(work));
  const consumer = join(work, spec.name);
  await mkdir(consumer);
  const pkg = { name: spec.name, private: true, type: 'module', dependencies: { 'tfjs-attribution': `file:../${tarball}`, ...spec.dependencies } };
  await writeFile(join(consumer, 'package.json'), JSON.stringify(pkg, null, 2));
  const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: consumer, timeoutMs: 600_000 });
  if (install.code !== 0) throw new Error(`npm install in ${spec.name} failed:\n${install.stderr}`);
  for (const [file, code] of snippets) await writeFile(join(consumer, file), code);
  return { consumer, tarball };
}

/** Where `npm ls` finds `pkg` in the project: one path when the app has a single copy. */
export async function installedCopies(consumer: string, pkg: string): Promise<string[]> {
  const r = await run('npm', ['ls', pkg, '--all', '--parseable'], { cwd: consumer });
  return [...new Set(r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== ''))];
}

/** What tfjs prints when a second copy of tfjs-core (or of a backend) registers over the first. */
export const DUPLICATE_REGISTRATION = /already (been )?(registered|set)|Overwriting the platform/i;
const refuseDuplicates = (what: string, stderr: string): void => {
  const lines = stderr.split('\n').filter((l) => DUPLICATE_REGISTRATION.test(l));
  if (lines.length > 0) throw new Error(`${what}: ${lines.length} duplicate-registration line(s) on stderr, e.g. ${lines[0]}`);
};

export async function nodeRun(consumer: string, file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Output> {
  const r = await run(process.execPath, [file, ...args], { cwd: consumer, env });
  if (r.code !== 0) throw new Error(`node ${file} ${args.join(' ')} exited with ${r.code}:\n${(r.stderr || r.stdout).slice(-2000)}`);
  refuseDuplicates(`node ${file}`, r.stderr);
  return parseOutput(r.stdout);
}

export async function denoRun(consumer: string, args: string[]): Promise<Output> {
  // DENO_DIR inside the project keeps Deno's cache out of the user's home.
  const r = await run(bin('deno'), ['run', '--allow-read', '--allow-env', 'main-deno.mjs', ...args], { cwd: consumer, env: { DENO_DIR: join(consumer, '.deno'), NO_COLOR: '1' } });
  if (r.code !== 0) throw new Error(`deno exited with ${r.code}:\n${(r.stderr || r.stdout).slice(-2000)}`);
  refuseDuplicates('deno', r.stderr);
  return parseOutput(r.stdout);
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export async function fetchWithRetry(url: string, deadline: number): Promise<string> {
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

