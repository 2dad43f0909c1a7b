// Captum's LayerAttribution.interpolate: `torch.nn.functional.interpolate(x, size=dims, mode=mode)`
// with torch's defaults (align_corners=False, antialias=False). TF.js has no op for bicubic,
// trilinear or area, and its resize ops are 4-D NHWC only, so every mode is built the same way:
// each mode is a separable product kernel, hence an N-D resize is one 1-D resize per spatial axis,
// and a 1-D resize is a gather of precomputed input indices followed by a weighted sum over taps.
// The index/weight tables are plain JS (see resample-taps.ts); everything else runs on-device, with
// no data read back, so it works unchanged on WebGPU.
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionError } from '../core/errors.js';
import { describeValue, readArray, readFields } from '../core/arguments.js';
import { checkTensor, formatShape } from '../core/tensors.js';
import { tidyResult } from '../core/tidy-result.js';
import { all, allOf, attempt, errorText, fail, ok, type Result } from '../core/validation.js';
import { isIdentity, type ResampleKind, type TapTable, tapTable } from './resample-taps.js';
import { checkWorkingSet } from '../engine/memory-budget.js';

/**
 * The modes `torch.nn.functional.interpolate` accepts; which ones apply depends on the rank.
 *
 * @example
 * const mode: InterpolateMode = 'bicubic'; // 4-D only, like bilinear; linear is 3-D, trilinear 5-D
 * interpolate(tf.ones([1, 2, 2, 1]), 4, mode); // Right(tensor [1, 4, 4, 1])
 */
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'area' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear';

/**
 * Options of {@link interpolate}.
 *
 * @example
 * const torchLayout: InterpolateOptions = { layout: 'channelsFirst' }; // [N, C, H, W]
 * interpolate(tf.ones([1, 3, 2, 2]), [4, 4], 'nearest', torchLayout); // Right(tensor [1, 3, 4, 4])
 */
export interface InterpolateOptions {
  /**
   * Where the channels are. `channelsLast` (TF.js, the default): `[N,L,C]`, `[N,H,W,C]`, `[N,D,H,W,C]`.
   * `channelsFirst` (torch): `[N,C,L]`, `[N,C,H,W]`, `[N,C,D,H,W]`. Only the spatial dims are resized.
   */
  readonly layout?: 'channelsLast' | 'channelsFirst';
}

type SupportedRank = 3 | 4 | 5;

/** The modes torch 1.13 accepts for each input rank; anything else is a NotImplementedError there. */
const VALID_MODES: Readonly<Record<SupportedRank, readonly InterpolateMode[]>> = {
  3: ['nearest', 'nearest-exact', 'linear', 'area'],
  4: ['nearest', 'nearest-exact', 'bilinear', 'bicubic', 'area'],
  5: ['nearest', 'nearest-exact', 'trilinear', 'area'],
};

const KIND: Readonly<Record<InterpolateMode, ResampleKind>> = {
  nearest: 'nearest',
  'nearest-exact': 'nearest-exact',
  area: 'area',
  linear: 'linear',
  bilinear: 'linear',
  trilinear: 'linear',
  bicubic: 'cubic',
};

const isSupportedRank = (rank: number): rank is SupportedRank => rank === 3 || rank === 4 || rank === 5;

const unexpected = (e: unknown): AttributionError => ({ _tag: 'Unexpected', path: 'interpolate', message: errorText(e) });

/** The tensor, with a rank torch can interpolate and spatial dims of at least one cell. */
function checkLayerAttribution(value: unknown, channelsFirst: boolean): Result<tf.Tensor> {
  const checked = checkTensor(value, 'layerAttribution', { dtypes: ['float32', 'int32'] });
  if (checked._tag === 'Left') return checked;
  const x = checked.right;
  if (!isSupportedRank(x.rank)) return fail({ _tag: 'InterpolateRankUnsupported', path: 'layerAttribution', rank: x.rank });
  // torch: "Input and output sizes should be greater than 0".
  if (spatialAxes(x.rank, channelsFirst).some((axis) => (x.shape[axis] ?? 0) < 1)) {
    return fail({
      _tag: 'InvalidArgument',
      path: 'layerAttribution',
      expected: `spatial dimensions of size at least 1 (${channelsFirst ? 'channelsFirst' : 'channelsLast'} layout)`,
      got: `shape ${formatShape(x.shape)}`,
    });
  }
  return ok(x);
}

