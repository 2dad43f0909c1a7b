// The hostile-input table's machinery, shared by the foundation's suite (hostile-inputs) and the
// methods' (methods-hostile-inputs): the hostile values, the expectations, the rows, and the runner
// that sends every hostile value to one argument while the others stay valid. Every call must settle
// without throwing; its result is either the correct value or a Left whose message is readable and
// whose paths name the hostile argument; and no tensor may leak or be disposed behind the caller's back.
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { describeError, type ErrorTag, message } from '../../src/index.js';
import { AssertionFailure, assert, assertClose, backendName } from './harness.js';

// ---- reference maths shared by the rows -------------------------------------------------

export const flat = (t: tf.Tensor): tf.Tensor => tf.reshape(t, [t.shape[0] ?? 1, t.shape.slice(1).reduce((a, b) => a * b, 1)]);
/** f(x) = sum of squares per example, [N, 1]; casts so int32 and bool inputs work. */
export const F = (t: tf.Tensor): tf.Tensor => tf.sum(tf.square(tf.cast(flat(t), 'float32')), 1, true);
// ---- the hostile values ---------------------------------------------------------------------

export interface Hostile {
  readonly id: string;
  readonly label: string;
  /** Creates the value fresh (tensors included), before the leak window opens. */
  readonly make: () => unknown;
  /** The value is a model (or target fn) that disposes a tensor it is handed: that is not the library's doing. */
  readonly disposesArgs?: boolean;
}
export const h = (id: string, label: string, make: () => unknown, disposesArgs = false): Hostile => ({ id, label, make, disposesArgs });

export const disposed = (make: () => tf.Tensor) => () => {
  const t = make();
  t.dispose();
  return t;
};
/** Any property read throws, and so does `instanceof tf.Tensor` (tfjs duck-types it through `data`). */
export const throwingProxy = () =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('hostile property trap');
      },
    },
  );
/** Passes tfjs's duck-typed `instanceof tf.Tensor` (a tensor from another tfjs copy looks like this), but has no data. */
export const fakeTensor = () => ({
  data: async () => new Float32Array(4),
  dataSync: () => new Float32Array(4),
  throwIfDisposed() {},
  shape: [2, 2],
  dtype: 'float32',
  rank: 2,
  size: 4,
  isDisposed: false,
});

export const NON_TENSORS: readonly Hostile[] = [
  h('null', 'null', () => null),
  h('undefined', 'undefined', () => undefined),
  h('NaN', 'NaN', () => NaN),
  h('Infinity', 'Infinity', () => Infinity),
  h('-Infinity', '-Infinity', () => -Infinity),
  h('string', "the string 'x'", () => 'x'),
  h('emptyString', 'the empty string', () => ''),
  h('boolean', 'true', () => true),
  h('bigint', '1n', () => 1n),
  h('symbol', 'a symbol', () => Symbol('hostile')),
  h('object', '{}', () => ({})),
  h('function', 'a function', () => () => 1),
  h('emptyArray', '[]', () => []),
  h('numberArray', 'the number array [[1,2],[3,4]]', () => [
    [1, 2],
    [3, 4],
  ]),
  h('typedArray', 'a Float32Array', () => new Float32Array([1, 2, 3, 4])),
  h('proxy', 'an object whose every property read throws', throwingProxy),
  h('fakeTensor', 'a duck-typed fake tensor', fakeTensor),
];

