// `npm run bench`: the issue-8 workloads through the public API on wasm and cpu (webgpu where an
// adapter exists), side by side with the PyTorch peer (bench/vendor/torch_peer.py, Captum's work)
// run alternately in the same sitting, plus sumRows variants against a memory-copy baseline and the
// peak memory of the batched workloads. Statistics come from tinybench (p50 of each task's samples);
// each backend runs in its own process (tfjs backends are global state). One run, one machine:
// only the ratios within this run mean anything.
//   npm run bench                      print the report
//   npm run bench -- --out FILE.md     also write it to FILE.md (BENCHMARKS.md holds the latest)
// Environment: BENCH_ROUNDS (default 3), BENCH_BACKENDS (default cpu,wasm,webgpu).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const worker = fileURLToPath(new URL('./worker.js', import.meta.url));
const peerScript = join(repo, 'bench/vendor/torch_peer.py');
const modelsPath = join(repo, 'bench/vendor/bench_models.json');
const PYTHON = '/usr/bin/python3';
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const BACKENDS = (process.env['BENCH_BACKENDS'] ?? 'cpu,wasm,webgpu').split(',');
const outIndex = process.argv.indexOf('--out');
const outFile = outIndex > 0 ? process.argv[outIndex + 1] : undefined;

/** The label of a workload's plain-tf-ops twin (bench/worker.ts). */
const PLAIN = '(plain tf ops)';
const MODEL_KEYS = ['bench_mlp/saliency_b64', 'bench_cnn/saliency_b64', 'bench_mlp/convergence_delta_b64', 'bench_cnn/convergence_delta_b64', 'bench_mlp/ig_n50_b16_delta', 'bench_cnn/ig_n50_b16_delta', 'sum_rows_64x1e6'];

interface Timing {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  tf_peak_mb?: number;
  max_rss_mb?: number;
  gb_per_s?: number;
  gflops?: number;
  max_rel_err?: number;
}
interface WorkerResult {
  backend: string;
  part: string;
  skipped?: string;
  detail?: string;
  results?: Record<string, Timing>;
}

const lines: string[] = [];
const say = (line = ''): void => {
  lines.push(line);
  console.log(line);
};
const started = Date.now();
const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0)} s`;

function run(command: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repo, env: { ...process.env, EGL_PLATFORM: process.env['EGL_PLATFORM'] ?? 'surfaceless' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

async function runWorker(backend: string, part: string, inputs: string, reps: number, warmup: number): Promise<WorkerResult> {
  const r = await run(process.execPath, ['--enable-source-maps', worker, backend, part, inputs, String(reps), String(warmup)]);
  const line = r.out.split('\n').find((l) => l.startsWith('@@RESULT '));
  if (line === undefined) return { backend, part, skipped: `the worker failed (code ${r.code}): ${(r.err || r.out).trim().split('\n').slice(-3).join(' ')}` };
  return JSON.parse(line.slice('@@RESULT '.length)) as WorkerResult;
}

interface PeerJson {
  torch: string;
  numpy: string;
  python: string;
  threads: number;
  results: Record<string, Record<string, Timing> | Timing>;
}
async function runPeer(): Promise<Record<string, Timing> | string> {
  const r = await run(PYTHON, [peerScript, '--threads', '1', '--models', modelsPath]);
  if (r.code !== 0) return `torch_peer.py failed: ${r.err.trim().split('\n').slice(-2).join(' ')}`;
  const json = JSON.parse(r.out) as PeerJson;
  peerVersions = `torch ${json.torch}, numpy ${json.numpy}, Python ${json.python}, ${json.threads} thread`;
  const flat: Record<string, Timing> = {};
  for (const [k, v] of Object.entries(json.results)) {
    if ('median_ms' in v) flat[k] = v as Timing;
    else for (const [w, t] of Object.entries(v as Record<string, Timing>)) flat[`${k}/${w}`] = t;
  }
  return flat;
}
let peerVersions = '';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const ms = (x: number | undefined): string => (x === undefined ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '-' : `${(a / b).toFixed(2)}x`);

// ---------------------------------------------------------------------------------------------
/** An installed package's version, found from where Node resolves it. */
function version(pkg: string): string {
  try {
    let dir = new URL('.', import.meta.resolve(pkg));
    for (let i = 0; i < 6; i++, dir = new URL('..', dir)) {
      try {
        const json = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version: string };
        if (json.name === pkg) return json.version;
      } catch {
        // not here: one folder up
      }
    }
  } catch {
    // not resolvable
  }
  return 'unknown';
}
say('# tfjs-attribution benchmark');
say();
say(`- machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${platform()} ${release()}`);
say(`- load average at start (1, 5, 15 min): ${loadavg().map((x) => x.toFixed(2)).join(', ')}${loadavg()[0]! > cpus().length * 0.5 ? ' (the machine was NOT idle: other processes competed for the cores)' : ''}`);
say(`- Node ${process.version}, @tensorflow/tfjs-core ${version('@tensorflow/tfjs-core')}, tfjs-backend-wasm ${version('@tensorflow/tfjs-backend-wasm')}, tinybench ${version('tinybench')}`);
say(`- command: \`npm run bench${outFile ? ` -- --out ${outFile}` : ''}\` (BENCH_ROUNDS=${ROUNDS}, BENCH_BACKENDS=${BACKENDS.join(',')})`);

