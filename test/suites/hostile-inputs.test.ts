// Hostile inputs: a table of bad (and merely unusual) values goes to every argument of every public
// function while the other arguments stay valid. Every call must settle without throwing; its result
// is either the correct value (where the input is legitimate, as Captum would compute it) or a Left
// whose message is readable and whose paths name the hostile argument; and no tensor may leak or be
// disposed behind the caller's back. One uvu test per (function, argument); a failing test lists
// every failing combination, each as `fn(argument) <- hostile value: what went wrong`.
import * as tf from '@tensorflow/tfjs-core';
import {
  applyTarget,
  computeGradients,
  configureKernels,
  convergenceDelta,
  describeMethod,
  type ErrorTag,
  formatAdditionalForwardArgs,
  formatTensorIntoTuple,
  getName,
  initBackend,
  interpolate,
  kernelStatus,
  describeNoiseTunnel,
  resolveTarget,
  runForward,
  selectTarget,
  sumRows,
  target,
  tensorizeBaselines,
  validateTarget,
} from '../../src/index.js';
import { assert } from '../support/harness.js';
import { type Check, disposed, EITHER, type Expect, expectTensor, F, GENERIC, h, type Hostile, isRealTensor, LEFT, modelExpect, MODELS, NON_TENSOR_IDS, NON_TENSORS, RIGHT, type Row, rowSums, runHostileRows, type Snap, sumSquares, tensorArgRefusal, throwingProxy } from '../support/hostile.js';

// ---- valid values and reference maths -------------------------------------------------------

const X = [
  [1, 2],
  [3, 4],
];
const X2 = [
  [5, 6],
  [7, 8],
];
const X23 = [
  [1, 2, 3],
  [4, 5, 6],
];
const x = () => tf.tensor2d(X);
const x2 = () => tf.tensor2d(X2);
const x23 = () => tf.tensor2d(X23);

const model1 = (t: tf.Tensor, ..._rest: unknown[]) => F(t);
const model2 = (a: tf.Tensor, b: tf.Tensor, ..._rest: unknown[]) => tf.add(F(a), F(b));

const resultTensors = (v: unknown, tuple: boolean): unknown[] => (tuple ? (v as unknown[]) : [v]);

// sumRows ----------------------------------------------------------------------------------------
const sumRowsRow: Row = {
  fn: 'sumRows',
  arg: 'input',
  prefixes: ['input'],
  hostiles: GENERIC,
  tuple: true,
  build: (v, tuple) => [tuple ? [x(), v] : v],
  invoke: (a) => sumRows(a[0] as never),
  expect: (id, tuple) => {
    if (id === 'emptyBatch') return tuple ? LEFT(['BatchSizeMismatch', 'EmptyBatch']) : LEFT(['EmptyBatch']); // Captum's reshape [0,-1] fails
    if (id === 'wrongShape' && tuple) return LEFT(['BatchSizeMismatch']); // batch 3 next to batch 2
    return (
      tensorArgRefusal(id) ??
      RIGHT(async (value, args, snaps) => {
        const inputs = tuple ? (args[0] as tf.Tensor[]) : [args[0] as tf.Tensor];
        const ss = inputs.map((t) => snaps.get(t) as Snap);
        const r = value as { rowSums: unknown; total: unknown };
        const each = tuple ? (r.rowSums as unknown[]) : [r.rowSums];
        assert(Array.isArray(r.rowSums) === tuple, 'rowSums mirrors the input form');
        const sums = ss.map(rowSums);
        for (const [i, s] of ss.entries()) {
          // Captum: float sums stay float; int and bool sums are integers (int64 there, int32 here).
          await expectTensor(each[i], [s.shape[0] ?? 0], sums[i] as number[], `rowSums[${i}]`, s.dtype === 'float32' ? 'float32' : 'int32');
        }
        const total = (sums[0] as number[]).map((_, k) => sums.reduce((acc, col) => acc + (col[k] as number), 0));
        await expectTensor(r.total, [total.length], total, 'total', ss.some((s) => s.dtype === 'float32') ? 'float32' : 'int32');
      })
    );
  },
};

// tensorizeBaselines -------------------------------------------------------------------------------
/** Captum's `_tensorize_baseline` for one input: what the baseline becomes, or undefined when it must be refused. */
function expandBaseline(b: unknown, input: Snap, bSnap: Snap | undefined): Snap | undefined {
  const size = input.data.length;
  const sameRest = (s: readonly number[]) => s.length === input.shape.length && s.slice(1).every((d, i) => d === input.shape[i + 1]);
  if (b === undefined || b === null) return { ...input, data: Array(size).fill(0) };
  if (typeof b === 'number') {
    if (!Number.isFinite(b)) return undefined;
    // torch.full_like: the input's dtype (0.5 -> 0 for int, -> True for bool)
    const v = input.dtype === 'int32' ? Math.trunc(b) : input.dtype === 'bool' ? Number(b !== 0) : b;
    return { ...input, data: Array(size).fill(v) };
  }
  if (bSnap === undefined) return undefined;
  if (bSnap.shape.length === 0) return { ...input, data: Array(size).fill(bSnap.data[0]) };
  if (bSnap.shape.length === input.shape.length && bSnap.shape.every((d, i) => d === input.shape[i])) return { ...input, data: [...bSnap.data] };
  if (bSnap.shape[0] === 1 && sameRest(bSnap.shape)) {
    const n = input.shape[0] ?? 0;
    return { ...input, data: Array.from({ length: n }, () => bSnap.data).flat() };
  }
  return undefined;
}

const tensorizeInputsRow: Row = {
  fn: 'tensorizeBaselines',
  arg: 'inputs',
  prefixes: ['inputs'],
  hostiles: GENERIC,
  tuple: true,
  build: (v, tuple) => (tuple ? [[x(), v], [0.5, 0.5]] : [v, 0.5]),
  invoke: (a) => tensorizeBaselines(a[0] as never, a[1] as never),
  expect: (id, tuple) =>
    tensorArgRefusal(id) ??
    (id === 'emptyBatch'
      ? EITHER() // zeros of an empty batch are well defined, but refusing one is also reasonable
      : RIGHT(async (value, args, snaps) => {
          const inputs = tuple ? (args[0] as tf.Tensor[]) : [args[0] as tf.Tensor];
          const outs = resultTensors(value, tuple);
          assert(Array.isArray(value) === tuple, 'the result mirrors the input form');
          for (const [i, input] of inputs.entries()) {
            const s = snaps.get(input) as Snap;
            const want = expandBaseline(0.5, s, undefined) as Snap;
            // the number 0.5 takes the input's dtype, as torch.full_like does: 0 for int32, true for bool
            await expectTensor(outs[i], s.shape, want.data, `baseline[${i}] for a ${s.dtype} input`, s.dtype);
          }
        })),
};