// [[1,2],[3,4]]-like values so that results can be computed by hand.
export const TENSORS: readonly Hostile[] = [
  h('nanTensor', 'a float32 tensor holding NaN [[NaN,1],[2,3]]', () => tf.tensor2d([[NaN, 1], [2, 3]])),
  h('infTensor', 'a float32 tensor holding +-Infinity [[Inf,1],[2,-Inf]]', () => tf.tensor2d([[Infinity, 1], [2, -Infinity]])),
  h('scalar', 'a rank-0 tensor (3)', () => tf.scalar(3)),
  h('emptyBatch', 'an empty batch zeros([0,2])', () => tf.zeros([0, 2])),
  h('int32', 'an int32 tensor [[1,2],[3,4]]', () => tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32')),
  h('bool', 'a bool tensor [[1,0],[1,1]]', () => tf.tensor2d([[1, 0], [1, 1]], undefined, 'bool')),
  h('wrongShape', 'a mismatched-shape tensor ones([3,5])', () => tf.ones([3, 5])),
  h('vector', 'a 1-D tensor [1,2]', () => tf.tensor1d([1, 2])),
  h('stringTensor', "a string tensor ['a','b']", () => tf.tensor(['a', 'b'])),
  h('complex', 'a complex64 tensor', () => tf.complex([1, 2], [3, 4])),
  h('disposed', 'a disposed tensor', disposed(() => tf.tensor2d([[1, 2], [3, 4]]))),
  // computed on the device (matMul: webgpu does not forward it to the CPU as it does small adds), so on
  // webgpu its values live only on the GPU and a synchronous read (dataSync, String(t)) fails in Node
  h('computed', 'a computed (device-resident) float32 tensor [[1,2],[3,4]]', () => tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.eye(2)))),
];

export const GENERIC: readonly Hostile[] = [...NON_TENSORS, ...TENSORS];
export const NON_TENSOR_IDS = new Set(NON_TENSORS.map((x) => x.id));

export const isRealTensor = (v: unknown): v is tf.Tensor => {
  try {
    return typeof v === 'object' && v !== null && Object.prototype.isPrototypeOf.call(tf.Tensor.prototype, v);
  } catch {
    return false;
  }
};

