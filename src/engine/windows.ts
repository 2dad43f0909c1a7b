// Occlusion's sliding windows (Captum's `_format_and_verify_sliding_window_shapes`,
// `_format_and_verify_strides` and the window geometry of `Occlusion`): per input and per non-batch
// dimension of size D, window w and stride s, `ceil((D − w)/s) + 1` positions, window q covering
// `[q·s, min(q·s + w, D))` (the last one clipped at the edge).
import type * as tf from '@tensorflow/tfjs-core';
import { describeValue, readArray } from '../core/arguments.js';
import type { AttributionError } from '../core/errors.js';
import { formatShape } from '../core/tensors.js';
import { allOf, fail, ok, type Result } from '../core/validation.js';

/** One input's windows: per non-batch dim the window size, stride and number of positions. */
export interface WindowGrid {
  readonly dims: readonly number[];
  readonly window: readonly number[];
  readonly stride: readonly number[];
  readonly positions: readonly number[];
  /** Π positions. */
  readonly count: number;
}

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

function readList(value: unknown, path: string, length: number, what: string): Result<number[]> {
  if (!Array.isArray(value)) return fail({ _tag: 'InvalidArgument', path, expected: `${what}: an array of ${length} positive integers`, got: describeValue(value) });
  const list = readArray(value, path);
  if (list._tag === 'Left') return list;
  const bad = list.right.findIndex((v) => !isPositiveInt(v));
  if (list.right.length !== length || bad >= 0) {
    return fail({
      _tag: 'InvalidArgument',
      path: bad >= 0 && list.right.length === length ? `${path}[${bad}]` : path,
      expected: `${what}: an array of ${length} positive integers (one per non-batch dimension)`,
      got: bad >= 0 && list.right.length === length ? describeValue(list.right[bad]) : `an array of length ${list.right.length}`,
    });
  }
  return ok(list.right as number[]);
}

/** Per input: the window list (`slidingWindowShapes`); a single input may give its window directly. */
function perInput(value: unknown, count: number, path: string): Result<unknown[]> {
  if (!Array.isArray(value)) return fail({ _tag: 'InvalidArgument', path, expected: count === 1 ? 'an array of window sizes' : `an array of ${count} window shapes, one per input`, got: describeValue(value) });
  const list = readArray(value, path);
  if (list._tag === 'Left') return list;
  const nested = list.right.length > 0 && list.right.every((v) => Array.isArray(v));
  if (count === 1 && !nested) return ok([value]);
  if (list.right.length !== count) return fail({ _tag: 'InvalidArgument', path, expected: `${count} window shapes, one per input`, got: `an array of length ${list.right.length}` });
  return ok(list.right);
}

/** Checks `slidingWindowShapes` and `strides` against the inputs and builds the grids. */
export function windowGrids(inputs: readonly tf.Tensor[], isTuple: boolean, windows: unknown, strides: unknown): Result<WindowGrid[]> {
  const wPath = 'options.slidingWindowShapes';
  const sPath = 'options.strides';
  const wList = perInput(windows, inputs.length, wPath);
  let sList: Result<unknown[]>;
  if (strides === undefined || strides === null || isPositiveInt(strides)) sList = ok(inputs.map(() => strides ?? 1));
  else if (inputs.length === 1 && Array.isArray(strides) && !strides.some((v) => Array.isArray(v))) sList = ok([strides]);
  else if (Array.isArray(strides)) {
    const list = readArray(strides, sPath);
    sList = list._tag === 'Left' ? list : list.right.length === inputs.length ? list : fail({ _tag: 'InvalidArgument', path: sPath, expected: `${inputs.length} strides, one per input`, got: `an array of length ${list.right.length}` });
  } else sList = fail({ _tag: 'InvalidArgument', path: sPath, expected: 'a positive integer, or one stride (integer or array) per input', got: describeValue(strides) });
  if (wList._tag === 'Left' || sList._tag === 'Left') return allOf<unknown>([wList, sList]) as Result<never>;
  return allOf(
    inputs.map((x, i): Result<WindowGrid> => {
      const at = (p: string) => (isTuple ? `${p}[${i}]` : p);
      const dims = x.shape.slice(1);
      const w = readList(wList.right[i], at(wPath), dims.length, 'a sliding window');
      const rawStride = sList.right[i];
      const s = isPositiveInt(rawStride) ? ok(dims.map(() => rawStride)) : readList(rawStride, at(sPath), dims.length, 'strides');
      if (w._tag === 'Left' || s._tag === 'Left') return allOf<unknown>([w, s]) as Result<never>;
      const errors: AttributionError[] = [];
      dims.forEach((d, j) => {
        const wj = w.right[j]!;
        const sj = s.right[j]!;
        if (wj > d) errors.push({ _tag: 'InvalidArgument', path: `${at(wPath)}[${j}]`, expected: `a window no larger than the input's dimension ${j + 1} (${d}) of shape ${formatShape(x.shape)}`, got: `${wj}` });
        else if (sj > wj && d - wj !== 0) errors.push({ _tag: 'InvalidArgument', path: `${at(sPath)}${isPositiveInt(rawStride) ? '' : `[${j}]`}`, expected: `a stride no larger than the window (${wj}) in dimension ${j + 1}`, got: `${sj}` });
      });
      if (errors.length > 0) return allOf(errors.map((e) => fail(e))) as Result<never>;
      const positions = dims.map((d, j) => Math.ceil((d - w.right[j]!) / s.right[j]!) + 1);
      return ok({ dims, window: w.right, stride: s.right, positions, count: positions.reduce((a, b) => a * b, 1) });
    }),
  );
}

/** Writes 1 into `out` (row-major over `grid.dims`, from `offset`) over window `index`'s box (first dim varying fastest in the numbering). */
export function fillWindow(grid: WindowGrid, index: number, out: Float32Array | Uint8Array, offset = 0): void {
  const r = grid.dims.length;
  const lo: number[] = [];
  const hi: number[] = [];
  let rem = index;
  for (let d = 0; d < r; d++) {
    const q = rem % grid.positions[d]!;
    rem = Math.floor(rem / grid.positions[d]!);
    lo.push(q * grid.stride[d]!);
    hi.push(Math.min(q * grid.stride[d]! + grid.window[d]!, grid.dims[d]!));
  }
  const strides: number[] = new Array<number>(r);
  let acc = 1;
  for (let d = r - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= grid.dims[d]!;
  }
  const visit = (d: number, base: number): void => {
    if (d === r) {
      out[offset + base] = (out[offset + base] ?? 0) + 1;
      return;
    }
    for (let v = lo[d]!; v < hi[d]!; v++) visit(d + 1, base + v * strides[d]!);
  };
  visit(0, 0);
}