const tensorizeBaselinesRow: Row = {
  fn: 'tensorizeBaselines',
  arg: 'baselines',
  prefixes: ['baselines'],
  hostiles: GENERIC,
  tuple: true,
  build: (v, tuple) => (tuple ? [[x(), x2()], [0, v]] : [x(), v]),
  invoke: (a) => tensorizeBaselines(a[0] as never, a[1] as never),
  expect: (id, tuple) => {
    if (NON_TENSOR_IDS.has(id)) {
      // null/undefined alone mean zeros; inside a tuple they are not a baseline (documented).
      if ((id === 'null' || id === 'undefined') && !tuple) return RIGHT(checkBaseline(tuple));
      return LEFT(['BaselineTypeInvalid', 'BaselineCountMismatch']); // NaN/Infinity: finite numbers only (documented)
    }
    switch (id) {
      case 'stringTensor':
      case 'complex':
        return LEFT(['DtypeUnsupported']);
      case 'disposed':
        return LEFT(['TensorDisposed']);
      case 'emptyBatch':
      case 'wrongShape':
      case 'vector':
        return LEFT(['BaselineShapeInvalid']); // neither the input's shape [2,2] nor [1,2]
    }
    return RIGHT(checkBaseline(tuple)); // same shape, or a 0-d tensor (broadcast like a number)
  },
};
function checkBaseline(tuple: boolean): Check {
  return async (value, args, snaps) => {
    const inputs = tuple ? (args[0] as tf.Tensor[]) : [args[0] as tf.Tensor];
    const baselines = tuple ? (args[1] as unknown[]) : [args[1]];
    const outs = resultTensors(value, tuple);
    for (const [i, input] of inputs.entries()) {
      const b = baselines[i];
      const want = expandBaseline(b, snaps.get(input) as Snap, isRealTensor(b) ? snaps.get(b) : undefined);
      assert(want !== undefined, 'test bug: no expected baseline');
      await expectTensor(outs[i], want.shape, want.data, `baseline[${i}]`);
    }
  };
}

// formatTensorIntoTuple / formatAdditionalForwardArgs ----------------------------------------------
const formatValueRow: Row = {
  fn: 'formatTensorIntoTuple',
  arg: 'value',
  prefixes: ['inputs'],
  hostiles: GENERIC,
  tuple: true,
  aliasOk: true,
  build: (v, tuple) => [tuple ? [x(), v] : v, 'inputs'],
  invoke: (a) => formatTensorIntoTuple(a[0] as never, a[1] as string),
  expect: (id, tuple) =>
    tensorArgRefusal(id) ??
    RIGHT((value, args) => {
      // the caller's tensors themselves (no copies), and whether they came as an array
      const r = value as { tensors: unknown[]; isTuple: boolean };
      const given = tuple ? (args[0] as unknown[]) : [args[0]];
      assert(r.isTuple === tuple, `isTuple ${r.isTuple}, expected ${tuple}`);
      assert(r.tensors.length === given.length && r.tensors.every((t, i) => t === given[i]), 'tensors are the given ones');
    }),
};

const formatArgsRow: Row = {
  fn: 'formatAdditionalForwardArgs',
  arg: 'args',
  prefixes: ['additionalForwardArgs'],
  hostiles: GENERIC,
  tuple: true,
  aliasOk: true,
  build: (v, tuple) => [tuple ? [x(), v] : v],
  invoke: (a) => formatAdditionalForwardArgs(a[0]),
  expect: (id) => {
    if (id === 'disposed') return LEFT(['TensorDisposed']);
    if (id === 'proxy') return EITHER();
    // Captum's _format_additional_forward_args: None -> no args, a tuple is spread, anything else is one arg.
    return RIGHT((value, args) => {
      const a = args[0];
      const want = a === undefined || a === null ? [] : Array.isArray(a) ? a : [a];
      const got = value as unknown[];
      assert(Array.isArray(got) && got.length === want.length && got.every((g, i) => Object.is(g, want[i])), `got ${got.length} args, expected ${want.length}`);
    });
  },
};

// targets ------------------------------------------------------------------------------------------
/** What a target selects from a [2,3] output: per-example columns, the whole output, or a per-example sum. */
type Sel = { readonly cols: readonly number[] } | 'whole' | 'rowSum' | { readonly left: readonly ErrorTag[] } | 'either';

const TARGET_EXTRAS: readonly Hostile[] = [
  h('int32Scalar', 'an int32 0-d tensor (1)', () => tf.scalar(1, 'int32')),
  h('int32Vector', 'an int32 tensor [2,0]', () => tf.tensor1d([2, 0], 'int32')),
  h('int32OutOfRange', 'an int32 tensor [5,0] (out of range)', () => tf.tensor1d([5, 0], 'int32')),
  h('int32Empty', 'an empty int32 tensor', () => tf.tensor1d([], 'int32')),
  h('negIndex', 'the index -1', () => -1),
  h('outOfRange', 'the index 3 (out of range)', () => 3),
  h('fraction', 'the index 1.5', () => 1.5),
  h('unsafeInt', 'the index 2**53', () => 2 ** 53),
  h('perExample', 'the per-example list [2,0]', () => [2, 0]),
  h('perExampleOutOfRange', 'the per-example list [0,3]', () => [0, 3]),
  h('perExampleNegative', 'the per-example list [-1,0]', () => [-1, 0]),
  h('perExampleNaN', 'the per-example list [0,NaN]', () => [0, NaN]),
  h('wrongCount', 'the per-example list [0,1,2] (3 targets for 2 examples)', () => [0, 1, 2]),
  h('pathTooMany', 'target.path(0,0) on a 2-D output', () => target.path(0, 0)),
  h('pathEmpty', 'target.path()', () => target.path()),
  h('pathBad', "{kind:'path', indices:['a']}", () => ({ kind: 'path', indices: ['a'] })),
  h('pathMissing', "{kind:'path'} without indices", () => ({ kind: 'path' })),
  h('perExamplePathOk', 'target.perExamplePath([[1],[2]])', () => target.perExamplePath([[1], [2]])),
  h('perExamplePathBad', "{kind:'perExamplePath', paths:'x'}", () => ({ kind: 'perExamplePath', paths: 'x' })),
  h('perExamplePathRagged', 'target.perExamplePath([[0],[0,1]])', () => target.perExamplePath([[0], [0, 1]])),
  h('reduceNotFn', "{kind:'reduce', fn: 5}", () => ({ kind: 'reduce', fn: 5 })),
  h('reduceThrows', 'target.reduce(fn) whose fn throws', () =>
    target.reduce((o) => {
      tf.mul(o, 2); // an intermediate that must be freed
      throw new Error('reduce boom');
    }),
  ),
  h('reduceNumber', 'target.reduce(fn) whose fn returns a number', () => target.reduce(() => 5 as never)),
  h('reduceScalar', 'target.reduce(fn) whose fn returns a 0-d tensor', () => target.reduce((o) => tf.sum(o))),
  h('reduceIdentity', 'target.reduce(o => o)', () => target.reduce((o) => o)),
  h('reduceRowSum', 'target.reduce(o => sum(o, 1))', () => target.reduce((o) => tf.sum(o, 1))),
  h(
    'reduceDisposes',
    'target.reduce(fn) whose fn disposes the output',
    () =>
      target.reduce((o) => {
        o.dispose();
        return tf.ones([2]);
      }),
    true,
  ),
  h('kindBogus', "{kind:'bogus'}", () => ({ kind: 'bogus' })),
];
const TARGET_HOSTILES = [...GENERIC, ...TARGET_EXTRAS];

