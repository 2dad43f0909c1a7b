// Per-row sums of a row-major [rows, cols] matrix, accumulated in f64 (f32 rows: rowSumF32 in
// row-sum-f32.ts; i32 rows: exact in i64). One source builds both binaries: ASC_FEATURE_SIMD is a
// compile-time constant.
import { rowSumF32 } from './row-sum-f32';

/** dst[r] = sum of the f32 row r of src (rows x cols, row-major). dst is f64[rows]. */
export function rowSumsF32(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    store<f64>(dst + (<usize>r << 3), rowSumF32(src + <usize>r * rowBytes, cols));
  }
}

/** dst[r] = sum of the i32 row r of src, exact in i64, stored as f64. */
export function rowSumsI32(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const row = src + <usize>r * rowBytes;
    let total: i64 = 0;
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      let accLow = i64x2.splat(0);
      let accHigh = i64x2.splat(0);
      for (; c + 4 <= cols; c += 4) {
        const v = v128.load(row + (<usize>c << 2));
        accLow = i64x2.add(accLow, i64x2.extend_low_i32x4_s(v));
        accHigh = i64x2.add(accHigh, i64x2.extend_high_i32x4_s(v));
      }
      const acc = i64x2.add(accLow, accHigh);
      total = i64x2.extract_lane(acc, 0) + i64x2.extract_lane(acc, 1);
    }
    for (; c < cols; c++) {
      total += <i64>load<i32>(row + (<usize>c << 2));
    }
    store<f64>(dst + (<usize>r << 3), <f64>total);
  }
}