const peerCheck = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
const hasPeer = peerCheck.status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'tfjs-attribution-bench-'));
let inputs = '-';
if (hasPeer) {
  inputs = join(tmp, 'inputs.json');
  const dump = spawnSync(PYTHON, [peerScript, '--models', modelsPath, '--dump-inputs', inputs], { encoding: 'utf8' });
  if (dump.status !== 0) inputs = '-';
} else {
  say();
  say('> The PyTorch peer is skipped: `/usr/bin/python3` cannot import torch. On Debian/Ubuntu:');
  say('> `apt-get install -y python3-torch python3-numpy libopenblas0-pthread` (without libopenblas0-pthread');
  say("> torch's matmul falls back to the reference BLAS and is not a fair peer), then run `npm run bench` again.");
  say('> Without it the TS side runs on seeded stand-in inputs of the same shapes.');
}

// Alternating rounds: wasm, peer, wasm, peer, ... (webgpu where it starts, once).
const wasmRounds: Record<string, Timing>[] = [];
const peerRounds: Record<string, Timing>[] = [];
const notes: string[] = [];
let wasmDetail = '';
let memory: Record<string, Timing> | undefined;
for (let round = 0; round < ROUNDS; round++) {
  if (BACKENDS.includes('wasm')) {
    const w = await runWorker('wasm', 'models', inputs, 7, 3);
    if (w.results) {
      wasmRounds.push(w.results);
      wasmDetail = w.detail ?? '';
      memory ??= w.results;
    } else notes.push(`wasm round ${round + 1}: ${w.skipped}`);
  }
  if (hasPeer) {
    const p = await runPeer();
    if (typeof p === 'string') notes.push(p);
    else peerRounds.push(p);
  }
  console.error(`[bench] round ${round + 1}/${ROUNDS} done (${elapsed()})`);
}
// cpu (tfjs-backend-cpu is plain JS and slow: one round, 3 calls after 1 warm-up) and webgpu once.
const once: Record<string, WorkerResult> = {};
for (const backend of ['cpu', 'webgpu']) {
  if (!BACKENDS.includes(backend)) continue;
  if (backend === 'webgpu') {
    // A software adapter (Mesa's llvmpipe behind Dawn's OpenGL ES backend, SwiftShader) is a CPU
    // emulation of a GPU: minutes per workload and no information about GPUs. Not timed unless asked.
    const probe = await runWorker('webgpu', 'probe', inputs, 0, 0);
    if (probe.skipped) {
      once[backend] = probe;
      continue;
    }
    if (/llvmpipe|lavapipe|swiftshader|softpipe|software/i.test(probe.detail ?? '') && process.env['BENCH_WEBGPU_SOFTWARE'] !== '1') {
      once[backend] = { backend, part: 'models', skipped: `not timed: the adapter is a software renderer (${probe.detail}); BENCH_WEBGPU_SOFTWARE=1 times it anyway` };
      continue;
    }
  }
  once[backend] = await runWorker(backend, 'models', inputs, 3, 1);
  console.error(`[bench] ${backend} models done (${elapsed()})`);
}
const sumRowsRuns: Record<string, WorkerResult> = {};
for (const backend of ['wasm', 'cpu']) {
  if (!BACKENDS.includes(backend)) continue;
  sumRowsRuns[backend] = await runWorker(backend, 'sumrows', '-', 7, 2);
  console.error(`[bench] ${backend} sumRows variants done (${elapsed()})`);
}
// The compute ceiling: the largest products alone, on wasm and in the peer, and WebAssembly SIMD's peak.
const opsRun = BACKENDS.includes('wasm') ? await runWorker('wasm', 'ops', '-', 21, 5) : undefined;
const peerOps = hasPeer ? await run(PYTHON, [join(repo, 'bench/peer_ops.py')]) : undefined;
console.error(`[bench] compute ceiling done (${elapsed()})`);
rmSync(tmp, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
say();
say('## Workloads: tfjs-attribution vs the PyTorch peer (Captum 0.8\'s work), same sitting');
say();
say(`wasm: ${wasmDetail}, one thread. Each figure is the median of the per-round medians (tinybench p50 of 7 calls after 3 warm-ups); ` +
  `${ROUNDS} alternating rounds (TS wasm process, then the peer process). Peer: ${hasPeer ? peerVersions : 'not run'}. Ratio = TS / peer (below 1.00x: tfjs-attribution is faster).`);
say();
say('| workload | PyTorch peer ms | wasm ms | wasm / peer | per-round wasm ms | per-round peer ms | cpu ms (1 round) | cpu / peer |' + (once['webgpu']?.results ? ' webgpu ms | webgpu / peer |' : ''));
say('|---|---|---|---|---|---|---|---|' + (once['webgpu']?.results ? '---|---|' : ''));
for (const key of MODEL_KEYS) {
  const w = wasmRounds.map((r) => r[key]?.median_ms).filter((x): x is number => x !== undefined);
  const p = peerRounds.map((r) => r[key]?.median_ms).filter((x): x is number => x !== undefined);
  const wm = w.length ? median(w) : undefined;
  const pm = p.length ? median(p) : undefined;
  const cpu = once['cpu']?.results?.[key]?.median_ms;
  const gpu = once['webgpu']?.results?.[key]?.median_ms;
  say(`| ${key} | ${ms(pm)} | ${ms(wm)} | **${ratio(wm, pm)}** | ${w.map(ms).join(', ')} | ${p.map(ms).join(', ')} | ${ms(cpu)} | ${ratio(cpu, pm)} |` + (once['webgpu']?.results ? ` ${ms(gpu)} | ${ratio(gpu, pm)} |` : ''));
}
for (const [backend, r] of Object.entries(once)) if (r.skipped) notes.push(`${backend}: ${r.skipped}`);
if (notes.length) {
  say();
  for (const n of notes) say(`- ${n}`);
}

say();
say('## The compute ceiling');
say();
say('The bench models\' largest products alone (tinybench p50 of 21 calls after 5 warm-ups; peer: `bench/peer_ops.py`, median of 21, one thread), ' +
  'and the peak of WebAssembly SIMD on this CPU (`assembly/bench/peak-simd.ts`: twelve independent f32x4 multiply-add chains, no memory traffic). ' +
  'WebAssembly\'s 128-bit SIMD has no fused multiply-add; PyTorch\'s kernels use the CPU\'s 256- or 512-bit FMA units. ' +
  'Where the peer runs a product faster than the wasm SIMD peak allows, no WebAssembly kernel can match it on one thread.');
say();
const peerOpsJson = ((): Record<string, { median_ms: number; gflops: number }> => {
  try {
    return peerOps?.code === 0 ? (JSON.parse(peerOps.out) as Record<string, { median_ms: number; gflops: number }>) : {};
  } catch {
    return {};
  }
})();
say('| product | wasm ms | wasm GFLOPS | PyTorch peer ms | peer GFLOPS | wasm / peer |');
say('|---|---|---|---|---|---|');
for (const [name, t] of Object.entries((opsRun?.results ?? {}) as Record<string, Timing & { gflops?: number }>)) {
  const p = peerOpsJson[name];
  say(`| ${name} | ${ms(t.median_ms)} | ${t.gflops ?? '-'} | ${ms(p?.median_ms)} | ${p ? p.gflops.toFixed(1) : '-'} | ${ratio(t.median_ms, p?.median_ms)} |`);
}
if (opsRun?.skipped) say(`\n- wasm: ${opsRun.skipped}`);

say();
say('## convergenceDelta vs the same computation in plain tf ops');
say();
say('The library call against `sum(attributions[i]) - (F(x)[i, t] - F(0)[i, t])` written with plain tf ops (two forward passes, a one-hot mask for the target, results read back), ' +
  'in the same process, on the same inputs, in 9 short tinybench runs of both that alternate which goes first (median of the per-run medians). ' +
  'wasm: median over the rounds; cpu and webgpu: one round. Ratio = library / plain (at or below 1.00x: the library is not slower).');
say();
say('| workload | backend | library ms | plain tf ops ms | library / plain |');
say('|---|---|---|---|---|');
const wasmOf = (k: string): number | undefined => {
  const xs = wasmRounds.map((r) => r[k]?.median_ms).filter((x): x is number => x !== undefined);
  return xs.length ? median(xs) : undefined;
};
for (const key of MODEL_KEYS.filter((k) => k.endsWith('/convergence_delta_b64'))) {
  const rows: [string, number | undefined, number | undefined][] = [['wasm', wasmOf(`${key} (paired)`), wasmOf(`${key} ${PLAIN}`)]];
  for (const backend of ['cpu', 'webgpu']) {
    const r = once[backend]?.results;
    if (r) rows.push([backend, r[`${key} (paired)`]?.median_ms, r[`${key} ${PLAIN}`]?.median_ms]);
  }
  for (const [backend, lib, plain] of rows) if (lib !== undefined) say(`| ${key} | ${backend} | ${ms(lib)} | ${ms(plain)} | **${ratio(lib, plain)}** |`);
}

say();
say('## sumRows variants and the memory-copy baseline');
say();
say('Same data as the peer\'s `sum_rows` (v[i] = ((i * 40503) % 65536) / 65536 - 0.5). tinybench p50 of 7 calls after 2 warm-ups, results read back. ' +
  '"of copy" = copy time / variant time: the fraction of the machine\'s memory-copy speed on the same bytes (a copy reads and writes them; a sum only reads). ' +
  'rel. err = largest |float32 result - f64 sum| / |f64 sum| over the rows.');
for (const [backend, r] of Object.entries(sumRowsRuns)) {
  say();
  if (!r.results) {
    say(`${backend}: ${r.skipped}`);
    continue;
  }
  say(`### ${backend} (${r.detail})`);
  say();
  say('| shape | variant | ms | GB/s read | of copy | rel. err |');
  say('|---|---|---|---|---|---|');
  for (const [name, t] of Object.entries(r.results)) {
    const [shape, variant] = name.split(' | ') as [string, string];
    const copy = r.results[`${shape} | memory copy (TypedArray.set)`]?.median_ms;
    say(`| ${shape} | ${variant} | ${ms(t.median_ms)} | ${t.gb_per_s ?? '-'} | ${copy === undefined ? '-' : `${Math.round((copy / t.median_ms) * 100)}%`} | ${t.max_rel_err === undefined ? '-' : t.max_rel_err.toExponential(1)} |`);
  }
}
const peerSum = peerRounds.map((r) => r['sum_rows_64x1e6']?.median_ms).filter((x): x is number => x !== undefined);
if (peerSum.length) say(`\nPyTorch peer \`sum_rows\` [64, 1e6] in the rounds above: ${peerSum.map(ms).join(', ')} ms (separate processes, earlier in the sitting).`);

say();
say('## Peak memory of the batched workloads (wasm, round 1)');
say();
say('tfjs peak = `tf.profile(call).peakBytes` above the bytes allocated before the call (models, inputs, the 256 MB sum_rows tensor). ' +
  'RSS high-water = the process\'s maximum resident set after the workload (`process.resourceUsage().maxRSS`; monotone over the run, so it is the first workload that raises it that counts).');
say();
say('| workload | tfjs peak MB | process RSS high-water MB |');
say('|---|---|---|');
for (const key of MODEL_KEYS) say(`| ${key} | ${memory?.[key]?.tf_peak_mb ?? '-'} | ${memory?.[key]?.max_rss_mb ?? '-'} |`);
say();
say(`Total time: ${elapsed()}. Load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(', ')}.`);

if (outFile) writeFileSync(join(repo, outFile), `${lines.join('\n')}\n`);