/** Each target's meaning on the [2,3] output [[1,2,3],[4,5,6]] (Captum's `_select_targets`). */
function targetSel(id: string): Sel {
  switch (id) {
    case 'null':
    case 'undefined':
    case 'pathEmpty':
    case 'reduceIdentity':
      return 'whole';
    case 'reduceRowSum':
      return 'rowSum';
    case 'int32Scalar':
      return { cols: [1, 1] };
    case 'int32Vector':
    case 'perExample':
      return { cols: [2, 0] };
    case 'negIndex':
      return { cols: [2, 2] };
    case 'perExamplePathOk':
      return { cols: [1, 2] };
    case 'NaN':
    case 'Infinity':
    case '-Infinity':
    case 'fraction':
    case 'unsafeInt':
    case 'perExampleNaN':
    case 'numberArray':
    case 'pathBad':
    case 'pathMissing':
    case 'perExamplePathBad':
    case 'perExamplePathRagged':
    case 'reduceNotFn':
      return { left: ['InvalidArgument'] };
    case 'string':
    case 'emptyString':
    case 'boolean':
    case 'bigint':
    case 'symbol':
    case 'object':
    case 'function':
    case 'typedArray':
    case 'kindBogus':
      return { left: ['TargetTypeInvalid', 'InvalidArgument'] };
    case 'emptyArray':
    case 'wrongCount':
      return { left: ['TargetCountMismatch'] };
    case 'outOfRange':
    case 'int32OutOfRange':
    case 'perExampleOutOfRange':
    case 'perExampleNegative': // torch.gather refuses -1 (unlike a single int target)
      return { left: ['TargetIndexOutOfRange'] };
    case 'pathTooMany':
      return { left: ['TargetTooManyIndices'] };
    case 'int32': // a [2,2] int32 tensor: neither one element nor one per example
    case 'int32Empty':
      return { left: ['TargetTensorShapeInvalid', 'TargetCountMismatch'] };
    case 'reduceThrows':
      return { left: ['ModelThrew'] };
    case 'reduceNumber':
    case 'reduceScalar':
      return { left: ['ModelOutputInvalid'] };
    case 'disposed':
      return { left: ['TensorDisposed'] };
    case 'nanTensor':
    case 'infTensor':
    case 'scalar':
    case 'emptyBatch':
    case 'bool':
    case 'wrongShape':
    case 'vector':
    case 'stringTensor':
    case 'complex':
    case 'computed':
      return { left: ['DtypeUnsupported'] }; // class indices must be int32
    case 'fakeTensor':
      return { left: ['TargetTypeInvalid'] }; // not a tensor the engine knows
  }
  return 'either'; // proxy, reduceDisposes
}
/** Errors about the target's form, found before any output exists (the rest need the output). */
const FORM_TAGS: readonly ErrorTag[] = ['InvalidArgument', 'TargetTypeInvalid', 'DtypeUnsupported', 'TensorDisposed'];

const selected = (sel: Sel, rows: readonly (readonly number[])[]): { shape: number[]; data: number[] } => {
  if (sel === 'whole') return { shape: [rows.length, rows[0]?.length ?? 0], data: rows.flat() };
  if (sel === 'rowSum') return { shape: [rows.length], data: rows.map((r) => r.reduce((a, b) => a + b, 0)) };
  const cols = (sel as { cols: readonly number[] }).cols;
  return { shape: [rows.length], data: rows.map((r, k) => r[cols[k] as number] as number) };
};

/** selectTarget / runForward on the output [[1,2,3],[4,5,6]]: the selection itself. */
function selectionExpect(id: string): Expect {
  const sel = targetSel(id);
  if (sel === 'either') return EITHER();
  if (typeof sel === 'object' && 'left' in sel) return LEFT(sel.left);
  return RIGHT(async (value) => {
    const want = selected(sel, X23);
    await expectTensor(value, want.shape, want.data, 'selected output');
  });
}

const selectOutputRow: Row = {
  fn: 'selectTarget',
  arg: 'output',
  prefixes: ['output'],
  hostiles: GENERIC,
  build: (v) => [v, 1],
  invoke: (a) => selectTarget(a[0] as never, a[1] as never),
  expect: (id) => {
    if (id === 'scalar' || id === 'vector') return LEFT(['TargetTooManyIndices'], ['target']); // target 1 needs a dim after the batch
    const refused = tensorArgRefusal(id, { rank0: 'right' });
    if (refused) return refused;
    // output[:, 1], whatever the dtype (Captum indexes without casting)
    return RIGHT(async (value, args, snaps) => {
      const s = snaps.get(args[0]) as Snap;
      const [n = 0, c = 0] = s.shape;
      await expectTensor(value, [n], Array.from({ length: n }, (_, k) => s.data[k * c + 1] as number), 'output[:, 1]', s.dtype);
    });
  },
};

const selectTargetRow: Row = {
  fn: 'selectTarget',
  arg: 'target',
  prefixes: ['target'],
  hostiles: TARGET_HOSTILES,
  build: (v) => [x23(), v],
  invoke: (a) => selectTarget(a[0] as never, a[1] as never),
  expect: selectionExpect,
};

const resolveTargetRow: Row = {
  fn: 'resolveTarget',
  arg: 'value',
  prefixes: ['target'],
  hostiles: TARGET_HOSTILES,
  build: (v) => [v],
  invoke: (a) => resolveTarget(a[0] as never),
  expect: (id) => {
    const sel = targetSel(id);
    if (sel === 'either') return EITHER();
    // resolveTarget checks the form only; counts, ranges and shapes need the output
    if (typeof sel === 'object' && 'left' in sel && sel.left.every((t) => FORM_TAGS.includes(t))) return LEFT(sel.left);
    if (id === 'int32') {
      return RIGHT((value) => {
        const r = value as { kind: string; values: number[]; shape: number[] };
        assert(r.kind === 'tensorValues' && JSON.stringify(r.values) === '[1,2,3,4]' && JSON.stringify(r.shape) === '[2,2]', `got ${JSON.stringify(r)}`);
      });
    }
    return RIGHT((value) => assert(typeof (value as { kind?: unknown }).kind === 'string', 'a resolved target'));
  },
};

const RESOLVED_EXTRAS: readonly Hostile[] = [
  h('resolvedNone', "{kind:'none'}", () => ({ kind: 'none' })),
  h('resolvedPath', "{kind:'path', indices:[1]}", () => ({ kind: 'path', indices: [1] })),
  h('resolvedBogusKind', "{kind:'bogus'}", () => ({ kind: 'bogus' })),
  h('resolvedPathNotArray', "{kind:'path', indices:'x'}", () => ({ kind: 'path', indices: 'x' })),
  h('resolvedPathNaN', "{kind:'path', indices:[NaN]}", () => ({ kind: 'path', indices: [NaN] })),
  h('resolvedPathFraction', "{kind:'path', indices:[0.5]}", () => ({ kind: 'path', indices: [0.5] })),
  h('resolvedPerExampleOut', "{kind:'perExample', indices:[0,5]}", () => ({ kind: 'perExample', indices: [0, 5] })),
  h('resolvedPerExampleFraction', "{kind:'perExample', indices:[0.5,1]}", () => ({ kind: 'perExample', indices: [0.5, 1] })),
  h('resolvedPerExampleThree', "{kind:'perExample', indices:[0,1,2]}", () => ({ kind: 'perExample', indices: [0, 1, 2] })),
  h('resolvedTensorValuesEmpty', "{kind:'tensorValues', values:[], shape:[0]}", () => ({ kind: 'tensorValues', values: [], shape: [0] })),
  h('resolvedTensorValuesNaN', "{kind:'tensorValues', values:[NaN], shape:[1]}", () => ({ kind: 'tensorValues', values: [NaN], shape: [1] })),
  h('resolvedReduceNotFn', "{kind:'reduce', fn:'x'}", () => ({ kind: 'reduce', fn: 'x' })),
  h('resolvedPerExamplePathNull', "{kind:'perExamplePath', paths:null}", () => ({ kind: 'perExamplePath', paths: null })),
];