/** Axes that are resized: 1..rank-2 channels-last, 2..rank-1 channels-first. */
function spatialAxes(rank: number, channelsFirst: boolean): number[] {
  const first = channelsFirst ? 2 : 1;
  return Array.from({ length: Math.max(rank - 2, 0) }, (_, i) => first + i);
}

function checkLayout(options: unknown): Result<boolean> {
  const fields = readFields(options, 'options', ['layout']);
  if (fields._tag === 'Left') return fields;
  const layout = fields.right.layout;
  if (layout === undefined || layout === 'channelsLast') return ok(false);
  if (layout === 'channelsFirst') return ok(true);
  return fail({ _tag: 'InvalidArgument', path: 'options.layout', expected: "'channelsLast' or 'channelsFirst'", got: describeValue(layout) });
}

/** A mode torch accepts for this rank (unknown strings included in the rejection, as in torch). */
function checkMode(mode: unknown, rank: SupportedRank): Result<InterpolateMode> {
  const valid = VALID_MODES[rank];
  return typeof mode === 'string' && (valid as readonly string[]).includes(mode)
    ? ok(mode as InterpolateMode)
    : fail({ _tag: 'InterpolateModeInvalid', path: 'mode', mode: typeof mode === 'string' ? mode : describeValue(mode), rank, valid });
}

/** Larger sizes are surely mistakes, and their index tables alone would not fit in memory. */
const MAX_SIZE = 1 << 20;

function checkSize(value: unknown, path: string): Result<number> {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= MAX_SIZE
    ? ok(value)
    : fail({ _tag: 'InterpolateSizeInvalid', path, expected: `a positive integer of at most ${MAX_SIZE}`, got: describeValue(value) });
}

/**
 * The output size of every spatial dim. An int applies to all of them; an array needs one entry per
 * spatial dim. Entries are checked even when the count (which needs the tensor's rank) is unknown.
 */
function checkDims(dims: unknown, spatialCount: number | undefined): Result<number[]> {
  if (typeof dims === 'number') {
    const size = checkSize(dims, 'interpolateDims');
    return size._tag === 'Left' ? size : ok(Array.from({ length: spatialCount ?? 0 }, () => size.right));
  }
  if (!Array.isArray(dims)) {
    return fail({
      _tag: 'InvalidArgument',
      path: 'interpolateDims',
      expected: 'a positive integer or an array of positive integers (one per spatial dimension)',
      got: describeValue(dims),
    });
  }
  const read = readArray(dims, 'interpolateDims');
  if (read._tag === 'Left') return read;
  const entries = read.right;
  const count: Result<number> =
    spatialCount === undefined || entries.length === spatialCount
      ? ok(entries.length)
      : fail({
          _tag: 'InterpolateSizeInvalid',
          path: 'interpolateDims',
          expected: `${spatialCount} output size${spatialCount === 1 ? '' : 's'} (one per spatial dimension)`,
          got: `${entries.length}`,
        });
  const checked = all({ count, sizes: allOf(entries.map((d, i) => checkSize(d, `interpolateDims[${i}]`))) });
  return checked._tag === 'Left' ? checked : ok(checked.right.sizes);
}

interface Plan {
  readonly x: tf.Tensor;
  readonly kind: ResampleKind;
  /** One resize per spatial axis that actually changes. */
  readonly steps: readonly { readonly axis: number; readonly table: TapTable }[];
}