/** A short description that never reads tensor data (String(tensor) calls dataSync, which webgpu cannot do in Node). */
export function show(v: unknown): string {
  try {
    return typeof v === 'object' && v !== null ? (JSON.stringify(v) ?? '').slice(0, 80) : typeof v === 'symbol' ? v.toString() : String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

export async function numbers(t: tf.Tensor): Promise<number[]> {
  return Array.from((await t.data()) as ArrayLike<number>, Number);
}
/** Values and shape of a tensor argument, read before the call. */
export interface Snap {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly data: readonly number[];
}
export async function snap(t: tf.Tensor): Promise<Snap> {
  return { shape: [...t.shape], dtype: t.dtype, data: await numbers(t) };
}

/** Captum's `_sum_rows`: reshape to [N, -1], sum dim 1 (in f64). */
export function rowSums(s: Snap): number[] {
  const n = s.shape[0] ?? 1;
  const cols = n === 0 ? 0 : s.data.length / n;
  return Array.from({ length: n }, (_, r) => s.data.slice(r * cols, (r + 1) * cols).reduce((a, b) => a + b, 0));
}
export const sumSquares = (s: Snap): number[] => rowSums({ ...s, data: s.data.map((v) => v * v) });
export const TOL = { atol: 1e-5, rtol: 1e-5 };

export async function expectTensor(v: unknown, shape: readonly number[], data: readonly number[], what: string, dtype?: string): Promise<void> {
  assert(isRealTensor(v), `${what}: expected a tensor, got ${show(v)}`);
  assert(!v.isDisposed, `${what}: the returned tensor is already disposed`);
  assert(v.shape.length === shape.length && v.shape.every((d, i) => d === shape[i]), `${what}: shape [${v.shape}], expected [${shape}]`);
  if (dtype !== undefined) assert(v.dtype === dtype, `${what}: dtype ${v.dtype}, expected ${dtype}`);
  assertClose(await numbers(v), data, TOL, what);
}

// ---- expectations ---------------------------------------------------------------------------

export type Check = (value: unknown, args: readonly unknown[], snaps: ReadonlyMap<unknown, Snap>) => Promise<void> | void;
export type Expect =
  | { readonly kind: 'left'; readonly tags?: readonly ErrorTag[]; readonly paths?: readonly string[] }
  | { readonly kind: 'right'; readonly check?: Check }
  | { readonly kind: 'either'; readonly check?: Check; readonly paths?: readonly string[] };

export const LEFT = (tags?: readonly ErrorTag[], paths?: readonly string[]): Expect => ({ kind: 'left', ...(tags ? { tags } : {}), ...(paths ? { paths } : {}) });
export const RIGHT = (check?: Check): Expect => ({ kind: 'right', ...(check ? { check } : {}) });
export const EITHER = (check?: Check, paths?: readonly string[]): Expect => ({ kind: 'either', ...(check ? { check } : {}), ...(paths ? { paths } : {}) });

/** The standard answer for a tensor argument given a non-tensor or an unusable tensor; undefined when the tensor is usable. */
export function tensorArgRefusal(id: string, opts: { rank0?: 'left' | 'right'; int?: boolean } = {}): Expect | undefined {
  // A fake that passes tfjs's duck-typed instanceof is still refused: the engine does not know its data.
  if (NON_TENSOR_IDS.has(id)) return LEFT(['InvalidArgument']);
  switch (id) {
    case 'scalar':
      return opts.rank0 === 'right' ? undefined : LEFT(['RankZeroInput']);
    case 'stringTensor':
    case 'complex':
      return LEFT(['DtypeUnsupported']);
    case 'disposed':
      return LEFT(['TensorDisposed']);
    case 'int32':
    case 'bool':
      return opts.int === false ? LEFT(['DtypeUnsupported']) : undefined;
  }
  return undefined;
}

// ---- the table rows -------------------------------------------------------------------------

export interface Row {
  readonly fn: string;
  readonly arg: string;
  /** Path prefixes that name this argument (a Left's errors must all start with one). */
  readonly prefixes: readonly string[];
  readonly hostiles: readonly Hostile[];
  /** Also try `[valid, hostile]` where a tuple of tensors is accepted. */
  readonly tuple?: boolean;
  /** The call's arguments, with the hostile value (or `[valid, hostile]`) in this position. Fresh tensors. */
  readonly build: (value: unknown, tuple: boolean) => unknown[];
  readonly invoke: (args: readonly unknown[]) => unknown;
  readonly expect: (id: string, tuple: boolean) => Expect;
  /** A Right may hand back the caller's own tensors (format functions, applyTarget with no target). */
  readonly aliasOk?: boolean;
  /** Not a Result-returning function: any settled value counts as a Right. */
  readonly plain?: boolean;
}

// ---- models that misbehave ------------------------------------------------------------

export const owning = <T extends object>(m: T, owned: tf.Tensor[]): T => Object.assign(m, { owned });

export const MODELS: readonly Hostile[] = [
  h('throws', 'a model that throws', () => (t: tf.Tensor) => {
    tf.mul(t, 2); // an intermediate that must be freed
    throw new Error('model boom');
  }),
  h('throwsString', 'a model that throws a string', () => () => {
    throw 'model boom'; // eslint-disable-line no-throw-literal
  }),
  h('returnsNumber', 'a model returning a number', () => () => 3),
  h('returnsUndefined', 'a model returning undefined', () => () => undefined),
  h('returnsArray', 'a model returning an array of tensors', () => (t: tf.Tensor) => [F(t), F(t)]),
  h('returnsPromise', 'an async model (returns a Promise)', () => async (t: tf.Tensor) => F(t)),
  h('wrongBatch', 'a model returning a wrong batch size [4,1]', () => (t: tf.Tensor) => tf.concat([F(t), F(t)], 0)),
  h('zeroD', 'a model returning a 0-d tensor', () => (t: tf.Tensor) => tf.sum(F(t))),
  h('stringOut', 'a model returning a string tensor', () => () => tf.tensor(['a', 'b'])),
  h('boolOut', 'a model returning a bool tensor', () => (t: tf.Tensor) => tf.greater(F(t), 1)),
  h('disposedOut', 'a model returning a disposed tensor', () => (t: tf.Tensor) => {
    const y = F(t);
    y.dispose();
    return y;
  }),
  h('returnsInput', 'a model returning its input', () => (t: tf.Tensor) => t),
  h('nanOut', 'a model returning NaN', () => (t: tf.Tensor) => tf.mul(F(t), NaN)),
  h(
    'disposesInput',
    'a model that disposes its input',
    () => (t: tf.Tensor) => {
      const y = F(t);
      t.dispose();
      return y;
    },
    true,
  ),
  h('ownConstant', 'a model returning a constant tensor it owns', () => {
    const c = tf.tensor2d([[1], [2]]);
    return owning(() => c, [c]);
  }),
  h('ignoresInput', 'a model that ignores its input', () => () => tf.ones([2, 1])),
  h('int32Out', 'a model returning int32', () => (t: tf.Tensor) => tf.cast(F(t), 'int32')),
  h('notModelNumber', 'the number 5 as the model', () => 5),
  h('notModelString', "the string 'model' as the model", () => 'model'),
  h('notModelNull', 'null as the model', () => null),
  h('notModelUndefined', 'undefined as the model', () => undefined),
  h('notModelObject', '{} as the model', () => ({})),
  h('notModelApply5', '{apply: 5} as the model', () => ({ apply: 5 })),
  h('notModelArray', '[] as the model', () => []),
  h('notModelTensor', 'a tensor as the model', () => tf.ones([2, 1])),
  h('notModelProxy', 'a throwing proxy as the model', throwingProxy),
  h('applyThrows', 'a LayersModel-like whose apply throws', () => ({
    apply() {
      throw new Error('apply boom');
    },
  })),
  h('predictArray', 'a predict() model returning an array', () => ({ predict: (t: tf.Tensor) => [F(t), F(t)] })),
  h('predictWorks', 'a predict() model that works (legitimate)', () => ({ predict: (t: tf.Tensor) => F(t) })),
];
export const NOT_A_MODEL = new Set(['notModelNumber', 'notModelString', 'notModelNull', 'notModelUndefined', 'notModelObject', 'notModelApply5', 'notModelArray', 'notModelTensor']);

/** Shared expectations for model hostiles: what every model-running function must say. */
export function modelExpect(id: string): Expect | undefined {
  if (NOT_A_MODEL.has(id)) return LEFT(['InvalidArgument']);
  switch (id) {
    case 'throws':
    case 'throwsString':
    case 'applyThrows':
      return LEFT(['ModelThrew']);
    case 'returnsNumber':
    case 'returnsUndefined':
    case 'returnsArray':
    case 'returnsPromise':
    case 'stringOut':
    case 'boolOut':
    case 'disposedOut':
    case 'predictArray':
      return LEFT(['ModelOutputInvalid']);
  }
  return undefined;
}

// ---- running one combination ----------------------------------------------------------------

export const TIMEOUT_MS = 10_000;

/** Every real tensor reachable in a value: arrays, plain objects (options, results) and a model's `owned`. */
export function collectTensors(v: unknown, into: Set<tf.Tensor>, depth = 0): Set<tf.Tensor> {
  if (depth > 4 || v === null || (typeof v !== 'object' && typeof v !== 'function')) return into;
  if (isRealTensor(v)) {
    into.add(v);
    return into;
  }
  try {
    if (Array.isArray(v)) for (const e of v) collectTensors(e, into, depth + 1);
    else if (typeof v === 'function') collectTensors((v as { owned?: unknown }).owned, into, depth + 1);
    else if (Object.getPrototypeOf(v) === Object.prototype) for (const e of Object.values(v)) collectTensors(e, into, depth + 1);
  } catch {
    // a hostile proxy: nothing to collect
  }
  return into;
}

export type Outcome = { readonly kind: 'threw' | 'rejected'; readonly error: unknown } | { readonly kind: 'timeout' } | { readonly kind: 'value'; readonly value: unknown };

export async function settle(f: () => unknown): Promise<Outcome> {
  let returned: unknown;
  try {
    returned = f();
  } catch (error) {
    return { kind: 'threw', error };
  }
  if (typeof (returned as { then?: unknown } | null)?.then !== 'function') return { kind: 'value', value: returned };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), TIMEOUT_MS);
  });
  const settled = (returned as Promise<unknown>).then(
    (value): Outcome => ({ kind: 'value', value }),
    (error): Outcome => ({ kind: 'rejected', error }),
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const errorText = (e: unknown): string => (e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e));
export const isEither = (v: unknown): v is { _tag: 'Left'; left: unknown[] } | { _tag: 'Right'; right: unknown } => {
  const r = v as { _tag?: unknown; left?: unknown } | null;
  return typeof r === 'object' && r !== null && ((r._tag === 'Left' && Array.isArray(r.left) && r.left.length > 0) || (r._tag === 'Right' && 'right' in r));
};
export const namesArg = (path: unknown, prefixes: readonly string[]): boolean =>
  typeof path === 'string' && prefixes.some((p) => path === p || path.startsWith(`${p}[`) || path.startsWith(`${p}.`));

