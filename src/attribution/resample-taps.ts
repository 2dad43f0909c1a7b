// Per-axis resampling tables for torch.nn.functional.interpolate (align_corners=False, no antialias).
// Every mode Captum can ask for is a separable product kernel, so an N-D resize is a sequence of 1-D
// resizes, one spatial axis at a time. Each 1-D resize is fully described by a small table, computed
// here in plain JS (no tensors, no backend): for output cell j, `taps` input indices and weights.
// The arithmetic mirrors torch's CPU kernels (aten/src/ATen/native/UpSample.h), including their
// float32 rounding, so the chosen indices match torch exactly.

/** The 1-D kernel behind a mode: `linear` serves linear, bilinear and trilinear; `cubic` serves bicubic. */
export type ResampleKind = 'nearest' | 'nearest-exact' | 'linear' | 'cubic' | 'area';

/**
 * How to build one output axis of length `size` from an input axis: output cell `j` is
 * `sum_k weight[j*taps + k] * input[index[j*taps + k]]`. `weight` is absent for the nearest modes,
 * whose single tap is a pure copy (a gather keeps the dtype and NaNs exactly).
 */
export interface TapTable {
  readonly size: number;
  readonly taps: number;
  /** `[size * taps]`, row-major by output cell; always a valid input index, also for padding taps. */
  readonly index: Int32Array;
  /** `[size * taps]`; padding taps have weight 0. */
  readonly weight: Float32Array | undefined;
}

const f32 = Math.fround;

/** torch's `(float)input_size / output_size`: the scale is a float32. */
const scaleOf = (inSize: number, outSize: number): number => f32(inSize / outSize);

const clampIndex = (i: number, inSize: number): number => Math.min(Math.max(i, 0), inSize - 1);

/** Legacy `nearest`: `min(floorf(dst * scale), in - 1)`, the product rounded to float32 as in torch. */
function nearestTable(inSize: number, outSize: number, exact: boolean): TapTable {
  const scale = scaleOf(inSize, outSize);
  const index = new Int32Array(outSize);
  for (let j = 0; j < outSize; j++) {
    // nearest-exact samples at the cell centre: floorf((dst + 0.5) * scale).
    const src = exact ? f32(f32(j + 0.5) * scale) : f32(j * scale);
    index[j] = Math.min(Math.floor(src), inSize - 1);
  }
  return { size: outSize, taps: 1, index, weight: undefined };
}

/** Half-pixel source coordinate, `scale * (dst + 0.5) - 0.5`, in float32 like torch's opmath. */
const halfPixelSource = (scale: number, j: number): number => f32(f32(scale * f32(j + 0.5)) - 0.5);

/** Linear: two taps; the coordinate is clamped at 0 and the upper tap at the last cell. */
function linearTable(inSize: number, outSize: number): TapTable {
  const scale = scaleOf(inSize, outSize);
  const index = new Int32Array(outSize * 2);
  const weight = new Float32Array(outSize * 2);
  for (let j = 0; j < outSize; j++) {
    const src = Math.max(halfPixelSource(scale, j), 0);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const lambda1 = f32(Math.min(Math.max(src - i0, 0), 1));
    index[2 * j] = i0;
    index[2 * j + 1] = Math.min(i0 + 1, inSize - 1);
    weight[2 * j] = f32(1 - lambda1);
    weight[2 * j + 1] = lambda1;
  }
  return { size: outSize, taps: 2, index, weight };
}

/** Keys' cubic convolution with torch's A = -0.75. */
const A = -0.75;
/** For |x| <= 1. */
const cubic1 = (x: number): number => ((A + 2) * x - (A + 3)) * x * x + 1;
/** For 1 < |x| < 2. */
const cubic2 = (x: number): number => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;

/** Bicubic: four taps at i-1 .. i+2, each clamped into the axis; the coordinate is NOT clamped at 0. */
function cubicTable(inSize: number, outSize: number): TapTable {
  const scale = scaleOf(inSize, outSize);
  const index = new Int32Array(outSize * 4);
  const weight = new Float32Array(outSize * 4);
  for (let j = 0; j < outSize; j++) {
    const src = halfPixelSource(scale, j);
    const i = Math.min(Math.floor(src), inSize - 1);
    const t = f32(Math.min(Math.max(src - i, 0), 1));
    const w = [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)];
    for (let k = 0; k < 4; k++) {
      index[4 * j + k] = clampIndex(i - 1 + k, inSize);
      weight[4 * j + k] = w[k] ?? 0;
    }
  }
  return { size: outSize, taps: 4, index, weight };
}

/**
 * Area (adaptive average pooling): cell j averages inputs `floor(j*in/out) .. ceil((j+1)*in/out) - 1`.
 * Windows differ in length; every window is padded to a power-of-two count with weight-0 taps that repeat the window's first
 * index, so a padding tap never reads a value (a NaN, say) from outside the window.
 */
function areaTable(inSize: number, outSize: number): TapTable {
  const start = (j: number): number => Math.floor((j * inSize) / outSize);
  const end = (j: number): number => Math.ceil(((j + 1) * inSize) / outSize);
  let widest = 1;
  for (let j = 0; j < outSize; j++) widest = Math.max(widest, end(j) - start(j));
  // A power of two, so that the window can be summed pairwise (interpolate.ts).
  const taps = 2 ** Math.ceil(Math.log2(widest));
  const index = new Int32Array(outSize * taps);
  const weight = new Float32Array(outSize * taps);
  for (let j = 0; j < outSize; j++) {
    const s = start(j);
    const len = end(j) - s;
    for (let k = 0; k < taps; k++) {
      index[j * taps + k] = k < len ? s + k : s;
      weight[j * taps + k] = k < len ? 1 / len : 0;
    }
  }
  return { size: outSize, taps, index, weight };
}

/**
 * The table resizing one axis from `inSize` to `outSize` cells (both positive integers).
 *
 * @example
 * tapTable('nearest', 5, 3).index;       // Int32Array [0, 1, 3]
 * tapTable('area', 5, 3).taps;          // 3 (windows 0..1, 1..3 and 3..4)
 */
export function tapTable(kind: ResampleKind, inSize: number, outSize: number): TapTable {
  switch (kind) {
    case 'nearest':
      return nearestTable(inSize, outSize, false);
    case 'nearest-exact':
      return nearestTable(inSize, outSize, true);
    case 'linear':
      return linearTable(inSize, outSize);
    case 'cubic':
      return cubicTable(inSize, outSize);
    case 'area':
      return areaTable(inSize, outSize);
  }
}

/** True when the table copies the axis unchanged (one tap, weight 1 or none, index j for cell j). */
export function isIdentity(table: TapTable, inSize: number): boolean {
  if (table.taps !== 1 || table.size !== inSize) return false;
  for (let j = 0; j < table.size; j++) {
    if (table.index[j] !== j || (table.weight !== undefined && table.weight[j] !== 1)) return false;
  }
  return true;
}
