// `npm test`: every suite on each backend (cpu, wasm, webgpu), each in its own process because the
// tfjs backend is global state. Prints each backend's output as it comes, then the per-op Captum
// parity counts, then one line: `N passed, N failed`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Tally {
  passed: number;
  failed: number;
  stricter: number;
  maxAbsError: number;
}
interface BackendRun {
  readonly backend: string;
  passed: number;
  failed: number;
  skipped: string | undefined;
  detail: string;
  tally: Record<string, Tally>;
  /** Values that must agree across backends (seeded results), by key. */
  across: Record<string, number[]>;
}

const BACKENDS = (process.env['TFJS_ATTRIBUTION_BACKENDS'] ?? 'cpu,wasm,webgpu').split(',');
/** CI sets this: a backend that cannot start is then a failure, not a skip. */
const REQUIRE_ALL = process.env['TFJS_ATTRIBUTION_REQUIRE_ALL_BACKENDS'] === '1';
const TIMEOUT_MS = 20 * 60 * 1000;

function runBackend(backend: string): Promise<BackendRun> {
  const run: BackendRun = { backend, passed: 0, failed: 0, skipped: undefined, detail: '', tally: {}, across: {} };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--enable-source-maps', fileURLToPath(new URL('./run-backend.js', import.meta.url))], {
      env: { ...process.env, TFJS_ATTRIBUTION_BACKEND: backend, EGL_PLATFORM: process.env['EGL_PLATFORM'] ?? 'surfaceless', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      process.stdout.write(chunk);
    });
    // Dawn and Mesa print adapter warnings on stderr; keep them, but marked.
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = (tag: string): string | undefined => out.split('\n').find((l) => l.startsWith(tag))?.slice(tag.length + 1);
      const num = (label: string): number => Number(/\s+(\d+)/.exec(out.split('\n').find((l) => l.trim().startsWith(label)) ?? '')?.[1] ?? 0);
      const skip = line('@@SKIP');
      if (skip !== undefined) {
        run.skipped = JSON.parse(skip) as string;
        resolve(run);
        return;
      }
      run.detail = line('@@BACKEND') ?? '';
      const tally = line('@@TALLY');
      if (tally !== undefined) run.tally = JSON.parse(tally) as Record<string, Tally>;
      const across = line('@@ACROSS');
      if (across !== undefined) run.across = JSON.parse(across) as Record<string, number[]>;
      const total = num('Total:');
      run.passed = num('Passed:');
      run.failed = total - run.passed - num('Skipped:');
      if (tally === undefined || code !== 0) {
        // A crash, a hang killed by the timer, or failures: make sure it counts.
        if (tally === undefined) run.failed += 1;
        console.log(`\n[${backend}] test process ended with ${signal ?? `code ${code}`}`);
      }
      resolve(run);
    });
  });
}

/** `tsc --noEmit` under strict: src/ without Node types, then test/ and examples/ with them. Each counts as one test. */
function typecheck(project: string): Promise<boolean> {
  return new Promise((resolve) => {
    const root = new URL('../../', import.meta.url);
    const tsc = fileURLToPath(new URL('node_modules/typescript/bin/tsc', root));
    const child = spawn(process.execPath, [tsc, '--noEmit', '-p', fileURLToPath(new URL(project, root))], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => {
      console.log(`tsc --noEmit -p ${project}: ${code === 0 ? 'clean' : `FAILED\n${out}`}`);
      resolve(code === 0);
    });
  });
}

/** `npm run docs`: TypeDoc's API reference with no warning, every export of every entry point in it. Counts as one test. */
function docs(): Promise<boolean> {
  return new Promise((resolve) => {
    const script = fileURLToPath(new URL('../../tools/docs/build-docs.mjs', import.meta.url));
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => {
      console.log(code === 0 ? out.trim().split('\n').pop() : `npm run docs: FAILED\n${out}`);
      resolve(code === 0);
    });
  });
}

console.log('===== type check, API reference =====');
const typechecks = await Promise.all([...['tsconfig.json', 'node/tsconfig.json', 'test/tsconfig.json'].map(typecheck), ...(process.env['TFJS_ATTRIBUTION_DOCS'] === '0' ? [] : [docs()])]);

