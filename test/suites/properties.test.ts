// Property-based tests (fast-check) over the foundation's public API: random shapes (empty and
// size-1 dimensions, tails that are not a multiple of 4), dtypes, targets, baselines and options.
// Every call must give a Right equal to an independent computation (plain JS loops in float64, or
// closed forms) or a Left naming an argument; never a throw, never a leaked tensor, and the backend
// must still work afterwards. Fixed seed, bounded runs; a failure prints the seed and the path.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { suite } from 'uvu';
import {
  computeGradients,
  convergenceDelta,
  describeError,
  type ErrorTag,
  interpolate,
  message,
  type Result,
  runForward,
  selectTarget,
  sumRows,
  tensorizeBaselines,
} from '../../src/index.js';
import { AssertionFailure, assert, assertClose, backendName, disposeAll } from '../support/harness.js';

const SEED = Number(process.env['TFJS_ATTRIBUTION_PROPERTY_SEED'] ?? 20240707);
/** Runs per property; webgpu in software is slow, so it gets fewer. */
const RUNS = Number(process.env['TFJS_ATTRIBUTION_PROPERTY_RUNS'] ?? (backendName === 'webgpu' ? 60 : 150));

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Deterministic data from a seed: multiples of 1/16 in [-8, 8], exact in float32 and in f64 sums. */
function values(seed: number, count: number, dtype: 'float32' | 'int32' | 'bool'): number[] {
  const out: number[] = [];
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const k = (s >>> 8) % 257; // 0..256
    out.push(dtype === 'bool' ? k & 1 : dtype === 'int32' ? k - 128 : (k - 128) / 16);
  }
  return out;
}

/** A Left whose every error has one of `tags` and a path starting with one of `paths`. */
function assertLeftNaming<A>(r: Result<A>, tags: readonly ErrorTag[], paths: readonly string[], what: string): void {
  if (r._tag === 'Right') throw new AssertionFailure(`${what}: expected a Left (${tags.join('|')}), got a Right`);
  for (const e of r.left) {
    assert(tags.includes(e._tag), `${what}: expected ${tags.join('|')}, got ${e._tag}: ${message(r.left)}`);
    assert(paths.some((p) => e.path === p || e.path.startsWith(`${p}[`) || e.path.startsWith(`${p}.`)), `${what}: path '${e.path}' does not name ${paths.join(' or ')}`);
  }
  assert(typeof message(r.left) === 'string', `${what}: message`);
}

