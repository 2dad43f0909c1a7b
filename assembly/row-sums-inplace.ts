// Row sums read where the data already lives: this module is built to IMPORT tfjs-backend-wasm's
// WebAssembly.Memory (env.memory), so `src` is a tensor's offset in the backend's heap and `dst` is
// scratch taken from the backend's own allocator (malloc). The module has no data segments, no
// globals in memory and no start function: it never writes anything of its own into that memory,
// only the `rows` f64 results into `dst`. f32 values are promoted to f64 before they are added
// (the same accuracy as row-sums.ts); each row is read as four streams with eight independent
// accumulators, so it streams near memory speed. One source builds the SIMD and scalar binaries.

/** dst[r] = sum of the f32 row r of src (rows x cols, row-major), in f64. dst is f64[rows]. */
export function rowSumsF32InPlace(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    store<f64>(dst + (<usize>r << 3), rowSum(src + <usize>r * rowBytes, cols));
  }
}

/**
 * Adds `cols` f32 values from `row` in f64. The row is read as four streams side by side (its four
 * quarters): a core keeps more cache-line fills in flight over four sequential streams than over one,
 * and a single stream leaves it well short of the memory's bandwidth. The remainder (< 16 values,
 * past the quarters) is added at the end.
 */
// @ts-ignore: decorator
@inline
function rowSum(row: usize, cols: i32): f64 {
  const quarter = (cols >> 4) << 2; // values per stream, a multiple of 4
  const qBytes = <usize>quarter << 2;
  const s1 = row + qBytes;
  const s2 = s1 + qBytes;
  const s3 = s2 + qBytes;
  let total: f64 = 0;
  if (ASC_FEATURE_SIMD) {
    // Per stream two f64x2 accumulators: the low and the high halves of each f32x4 load.
    let a0 = f64x2.splat(0);
    let b0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let b1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let b2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    let b3 = f64x2.splat(0);
    for (let at: usize = 0; at < qBytes; at += 16) {
      const v0 = v128.load(row + at);
      const v1 = v128.load(s1 + at);
      const v2 = v128.load(s2 + at);
      const v3 = v128.load(s3 + at);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v0));
      b0 = f64x2.add(b0, f64x2.promote_low_f32x4(i64x2.shuffle(v0, v0, 1, 0)));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v1));
      b1 = f64x2.add(b1, f64x2.promote_low_f32x4(i64x2.shuffle(v1, v1, 1, 0)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v2));
      b2 = f64x2.add(b2, f64x2.promote_low_f32x4(i64x2.shuffle(v2, v2, 1, 0)));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(v3));
      b3 = f64x2.add(b3, f64x2.promote_low_f32x4(i64x2.shuffle(v3, v3, 1, 0)));
    }
    const acc = f64x2.add(f64x2.add(f64x2.add(a0, b0), f64x2.add(a1, b1)), f64x2.add(f64x2.add(a2, b2), f64x2.add(a3, b3)));
    total = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  } else {
    let t0: f64 = 0;
    let t1: f64 = 0;
    let t2: f64 = 0;
    let t3: f64 = 0;
    for (let at: usize = 0; at < qBytes; at += 4) {
      t0 += <f64>load<f32>(row + at);
      t1 += <f64>load<f32>(s1 + at);
      t2 += <f64>load<f32>(s2 + at);
      t3 += <f64>load<f32>(s3 + at);
    }
    total = (t0 + t1) + (t2 + t3);
  }
  for (let c = quarter << 2; c < cols; c++) {
    total += <f64>load<f32>(row + (<usize>c << 2));
  }
  return total;
}