const applyOutputRow: Row = {
  fn: 'applyTarget',
  arg: 'output',
  prefixes: ['output'],
  hostiles: GENERIC,
  build: (v) => [v, { kind: 'path', indices: [1] }],
  invoke: (a) => applyTarget(a[0] as never, a[1] as never),
  expect: (id) =>
    // applyTarget may skip the dtype check: these hostiles are 1-D, so index 1 is too many indices anyway
    id === 'stringTensor' || id === 'complex'
      ? LEFT(['DtypeUnsupported', 'TargetTooManyIndices'], ['output', 'resolved'])
      : id === 'scalar' || id === 'vector'
        ? LEFT(['TargetTooManyIndices'], ['resolved'])
        : selectOutputRow.expect(id, false),
};

const applyResolvedRow: Row = {
  fn: 'applyTarget',
  arg: 'resolved',
  prefixes: ['resolved'],
  hostiles: [...NON_TENSORS, ...RESOLVED_EXTRAS],
  build: (v) => [x23(), v],
  invoke: (a) => applyTarget(a[0] as never, a[1] as never),
  expect: (id) => {
    if (id === 'resolvedNone') return RIGHT(async (value) => expectTensor(value, [2, 3], [1, 2, 3, 4, 5, 6], 'a copy of the whole output'));
    if (id === 'resolvedPath') return RIGHT(async (value) => expectTensor(value, [2], [2, 5], 'output[:, 1]'));
    if (id === 'proxy') return EITHER();
    if (id === 'resolvedPerExampleOut') return LEFT(['TargetIndexOutOfRange']);
    if (id === 'resolvedPerExampleThree') return LEFT(['TargetCountMismatch']);
    return LEFT(); // not a ResolvedTarget (or not a usable one): the indices 0.5, NaN, 'x' select nothing
  },
};

const validateNRow: Row = {
  fn: 'validateTarget',
  arg: 'n',
  prefixes: ['n'],
  hostiles: [
    ...NON_TENSORS,
    h('two', '2 (legitimate)', () => 2),
    h('three', '3 (legitimate, wrong count)', () => 3),
    h('minusOne', '-1', () => -1),
    h('fractionN', '2.5', () => 2.5),
  ],
  build: (v) => [v, { kind: 'perExample', indices: [0, 1] }],
  invoke: (a) => validateTarget(a[0] as never, a[1] as never),
  expect: (id) => {
    if (id === 'two') return RIGHT();
    if (id === 'three') return LEFT(['TargetCountMismatch'], ['resolved']);
    return LEFT(); // a batch size must be a non-negative integer
  },
};

const validateTRow: Row = {
  fn: 'validateTarget',
  arg: 't',
  prefixes: ['resolved'],
  hostiles: [...NON_TENSORS, ...RESOLVED_EXTRAS],
  build: (v) => [2, v],
  invoke: (a) => validateTarget(a[0] as never, a[1] as never),
  expect: (id) => {
    switch (id) {
      case 'resolvedNone':
      case 'resolvedPath':
      case 'resolvedTensorValuesNaN': // one element: not per-example, so not counted (Captum's _validate_target)
        return EITHER();
      case 'resolvedPerExampleThree':
        return LEFT(['TargetCountMismatch']);
      case 'proxy':
        return EITHER();
    }
    return EITHER(); // count checks only; malformed forms may pass through, but must not throw
  },
};

// model-running functions --------------------------------------------------------------------------
/** A model whose `owned` tensors are its own (made by the hostile factory, not by the library). */

/** Right check: [N,1] output (or grads) computed from the inputs' snapshots. */
const fOfInputs = (inputs: readonly tf.Tensor[], snaps: ReadonlyMap<unknown, Snap>): number[] => {
  const parts = inputs.map((t) => sumSquares(snaps.get(t) as Snap));
  return (parts[0] as number[]).map((_, k) => parts.reduce((a, p) => a + (p[k] as number), 0));
};

const runForwardModelRow: Row = {
  fn: 'runForward',
  arg: 'model',
  prefixes: ['model'],
  hostiles: MODELS,
  build: (v) => [v, x()],
  invoke: (a) => runForward(a[0] as never, a[1] as never),
  expect: (id) => {
    const shared = modelExpect(id);
    if (shared) return shared;
    switch (id) {
      case 'returnsInput':
        return RIGHT(async (value, args) => {
          assert(value !== args[1], 'a copy, not the input itself');
          await expectTensor(value, [2, 2], X.flat(), 'output');
        });
      case 'nanOut':
        return RIGHT(async (value) => expectTensor(value, [2, 1], [NaN, NaN], 'output'));
      case 'predictWorks':
      case 'int32Out':
        return RIGHT(async (value) => expectTensor(value, [2, 1], [5, 25], 'output'));
      case 'ignoresInput':
        return RIGHT(async (value) => expectTensor(value, [2, 1], [1, 1], 'output'));
      case 'ownConstant':
        return RIGHT(async (value) => expectTensor(value, [2, 1], [1, 2], 'output'));
    }
    return EITHER(); // wrongBatch, zeroD: Captum's _run_forward does not check the batch; disposesInput; proxy
  },
};

const runForwardInputsRow: Row = {
  fn: 'runForward',
  arg: 'inputs',
  prefixes: ['inputs'],
  hostiles: GENERIC,
  tuple: true,
  build: (v, tuple) => (tuple ? [model2, [x(), v]] : [model1, v]),
  invoke: (a) => runForward(a[0] as never, a[1] as never),
  expect: (id, tuple) => {
    if (tuple && (id === 'wrongShape' || id === 'emptyBatch')) return LEFT(['BatchSizeMismatch']);
    const refused = tensorArgRefusal(id);
    if (refused) return refused;
    if (id === 'emptyBatch') return EITHER(); // an empty batch runs fine in torch; refusing it is reasonable too
    return RIGHT(async (value, args, snaps) => {
      const inputs = tuple ? (args[1] as tf.Tensor[]) : [args[1] as tf.Tensor];
      const want = fOfInputs(inputs, snaps);
      await expectTensor(value, [want.length, 1], want, 'sum of squares per example');
    });
  },
};

const runForwardTargetRow: Row = {
  fn: 'runForward',
  arg: 'target',
  prefixes: ['target'],
  hostiles: TARGET_HOSTILES,
  build: (v) => [(t: tf.Tensor) => tf.add(t, 0), x23(), v],
  invoke: (a) => runForward(a[0] as never, a[1] as never, a[2] as never),
  expect: selectionExpect,
};

/** A model that records the extra arguments it received (Captum: f(*inputs, *additional_forward_args)). */
function recordingModel(): ((t: tf.Tensor, ...rest: unknown[]) => tf.Tensor) & { seen: unknown[][] } {
  const seen: unknown[][] = [];
  return Object.assign((t: tf.Tensor, ...rest: unknown[]) => {
    seen.push(rest);
    return F(t);
  }, { seen });
}
const forwardArgsCheck =
  (argIndex: number, modelIndex: number, after: Check): Check =>
  async (value, args, snaps) => {
    const a = args[argIndex];
    const want = a === undefined || a === null ? [] : Array.isArray(a) ? a : [a];
    const seen = (args[modelIndex] as { seen: unknown[][] }).seen;
    assert(seen.length > 0, 'the model was called');
    for (const got of seen) {
      // Tensors arrive as the library's holds on them: clones that share the caller's data.
      const same = (g: unknown, w: unknown): boolean => Object.is(g, w) || (isRealTensor(g) && isRealTensor(w) && g.dataId === w.dataId);
      assert(got.length === want.length && got.every((g, i) => same(g, want[i])), `the model received ${got.length} extra args, expected ${want.length}`);
    }
    await after(value, args, snaps);
  };

