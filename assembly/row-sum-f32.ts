// The f64 sum of one f32 row, shared by the copying kernels (row-sums.ts) and the in-place ones
// (row-sums-inplace.ts). A convergence delta is a small difference of large sums, so f32 values are
// promoted to f64 before they are added (an f32 accumulator errs by ~1e-3 over 1e6 terms).
//
// The row is read as eight streams side by side (its eighths): one core keeps more cache-line fills
// in flight over several sequential streams than over one, and a single stream stays well short of
// the memory's bandwidth. Measured on a [64, 1e6] float32 tensor (2-core Xeon, Node 20): one stream
// 44 ms, two 31 ms, four 24 ms, eight 22 ms, sixteen no better than eight; a plain copy of the
// same bytes 25 ms, PyTorch's sum(1) 24 ms. The remainder past the eighths is added at the end.

// @ts-ignore: decorator
@inline
function low(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

// @ts-ignore: decorator
@inline
function high(v: v128): v128 {
  return f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 0));
}

/** The sum of `cols` f32 values from `row`, in f64. */
// @ts-ignore: decorator
@inline
export function rowSumF32(row: usize, cols: i32): f64 {
  const eighth = (cols >> 5) << 2; // values per stream, a multiple of 4
  const step = <usize>eighth << 2; // bytes between streams
  let total: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    // Eight streams, four pairs: each pair's f32x4 loads are promoted and added in f64, into a low and a high accumulator.
    let a0 = f64x2.splat(0);
    let b0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let b1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let b2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    let b3 = f64x2.splat(0);
    for (let at = row; at < row + step; at += 16) {
      const v0 = v128.load(at);
      const v1 = v128.load(at + step);
      const v2 = v128.load(at + 2 * step);
      const v3 = v128.load(at + 3 * step);
      const v4 = v128.load(at + 4 * step);
      const v5 = v128.load(at + 5 * step);
      const v6 = v128.load(at + 6 * step);
      const v7 = v128.load(at + 7 * step);
      a0 = f64x2.add(a0, f64x2.add(low(v0), low(v4)));
      b0 = f64x2.add(b0, f64x2.add(high(v0), high(v4)));
      a1 = f64x2.add(a1, f64x2.add(low(v1), low(v5)));
      b1 = f64x2.add(b1, f64x2.add(high(v1), high(v5)));
      a2 = f64x2.add(a2, f64x2.add(low(v2), low(v6)));
      b2 = f64x2.add(b2, f64x2.add(high(v2), high(v6)));
      a3 = f64x2.add(a3, f64x2.add(low(v3), low(v7)));
      b3 = f64x2.add(b3, f64x2.add(high(v3), high(v7)));
    }
    const acc = f64x2.add(f64x2.add(f64x2.add(a0, b0), f64x2.add(a1, b1)), f64x2.add(f64x2.add(a2, b2), f64x2.add(a3, b3)));
    total = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  } else {
    let t0: f64 = 0;
    let t1: f64 = 0;
    let t2: f64 = 0;
    let t3: f64 = 0;
    for (let at = row; at < row + step; at += 4) {
      t0 += <f64>load<f32>(at) + <f64>load<f32>(at + 4 * step);
      t1 += <f64>load<f32>(at + step) + <f64>load<f32>(at + 5 * step);
      t2 += <f64>load<f32>(at + 2 * step) + <f64>load<f32>(at + 6 * step);
      t3 += <f64>load<f32>(at + 3 * step) + <f64>load<f32>(at + 7 * step);
    }
    total = (t0 + t1) + (t2 + t3);
  }
  for (let c = eighth << 3; c < cols; c++) {
    total += <f64>load<f32>(row + (<usize>c << 2));
  }
  return total;
}
