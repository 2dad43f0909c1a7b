// Shared test helpers: the backend under test, tolerances, tensor comparison, Left checks, leak
// checks and the per-op parity tally that run-all prints at the end.
import * as tf from '@tensorflow/tfjs-core';
import { suite, type Test } from 'uvu';
import type { AttributionError, BackendName, ErrorTag, Result } from '../../src/index.js';
import { message } from '../../src/index.js';
import type { ReferenceCase, TensorJson } from './fixtures.js';

/** The backend this process tests (set by run-backend.ts from the environment). */
export const backendName = (process.env['TFJS_ATTRIBUTION_BACKEND'] ?? 'cpu') as BackendName;

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}
/** The bound for Captum parity on every backend: |a - e| <= 1e-4 + 1e-4 |e|. */
export const PARITY: Tolerance = { atol: 1e-4, rtol: 1e-4 };

export class AssertionFailure extends Error {}

export function assert(condition: unknown, what: string): asserts condition {
  if (!condition) throw new AssertionFailure(what);
}

/** The reference op whose case is running (set by parityCases), so comparisons can record its worst error. */
let currentOp: string | undefined;

/** Element-wise |a - e| <= atol + rtol |e|, NaN only where NaN is expected; names the first miss. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, label = 'values'): void {
  assert(actual.length === expected.length, `${label}: ${actual.length} values, expected ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(e) ? Number.isNaN(a) : a === e) continue;
    const err = Math.abs(a - e);
    const bound = tol.atol + tol.rtol * Math.abs(e);
    if (!(err <= bound)) throw new AssertionFailure(`${label}[${i}] = ${a}, expected ${e} (|diff| ${err.toExponential(2)} > ${bound.toExponential(2)})`);
    worst = Math.max(worst, err);
  }
  if (currentOp !== undefined) {
    const t = tally.get(currentOp);
    if (t !== undefined) t.maxAbsError = Math.max(t.maxAbsError, worst);
  }
}

export function assertShape(t: tf.Tensor, shape: readonly number[], label = 'shape'): void {
  assert(t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]), `${label}: got [${t.shape.join(',')}], expected [${shape.join(',')}]`);
}

/** A tensor matches a reference tensor in shape and values. */
export async function assertTensor(t: tf.Tensor, expected: TensorJson, tol: Tolerance, label = 'tensor'): Promise<void> {
  assertShape(t, expected.shape, `${label} shape`);
  assertClose(await t.data(), expected.data, tol, label);
}

export function expectRight<A>(r: Result<A>, what = 'result'): A {
  if (r._tag === 'Left') throw new AssertionFailure(`${what}: expected Right, got Left:\n${message(r.left)}`);
  return r.right;
}

/** A `Left` whose every error has one of `tags`; returns the errors. */
export function expectLeft<A>(r: Result<A>, tags: readonly ErrorTag[], what = 'result'): readonly AttributionError[] {
  if (r._tag === 'Right') throw new AssertionFailure(`${what}: expected Left (${tags.join('|')}), got Right`);
  const wrong = r.left.filter((e) => !tags.includes(e._tag));
  assert(wrong.length === 0, `${what}: expected ${tags.join('|')}, got ${r.left.map((e) => e._tag).join(', ')}:\n${message(r.left)}`);
  return r.left;
}

/** Captum's error categories (reference files) and the tags each maps to. */
export const CATEGORY_TAGS: Readonly<Record<string, readonly ErrorTag[]>> = {
  'target-length-mismatch': ['TargetCountMismatch'],
  'target-invalid': ['TargetNeeds2DOutput', 'TargetTooManyIndices', 'TargetTensorShapeInvalid', 'TargetTypeInvalid'],
  'target-out-of-range': ['TargetIndexOutOfRange'],
  'target-required': ['TargetRequiredForMultiOutput'],
  'baseline-shape-mismatch': ['BaselineShapeInvalid'],
  'input-baseline-count-mismatch': ['BaselineCountMismatch'],
  'baseline-type-invalid': ['BaselineTypeInvalid'],
  'attribution-batch-mismatch': ['AttributionBatchMismatch'],
  'invalid-interpolate-mode': ['InterpolateModeInvalid'],
  'interpolate-dims-mismatch': ['InterpolateSizeInvalid'],
  'interpolate-rank-unsupported': ['InterpolateRankUnsupported'],
  'rank-0-input': ['RankZeroInput'],
  'empty-batch-reshape': ['EmptyBatch'],
  'invalid-method': ['MethodInvalid'],
  'visualize-zero-scale': ['VisualizeScaleZero'],
  'visualize-invalid': ['InvalidArgument', 'VisualizeSignUnsupported'],
};