const runForwardArgsRow: Row = {
  fn: 'runForward',
  arg: 'additionalForwardArgs',
  prefixes: ['additionalForwardArgs'],
  hostiles: GENERIC,
  tuple: true,
  build: (v, tuple) => [recordingModel(), x(), undefined, tuple ? [x2(), v] : v],
  invoke: (a) => runForward(a[0] as never, a[1] as never, a[2] as never, a[3]),
  expect: (id) => {
    if (id === 'disposed') return LEFT(['TensorDisposed']);
    if (id === 'proxy') return EITHER();
    return RIGHT(forwardArgsCheck(3, 0, async (value) => expectTensor(value, [2, 1], [5, 25], 'output')));
  },
};

// computeGradients ---------------------------------------------------------------------------------
const computeGradientsModelRow: Row = {
  fn: 'computeGradients',
  arg: 'model',
  prefixes: ['model'],
  hostiles: MODELS,
  build: (v) => [v, x()],
  invoke: (a) => computeGradients(a[0] as never, a[1] as never),
  expect: (id) => {
    const shared = modelExpect(id);
    if (shared) return shared;
    switch (id) {
      case 'zeroD':
        return LEFT(['ModelOutputInvalid']); // one value per example is required (documented)
      case 'returnsInput':
        return LEFT(['TargetRequiredForMultiOutput'], ['target']); // [2,2] output: a target is needed
      case 'nanOut':
        return RIGHT(async (value) => expectTensor(value, [2, 2], [NaN, NaN, NaN, NaN], 'gradient'));
      case 'predictWorks':
        return RIGHT(async (value) => expectTensor(value, [2, 2], X.flat().map((v) => 2 * v), 'gradient 2x'));
      case 'ignoresInput':
      case 'ownConstant':
        // torch.autograd.grad refuses an input the output does not depend on
        return EITHER(undefined, ['model', 'inputs']);
    }
    return EITHER(); // wrongBatch, int32Out, disposesInput, proxy
  },
};

const computeGradientsInputsRow: Row = {
  fn: 'computeGradients',
  arg: 'inputs',
  prefixes: ['inputs'],
  hostiles: GENERIC,
  tuple: true,
  build: (v, tuple) => (tuple ? [model2, [x(), v]] : [model1, v]),
  invoke: (a) => computeGradients(a[0] as never, a[1] as never),
  expect: (id, tuple) => {
    if (tuple && (id === 'wrongShape' || id === 'emptyBatch')) return LEFT(['BatchSizeMismatch', 'DtypeUnsupported']);
    const refused = tensorArgRefusal(id, { int: false }); // inputs must be float32 (documented; Captum needs floats for grads)
    if (refused) return refused;
    if (id === 'emptyBatch') return EITHER();
    return RIGHT(async (value, args, snaps) => {
      const inputs = tuple ? (args[1] as tf.Tensor[]) : [args[1] as tf.Tensor];
      const outs = resultTensors(value, tuple);
      for (const [i, t] of inputs.entries()) {
        const s = snaps.get(t) as Snap;
        await expectTensor(outs[i], s.shape, s.data.map((v) => 2 * v), `d/dx sum x^2 = 2x [${i}]`); // NaN -> NaN, +-Inf -> +-Inf
      }
    });
  },
};

/** d(selected square(x))/dx on x = [[1,2,3],[4,5,6]]: 2x where selected, 0 elsewhere. */
function gradientTargetExpect(id: string): Expect {
  const sel = targetSel(id);
  // a reduce fn that disposes the output cuts the tape: "could not take the gradient" at inputs is fair
  if (sel === 'either') return EITHER(undefined, ['target', 'inputs']);
  if (typeof sel === 'object' && 'left' in sel) return LEFT(sel.left);
  if (sel === 'whole') return LEFT(['TargetRequiredForMultiOutput']); // 3 values per example
  return RIGHT(async (value) => {
    const want = X23.map((r, k) => r.map((v, j) => (sel === 'rowSum' || (sel as { cols: readonly number[] }).cols[k] === j ? 2 * v : 0)));
    await expectTensor(value, [2, 3], want.flat(), 'gradient');
  });
}
const computeGradientsTargetRow: Row = {
  fn: 'computeGradients',
  arg: 'target',
  prefixes: ['target'],
  hostiles: TARGET_HOSTILES,
  build: (v) => [(t: tf.Tensor) => tf.square(t), x23(), v],
  invoke: (a) => computeGradients(a[0] as never, a[1] as never, a[2] as never),
  expect: gradientTargetExpect,
};

const computeGradientsArgsRow: Row = {
  fn: 'computeGradients',
  arg: 'additionalForwardArgs',
  prefixes: ['additionalForwardArgs'],
  hostiles: GENERIC,
  tuple: true,
  build: (v, tuple) => [recordingModel(), x(), undefined, tuple ? [x2(), v] : v],
  invoke: (a) => computeGradients(a[0] as never, a[1] as never, a[2] as never, a[3]),
  expect: (id) => {
    if (id === 'disposed') return LEFT(['TensorDisposed']);
    if (id === 'proxy') return EITHER();
    return RIGHT(forwardArgsCheck(3, 0, async (value) => expectTensor(value, [2, 2], [2, 4, 6, 8], 'gradient 2x')));
  },
};

// convergenceDelta ---------------------------------------------------------------------------------
// delta[k] = sum(attributions[k]) - (F(endPoint)[k] - F(startPoint)[k]), F summed per example.
const ones22 = () => tf.ones([2, 2]);
const cd = (a: readonly unknown[]) => convergenceDelta(a[0] as never, a[1] as never);

const convergenceModelRow: Row = {
  fn: 'convergenceDelta',
  arg: 'model',
  prefixes: ['model'],
  hostiles: MODELS,
  build: (v) => [v, { attributions: ones22(), endPoint: x() }],
  invoke: cd,
  expect: (id) => {
    const shared = modelExpect(id);
    if (shared) return shared;
    switch (id) {
      case 'wrongBatch':
      case 'zeroD':
        return LEFT(['ModelOutputInvalid']); // one value (or block) per example is required
      case 'returnsInput': // F = the input, summed per example: 2 - (row sums of x - 0)
        return RIGHT(async (value) => expectTensor(value, [2], [2 - 3, 2 - 7], 'delta'));
      case 'nanOut':
        return RIGHT(async (value) => expectTensor(value, [2], [NaN, NaN], 'delta'));
      case 'predictWorks':
      case 'int32Out':
        return RIGHT(async (value) => expectTensor(value, [2], [2 - 5, 2 - 25], 'delta'));
      case 'ignoresInput': // F(end) - F(start) = 0
        return RIGHT(async (value) => expectTensor(value, [2], [2, 2], 'delta'));
      case 'ownConstant':
        return RIGHT(async (value) => expectTensor(value, [2], [2, 2], 'delta'));
    }
    return EITHER(); // disposesInput, proxy
  },
};

const convergenceOptionsRow: Row = {
  fn: 'convergenceDelta',
  arg: 'options',
  prefixes: ['options', 'endPoint', 'attributions'],
  hostiles: [
    ...NON_TENSORS,
    h('onlyEndPoint', '{endPoint} without attributions', () => ({ endPoint: tf.ones([2, 2]) })),
    h('onlyAttributions', '{attributions} without endPoint', () => ({ attributions: tf.ones([2, 2]) })),
  ],
  build: (v) => [model1, v],
  invoke: cd,
  expect: (id) => (id === 'proxy' ? EITHER() : LEFT()),
};