/** The library call settles (never throws), leaks nothing, and the backend still works afterwards. */
async function guarded(what: string, make: () => tf.Tensor[], call: (made: tf.Tensor[]) => Promise<void>): Promise<void> {
  const before = tf.memory().numTensors;
  const made = make();
  try {
    await call(made);
  } catch (e) {
    if (e instanceof AssertionFailure) throw e;
    throw new AssertionFailure(`${what}: threw ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    disposeAll(made);
  }
  const after = tf.memory().numTensors;
  assert(after === before, `${what}: ${after - before} tensor(s) leaked`);
  const probe = tf.add(tf.tensor1d([1, 2, 3]), 1);
  const got = await probe.data();
  disposeAll(probe);
  assert(got[0] === 2 && got[2] === 4, `${what}: the backend no longer computes 1 + 1`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function check(name: string, property: fc.IAsyncPropertyWithHooks<any>): Promise<void> {
  const out = await fc.check(property, { seed: SEED, numRuns: RUNS, endOnFailure: true });
  if (out.failed) {
    const detail = fc.defaultReportMessage(out) ?? 'failed';
    console.log(`property '${name}' failed on ${backendName}: seed ${SEED}, path ${out.counterexamplePath}`);
    const cause = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    throw new AssertionFailure(`${name} (seed ${SEED}, path ${out.counterexamplePath}): ${cause}\n${detail}`);
  }
}

// ---- arbitraries ---------------------------------------------------------------------------------

/** Feature dims after the batch: rank 0..3, sizes 0..9 (so 0, 1 and tails of 5, 7, 9 occur). */
const featureDims = fc.array(fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 9 })), { minLength: 0, maxLength: 3 });
const dtypeArb = fc.constantFrom<'float32' | 'int32' | 'bool'>('float32', 'int32', 'bool');

const s = suite(`properties (${backendName}, seed ${SEED}, ${RUNS} runs each)`);

// ---- sumRows ---------------------------------------------------------------------------------------

s('sumRows: per-example sums equal f64 loops (float32 rounds once, int32 exact or refused), or a Left naming input', async () => {
  const tensorSpec = fc.record({ batch: fc.integer({ min: 0, max: 4 }), dims: featureDims, dtype: dtypeArb, seed: fc.nat(), big: fc.boolean() });
  await check(
    'sumRows',
    fc.asyncProperty(fc.array(tensorSpec, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean(), async (specs, tuple, scalar) => {
      const asTuple = tuple || specs.length > 1;
      const used = asTuple ? specs : specs.slice(0, 1);
      const data = used.map((t) => {
        const shape = scalar && !asTuple ? [] : [t.batch, ...t.dims];
        const v = values(t.seed, product(shape), t.dtype).map((x) => (t.big && t.dtype === 'int32' ? x * 8388608 : x));
        return { shape, dtype: t.dtype, v };
      });
      await guarded(
        'sumRows',
        () => data.map((d) => tf.tensor(d.v, d.shape, d.dtype)),
        async (made) => {
          const r = await sumRows(asTuple ? made : (made[0] as tf.Tensor));
          const n0 = data[0]?.shape[0];
          if (data.some((d) => d.shape.length === 0)) return assertLeftNaming(r, ['RankZeroInput'], ['input'], 'rank 0');
          if (data.some((d) => d.shape[0] === 0)) return assertLeftNaming(r, ['EmptyBatch'], ['input'], 'empty batch');
          if (data.some((d) => d.shape[0] !== n0)) return assertLeftNaming(r, ['BatchSizeMismatch'], ['input'], 'batch sizes');
          const n = n0 as number;
          const sums = data.map((d) => {
            const cols = product(d.shape.slice(1));
            return Array.from({ length: n }, (_, i) => d.v.slice(i * cols, (i + 1) * cols).reduce((a, b) => a + b, 0));
          });
          const total = Array.from({ length: n }, (_, i) => sums.reduce((a, s2) => a + (s2[i] as number), 0));
          const anyFloat = data.some((d) => d.dtype === 'float32');
          const outside = (x: number): boolean => x < -(2 ** 31) || x > 2 ** 31 - 1;
          const overflow = data.some((d, i) => d.dtype !== 'float32' && (sums[i] as number[]).some(outside)) || (!anyFloat && total.some(outside));
          if (overflow) return assertLeftNaming(r, ['InvalidArgument'], ['input'], 'int32 overflow');
          if (r._tag === 'Left') throw new AssertionFailure(`expected a Right, got ${message(r.left)}`);
          const rows = asTuple ? (r.right.rowSums as tf.Tensor[]) : [r.right.rowSums as tf.Tensor];
          try {
            for (const [i, t] of rows.entries()) {
              const d = data[i] as (typeof data)[number];
              assert(t.dtype === (d.dtype === 'float32' ? 'float32' : 'int32'), `rowSums[${i}] dtype ${t.dtype}`);
              assertClose(await t.data(), d.dtype === 'float32' ? (sums[i] as number[]).map(Math.fround) : (sums[i] as number[]), { atol: 0, rtol: 0 }, `rowSums[${i}]`);
            }
            assert(r.right.total.dtype === (anyFloat ? 'float32' : 'int32'), `total dtype ${r.right.total.dtype}`);
            assertClose(await r.right.total.data(), anyFloat ? total.map(Math.fround) : total, { atol: 0, rtol: 0 }, 'total');
          } finally {
            disposeAll(r.right);
          }
        },
      );
    }),
  );
});

// ---- tensorizeBaselines ------------------------------------------------------------------------------

s('tensorizeBaselines: every accepted form equals the JS fill/tile, everything else is a Left naming baselines', async () => {
  const baselineArb = fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.record({ kind: fc.constant('number' as const), value: fc.oneof(fc.integer({ min: -5, max: 5 }).map((k) => k / 2), fc.constantFrom(NaN, Infinity, 1e308, -1e308, 3e38, 1e10)) }),
    fc.record({ kind: fc.constantFrom('full' as const, 'one' as const, 'wrong' as const, 'scalar' as const), seed: fc.nat() }),
  );
  await check(
    'tensorizeBaselines',
    fc.asyncProperty(
      fc.record({ batch: fc.integer({ min: 1, max: 3 }), dims: featureDims, dtype: fc.constantFrom<'float32' | 'int32'>('float32', 'int32'), seed: fc.nat() }),
      fc.array(baselineArb, { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 3 }),
      async (input, baselines, inputCount) => {
        const shape = [input.batch, ...input.dims];
        const size = product(shape);
        const tensors = (): tf.Tensor[] => {
          const made: tf.Tensor[] = [];
          for (let i = 0; i < inputCount; i++) made.push(tf.tensor(values(input.seed + i, size, input.dtype), shape, input.dtype));
          for (const [i, b] of baselines.entries()) {
            if (b.kind === 'full') made.push(tf.tensor(values(b.seed, size, input.dtype), shape, input.dtype));
            if (b.kind === 'one') made.push(tf.tensor(values(b.seed, size / input.batch, input.dtype), [1, ...input.dims], input.dtype));
            if (b.kind === 'wrong') made.push(tf.zeros([input.batch + 1, ...input.dims], input.dtype));
            if (b.kind === 'scalar') made.push(tf.scalar(i + 0.5));
          }
          return made;
        };
        await guarded('tensorizeBaselines', tensors, async (made) => {
          const inputs = made.slice(0, inputCount);
          let next = inputCount;
          const forms = baselines.map((b) => (b.kind === 'none' ? null : b.kind === 'number' ? b.value : (made[next++] as tf.Tensor)));
          const single = inputCount === 1 && baselines.length === 1;
          const arg = single ? forms[0] : forms;
          const r = tensorizeBaselines(single ? (inputs[0] as tf.Tensor) : inputs, arg as never);
          const bad = baselines.some((b) => b.kind === 'number' && !Number.isFinite(Math.fround(b.value)));
          const badInt = input.dtype === 'int32' && baselines.some((b) => b.kind === 'number' && Math.abs(b.value) >= 2 ** 31);
          const hasNone = !single && baselines.some((b) => b.kind === 'none');
          if (bad || hasNone) return assertLeftNaming(r, ['BaselineTypeInvalid', 'BaselineCountMismatch', 'BaselineShapeInvalid'], ['baselines'], 'an invalid baseline');
          if (baselines.length !== inputCount) return assertLeftNaming(r, ['BaselineCountMismatch', 'BaselineShapeInvalid', 'BaselineTypeInvalid'], ['baselines'], 'count');
          if (badInt || baselines.some((b) => b.kind === 'wrong')) return assertLeftNaming(r, ['BaselineShapeInvalid', 'BaselineTypeInvalid'], ['baselines'], 'shape');
          if (r._tag === 'Left') throw new AssertionFailure(`expected a Right, got ${message(r.left)}`);
          const out = single ? [r.right as tf.Tensor] : (r.right as tf.Tensor[]);
          try {
            for (const [i, b] of baselines.entries()) {
              const t = out[i] as tf.Tensor;
              assert(t.shape.join() === shape.join(), `baselines[${i}] shape ${t.shape}`);
              let want: number[];
              if (b.kind === 'none') want = new Array<number>(size).fill(0);
              else if (b.kind === 'number') want = new Array<number>(size).fill(input.dtype === 'int32' ? Math.trunc(b.value) : Math.fround(b.value));
              else if (b.kind === 'full') want = values(b.seed, size, input.dtype);
              else if (b.kind === 'one') {
                const row = values(b.seed, size / input.batch, input.dtype);
                want = Array.from({ length: input.batch }, () => row).flat();
              } else want = new Array<number>(size).fill(i + 0.5); // a 0-d tensor acts as a number (its own dtype)
              assertClose(await t.data(), want, { atol: 0, rtol: 0 }, `baselines[${i}]`);
            }
          } finally {
            disposeAll(out);
          }
        });
      },
    ),
  );
});

// ---- runForward and selectTarget -------------------------------------------------------------------

type TargetSpec = { kind: 'none' } | { kind: 'index'; i: number } | { kind: 'list'; idx: number[] } | { kind: 'tensor'; idx: number[] } | { kind: 'path'; i: number };
const targetArb = (k: number, n: number): fc.Arbitrary<TargetSpec> =>
  fc.oneof(
    fc.constant<TargetSpec>({ kind: 'none' }),
    fc.integer({ min: -k - 1, max: k }).map((i): TargetSpec => ({ kind: 'index', i })),
    fc.array(fc.integer({ min: -1, max: k }), { minLength: Math.max(n - 1, 0), maxLength: n + 1 }).map((idx): TargetSpec => ({ kind: 'list', idx })),
    fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }).map((idx): TargetSpec => ({ kind: 'tensor', idx })),
    fc.integer({ min: -k, max: k - 1 }).map((i): TargetSpec => ({ kind: 'path', i })),
  );
const toTarget = (t: TargetSpec, made: tf.Tensor[]): unknown => {
  switch (t.kind) {
    case 'none':
      return undefined;
    case 'index':
      return t.i;
    case 'list':
      return t.idx;
    case 'path':
      return { kind: 'path', indices: [t.i] };
    case 'tensor': {
      const tt = tf.tensor1d(t.idx, 'int32');
      made.push(tt);
      return tt;
    }
  }
};
/** output[:, target] by hand, or the error tag Captum's rules give. */
function selectByHand(out: number[][], t: TargetSpec, k: number): number[] | number[][] | ErrorTag {
  const n = out.length;
  const norm = (i: number): number | undefined => (i >= -k && i < k ? (i + k) % k : undefined);
  switch (t.kind) {
    case 'none':
      return out;
    case 'index':
    case 'path': {
      const c = norm(t.i);
      return c === undefined ? 'TargetIndexOutOfRange' : out.map((row) => row[c] as number);
    }
    case 'list':
    case 'tensor':
      if (t.idx.length !== n) return 'TargetCountMismatch';
      if (t.kind === 'tensor' && n === 1) return out.map((row) => row[t.idx[0] as number] as number);
      if (t.idx.some((c) => c < 0 || c >= k)) return 'TargetIndexOutOfRange';
      return out.map((row, r) => row[t.idx[r] as number] as number);
  }
}

s('runForward and selectTarget: x @ W with every target form equals the JS product, or a Left naming target', async () => {
  const caseArb = fc
    .record({ n: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 1, max: 9 }), k: fc.integer({ min: 1, max: 5 }), seed: fc.nat() })
    .chain((c) => fc.record({ c: fc.constant(c), target: targetArb(c.k, c.n), direct: fc.boolean() }));
  await check(
    'runForward/selectTarget',
    fc.asyncProperty(caseArb, async ({ c, target, direct }) => {
      const xs = values(c.seed, c.n * c.d, 'float32');
      const ws = values(c.seed + 1, c.d * c.k, 'float32');
      const out = Array.from({ length: c.n }, (_, r) => Array.from({ length: c.k }, (_, j) => xs.slice(r * c.d, (r + 1) * c.d).reduce((a, x, i) => a + x * (ws[i * c.k + j] as number), 0)));
      await guarded(
        'runForward',
        () => [tf.tensor2d(xs, [c.n, c.d]), tf.tensor2d(ws, [c.d, c.k])],
        async (made) => {
          const [x, w] = made as [tf.Tensor, tf.Tensor];
          const extra: tf.Tensor[] = [];
          const t = toTarget(target, extra);
          try {
            const r = direct
              ? await (async () => {
                  const o = tf.matMul(x, w);
                  const sel = await selectTarget(o, t as never);
                  o.dispose();
                  return sel;
                })()
              : await runForward((v: tf.Tensor, m: tf.Tensor) => tf.matMul(v, m), x, t as never, [w]);
            const want = selectByHand(out, target, c.k);
            if (typeof want === 'string') return assertLeftNaming(r, [want, 'TargetTensorShapeInvalid'], ['target'], `target ${JSON.stringify(target)}`);
            if (r._tag === 'Left') throw new AssertionFailure(`target ${JSON.stringify(target)}: expected a Right, got ${message(r.left)}`);
            try {
              assertClose(await r.right.data(), want.flat(), { atol: 1e-5, rtol: 1e-5 }, `target ${JSON.stringify(target)}`);
            } finally {
              r.right.dispose();
            }
          } finally {
            disposeAll(extra);
          }
        },
      );
    }),
  );
});

// ---- computeGradients and convergenceDelta ----------------------------------------------------------

s('computeGradients: d/dx of sum_j c_k x_j^2 is 2 c_k x (closed form), for a chosen output k, or a Left naming target', async () => {
  await check(
    'computeGradients',
    fc.asyncProperty(
      fc.record({ n: fc.integer({ min: 1, max: 4 }), dims: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 2 }), k: fc.integer({ min: 1, max: 3 }), seed: fc.nat() }),
      fc.option(fc.integer({ min: -4, max: 3 }), { nil: undefined }),
      async (c, target) => {
        const shape = [c.n, ...c.dims];
        const xs = values(c.seed, product(shape), 'float32');
        const coef = Array.from({ length: c.k }, (_, j) => j + 1);
        const fn = (x: tf.Tensor) => tf.mul(tf.sum(tf.square(tf.reshape(x, [c.n, -1])), 1, true), tf.tensor2d([coef])); // [n, k]
        await guarded(
          'computeGradients',
          () => [tf.tensor(xs, shape)],
          async ([x]) => {
            const r = await computeGradients(fn, x as tf.Tensor, target);
            if (target === undefined && c.k > 1) return assertLeftNaming(r, ['TargetRequiredForMultiOutput'], ['target'], 'no target');
            if (target !== undefined && (target < -c.k || target >= c.k)) return assertLeftNaming(r, ['TargetIndexOutOfRange'], ['target'], 'target out of range');
            if (r._tag === 'Left') throw new AssertionFailure(`expected a Right, got ${message(r.left)}`);
            const ck = coef[target === undefined ? 0 : (target + c.k) % c.k] as number;
            try {
              assertClose(await (r.right as tf.Tensor).data(), xs.map((v) => 2 * ck * v), { atol: 1e-6, rtol: 1e-6 }, 'gradient');
            } finally {
              disposeAll(r.right);
            }
          },
        );
      },
    ),
  );
});

s('convergenceDelta: sum(attributions) - (F(end) - F(start)) equals the f64 closed form for every start-point form', async () => {
  await check(
    'convergenceDelta',
    fc.asyncProperty(
      fc.record({ n: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 1, max: 9 }), attDims: featureDims, seed: fc.nat() }),
      fc.oneof(fc.constant<'none'>('none'), fc.integer({ min: -4, max: 4 }).map((v) => v / 2), fc.constant<'one'>('one'), fc.constant<1e308>(1e308)),
      async (c, start) => {
        const end = values(c.seed, c.n * c.d, 'float32');
        const attShape = [c.n, ...c.attDims];
        const att = values(c.seed + 7, product(attShape), 'float32');
        const startRow = values(c.seed + 3, c.d, 'float32');
        const F = (row: number[]): number => row.reduce((a, v) => a + v * v, 0);
        await guarded(
          'convergenceDelta',
          () => [tf.tensor2d(end, [c.n, c.d]), tf.tensor(att, attShape), tf.tensor2d(startRow, [1, c.d])],
          async ([e, a, one]) => {
            const startPoint = start === 'none' ? undefined : start === 'one' ? one : start;
            const r = await convergenceDelta((x: tf.Tensor) => tf.sum(tf.square(x), 1, true), { attributions: a as tf.Tensor, endPoint: e as tf.Tensor, startPoint });
            if (start === 1e308) return assertLeftNaming(r, ['BaselineTypeInvalid'], ['startPoint'], 'startPoint 1e308');
            if (r._tag === 'Left') throw new AssertionFailure(`expected a Right, got ${message(r.left)}`);
            const cols = product(c.attDims);
            const want = Array.from({ length: c.n }, (_, i) => {
              const row = end.slice(i * c.d, (i + 1) * c.d);
              const s0 = start === 'none' ? 0 : start === 'one' ? F(startRow) : F(new Array<number>(c.d).fill(start));
              return att.slice(i * cols, (i + 1) * cols).reduce((p, q) => p + q, 0) - (F(row) - s0);
            });
            try {
              assertClose(await r.right.data(), want, { atol: 1e-4, rtol: 1e-5 }, 'delta');
            } finally {
              r.right.dispose();
            }
          },
        );
      },
    ),
  );
});

// ---- interpolate ----------------------------------------------------------------------------------

/** torch's 1-D source taps for output cell j (align_corners=False), written from its definitions. */
function taps1d(mode: string, inSize: number, outSize: number, j: number): [number, number][] {
  const f = Math.fround;
  const scale = f(inSize / outSize);
  const clamp = (i: number): number => Math.min(Math.max(i, 0), inSize - 1);
  if (mode === 'nearest') return [[Math.min(Math.floor(f(j * scale)), inSize - 1), 1]];
  if (mode === 'nearest-exact') return [[Math.min(Math.floor(f(f(j + 0.5) * scale)), inSize - 1), 1]];
  if (mode === 'area') {
    const a = Math.floor((j * inSize) / outSize);
    const b = Math.ceil(((j + 1) * inSize) / outSize);
    return Array.from({ length: b - a }, (_, k) => [a + k, 1 / (b - a)]);
  }
  const src = f(f(scale * f(j + 0.5)) - 0.5);
  if (mode === 'bicubic') {
    const i0 = Math.floor(src);
    const t = src - i0;
    const A = -0.75;
    const w1 = (x: number): number => ((A + 2) * x - (A + 3)) * x * x + 1;
    const w2 = (x: number): number => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    return [
      [clamp(i0 - 1), w2(t + 1)],
      [clamp(i0), w1(t)],
      [clamp(i0 + 1), w1(1 - t)],
      [clamp(i0 + 2), w2(2 - t)],
    ];
  }
  const s2 = Math.max(src, 0);
  const i0 = Math.min(Math.floor(s2), inSize - 1);
  const l = Math.min(s2 - i0, 1);
  return [
    [i0, 1 - l],
    [Math.min(i0 + 1, inSize - 1), l],
  ];
}

/** The whole N-D interpolation by direct summation over every tap combination, in f64. */
function interpolateByHand(data: number[], shape: number[], spatial: number[], sizes: number[], mode: string): { shape: number[]; data: number[] } {
  const outShape = [...shape];
  spatial.forEach((axis, i) => (outShape[axis] = sizes[i] as number));
  const strides = shape.map((_, i) => product(shape.slice(i + 1)));
  const out: number[] = [];
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < product(outShape); flat++) {
    let rest = flat;
    for (let a = outShape.length - 1; a >= 0; a--) {
      index[a] = rest % (outShape[a] as number);
      rest = Math.floor(rest / (outShape[a] as number));
    }
    let combos: [number, number][] = [[0, 1]];
    for (let a = 0; a < shape.length; a++) {
      const si = spatial.indexOf(a);
      const t = si < 0 ? [[index[a] as number, 1] as [number, number]] : taps1d(mode, shape[a] as number, sizes[si] as number, index[a] as number);
      combos = combos.flatMap(([off, w]) => t.map(([i, wi]): [number, number] => [off + i * (strides[a] as number), w * wi]));
    }
    out.push(combos.reduce((acc, [off, w]) => acc + (w === 0 ? 0 : w * (data[off] as number)), 0));
  }
  return { shape: outShape, data: out };
}

s('interpolate: every mode, rank, layout and size equals a direct f64 summation of torch definitions, or a Left naming the argument', async () => {
  const modes: Record<number, string[]> = { 3: ['nearest', 'nearest-exact', 'linear', 'area'], 4: ['nearest', 'nearest-exact', 'bilinear', 'bicubic', 'area'], 5: ['nearest', 'nearest-exact', 'trilinear', 'area'] };
  const caseArb = fc.integer({ min: 3, max: 5 }).chain((rank) =>
    fc.record({
      rank: fc.constant(rank),
      batch: fc.integer({ min: 0, max: 2 }),
      channels: fc.integer({ min: 1, max: 3 }),
      spatialIn: fc.array(fc.integer({ min: 1, max: rank === 5 ? 3 : 5 }), { minLength: rank - 2, maxLength: rank - 2 }),
      sizes: fc.array(fc.integer({ min: 1, max: rank === 5 ? 4 : 7 }), { minLength: rank - 2, maxLength: rank - 2 }),
      mode: fc.constantFrom(...(modes[rank] as string[]), 'bilinear', 'bogus'),
      first: fc.boolean(),
      dtype: fc.constantFrom<'float32' | 'int32'>('float32', 'int32'),
      seed: fc.nat(),
    }),
  );
  await check(
    'interpolate',
    fc.asyncProperty(caseArb, async (c) => {
      const shape = c.first ? [c.batch, c.channels, ...c.spatialIn] : [c.batch, ...c.spatialIn, c.channels];
      const spatial = c.spatialIn.map((_, i) => (c.first ? 2 + i : 1 + i));
      const data = values(c.seed, product(shape), c.dtype);
      await guarded(
        'interpolate',
        () => [tf.tensor(data, shape, c.dtype)],
        async ([x]) => {
          const r = interpolate(x as tf.Tensor, c.sizes, c.mode as never, { layout: c.first ? 'channelsFirst' : 'channelsLast' });
          if (!(modes[c.rank] as string[]).includes(c.mode)) return assertLeftNaming(r, ['InterpolateModeInvalid'], ['mode'], `mode ${c.mode} at rank ${c.rank}`);
          if (r._tag === 'Left') throw new AssertionFailure(`expected a Right, got ${message(r.left)}`);
          const want = interpolateByHand(data, shape, spatial, c.sizes, c.mode);
          const nearest = c.mode === 'nearest' || c.mode === 'nearest-exact';
          try {
            assert(r.right.shape.join() === want.shape.join(), `shape [${r.right.shape}], expected [${want.shape}]`);
            assert(r.right.dtype === (nearest ? c.dtype : 'float32'), `dtype ${r.right.dtype}`);
            assertClose(await r.right.data(), want.data, nearest ? { atol: 0, rtol: 0 } : { atol: 1e-5, rtol: 1e-5 }, `${c.mode} ${JSON.stringify(shape)} -> ${c.sizes}`);
          } finally {
            r.right.dispose();
          }
        },
      );
    }),
  );
});

// ---- the formatters ----------------------------------------------------------------------------

s('message and describeError return a non-empty string for any value at all, and name the path of a well-formed error', async () => {
  const tags: ErrorTag[] = ['InvalidArgument', 'TensorDisposed', 'BaselineShapeInvalid', 'TargetIndexOutOfRange', 'AllocationTooLarge', 'ModelThrew', 'Unexpected', 'MethodInvalid'];
  const errorLike = fc.record({ _tag: fc.oneof(fc.constantFrom<string>(...tags), fc.string()), path: fc.oneof(fc.string(), fc.anything()) }, { requiredKeys: [] });
  await check(
    'formatters',
    fc.asyncProperty(fc.oneof(fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }), errorLike, fc.array(errorLike)), async (value) => {
      for (const [name, f] of [
        ['describeError', () => describeError(value as never)],
        ['message', () => message(value as never)],
        ['message([value])', () => message([value] as never)],
      ] as const) {
        let out: unknown;
        try {
          out = f();
        } catch (e) {
          throw new AssertionFailure(`${name} threw ${String(e)}`);
        }
        // An empty list of errors (never a Left's) renders as nothing; everything else says something.
        const empty = Array.isArray(value) && value.length === 0 && name !== 'describeError';
        assert(typeof out === 'string' && (out.length > 0 || empty), `${name} gave ${typeof out} '${String(out)}'`);
      }
      const e = { _tag: 'InvalidArgument', path: 'options.x', expected: 'a number', got: 'a string' } as const;
      assert(describeError(e) === 'options.x: expected a number, got a string', describeError(e));
    }),
  );
});

s.run();