/** Every argument check; independent problems are reported together. */
function plan(layerAttribution: unknown, interpolateDims: unknown, mode: unknown, options: unknown): Result<Plan> {
  const layout = checkLayout(options);
  const channelsFirst = layout._tag === 'Right' && layout.right;
  const x = checkLayerAttribution(layerAttribution, channelsFirst);
  // Rank-dependent checks (mode, number of sizes) only run once the rank is known to be supported.
  const rank = x._tag === 'Right' ? x.right.rank : undefined;
  const supported = rank !== undefined && isSupportedRank(rank) ? rank : undefined;
  const checked = all({
    layout,
    x,
    mode: supported === undefined ? ok(undefined) : checkMode(mode, supported),
    sizes: checkDims(interpolateDims, supported === undefined ? undefined : supported - 2),
  });
  if (checked._tag === 'Left') return checked;
  const { x: input, mode: m, sizes } = checked.right;
  if (m === undefined) return fail(unexpected('interpolate: mode left unchecked'));
  const kind = KIND[m];
  const steps = spatialAxes(input.rank, checked.right.layout).flatMap((axis, i) => {
    const inSize = input.shape[axis] ?? 0;
    const table = tapTable(kind, inSize, sizes[i] ?? 0);
    return isIdentity(table, inSize) ? [] : [{ axis, table }];
  });
  return ok({ x: input, kind, steps });
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Sums the taps axis (`axis`, a power-of-two length) pairwise: log2(taps) exact-order additions. */
function pairwiseSum(t: tf.Tensor, axis: number): tf.Tensor {
  let out = t;
  while ((out.shape[axis] ?? 1) > 1) {
    const half = (out.shape[axis] as number) / 2;
    const shape = [...out.shape.slice(0, axis), half, 2, ...out.shape.slice(axis + 1)];
    const next: tf.Tensor = tf.sum(tf.reshape(out, shape), axis + 1); // [.., half, ..]: a[2i] + a[2i+1]
    if (out !== t) out.dispose();
    out = next;
  }
  return tf.reshape(out, [...out.shape.slice(0, axis), ...out.shape.slice(axis + 1)]);
}

/**
 * One 1-D resize along `axis`: `out[.., j, ..] = sum_k weight[j,k] * x[.., index[j,k], ..]`.
 * One gather fetches every tap at once; a reshape splits the taps into their own axis, which the
 * weighted sum then removes. Area sums its window's taps pairwise and divides by the window's
 * length, as torch's adaptive average pooling does (a float32 running sum over a window of
 * thousands of cells would lose digits on wasm, whose sum accumulates in float32).
 */
function resampleAxis(x: tf.Tensor, axis: number, table: TapTable, kind: ResampleKind): tf.Tensor {
  const { size, taps, index, weight } = table;
  // [...before, size * taps, ...after]: the taps of output cell j are contiguous.
  const gathered = tf.gather(x, tf.tensor1d(index, 'int32'), axis);
  if (weight === undefined) return gathered; // nearest modes: a pure copy, dtype and NaNs kept exactly
  const before = x.shape.slice(0, axis);
  const after = x.shape.slice(axis + 1);
  // [...before, size, taps, ...after]
  const split = tf.reshape(gathered, [...before, size, taps, ...after]);
  if (kind === 'area') {
    const lengths = new Float32Array(size);
    const inWindow = new Uint8Array(size * taps);
    for (let k = 0; k < size * taps; k++) {
      if ((weight[k] as number) > 0) {
        inWindow[k] = 1;
        const j = Math.floor(k / taps);
        lengths[j] = (lengths[j] as number) + 1;
      }
    }
    // Padding taps are masked out with a where (so Infinity there gives no NaN), on a 3-D view
    // [before, size * taps, after], the rank every backend's where supports.
    const outer = product(before);
    const inner = product(after);
    const mask = tf.tensor(inWindow, [1, size * taps, 1], 'bool');
    const flat = tf.reshape(gathered, [outer, size * taps, inner]);
    // [before, size, taps, after]
    const masked = tf.reshape(tf.where(tf.broadcastTo(mask, flat.shape), flat, tf.zerosLike(flat)), [outer, size, taps, inner]);
    gathered.dispose();
    const sum = pairwiseSum(masked, 2); // [before, size, after]
    masked.dispose();
    // [...before, size, ...after]
    return tf.reshape(tf.div(sum, tf.tensor(lengths, [1, size, 1], 'float32')), [...before, size, ...after]);
  }
  // [size, taps, 1, ...]: broadcasts over `after` and (by right-alignment) over `before`.
  const w = tf.tensor(weight, [size, taps, ...after.map(() => 1)], 'float32');
  // [...before, size, ...after]
  return tf.sum(tf.mul(split, w), axis + 1);
}

/**
 * The element counts of the tensors each step keeps alive at once (its input, the gathered taps,
 * the weighted or masked copies, the result), for the allocation budget.
 */
function workingSets(shape: readonly number[], steps: Plan['steps'], kind: ResampleKind, cast: boolean): number[][] {
  const sets: number[][] = [];
  let current = [...shape];
  const count = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  steps.forEach(({ axis, table }, i) => {
    const gathered = [...current];
    gathered[axis] = table.size * table.taps;
    const out = [...current];
    out[axis] = table.size;
    const g = count(gathered);
    const held = i > 0 || cast ? [count(current)] : [];
    const temporaries = kind === 'nearest' || kind === 'nearest-exact' ? [] : kind === 'area' ? [g, g, g, g / 2] : [g, g];
    sets.push([...held, g, ...temporaries, count(out)]);
    current = out;
  });
  if (sets.length === 0) sets.push(cast ? [count(shape), count(shape)] : [count(shape)]);
  return sets;
}

/**
 * Captum's `LayerAttribution.interpolate`: resizes the spatial dims of a layer attribution to
 * `interpolateDims`, exactly as `torch.nn.functional.interpolate(x, size, mode)` with
 * `align_corners=False` (half-pixel centres for linear, bicubic and nearest-exact; legacy
 * `floor(dst * in / out)` for nearest; adaptive average pooling for area; no antialiasing).
 *
 * - Valid modes: 3-D nearest, nearest-exact, linear, area; 4-D nearest, nearest-exact, bilinear,
 *   bicubic, area; 5-D nearest, nearest-exact, trilinear, area. Other ranks are rejected.
 * - `interpolateDims`: one positive integer for every spatial dim, or one per spatial dim.
 * - dtype: float32 stays float32. int32 stays int32 for the nearest modes (a pure copy); the
 *   weighted modes return float32 (torch rejects integer input there).
 * - An empty batch is fine and stays empty.
 *
 * - An output (or intermediate) the active backend cannot hold is refused with `AllocationTooLarge`
 *   at `interpolateDims` before anything is allocated, so the backend stays usable.
 *
 * Returns a new tensor owned by the caller; nothing else is kept. Never throws.
 *
 * @example
 * const x = tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]); // NHWC, a 2x2 image [[0, 1], [2, 3]]
 * interpolate(x, 3);             // Right(tensor [1,3,3,1]: [[0, 0, 1], [0, 0, 1], [2, 2, 3]])
 * interpolate(x, [4, 4], 'bilinear'); // Right: first row [0, 0.25, 0.75, 1]
 * interpolate(tf.tensor3d([0, 1, 2, 3, 4], [1, 1, 5]), 3, 'area', { layout: 'channelsFirst' }); // Right(tensor [[[0.5, 2, 3.5]]])
 * interpolate(x, 3, 'linear');   // Left: InterpolateModeInvalid (linear needs a 3-D input)
 */
export function interpolate(
  layerAttribution: tf.Tensor,
  interpolateDims: number | readonly number[],
  mode: InterpolateMode = 'nearest',
  options: InterpolateOptions = {},
): Result<tf.Tensor> {
  return attempt(() => {
    const checked = plan(layerAttribution, interpolateDims, mode, options);
    if (checked._tag === 'Left') return checked;
    const { x, kind, steps } = checked.right;
    // Weighted sums are float arithmetic; the nearest modes are a pure gather and keep int32.
    const weighted = kind !== 'nearest' && kind !== 'nearest-exact';
    const dtype = weighted ? 'float32' : x.dtype;
    const outShape = [...x.shape];
    for (const { axis, table } of steps) outShape[axis] = table.size;
    // Before anything is allocated: the output and every intermediate must fit the backend.
    const sets = x.size === 0 ? [[0]] : workingSets(x.shape, steps, kind, x.dtype !== dtype);
    const worst = sets.reduce((a, b) => (b.reduce((p, q) => p + q, 0) > a.reduce((p, q) => p + q, 0) ? b : a));
    const fits = checkWorkingSet(
      worst,
      'float32',
      'interpolateDims',
      `interpolating ${formatShape(x.shape)} to ${formatShape(outShape)} (${kind})`,
      'ask for a smaller size, or interpolate fewer examples (or channels) at a time',
    );
    if (fits._tag === 'Left') return fits;
    const largest = checkWorkingSet([Math.max(...sets.flat())], 'float32', 'interpolateDims', `one intermediate of interpolating ${formatShape(x.shape)} to ${formatShape(outShape)} (${kind})`, 'ask for a smaller size, or interpolate fewer examples (or channels) at a time');
    if (largest._tag === 'Left') return largest;
    if (x.size === 0) {
      // An empty batch: nothing to resample, and the wasm backend's gather divides by zero on it.
      return tidyResult(() => ok(tf.zeros(outShape, dtype)));
    }
    return tidyResult(() => {
      // tfjs-backend-cpu's cast from int32 to float32 only relabels the int32 data; adding 0 makes
      // a real float32 copy, so every backend hands back the same float32 values.
      let out = x.dtype !== dtype ? tf.add(tf.cast(x, dtype), tf.scalar(0, dtype)) : x;
      for (const { axis, table } of steps) {
        // One step at a time, each in its own scope, so at most one step's tensors are alive.
        const input = out;
        out = tf.tidy(() => resampleAxis(input, axis, table, kind));
        if (input !== x) input.dispose();
      }
      return ok(out);
    });
  }, unexpected);
}