const convergenceEndPointRow: Row = {
  fn: 'convergenceDelta',
  arg: 'endPoint',
  prefixes: ['endPoint'],
  hostiles: GENERIC,
  tuple: true,
  build: (v, tuple) => [tuple ? model2 : model1, { attributions: ones22(), endPoint: tuple ? [x(), v] : v }],
  invoke: cd,
  expect: (id, tuple) => {
    if (id === 'wrongShape') return tuple ? LEFT(['BatchSizeMismatch']) : LEFT(['AttributionBatchMismatch'], ['attributions']); // batch 3 vs the attributions' 2
    if (id === 'emptyBatch') return LEFT(['EmptyBatch', 'BatchSizeMismatch', 'AttributionBatchMismatch'], ['endPoint', 'attributions']);
    const refused = tensorArgRefusal(id);
    if (refused) return refused;
    return RIGHT(async (value, args, snaps) => {
      const ep = (args[1] as { endPoint: unknown }).endPoint;
      const inputs = tuple ? (ep as tf.Tensor[]) : [ep as tf.Tensor];
      const f = fOfInputs(inputs, snaps); // start point: zeros, F(0) = 0
      await expectTensor(value, [f.length], f.map((v) => 2 - v), 'delta', 'float32');
    });
  },
};

const convergenceAttributionsRow: Row = {
  fn: 'convergenceDelta',
  arg: 'attributions',
  prefixes: ['attributions'],
  hostiles: GENERIC,
  tuple: true,
  build: (v, tuple) => [model1, { attributions: tuple ? [ones22(), v] : v, endPoint: x() }],
  invoke: cd,
  expect: (id) => {
    if (id === 'wrongShape' || id === 'emptyBatch') return LEFT(['AttributionBatchMismatch']);
    const refused = tensorArgRefusal(id);
    if (refused) return refused;
    return RIGHT(async (value, args, snaps) => {
      const at = (args[1] as { attributions: unknown }).attributions;
      const list = Array.isArray(at) ? (at as tf.Tensor[]) : [at as tf.Tensor];
      const sums = list.map((t) => rowSums(snaps.get(t) as Snap));
      const total = [0, 1].map((k) => sums.reduce((a, s) => a + (s[k] as number), 0));
      await expectTensor(value, [2], [total[0]! - 5, total[1]! - 25], 'delta', 'float32');
    });
  },
};

const convergenceStartPointRow: Row = {
  fn: 'convergenceDelta',
  arg: 'startPoint',
  prefixes: ['startPoint'],
  hostiles: GENERIC,
  tuple: true,
  build: (v, tuple) => [tuple ? model2 : model1, { attributions: ones22(), endPoint: tuple ? [x(), x2()] : x(), startPoint: tuple ? [0, v] : v }],
  invoke: cd,
  expect: (id, tuple) => {
    const asBaseline = tensorizeBaselinesRow.expect(id, tuple);
    if (asBaseline.kind !== 'right') {
      return asBaseline.kind === 'left' && asBaseline.tags ? LEFT(asBaseline.tags) : asBaseline.kind === 'left' ? LEFT() : EITHER();
    }
    return RIGHT(async (value, args, snaps) => {
      const o = args[1] as { endPoint: unknown; startPoint: unknown };
      const ends = tuple ? (o.endPoint as tf.Tensor[]) : [o.endPoint as tf.Tensor];
      const starts = tuple ? (o.startPoint as unknown[]) : [o.startPoint];
      const fEnd = fOfInputs(ends, snaps);
      const fStart = ends.map((e, i) => {
        const b = starts[i];
        return sumSquares(expandBaseline(b, snaps.get(e) as Snap, isRealTensor(b) ? snaps.get(b) : undefined) as Snap);
      });
      const want = fEnd.map((fe, k) => 2 - (fe - fStart.reduce((a, s) => a + (s[k] as number), 0)));
      await expectTensor(value, [2], want, 'delta', 'float32');
    });
  },
};

/** delta = 3 - selected(square(x))[k] summed per example, with attributions ones([2,3]) and a zero start. */
function convergenceTargetExpect(id: string): Expect {
  const sel = targetSel(id);
  if (sel === 'either') return EITHER();
  if (typeof sel === 'object' && 'left' in sel) return LEFT(sel.left);
  return RIGHT(async (value) => {
    const squares = X23.map((r) => r.map((v) => v * v));
    const s = selected(sel, squares);
    const perExample = sel === 'whole' ? squares.map((r) => r.reduce((a, b) => a + b, 0)) : s.data;
    await expectTensor(value, [2], perExample.map((v) => 3 - v), 'delta', 'float32');
  });
}
const convergenceTargetRow: Row = {
  fn: 'convergenceDelta',
  arg: 'target',
  prefixes: ['target'],
  hostiles: TARGET_HOSTILES,
  build: (v) => [(t: tf.Tensor) => tf.square(t), { attributions: tf.ones([2, 3]), endPoint: x23(), target: v }],
  invoke: cd,
  expect: convergenceTargetExpect,
};

const convergenceArgsRow: Row = {
  fn: 'convergenceDelta',
  arg: 'additionalForwardArgs',
  prefixes: ['additionalForwardArgs'],
  hostiles: GENERIC,
  tuple: true,
  build: (v, tuple) => [recordingModel(), { attributions: ones22(), endPoint: x(), additionalForwardArgs: tuple ? [x2(), v] : v }],
  invoke: cd,
  expect: (id) => {
    if (id === 'disposed') return LEFT(['TensorDisposed']);
    if (id === 'proxy') return EITHER();
    return RIGHT(async (value, args, snaps) => {
      const o = args[1] as { additionalForwardArgs: unknown };
      await forwardArgsCheck(0, 1, async (v) => expectTensor(v, [2], [2 - 5, 2 - 25], 'delta'))(value, [o.additionalForwardArgs, args[0]], snaps);
    });
  },
};