const runs: BackendRun[] = [];
for (const backend of BACKENDS) {
  console.log(`\n===== backend: ${backend} =====`);
  runs.push(await runBackend(backend));
}

/** The packed package in Node, Deno, workerd and Chromium (test/runtimes); each check counts as one test. */
function runRuntimes(): Promise<{ passed: number; failed: number; skipped: string[]; lines: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--enable-source-maps', fileURLToPath(new URL('./runtimes/run-runtimes.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('close', () => {
      clearTimeout(timer);
      const lines = out.split('\n');
      const result = lines.find((l) => l.startsWith('@@RUNTIMES '));
      const parsed = result ? (JSON.parse(result.slice('@@RUNTIMES '.length)) as { passed: number; failed: number; skipped: string[] }) : { passed: 0, failed: 1, skipped: [] };
      resolve({ ...parsed, lines: lines.filter((l) => l.startsWith('runtime ')) });
    });
  });
}

const runtimes = process.env['TFJS_ATTRIBUTION_RUNTIMES'] === 'none' ? undefined : (console.log('\n===== runtimes: the packed package in Node, Deno, workerd and Chromium ====='), await runRuntimes());

console.log('\n===== Backends =====');
let passed = typechecks.filter(Boolean).length;
let failed = typechecks.length - passed;
for (const r of runs) {
  if (r.skipped !== undefined) {
    console.log(`  ${r.backend}: SKIPPED: ${r.skipped}`);
    if (REQUIRE_ALL) failed += 1;
    continue;
  }
  console.log(`  ${r.backend}: ${r.passed} passed, ${r.failed} failed  ${r.detail}`);
  passed += r.passed;
  failed += r.failed;
}
if (runtimes !== undefined) {
  console.log('\n===== Runtimes =====');
  for (const line of runtimes.lines) console.log(`  ${line.slice('runtime '.length)}`);
  passed += runtimes.passed;
  failed += runtimes.failed;
} else {
  console.log('\n(runtimes not run: TFJS_ATTRIBUTION_RUNTIMES=none)');
}
console.log('\n===== Captum parity (reference cases passed per op and backend) =====');
const ops = [...new Set(runs.flatMap((r) => Object.keys(r.tally)))].sort();
for (const op of ops) {
  const cells = runs.map((r) => {
    const t = r.tally[op];
    if (r.skipped !== undefined || t === undefined) return `${r.backend}: -`;
    const total = t.passed + t.failed;
    const notes = [t.stricter ? `${t.stricter} stricter by design` : '', t.maxAbsError > 0 ? `max |diff| ${t.maxAbsError.toExponential(1)}` : ''].filter((n) => n !== '');
    return `${r.backend}: ${t.passed}/${total}${notes.length ? ` (${notes.join(', ')})` : ''}`;
  });
  console.log(`  ${op}\n      ${cells.join('\n      ')}`);
}

// Seeded results must be the same on every backend: each key recorded by a suite is compared with
// the first backend's copy (float32 model arithmetic differs by backend in the last bits only).
const ran = runs.filter((r) => r.skipped === undefined);
const keys = [...new Set(ran.flatMap((r) => Object.keys(r.across)))].sort();
if (ran.length > 1 && keys.length > 0) {
  console.log('\n===== Seeded results across backends (each compared with ' + ran[0]!.backend + ') =====');
  for (const key of keys) {
    const reference = ran[0]!.across[key];
    const verdicts = ran.slice(1).map((r) => {
      const values = r.across[key];
      if (reference === undefined || values === undefined) return { backend: r.backend, ok: false, note: 'missing' };
      const worst = values.length !== reference.length ? Infinity : Math.max(0, ...values.map((v, i) => Math.abs(v - reference[i]!) / (1e-5 + 1e-4 * Math.abs(reference[i]!))));
      return { backend: r.backend, ok: worst <= 1, note: worst === Infinity ? 'length differs' : `${(worst * 100).toFixed(0)}% of the tolerance` };
    });
    for (const v of verdicts) (v.ok ? passed++ : failed++);
    console.log(`  ${key}: ${verdicts.map((v) => `${v.backend} ${v.ok ? 'same' : 'DIFFERENT'} (${v.note})`).join(', ')}`);
  }
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
