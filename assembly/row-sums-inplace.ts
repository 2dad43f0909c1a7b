// Row sums read where the data already lives: this module is built to IMPORT tfjs-backend-wasm's
// WebAssembly.Memory (env.memory), so `src` is a tensor's offset in the backend's heap and `dst` is
// scratch taken from the backend's own allocator (malloc). The module has no data segments, no
// globals in memory and no start function: it never writes anything of its own into that memory,
// only the `rows` f64 results into `dst`. f32 values are promoted to f64 before they are added
// (the same accuracy as row-sums.ts); several independent accumulators keep the adds off one
// dependency chain, so a row streams at memory speed. One source builds the SIMD and scalar binaries.

/** dst[r] = sum of the f32 row r of src (rows x cols, row-major), in f64. dst is f64[rows]. */
export function rowSumsF32InPlace(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    store<f64>(dst + (<usize>r << 3), rowSum(src + <usize>r * rowBytes, cols));
  }
}

/** Adds `cols` f32 values from `row` in f64. */
// @ts-ignore: decorator
@inline
function rowSum(row: usize, cols: i32): f64 {
  let total: f64 = 0;
  let c = 0;
  if (ASC_FEATURE_SIMD) {
    // 16 floats per step into four f64x2 pairs; a tail of 4 at a time; the rest scalar.
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    let a4 = f64x2.splat(0);
    let a5 = f64x2.splat(0);
    let a6 = f64x2.splat(0);
    let a7 = f64x2.splat(0);
    for (; c + 16 <= cols; c += 16) {
      const at = row + (<usize>c << 2);
      const v0 = v128.load(at);
      const v1 = v128.load(at, 16);
      const v2 = v128.load(at, 32);
      const v3 = v128.load(at, 48);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v0));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i64x2.shuffle(v0, v0, 1, 0)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v1));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(i64x2.shuffle(v1, v1, 1, 0)));
      a4 = f64x2.add(a4, f64x2.promote_low_f32x4(v2));
      a5 = f64x2.add(a5, f64x2.promote_low_f32x4(i64x2.shuffle(v2, v2, 1, 0)));
      a6 = f64x2.add(a6, f64x2.promote_low_f32x4(v3));
      a7 = f64x2.add(a7, f64x2.promote_low_f32x4(i64x2.shuffle(v3, v3, 1, 0)));
    }
    for (; c + 4 <= cols; c += 4) {
      const v = v128.load(row + (<usize>c << 2));
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 0)));
    }
    const acc = f64x2.add(f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3)), f64x2.add(f64x2.add(a4, a5), f64x2.add(a6, a7)));
    total = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  } else {
    let t0: f64 = 0;
    let t1: f64 = 0;
    let t2: f64 = 0;
    let t3: f64 = 0;
    for (; c + 4 <= cols; c += 4) {
      const at = row + (<usize>c << 2);
      t0 += <f64>load<f32>(at);
      t1 += <f64>load<f32>(at, 4);
      t2 += <f64>load<f32>(at, 8);
      t3 += <f64>load<f32>(at, 12);
    }
    total = (t0 + t1) + (t2 + t3);
  }
  for (; c < cols; c++) {
    total += <f64>load<f32>(row + (<usize>c << 2));
  }
  return total;
}