// interpolate --------------------------------------------------------------------------------------
// x = [1,2,2,1] NHWC [[0,1],[2,3]]; torch nearest 2 -> 3 reads source rows/cols floor(j*2/3) = [0,0,1].
const img = () => tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]);
const IMG: Snap = { shape: [1, 2, 2, 1], dtype: 'float32', data: [0, 1, 2, 3] };
const NEAREST_3 = [0, 0, 1];
function nearest3(s: Snap): number[] {
  const [n = 0, hh = 0, w = 0, c = 0] = s.shape;
  const out: number[] = [];
  for (let b = 0; b < n; b++) {
    for (const i of NEAREST_3) for (const j of NEAREST_3) for (let k = 0; k < c; k++) out.push(s.data[((b * hh + i) * w + j) * c + k] as number);
  }
  return out;
}
const IMAGE_EXTRAS: readonly Hostile[] = [
  h('nan4', 'a 4-D tensor holding NaN', () => tf.tensor4d([NaN, 1, 2, 3], [1, 2, 2, 1])),
  h('inf4', 'a 4-D tensor holding +-Infinity', () => tf.tensor4d([Infinity, 1, 2, -Infinity], [1, 2, 2, 1])),
  h('int4', 'a 4-D int32 tensor', () => tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1], 'int32')),
  h('bool4', 'a 4-D bool tensor', () => tf.tensor4d([1, 0, 1, 1], [1, 2, 2, 1], 'bool')),
  h('empty4', 'a 4-D empty batch [0,2,2,1]', () => tf.zeros([0, 2, 2, 1])),
  h('zeroSpatial4', 'a 4-D tensor with a 0-size spatial dim [1,0,2,1]', () => tf.zeros([1, 0, 2, 1])),
  h('rank6', 'a 6-D tensor', () => tf.zeros([1, 1, 1, 1, 1, 1])),
  h('disposed4', 'a disposed 4-D tensor', disposed(() => tf.zeros([1, 2, 2, 1]))),
];
const interpolateInputRow: Row = {
  fn: 'interpolate',
  arg: 'layerAttribution',
  prefixes: ['layerAttribution'],
  hostiles: [...GENERIC, ...IMAGE_EXTRAS],
  build: (v) => [v, 3, 'nearest', {}],
  invoke: (a) => interpolate(a[0] as never, a[1] as never, a[2] as never, a[3] as never),
  expect: (id) => {
    switch (id) {
      case 'nan4':
      case 'inf4':
      case 'int4': // nearest is a copy: NaN, Inf and int32 are kept exactly
      case 'empty4': // documented: an empty batch stays empty
        return RIGHT(async (value, args, snaps) => {
          const s = snaps.get(args[0]) as Snap;
          await expectTensor(value, [s.shape[0] ?? 0, 3, 3, 1], nearest3(s), 'nearest 2x2 -> 3x3', s.dtype);
        });
      case 'bool4':
        return LEFT(['DtypeUnsupported']); // torch's interpolate refuses bool
      case 'zeroSpatial4':
        return LEFT(['InvalidArgument']);
      case 'rank6':
        return LEFT(['InterpolateRankUnsupported']);
      case 'disposed4':
        return LEFT(['TensorDisposed']);
    }
    return tensorArgRefusal(id, { int: true }) ?? (id === 'bool' ? LEFT(['DtypeUnsupported', 'InterpolateRankUnsupported']) : LEFT(['InterpolateRankUnsupported'])); // 2-D and 1-D tensors
  },
};
const interpolateDimsRow: Row = {
  fn: 'interpolate',
  arg: 'interpolateDims',
  prefixes: ['interpolateDims'],
  hostiles: [
    ...GENERIC,
    h('zero', '0', () => 0),
    h('negative', '-1', () => -1),
    h('fractionDim', '2.5', () => 2.5),
    h('oneEntry', '[3] (one size for two spatial dims)', () => [3]),
    h('threeEntries', '[3,3,3]', () => [3, 3, 3]),
    h('entryNaN', '[3, NaN]', () => [3, NaN]),
    h('entryString', "[3, '3']", () => [3, '3']),
    h('unallocatable', 'Number.MAX_SAFE_INTEGER', () => Number.MAX_SAFE_INTEGER),
    h('pair', '[3,3] (legitimate)', () => [3, 3]),
    h('identity', '[2,2] (legitimate: no resize)', () => [2, 2]),
  ],
  build: (v) => [img(), v, 'nearest', {}],
  invoke: (a) => interpolate(a[0] as never, a[1] as never, a[2] as never, a[3] as never),
  expect: (id) => {
    if (id === 'pair') return RIGHT(async (value) => expectTensor(value, [1, 3, 3, 1], nearest3(IMG), 'nearest'));
    if (id === 'identity') {
      return RIGHT(async (value, args) => {
        assert(value !== args[0], 'a copy, not the input itself');
        await expectTensor(value, [1, 2, 2, 1], [0, 1, 2, 3], 'unchanged');
      });
    }
    if (id === 'proxy') return EITHER();
    return LEFT(['InvalidArgument', 'InterpolateSizeInvalid']);
  },
};
const interpolateModeRow: Row = {
  fn: 'interpolate',
  arg: 'mode',
  prefixes: ['mode'],
  hostiles: [
    ...GENERIC,
    h('linear', "'linear' (a 3-D mode, on a 4-D input)", () => 'linear'),
    h('upper', "'NEAREST'", () => 'NEAREST'),
    h('protoKey', "'__proto__'", () => '__proto__'),
    h('toStringKey', "'toString'", () => 'toString'),
    h('bilinear', "'bilinear' (legitimate)", () => 'bilinear'),
  ],
  build: (v) => [img(), 3, v, {}],
  invoke: (a) => interpolate(a[0] as never, a[1] as never, a[2] as never, a[3] as never),
  expect: (id) => {
    if (id === 'undefined') return RIGHT(async (value) => expectTensor(value, [1, 3, 3, 1], nearest3(IMG), 'the default mode, nearest'));
    if (id === 'bilinear') return RIGHT(async (value) => expectTensor(value, [1, 3, 3, 1], [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3], 'bilinear, half-pixel centres'));
    if (id === 'proxy') return EITHER();
    return LEFT(['InterpolateModeInvalid']);
  },
};
const interpolateOptionsRow: Row = {
  fn: 'interpolate',
  arg: 'options',
  prefixes: ['options'],
  hostiles: [
    ...NON_TENSORS,
    h('layoutBogus', "{layout:'bogus'}", () => ({ layout: 'bogus' })),
    h('layoutNull', '{layout:null}', () => ({ layout: null })),
    h('layoutNumber', '{layout:5}', () => ({ layout: 5 })),
    h('channelsFirst', "{layout:'channelsFirst'} (legitimate)", () => ({ layout: 'channelsFirst' })),
  ],
  build: (v) => [img(), 3, 'nearest', v],
  invoke: (a) => interpolate(a[0] as never, a[1] as never, a[2] as never, a[3] as never),
  expect: (id) => {
    // null is not "no options" (only undefined is): a Left naming options, like any other non-object.
    if (id === 'undefined' || id === 'object') {
      return RIGHT(async (value) => expectTensor(value, [1, 3, 3, 1], nearest3(IMG), 'nearest'));
    }
    if (id === 'channelsFirst') {
      // [N=1, C=2, H=2, W=1] -> [1, 2, 3, 3]: each channel's column is resized to 3x3 by nearest copies
      return RIGHT(async (value) => expectTensor(value, [1, 2, 3, 3], [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3], 'channelsFirst nearest'));
    }
    if (id.startsWith('layout')) return LEFT(['InvalidArgument']);
    return EITHER(); // a non-object options bag: ignoring it or refusing it are both fine
  },
};