export function expectCategory<A>(r: Result<A>, category: string, what: string): void {
  const tags = CATEGORY_TAGS[category];
  assert(tags !== undefined, `${what}: unknown Captum category ${category}`);
  expectLeft(r, tags, `${what} (${category})`);
}

/** Runs `f`, then checks `tf.memory().numTensors` is back where it was (results must be disposed by `f`). */
export async function withoutLeaks<T>(what: string, f: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const value = await f();
  const after = tf.memory().numTensors;
  assert(after === before, `${what}: ${after - before} tensor(s) leaked (numTensors ${before} -> ${after})`);
  return value;
}

export function disposeAll(...values: unknown[]): void {
  for (const v of values) {
    if (v instanceof tf.Tensor) v.dispose();
    else if (Array.isArray(v)) disposeAll(...v);
    else if (v !== null && typeof v === 'object' && !(v instanceof tf.Tensor)) {
      // results such as { rowSums, total }
      for (const inner of Object.values(v)) if (inner instanceof tf.Tensor || Array.isArray(inner)) disposeAll(inner);
    }
  }
}

// ---- the per-op parity tally ----------------------------------------------------------------

export interface OpTally {
  passed: number;
  failed: number;
  /** Cases where this library is stricter than Captum by design (listed in the suite and README). */
  stricter: number;
  /** The largest |actual - expected| seen in this op's valid cases. */
  maxAbsError: number;
}
const tally = new Map<string, OpTally>();

export function opTally(): Record<string, OpTally> {
  return Object.fromEntries(tally);
}

function entry(op: string): OpTally {
  const t = tally.get(op) ?? { passed: 0, failed: 0, stricter: 0, maxAbsError: 0 };
  tally.set(op, t);
  return t;
}

function record(op: string, outcome: 'passed' | 'failed', stricter: boolean): void {
  const t = entry(op);
  t[outcome]++;
  if (stricter && outcome === 'passed') t.stricter++;
}

/**
 * Registers one test per reference case of `op`. `stricter` lists the cases where this library
 * deliberately refuses what Captum accepts, with the reason and the tag it must return instead.
 */
export function parityCases(
  op: string,
  cases: readonly ReferenceCase[],
  run: (c: ReferenceCase) => Promise<void>,
  stricter: Readonly<Record<string, { readonly reason: string; readonly check: (c: ReferenceCase) => Promise<void> }>> = {},
): void {
  const s: Test = suite(`${op} matches Captum (${backendName})`);
  for (const c of cases) {
    const special = stricter[c.id];
    s(special ? `${c.id} [stricter than Captum: ${special.reason}]` : c.id, async () => {
      entry(op);
      currentOp = op;
      try {
        await (special ? special.check(c) : run(c));
        record(op, 'passed', special !== undefined);
      } catch (e) {
        record(op, 'failed', false);
        throw e;
      } finally {
        currentOp = undefined;
      }
    });
  }
  s.run();
}

// ---- values compared across backends --------------------------------------------------------

const across = new Map<string, number[]>();

/**
 * Records values that must be the same on every backend (seeded results). Each backend runs in its
 * own process; run-all compares every backend's copy with the first backend's and counts each
 * comparison as a test.
 */
export function recordAcrossBackends(key: string, values: ArrayLike<number>): void {
  across.set(key, Array.from(values, Number));
}

export function acrossBackends(): Record<string, number[]> {
  return Object.fromEntries(across);
}