let combinations = 0;

/** Runs one combination; returns what went wrong (empty when it behaved). */
export async function runCombination(row: Row, hostile: Hostile, tuple: boolean): Promise<string[] | 'unavailable'> {
  const problems: string[] = [];
  let value: unknown;
  try {
    value = hostile.make();
  } catch {
    return 'unavailable'; // e.g. complex64 on wasm: the backend cannot even create it
  }
  const args = row.build(value, tuple);
  const mine = collectTensors(args, new Set());
  const alive = [...mine].filter((t) => !t.isDisposed);
  const expect = row.expect(hostile.id, tuple);
  combinations++;
  try {
    const before = tf.memory().numTensors;
    const outcome = await settle(() => row.invoke(args));
    if (outcome.kind === 'timeout') return [`did not settle within ${TIMEOUT_MS / 1000} s (hang)`];
    if (outcome.kind !== 'value') return [`${outcome.kind === 'threw' ? 'threw' : 'rejected'} ${errorText(outcome.error)}`];
    const result = row.plain && !isEither(outcome.value) ? { _tag: 'Right' as const, right: outcome.value } : outcome.value;

    // the caller's tensors: none disposed by the library, none handed back as the result
    const lost = alive.filter((t) => t.isDisposed);
    // Read only now: reading before the call would cache a device tensor's values on the CPU (webgpu)
    // and hide any synchronous read the library does. Reads create no tensors.
    const snaps = new Map<unknown, Snap>();
    for (const t of alive) if (!t.isDisposed && t.dtype !== 'string' && t.dtype !== 'complex64') snaps.set(t, await snap(t));
    if (lost.length > 0 && !hostile.disposesArgs) problems.push(`disposed ${lost.length} tensor(s) the caller owns`);
    const made = new Set<tf.Tensor>();
    if (!isEither(result)) {
      problems.push(`returned ${show(result)}, not a Result (Either)`);
    } else if (result._tag === 'Right') {
      const returned = collectTensors(result.right, new Set());
      for (const t of returned) if (!mine.has(t)) made.add(t);
      if (!row.aliasOk && [...returned].some((t) => mine.has(t))) problems.push('a Right that hands back a caller-owned tensor instead of a new one');
      if (expect.kind === 'left') problems.push(`expected a Left${expect.tags ? ` (${expect.tags.join('|')})` : ''}, got Right`);
      else if (expect.check) {
        try {
          await expect.check(result.right, args, snaps);
        } catch (e) {
          problems.push(`wrong result: ${e instanceof AssertionFailure ? e.message : errorText(e)}`);
        }
      }
    } else {
      const errors = result.left as { _tag?: unknown; path?: unknown }[];
      let text = '';
      try {
        text = message(errors as never);
        for (const e of errors) assert(typeof describeError(e as never) === 'string' && describeError(e as never).length > 0, 'an error renders');
      } catch (e) {
        problems.push(`message() failed on the Left: ${errorText(e)}`);
      }
      const summary = errors.map((e) => `${String(e._tag)} at '${String(e.path)}'`).join(', ');
      if (text.trim() === '' || /(^|[^(])\[object Object\]/.test(text)) problems.push(`unreadable message: ${JSON.stringify(text)}`);
      if (expect.kind === 'right') problems.push(`expected Right, got Left: ${text.replace(/\n/g, ' | ')}`);
      else if (expect.kind === 'left' && expect.tags && errors.some((e) => !expect.tags!.includes(e._tag as ErrorTag))) {
        problems.push(`expected ${expect.tags.join('|')}, got ${summary}: ${text.replace(/\n/g, ' | ')}`);
      }
      const allowed = expect.kind !== 'right' && expect.paths ? expect.paths : row.prefixes;
      const stray = errors.filter((e) => !namesArg(e.path, allowed));
      if (stray.length > 0) {
        problems.push(`wrong path: ${stray.map((e) => `${String(e._tag)} at '${String(e.path)}'`).join(', ')} (expected ${allowed.join(' or ')}): ${text.replace(/\n/g, ' | ')}`);
      }
    }
    for (const t of made) t.dispose();
    // the model (or target fn) may dispose what it was handed; the library itself must neither leak nor free
    const expected = before - lost.length;
    const after = tf.memory().numTensors;
    if (after !== expected) problems.push(`${after - expected} tensor(s) leaked (numTensors ${before} -> ${after}, ${lost.length} argument(s) disposed, ${made.size} result tensor(s) disposed)`);
    return problems;
  } finally {
    for (const t of mine) t.dispose();
  }
}

// ---- the suite runner ---------------------------------------------------------------------------

export interface HostileRunOptions {
  /** Runs after every combination of a row (e.g. restoring global state the row's function changes). */
  readonly afterEach?: (row: Row) => Promise<void> | void;
  /** Runs once after the last row. */
  readonly after?: () => Promise<void> | void;
}

/**
 * One uvu test per row: every hostile value (alone, and as `[valid, hostile]` where the row takes a
 * tuple) must give the right answer or a Left naming the row's argument, without throwing, hanging
 * or leaking. A failing test lists every failing combination.
 */
export function runHostileRows(title: string, rows: readonly Row[], options: HostileRunOptions = {}): void {
  const s = suite(`${title} (${backendName})`);
  const unavailable = new Set<string>();
  const before = combinations;
  for (const row of rows) {
    s(`${row.fn}(${row.arg}) returns the right answer or a Left naming ${row.prefixes.join('/')} for every hostile value, without throwing, hanging or leaking`, async () => {
      const failures: string[] = [];
      for (const hostile of row.hostiles) {
        for (const tuple of row.tuple ? [false, true] : [false]) {
          const label = tuple ? `[valid, ${hostile.label}]` : hostile.label;
          let problems: string[] | 'unavailable';
          try {
            problems = await runCombination(row, hostile, tuple);
          } catch (e) {
            problems = [`the test itself failed: ${errorText(e)}`];
          }
          if (problems === 'unavailable') {
            unavailable.add(hostile.label);
            continue;
          }
          for (const p of problems) failures.push(`${row.fn}(${row.arg}) <- ${label}: ${p}`);
          await options.afterEach?.(row);
        }
      }
      if (failures.length > 0) throw new AssertionFailure(`${failures.length} failing combination(s):\n  ${failures.join('\n  ')}`);
    });
  }
  s.after(async () => {
    await options.after?.();
    const skipped = unavailable.size > 0 ? `; not creatable on this backend, skipped: ${[...unavailable].join(', ')}` : '';
    console.log(`\n  ${title}: ${combinations - before} combinations over ${rows.length} (function, argument) rows on ${backendName}${skipped}`);
  });
  s.run();
}