// names and descriptors ----------------------------------------------------------------------------
const getNameRow: Row = {
  fn: 'getName',
  arg: 'className',
  prefixes: ['className'],
  hostiles: [
    ...GENERIC,
    h('stringObject', "new String('Abc')", () => new String('Abc')), // eslint-disable-line no-new-wrappers
    h('astral', "'𝒜bc' (a character outside the BMP)", () => '𝒜bc'),
  ],
  build: (v) => [v],
  invoke: (a) => getName(a[0] as never),
  expect: (id) => {
    if (id === 'string') return RIGHT((v) => assert(v === 'x', `got ${String(v)}`));
    if (id === 'emptyString') return RIGHT((v) => assert(v === '', `got ${String(v)}`));
    if (id === 'astral') return RIGHT((v) => assert(v === '𝒜bc', `got ${JSON.stringify(v)}`)); // '𝒜'.islower() is False in Python, but it is first
    if (id === 'stringObject' || id === 'proxy') return EITHER();
    return LEFT(['InvalidArgument']);
  },
};
const describeClassRow: Row = {
  fn: 'describeMethod',
  arg: 'className',
  prefixes: ['className'],
  hostiles: [
    ...GENERIC,
    h('protoKey', "'__proto__'", () => '__proto__'),
    h('toStringKey', "'toString'", () => 'toString'),
    h('constructorKey', "'constructor'", () => 'constructor'),
    h('lowercase', "'integratedgradients'", () => 'integratedgradients'),
  ],
  build: (v) => [v],
  invoke: (a) => describeMethod(a[0] as never),
  expect: (id) => (id === 'proxy' ? EITHER() : LEFT(['InvalidArgument'])),
};
const describeOptionsRow: Row = {
  fn: 'describeMethod',
  arg: 'options',
  prefixes: ['options'],
  hostiles: [
    ...NON_TENSORS,
    h('mbiString', "{multiplyByInputs:'yes'}", () => ({ multiplyByInputs: 'yes' })),
    h('mbiNull', '{multiplyByInputs:null}', () => ({ multiplyByInputs: null })),
    h('mbiFalse', '{multiplyByInputs:false} (legitimate for IntegratedGradients)', () => ({ multiplyByInputs: false })),
  ],
  build: (v) => ['IntegratedGradients', v],
  invoke: (a) => describeMethod(a[0] as never, a[1] as never),
  expect: (id) => {
    if (id === 'mbiFalse') return RIGHT((v) => assert((v as { multipliesByInputs: boolean }).multipliesByInputs === false, 'multipliesByInputs false'));
    if (id === 'mbiString' || id === 'mbiNull') return LEFT(['InvalidArgument']);
    if (id === 'undefined' || id === 'object') return RIGHT((v) => assert((v as { multipliesByInputs: boolean }).multipliesByInputs === true, 'defaults'));
    return EITHER();
  },
};
const noiseTunnelRow: Row = {
  fn: 'describeNoiseTunnel',
  arg: 'wrapped',
  prefixes: ['wrapped'],
  hostiles: [
    ...GENERIC,
    h('validDescriptor', "describeMethod('IntegratedGradients') (legitimate)", () => {
      const d = describeMethod('IntegratedGradients');
      return d._tag === 'Right' ? d.right : undefined;
    }),
    h('flagsMissing', "{className:'X', family:'gradient'} (no flags)", () => ({ className: 'X', family: 'gradient' })),
  ],
  build: (v) => [v],
  invoke: (a) => describeNoiseTunnel(a[0] as never),
  expect: (id) => {
    if (id === 'validDescriptor') {
      return RIGHT((v) => {
        const d = v as { className: string; name: string; hasConvergenceDelta: boolean; multipliesByInputs: boolean };
        assert(d.className === 'NoiseTunnel' && d.name === 'Noise Tunnel' && d.hasConvergenceDelta && d.multipliesByInputs, `got ${JSON.stringify(d)}`);
      });
    }
    return id === 'proxy' ? EITHER() : LEFT(['InvalidArgument']);
  },
};

// backends and kernels -----------------------------------------------------------------------------
// Only options that fail validation: valid ones ({}, [], {prefer: null}, a tensor...) would switch the backend under test.
const initBackendRow: Row = {
  fn: 'initBackend',
  arg: 'options',
  prefixes: ['options'],
  hostiles: [
    h('forceTpu', "{force:'tpu'}", () => ({ force: 'tpu' })),
    h('forceNull', '{force:null}', () => ({ force: null })),
    h('forceNaN', '{force:NaN}', () => ({ force: NaN })),
    h('preferEmpty', '{prefer:[]}', () => ({ prefer: [] })),
    h('preferTpu', "{prefer:['tpu']}", () => ({ prefer: ['tpu'] })),
    h('preferString', "{prefer:'cpu'}", () => ({ prefer: 'cpu' })),
    h('preferNull', '{prefer:[null]}', () => ({ prefer: [null] })),
    h('string', "the string 'cpu'", () => 'cpu'),
    h('NaN', 'NaN', () => NaN),
    h('number', '5', () => 5),
    h('boolean', 'true', () => true),
    h('bigint', '1n', () => 1n),
    h('symbol', 'a symbol', () => Symbol('hostile')),
    h('function', 'a function', () => () => 1),
    h('proxy', 'an object whose every property read throws', throwingProxy),
  ],
  build: (v) => [v],
  invoke: (a) => initBackend(a[0] as never),
  expect: () => LEFT(['InvalidArgument']),
};

const KERNEL_VARIANTS = new Set(['simd', 'scalar', 'js']);
const kernelStatusShape: Check = (v) => {
  const s = v as { variant?: unknown; reason?: unknown };
  assert(KERNEL_VARIANTS.has(s.variant as string), `a KernelStatus, got ${JSON.stringify(v)}`);
};
const configureKernelsRow: Row = {
  fn: 'configureKernels',
  arg: 'options',
  prefixes: ['options'],
  hostiles: [
    ...NON_TENSORS.filter((v) => ['null', 'NaN', 'string', 'boolean', 'bigint', 'symbol', 'function', 'emptyArray', 'proxy'].includes(v.id)),
    h('variantBogus', "{variant:'bogus'}", () => ({ variant: 'bogus' })),
    h('variantNumber', '{variant:5}', () => ({ variant: 5 })),
    h('simdGarbage', "{variant:'simd', simd: bytes that are not wasm}", () => ({ variant: 'simd', simd: new Uint8Array([0, 1, 2]) })),
    h('scalarMissing', "{variant:'scalar', scalar:'no/such/file.wasm'}", () => ({ variant: 'scalar', scalar: 'no/such/file.wasm' })),
    h('variantJs', "{variant:'js'} (legitimate)", () => ({ variant: 'js' })),
  ],
  build: (v) => [v],
  invoke: (a) => configureKernels(a[0] as never),
  expect: (id) => {
    if (id === 'variantJs') return RIGHT((v) => assert((v as { variant: string }).variant === 'js', 'js'));
    // unusable binaries: the JS reference runs, and the status says why
    if (id === 'simdGarbage' || id === 'scalarMissing') return RIGHT(kernelStatusShape);
    return LEFT(['InvalidArgument']);
  },
};
const kernelStatusRow: Row = {
  fn: 'kernelStatus',
  arg: '(extra argument)',
  prefixes: ['options'],
  plain: true,
  hostiles: [h('none', 'no argument', () => undefined), h('null', 'an unexpected null argument', () => null)],
  build: (v) => [v],
  invoke: (a) => (kernelStatus as (x?: unknown) => unknown)(a[0]),
  expect: () => RIGHT(kernelStatusShape),
};

const ROWS: readonly Row[] = [
  sumRowsRow,
  tensorizeInputsRow,
  tensorizeBaselinesRow,
  formatValueRow,
  formatArgsRow,
  selectOutputRow,
  selectTargetRow,
  resolveTargetRow,
  applyOutputRow,
  applyResolvedRow,
  validateNRow,
  validateTRow,
  runForwardModelRow,
  runForwardInputsRow,
  runForwardTargetRow,
  runForwardArgsRow,
  computeGradientsModelRow,
  computeGradientsInputsRow,
  computeGradientsTargetRow,
  computeGradientsArgsRow,
  convergenceModelRow,
  convergenceOptionsRow,
  convergenceEndPointRow,
  convergenceAttributionsRow,
  convergenceStartPointRow,
  convergenceTargetRow,
  convergenceArgsRow,
  interpolateInputRow,
  interpolateDimsRow,
  interpolateModeRow,
  interpolateOptionsRow,
  getNameRow,
  describeClassRow,
  describeOptionsRow,
  noiseTunnelRow,
  initBackendRow,
  configureKernelsRow,
  kernelStatusRow,
];

// ---- the suite ------------------------------------------------------------------------------

const backendBefore = tf.getBackend();
runHostileRows('hostile inputs', ROWS, {
  afterEach: async (row) => {
    if (row.fn === 'configureKernels') await configureKernels({}); // back to the default kernels
    if (row.fn === 'initBackend') assert(tf.getBackend() === backendBefore, `initBackend switched the backend to ${tf.getBackend()}`);
  },
  after: async () => {
    await configureKernels({});
  },
});
